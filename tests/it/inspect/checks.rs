//! `inspect`: tokens made by an independent implementation (python jwcrypto, or primitives
//! where no JOSE library will make the fault), each with one fault, fail exactly the expected
//! check, with what iAdvize's Java stack does about it.

use super::NOW;
use crate::common::*;
use serde_json::{Value, json};

struct Lab {
    sb: Sandbox,
}

impl Lab {
    fn new() -> Self {
        let sb = Sandbox::with_fixtures(&[
            "brand-private.pem",
            "brand-public.pem",
            "standin-iadvize-private.pem",
            "standin-iadvize-public.pem",
            "other-private.pem",
            "other-public.pem",
            "rsa1024-private.pem",
        ]);
        Lab { sb }
    }

    fn path(&self, name: &str) -> String {
        self.sb.join(name).to_str().unwrap().to_string()
    }

    /// Claims that pass every check at `NOW`.
    fn good_claims(&self) -> Value {
        json!({"https://iadvize.com/userId": "customer-8812", "iat": NOW - 5, "exp": NOW + 55})
    }

    /// A spec for the python tool: signed by the brand, encrypted to the stand-in.
    fn spec(&self, claims: &Value) -> Value {
        json!({
            "sign_key": self.path("brand-private.pem"),
            "claims": claims.to_string(),
            "encrypt_key": self.path("standin-iadvize-public.pem"),
        })
    }

    fn with(&self, claims: &Value, extra: Value) -> Value {
        let mut spec = self.spec(claims);
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        spec
    }

    /// Runs `inspect --json` with both rehearsal keys at `NOW`; `extra` may replace any of
    /// those defaults. Returns the exit code and the report.
    fn inspect(&self, token: &str, extra: &[&str]) -> (i32, Value) {
        let now = NOW.to_string();
        let mut args = vec!["inspect", token, "--json"];
        for (flag, default) in [
            ("--decrypt-key", "standin-iadvize-private.pem"),
            ("--verify-key", "brand-public.pem"),
            ("--now", now.as_str()),
        ] {
            if !extra.contains(&flag) {
                args.extend([flag, default]);
            }
        }
        args.extend_from_slice(extra);
        let out = run(self.sb.cmd().args(&args));
        let code = out.status.code().unwrap_or(-1);
        assert!(matches!(code, 0 | 1 | 3), "exit {code}: {}", stderr(&out));
        (
            code,
            serde_json::from_slice(&out.stdout).expect("JSON report"),
        )
    }
}

/// Whether a check's message (which every check has) contains `needle`.
fn says(check: &Value, needle: &str) -> bool {
    check["message"]
        .as_str()
        .unwrap_or_else(|| panic!("a check without a message: {check}"))
        .contains(needle)
}

fn with_status(report: &Value, status: &str) -> Vec<String> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_correct_token_passes_every_check() {
    let lab = Lab::new();
    let tokens = make_tokens(&json!([lab.spec(&lab.good_claims())]));
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["kind"], "jwe");
    assert!(with_status(&report, "fail").is_empty(), "{report:#}");
    assert!(with_status(&report, "warn").is_empty(), "{report:#}");
    assert!(with_status(&report, "skip").is_empty(), "{report:#}");
    assert_eq!(
        report["checks"].as_array().unwrap().len(),
        22,
        "every check, always"
    );
    assert_eq!(report["jwe"]["encrypted_key_bytes"], 256);
    assert_eq!(report["jwe"]["iv_bytes"], 12);
    assert_eq!(report["jwe"]["tag_bytes"], 16);
    assert_eq!(report["jws"]["header"], json!({"alg": "RS256"}));
    assert_eq!(report["jws"]["claims"], lab.good_claims());
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["java_stack"], "accepts", "{c}");
        assert_eq!(c["hint"], Value::Null, "{c}");
    }

    // Without keys: everything public passes, the rest is skipped with the key to give, and
    // nobody can tell (exit 3).
    let out = run(lab.sb.cmd().args(["inspect", &tokens[0], "--json"]));
    assert_exit(&out, 3);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(with_status(&report, "fail").is_empty());
    assert_eq!(report["jws"], Value::Null);
    assert_eq!(check(&report, "jwe.alg")["status"], "pass");
    assert_eq!(check(&report, "jwe.decrypt")["status"], "skip");
    let skipped = check(&report, "claims.user_id");
    assert_eq!(skipped["status"], "skip");
    assert!(says(skipped, "--decrypt-key"), "{skipped}");
}

#[test]
fn each_fault_fails_exactly_its_check() {
    let lab = Lab::new();
    let good = lab.good_claims();
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        f(&mut c);
        c
    };
    let faults: Vec<(&str, Value, &str)> = vec![
        (
            "RS512 inner",
            lab.with(&good, json!({"sign_alg": "RS512"})),
            "jws.alg",
        ),
        (
            "RSA-OAEP outer",
            lab.with(&good, json!({"alg": "RSA-OAEP"})),
            "jwe.alg",
        ),
        (
            "A128GCM",
            lab.with(&good, json!({"enc": "A128GCM"})),
            "jwe.enc",
        ),
        (
            "unprefixed userId",
            lab.spec(&claims(&|c| {
                let id = c
                    .as_object_mut()
                    .unwrap()
                    .remove("https://iadvize.com/userId")
                    .unwrap();
                c["userId"] = id;
            })),
            "claims.user_id",
        ),
        (
            "expired",
            lab.spec(&claims(&|c| c["exp"] = json!(NOW - 120))),
            "claims.exp",
        ),
        (
            "256-character id",
            lab.spec(&claims(&|c| {
                c["https://iadvize.com/userId"] = json!("u".repeat(256))
            })),
            "claims.user_id",
        ),
        (
            "empty id",
            lab.spec(&claims(&|c| c["https://iadvize.com/userId"] = json!(""))),
            "claims.user_id",
        ),
        (
            "numeric id",
            lab.spec(&claims(&|c| c["https://iadvize.com/userId"] = json!(8812))),
            "claims.user_id",
        ),
        (
            "wrong signer",
            lab.with(&good, json!({"sign_key": lab.path("other-private.pem")})),
            "jws.signature",
        ),
        (
            "wrong recipient",
            lab.with(&good, json!({"encrypt_key": lab.path("other-public.pem")})),
            "jwe.decrypt",
        ),
        (
            "tampered ciphertext",
            lab.with(&good, json!({"tamper": "ciphertext"})),
            "jwe.decrypt",
        ),
        (
            "tampered tag",
            lab.with(&good, json!({"tamper": "tag"})),
            "jwe.decrypt",
        ),
        (
            "bare JWS",
            lab.with(&good, json!({"encrypt_key": null})),
            "token.encrypted",
        ),
        (
            "missing exp",
            lab.spec(&claims(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            })),
            "claims.exp",
        ),
    ];
    let specs: Vec<Value> = faults.iter().map(|(_, spec, _)| spec.clone()).collect();
    let tokens = make_tokens(&Value::Array(specs));
    for ((name, _, expected), token) in faults.iter().zip(&tokens) {
        let (code, report) = lab.inspect(token, &[]);
        // A token the stand-in's key does not open may be another recipient's: nobody can
        // tell (3); every other fault is the token's (1).
        let expected_code = if *name == "wrong recipient" { 3 } else { 1 };
        assert_eq!(code, expected_code, "{name}: {report:#}");
        assert_eq!(report["ok"], false, "{name}");
        assert_eq!(
            with_status(&report, "fail"),
            [*expected],
            "{name}: {report:#}"
        );
        let failing = check(&report, expected);
        assert!(
            failing["hint"].as_str().is_some_and(|h| !h.is_empty()),
            "{name}: a hint"
        );
    }
}

