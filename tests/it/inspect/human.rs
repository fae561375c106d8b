//! The human `inspect` report as a person reads it: wrapped at the width of the terminal it is
//! shown on (a real pseudo-terminal), spans said in the unit that fits, and the names people
//! type for it (`decode`, `--expect JWE`); the inner token shortened unless asked for.

use super::Lab;
use crate::common::terminal::on_terminal_sized;
use crate::common::*;

/// The longest line of `text`, in characters.
fn widest(text: &str) -> usize {
    text.lines()
        .map(|line| line.trim_end_matches('\r').chars().count())
        .max()
        .unwrap_or(0)
}

/// The prose of a report: the verdict, what to fix, the checks. Data from the token (its
/// headers, its claims, the inner token) is shown as it is, between `Details` and `Checks`.
fn prose(report: &str) -> String {
    let details = report.find("\nDetails").expect("a Details section");
    let checks = report.find("\nChecks").expect("a Checks section");
    format!("{}{}", &report[..details], &report[checks..])
}

#[test]
fn the_report_wraps_at_the_width_of_the_terminal() {
    let sb = rehearsal_sandbox();
    let token = rehearsal_token_with(
        &sb,
        "brand-private.pem",
        "customer-1",
        &["--fault", "expired"],
    );
    sb.write("token.txt", &token);
    let args = [
        "inspect",
        "@token.txt",
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "brand-public.pem",
    ];
    // Piped: 100 columns, whatever the window.
    let out = run(sb.cmd().args(args));
    assert_exit(&out, 1);
    let piped = stdout(&out);
    assert!(widest(&prose(&piped)) > 60, "{piped}");
    assert!(widest(&prose(&piped)) <= 100, "{piped}");

    let (seen, code) = on_terminal_sized(&sb, &args, &[], 60);
    assert_eq!(code, 1, "{seen}");
    assert!(seen.contains("Verdict:"), "{seen}");
    assert!(
        widest(&prose(&seen)) <= 60,
        "every line fits 60 columns:\n{seen}"
    );
    assert!(widest(&prose(&seen)) > 50, "and uses them:\n{seen}");
    // The same words, only wrapped otherwise.
    let words = |text: &str| {
        text.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&seen), words(&piped));

    // Wider than 100 columns, the report stays at 100: long lines are hard to read.
    let (seen, _) = on_terminal_sized(&sb, &args, &[], 200);
    assert_eq!(widest(&prose(&seen)), widest(&prose(&piped)), "{seen}");
}

#[test]
fn long_spans_are_said_in_years() {
    let sb = rehearsal_sandbox();
    let token = rehearsal_token_with(&sb, "brand-private.pem", "customer-1", &["--now", "-1118d"]);
    let out = run(sb.cmd().args([
        "inspect",
        &token,
        "--decrypt-key",
        "standin-iadvize-private.pem",
    ]));
    assert_exit(&out, 1);
    let report = stdout(&out);
    assert!(report.contains("expired 3 years ago ("), "{report}");
    assert!(!report.contains("days ago"), "{report}");
}

#[test]
fn decode_is_inspect_and_names_are_taken_in_any_case() {
    let sb = rehearsal_sandbox();
    // Minted and judged at one fixed time: two runs a second apart would say different spans.
    let token = rehearsal_token_with(
        &sb,
        "brand-private.pem",
        "customer-1",
        &["--now", "1700000000"],
    );
    let keys = [
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "brand-public.pem",
        "--now",
        "1700000000",
    ];
    let judge = |verb: &str, more: &[&str]| {
        let out = run(sb.cmd().args([verb, &token]).args(keys).args(more));
        assert_exit(&out, 0);
        out.stdout
    };
    assert_eq!(
        judge("decode", &["--expect", "JWE", "--json"]),
        judge("inspect", &["--expect", "jwe", "--json"])
    );
    judge("decode", &["--color", "NEVER", "--expect", "Jwe"]);
    // Listed where the verbs are.
    let help = stdout(&run(sb.cmd().arg("--help")));
    let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("how to fix it [alias: decode]"), "{help}");
    let out = run(sb.cmd().args(["pubkey", "--iadvize", "--format", "Base64"]));
    assert_exit(&out, 0);
}

#[test]
fn the_inner_token_is_shortened_unless_asked_for() {
    let lab = Lab::new();
    let good = lab.good();
    let short = stdout(&lab.inspect(&good, "dv", &[]));
    let line = short
        .lines()
        .find(|l| l.trim_start().starts_with("Inner JWS"))
        .unwrap();
    assert!(
        line.ends_with(" characters)") && line.chars().count() <= 100,
        "{line}"
    );
    let whole = stdout(&lab.inspect(&good, "dv", &["--show-tokens"]));
    let line = whole
        .lines()
        .find(|l| l.trim_start().starts_with("Inner JWS"))
        .unwrap();
    assert!(
        line.matches('.').count() == 2 && !line.contains('…'),
        "{line}"
    );
}
