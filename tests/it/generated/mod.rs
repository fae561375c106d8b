//! Completions and man pages are generated from the clap definition and committed; this test
//! fails when a committed copy is stale. Regenerate with `REGENERATE=1 cargo test --test it generated::`.

mod completions;

use crate::common::*;

const SHELLS: &[(&str, &str)] = &[
    ("bash", "completions/iadvize-auth.bash"),
    ("zsh", "completions/_iadvize-auth"),
    ("fish", "completions/iadvize-auth.fish"),
    ("powershell", "completions/_iadvize-auth.ps1"),
    ("elvish", "completions/iadvize-auth.elv"),
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
        "stale generated files {stale:?}: run `REGENERATE=1 cargo test --test it generated::` and commit"
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
        "docs/cli.md shows stale --help: run `REGENERATE=1 cargo test --test it generated::` and commit"
    );
}

/// A committed man page as `man -l` shows it, 100 columns wide, without formatting.
fn man_shows(page: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/man")
        .join(page);
    let out = std::process::Command::new("man")
        .arg("-l")
        .arg(&path)
        .env("MANWIDTH", "100")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("MANPAGER")
        .env_remove("PAGER")
        .env_remove("MAN_KEEP_FORMATTING")
        .output()
        .expect("man is installed (scripts/test installs man-db)");
    assert!(
        out.status.success(),
        "man -l {page}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The section headings of a page as shown: the lines that start in the first column, between
/// the header and footer lines.
fn headings(shown: &str) -> Vec<&str> {
    let lines: Vec<&str> = shown.lines().collect();
    lines[1..lines.len() - 1]
        .iter()
        .copied()
        .filter(|line| !line.is_empty() && !line.starts_with(' '))
        .collect()
}

/// The lines of section `heading` as shown, without their indentation.
fn section<'a>(shown: &'a str, heading: &str) -> Vec<&'a str> {
    shown
        .lines()
        .skip_while(|line| *line != heading)
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' '))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn man_pages_have_the_sections_of_a_man_page_and_verbatim_examples() {
    let sb = Sandbox::new();
    let pages = std::iter::once(("iadvize-auth.1".to_string(), None)).chain(
        VERBS
            .iter()
            .map(|v| (format!("iadvize-auth-{v}.1"), Some(*v))),
    );
    for (page, verb) in pages {
        let shown = man_shows(&page);
        let headings = headings(&shown);
        let mut expected = vec!["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS"];
        match verb {
            Some("mint") | Some("inspect") => expected.push("KEY OPTIONS"),
            None => expected.push("VERBS"),
            _ => {}
        }
        expected.push("EXIT STATUS");
        if !matches!(verb, Some("completions") | Some("man")) {
            expected.push("ENVIRONMENT");
        }
        if !matches!(verb, Some("pubkey") | Some("inspect") | Some("mint")) {
            expected.push("FILES");
        }
        expected.extend(["EXAMPLES", "SEE ALSO"]);
        assert_eq!(headings, expected, "{page}:\n{shown}");

        // The examples of --help, each shown whole on one line, as it can be pasted.
        let args: Vec<&str> = verb.into_iter().chain(["--help"]).collect();
        let help = stdout(&run(sb.cmd().args(&args)));
        let examples: Vec<&str> = help
            .lines()
            .skip_while(|l| *l != "Examples:")
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(str::trim)
            .collect();
        assert!(!examples.is_empty(), "{page}: --help has examples");
        assert_eq!(section(&shown, "EXAMPLES"), examples, "{page}:\n{shown}");

        // Every page named in SEE ALSO is in docs/man; `help` has none.
        let see_also = section(&shown, "SEE ALSO").join(" ");
        let named: Vec<&str> = see_also
            .split([',', ' '])
            .filter_map(|word| word.strip_suffix("(1)"))
            .collect();
        assert!(!named.is_empty(), "{page}: {see_also}");
        for name in named {
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs/man")
                .join(format!("{name}.1"));
            assert!(
                file.exists(),
                "{page} refers to {name}(1), which has no page"
            );
        }
        assert!(!shown.contains("help(1)"), "{page} names a page for help");
    }
}

/// The exit codes a help text lists under `heading`: its lines that start with a number.
fn help_exit_codes(help: &str, heading: &str) -> Vec<u8> {
    help.lines()
        .skip_while(|l| !l.starts_with(heading))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

/// The exit codes of a man page's EXIT STATUS.
fn man_exit_codes(page: &str) -> Vec<u8> {
    section(&man_shows(page), "EXIT STATUS")
        .iter()
        .filter_map(|line| line.split_whitespace().next()?.parse().ok())
        .collect()
}

/// inspect's exit codes (0 accepts, 1 rejected, 2 unusable, 3 cannot tell) as its `--help`
/// lists them, in its man page, in the tool's `--help` and in its man page: one set, whatever
/// a reader opens.
#[test]
fn every_page_lists_the_exit_codes_inspect_gives() {
    let sb = Sandbox::new();
    let inspect = help_exit_codes(
        &stdout(&run(sb.cmd().args(["inspect", "--help"]))),
        "Exit codes",
    );
    assert_eq!(inspect, [0, 1, 2, 3]);
    let top = help_exit_codes(&stdout(&run(sb.cmd().arg("--help"))), "Exit codes");
    assert_eq!(top, inspect, "iadvize-auth --help");
    for page in ["iadvize-auth.1", "iadvize-auth-inspect.1"] {
        let codes = man_exit_codes(page);
        assert_eq!(codes, [0, 1, 2, 3, 130], "{page}");
    }
}

#[test]
fn man_synopsis_shows_each_option_with_its_value() {
    let shown = man_shows("iadvize-auth-inspect.1");
    let synopsis = section(&shown, "SYNOPSIS").join(" ");
    for item in [
        "iadvize-auth inspect ",
        "[--decrypt-key KEY]",
        "[--decrypt-key-kid KID]",
        "[--leeway DURATION]",
        "[--json]",
        "[TOKEN | - | @FILE]",
    ] {
        assert!(synopsis.contains(item), "{item:?} in {synopsis}");
    }
    let shown = man_shows("iadvize-auth-completions.1");
    let synopsis = section(&shown, "SYNOPSIS").join(" ");
    assert!(
        synopsis.ends_with(" SHELL"),
        "a required positional: {synopsis}"
    );
}
