//! The rehearsal page and the stand-in tag in headless Chromium (Debian's /usr/bin/chromium,
//! driven by playwright-core from tests/browser/rehearsal.mjs), against the real binary. Under
//! CI=true a missing browser fails the test; elsewhere the test says it skipped.
//!
//! The screenshot of the logged-in page is kept as target/serve-browser/logged-in.png.

use std::path::Path;
use std::process::Command;

use crate::common::server::{STANDIN_ARGS, Server};
use crate::common::*;
use serde_json::Value;

const CHROMIUM: &str = "/usr/bin/chromium";
const FIXTURES: &[&str] = &[
    "brand-private.pem",
    "other-private.pem",
    "standin-iadvize-private.pem",
    "standin-iadvize-public.pem",
];
const BANNER: &str = "You are logged in. This conversation is secured.";

/// False (with a message) when there is no browser and this is not CI.
fn have_chromium() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{CHROMIUM} is missing: install Debian's chromium package (scripts/test does)"
    );
    eprintln!("skipped: {CHROMIUM} is not installed (apt-get install chromium)");
    false
}

/// A sandbox with the fixtures and a server on the stand-in key, with `extra` arguments; `None`
/// (the test skips) when there is no browser outside CI.
fn start(extra: &[&str]) -> Option<(Sandbox, Server)> {
    if !have_chromium() {
        return None;
    }
    let sb = Sandbox::with_fixtures(FIXTURES);
    let server = Server::start(&sb, &[STANDIN_ARGS, extra].concat());
    Some((sb, server))
}

/// Runs one scenario of tests/browser/rehearsal.mjs; what the page showed.
fn browse(server: &Server, scenario: &str, env: &[(&str, &str)]) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("node");
    cmd.arg(root.join("tests/browser/rehearsal.mjs"))
        .arg(scenario)
        .env("SERVE_URL", &server.url)
        .env("INTEROP_DIR", interop_dir());
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = run(&mut cmd);
    assert_exit(&out, 0);
    let result: Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    assert!(
        result.get("error").is_none(),
        "the browser scenario failed: {result:#}\nserver log:\n{}",
        server.stderr()
    );
    result
}

