//! `inspect` as support uses it: the verdict on the first line, honest about what was not
//! checked, and tokens found wherever they were pasted from (a log, JSON, a HAR file, an
//! `Authorization:` header).

mod common;

use base64::Engine as _;
use common::*;
use serde_json::{Value, json};

const NOW: i64 = 1_700_000_000;

struct Lab {
    sb: Sandbox,
}

impl Lab {
    fn new() -> Self {
        Lab {
            sb: Sandbox::with_fixtures(&[
                "brand-private.pem",
                "brand-public.pem",
                "other-private.pem",
                "standin-iadvize-private.pem",
                "standin-iadvize-public.pem",
            ]),
        }
    }

    /// A rehearsal token for `user`, signed with `key`, issued at `issued` (NOW by default).
    fn token(&self, user: &str, key: &str, issued: i64) -> String {
        let out = run(self.sb.cmd().args([
            "mint",
            "--key",
            key,
            "--iadvize-key",
            "standin-iadvize-public.pem",
            "--user-id",
            user,
            "--now",
            &issued.to_string(),
        ]));
        assert_exit(&out, 0);
        stdout(&out).trim().to_string()
    }

    fn good(&self) -> String {
        self.token("customer-8812", "brand-private.pem", NOW)
    }

    /// `inspect INPUT` with these keys (`d`: decrypt, `v`: verify) at NOW.
    fn inspect(&self, input: &str, keys: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["inspect".to_string(), input.to_string()];
        if keys.contains('d') {
            args.extend(["--decrypt-key".into(), "standin-iadvize-private.pem".into()]);
        }
        if keys.contains('v') {
            args.extend(["--verify-key".into(), "brand-public.pem".into()]);
        }
        args.extend(["--now".into(), NOW.to_string()]);
        args.extend(extra.iter().map(|a| a.to_string()));
        run(self.sb.cmd().args(&args))
    }

    /// The JSON Lines of `inspect --json`.
    fn reports(&self, input: &str, keys: &str) -> (i32, Vec<Value>) {
        let out = self.inspect(input, keys, &["--json"]);
        let reports = stdout(&out)
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
            .collect();
        (out.status.code().unwrap_or(-1), reports)
    }
}

/// The verdict: the first line of the report and the lines it wraps onto.
fn first_line(out: &std::process::Output) -> String {
    let text = stdout(out);
    let mut lines = text.lines();
    let mut verdict = lines.next().unwrap_or_default().to_string();
    for more in lines.take_while(|l| l.starts_with("         ")) {
        verdict.push(' ');
        verdict.push_str(more.trim());
    }
    verdict
}

/// A production token, encrypted to iAdvize's built-in key, as `mint` makes it by default.
fn production_token(lab: &Lab) -> String {
    let out = run(lab.sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--user-id",
        "customer-8812",
        "--now",
        &NOW.to_string(),
    ]));
    assert_exit(&out, 0);
    stdout(&out).trim().to_string()
}

