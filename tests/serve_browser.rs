//! The rehearsal page and the stand-in tag in headless Chromium (Debian's /usr/bin/chromium,
//! driven by playwright-core from tests/browser/rehearsal.mjs), against the real binary. Under
//! CI=true a missing browser fails the test; elsewhere the test says it skipped.
//!
//! The screenshot of the logged-in page is kept as target/serve-browser/logged-in.png.

mod common;

use std::path::Path;
use std::process::Command;

use common::server::{STANDIN_ARGS, Server};
use common::*;
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
