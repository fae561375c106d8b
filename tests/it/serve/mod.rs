//! `serve`: the token endpoint, the stand-in verifier and the safety rules, against the real
//! binary on a free loopback port. Tokens are checked with python jwcrypto, independently.

mod api;
mod browser;

use std::io::Write;

use base64::Engine as _;
use std::time::{Duration, Instant};

use crate::common::server::{Reply, STANDIN_ARGS, Server};
use crate::common::*;
use serde_json::{Value, json};

const FIXTURES: &[&str] = &[
    "brand-private.pem",
    "brand-public.pem",
    "other-private.pem",
    "standin-iadvize-private.pem",
    "standin-iadvize-public.pem",
];
const GENERIC_REASON: &str = "Failed to fetch authentication with a server error";

fn token_of(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()["token"].as_str().expect("token").to_string()
}

/// Opens tokens with jwcrypto: the stand-in's private key, the brand's public key.
fn opened(sb: &Sandbox, tokens: &[String]) -> Vec<Value> {
    open_tokens(
        Jose::Jwcrypto,
        &tokens.join("\n"),
        &sb.join("standin-iadvize-private.pem"),
        &sb.join("brand-public.pem"),
    )
}

fn mint(sb: &Sandbox, args: &[&str]) -> String {
    let out = run(sb.cmd().arg("mint").args(args));
    assert_exit(&out, 0);
    stdout(&out).trim().to_string()
}