#[test]
fn fault_messages_say_what_is_wrong() {
    let lab = Lab::new();
    let good = lab.good_claims();
    let mut unprefixed = good.clone();
    unprefixed["userId"] = unprefixed
        .as_object_mut()
        .unwrap()
        .remove("https://iadvize.com/userId")
        .unwrap();
    let mut with_sub = good.clone();
    with_sub["sub"] = with_sub
        .as_object_mut()
        .unwrap()
        .remove("https://iadvize.com/userId")
        .unwrap();
    let mut millis = good.clone();
    millis["exp"] = json!((NOW + 60) * 1000);
    let mut placeholder = good.clone();
    placeholder["https://iadvize.com/userId"] = json!("undefined");
    let tokens = make_tokens(&json!([
        lab.spec(&unprefixed),
        lab.spec(&with_sub),
        lab.spec(&millis),
        lab.spec(&placeholder),
        lab.with(&good, json!({"alg": "RSA1_5"})),
        lab.with(
            &good,
            json!({"jwe_header": r#"{"enc":"A256GCM","cty":"JWT"}"#, "mgf1_sha1": false})
        ),
        lab.with(&good, json!({"jws_header": r#"{"alg":256}"#})),
    ]));
    let (_, report) = lab.inspect(&tokens[0], &[]);
    let hint = check(&report, "claims.user_id")["hint"].as_str().unwrap();
    assert!(hint.contains("rename the claim userId"), "{hint}");
    assert_eq!(check(&report, "claims.prefix")["status"], "warn");
    let (_, report) = lab.inspect(&tokens[1], &[]);
    let hint = check(&report, "claims.user_id")["hint"].as_str().unwrap();
    assert!(hint.contains("not sub"), "{hint}");
    let (_, report) = lab.inspect(&tokens[2], &[]);
    let exp = check(&report, "claims.exp");
    assert!(
        exp["message"].as_str().unwrap().contains("milliseconds"),
        "{exp}"
    );
    let (code, report) = lab.inspect(&tokens[3], &[]);
    assert_eq!(code, 0, "a placeholder warns, it does not fail");
    assert_eq!(check(&report, "claims.user_id")["status"], "warn");
    assert!(says(check(&report, "claims.user_id"), "placeholder"));
    let (_, report) = lab.inspect(&tokens[4], &[]);
    assert_eq!(check(&report, "jwe.alg")["status"], "fail");
    assert_eq!(
        check(&report, "jwe.decrypt")["status"],
        "pass",
        "RSA1_5 still opens"
    );
    let (_, report) = lab.inspect(&tokens[5], &[]);
    let alg = check(&report, "jwe.alg");
    assert_eq!(alg["status"], "fail");
    assert_eq!(alg["message"], "the JWE header has no alg", "{alg}");
    assert_eq!(alg["hint"], r#"set alg to "RSA-OAEP-256""#, "{alg}");
    let (_, report) = lab.inspect(&tokens[6], &[]);
    let alg = check(&report, "jws.alg");
    assert_eq!(alg["message"], "alg is 256, not a string", "{alg}");
    assert_eq!(alg["java_stack"], "rejects", "{alg}");
}

/// One hand-built token per fact about iAdvize's Java stack: (what, spec, check id, status,
/// java_stack). Faults no JOSE library will produce are built from primitives by the tool.
#[test]
fn each_java_stack_fact_is_reported_with_its_verdict() {
    let lab = Lab::new();
    let good = lab.good_claims();
    let c = |f: &dyn Fn(&mut Value)| {
        let mut claims = good.clone();
        f(&mut claims);
        claims
    };
    let raw = |text: &str| -> Value {
        json!({
            "sign_key": lab.path("brand-private.pem"),
            "claims": text,
            "encrypt_key": lab.path("standin-iadvize-public.pem"),
        })
    };
    let facts: Vec<(&str, Value, &str, &str, &str)> = vec![
        // Rejected for certain.
        (
            "crit in the JWE",
            lab.with(&good, json!({"jwe_header": r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","crit":["exp"],"exp":1}"#})),
            "jwe.crit", "fail", "rejects",
        ),
        (
            "crit in the JWS naming an extension Nimbus does not know",
            lab.with(&good, json!({"jws_header": r#"{"alg":"RS256","crit":["exp"],"exp":1}"#})),
            "jws.crit", "fail", "rejects",
        ),
        (
            "crit b64 in the JWS, which RSASSAVerifier understands",
            lab.with(&good, json!({"jws_header": r#"{"alg":"RS256","crit":["b64"],"b64":true}"#})),
            "jws.crit", "warn", "accepts",
        ),
        (
            "claims encrypted without being signed",
            json!({"payload_raw": good.to_string(), "encrypt_key": lab.path("standin-iadvize-public.pem")}),
            "jws.format", "fail", "rejects",
        ),
        ("exp as a string", lab.spec(&c(&|c| c["exp"] = json!((NOW + 60).to_string()))), "claims.exp", "fail", "rejects"),
        ("iat as a string", lab.spec(&c(&|c| c["iat"] = json!(NOW.to_string()))), "claims.iat", "fail", "rejects"),
        ("nbf as a string", lab.spec(&c(&|c| c["nbf"] = json!(NOW.to_string()))), "claims.nbf", "fail", "rejects"),
        ("claims that are an array", raw("[1,2,3]"), "claims.json", "fail", "rejects"),
        (
            "duplicate claim names",
            raw(&format!(r#"{{"https://iadvize.com/userId":"a","https://iadvize.com/userId":"b","exp":{}}}"#, NOW + 60)),
            "claims.json", "fail", "rejects",
        ),
        (
            "a protected header over 20,000 characters",
            lab.with(&good, json!({"jwe_header": format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","x":"{}"}}"#, "a".repeat(20_001))})),
            "jwe.header_size", "fail", "rejects",
        ),
        (
            // 10,000 emoji are 10,000 characters but 20,000 UTF-16 units, which Java counts.
            "a protected header over 20,000 UTF-16 units",
            lab.with(&good, json!({"jwe_header": format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","x":"{}"}}"#, "\u{1f600}".repeat(10_000))})),
            "jwe.header_size", "fail", "rejects",
        ),
        (
            "a member twice in the JWE header",
            lab.with(&good, json!({"jwe_header": r#"{"alg":"RSA-OAEP-256","enc":"A128GCM","enc":"A256GCM","cty":"JWT"}"#})),
            "token.format", "fail", "rejects",
        ),
        (
            "a member twice in the JWS header",
            lab.with(&good, json!({"jws_header": r#"{"alg":"RS512","alg":"RS256"}"#})),
            "jws.format", "fail", "rejects",
        ),
        (
            "a JWS protected header over 20,000 characters",
            lab.with(&good, json!({"jws_header": format!(r#"{{"alg":"RS256","x":"{}"}}"#, "a".repeat(20_001))})),
            "jws.format", "fail", "rejects",
        ),
        (
            "a cty that is not a string",
            lab.with(&good, json!({"jwe_header": r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":5}"#})),
            "jwe.cty", "fail", "rejects",
        ),
        ("a 64-bit GCM tag", lab.with(&good, json!({"tag_len": 8})), "jwe.tag", "fail", "rejects"),
        // Found by fuzzing: a short CBC IV made the openssl crate panic.
        (
            "a 12-byte IV with A128CBC-HS256",
            lab.with(&good, json!({"enc": "A128CBC-HS256", "truncate_iv": 12})),
            "jwe.iv", "fail", "rejects",
        ),
        ("an empty GCM IV", lab.with(&good, json!({"truncate_iv": 0})), "jwe.iv", "fail", "rejects"),
        ("MGF1-SHA-1 key wrap", lab.with(&good, json!({"mgf1_sha1": true})), "jwe.decrypt", "fail", "rejects"),
        // Accepted although iAdvize documents otherwise.
        ("RSA-OAEP", lab.with(&good, json!({"alg": "RSA-OAEP"})), "jwe.alg", "fail", "accepts"),
        ("RSA1_5", lab.with(&good, json!({"alg": "RSA1_5"})), "jwe.alg", "fail", "accepts"),
        ("A128GCM", lab.with(&good, json!({"enc": "A128GCM"})), "jwe.enc", "fail", "accepts"),
        ("A128CBC-HS256", lab.with(&good, json!({"enc": "A128CBC-HS256"})), "jwe.enc", "fail", "accepts"),
        ("RS384", lab.with(&good, json!({"sign_alg": "RS384"})), "jws.alg", "fail", "accepts"),
        ("RS512", lab.with(&good, json!({"sign_alg": "RS512"})), "jws.alg", "fail", "accepts"),
        ("PS256", lab.with(&good, json!({"sign_alg": "PS256"})), "jws.alg", "fail", "accepts"),
        ("a 16-byte GCM IV", lab.with(&good, json!({"iv_len": 16})), "jwe.iv", "warn", "accepts"),
        (
            "a fractional exp",
            raw(&format!(r#"{{"https://iadvize.com/userId":"a","exp":{}.5}}"#, NOW + 60)),
            "claims.exp", "warn", "accepts",
        ),
        ("exp in milliseconds", lab.spec(&c(&|c| c["exp"] = json!((NOW + 60) * 1000))), "claims.exp", "fail", "accepts"),
        ("no exp", lab.spec(&c(&|c| { c.as_object_mut().unwrap().remove("exp"); })), "claims.exp", "fail", "accepts"),
        ("a past exp", lab.spec(&c(&|c| c["exp"] = json!(NOW - 3600))), "claims.exp", "fail", "accepts"),
        ("iat in the future", lab.spec(&c(&|c| c["iat"] = json!(NOW + 600))), "claims.iat", "fail", "accepts"),
        (
            "a 1024-bit brand key",
            lab.with(&good, json!({"sign_key": lab.path("rsa1024-private.pem")})),
            "jws.signature", "warn", "accepts",
        ),
        // What Nimbus's JSON reader (Gson, lenient) makes of claims that are not plain JSON;
        // tests/it/nimbus/json.rs checks that reader against the real Gson.
        (
            "single-quoted claims, which Gson reads leniently",
            raw(&format!("{{'https://iadvize.com/userId':'a','exp':{}}}", NOW + 60)),
            "claims.json", "fail", "accepts",
        ),
        (
            "a visitorData field twice (Gson keeps the last)",
            raw(&format!(r#"{{"https://iadvize.com/userId":"a","exp":{},"https://iadvize.com/visitorData":{{"city":"A","city":"B"}}}}"#, NOW + 60)),
            "claims.json", "fail", "accepts",
        ),
        (
            "a claim twice, the first null (Gson only refuses a replaced non-null value)",
            raw(&format!(r#"{{"https://iadvize.com/userId":null,"https://iadvize.com/userId":"a","exp":{}}}"#, NOW + 60)),
            "claims.json", "fail", "accepts",
        ),
        (
            "text after the claims",
            raw(&format!(r#"{{"https://iadvize.com/userId":"a","exp":{}}} x"#, NOW + 60)),
            "claims.json", "fail", "rejects",
        ),
        ("iss as a number", lab.spec(&c(&|c| c["iss"] = json!(42))), "claims.json", "fail", "rejects"),
        ("aud with a number in its list", lab.spec(&c(&|c| c["aud"] = json!(["a", 1]))), "claims.json", "fail", "rejects"),
        (
            "a single-quoted JWS header, which Gson reads leniently",
            lab.with(&good, json!({"jws_header": "{'alg':'RS256'}"})),
            "jws.format", "fail", "accepts",
        ),
        (
            "escaped slashes",
            raw(&format!(r#"{{"https:\/\/iadvize.com\/userId":"a","exp":{}}}"#, NOW + 60)),
            "claims.json", "pass", "accepts",
        ),
        (
            "a literal RSA_OAEP_256",
            lab.with(&good, json!({"jwe_header": r#"{"alg":"RSA_OAEP_256","enc":"A256GCM","cty":"JWT"}"#, "mgf1_sha1": false})),
            "jwe.alg", "fail", "rejects",
        ),
    ];
    let specs: Vec<Value> = facts.iter().map(|f| f.1.clone()).collect();
    let tokens = make_tokens(&Value::Array(specs));
    for ((what, _, id, status, java), token) in facts.iter().zip(&tokens) {
        let verify = if what.contains("1024") {
            "rsa1024-private.pem"
        } else {
            "brand-public.pem"
        };
        let (_, report) = lab.inspect(token, &["--verify-key", verify]);
        let found = check(&report, id);
        assert_eq!(found["status"], *status, "{what}: {found}\n{report:#}");
        assert_eq!(found["java_stack"], *java, "{what}: {found}");
    }
}

#[test]
fn bare_claims_inside_the_jwe_get_a_hint_to_sign_first_and_are_still_checked() {
    let lab = Lab::new();
    let tokens = make_tokens(&json!([{
        "payload_raw": json!({"userId": "x"}).to_string(),
        "encrypt_key": lab.path("standin-iadvize-public.pem"),
    }]));
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 1);
    let format = check(&report, "jws.format");
    assert_eq!(format["status"], "fail");
    assert!(
        format["hint"].as_str().unwrap().contains("sign them first"),
        "{format}"
    );
    assert_eq!(report["decrypted_payload"], r#"{"userId":"x"}"#);
    assert_eq!(
        check(&report, "claims.user_id")["status"],
        "fail",
        "claims still checked"
    );
    assert_eq!(check(&report, "jws.signature")["status"], "skip");
}

#[test]
fn a_jws_with_escaped_slashes_verifies_and_its_user_id_is_recognised() {
    let lab = Lab::new();
    // iAdvize's own example payload, byte for byte, with a fresh exp.
    let payload = format!(
        r#"{{"https:\/\/iadvize.com\/userId":"test_documentation","https:\/\/iadvize.com\/visitorData":{{"country":"France","firstName":"Jane","lastName":"Doe","zipCode":"44000","address":"9 rue Nina Simone","phoneNumber":"+33651229856","city":"Nantes","email":"jane.doe@email.com"}},"iss":"https:\/\/test.iadvize.com","exp":{}}}"#,
        NOW + 60
    );
    let tokens =
        make_tokens(&json!([{"sign_key": lab.path("brand-private.pem"), "claims": payload}]));
    let (code, report) = lab.inspect(&tokens[0], &["--expect", "jws"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(check(&report, "jws.signature")["status"], "pass");
    let user = check(&report, "claims.user_id");
    assert_eq!(user["status"], "pass");
    assert!(says(user, "test_documentation"));
    assert_eq!(check(&report, "claims.visitor_data")["status"], "pass");
    assert_eq!(
        report["jws"]["claims"]["https://iadvize.com/userId"],
        "test_documentation"
    );
}

#[test]
fn expect_jws_answers_was_this_signed_with_the_registered_key() {
    let lab = Lab::new();
    let tokens = make_tokens(&json!([{
        "sign_key": lab.path("brand-private.pem"),
        "claims": lab.good_claims().to_string(),
    }]));
    let (code, report) = lab.inspect(&tokens[0], &["--expect", "jws"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(check(&report, "token.encrypted")["status"], "pass");
    assert_eq!(check(&report, "jwe.alg")["status"], "skip");
    let (code, report) = lab.inspect(
        &tokens[0],
        &["--expect", "jws", "--verify-key", "other-public.pem"],
    );
    assert_eq!(code, 1);
    assert_eq!(with_status(&report, "fail"), ["jws.signature"]);
    // Without --expect jws, the same token fails for not being encrypted.
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 1);
    assert_eq!(with_status(&report, "fail"), ["token.encrypted"]);
    assert_eq!(check(&report, "token.encrypted")["java_stack"], "rejects");
    // An encrypted token given where the signed one was expected: said first, exit 1.
    let jwe = make_tokens(&json!([lab.spec(&lab.good_claims())]));
    let out = run(lab.sb.cmd().args(["inspect", &jwe[0], "--expect", "jws"]));
    assert_exit(&out, 1);
    let words = stdout(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.starts_with(
            "Verdict: not a signed token, as --expect jws expects: this is an encrypted token \
             (JWE); judge it without --expect jws"
        ),
        "{words}"
    );
}

#[test]
fn time_checks_follow_now_and_leeway() {
    let lab = Lab::new();
    let good = lab.good_claims();
    let mut skewed = good.clone();
    skewed["iat"] = json!(NOW + 30);
    skewed["nbf"] = json!(NOW + 30);
    let mut long = good.clone();
    long["exp"] = json!(NOW + 7200);
    let tokens = make_tokens(&json!([
        lab.spec(&good),
        lab.spec(&skewed),
        lab.spec(&long)
    ]));
    // 100 s later, the token has expired 45 s ago; a 30 s leeway does not save it, 2 min do.
    let later = (NOW + 100).to_string();
    let (_, report) = lab.inspect(&tokens[0], &["--now", &later]);
    assert_eq!(check(&report, "claims.exp")["status"], "fail");
    assert!(says(check(&report, "claims.exp"), "45 s ago"));
    let (_, report) = lab.inspect(&tokens[0], &["--now", &later, "--leeway", "30"]);
    assert_eq!(check(&report, "claims.exp")["status"], "fail");
    let (code, report) = lab.inspect(&tokens[0], &["--now", &later, "--leeway", "2m"]);
    assert_eq!(code, 0);
    let exp = check(&report, "claims.exp")["message"].as_str().unwrap();
    assert!(exp.starts_with("expired 45 s ago ("), "{exp}");
    assert!(exp.ends_with("), within the 2 min leeway"), "{exp}");
    let (_, report) = lab.inspect(&tokens[1], &[]);
    assert_eq!(with_status(&report, "fail"), ["claims.iat", "claims.nbf"]);
    let (code, report) = lab.inspect(&tokens[1], &["--leeway", "30s"]);
    assert_eq!(code, 0);
    let iat = check(&report, "claims.iat")["message"].as_str().unwrap();
    assert!(iat.starts_with("issued in 30 s ("), "{iat}");
    assert!(iat.ends_with("), within the 30 s leeway"), "{iat}");
    let (code, report) = lab.inspect(&tokens[2], &[]);
    assert_eq!(code, 0);
    assert_eq!(with_status(&report, "warn"), ["claims.lifetime"]);
}

/// Noise inside the text a page would hand to iAdvize is judged as iAdvize's library reads
/// it: in the JWE's header part (the encryption's authenticated data) or as a `Bearer ` prefix
/// it makes iAdvize refuse the token; elsewhere the lenient base64 decoder skips it. The other
/// checks judge the token without the noise.
#[test]
fn noise_is_judged_as_iadvize_would_see_it() {
    let lab = Lab::new();
    let tokens = make_tokens(&json!([lab.spec(&lab.good_claims())]));
    let token = &tokens[0];
    let (header, rest) = token.split_at(20);
    let (half, tail) = token.split_at(token.len() / 2);
    // Wrappers are taken off: the token inside is judged, the wrapper named and judged apart
    // (what iAdvize does with the text as found).
    for (wrapped, kind) in [
        (format!("  \"{token}\"\n"), "quotes"),
        (format!("'{token}'"), "quotes"),
        (format!("Bearer {token}"), "bearer"),
        (format!("bearer\n{token}"), "bearer"),
    ] {
        let (code, report) = lab.inspect(&wrapped, &[]);
        assert_eq!(code, 0, "{wrapped:?}");
        assert_eq!(report["verdict"]["iadvize"], "accepts");
        assert_eq!(check(&report, "token.format")["status"], "pass");
        let wrapper = &report["wrappers"][0];
        assert_eq!(wrapper["layers"][0]["kind"], kind, "{wrapped:?}: {wrapper}");
        assert_eq!(wrapper["as_given"]["java_stack"], "rejects");
    }
    for (noisy, needle) in [
        (format!("\u{feff}{token}"), "byte order mark"),
        (format!("{header}\n{rest}"), "line break"),
    ] {
        let (code, report) = lab.inspect(&noisy, &[]);
        assert_eq!(code, 1, "{noisy:?}");
        let format = check(&report, "token.format");
        assert_eq!(
            (&format["status"], &format["java_stack"]),
            (&json!("fail"), &json!("rejects")),
            "{noisy:?}: {format}"
        );
        assert!(says(format, needle), "{noisy:?}: {format}");
        assert!(
            says(format, "if your page passes this text to iAdvize"),
            "{format}"
        );
        assert_eq!(report["verdict"]["iadvize"], "rejects");
        // The token inside the noise is judged too, and is fine.
        assert_eq!(with_status(&report, "fail"), ["token.format"], "{noisy:?}");
    }
    // A break elsewhere, as a wrapped copy makes: iAdvize's decoder skips it.
    let (code, report) = lab.inspect(&format!("{half}\n{tail}"), &[]);
    assert_eq!(code, 0);
    let format = check(&report, "token.format");
    assert_eq!(
        (&format["status"], &format["java_stack"]),
        (&json!("warn"), &json!("accepts"))
    );
    assert_eq!(report["verdict"]["iadvize"], "accepts");
    // A file saved by an editor that writes a byte order mark: that mark is the file's.
    lab.sb.write("bom.txt", format!("\u{feff}{token}\n"));
    let out = run(lab.sb.cmd().args(["inspect", "@bom.txt", "--json"]));
    assert_exit(&out, 3);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&report, "token.format")["status"], "pass");
}

#[test]
fn the_token_comes_from_an_argument_a_file_or_stdin() {
    let lab = Lab::new();
    let tokens = make_tokens(&json!([lab.spec(&lab.good_claims())]));
    let file = lab.sb.write("token.txt", format!("{}\n", tokens[0]));
    let from_file = run(lab
        .sb
        .cmd()
        .args(["inspect", &format!("@{}", file.display()), "--json"]));
    assert_exit(&from_file, 3);
    let report: Value = serde_json::from_slice(&from_file.stdout).unwrap();
    assert_eq!(
        check(&report, "token.format")["status"],
        "pass",
        "a final newline is normal"
    );
    for args in [vec!["inspect", "-", "--json"], vec!["inspect", "--json"]] {
        let out = run_with_stdin(
            lab.sb.cmd().args(&args),
            format!("{}\n", tokens[0]).as_bytes(),
        );
        assert_exit(&out, 3);
        assert_eq!(out.stdout, from_file.stdout, "{args:?}");
    }
}

#[test]
fn unusable_input_exits_2() {
    let lab = Lab::new();
    let out = run_with_stdin(lab.sb.cmd().args(["inspect"]), b"");
    assert_refused(&out, &["no token"]);
    let out = run_with_stdin(lab.sb.cmd().args(["inspect", "-"]), b" \n\t\n");
    assert_refused(&out, &["no token"]);
    for nothing in ["Bearer ", "\"Bearer\"", "bearer\t"] {
        let out = run(lab.sb.cmd().args(["inspect", nothing]));
        assert_refused(&out, &["no token", "'Bearer' prefix"]);
    }
    // Up to 64 MiB is read (a HAR file of a whole session); no more.
    let big = std::fs::File::create(lab.sb.join("big.har")).unwrap();
    big.set_len(64 * 1024 * 1024 + 1).unwrap();
    let out = run(lab.sb.cmd().args(["inspect", "@big.har"]));
    assert_refused(&out, &["big.har", "larger than 64 MiB"]);
    let log = "a log\nwith no token\n".repeat(100);
    let out = run_with_stdin(lab.sb.cmd().args(["inspect"]), log.as_bytes());
    assert_refused(&out, &["no token found in standard input"]);
    let out = run(lab.sb.cmd().args(["inspect", "@missing.txt"]));
    assert_refused(&out, &["missing.txt"]);
    // An error naming untrusted text stays on one line.
    let out = run(lab
        .sb
        .cmd()
        .args(["inspect", "@missing\nerror: forged.txt"]));
    assert_refused(&out, &[r"missing\nerror: forged.txt"]);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let out = run(lab
        .sb
        .cmd()
        .args(["inspect", "a.b.c", "--decrypt-key", "brand-public.pem"]));
    assert_refused(&out, &["--decrypt-key", "public key"]);
    let out = run(lab
        .sb
        .cmd()
        .args(["inspect", "a.b.c", "--decrypt-key", "nope.pem"]));
    assert_refused(&out, &["nope.pem"]);
    let out = run(lab.sb.cmd().args(["inspect", "a.b.c", "--leeway", "soon"]));
    assert_refused(&out, &["--leeway"]);
}

#[test]
fn malformed_tokens_fail_token_format_with_exit_1() {
    let lab = Lab::new();
    for (token, needle) in [
        ("a.b.c.d", "4 parts"),
        ("a.b.c.d.e.f", "6 parts"),
        ("onlyonepart", "1 part"),
        ("W10.e30.c2ln", "JSON an array instead of an object"),
        ("bm90IGpzb24.e30.c2ln", "not valid JSON"),
    ] {
        let out = run(lab.sb.cmd().args(["inspect", token, "--json"]));
        assert_exit(&out, 1);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["kind"], "unknown", "{token}");
        let format = check(&report, "token.format");
        assert_eq!(format["status"], "fail", "{token}");
        assert!(
            format["message"].as_str().unwrap().contains(needle),
            "{token}: {format}"
        );
        assert_eq!(with_status(&report, "fail"), ["token.format"], "{token}");
        assert!(
            format["hint"]
                .as_str()
                .unwrap()
                .contains("five base64url parts"),
            "{format}"
        );
    }
    // With --expect jws, the hint asks for the signed token's three parts.
    let out = run(lab
        .sb
        .cmd()
        .args(["inspect", "a.b", "--expect", "jws", "--json"]));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let format = check(&report, "token.format");
    assert!(
        format["hint"]
            .as_str()
            .unwrap()
            .contains("three base64url parts"),
        "{format}"
    );
}

#[test]
fn human_report_marks_every_check_and_colours_only_when_asked() {
    let lab = Lab::new();
    let mut claims = lab.good_claims();
    claims["https://iadvize.com/userId"] = json!("evil\u{1b}[2J\u{202e}name");
    claims["exp"] = json!(NOW - 10);
    let tokens = make_tokens(&json!([lab.spec(&claims)]));
    let base = [
        "inspect",
        tokens[0].as_str(),
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--now",
        "1700000000",
    ];
    let out = run(lab.sb.cmd().args(base));
    assert_exit(&out, 1);
    let text = stdout(&out);
    // Exit 1, and the verdict line says why first: a rule is broken.
    assert!(
        text.starts_with("Verdict: this token breaks iAdvize's documented rules: the user id"),
        "{text}"
    );
    assert!(text.contains("FAIL  claims.exp"), "{text}");
    assert!(text.contains("pass  jwe.alg"), "{text}");
    assert!(text.contains("skip  jws.signature"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    assert!(
        text.contains("iAdvize: its library lets this through today"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour off a terminal, and the token's escape is escaped"
    );
    assert!(!text.contains('\u{202e}'), "bidi override escaped");
    assert!(text.contains("\\u{1b}"), "{text}");
    let out = run(lab.sb.cmd().args(base).arg("--color").arg("always"));
    assert!(
        stdout(&out).contains("\u{1b}[31m") || stdout(&out).contains("\u{1b}[1m"),
        "colour"
    );
    let out = run(lab.sb.cmd().args(base).arg("--color").arg("never"));
    assert!(!stdout(&out).contains('\u{1b}'));
}

/// Text from a token (claim names, visitor data fields, decrypted content) never starts a line
/// of its own in the human report, so it cannot forge a check line; names are quoted.
#[test]
fn token_text_cannot_forge_report_lines() {
    let lab = Lab::new();
    let forged = "x\nFAKE  pass  claims.exp  forged line";
    let mut claims = lab.good_claims();
    claims[forged] = json!(1);
    claims["https://iadvize.com/visitorData"] = json!({ forged: "a", "city": "Nantes" });
    let mut not_strings = lab.good_claims();
    not_strings["https://iadvize.com/visitorData"] = json!({ forged: 5 });
    let tokens = make_tokens(&json!([
        lab.spec(&claims),
        lab.spec(&not_strings),
        {
            "payload_raw": format!("not a token\nFAKE  pass  jws.format  forged line\r\n\t{forged}"),
            "encrypt_key": lab.path("standin-iadvize-public.pem"),
        },
    ]));
    for token in &tokens {
        for json in [false, true] {
            let mut args = vec![
                "inspect",
                token.as_str(),
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--verify-key",
                "brand-public.pem",
                "--now",
                "1700000000",
            ];
            if json {
                args.push("--json");
            }
            let out = run(lab.sb.cmd().args(&args));
            let text = stdout(&out);
            assert!(out.status.code() == Some(0) || out.status.code() == Some(1));
            for line in text.lines() {
                assert!(
                    !line.trim_start().starts_with("FAKE") && !line.contains('\r'),
                    "a forged line:\n{text}"
                );
            }
            assert!(!text.contains('\t'), "{text}");
        }
    }
    let (_, report) = lab.inspect(&tokens[0], &[]);
    let prefix = check(&report, "claims.prefix");
    assert!(
        prefix["hint"]
            .as_str()
            .unwrap()
            .contains(r#"rename e.g. "x\nFAKE  pass  claims.exp  forged line" to "https://iadvize.com/x\nFAKE"#),
        "{prefix}"
    );
    let visitor = check(&report, "claims.visitor_data");
    assert!(
        visitor["message"].as_str().unwrap().contains(r#""x\nFAKE"#),
        "{visitor}"
    );
    let (_, report) = lab.inspect(&tokens[1], &[]);
    let visitor = check(&report, "claims.visitor_data");
    assert!(
        visitor["message"].as_str().unwrap().contains(r#""x\nFAKE"#),
        "{visitor}"
    );
    // Decrypted content is shown on one line, its line breaks escaped.
    let out = run(lab.sb.cmd().args([
        "inspect",
        &tokens[2],
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--show-tokens",
    ]));
    assert!(
        stdout(&out).contains(
            r"Decrypted content not a token\nFAKE  pass  jws.format  forged line\r\n\tx\nFAKE"
        ),
        "{}",
        stdout(&out)
    );
}

/// `zip: DEF` content is inflated, but never past the input limit (1 MiB): a small token can
/// inflate to gigabytes. Corrupt DEFLATE and unknown compressions get their own diagnosis.
#[test]
fn deflated_content_is_inflated_up_to_1_mib() {
    let lab = Lab::new();
    let zip_header = r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","zip":"DEF"}"#;
    let recipient = lab.path("standin-iadvize-public.pem");
    let tokens = make_tokens(&json!([
        lab.with(&lab.good_claims(), json!({"jwe_header": zip_header})),
        // 64 MiB of one letter: a few dozen kilobytes deflated.
        {"payload_raw": "a".repeat(1024), "payload_repeat": 64 * 1024,
         "jwe_header": zip_header, "encrypt_key": recipient},
        // Encrypted as is, without deflating: 0x07 starts a block of a reserved type.
        {"payload_raw": "\u{7}not deflated", "iv_len": 12,
         "jwe_header": zip_header, "encrypt_key": recipient},
        {"payload_raw": "x", "iv_len": 12,
         "jwe_header": r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"GZIP"}"#,
         "encrypt_key": recipient},
    ]));
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 0, "{report:#}");
    let decrypt = check(&report, "jwe.decrypt");
    assert!(says(decrypt, "inflated (zip DEF) from"), "{decrypt}");

    let started = std::time::Instant::now();
    let (code, report) = lab.inspect(&tokens[1], &[]);
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(code, 1);
    let decrypt = check(&report, "jwe.decrypt");
    assert_eq!(decrypt["status"], "fail", "{decrypt}");
    assert!(
        says(decrypt, "inflates (zip DEF) to more than 1024 KiB"),
        "{decrypt}"
    );
    assert_eq!(decrypt["java_stack"], "unknown", "{decrypt}");
    assert_eq!(check(&report, "jws.format")["status"], "skip");

    for (token, needle) in [
        (&tokens[2], "not DEFLATE data"),
        (&tokens[3], r#"zip is "GZIP""#),
    ] {
        let (code, report) = lab.inspect(token, &[]);
        assert_eq!(code, 1);
        let decrypt = check(&report, "jwe.decrypt");
        assert_eq!(decrypt["status"], "fail", "{decrypt}");
        assert!(
            decrypt["message"].as_str().unwrap().contains(needle),
            "{decrypt}"
        );
        assert_eq!(decrypt["java_stack"], "rejects", "{decrypt}");
    }
}

/// The verdict is known before the report is printed: a reader that closes the pipe early
/// (`| head -1`) gets no error message, and the exit code still says whether a check failed.
#[test]
fn a_closed_stdout_keeps_the_verdict_in_the_exit_code() {
    let lab = Lab::new();
    let mut expired = lab.good_claims();
    expired["exp"] = json!(NOW - 10);
    let tokens = make_tokens(&json!([lab.spec(&lab.good_claims()), lab.spec(&expired)]));
    // Not verified: nobody can tell (3); expired: a rule broken (1).
    for (token, code) in [(&tokens[0], 3), (&tokens[1], 1)] {
        for json in [false, true] {
            let mut args = vec![
                "inspect",
                token.as_str(),
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--now",
                "1700000000",
            ];
            if json {
                args.push("--json");
            }
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            let out = lab
                .sb
                .cmd()
                .args(&args)
                .stdout(writer)
                .stderr(std::process::Stdio::piped())
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(code),
                "json {json}: {}",
                stderr(&out)
            );
            assert!(stderr(&out).is_empty(), "json {json}: {}", stderr(&out));
        }
    }
}

/// iAdvize's library verifies every RSA signature algorithm with keys under 2048 bits; so does
/// inspect (with the rsa crate, as the JOSE library refuses small keys).
#[test]
fn small_keys_verify_every_rsa_signature_algorithm() {
    let lab = Lab::new();
    let good = lab.good_claims();
    let small = lab.path("rsa1024-private.pem");
    // PS512 cannot be made with a 1024-bit key: its hash and salt do not fit.
    let algs = ["RS256", "RS384", "RS512", "PS256", "PS384"];
    let mut specs: Vec<Value> = algs
        .iter()
        .map(|alg| lab.with(&good, json!({"sign_alg": alg, "sign_key": small})))
        .collect();
    specs.push(lab.with(&good, json!({"sign_alg": "PS256"})));
    let tokens = make_tokens(&Value::Array(specs));
    for (alg, token) in algs.iter().zip(&tokens) {
        let (_, report) = lab.inspect(token, &["--verify-key", "rsa1024-private.pem"]);
        let signature = check(&report, "jws.signature");
        assert_eq!(signature["status"], "warn", "{alg}: {signature}");
        assert_eq!(signature["java_stack"], "accepts", "{alg}: {signature}");
        assert!(
            says(signature, "verifies with --verify-key"),
            "{alg}: {signature}"
        );
    }
    // Signed with the brand's key: the small key does not verify it.
    let (_, report) = lab.inspect(&tokens[5], &["--verify-key", "rsa1024-private.pem"]);
    let signature = check(&report, "jws.signature");
    assert_eq!(signature["status"], "fail", "{signature}");
    assert_eq!(signature["java_stack"], "rejects", "{signature}");
    assert!(says(signature, "does not verify"), "{signature}");
}

/// A protected header with a member name twice is refused by iAdvize's library (Gson reads it
/// into a Map): token.format for the JWE's header, jws.format for the JWS's. Everything else
/// is still checked, with the last copy, as most parsers read it.
#[test]
fn a_header_member_twice_fails_and_the_rest_is_still_checked() {
    let lab = Lab::new();
    let good = lab.good_claims();
    let twice = r#"{"alg":"RS512","alg":"RS256"}"#;
    let tokens = make_tokens(&json!([
        lab.with(&good, json!({"jwe_header": r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","cty":"JWT"}"#})),
        lab.with(&good, json!({"jws_header": twice})),
        {"sign_key": lab.path("brand-private.pem"), "jws_header": twice, "claims": good.to_string()},
        // Only nested: Nimbus reads nested objects without checking for duplicates.
        lab.with(&good, json!({"jws_header": r#"{"alg":"RS256","x":{"a":1,"a":2}}"#})),
    ]));
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 1);
    assert_eq!(with_status(&report, "fail"), ["token.format"], "{report:#}");
    let format = check(&report, "token.format");
    assert_eq!(
        format["message"],
        r#"the JWE protected header has "cty" more than once"#
    );
    assert_eq!(format["java_stack"], "rejects");
    assert_eq!(report["kind"], "jwe");
    assert_eq!(check(&report, "claims.user_id")["status"], "pass");

    for (token, extra) in [
        (&tokens[1], &[][..]),
        (&tokens[2], &["--expect", "jws"][..]),
    ] {
        let (code, report) = lab.inspect(token, extra);
        assert_eq!(code, 1);
        assert_eq!(with_status(&report, "fail"), ["jws.format"], "{report:#}");
        let format = check(&report, "jws.format");
        assert_eq!(
            format["message"],
            r#"the JWS protected header has "alg" more than once"#
        );
        assert_eq!(check(&report, "jws.signature")["status"], "pass");
    }

    let (code, report) = lab.inspect(&tokens[3], &[]);
    assert_eq!(code, 0, "{report:#}");
}

/// Times that are no date at all, or written as decimals, are named as the token has them.
#[test]
fn odd_time_numbers_are_named_as_written() {
    let lab = Lab::new();
    let raw = |members: &str| -> Value {
        json!({
            "sign_key": lab.path("brand-private.pem"),
            "claims": format!(r#"{{"https://iadvize.com/userId":"customer-8812",{members}}}"#),
            "encrypt_key": lab.path("standin-iadvize-public.pem"),
        })
    };
    let cases: Vec<(Value, &str, &str, &str, &str)> = vec![
        (
            raw(r#""exp":1e300"#),
            "claims.exp",
            "fail",
            "exp 1e+300 is out of range",
            "accepts",
        ),
        (
            raw(r#""exp":99999999999999999999999"#),
            "claims.exp",
            "fail",
            "exp 1e+23 is out of range",
            "accepts",
        ),
        (
            raw(r#""exp":18446744073709551615"#),
            "claims.exp",
            "fail",
            "exp 18446744073709551615 is out of range",
            "accepts",
        ),
        (
            raw(r#""exp":1700000060,"iat":-1e300"#),
            "claims.iat",
            "fail",
            "iat -1e+300 is out of range",
            "accepts",
        ),
        (
            raw(r#""exp":1700000055.0"#),
            "claims.exp",
            "warn",
            "exp is written 1700000055.0, not as an integer; expires in 55 s",
            "accepts",
        ),
        (
            raw(r#""exp":1700000060,"iat":1699999995.0"#),
            "claims.iat",
            "warn",
            "iat is written 1699999995.0, not as an integer",
            "accepts",
        ),
        (
            raw(r#""exp":1700000060,"nbf":1.6e9"#),
            "claims.nbf",
            "warn",
            "nbf is written 1600000000.0, not as an integer",
            "accepts",
        ),
        (
            raw(r#""exp":1700000060.5"#),
            "claims.exp",
            "warn",
            "exp has a fraction of a second",
            "accepts",
        ),
    ];
    let specs: Vec<Value> = cases.iter().map(|c| c.0.clone()).collect();
    let tokens = make_tokens(&Value::Array(specs));
    for ((_, id, status, message, java), token) in cases.iter().zip(&tokens) {
        let (_, report) = lab.inspect(token, &[]);
        let found = check(&report, id);
        assert_eq!(found["status"], *status, "{found}");
        assert!(
            found["message"].as_str().unwrap().starts_with(message),
            "{message}: {found}"
        );
        assert_eq!(found["java_stack"], *java, "{found}");
        assert!(!says(found, "is in milliseconds"));
    }
}

#[test]
fn visitor_data_reports_non_strings_and_unknown_fields_together() {
    let lab = Lab::new();
    let mut claims = lab.good_claims();
    claims["https://iadvize.com/visitorData"] = json!({"zipCode": 44000, "nickname": "JD"});
    let tokens = make_tokens(&json!([lab.spec(&claims)]));
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 1);
    let visitor = check(&report, "claims.visitor_data");
    assert_eq!(visitor["status"], "fail");
    assert_eq!(
        visitor["message"],
        r#"visitor data fields that are not strings: "zipCode" (a number); unknown fields too: "nickname""#
    );
    assert!(
        visitor["hint"]
            .as_str()
            .unwrap()
            .contains("the known fields are"),
        "{visitor}"
    );
}

#[test]
fn decrypted_content_with_one_part_is_counted_in_the_singular() {
    let lab = Lab::new();
    let tokens = make_tokens(&json!([{
        "payload_raw": "nodots",
        "encrypt_key": lab.path("standin-iadvize-public.pem"),
    }]));
    let (_, report) = lab.inspect(&tokens[0], &[]);
    let format = check(&report, "jws.format");
    assert_eq!(
        format["message"],
        "the decrypted content is not a signed JWT: it has 1 part separated by dots; a JWE has 5 \
         and a JWS 3: it is not a compact token"
    );
}

/// Claims that are not plain JSON but that iAdvize's library reads leniently are still checked
/// claim by claim, on what that library reads.
#[test]
fn lenient_claims_are_checked_as_iadvize_reads_them() {
    let lab = Lab::new();
    let claims = format!(
        "{{'https://iadvize.com/userId':'undefined', exp:{}, /* note */ 'iat':{}}}",
        NOW - 10,
        NOW - 70
    );
    let tokens = make_tokens(&json!([{
        "sign_key": lab.path("brand-private.pem"),
        "claims": claims,
        "encrypt_key": lab.path("standin-iadvize-public.pem"),
    }]));
    let (code, report) = lab.inspect(&tokens[0], &[]);
    assert_eq!(code, 1);
    let json = check(&report, "claims.json");
    assert_eq!(json["status"], "fail");
    assert_eq!(json["java_stack"], "accepts");
    let message = json["message"].as_str().unwrap();
    assert!(message.contains("not valid JSON"), "{message}");
    assert!(
        message.contains("single-quoted name at line 1"),
        "{message}"
    );
    assert_eq!(
        check(&report, "claims.user_id")["status"],
        "warn",
        "placeholder"
    );
    let exp = check(&report, "claims.exp");
    assert_eq!(exp["status"], "fail", "{exp}");
    assert!(says(exp, "expired 10 s ago"), "{exp}");
    assert_eq!(check(&report, "jws.signature")["status"], "pass");
}