/// Every verdict says whom it speaks for: the six ways support and QA meet a token, each
/// pinned whole (the first line, the three JSON verdict members, the exit code).
#[test]
fn each_verdict_names_its_recipient_production_or_stand_in() {
    let lab = Lab::new();
    let production = production_token(&lab);
    let standin = lab.good();
    const STANDIN: &str = "67474fd3acac63c9f09274057ea00674e2939d3bd530a518de2af921490478f8";
    const CANNOT_TELL_KEYLESS: &str = "Verdict: cannot tell whether iAdvize accepts this token: \
        the inner signed token and the claims were not checked; give --decrypt-key (the private \
        key the token was encrypted to) to check them. What could be checked without it passes: \
        the token's form and headers, and a 2048-bit recipient key, as iAdvize's production key \
        has. A production token opens only with iAdvize's private key: ask the brand for the \
        inner signed token (JWS) its backend made before encrypting, and judge it with --expect \
        jws; or rehearse with a stand-in key pair.";
    let not_this_key = |sha256: &str| {
        format!(
            "Verdict: cannot tell: this token is not encrypted to the stand-in key you gave \
             (SHA-256 {}…); a production token is encrypted to iAdvize's key, which only iAdvize \
             can open. What could be checked without it passes: the token's form and headers, \
             and a 2048-bit recipient key, as iAdvize's production key has.",
            &sha256[..8]
        )
    };
    let unknown = json!({"role": "unknown", "sha256": null});
    let cases = [
        // A production token: no key, a stand-in's key, only the brand's public key.
        (
            &production,
            vec![],
            CANNOT_TELL_KEYLESS.to_string(),
            ["unknown", "unknown"],
            unknown.clone(),
            3,
        ),
        (
            &production,
            vec![
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--verify-key",
                "brand-public.pem",
            ],
            not_this_key(STANDIN),
            ["rejects", "unknown"],
            unknown.clone(),
            3,
        ),
        (
            &production,
            vec!["--verify-key", "brand-public.pem"],
            CANNOT_TELL_KEYLESS.to_string(),
            ["unknown", "unknown"],
            unknown.clone(),
            3,
        ),
        // A stand-in token: its stand-in's key, another stand-in's key, no key.
        (
            &standin,
            vec![
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--verify-key",
                "brand-public.pem",
            ],
            format!(
                "Verdict: your stand-in (SHA-256 {}…) accepts this token as iAdvize would; \
                 iAdvize's production service cannot open it: it is encrypted to the stand-in, \
                 not to iAdvize's key.",
                &STANDIN[..8]
            ),
            ["accepts", "rejects"],
            json!({"role": "standin", "sha256": STANDIN}),
            0,
        ),
        (
            &standin,
            vec![
                "--decrypt-key",
                "other-private.pem",
                "--verify-key",
                "brand-public.pem",
            ],
            not_this_key("80fab788"),
            ["rejects", "unknown"],
            unknown.clone(),
            3,
        ),
        (
            &standin,
            vec![],
            CANNOT_TELL_KEYLESS.to_string(),
            ["unknown", "unknown"],
            unknown,
            3,
        ),
    ];
    for (token, keys, line, [iadvize, production], recipient, code) in cases {
        let mut args = vec!["inspect", token.as_str(), "--now", "1700000000"];
        args.extend(&keys);
        let out = run(lab.sb.cmd().args(&args));
        assert_eq!(first_line(&out), line, "{keys:?}");
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
}

/// A stand-in's verdict says which layer refuses or lets through.
#[test]
fn a_stand_in_s_verdict_says_its_layer() {
    let lab = Lab::new();
    let expired = lab.token("customer-8812", "brand-private.pem", NOW - 3600);
    let out = lab.inspect(&expired, "dv", &[]);
    assert_exit(&out, 1);
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
    let human = stdout(&lab.inspect(&forged, "v", &[]));
    assert!(human.starts_with("Verdict: cannot tell"), "{human}");
    assert!(human.contains("Not checked"), "{human}");
}

#[test]
fn a_log_with_three_tokens_and_noise_gets_a_report_each_with_its_place() {
    let lab = Lab::new();
    let good = lab.good();
    let expired = lab.token("c-2", "brand-private.pem", NOW - 3600);
    let forged = lab.token("c-3", "other-private.pem", NOW);
    let log = format!(
        "2026-12-01 10:00:01 INFO auth token={good} user=c-8812\n\
         2026-12-01 10:00:02 DEBUG no token here, just eyJ and dots...\n\
         2026-12-01 10:00:03 WARN retry \"{expired}\", user=c-2\n\
         {{\"level\":\"error\",\"jwe\":\"{forged}\"}} and again token={good}\n"
    );
    lab.sb.write("app.log", &log);
    let (code, reports) = lab.reports("@app.log", "dv");
    assert_eq!(code, 1, "one token fails");
    assert_eq!(reports.len(), 3, "{reports:#?}");
    let lines: Vec<&str> = log.lines().collect();
    let at = |line: usize, token: &str| {
        let column = lines[line - 1].find(token).unwrap() + 1;
        format!("line {line}, column {column}")
    };
    let found: Vec<&Value> = reports.iter().map(|r| &r["found"]).collect();
    assert_eq!(found[0], &json!([at(1, &good), "line 4, column 1106"]));
    assert_eq!(found[1], &json!([at(3, &expired)]));
    assert_eq!(found[2], &json!([at(4, &forged)]));
    assert_eq!(at(1, &good), "line 1, column 37");
    let verdicts: Vec<&Value> = reports.iter().map(|r| &r["verdict"]["iadvize"]).collect();
    assert_eq!(verdicts, ["accepts", "accepts", "rejects"]);
    assert_eq!(reports[1]["verdict"]["rules"], "fail", "expired");

    let human = stdout(&lab.inspect("@app.log", "dv", &[]));
    assert_eq!(human.matches("\nVerdict: ").count() + 1, 3, "{human}");
    assert!(
        human.ends_with(
            "Summary: 3 tokens found: 1 accepted, 1 accepted but breaking iAdvize's documented \
             rules, 1 rejected\n"
        ),
        "{human}"
    );
}

#[test]
fn tokens_in_json_and_an_authorization_header_are_found_without_their_syntax() {
    let lab = Lab::new();
    let good = lab.good();
    let blob = json!({"data": {"auth": {"token": good}}, "list": [1, good]}).to_string();
    let (code, reports) = lab.reports(&blob, "dv");
    assert_eq!(code, 0);
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0]["found"],
        json!(["JSON /data/auth/token", "JSON /list/1"])
    );
    assert_eq!(reports[0]["verdict"]["iadvize"], "accepts");

    let header = format!("Authorization: Bearer {good}");
    let (code, reports) = lab.reports(&header, "dv");
    assert_eq!(code, 0, "{reports:#?}");
    assert_eq!(reports[0]["found"], json!(["line 1, column 23"]));
    assert_eq!(reports[0]["verdict"]["iadvize"], "accepts");
}