#[test]
fn tokens_open_in_jwcrypto_and_verify_tells_success_from_failure() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start_reading_stdout(&sb, STANDIN_ARGS);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let banner = server.stderr();
    assert!(
        banner.contains(&format!("token endpoint  {}token", server.url)),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("verifier        {}verify", server.url)),
        "{banner}"
    );
    let brand_fingerprint = openssl_fingerprint(&sb.join("brand-public.pem"), true);
    let standin_fingerprint = openssl_fingerprint(&sb.join("standin-iadvize-public.pem"), true);
    assert!(banner.contains(&brand_fingerprint), "{banner}");
    assert!(banner.contains(&standin_fingerprint), "{banner}");

    let by_get = server.get("/token?userId=customer-8812");
    assert_eq!(by_get.header("cache-control"), Some("no-store"));
    assert_eq!(by_get.header("content-type"), Some("application/json"));
    let by_post = server.post(
        "/token",
        r#"{"userId": "customer-9", "visitorData": {"firstName": "Jane", "city": "Nantes"}}"#,
    );
    let tokens = [token_of(&by_get), token_of(&by_post)];
    let opened = opened(&sb, &tokens);
    let claims: Vec<&Value> = opened.iter().map(|o| &o["claims"]).collect();
    assert_eq!(
        claims[0]["https://iadvize.com/userId"], "customer-8812",
        "{opened:?}"
    );
    assert_eq!(claims[1]["https://iadvize.com/userId"], "customer-9");
    assert_eq!(
        claims[1]["https://iadvize.com/visitorData"],
        json!({"firstName": "Jane", "city": "Nantes"})
    );
    for c in &claims {
        assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 60);
    }
    assert_eq!(opened[0]["jwe_header"]["alg"], "RSA-OAEP-256");
    assert_eq!(opened[0]["jws_header"], json!({"alg": "RS256"}));

    // The activation object as the tag resolves it, for a token from /token.
    let verdict = server.post("/verify", &tokens[0]).json();
    let auth = &verdict["authentication"];
    assert_eq!(auth["status"], "authentication-success", "{verdict}");
    assert_eq!(
        auth["option"],
        json!({"type": "SECURED_AUTHENTICATION", "token": tokens[0]})
    );
    assert!(auth.get("reason").is_none(), "{verdict}");
    assert_eq!(
        verdict["diagnosis"]["source"],
        "iadvize-auth inspect (not iAdvize's words)"
    );
    let report = &verdict["diagnosis"]["report"];
    assert_eq!(report["ok"], true);
    assert_eq!(verdict["diagnosis"]["verdict"]["rules"], "pass");
    assert_eq!(verdict["diagnosis"]["verdict"]["iadvize"], "accepts");
    assert_eq!(
        report["jws"]["claims"]["https://iadvize.com/userId"],
        "customer-8812"
    );
    assert!(
        report["jws"].get("token").is_none(),
        "the inner signed token stays out of the answer"
    );
    // {"token": …} works the same.
    let as_json = server.post("/verify", &json!({ "token": tokens[1] }).to_string());
    assert_eq!(
        as_json.json()["authentication"]["status"],
        "authentication-success"
    );

    // Expired (minted an hour ago) and signed with another key: failure, iAdvize's generic
    // reason, and the check that explains it.
    let an_hour_ago = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600)
        .to_string();
    let expired = rehearsal_token_with(
        &sb,
        "brand-private.pem",
        "customer-8812",
        &["--now", &an_hour_ago],
    );
    let wrongly_signed = rehearsal_token_with(&sb, "other-private.pem", "customer-8812", &[]);
    for (token, check) in [(&expired, "claims.exp"), (&wrongly_signed, "jws.signature")] {
        let verdict = server.post("/verify", token).json();
        let auth = &verdict["authentication"];
        assert_eq!(auth["status"], "authentication-failure", "{verdict}");
        assert_eq!(auth["reason"], GENERIC_REASON);
        assert_eq!(verdict["diagnosis"]["verdict"]["rules"], "fail");
        let failed = failing_checks(&verdict["diagnosis"]["report"]);
        assert_eq!(failed, [check], "{verdict}");
    }

    // /keys: both public keys, the same fingerprints as openssl computes.
    let keys = server.get("/keys").json();
    assert_eq!(
        keys["brand"]["sha256_fingerprint"],
        brand_fingerprint.as_str()
    );
    assert_eq!(
        keys["recipient"]["sha256_fingerprint"],
        standin_fingerprint.as_str()
    );
    assert_eq!(keys["recipient"]["is_iadvize_production"], false);
    assert!(
        keys["brand"]["pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert_eq!(keys["brand"]["jwk"]["kty"], "RSA");
    assert!(!keys.to_string().contains("PRIVATE"));

    // /requests: what was asked and judged, never a token.
    let requests = server.get("/requests");
    let listed = requests.json()["requests"].as_array().unwrap().clone();
    let verdicts: Vec<(&str, &str, Option<&str>, Option<&str>)> = listed
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap(),
                r["user_id"].as_str(),
                r["verdict"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        verdicts[..6],
        [
            ("GET", "/token", Some("customer-8812"), Some("minted")),
            ("POST", "/token", Some("customer-9"), Some("minted")),
            (
                "POST",
                "/verify",
                Some("customer-8812"),
                Some("authentication-success")
            ),
            (
                "POST",
                "/verify",
                Some("customer-9"),
                Some("authentication-success")
            ),
            (
                "POST",
                "/verify",
                Some("customer-8812"),
                Some("authentication-failure")
            ),
            (
                "POST",
                "/verify",
                Some("customer-8812"),
                Some("authentication-failure")
            ),
        ]
    );
    assert_eq!(server.get("/healthz").json(), json!({"status": "ok"}));

    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(log.contains("serve: stopped"), "{log}");
    for token in tokens.iter().chain([&expired, &wrongly_signed]) {
        let inner = token.split('.').nth(3).unwrap();
        assert!(
            !requests.body.contains(inner) && !log.contains(inner),
            "a token leaked"
        );
    }
    let private_key = std::fs::read_to_string(sb.join("brand-private.pem")).unwrap();
    let some_key_line = private_key.lines().nth(5).unwrap();
    assert!(!log.contains(some_key_line) && !requests.body.contains(some_key_line));
}

#[test]
fn token_refuses_what_mint_refuses_with_a_json_error() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let mint_error = |args: &[&str]| {
        let out = run(sb
            .cmd()
            .args(["mint", "--key", "brand-private.pem", "--iadvize-key"])
            .arg("standin-iadvize-public.pem")
            .args(args));
        assert_refused(&out, &[])
    };
    // The same rule, the same words: after the name of the input, mint's and serve's
    // messages are the library's.
    let long = "a".repeat(256);
    for (body, args) in [
        (r#"{"userId": ""}"#.to_string(), vec!["--user-id", ""]),
        (
            json!({ "userId": long }).to_string(),
            vec!["--user-id", &long],
        ),
        (
            r#"{"userId": "c-1", "visitorData": {"nickname": "JD"}}"#.to_string(),
            vec![
                "--user-id",
                "c-1",
                "--visitor-data",
                r#"{"nickname": "JD"}"#,
            ],
        ),
        (
            r#"{"userId": "c-1", "visitorData": {"zipCode": 44000}}"#.to_string(),
            vec![
                "--user-id",
                "c-1",
                "--visitor-data",
                r#"{"zipCode": 44000}"#,
            ],
        ),
        (
            "{\"userId\": \"c-\\u200b1\"}".to_string(),
            vec!["--user-id", "c-\u{200b}1"],
        ),
    ] {
        let message = server.post("/token", &body).assert_error(400, &[]);
        let theirs = mint_error(&args);
        let rule = message.split_once(": ").unwrap().1;
        assert!(theirs.ends_with(rule), "serve: {message}\nmint: {theirs}");
    }
    let shape = r#"the body must be {"userId": "…", "visitorData": {…}, "fault": …} (visitorData and fault optional): "#;
    for (body, why) in [
        ("not json", "it is not a JSON object"),
        (r#"["c-1"]"#, "it is not a JSON object"),
        (r#"{"userId": "c-1", "#, "EOF while parsing"),
        (
            r#"{"userId": 7}"#,
            "invalid type: integer `7`, expected a string",
        ),
        (
            r#"{"userID": "c-1"}"#,
            "unknown field `userID`, expected one of `userId`, `visitorData`, `fault`",
        ),
    ] {
        let message = server.post("/token", body).assert_error(400, &[why]);
        assert!(message.starts_with(shape), "{message}");
    }
    server.post("/token", "{}").assert_error(
        400,
        &["userId is missing: give it as {\"userId\": \"…\"} in the body"],
    );
    // A visitor data field given twice is refused, as mint refuses it.
    server
        .post(
            "/token",
            r#"{"userId": "c-1", "visitorData": {"city": "A", "city": "B"}}"#,
        )
        .assert_error(
            400,
            &["visitorData: visitor data field \"city\" is given more than once"],
        );
    server
        .get("/token")
        .assert_error(400, &["userId is missing"]);
    server
        .get("/token?userId=c-1&nickname=JD")
        .assert_error(400, &["unknown parameter \"nickname\""]);
    server
        .get("/token?userId=a&userId=b")
        .assert_error(400, &["more than once"]);
    let by_query = token_of(&server.get("/token?userId=c-1&firstName=Jane&city=Nantes"));
    assert_eq!(
        opened(&sb, &[by_query])[0]["claims"]["https://iadvize.com/visitorData"],
        json!({"firstName": "Jane", "city": "Nantes"})
    );
    server.post("/verify", "").assert_error(400, &["no token"]);
    server
        .post("/verify", "{\"token\": 1}")
        .assert_error(400, &["token must be a string"]);
    for empty in ["{\"token\": \"\"}", "{\"token\": \"  \"}"] {
        server
            .post("/verify", empty)
            .assert_error(400, &["token is empty, or only whitespace"]);
    }
    server
        .request("POST", "/verify", &[], b"\xff\xfe")
        .assert_error(400, &["not UTF-8"]);
    server
        .get("/nowhere")
        .assert_error(404, &["no such endpoint"]);
    server
        .request("DELETE", "/token", &[], b"")
        .assert_error(405, &["GET,HEAD,POST"]);
    server.get("/verify").assert_error(405, &["POST"]);
    // A garbage token is judged, not an error: the answer is a failure with a diagnosis.
    let verdict = server.post("/verify", "not-a-token").json();
    assert_eq!(
        verdict["authentication"]["status"],
        "authentication-failure"
    );
    assert_eq!(
        verdict["diagnosis"]["report"]["checks"][0]["status"],
        "fail"
    );
    // Placeholder ids are minted, as mint does, with the warning in the log.
    token_of(&server.get("/token?userId=test"));
    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0));
    assert!(log.contains("looks like a placeholder"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

/// `fault=KIND`, as `mint --fault` takes it: the token fails at /verify for that reason.
#[test]
fn a_fault_asked_of_token_makes_a_token_that_fails_for_that_reason() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    for (reply, check) in [
        (server.get("/token?userId=c-1&fault=expired"), "claims.exp"),
        (
            server.post("/token", r#"{"userId": "c-1", "fault": ["jws-hs256"]}"#),
            "jws.alg",
        ),
    ] {
        let token = token_of(&reply);
        let verdict = server.post("/verify", &token).json();
        assert_eq!(
            verdict["authentication"]["status"], "authentication-failure",
            "{verdict}"
        );
        let failed = failing_checks(&verdict["diagnosis"]["report"]);
        assert!(failed.contains(&check), "{check}: {failed:?}");
    }
    // Without a fault, the same request makes a good token.
    let good = token_of(&server.get("/token?userId=c-1"));
    let verdict = server.post("/verify", &good).json();
    assert_eq!(
        verdict["authentication"]["status"],
        "authentication-success"
    );
    server
        .get("/token?userId=c-1&fault=nope")
        .assert_error(400, &["fault", "nope", "GET /faults lists them"]);
}

/// A JWE in JSON serialisation is a JSON object, but not the wrapper `{"token": "…"}`: sent
/// raw, as `curl --data-binary "$tok"` sends it, or as `application/json`, it is judged as the
/// token it is, and the diagnosis says iAdvize's library refuses that serialisation.
#[test]
fn a_json_serialised_token_sent_raw_to_verify_is_judged_as_a_token() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let faults = server.get("/faults").json();
    let offered = faults["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "json-serialized")
        .expect("json-serialized offered");
    assert_eq!(offered["refused"], Value::Null, "{offered}");
    let token = token_of(&server.get("/token?userId=u&fault=json-serialized"));
    let object: Value = serde_json::from_str(&token).expect("a JSON object");
    for member in ["protected", "encrypted_key", "iv", "ciphertext", "tag"] {
        assert!(object.get(member).is_some(), "{member}: {token}");
    }
    let wrapped = json!({ "token": token }).to_string();
    for (body, content_type) in [
        (&token, None),
        (&token, Some("application/json")),
        (&wrapped, Some("application/json")),
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|t| ("Content-Type", t))
            .into_iter()
            .collect();
        let reply = server.request("POST", "/verify", &headers, body.as_bytes());
        assert_eq!(reply.status, 200, "{content_type:?}: {reply:?}");
        let verdict = reply.json();
        assert_eq!(
            verdict["authentication"]["status"], "authentication-failure",
            "{verdict}"
        );
        assert_eq!(verdict["authentication"]["option"]["token"], token.as_str());
        let diagnosis = &verdict["diagnosis"];
        assert_eq!(diagnosis["first_failure"], "token.format", "{diagnosis}");
        assert_eq!(diagnosis["verdict"]["iadvize"], "rejects");
        let sentence = diagnosis["sentence"].as_str().unwrap();
        assert!(
            sentence.contains("JSON serialisation") && sentence.contains("compact"),
            "{sentence}"
        );
    }
}

/// The stand-in is stricter than iAdvize's library on purpose: where the verdict says the
/// library accepts a token that the stand-in refuses, the answer says why, next to it.
#[test]
fn verify_says_why_the_standin_refuses_a_token_the_library_accepts() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let expired = token_of(&server.get("/token?userId=customer-8812&fault=expired"));
    let verdict = server.post("/verify", &expired).json();
    assert_eq!(
        verdict["authentication"]["status"],
        "authentication-failure"
    );
    let diagnosis = &verdict["diagnosis"];
    assert_eq!(diagnosis["verdict"]["iadvize"], "accepts", "{diagnosis}");
    assert!(
        diagnosis["sentence"].as_str().unwrap().contains("accepts"),
        "{diagnosis}"
    );
    let note = diagnosis["standin_note"].as_str().expect("a note");
    for needle in [
        "the stand-in refuses it",
        "authentication-success only for tokens that keep iAdvize's documented rules",
        "first failing check claims.exp",
    ] {
        assert!(note.contains(needle), "{needle:?} not in {note:?}");
    }
    // None for a token the library rejects too, nor for one the stand-in accepts.
    for query in ["userId=c-1&fault=wrong-signer", "userId=c-1"] {
        let token = token_of(&server.get(&format!("/token?{query}")));
        let verdict = server.post("/verify", &token).json();
        assert_eq!(
            verdict["diagnosis"]["standin_note"],
            Value::Null,
            "{query}: {verdict}"
        );
    }
    // A token for another recipient: the server's stand-in is named as the server's.
    let other = token_of(&server.get("/token?userId=c-1&fault=wrong-recipient"));
    let verdict = server.post("/verify", &other).json();
    let sentence = verdict["diagnosis"]["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with(
            "cannot tell: this token is not encrypted to this server's stand-in key (SHA-256 "
        ),
        "{sentence}"
    );
}

/// A fault's message names the fault already: it is not prefixed with `fault:` again. A name
/// that differs from a fault's only in case or `_` for `-` gets a suggestion.
#[test]
fn token_fault_errors_name_the_fault_once_and_suggest_a_near_name() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let message = server
        .get("/token?userId=u&fault=user-id-number")
        .assert_error(400, &["must be digits"]);
    assert!(
        message.starts_with("fault user-id-number sends the user id as a JSON number"),
        "{message}"
    );
    let message = server
        .get("/token?userId=u&fault=jwe-a128gcm&fault=jwe-a256cbc-hs512")
        .assert_error(400, &["cannot be combined"]);
    assert!(message.starts_with("faults "), "{message}");
    for (given, meant) in [
        ("EXPIRED", "expired"),
        ("not_yet_valid", "not-yet-valid"),
        ("Jws_HS256", "jws-hs256"),
    ] {
        server
            .get(&format!("/token?userId=u&fault={given}"))
            .assert_error(
                400,
                &[
                    &format!("fault: \"{given}\" is not a fault; did you mean \"{meant}\"?"),
                    "GET /faults lists them",
                ],
            );
    }
    let message = server
        .post("/token", r#"{"userId": "u", "fault": "expird"}"#)
        .assert_error(400, &["\"expird\" is not a fault; GET /faults lists them"]);
    assert!(!message.contains("did you mean"), "{message}");
}

/// `POST /inspect`'s `expect` as `inspect --expect` takes it: `jwe` or `jws`, in any case
/// (`token` another name for `jwe`).
#[test]
fn inspect_takes_expect_jwe_or_jws_in_any_case() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let token = token_of(&server.get("/token?userId=c-1"));
    // With `jws`, the encrypted token fails token.encrypted (a signed token was expected).
    let encrypted = |expect: &str| {
        let body = json!({ "text": token, "expect": expect }).to_string();
        let reply = server.request(
            "POST",
            "/inspect",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(reply.status, 200, "{expect}: {reply:?}");
        let judged = reply.json()["tokens"][0].clone();
        let checks = judged["report"]["checks"].as_array().unwrap().clone();
        let check = checks
            .iter()
            .find(|c| c["id"] == "token.encrypted")
            .expect("token.encrypted");
        (
            check["status"].as_str().unwrap().to_string(),
            judged["answer"].as_str().unwrap().to_string(),
        )
    };
    for expect in ["jwe", "JWE", "Jwe", "token", "TOKEN"] {
        assert_eq!(
            encrypted(expect),
            ("pass".into(), "accepted".into()),
            "{expect}"
        );
    }
    for expect in ["jws", "JWS"] {
        assert_eq!(
            encrypted(expect),
            ("fail".into(), "rejected".into()),
            "{expect}"
        );
    }
    let body = json!({ "text": token, "expect": "jwt" }).to_string();
    server
        .request(
            "POST",
            "/inspect",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .assert_error(400, &["expect \"jwt\" is neither \"jwe\"", "nor \"jws\""]);
}

/// A token the server's stand-in does not open is judged keyless; the note names its
/// recipient key's size when that size is not iAdvize's (so it cannot be a production token).
#[test]
fn inspect_names_the_size_of_a_recipient_key_that_is_not_iadvize_s() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    assert_exit(
        &run(sb
            .cmd()
            .args(["keygen", "--bits", "3072", "--out-dir", "k3072"])),
        0,
    );
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "k3072/public-key.pem",
        "--user-id",
        "c-1",
    ]));
    assert_exit(&out, 0);
    let server = Server::start(&sb, STANDIN_ARGS);
    let body = json!({ "text": stdout(&out).trim() }).to_string();
    let reply = server.request(
        "POST",
        "/inspect",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let judged = &reply.json()["tokens"][0];
    assert_eq!(judged["answer"], "rejected", "{judged}");
    let note = judged["notes"][0].as_str().unwrap();
    assert!(
        note.contains("it is encrypted to another key pair (a 3072-bit key, not iAdvize's)"),
        "{note}"
    );
}

