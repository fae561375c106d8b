//! `inspect`'s command line, mistyped: an option is never taken for a token, a misspelt option
//! gets a suggestion, a file named without its `@` is pointed out, and `-` still means standard
//! input.

use serde_json::Value;

use super::Lab;
use crate::common::*;

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

#[test]
fn a_file_named_without_its_at_sign_is_pointed_out() {
    let lab = Lab::new();
    lab.sb.write("t.txt", lab.good());
    let out = lab.inspect("t.txt", "", &[]);
    assert_refused(&out, &["did you mean @t.txt?"]);
    // With --json, the error is a JSON object on stdout too.
    let out = lab.inspect("t.txt", "", &["--json"]);
    assert_exit(&out, 2);
    let error: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error["schema_version"], 3);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("did you mean @t.txt?")
    );
}
