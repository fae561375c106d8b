//! The verdict: on the first line of the report, it names whose verdict it is (iAdvize's
//! production service or a stand-in, by key fingerprint), says which layer refuses or lets a
//! token through, and is honest about what was not checked. Then the library's two jobs
//! called as a server would call them: a plan mints, the inspector judges, and
//! `Report::verdict` says what iAdvize's Java stack does — which is not the same as "no check
//! failed".

use serde_json::{Value, json};

use super::{Lab, NOW, first_line, production_token};
use crate::common::library::{fixture_key, mint_token};
use crate::common::*;
use iadvize_auth::inspect::{self, Names, Options, Report};
use iadvize_auth::keys::LoadedKey;
use iadvize_auth::mint::Recipient;
use iadvize_auth::verdict::{Acceptance, Answer, CheckId, NeededKey, Role, Rules, Unchecked};

/// Every verdict says whom it speaks for: the six ways support and QA meet a token, each
/// pinned whole (the first line, in a snapshot; the three JSON verdict members; the exit code).
#[test]
fn each_verdict_names_its_recipient_production_or_stand_in() {
    let lab = Lab::new();
    let production = production_token(&lab);
    let standin = lab.good();
    const STANDIN: &str = "67474fd3acac63c9f09274057ea00674e2939d3bd530a518de2af921490478f8";
    let unknown = json!({"role": "unknown", "sha256": null});
    let cases = [
        // A production token: no key, a stand-in's key, only the brand's public key.
        (
            "a production token, no key",
            &production,
            vec![],
            ["unknown", "unknown"],
            unknown.clone(),
            3,
        ),
        (
            "a production token, the stand-in's keys",
            &production,
            vec![
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--verify-key",
                "brand-public.pem",
            ],
            ["rejects", "unknown"],
            unknown.clone(),
            3,
        ),
        (
            "a production token, only the brand's public key",
            &production,
            vec!["--verify-key", "brand-public.pem"],
            ["unknown", "unknown"],
            unknown.clone(),
            3,
        ),
        // A stand-in token: its stand-in's key, another stand-in's key, no key.
        (
            "a stand-in token, its stand-in's keys",
            &standin,
            vec![
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--verify-key",
                "brand-public.pem",
            ],
            ["accepts", "rejects"],
            json!({"role": "standin", "sha256": STANDIN}),
            0,
        ),
        (
            "a stand-in token, another stand-in's key",
            &standin,
            vec![
                "--decrypt-key",
                "other-private.pem",
                "--verify-key",
                "brand-public.pem",
            ],
            ["rejects", "unknown"],
            unknown.clone(),
            3,
        ),
        (
            "a stand-in token, no key",
            &standin,
            vec![],
            ["unknown", "unknown"],
            unknown,
            3,
        ),
    ];
    let mut lines = String::new();
    for (case, token, keys, [iadvize, production], recipient, code) in cases {
        let mut args = vec!["inspect", token.as_str(), "--now", "1700000000"];
        args.extend(&keys);
        let out = run(lab.sb.cmd().args(&args));
        lines.push_str(&format!("{case}:\n{}\n\n", first_line(&out)));
        assert_exit(&out, code);
        args.push("--json");
        let out = run(lab.sb.cmd().args(&args));
        assert_exit(&out, code);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let verdict = &report["verdict"];
        assert_eq!(
            (
                &verdict["iadvize"],
                &verdict["production"],
                &verdict["recipient"]
            ),
            (&json!(iadvize), &json!(production), &recipient),
            "{keys:?}"
        );
        assert_eq!(report["schema_version"], 3);
    }
    insta::assert_snapshot!(lines);
}