#[test]
fn wrong_host_foreign_origin_big_body_and_slow_client_are_refused() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let mut args = STANDIN_ARGS.to_vec();
    args.extend([
        "--allow-origin",
        "https://staging.example.com",
        "--allow-host",
        "qa-box",
    ]);
    let server = Server::start(&sb, &args);

    // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
    for host in [
        "evil.example",
        "evil.example:8787",
        "localhost.evil.example",
        "",
    ] {
        server
            .request("GET", "/token?userId=c-1", &[("Host", host)], b"")
            .assert_error(403, &["not allowed"]);
    }
    for host in ["localhost", "qa-box:8787", "[::1]:1", "127.0.0.1"] {
        let reply = server.request("GET", "/healthz", &[("Host", host)], b"");
        assert_eq!(reply.status, 200, "{host}: {reply:?}");
    }

    // Cross-origin calls: only --allow-origin, never `*`, with the private-network preflight.
    let preflight = |origin: &str| {
        server.request(
            "OPTIONS",
            "/token",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type"),
                ("Access-Control-Request-Private-Network", "true"),
            ],
            b"",
        )
    };
    let allowed = preflight("https://staging.example.com");
    assert_eq!(allowed.status, 200, "{allowed:?}");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://staging.example.com")
    );
    assert_eq!(
        allowed.header("access-control-allow-private-network"),
        Some("true")
    );
    assert!(
        allowed
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    let minted = server.request(
        "POST",
        "/token",
        &[
            ("Origin", "https://staging.example.com"),
            ("Content-Type", "application/json"),
        ],
        br#"{"userId": "c-1"}"#,
    );
    assert_eq!(minted.status, 200);
    assert_eq!(
        minted.header("access-control-allow-origin"),
        Some("https://staging.example.com")
    );
    for origin in [
        "https://evil.example",
        "null",
        "https://staging.example.com.evil.example",
    ] {
        preflight(origin).assert_error(403, &["may not call this server", "--allow-origin"]);
        let reply = server.request(
            "POST",
            "/token",
            &[("Origin", origin), ("Content-Type", "text/plain")],
            br#"{"userId": "c-1"}"#,
        );
        reply.assert_error(403, &["may not call this server"]);
        assert!(reply.header("access-control-allow-origin").is_none());
    }
    // The page's own origin is its own.
    let own = server.request(
        "POST",
        "/token",
        &[("Origin", &format!("http://{}", server.address))],
        br#"{"userId": "c-1"}"#,
    );
    assert_eq!(own.status, 200);

    // A 1 MB body: refused before it is read.
    let big = vec![b'a'; 1_000_000];
    server
        .request("POST", "/token", &[], &big)
        .assert_error(413, &["64 KiB"]);
    server
        .request("POST", "/verify", &[], &big)
        .assert_error(413, &["64 KiB"]);
    // Also when it comes in chunks, without a length.
    let mut stream = server.connect();
    write!(
        stream,
        "POST /verify HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.address
    )
    .unwrap();
    for _ in 0..100 {
        if write!(stream, "2800\r\n{}\r\n", "a".repeat(0x2800)).is_err() {
            break;
        }
    }
    let _ = write!(stream, "0\r\n\r\n");
    crate::common::server::read_reply(&mut stream).assert_error(413, &["64 KiB"]);

    // A slow client: headers never finished. The server hangs up after its header deadline
    // (5 s) and keeps serving others meanwhile.
    let mut slow = server.connect();
    write!(
        slow,
        "POST /token HTTP/1.1\r\nHost: {}\r\nContent-Le",
        server.address
    )
    .unwrap();
    let start = Instant::now();
    assert_eq!(
        server.get("/healthz").status,
        200,
        "others are served meanwhile"
    );
    let closed = crate::common::server::read_reply_or_close(&mut slow);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(15),
        "closed after {waited:?}: {closed:?}"
    );
    // A body that never comes: 408 after the request deadline (10 s).
    let mut slow_body = server.connect();
    write!(
        slow_body,
        "POST /token HTTP/1.1\r\nHost: {}\r\nContent-Length: 100\r\n\r\n{{\"userId\"",
        server.address
    )
    .unwrap();
    let start = Instant::now();
    crate::common::server::read_reply(&mut slow_body).assert_error(408, &["10 s"]);
    assert!(
        start.elapsed() >= Duration::from_secs(9),
        "{:?}",
        start.elapsed()
    );

    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn unsafe_starts_are_refused_before_listening() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    sb.write("secret.txt", "a-long-enough-secret-for-tests\n");
    sb.write("short.txt", "short\n");
    let serve = |args: &[&str]| {
        run(sb
            .cmd()
            .arg("serve")
            .args(["--key", "brand-private.pem"])
            .args(args))
    };
    assert_refused(
        &serve(&[
            "--production",
            "--listen",
            "0.0.0.0:0",
            "--access-token-file",
            "secret.txt",
        ]),
        &[
            "--production is accepted only on a loopback address",
            "0.0.0.0:0",
        ],
    );
    assert_refused(
        &serve(&["--listen", "0.0.0.0:0"]),
        &["not a loopback address", "--access-token-file"],
    );
    assert_refused(
        &serve(&["--listen", "0.0.0.0:0", "--access-token-file", "short.txt"]),
        &[
            "short.txt",
            "shorter than 16 characters",
            "openssl rand -hex 32",
        ],
    );
    assert_refused(
        &serve(&[
            "--listen",
            "0.0.0.0:0",
            "--access-token-file",
            "missing.txt",
        ]),
        &["cannot read --access-token-file 'missing.txt'"],
    );
    assert_refused(&serve(&["--allow-origin", "*"]), &["every web site"]);
    assert_refused(
        &serve(&["--allow-origin", "https://staging.example.com/login"]),
        &["expected an origin", "no path"],
    );
    assert_refused(&serve(&["--allow-host", "qa-box:8787"]), &["without port"]);
    assert_refused(
        &serve(&["--iadvize-key", "standin-iadvize-public.pem"]),
        &[
            "standin-iadvize-public.pem",
            "is a public key",
            "private key",
        ],
    );
    assert_refused(&serve(&["--ttl", "0"]), &["--ttl 0"]);
    let out = run(sb.cmd().args(["serve", "--key", "brand-public.pem"]));
    assert_refused(&out, &["brand-public.pem"]);
    // The port is taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    assert_refused(
        &serve(&["--listen", &port]),
        &[&port, "choose another --listen port"],
    );
}

