//! Completions and man pages are generated from the clap definition and committed; this test
//! fails when a committed copy is stale. Regenerate with `REGENERATE=1 cargo test --test generated`.

mod common;

use common::*;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "completions/iadvize-auth.bash"),
    ("zsh", "completions/_iadvize-auth"),
    ("fish", "completions/iadvize-auth.fish"),
    ("powershell", "completions/_iadvize-auth.ps1"),
    ("elvish", "completions/iadvize-auth.elv"),
];

const VERBS: &[&str] = &[
    "keygen",
    "pubkey",
    "mint",
    "inspect",
    "serve",
    "completions",
    "man",
];

fn check(committed: &str, generated: &[u8], stale: &mut Vec<String>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(committed);
    if std::env::var_os("REGENERATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    match std::fs::read(&path) {
        Ok(current) if current == generated => {}
        _ => stale.push(committed.to_string()),
    }
}

#[test]
fn committed_completions_and_man_pages_match_the_binary() {
    let sb = Sandbox::new();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = run(sb.cmd().args(["completions", shell]));
        assert_exit(&out, 0);
        assert!(!out.stdout.is_empty());
        check(file, &out.stdout, &mut stale);
    }
    let out = run(sb.cmd().arg("man"));
    assert_exit(&out, 0);
    check("docs/man/iadvize-auth.1", &out.stdout, &mut stale);
    for verb in VERBS {
        let out = run(sb.cmd().args(["man", verb]));
        assert_exit(&out, 0);
        assert!(stdout(&out).contains(".TH"), "a roff page");
        check(
            &format!("docs/man/iadvize-auth-{verb}.1"),
            &out.stdout,
            &mut stale,
        );
    }
    let pages =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man"))
            .unwrap()
            .count();
    assert_eq!(
        pages,
        VERBS.len() + 1,
        "docs/man holds a page per verb and no other"
    );
    assert!(
        stale.is_empty(),
        "stale generated files {stale:?}: run `REGENERATE=1 cargo test --test generated` and commit"
    );
}

#[test]
fn man_for_an_unknown_verb_is_refused() {
    let sb = Sandbox::new();
    let out = run(sb.cmd().args(["man", "frobnicate"]));
    assert_refused(&out, &["frobnicate"]);
}

/// Replaces the body of each `<!-- BEGIN help VERB -->` block in `doc` with `VERB --help`.
fn with_fresh_help(sb: &Sandbox, doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(start) = rest.find("<!-- BEGIN help ") {
        let (before, from_marker) = rest.split_at(start);
        out.push_str(before);
        let marker_end = from_marker.find("-->").expect("marker closes") + 3;
        let verb = from_marker["<!-- BEGIN help ".len()..marker_end - 3].trim();
        let end_marker = format!("<!-- END help {verb} -->");
        let end = from_marker.find(&end_marker).expect("END marker");
        let help = run(sb.cmd().args([verb, "--help"]));
        assert_exit(&help, 0);
        out.push_str(&from_marker[..marker_end]);
        out.push_str("\n```text\n");
        out.push_str(&stdout(&help));
        out.push_str("```\n");
        out.push_str(&end_marker);
        rest = &from_marker[end + end_marker.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn cli_reference_shows_the_current_help_of_every_verb() {
    let sb = Sandbox::new();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    for verb in VERBS {
        assert!(
            doc.contains(&format!("<!-- BEGIN help {verb} -->")),
            "docs/cli.md documents {verb}"
        );
    }
    let fresh = with_fresh_help(&sb, &doc);
    if std::env::var_os("REGENERATE").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    assert!(
        fresh == doc,
        "docs/cli.md shows stale --help: run `REGENERATE=1 cargo test --test generated` and commit"
    );
}