/// (method, path, verdict) of every request the server saw.
fn requests(server: &Server) -> Vec<(String, String, Option<String>)> {
    server.get("/requests").json()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["verdict"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn count(
    seen: &[(String, String, Option<String>)],
    method: &str,
    path: &str,
    verdict: Option<&str>,
) -> usize {
    seen.iter()
        .filter(|(m, p, v)| m == method && p == path && v.as_deref() == verdict)
        .count()
}

#[test]
fn rehearsal_page_logs_in_refuses_a_second_activation_and_logs_in_after_logout() {
    let Some((_sb, server)) = start(&[]) else {
        return;
    };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/serve-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("logged-in.png");
    let _ = std::fs::remove_file(&shot);
    let seen = browse(&server, "login", &[("SCREENSHOT", shot.to_str().unwrap())]);

    let first = &seen["first"];
    assert_eq!(first["status"], "authentication-success", "{seen:#}");
    assert!(
        first["banner"].as_str().unwrap().contains(BANNER),
        "{first:#}"
    );
    assert_eq!(first["advisorLock"], true, "the advisor sees the lock");
    assert_eq!(first["advisorName"], "customer-8812");
    assert!(
        first["activation"]
            .as_str()
            .unwrap()
            .contains("\"status\": \"authentication-success\"")
    );

    let twice = &seen["twice"];
    assert_eq!(twice["status"], "authentication-failure");
    assert_eq!(
        twice["reason"],
        "reason: Can't activate twice, please logout first"
    );
    assert_eq!(
        twice["session"], "authenticated",
        "the first session is still open"
    );
    assert_eq!(
        twice["diagnosis"],
        Value::Null,
        "a flow error has no token to diagnose"
    );

    let out = &seen["loggedOut"];
    assert_eq!(out["status"], "logged-out");
    assert_eq!(out["banner"], Value::Null);
    assert_eq!(out["advisorLock"], false);

    let again = &seen["again"];
    assert_eq!(again["status"], "authentication-success");
    assert!(again["banner"].as_str().unwrap().contains(BANNER));

    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "a real screenshot"
    );
    let seen = requests(&server);
    assert_eq!(
        count(&seen, "POST", "/token", Some("minted")),
        2,
        "{seen:?}"
    );
    assert_eq!(
        count(&seen, "POST", "/verify", Some("authentication-success")),
        2,
        "{seen:?}"
    );
}

#[test]
fn a_token_signed_with_another_key_shows_failure_and_the_diagnosis() {
    let Some((sb, server)) = start(&[]) else {
        return;
    };
    // What a brand's backend signing with the wrong key would answer.
    let bad = rehearsal_token_with(&sb, "other-private.pem", "customer-8812", &[]);
    let seen = browse(&server, "bad-token", &[("BAD_TOKEN", &bad)]);
    let first = &seen["first"];
    assert_eq!(first["status"], "authentication-failure", "{seen:#}");
    assert_eq!(
        first["reason"],
        "reason: Failed to fetch authentication with a server error"
    );
    let diagnosis = first["diagnosis"].as_str().expect("diagnosis shown");
    assert!(diagnosis.contains("not iAdvize's words"), "{diagnosis}");
    assert!(diagnosis.contains("FAIL jws.signature"), "{diagnosis}");
    assert_eq!(first["banner"], Value::Null);
    assert_eq!(first["advisorLock"], false);
    let console = seen["console"].to_string();
    assert!(
        console.contains("jws.signature"),
        "the stand-in explains in the console: {console}"
    );
    // iAdvize's script tries three more times before it gives up.
    let seen = requests(&server);
    assert_eq!(
        count(&seen, "POST", "/verify", Some("authentication-failure")),
        4,
        "{seen:?}"
    );
}

#[test]
fn a_page_using_the_boxed_tag_messages_gets_its_token() {
    let Some((_sb, server)) = start(&[]) else {
        return;
    };
    let seen = browse(&server, "boxed", &[]);
    for state in ["first", "again"] {
        assert_eq!(seen[state]["status"], "authentication-success", "{seen:#}");
        assert!(seen[state]["banner"].as_str().unwrap().contains(BANNER));
    }
    let events = seen["again"]["events"].to_string();
    assert_eq!(
        events.matches("boxed tag: get-activate-auth-token").count(),
        2,
        "{events}"
    );
    let seen = requests(&server);
    assert_eq!(count(&seen, "GET", "/boxed.html", None), 1, "{seen:?}");
    assert_eq!(
        count(&seen, "POST", "/verify", Some("authentication-success")),
        2
    );
}

#[test]
fn a_brands_own_page_works_with_standin_js_unchanged() {
    // The brand page's own server, on another loopback address: another origin.
    let port = std::net::TcpListener::bind("127.0.0.2:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("http://127.0.0.2:{port}");
    let Some((_sb, server)) = start(&["--allow-origin", &origin]) else {
        return;
    };
    let seen = browse(&server, "brand-page", &[("BRAND_ORIGIN", &origin)]);
    let results = &seen["results"];
    let auth = |name: &str| &results[name]["authentication"];
    assert_eq!(
        auth("ongoing")["reason"],
        "An activation is already ongoing",
        "{seen:#}"
    );
    assert_eq!(auth("first")["status"], "authentication-success");
    assert_eq!(auth("first")["option"]["type"], "SECURED_AUTHENTICATION");
    assert_eq!(
        auth("twice")["reason"],
        "Can't activate twice, please logout first"
    );
    assert_eq!(
        auth("invalid")["reason"],
        "A valid authentication option must be provided"
    );
    assert_eq!(auth("invalid")["status"], "authentication-failure");
    assert_eq!(auth("afterLogout")["status"], "authentication-success");
    // A real cross-origin exchange: the browser asked before posting JSON to /token.
    let seen = requests(&server);
    assert!(count(&seen, "OPTIONS", "/token", None) >= 1, "{seen:?}");
    assert_eq!(
        count(&seen, "POST", "/token", Some("minted")),
        2,
        "{seen:?}"
    );
}

#[test]
fn the_provider_is_called_again_when_the_session_lifetime_is_over() {
    let Some((_sb, server)) = start(&[]) else {
        return;
    };
    let seen = browse(&server, "refresh", &[]);
    assert_eq!(
        seen["first"]["status"], "authentication-success",
        "{seen:#}"
    );
    let later = &seen["later"];
    assert!(later["refreshes"].as_u64().unwrap() >= 2, "{later:#}");
    assert_eq!(later["session"], "authenticated");
    let events = later["events"].to_string();
    assert!(
        events.contains("the provider was called again, authentication-success"),
        "{events}"
    );
    let seen = requests(&server);
    assert!(
        count(&seen, "POST", "/token", Some("minted")) >= 3,
        "{seen:?}"
    );
}

/// Where screenshots go: target/serve-browser/NAME.png, written anew.
fn screenshot(name: &str) -> String {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/serve-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    shot.to_str().unwrap().to_string()
}

#[track_caller]
fn assert_screenshot(path: &str) {
    let png = std::fs::read(path).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
}

/// A token from the server's own endpoint.
fn served_token(server: &Server, query: &str) -> String {
    let reply = server.get(&format!("/token?{query}"));
    assert_eq!(reply.status, 200, "{reply:?}");
    reply.json()["token"].as_str().unwrap().to_string()
}

#[test]
fn a_fault_picked_on_the_rehearsal_page_fails_with_its_check_in_diagnosis_and_events() {
    let Some((_sb, server)) = start(&[]) else {
        return;
    };
    for (fault, check) in [("expired", "claims.exp"), ("wrong-signer", "jws.signature")] {
        let shot = screenshot(&format!("fault-{fault}"));
        let seen = browse(&server, "fault", &[("FAULT", fault), ("SCREENSHOT", &shot)]);
        assert_screenshot(&shot);
        let first_view = seen["firstView"]["hint"].as_str().unwrap();
        assert!(first_view.contains("press Log in"), "{first_view}");
        assert_eq!(seen["firstView"]["activationShown"], false, "no empty box");

        // Every fault is offered; with the brand's own key, those that hand out the signed
        // token in the clear are offered disabled, saying why.
        let options = seen["options"].as_array().unwrap();
        let faults = server.get("/faults").json();
        assert_eq!(
            options.len(),
            faults["faults"].as_array().unwrap().len() + 1,
            "{options:?}"
        );
        let plain = options.iter().find(|o| o["value"] == "plain-jws").unwrap();
        assert_eq!(plain["disabled"], true);
        assert!(
            plain["title"]
                .as_str()
                .unwrap()
                .contains("without the brand's own key"),
            "{plain}"
        );
        assert!(
            seen["faultNote"].as_str().unwrap().contains(check),
            "{seen:#}"
        );

        let first = &seen["first"];
        assert_eq!(first["status"], "authentication-failure", "{seen:#}");
        let diagnosis = first["diagnosis"].as_str().expect("diagnosis shown");
        assert!(diagnosis.contains(&format!("FAIL {check}")), "{diagnosis}");
        // iAdvize's library lets an expired token through; the stand-in says why it does not.
        assert_eq!(
            diagnosis.contains(
                "The stand-in refuses it: it answers authentication-success only for tokens \
                 that keep iAdvize's documented rules"
            ),
            fault == "expired",
            "{diagnosis}"
        );
        let events = first["events"].as_array().unwrap();
        let refused: Vec<&str> = events
            .iter()
            .filter_map(Value::as_str)
            .filter(|e| e.contains("refused by the stand-in"))
            .collect();
        // The first try and iAdvize's three retries, each token refused for its check.
        assert_eq!(refused.len(), 4, "{events:#?}");
        for event in refused {
            assert!(
                event.contains(&format!("first failing check {check}")),
                "{event}"
            );
        }
        let notices = seen["notices"].as_array().unwrap();
        assert!(
            notices
                .iter()
                .any(|n| n.as_str().unwrap().contains(&format!("({fault})"))),
            "the fault's notice is on the page: {notices:?}"
        );
        assert_eq!(seen["overflows"], false, "no sideways scrolling");
    }
    let log = server.stderr();
    assert!(
        log.contains("authentication-failure (first failing check claims.exp)"),
        "{log}"
    );
}

#[test]
fn the_inspector_page_shows_the_verdict_of_a_pasted_token() {
    let Some((_sb, server)) = start(&[]) else {
        return;
    };
    let token = served_token(&server, "userId=customer-8812");
    let shot = screenshot("inspect-pasted");
    let seen = browse(
        &server,
        "inspect-paste",
        &[("PASTED", &token), ("SCREENSHOT", &shot)],
    );
    assert_screenshot(&shot);
    let first_view = &seen["firstView"];
    assert!(
        first_view["hint"].as_str().unwrap().contains("drop a file"),
        "{first_view:#}"
    );
    assert!(
        first_view["note"]
            .as_str()
            .unwrap()
            .contains("nothing leaves the machine"),
        "{first_view:#}"
    );
    let shown = &seen["shown"];
    assert_eq!(shown["state"], "done", "{seen:#}");
    let tokens = shown["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "{shown:#}");
    let judged = &tokens[0];
    assert_eq!(judged["answer"], "accepted");
    let verdict = judged["verdict"].as_str().unwrap();
    assert!(
        verdict.starts_with("accepted"),
        "the verdict line comes first: {verdict}"
    );
    assert!(
        verdict.contains("your stand-in (SHA-256") && verdict.contains("accepts this token"),
        "{verdict}"
    );
    assert_eq!(judged["folded"], true, "details are folded");
    let text = judged["text"].as_str().unwrap();
    let inner = token_inner_signature_free(text);
    assert!(inner, "no signature shown: {text}");
    assert_eq!(seen["overflows"], false);
    // The log has the verdicts counted, never the text.
    let log = server.stderr();
    assert!(
        log.contains("POST /inspect 200") && log.contains("(1 token judged: 1 accepted)"),
        "{log}"
    );
    assert!(!log.contains(&token[..40]), "{log}");
}

/// True when `text` holds no run of 40 or more base64url characters that is not base64url of
/// JSON: no signature and no encrypted part.
fn token_inner_signature_free(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .all(|run| run.len() < 40 || run.starts_with("eyJ"))
}

#[test]
fn the_inspector_page_shows_three_verdicts_with_their_places_for_a_dropped_har_file() {
    let Some((sb, server)) = start(&[]) else {
        return;
    };
    let good = served_token(&server, "userId=customer-1");
    let expired = served_token(&server, "userId=customer-2&fault=expired");
    // A production token: encrypted to iAdvize's built-in key, which nobody here holds.
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--user-id",
        "customer-3",
    ]));
    assert_exit(&out, 0);
    let production = stdout(&out).trim().to_string();
    let har = serde_json::json!({"log": {"version": "1.2", "entries": [
        {"request": {"method": "POST", "url": "https://shop.example/auth/token",
            "headers": [], "queryString": [], "cookies": []},
         "response": {"status": 200, "content": {"mimeType": "application/json",
            "text": serde_json::json!({"token": good}).to_string()}}},
        {"request": {"method": "GET", "url": "https://shop.example/account",
            "headers": [{"name": "Authorization", "value": format!("Bearer {expired}")}],
            "queryString": [], "cookies": []},
         "response": {"status": 200, "content": {"mimeType": "text/html", "text": "<p>hi</p>"}}},
        {"request": {"method": "POST", "url": "https://shop.example/chat",
            "headers": [], "queryString": [], "cookies": [],
            "postData": {"mimeType": "application/json",
                "text": serde_json::json!({"token": production}).to_string()}},
         "response": {"status": 204, "content": {"mimeType": "text/plain", "text": ""}}},
    ]}});
    let file = sb.write("session.har", serde_json::to_string_pretty(&har).unwrap());
    let shot = screenshot("inspect-har");
    let seen = browse(
        &server,
        "inspect-drop",
        &[("DROPPED", file.to_str().unwrap()), ("SCREENSHOT", &shot)],
    );
    assert_screenshot(&shot);
    let shown = &seen["shown"];
    assert_eq!(shown["state"], "done", "{seen:#}");
    assert!(
        seen["file"].as_str().unwrap().contains("session.har"),
        "{seen:#}"
    );
    let tokens = shown["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 3, "{shown:#}");
    let answers: Vec<&str> = tokens
        .iter()
        .map(|t| t["answer"].as_str().unwrap())
        .collect();
    assert_eq!(
        answers,
        ["accepted", "rejected", "cannot-tell"],
        "{shown:#}"
    );
    let places: Vec<String> = tokens.iter().map(|t| t["places"].to_string()).collect();
    assert!(
        places[0].contains("HAR entry 1 (POST https://shop.example/auth/token)"),
        "{places:?}"
    );
    assert!(
        places[1].contains("HAR entry 2 (GET https://shop.example/account)"),
        "{places:?}"
    );
    assert!(
        places[2].contains("HAR entry 3 (POST https://shop.example/chat)"),
        "{places:?}"
    );
    assert!(
        tokens[1]["fixes"].to_string().contains("FAIL claims.exp"),
        "{:#}",
        tokens[1]
    );
    let production_verdict = tokens[2]["sentence"].as_str().unwrap();
    assert!(
        production_verdict.starts_with("cannot tell whether iAdvize accepts this token"),
        "{production_verdict}"
    );
    assert!(
        tokens[2]["notes"]
            .to_string()
            .contains("does not open this token"),
        "{:#}",
        tokens[2]
    );
    assert_eq!(
        shown["summary"],
        "3 tokens: 1 accepted, 1 rejected, 1 cannot tell"
    );
    assert_eq!(seen["overflows"], false);
}

#[test]
fn serve_without_any_key_starts_and_the_rehearsal_page_logs_in() {
    if !have_chromium() {
        return;
    }
    let sb = Sandbox::new();
    // No key of any kind: a brand key and a stand-in are made for the run.
    let server = Server::start(&sb, &[]);
    let banner = server.stderr();
    assert!(
        banner.contains("rehearsal key generated for this run"),
        "{banner}"
    );
    let seen = browse(&server, "login", &[]);
    assert_eq!(
        seen["first"]["status"], "authentication-success",
        "{seen:#}"
    );
    assert!(seen["first"]["banner"].as_str().unwrap().contains(BANNER));
}
