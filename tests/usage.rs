//! Mistyped command lines: an option is never taken for a token, a misspelt option gets a
//! suggestion, and `-` still means standard input.

mod common;

use common::*;

#[test]
fn inspect_version_prints_the_version_instead_of_inspecting_it() {
    let sb = Sandbox::new();
    for flag in ["--version", "-V"] {
        let out = run(sb.cmd().args(["inspect", flag]));
        assert_exit(&out, 0);
        assert_eq!(
            stdout(&out).trim(),
            format!("iadvize-auth-inspect {}", env!("CARGO_PKG_VERSION"))
        );
        assert!(!stdout(&out).contains("Checks"), "no report");
    }
}

#[test]
fn a_misspelt_option_is_a_usage_error_with_the_right_spelling() {
    let sb = Sandbox::with_fixtures(&["standin-iadvize-private.pem"]);
    sb.write("t.txt", "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d\n");
    let out = run(sb.cmd().args([
        "inspect",
        "--decript-key",
        "standin-iadvize-private.pem",
        "@t.txt",
    ]));
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty(), "no report: {}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("unexpected argument '--decript-key'"),
        "names the mistake: {err}"
    );
    assert!(
        err.contains("a similar argument exists: '--decrypt-key'"),
        "suggests the right option: {err}"
    );
}

#[test]
fn an_unknown_option_is_not_taken_for_a_token() {
    let sb = Sandbox::new();
    for flag in ["--verbose", "-x"] {
        let out = run(sb.cmd().args(["inspect", flag]));
        assert_exit(&out, 2);
        assert!(out.stdout.is_empty(), "{flag}: no report: {}", stdout(&out));
        assert!(
            stderr(&out).contains(&format!("unexpected argument '{flag}'")),
            "{flag}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_dash_still_reads_the_token_from_standard_input() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "standin-iadvize-public.pem"]);
    let token = rehearsal_token(&sb, "customer-1");
    let out = run_with_stdin(
        sb.cmd().args(["inspect", "-", "--json"]),
        format!("{token}\n").as_bytes(),
    );
    // Read and judged without keys: nobody can tell.
    assert_exit(&out, 3);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(
        report["kind"], "jwe",
        "the token piped in was read: {report}"
    );
}

/// Standard input can be read once: every verb that could read it twice refuses, naming both
/// inputs, before it reads anything; a verb with one such input reads it.
#[test]
fn every_verb_reads_standard_input_once() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "standin-iadvize-private.pem"]);
    let key = std::fs::read(sb.join("brand-private.pem")).unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["mint", "--key", "-", "--user-ids", "-"],
            "--key - and --user-ids - cannot both read standard input",
        ),
        (
            &[
                "mint",
                "--key",
                "-",
                "--user-ids",
                "-",
                "--iadvize-key",
                "-",
            ],
            "--key -, --user-ids - and --iadvize-key - cannot all read standard input",
        ),
        (
            &["inspect", "-", "--decrypt-key", "-"],
            "the text to inspect (-) and --decrypt-key - cannot both read standard input",
        ),
        (
            &["inspect", "--verify-key", "-"],
            "the text to inspect (-) and --verify-key - cannot both read standard input",
        ),
        (
            &[
                "decode",
                "eyJ.x.y",
                "--decrypt-key",
                "-",
                "--verify-key",
                "-",
            ],
            "--decrypt-key - and --verify-key - cannot both read standard input",
        ),
        (
            &["serve", "--key", "-", "--iadvize-key", "-"],
            "--key - and --iadvize-key - cannot both read standard input",
        ),
    ];
    for (args, message) in cases {
        let out = run_with_stdin(sb.cmd().args(args), &key);
        assert_refused(&out, &[message]);
    }
    // One reader: the key piped in is read.
    let out = run_with_stdin(sb.cmd().args(["pubkey", "-", "--format", "base64"]), &key);
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("MIIBIjAN"), "{}", stdout(&out));
}