/// `--listen localhost:PORT` is loopback (127.0.0.1); any other host name, a port alone, an
/// address alone and an IPv6 address without brackets are refused with what to give instead.
#[test]
fn listen_takes_localhost_and_says_what_to_give_for_other_names() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let mut args = STANDIN_ARGS.to_vec();
    args.extend(["--listen", "localhost:0"]);
    let server = Server::start(&sb, &args);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert_eq!(server.get("/healthz").status, 200);
    drop(server);
    let serve = |listen: &str| run(sb.cmd().args(["serve", "--listen", listen]));
    for (listen, needles) in [
        (
            "example.com:8787",
            &[
                "--listen \"example.com:8787\"",
                "not a host name",
                "127.0.0.1:8787",
            ][..],
        ),
        ("localhost:x", &["the port \"x\" is not a number"][..]),
        (
            "8787",
            &["give an address and a port, e.g. 127.0.0.1:8787"][..],
        ),
        ("127.0.0.1", &["add a port, e.g. 127.0.0.1:8787"][..]),
        ("::1:8787", &["takes brackets", "[::1]:8787"][..]),
    ] {
        assert_refused(&serve(listen), needles);
    }
}

#[test]
fn access_token_guards_the_endpoints_that_mint_open_or_list() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let secret = "7c1e0c7f6f3d4a1b9e2d5c8a0b3f6e9d";
    sb.write("secret.txt", format!("{secret}\n"));
    set_mode(&sb.join("secret.txt"), 0o644);
    let mut args = STANDIN_ARGS.to_vec();
    args.extend(["--listen", "0.0.0.0:0", "--access-token-file", "secret.txt"]);
    let server = Server::start(&sb, &args);
    assert!(
        server
            .stderr()
            .contains("warning: listening on 0.0.0.0:0, off loopback")
    );
    // A secret file others can read is warned about, as a key file is.
    let warning = "warning: access token file 'secret.txt' is readable by other users (mode 644); \
                   restrict it with `chmod 600`";
    assert!(server.stderr().contains(warning), "{}", server.stderr());
    // The URL names a loopback address a browser can open, not 0.0.0.0.
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let on = |path: &str, auth: Option<&str>| match auth {
        Some(auth) => server.request("GET", path, &[("Authorization", auth)], b""),
        None => server.get(path),
    };
    let bearer = format!("Bearer {secret}");
    for path in ["/token?userId=c-1", "/requests"] {
        let refused = on(path, None);
        refused.assert_error(401, &["Authorization: Bearer"]);
        assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
        on(path, Some("Bearer not-the-secret-at-all")).assert_error(401, &[]);
        on(path, Some(&format!("Basic {secret}"))).assert_error(401, &[]);
        assert_eq!(on(path, Some(&bearer)).status, 200, "{path}");
    }
    assert_eq!(on("/healthz", None).status, 200);
    assert_eq!(on("/", None).status, 200);
    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0));
    assert!(!log.contains(secret), "the secret is never logged");
}

