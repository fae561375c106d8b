//! Values at the edge of what the tool reads: the last date a time can have, and JSON nested
//! deeper than strict parsers go. Each is either read or refused for what it is.

use crate::common::*;
use base64::Engine as _;
use serde_json::Value;

/// 9999-12-31T23:59:59Z, less a minute: a token issued then expires at the last second.
const LAST_MINUTE: &str = "253402300739";

#[test]
fn every_date_up_to_the_end_of_9999_is_a_time_not_milliseconds() {
    let sb = rehearsal_sandbox();
    for now in [LAST_MINUTE, "9999-12-31T23:58:59Z", "200000000000"] {
        let out = run(sb
            .cmd()
            .args([
                "mint",
                "--key",
                "brand-private.pem",
                "--user-id",
                "c-1",
                "--jws",
            ])
            .args(["--now", now]));
        assert_exit(&out, 0);
        let token = stdout(&out);
        let out = run(sb
            .cmd()
            .args(["inspect", token.trim(), "--json", "--now", now]));
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let iat = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "claims.iat")
            .unwrap()
            .clone();
        assert_eq!(iat["status"], "pass", "--now {now}: {iat}");
        let exp = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "claims.exp")
            .unwrap();
        assert!(
            !exp["message"].as_str().unwrap().contains("milliseconds"),
            "--now {now}: {exp}"
        );
        assert!(
            !stderr(&out).contains("milliseconds"),
            "--now {now}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_number_past_9999_is_called_milliseconds_only_when_it_is_a_date_in_milliseconds() {
    let sb = Sandbox::new();
    let now = |value: &str| run(sb.cmd().args(["inspect", "-", "--now", value]));
    let message = assert_refused(&now("253402300800"), &["--now", "looks like milliseconds"]);
    assert!(message.contains("(253402300)"), "{message}");
    let message = assert_refused(&now("1700000000000"), &["looks like milliseconds"]);
    assert!(message.contains("(1700000000)"), "{message}");
    for value in ["253402300800000", "99999999999999999999"] {
        let message = assert_refused(
            &now(value),
            &["is after 253402300799 (9999-12-31T23:59:59Z)"],
        );
        assert!(!message.contains("milliseconds"), "{message}");
    }
}

/// A bare JWS with these claims and a made-up signature.
fn jws_with_claims(claims: &str) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        b64(br#"{"alg":"RS256"}"#),
        b64(claims.as_bytes()),
        b64(b"signature")
    )
}

fn claims_json_check(sb: &Sandbox, token: &str) -> Value {
    let out = run_with_stdin(sb.cmd().args(["inspect", "-", "--json"]), token.as_bytes());
    assert_exit(&out, 1);
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "claims.json")
        .unwrap()
        .clone()
}

#[test]
fn claims_nested_deeper_than_strict_parsers_go_are_called_deep_not_invalid() {
    let sb = Sandbox::new();
    let nested = |levels: usize| {
        format!(
            r#"{{"https://iadvize.com/userId":"u-1","x":{}{}}}"#,
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    let check = claims_json_check(&sb, &jws_with_claims(&nested(200)));
    let message = check["message"].as_str().unwrap();
    assert_eq!(check["status"], "fail", "{check}");
    assert!(
        message.contains("JSON nested 201 levels deep") && message.contains("stop at 127"),
        "{message}"
    );
    assert!(!message.contains("not valid JSON"), "{message}");
    assert!(!message.contains("lenient"), "{message}");
    assert_eq!(check["java_stack"], "accepts", "{check}");

    // Deeper than the reading as iAdvize's library reads goes, too.
    let check = claims_json_check(&sb, &jws_with_claims(&nested(600)));
    let message = check["message"].as_str().unwrap();
    assert!(message.contains("nested 601 levels deep"), "{message}");
    assert!(message.contains("stops at 512"), "{message}");
    assert!(!message.contains("not valid JSON"), "{message}");

    // Invalid JSON is still called that.
    let check = claims_json_check(&sb, &jws_with_claims(r#"{"a":[1,}"#));
    let message = check["message"].as_str().unwrap();
    assert!(message.contains("not valid JSON"), "{message}");
}