/// A stand-in's verdict says which layer refuses or lets through.
#[test]
fn a_stand_in_s_verdict_says_its_layer() {
    let lab = Lab::new();
    let mut lines = String::new();
    let expired = lab.token("customer-8812", "brand-private.pem", NOW - 3600);
    let out = lab.inspect(&expired, "dv", &[]);
    assert_exit(&out, 1);
    lines.push_str(&format!("expired an hour ago:\n{}\n\n", first_line(&out)));
    assert!(
        first_line(&out).starts_with(
            "Verdict: your stand-in (SHA-256 67474fd3…) accepts this token as iAdvize's JOSE \
             library would, but it breaks iAdvize's documented rules: expired 59 min ago"
        ),
        "{}",
        stdout(&out)
    );

    let forged = lab.token("customer-8812", "other-private.pem", NOW);
    let out = lab.inspect(&forged, "dv", &[]);
    assert_exit(&out, 1);
    lines.push_str(&format!("signed with another key:\n{}\n", first_line(&out)));
    insta::assert_snapshot!(lines);
    assert!(
        first_line(&out).starts_with(
            "Verdict: your stand-in (SHA-256 67474fd3…) rejects this token, as iAdvize's JOSE \
             library would: the signature does not verify"
        ),
        "{}",
        stdout(&out)
    );
    let text = stdout(&lab.inspect(&lab.good(), "", &[]));
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

/// A token encrypted to the brand's own key, opened with it: one key pair both decrypts and
/// verifies, which is a mistake iAdvize cannot open, and the run says so.
#[test]
fn one_key_pair_for_both_keys_is_named_as_the_brand_s_own() {
    let lab = Lab::new();
    let out = run(lab.sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "brand-public.pem",
        "--user-id",
        "customer-8812",
    ]));
    assert_exit(&out, 0);
    let token = stdout(&out);
    let args = |verify: &str| {
        [
            "inspect",
            token.trim(),
            "--decrypt-key",
            "brand-private.pem",
            "--verify-key",
            verify,
        ]
        .map(String::from)
    };
    let out = run(lab.sb.cmd().args(args("brand-public.pem")));
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains(
            "warning: --decrypt-key and --verify-key are one key pair: a token it opens is \
             encrypted to the brand's own signing key, which iAdvize does not hold"
        ),
        "{}",
        stderr(&out)
    );
    // Two key pairs: no such warning.
    let out = run(lab.sb.cmd().args(args("other-private.pem")));
    assert_exit(&out, 1);
    assert!(!stderr(&out).contains("one key pair"), "{}", stderr(&out));
}

/// Without the keys nothing inside is checked: never "accepts" then, and the verdict names
/// what was not checked and which key would check it.
#[test]
fn keyless_and_verify_key_only_runs_say_what_was_not_checked() {
    let lab = Lab::new();
    let forged = lab.token("customer-8812", "other-private.pem", NOW);
    for keys in ["", "v"] {
        let (code, reports) = lab.reports(&forged, keys);
        assert_eq!(code, 3, "nothing failed that could be seen: cannot tell");
        let verdict = &reports[0]["verdict"];
        assert_eq!(verdict["iadvize"], "unknown", "{keys}: {verdict}");
        assert_eq!(verdict["rules"], "unknown");
        let unchecked: Vec<&str> = verdict["unchecked"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["check"].as_str().unwrap())
            .collect();
        assert!(
            unchecked.contains(&"jws.signature") && unchecked.contains(&"claims.user_id"),
            "{unchecked:?}"
        );
        assert_eq!(reports[0]["schema_version"], 3);
    }
    // The verify key alone cannot reach the signature inside the encryption: it says so.
    let (_, reports) = lab.reports(&forged, "v");
    let signature = reports[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "jws.signature")
        .unwrap();
    assert!(
        signature["message"]
            .as_str()
            .unwrap()
            .contains("--verify-key was given but not used"),
        "{signature}"
    );
    let out = lab.inspect(&forged, "v", &[]);
    insta::assert_snapshot!(first_line(&out));
    let human = stdout(&out);
    assert!(human.starts_with("Verdict: cannot tell"), "{human}");
    assert!(human.contains("Not checked"), "{human}");
}