#[test]
fn production_mints_for_iadvize_and_cannot_verify() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, &["--key", "brand-private.pem", "--production"]);
    assert!(
        server.stderr().contains("warning: --production"),
        "{}",
        server.stderr()
    );
    let token = token_of(&server.get("/token?userId=customer-8812"));
    // Only iAdvize can open it: inspect sees a JWE to a 2048-bit key it cannot decrypt.
    let out = run(sb.cmd().args(["inspect", "--json", &token]));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["jwe"]["encrypted_key_bytes"], 256);
    let keys = server.get("/keys").json();
    assert_eq!(keys["recipient"]["is_iadvize_production"], true);
    assert_eq!(
        keys["recipient"]["sha256_fingerprint"],
        "20b1ebc3cd86286c9891186a8af48a9979e1f3e2ca460e40af85b0a6bbf7445a"
    );
    server
        .post("/verify", &token)
        .assert_error(409, &["production key, which only iAdvize can open"]);
    assert_eq!(server.stop().0.code(), Some(0));
}

#[test]
fn generated_standin_and_json_log() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(
        &sb,
        &["--key", "brand-private.pem", "--log", "json", "--ttl", "5m"],
    );
    assert!(server.stderr().contains("stand-in generated for this run"));
    let token = token_of(&server.get("/token?userId=customer-8812"));
    let verdict = server.post("/verify", &token).json();
    assert_eq!(
        verdict["authentication"]["status"],
        "authentication-success"
    );
    let claims = &verdict["diagnosis"]["report"]["jws"]["claims"];
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    // The generated stand-in's public key is at /keys; mint can encrypt to it too.
    let keys = server.get("/keys").json();
    sb.write("generated.pem", keys["recipient"]["pem"].as_str().unwrap());
    let minted = mint(
        &sb,
        &[
            "--key",
            "brand-private.pem",
            "--iadvize-key",
            "generated.pem",
            "--user-id",
            "c-2",
        ],
    );
    let verdict = server.post("/verify", &minted).json();
    assert_eq!(
        verdict["authentication"]["status"],
        "authentication-success"
    );
    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0));
    let lines: Vec<Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("JSON log line"))
        .collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert_eq!(lines[0]["path"], "/token");
    assert_eq!(lines[0]["status"], 200);
    assert_eq!(lines[0]["user_id"], "customer-8812");
    assert_eq!(lines[0]["verdict"], "minted");
    assert_eq!(lines[1]["verdict"], "authentication-success");
    assert!(!log.contains(token.split('.').nth(3).unwrap()));
}

