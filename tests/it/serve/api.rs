//! `serve`'s HTTP API against its description, docs/openapi.json: the document is valid
//! OpenAPI 3.1 (openapi-spec-validator), is what the server serves, names what the server
//! answers (every path, every fault, every check id), and schemathesis, generating requests
//! from it (its coverage, fuzzing and stateful phases, with negative data), finds no 5xx, no
//! answer that breaks the document, and a server still answering afterwards. What schemathesis
//! found is kept below as regression tests; then `/token`'s one set of parameters, and the log
//! that says why each refusal happened.

use std::path::Path;
use std::process::Command;

use crate::common::server::{STANDIN_ARGS, Server};
use crate::common::*;
use serde_json::Value;

const FIXTURES: &[&str] = &[
    "brand-private.pem",
    "standin-iadvize-private.pem",
    "brand-public.pem",
];

fn committed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    std::fs::read_to_string(path).expect("docs/openapi.json")
}

fn server() -> (Sandbox, Server) {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, STANDIN_ARGS);
    (sb, server)
}

#[test]
fn the_served_document_is_the_committed_one_and_valid_openapi_3_1() {
    let (sb, server) = server();
    let reply = server.get("/openapi.json");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.body,
        committed(),
        "docs/openapi.json is what serve serves"
    );
    let document = reply.json();
    assert_eq!(document["openapi"], "3.1.0");

    let file = sb.write("openapi.json", &reply.body);
    let python = interop_dir().join("venv/bin/python");
    let out = run(Command::new(python).args([
        "-c",
        "import json, sys\n\
         from openapi_spec_validator import validate\n\
         from openapi_spec_validator.validation import OpenAPIV31SpecValidator\n\
         validate(json.load(open(sys.argv[1])), cls=OpenAPIV31SpecValidator)\n\
         print('valid')",
        file.to_str().unwrap(),
    ]));
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).trim(), "valid");

    // The same document refused when it is not OpenAPI 3.1: the validator is not a no-op.
    let mut broken = document.clone();
    broken["paths"]["/keys"]["get"]["responses"]["200"] = serde_json::json!({"content": 1});
    let file = sb.write("broken.json", broken.to_string());
    let out = run(Command::new(interop_dir().join("venv/bin/python")).args([
        "-c",
        "import json, sys\n\
         from openapi_spec_validator import validate\n\
         validate(json.load(open(sys.argv[1])))",
        file.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn the_document_names_every_path_fault_and_check_the_server_has() {
    let (_sb, server) = server();
    let document: Value = serde_json::from_str(&committed()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    // Every documented operation is answered, and with a documented status.
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            let reply = server.request(&method, path, &[], b"");
            assert_ne!(
                reply.status, 404,
                "{method} {path} is documented: {reply:?}"
            );
            let statuses = operation["responses"].as_object().unwrap();
            assert!(
                statuses.contains_key(&reply.status.to_string()),
                "{method} {path} answered {}, not documented",
                reply.status
            );
        }
    }
    // And nothing else is: a path the document does not name is a 404.
    for path in ["/tokens", "/inspect/x", "/verify/x", "/openapi.yaml"] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    let schemas = &document["components"]["schemas"];
    let enum_of = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let faults: Vec<String> = server.get("/faults").json()["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(enum_of("FaultName"), faults);
    let token = server.get("/token?userId=customer-1").json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let checks: Vec<String> =
        server.post("/verify", &token).json()["diagnosis"]["report"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
    assert_eq!(enum_of("CheckId"), checks, "every check, in report order");
}

#[test]
fn schemathesis_finds_no_server_error_and_no_answer_that_breaks_the_document() {
    let (sb, server) = server();
    let schemathesis = interop_dir().join("venv/bin/schemathesis");
    let base = server.url.trim_end_matches('/');
    let out = run(Command::new(schemathesis)
        .current_dir(sb.path())
        .env("SCHEMATHESIS_HOOKS", "")
        .args([
            "run",
            &format!("{base}/openapi.json"),
            "--url",
            base,
            // Bounded: a minute or two on two shared cores.
            "--max-examples",
            "40",
            "--seed",
            "22",
            "--workers",
            "2",
            "--phases",
            "coverage,fuzzing,stateful",
            // Every check that a document can make true; the schema cannot say which strings
            // are keys or known user ids, so valid-looking data may still be refused (400),
            // and the bearer secret is optional (off here).
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance,ignored_auth,object_level_authorization",
            "--mode",
            "all",
            "--request-timeout",
            "15",
            "--generation-database",
            "none",
            "--no-color",
        ]));
    let report = stdout(&out);
    assert_exit(&out, 0);
    assert!(
        report.contains("Stateful") && report.contains("API Links"),
        "{report}"
    );
    assert!(!report.contains("failures"), "{report}");
    // Still answering, and nothing in the log was a server error.
    let answered = server.stderr().matches("GET /healthz 200").count();
    assert_eq!(server.get("/healthz").status, 200);
    let log = log_holding(&server, |log| {
        log.matches("GET /healthz 200").count() > answered
    });
    let errors: Vec<&str> = log
        .lines()
        .filter(|line| line.split(' ').nth(3).is_some_and(|s| s.starts_with('5')))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The server's log once `done` says it holds what the test waits for: the log line of a
/// request is written before its answer, but read from the server's stderr by another thread.
#[track_caller]
fn log_holding(server: &Server, done: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    loop {
        let log = server.stderr();
        if done(&log) {
            return log;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the log never held what was expected:\n{log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn post_json(server: &Server, path: &str, body: &str) -> crate::common::server::Reply {
    server.request(
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

// What schemathesis found, kept.

/// Once refused as "not a JSON object": whatever its type, a body that is not the wrapper
/// `{"token": "…"}` is the token text, judged (a failure with a diagnosis); the document says so
/// (the `application/json` schema excludes only an object whose `token` is not a string). Sent
/// as `application/json`, it must still be JSON (schemathesis sent random bytes as JSON).
#[test]
fn verify_judges_any_body_but_a_token_wrapper_as_the_token_whatever_its_type() {
    let (_sb, server) = server();
    for content_type in ["application/json", "text/plain"] {
        for body in ["[null, null]", "\"eyJ.a.b\"", "7", "{}", "{\"tok\": 1}"] {
            let reply = server.request(
                "POST",
                "/verify",
                &[("Content-Type", content_type)],
                body.as_bytes(),
            );
            assert_eq!(reply.status, 200, "{content_type} {body}: {reply:?}");
            let verdict = reply.json();
            assert_eq!(
                verdict["authentication"]["status"], "authentication-failure",
                "{verdict}"
            );
            assert_eq!(verdict["authentication"]["option"]["token"], body);
        }
        server
            .request(
                "POST",
                "/verify",
                &[("Content-Type", content_type)],
                br#"{"token": ["eyJ.a.b"]}"#,
            )
            .assert_error(400, &["token must be a string"]);
    }
    for body in ["\0", "eyJ.a.b", "{\"token\": "] {
        let as_json = server.request(
            "POST",
            "/verify",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        as_json.assert_error(400, &["sent as application/json but is not JSON"]);
        let as_text = server.request("POST", "/verify", &[], body.as_bytes());
        assert_eq!(as_text.status, 200, "{body:?}: {as_text:?}");
    }
    let document: Value = serde_json::from_str(&committed()).unwrap();
    let schema = &document["paths"]["/verify"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert_eq!(schema["not"]["required"], serde_json::json!(["token"]));
    log_holding(&server, |log| log.contains("POST /verify 400"));
}

#[test]
fn inspect_answers_a_text_without_token_with_no_token_and_why() {
    let (_sb, server) = server();
    for (text, why) in [
        ("", "no text"),
        ("  \n ", "no text"),
        ("line one\nline two", "no token found"),
    ] {
        let body = serde_json::json!({ "text": text }).to_string();
        let reply = post_json(&server, "/inspect", &body);
        assert_eq!(reply.status, 200, "{reply:?}");
        let answer = reply.json();
        assert_eq!(answer["tokens"], serde_json::json!([]));
        assert!(
            answer["no_token"].as_str().unwrap().starts_with(why),
            "{answer}"
        );
    }
    // null members are the same as leaving them out, as the document says.
    let body = r#"{"text": "not a token", "brandKey": null, "expect": null}"#;
    let reply = post_json(&server, "/inspect", body);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["tokens"][0]["answer"], "rejected");
    // Sent as text, the same bytes are the text: one line without a token, judged as one.
    let reply = server.post("/inspect", body);
    assert_eq!(reply.json()["tokens"][0]["places"][0], "the whole input");
    let reply = server.post("/token", r#"{"userId": null, "fault": null}"#);
    reply.assert_error(400, &["userId is missing"]);
}

#[test]
fn a_refused_user_id_of_any_length_is_cut_in_the_log() {
    let (_sb, server) = server();
    let long = "é".repeat(600);
    let body = serde_json::json!({ "userId": long }).to_string();
    server.post("/token", &body).assert_error(400, &["255"]);
    let log = log_holding(&server, |log| log.contains("POST /token 400"));
    let line = log.lines().find(|l| l.contains("POST /token 400")).unwrap();
    assert!(line.contains("…(600 characters)"), "{line}");
    assert!(!line.contains(&"é".repeat(256)), "{line}");
}

#[test]
fn inspect_takes_bodies_up_to_64_mib_and_judges_200_tokens_at_most() {
    let (sb, server) = server();
    // Over the 64 KiB of the other endpoints: judged.
    let padding = "x".repeat(100 * 1024);
    let token = server.get("/token?userId=customer-1").json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let text = format!("{padding}\n{token}\n");
    let reply = server.post("/inspect", &text);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["tokens"][0]["places"][0], "line 2, column 1");
    // Over 64 MiB: refused with this route's own words, and the server goes on.
    let big = vec![b'x'; 64 * 1024 * 1024 + 1];
    let reply = server.request("POST", "/inspect", &[], &big);
    reply.assert_error(
        413,
        &["64 MiB", "the part of the file that holds the token"],
    );
    assert_eq!(server.get("/healthz").status, 200);
    // 201 tokens: 200 judged, one counted.
    let ids: String = (1..=201).map(|n| format!("customer-{n}\n")).collect();
    sb.write("ids.txt", ids);
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "standin-iadvize-private.pem",
        "--user-ids",
        "ids.txt",
    ]));
    assert_exit(&out, 0);
    let reply = server.post("/inspect", &stdout(&out));
    assert_eq!(reply.status, 200);
    let answer = reply.json();
    assert_eq!(answer["tokens"].as_array().unwrap().len(), 200);
    assert_eq!(answer["not_judged"], 1);
    log_holding(&server, |log| {
        log.contains("inspected (200 tokens judged: 200 accepted)")
    });
}

// One set of parameters for /token, and a log that explains.

#[test]
fn post_token_takes_the_query_parameters_of_get_and_both_refuse_unknown_ones() {
    let (_sb, server) = server();
    let reply = server.post(
        "/token?fault=wrong-signer",
        r#"{"userId": "customer-8812"}"#,
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let answer = reply.json();
    assert!(
        answer["notices"][0]
            .as_str()
            .unwrap()
            .contains("(wrong-signer)"),
        "{answer}"
    );
    let token = answer["token"].as_str().unwrap();
    let verified = server.post("/verify", token).json();
    assert_eq!(
        verified["authentication"]["status"],
        "authentication-failure"
    );
    assert_eq!(verified["diagnosis"]["first_failure"], "jws.signature");
    for method in ["GET", "POST"] {
        let reply = server.request(method, "/token?userId=customer-8812&bogus=1", &[], b"");
        reply.assert_error(400, &["unknown parameter \"bogus\""]);
    }
    // A member in both places is refused, naming it.
    server
        .post("/token?userId=a", r#"{"userId": "b"}"#)
        .assert_error(400, &["userId is given more than once"]);
    // Percent-encoding that is not UTF-8 is refused, not minted for the user id "\u{FFFD}";
    // form encoding (`+`, UTF-8 escapes) is read as a browser writes it.
    for method in ["GET", "POST"] {
        let reply = server.request(method, "/token?userId=caf%E9", &[], b"");
        reply.assert_error(
            400,
            &["parameter \"userId\" is not UTF-8 once percent-decoded"],
        );
    }
    let reply = server.get("/token?userId=Ren%C3%A9e+Dupont&city=Saint+Herblain");
    assert_eq!(reply.status, 200, "{reply:?}");
    let token = reply.json()["token"].as_str().unwrap().to_string();
    let claims = &server.post("/verify", &token).json()["diagnosis"]["report"]["jws"]["claims"];
    assert_eq!(
        claims["https://iadvize.com/userId"], "Renée Dupont",
        "{claims}"
    );
    assert_eq!(
        claims["https://iadvize.com/visitorData"]["city"], "Saint Herblain",
        "{claims}"
    );
}

/// Log lines of `server` that hold every needle.
fn log_lines<'a>(log: &'a str, needles: &[&str]) -> Vec<&'a str> {
    log.lines()
        .filter(|line| needles.iter().all(|n| line.contains(n)))
        .collect()
}

#[test]
fn a_refused_origin_host_secret_and_token_each_log_their_cause() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    sb.write("secret.txt", "0123456789abcdef-secret\n");
    let server = Server::start(
        &sb,
        &[
            STANDIN_ARGS,
            &[
                "--allow-origin",
                "http://localhost:3000",
                "--access-token-file",
                "secret.txt",
            ],
        ]
        .concat(),
    );
    let bearer = ("Authorization", "Bearer 0123456789abcdef-secret");
    // A page on 127.0.0.1:3000 while localhost:3000 is allowed: the preflight is refused, and
    // the browser shows no more than a network error.
    let reply = server.request(
        "OPTIONS",
        "/token",
        &[
            ("Origin", "http://127.0.0.1:3000"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(reply.status, 403);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    let host = server.request("GET", "/healthz", &[("Host", "evil.example:8787")], b"");
    assert_eq!(host.status, 403);
    assert_eq!(server.get("/token?userId=a").status, 401);
    let token = server.request(
        "GET",
        "/token?userId=customer-8812&fault=expired",
        &[bearer],
        b"",
    );
    let token = token.json()["token"].as_str().unwrap().to_string();
    let verified = server.request("POST", "/verify", &[bearer], token.as_bytes());
    assert_eq!(verified.status, 200);

    let log = log_holding(&server, |log| log.contains("POST /verify 200"));
    let origin = log_lines(
        &log,
        &[
            "OPTIONS /token 403",
            "refused (origin \"http://127.0.0.1:3000\" refused",
        ],
    );
    assert_eq!(origin.len(), 1, "{log}");
    assert!(
        origin[0].contains("--allow-origin http://localhost:3000")
            && origin[0].contains(
                "a browser treats 127.0.0.1 and localhost as different origins: open the page \
                 as http://localhost:3000, or add --allow-origin http://127.0.0.1:3000"
            ),
        "{}",
        origin[0]
    );
    let host = log_lines(
        &log,
        &[
            "GET /healthz 403",
            "refused (Host \"evil.example:8787\" refused",
        ],
    );
    assert_eq!(host.len(), 1, "{log}");
    assert!(
        host[0].contains("allowed are localhost, 127.0.0.1, [::1]"),
        "{}",
        host[0]
    );
    assert_eq!(
        log_lines(&log, &["GET /token 401", "refused (no bearer secret"]).len(),
        1,
        "{log}"
    );
    assert_eq!(
        log_lines(
            &log,
            &[
                "POST /verify 200",
                "authentication-failure (first failing check claims.exp)"
            ]
        )
        .len(),
        1,
        "{log}"
    );
    // /requests, as the JSON log, has the same fields.
    let entries = server.request("GET", "/requests", &[bearer], b"").json();
    let causes: Vec<&str> = entries["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["cause"].as_str())
        .collect();
    assert!(
        causes.iter().any(|c| c.contains("different origins")),
        "{causes:?}"
    );
    assert!(
        causes
            .iter()
            .any(|c| c.starts_with("Host \"evil.example:8787\" refused"))
    );
    assert!(
        causes.contains(&"first failing check claims.exp"),
        "{causes:?}"
    );
}

#[test]
fn the_json_log_names_the_same_causes() {
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, &[STANDIN_ARGS, &["--log", "json"]].concat());
    let reply = server.request(
        "POST",
        "/token",
        &[("Origin", "https://evil.example")],
        br#"{"userId": "a"}"#,
    );
    assert_eq!(reply.status, 403);
    let token = server
        .get("/token?userId=customer-8812&fault=wrong-signer")
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    server.post("/verify", &token);
    let entries: Vec<Value> = log_holding(&server, |log| log.contains(r#""path":"/verify""#))
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let origin = entries.iter().find(|e| e["status"] == 403).expect("logged");
    assert_eq!(origin["verdict"], "refused");
    assert!(
        origin["cause"].as_str().unwrap().starts_with(
            "origin \"https://evil.example\" refused: allowed are this server's own pages"
        ),
        "{origin}"
    );
    let verified = entries
        .iter()
        .find(|e| e["path"] == "/verify")
        .expect("logged");
    assert_eq!(verified["verdict"], "authentication-failure");
    assert_eq!(verified["cause"], "first failing check jws.signature");
    assert_eq!(verified["user_id"], "customer-8812");
}

// A user id a spreadsheet turned into an error value is minted with mint's warning, in the
// answer's notices.
#[test]
fn token_for_a_spreadsheet_error_value_carries_the_warning_in_its_notices() {
    let (_sb, server) = server();
    let reply = server.get("/token?userId=%23N%2FA");
    assert_eq!(reply.status, 200, "{reply:?}");
    let answer = reply.json();
    let notices = answer["notices"].as_array().unwrap();
    assert!(
        notices.iter().any(|notice| notice
            .as_str()
            .unwrap()
            .contains("user id \"#N/A\" is a spreadsheet error value")),
        "{answer}"
    );
}