/// A HAR 1.2 file as browsers save it: the token in a request's post data, in a response
/// body base64-encoded, and in a header; each place named by entry, request and field.
#[test]
fn a_har_file_names_the_entry_and_field_of_each_token() {
    let lab = Lab::new();
    let good = lab.good();
    let forged = lab.token("c-3", "other-private.pem", NOW);
    let body =
        base64::engine::general_purpose::STANDARD.encode(json!({ "token": forged }).to_string());
    let har = json!({"log": {
        "version": "1.2",
        "creator": {"name": "test", "version": "1"},
        "entries": [
            {
                "startedDateTime": "2026-12-01T10:00:00Z", "time": 12,
                "request": {
                    "method": "POST", "url": "https://brand.example/api/token",
                    "httpVersion": "HTTP/1.1", "cookies": [], "headers": [],
                    "queryString": [], "headersSize": -1, "bodySize": 40,
                    "postData": {"mimeType": "application/json",
                                 "text": json!({"token": good}).to_string()}
                },
                "response": {
                    "status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                    "cookies": [], "headers": [], "redirectURL": "",
                    "headersSize": -1, "bodySize": 100,
                    "content": {"size": 100, "mimeType": "application/json",
                                "text": body, "encoding": "base64"}
                },
                "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2}
            },
            {
                "startedDateTime": "2026-12-01T10:00:01Z", "time": 5,
                "request": {
                    "method": "GET", "url": format!("https://brand.example/verify?t={good}"),
                    "httpVersion": "HTTP/1.1", "cookies": [],
                    "headers": [{"name": "Authorization", "value": format!("Bearer {good}")}],
                    "queryString": [{"name": "t", "value": good}],
                    "headersSize": -1, "bodySize": 0
                },
                "response": {
                    "status": 204, "statusText": "No Content", "httpVersion": "HTTP/1.1",
                    "cookies": [], "headers": [], "redirectURL": "",
                    "headersSize": -1, "bodySize": 0, "content": {"size": 0, "mimeType": ""}
                },
                "cache": {}, "timings": {"send": 0, "wait": 5, "receive": 0}
            }
        ]
    }});
    lab.sb.write("session.har", har.to_string());
    let (code, reports) = lab.reports("@session.har", "dv");
    assert_eq!(code, 1, "the forged token fails");
    assert_eq!(reports.len(), 2, "{reports:#?}");
    let places: Vec<String> = reports[0]["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        places[0],
        "HAR entry 1 (POST https://brand.example/api/token), request body"
    );
    assert!(places[1].starts_with("HAR entry 2 (GET https://brand.example/verify?t=eyJ"));
    assert!(
        places[1].ends_with("characters)), request URL"),
        "the token in the URL is shortened: {}",
        places[1]
    );
    assert!(
        places.iter().any(|p| p.ends_with("query parameter t")),
        "{places:?}"
    );
    assert!(
        places
            .iter()
            .any(|p| p.ends_with("request header Authorization")),
        "{places:?}"
    );
    assert_eq!(
        reports[1]["found"],
        json!([
            "HAR entry 1 (POST https://brand.example/api/token), response body (base64-decoded)"
        ])
    );
    assert_eq!(reports[1]["verdict"]["iadvize"], "rejects");
    // Asked for, the tokens are shown whole.
    let out = lab.inspect("@session.har", "dv", &["--json", "--show-tokens"]);
    assert!(stdout(&out).contains(&format!("verify?t={good}")));

    // Briefly: one line per token (its answer, its first place, its first cause), a summary.
    let out = lab.inspect("@session.har", "dv", &["--brief"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "accepted     HAR entry 1 (POST https://brand.example/api/token), request body (and 3 \
         more)"
    );
    assert!(
        lines[1].starts_with(
            "rejected     HAR entry 1 (POST https://brand.example/api/token), response body \
             (base64-decoded)  jws.signature: the signature does not verify"
        ),
        "{text}"
    );
    assert_eq!(lines[2], "Summary: 2 tokens found: 1 accepted, 1 rejected");
    assert!(!text.contains(&good[40..80]), "no token text: {text}");
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

/// A header one character away from iAdvize's is named as damage after the token was made,
/// not as a backend to change; a signed token alone is named as a possible inner token.
#[test]
fn damage_in_transit_and_a_bare_inner_token_are_named_as_such() {
    let lab = Lab::new();
    let good = production_token(&lab);
    // `{"alg"` is `eyJhbGci`: its sixth character changed makes `{"amw"`.
    let changed = format!("{}X{}", &good[..5], &good[6..]);
    let dropped = format!("{}{}", &good[..10], &good[11..]);
    for (token, words) in [
        (
            changed,
            "the JWE header has no alg: with 'G' for its character 6 ('X') it would be iAdvize's \
             header: the token was probably damaged after it was made",
        ),
        (
            dropped,
            "it would be iAdvize's header: a character was probably dropped after the token was \
             made",
        ),
    ] {
        let out = lab.inspect(&token, "", &[]);
        assert_exit(&out, 1);
        assert!(first_line(&out).contains(words), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("fix: hand the token over unchanged"),
            "{}",
            stdout(&out)
        );
    }

    let inner = run(lab.sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--user-id",
        "customer-8812",
        "--jws",
        "--now",
        &NOW.to_string(),
    ]));
    let inner = stdout(&inner).trim().to_string();
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
    for (token, decrypt) in [(&production, false), (&standin, true), (&standin, false)] {
        let mut args = vec!["inspect", token.as_str(), "--verify-key", "ec-public.pem"];
        if decrypt {
            args.extend(["--decrypt-key", "standin-iadvize-private.pem"]);
        }
        let out = run(lab.sb.cmd().args(&args));
        assert_exit(&out, 1);
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
}