#[test]
fn load_two_thousand_tokens_from_fifty_clients() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let tokens_file = sb.join("tokens.txt");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/serve-load.mjs");
    let out = run(std::process::Command::new("node")
        .arg(script)
        .args([&server.url, "2000", "50"])
        .arg(&tokens_file));
    assert_exit(&out, 0);
    let summary: Value = serde_json::from_str(stdout(&out).trim()).expect("summary");
    assert_eq!(summary["requests"], 2000, "{summary}");
    assert_eq!(summary["ok"], 2000, "{summary}");
    let tokens: Vec<String> = std::fs::read_to_string(&tokens_file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(tokens.len(), 2000);
    let opened = opened(&sb, &tokens);
    let mut ids: Vec<&str> = opened
        .iter()
        .map(|o| {
            o["claims"]["https://iadvize.com/userId"]
                .as_str()
                .unwrap_or_else(|| panic!("not valid: {o}"))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2000, "every request got its own user's token");
    assert_eq!(server.stop().0.code(), Some(0));
}

/// Nothing a rehearsal hands out works in production unless it is asked to: with no argument
/// the brand key is the run's own, with the brand's own key the brand-signed token never leaves
/// in the clear, and what the verifier or the log show holds no signature or token.
#[test]
fn nothing_a_rehearsal_hands_out_works_in_production() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    // With no argument at all: both keys made for the run, the brand's marked as such.
    let server = Server::start(&sb, &[]);
    let keys = server.get("/keys").json();
    assert_eq!(keys["brand"]["rehearsal"], true, "{keys}");
    assert_eq!(keys["recipient"]["is_iadvize_production"], false);
    let banner = server.stderr();
    assert!(
        banner.contains("brand key       rehearsal key generated for this run")
            && banner.contains("nothing this server hands out works in production"),
        "{banner}"
    );
    let token = token_of(&server.get("/token?userId=customer-8812"));
    // The server's stand-in accepts it; no key the user holds opens or verifies it.
    let verified = server.post("/verify", &token).json();
    assert_eq!(
        verified["authentication"]["status"],
        "authentication-success"
    );
    let out = run(sb.cmd().args([
        "inspect",
        &token,
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "brand-public.pem",
        "--json",
    ]));
    assert_exit(&out, 3);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"]["recipient"]["role"], "unknown");
    // Faults that hand out the signed token are the run's own key's: allowed, and useless.
    let plain = token_of(&server.get("/token?userId=customer-8812&fault=plain-jws"));
    assert_eq!(plain.split('.').count(), 3, "{plain}");
    let out = run(sb.cmd().args([
        "inspect",
        &plain,
        "--verify-key",
        "brand-public.pem",
        "--json",
    ]));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        check(&report, "jws.signature")["status"],
        "fail",
        "{report}"
    );
    drop(server);

    // With the brand's own key: a fault that hands out its signed token is refused.
    let server = Server::start(&sb, STANDIN_ARGS);
    for path in [
        "/token?userId=customer-8812&fault=plain-jws",
        "/token?userId=customer-8812&fault=plain-jws&fault=expired",
    ] {
        server.get(path).assert_error(
            400,
            &["fault plain-jws hands out the token signed with the brand's own key unencrypted"],
        );
    }
    server
        .post("/token", r#"{"userId": "c-1", "fault": "plain-jws"}"#)
        .assert_error(400, &["start the server without the brand's own key"]);
    let faults = server.get("/faults").json();
    let plain_jws = faults["faults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "plain-jws")
        .unwrap();
    assert!(plain_jws["refused"].is_string(), "{plain_jws}");

    // The verifier never gives back the brand's signature, whatever shape the content has.
    let jws = make_tokens(&json!([{
        "sign_key": sb.join("brand-private.pem"),
        "claims": r#"{"https://iadvize.com/userId":"customer-8812","exp":4102444800}"#,
    }]))
    .remove(0);
    let [header, payload, signature] = jws.split('.').collect::<Vec<_>>()[..] else {
        panic!("{jws}")
    };
    let json_serialisation =
        json!({"protected": header, "payload": payload, "signature": signature}).to_string();
    let contents = [
        format!("{jws}.x"),
        format!("Bearer {jws}"),
        json!({ "token": jws }).to_string(),
        json_serialisation,
    ];
    let specs: Vec<Value> = contents
        .iter()
        .map(|content| {
            json!({
                "payload_raw": content,
                "encrypt_key": sb.join("standin-iadvize-public.pem"),
            })
        })
        .collect();
    let standard = base64::engine::general_purpose::STANDARD.encode(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .unwrap(),
    );
    for (content, token) in contents.iter().zip(make_tokens(&json!(specs))) {
        let answer = server.post("/verify", &token);
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(
            !answer.body.contains(signature) && !answer.body.contains(&standard),
            "the brand's signature came back for the content {content}:\n{}",
            answer.body
        );
        assert!(
            !answer.body.contains(&signature[..40]),
            "part of the signature came back for {content}"
        );
    }

    // A token in the path stays out of the log and out of /requests.
    let reply = server.post(&format!("/verify/{token}"), "");
    assert_eq!(reply.status, 404);
    let requests = server.get("/requests").body;
    let (_, log) = server.stop();
    for (what, text) in [("/requests", &requests), ("the log", &log)] {
        assert!(!text.contains("eyJ"), "{what}: {text}");
        for part in token.split('.').filter(|p| p.len() > 8) {
            assert!(
                !text.contains(part),
                "{what} holds part of the token: {text}"
            );
        }
    }
    assert!(log.contains("POST /verify/…("), "{log}");
}

/// `GET /healthz` on a connection of its own, which must be answered within a second.
fn healthz_within_a_second(server: &Server) {
    let start = Instant::now();
    let mut stream = server.connect();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.address
    )
    .unwrap();
    let answer = crate::common::server::read_reply_or_close(&mut stream);
    let took = start.elapsed();
    assert!(
        answer.starts_with("HTTP/1.1 200") && took < Duration::from_secs(1),
        "GET /healthz: {answer:?} after {took:?}"
    );
}