/// A header one character away from iAdvize's is named as damage after the token was made,
/// not as a backend to change; a signed token alone is named as a possible inner token.
#[test]
fn damage_in_transit_and_a_bare_inner_token_are_named_as_such() {
    let lab = Lab::new();
    let good = production_token(&lab);
    // `{"alg"` is `eyJhbGci`: its sixth character changed makes `{"amw"`.
    let changed = format!("{}X{}", &good[..5], &good[6..]);
    let dropped = format!("{}{}", &good[..10], &good[11..]);
    let mut lines = String::new();
    for (case, token, words) in [
        (
            "a character changed",
            changed,
            "the JWE header has no alg: with 'G' for its character 6 ('X') it would be iAdvize's \
             header: the token was probably damaged after it was made",
        ),
        (
            "a character dropped",
            dropped,
            "it would be iAdvize's header: a character was probably dropped after the token was \
             made",
        ),
    ] {
        let out = lab.inspect(&token, "", &[]);
        assert_exit(&out, 1);
        lines.push_str(&format!("{case}:\n{}\n\n", first_line(&out)));
        assert!(first_line(&out).contains(words), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("fix: hand the token over unchanged"),
            "{}",
            stdout(&out)
        );
    }
    insta::assert_snapshot!(lines);

    let inner = lab.inner();
    let out = lab.inspect(&inner, "v", &[]);
    assert_exit(&out, 1);
    assert_eq!(
        first_line(&out),
        "Verdict: iAdvize rejects this token: a bare signed token (JWS): iAdvize only accepts it \
         encrypted (JWE). If it is the brand's inner signed token, taken from its backend before \
         encryption, judged as one it is right; --expect jws says so without this rejection."
    );
    // Judged as the inner token: about the signed token only, never "iAdvize accepts".
    let out = lab.inspect(&inner, "v", &["--expect", "jws"]);
    assert_exit(&out, 0);
    assert_eq!(
        first_line(&out),
        "Verdict: the signed token is right; iAdvize also needs it encrypted to its key (a JWE, \
         RSA-OAEP-256 + A256GCM), and never accepts it as it is here."
    );
    let (_, reports) = lab.reports(&inner, "v");
    assert_eq!(reports[0]["verdict"]["production"], "rejects");
    let out = lab.inspect(&inner, "v", &["--expect", "jws", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"]["subject"], "signed_token");
    assert_eq!(report["verdict"]["production"], "unknown");
}

/// A brand whose key is EC: iAdvize verifies with an RSA key and refuses every token of it,
/// which support is told in every key mode, rather than an unusable key.
#[test]
fn a_brand_key_that_is_not_rsa_gets_a_verdict_in_every_key_mode() {
    let lab = Lab::new();
    lab.sb.write(
        "ec-public.pem",
        std::fs::read(fixture_path("ec-public.pem")).unwrap(),
    );
    let production = production_token(&lab);
    let standin = lab.good();
    let mut lines = String::new();
    for (case, token, decrypt) in [
        ("a production token", &production, false),
        ("a stand-in token, its stand-in's key", &standin, true),
        ("a stand-in token, no decryption key", &standin, false),
    ] {
        let mut args = vec!["inspect", token.as_str(), "--verify-key", "ec-public.pem"];
        // At the time the tokens were made, so that the verdict says nothing of their age.
        args.extend(["--now", "1700000000"]);
        if decrypt {
            args.extend(["--decrypt-key", "standin-iadvize-private.pem"]);
        }
        let out = run(lab.sb.cmd().args(&args));
        assert_exit(&out, 1);
        lines.push_str(&format!("{case}:\n{}\n\n", first_line(&out)));
        assert!(
            first_line(&out).contains(
                "--verify-key is an EC key: iAdvize verifies the inner signature with the \
                 brand's RSA public key (RS256, RSASSAVerifier), and refuses every token of a \
                 brand whose key is not RSA."
            ),
            "{}",
            stdout(&out)
        );
        args.push("--json");
        let report: Value = serde_json::from_slice(&run(lab.sb.cmd().args(&args)).stdout).unwrap();
        assert_eq!(report["verdict"]["iadvize"], "rejects");
        assert_eq!(report["verdict"]["production"], "rejects");
    }
    insta::assert_snapshot!(lines);
}

/// The stand-in's private key, the brand's public key, and a good token from the one to the
/// other (a minute's lifetime, issued at NOW).
fn rehearsal() -> (LoadedKey, LoadedKey, String) {
    let good = token(
        "brand-private.pem",
        Recipient::Key(fixture_key("standin-iadvize-public.pem")),
        60,
    );
    (
        fixture_key("standin-iadvize-private.pem"),
        fixture_key("brand-public.pem"),
        good,
    )
}

fn token(signing_key: &str, recipient: Recipient, ttl: u64) -> String {
    mint_token(signing_key, recipient, ttl, "customer-8812", NOW)
}

fn judge(token: &str, decrypt: Option<&LoadedKey>, verify: Option<&LoadedKey>, now: i64) -> Report {
    let options = Options {
        decrypt_key: decrypt,
        verify_key: verify,
        verify_key_not_rsa: None,
        now,
        leeway: 0,
        expect_jws: false,
        names: Names::default(),
    };
    inspect::inspect(token, &options).unwrap()
}

#[test]
fn the_verdict_separates_what_iadvize_does_from_its_rules_and_from_what_was_not_checked() {
    let (standin, brand, good) = rehearsal();

    let both = judge(&good, Some(&standin), Some(&brand), NOW);
    let verdict = both.verdict.clone();
    assert_eq!(
        (verdict.iadvize, verdict.rules),
        (Acceptance::Accepts, Rules::Pass)
    );
    assert!(verdict.unchecked.is_empty());
    // Opened by a stand-in's key: the stand-in accepts, production cannot open it.
    assert_eq!(verdict.production, Acceptance::Rejects);
    assert_eq!(verdict.recipient.role, Role::Standin);
    assert_eq!(verdict.answer(), Answer::Accepted);

    // Without keys nothing fails, yet nothing inside was checked: not "accepts".
    let keyless = judge(&good, None, None, NOW).verdict;
    assert!(keyless.iadvize == Acceptance::Unknown && keyless.rules == Rules::Unknown);
    // A 2048-bit recipient, as iAdvize's: production may accept it, nobody can tell.
    assert_eq!(keyless.production, Acceptance::Unknown);
    assert_eq!(keyless.recipient.role, Role::Unknown);
    assert_eq!(keyless.answer(), Answer::CannotTell);
    assert!(keyless.unchecked.contains(&Unchecked {
        check: CheckId::JwsSignature,
        needs: NeededKey::Decryption
    }));
    assert!(
        keyless
            .unchecked
            .iter()
            .any(|u| u.check == CheckId::ClaimsUserId)
    );

    // Opened but not verified: the signature is the one thing left.
    let opened = judge(&good, Some(&standin), None, NOW).verdict;
    assert_eq!(opened.iadvize, Acceptance::Unknown);
    assert_eq!(
        opened.unchecked,
        [Unchecked {
            check: CheckId::JwsSignature,
            needs: NeededKey::Verification
        }]
    );

    // Expired an hour ago: a failed check that iAdvize's library lets through.
    let late = judge(&good, Some(&standin), Some(&brand), NOW + 3600);
    assert!(!late.ok);
    let verdict = late.verdict.clone();
    assert_eq!(
        (verdict.iadvize, verdict.rules),
        (Acceptance::Accepts, Rules::Fail)
    );

    // Signed by another key: rejected.
    let forged = token(
        "other-private.pem",
        Recipient::Key(fixture_key("standin-iadvize-public.pem")),
        60,
    );
    let verdict = judge(&forged, Some(&standin), Some(&brand), NOW).verdict;
    assert_eq!(
        (verdict.iadvize, verdict.rules),
        (Acceptance::Rejects, Rules::Fail)
    );

    // Not encrypted: rejected, even with nothing else checked.
    let bare = token("brand-private.pem", Recipient::SignOnly, 60);
    let verdict = judge(&bare, None, None, NOW).verdict;
    assert_eq!(verdict.iadvize, Acceptance::Rejects);
}

/// Handed the wrapped text itself (as a server's `/verify` is), the inspector judges the
/// wrapper with `token.format` (iAdvize refuses the text: `rejects`) and every other check on
/// the token inside; the same wrappers the finder takes off (`inspect::find`).
#[test]
fn a_wrapped_token_given_whole_fails_token_format_naming_the_wrapper() {
    let (standin, brand, good) = rehearsal();
    for (wrapped, words) in [
        (format!("\"{good}\""), "in quotes"),
        (format!("Bearer {good}"), "after 'Bearer '"),
        (format!("b'{good}'"), "b'…'"),
        (format!("%22{good}%22"), "URL-encoded"),
        (good.replace('.', "%2E"), "URL-encoded"),
    ] {
        let report = judge(&wrapped, Some(&standin), Some(&brand), NOW);
        let format = &report.checks[0];
        assert_eq!(format.id, CheckId::TokenFormat);
        assert!(
            format.message.contains(words) && format.message.contains("iAdvize refuses it"),
            "{wrapped}: {}",
            format.message
        );
        assert_eq!(report.verdict.iadvize, Acceptance::Rejects, "{wrapped}");
        let failing: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.status != iadvize_auth::verdict::Status::Pass)
            .collect();
        assert_eq!(
            failing.len(),
            1,
            "{wrapped}: the token inside passes: {failing:?}"
        );
        let found = inspect::find(&wrapped);
        assert_eq!(found.tokens.len(), 1);
        assert_eq!(&*found.tokens[0].token, good);
        assert!(!found.tokens[0].wrapped.is_empty());
    }
}