/// 256 clients pipeline requests and never read the answers (found by an attack on the
/// server: they held every connection it served, and nobody else got an answer). Others are
/// answered at once meanwhile, and each of them is cut off once an answer has waited 5 s.
#[test]
fn clients_that_never_read_are_cut_off_and_others_are_still_served() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    // About 1 MB of answers each, far more than the sockets' buffers hold.
    let requests = format!("GET /page.js HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).repeat(100);
    let flood = Instant::now();
    let clients: Vec<std::net::TcpStream> = (0..256)
        .map(|_| crate::common::server::never_reading(&server.address, requests.as_bytes()))
        .collect();
    for _ in 0..4 {
        healthz_within_a_second(&server);
        std::thread::sleep(Duration::from_millis(500));
    }
    // Past the write deadline (5 s), every one of them has been closed: what the server wrote
    // before is read, then the end (or a reset, as it closed with their requests unread).
    std::thread::sleep(Duration::from_secs(7).saturating_sub(flood.elapsed()));
    healthz_within_a_second(&server);
    for (i, mut client) in clients.into_iter().enumerate() {
        let start = Instant::now();
        let mut buffer = vec![0; 64 * 1024];
        let closed = loop {
            match std::io::Read::read(&mut client, &mut buffer) {
                Ok(0) => break true,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    // Still open: anything read lets the server write more; give it a moment.
                    if start.elapsed() > Duration::from_secs(2) {
                        break false;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(_) => {}
                Err(e) => panic!("client {i}: {e}"),
            }
        };
        assert!(
            closed,
            "client {i} still connected {:?} after it stopped reading",
            flood.elapsed()
        );
    }
    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

/// SIGTERM while many requests wait for their work to be done (here /verify of a token whose
/// content inflates to nearly 1 MiB of claims, the slowest work a request can ask for): the
/// server stops within its grace period (10 s) and a second, whatever is still queued. It used
/// to wait for all of it: minutes, with a thread and tens of MB for each request.
#[test]
fn sigterm_ends_the_server_within_its_grace_period_whatever_is_queued() {
    const GRACE: Duration = Duration::from_secs(10);
    const REQUESTS: usize = 150;
    let sb = Sandbox::with_fixtures(FIXTURES);
    let zeros = vec!["0"; 350_000].join(",");
    let claims = format!(r#"{{"https://iadvize.com/userId":"c-1","x":[{zeros}]}}"#);
    let token = make_tokens(&json!([{
        "sign_key": sb.join("brand-private.pem"),
        "claims": claims,
        "encrypt_key": sb.join("standin-iadvize-public.pem"),
        "jwe_header": r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT","zip":"DEF"}"#,
    }]))
    .remove(0);
    let server = Server::start(&sb, STANDIN_ARGS);

    // The premise: what is queued takes far longer than the grace period.
    let start = Instant::now();
    let verdict = server.post("/verify", &token).json();
    let one = start.elapsed();
    assert_eq!(
        verdict["diagnosis"]["report"]["jws"]["claims"]["https://iadvize.com/userId"], "c-1",
        "the token is read whole"
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let queued = one * u32::try_from(REQUESTS / cores).unwrap();
    assert!(
        queued > GRACE + Duration::from_secs(5),
        "one /verify took {one:?}: {REQUESTS} of them on {cores} cores no longer outlast the \
         grace period; make the work heavier"
    );

    let head = format!(
        "POST /verify HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n\r\n",
        server.address,
        token.len()
    );
    let clients: Vec<std::net::TcpStream> = (0..REQUESTS)
        .map(|_| {
            let mut stream = server.connect();
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(token.as_bytes()).unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let (status, took, log) = server.stop_within(GRACE * 3);
    drop(clients);
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "after {took:?}: {log}"
    );
    assert!(
        took <= GRACE + Duration::from_secs(1),
        "stopped {took:?} after SIGTERM: {log}"
    );
    assert!(log.contains("serve: stopped"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

/// Headers the guard cannot judge are refused, never taken as absent: an attack found that an
/// `Origin` with a byte outside ASCII was read as no `Origin` at all (and `/token` answered),
/// and that of two `Host` headers only the first was judged.
#[test]
fn odd_host_and_origin_headers_are_refused_not_ignored() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let own = server.address.clone();
    let body = br#"{"userId": "c-1"}"#;
    let send = |request_line: &str, headers: &[u8]| {
        let mut stream = server.connect();
        let mut head = format!("{request_line}\r\nConnection: close\r\n").into_bytes();
        head.extend_from_slice(headers);
        head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        head.extend_from_slice(body);
        stream.write_all(&head).unwrap();
        crate::common::server::read_reply(&mut stream)
    };
    let token_post = "POST /token HTTP/1.1";
    let host = format!("Host: {own}\r\n").into_bytes();
    let with_host = |more: &[u8]| [&host[..], more].concat();
    // As a control, the same request with its own Host and Origin is answered.
    let origin = format!("Origin: http://{own}\r\n").into_bytes();
    assert_eq!(send(token_post, &with_host(&origin)).status, 200);

    let cases: Vec<(Vec<u8>, u16, &[&str])> = vec![
        (
            with_host(b"Origin: https://evil.example\xff\r\n"),
            400,
            &["Origin header is not ASCII text"],
        ),
        (
            with_host(format!("Origin: http://{own}\u{e9}\r\n").as_bytes()),
            400,
            &["Origin header is not ASCII text"],
        ),
        (
            with_host(&[&origin[..], b"Origin: https://evil.example\r\n"].concat()),
            400,
            &["2 Origin headers"],
        ),
        (
            with_host(b"Host: evil.example\r\n"),
            400,
            &["2 Host headers"],
        ),
        (
            [&b"Host: evil.example\r\n"[..], &host].concat(),
            400,
            &["2 Host headers"],
        ),
        (
            [&b"Host: "[..], own.as_bytes(), b"\xff\r\n"].concat(),
            400,
            &["Host header is not ASCII text"],
        ),
    ];
    for (headers, status, needles) in cases {
        let reply = send(token_post, &headers);
        let shown = String::from_utf8_lossy(&headers).into_owned();
        assert!(
            reply.json().get("token").is_none(),
            "{shown:?} was answered: {reply:?}"
        );
        let message = reply.assert_error(status, needles);
        assert!(!message.is_empty(), "{shown:?}");
    }
    // A request in absolute form names its host in the request line too: it is judged as well.
    send("POST http://evil.example/token HTTP/1.1", &with_host(b""))
        .assert_error(403, &["evil.example", "not allowed"]);
    let (status, log) = server.stop();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

/// The bounds of docs/security.md's input-limit table not tested above: a request head larger
/// than the server's buffer, the requests kept for `/requests`, and an access token file
/// larger than a secret.
#[test]
fn a_huge_request_head_and_a_huge_access_token_file_are_refused() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    let mut stream = server.connect();
    let head = format!(
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nX-Padding: {}\r\n\r\n",
        server.address,
        "a".repeat(200_000)
    );
    // The server may answer and close before it has read all of it.
    let _ = stream.write_all(head.as_bytes());
    let answer = crate::common::server::read_reply_or_close(&mut stream);
    assert!(
        answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large"),
        "{answer:?}"
    );
    // `GET /requests` keeps the last 200 requests, each path shown by its words, the rest
    // counted.
    let long_path = format!("/{}", "p".repeat(300));
    for _ in 0..210 {
        server.get(&long_path).assert_error(404, &[]);
    }
    let kept = server.get("/requests").json()["requests"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(kept.len(), 200);
    assert!(
        kept.iter().all(|r| r["path"] == "/…(300 characters)"),
        "{kept:?}"
    );
    assert_eq!(server.stop().0.code(), Some(0));

    sb.write("big-secret.txt", "s".repeat(100_000));
    set_mode(&sb.join("big-secret.txt"), 0o600);
    let out = run(sb.cmd().args([
        "serve",
        "--key",
        "brand-private.pem",
        "--listen",
        "0.0.0.0:0",
        "--access-token-file",
        "big-secret.txt",
    ]));
    assert_refused(
        &out,
        &["--access-token-file 'big-secret.txt'", "larger than 64 KiB"],
    );
}

/// Faults are planned per request, not kept: 3,000 distinct sets of them leave the server's
/// memory where it was.
#[test]
fn distinct_fault_sets_do_not_grow_the_server() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    // One per part of the token (faults of one part do not combine), none included.
    let groups: [&[&str]; 7] = [
        &[
            "",
            "expired",
            "not-yet-valid",
            "exp-millis",
            "no-exp",
            "long-lived",
        ],
        &[
            "",
            "no-user-id",
            "empty-user-id",
            "user-id-too-long",
            "unprefixed-user-id",
            "user-id-as-sub",
            "user-id-number",
        ],
        &["", "visitor-data-not-string"],
        &["", "jwe-rsa-oaep", "jwe-rsa1_5"],
        &["", "jwe-a128gcm", "jwe-a256cbc-hs512"],
        &["", "no-cty"],
        &["", "padded-base64", "json-serialized"],
    ];
    let mut sets: Vec<String> = vec![String::new()];
    for group in groups {
        sets = sets
            .iter()
            .flat_map(|set| {
                group.iter().map(move |fault| match fault.is_empty() {
                    true => set.clone(),
                    false => format!("{set}&fault={fault}"),
                })
            })
            .collect();
    }
    sets.truncate(3_000);
    assert_eq!(sets.len(), 3_000);
    let ask = |set: &str| {
        let reply = server.get(&format!("/token?userId=8812{set}"));
        assert_eq!(reply.status, 200, "{set}: {reply:?}");
    };
    // Warm up: the runtime's threads and the allocator's arenas are made by the first requests.
    for set in &sets[..200] {
        ask(set);
    }
    let before = server.resident_kib();
    for set in &sets {
        ask(set);
    }
    let after = server.resident_kib();
    assert!(
        after <= before + before / 10,
        "{before} KiB before 3,000 fault sets, {after} KiB after"
    );
}
