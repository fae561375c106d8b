//! Tokens found wherever they were pasted from (a log, JSON, a HAR file, an `Authorization:`
//! header), each named by its place and wrappers, with no token text shown unless asked, in
//! memory and time proportional to the input.

use super::{Lab, NOW};
use crate::common::*;
use base64::Engine as _;
use serde_json::{Value, json};

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
            "Summary: 3 tokens found: 1 accepted, 1 breaking iAdvize's documented \
             rules, 1 rejected\n"
        ),
        "{human}"
    );
    // Briefly, in the summary's words: the expired token breaks the rules (exit 1), though
    // iAdvize's library lets it through; the good one is accepted by the stand-in only.
    let brief = stdout(&lab.inspect("@app.log", "dv", &["--brief"]));
    let answers: Vec<&str> = brief
        .lines()
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(
        answers,
        [
            "accepted",
            "breaks rules",
            "rejected",
            "Summary: 3 tokens found: 1 accepted, 1 breaking iAdvize's documented rules, 1 rejected"
        ],
        "{brief}"
    );
    assert!(
        brief.lines().next().unwrap().ends_with(
            "by your stand-in (SHA-256 67474fd3…); iAdvize's production service cannot open it"
        ),
        "{brief}"
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
        "accepted      HAR entry 1 (POST https://brand.example/api/token), request body (and 3 \
         more)  by your stand-in (SHA-256 67474fd3…); iAdvize's production service cannot open \
         it; as found at HAR entry 2 (GET https://brand.example/verify?t=eyJhbGciOiJSU0EtT0FFU\
         C0y…(1079 characters)), request header Authorization, after 'Bearer ': iAdvize refuses it"
    );
    assert!(
        lines[1].starts_with(
            "rejected      HAR entry 1 (POST https://brand.example/api/token), response body \
             (base64-decoded)  jws.signature: the signature does not verify"
        ),
        "{text}"
    );
    assert_eq!(lines[2], "Summary: 2 tokens found: 1 accepted, 1 rejected");
    assert!(!text.contains(&good[40..80]), "no token text: {text}");
}

/// The wrappers runtimes and copies put around a token, each as `(text around the token,
/// kinds outermost first)`.
fn wrapped_forms(token: &str) -> Vec<(String, Vec<&'static str>)> {
    vec![
        (format!("\"{token}\""), vec!["quotes"]),
        (format!("'{token}'"), vec!["quotes"]),
        (format!("Bearer {token}"), vec!["bearer"]),
        (format!("\"Bearer {token}\""), vec!["quotes", "bearer"]),
        (format!("b'{token}'"), vec!["python-bytes"]),
        (format!("%22{token}%22"), vec!["percent-encoding", "quotes"]),
        (token.replace('.', "%2E"), vec!["percent-encoding"]),
    ]
}

/// The kinds of the first wrappers of a `--json` report.
fn wrapper_kinds(report: &Value) -> Vec<String> {
    report["wrappers"][0]["layers"]
        .as_array()
        .map(|layers| {
            layers
                .iter()
                .map(|layer| layer["kind"].as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Quotes (JSON.stringify, a DevTools copy), `Bearer `, Python's `b'…'` and percent-encoding,
/// around a token alone and inside a log line: the token inside is judged (iAdvize accepts
/// it), and the wrapper is named, with its origin and fix, and judged apart: passed as found,
/// iAdvize refuses it.
#[test]
fn each_wrapper_alone_and_in_a_log_line_is_named_and_judged_apart() {
    let lab = Lab::new();
    let good = lab.good();
    for (wrapped, kinds) in wrapped_forms(&good) {
        let line = format!("2026-12-01 10:00:00 INFO handed to the page: {wrapped} (c-8812)");
        for (how, input) in [("alone", &wrapped), ("in a log line", &line)] {
            let (code, reports) = lab.reports(input, "dv");
            assert_eq!(code, 0, "{how}: {wrapped}: {reports:#?}");
            assert_eq!(reports.len(), 1, "{how}: {wrapped}: {reports:#?}");
            let report = &reports[0];
            assert_eq!(report["verdict"]["iadvize"], "accepts", "{how}: {wrapped}");
            assert_eq!(wrapper_kinds(report), kinds, "{how}: {wrapped}");
            let wrapper = &report["wrappers"][0];
            assert_eq!(wrapper["as_given"]["java_stack"], "rejects", "{wrapper}");
            assert!(wrapper["as_given"]["why"].as_str().unwrap().len() > 20);
            for layer in wrapper["layers"].as_array().unwrap() {
                assert!(layer["origin"].as_str().unwrap().len() > 10, "{layer}");
                assert!(layer["fix"].as_str().unwrap().len() > 10, "{layer}");
            }
            let human = stdout(&lab.inspect(input, "dv", &[]));
            let block: Vec<&str> = human
                .lines()
                .skip_while(|l| !l.starts_with("As found: "))
                .take_while(|l| !l.is_empty())
                .collect();
            let words = block
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                block.len() > kinds.len() && words.contains("passed like this, iAdvize refuses it"),
                "{how}: {wrapped}:\n{human}"
            );
            // One line per wrapper, named as people see it.
            let names = block[1..]
                .iter()
                .filter(|l| l.starts_with("  ") && !l.starts_with("   "));
            assert_eq!(names.count(), kinds.len(), "{how}: {wrapped}:\n{human}");
            // Briefly, too: the token inside accepted, the text as found refused.
            let brief = stdout(&lab.inspect(input, "dv", &["--brief"]));
            let first = brief.lines().next().unwrap_or_default();
            assert!(
                first.starts_with("accepted ") && first.ends_with(": iAdvize refuses it"),
                "{how}: {wrapped}:\n{brief}"
            );
        }
    }
}

/// `?jwe=%22eyJ…%22` (JSON.stringify, then a query string) in a JSON string and in a HAR
/// request URL that has no `queryString` array: found, and both wrappers named.
#[test]
fn a_url_encoded_quoted_token_is_found_in_json_and_in_a_har_url() {
    let lab = Lab::new();
    let good = lab.good();
    let url = format!("https://brand.example/chat?jwe=%22{good}%22&lang=fr");
    let json = json!({"event": "navigate", "url": url}).to_string();
    let har = json!({"log": {"version": "1.2", "entries": [{
        "request": {"method": "GET", "url": url, "headers": []},
        "response": {"status": 200, "content": {"size": 0}}
    }]}});
    lab.sb.write("nav.har", har.to_string());
    for input in [json.as_str(), "@nav.har"] {
        let (code, reports) = lab.reports(input, "dv");
        assert_eq!(code, 0, "{input}: {reports:#?}");
        assert_eq!(reports.len(), 1, "{input}: {reports:#?}");
        assert_eq!(reports[0]["verdict"]["iadvize"], "accepts");
        assert_eq!(wrapper_kinds(&reports[0]), ["percent-encoding", "quotes"]);
    }
}

/// The token text is nowhere in a report unless `--show-tokens`: not in a HAR request's URL
/// (plain or percent-encoded), its query string, a header, nor a JSON key. Only its first 24
/// characters (the start of its header) are shown.
#[test]
fn a_har_file_shows_no_token_text_without_show_tokens() {
    let lab = Lab::new();
    let good = lab.good();
    let other = lab.token("c-9", "brand-private.pem", NOW);
    let har = json!({"log": {"version": "1.2", "entries": [{
        "request": {
            "method": "POST",
            "url": format!("https://brand.example/chat?jwe={good}&q=%22{}%22", other.replace('.', "%2E")),
            "queryString": [{"name": "jwe", "value": good}],
            "headers": [{"name": format!("X-{other}"), "value": format!("Bearer {good}")}],
            "postData": {"mimeType": "application/json",
                         "text": json!({ other.clone(): {"token": good} }).to_string()}
        },
        "response": {"status": 200, "content": {"size": 0}}
    }]}});
    lab.sb.write("session.har", har.to_string());
    // Any 30 characters of a token (its first 24 may be shown).
    let leaks = |text: &str| -> Vec<String> {
        [&good, &other]
            .iter()
            .flat_map(|token| {
                (0..token.len() - 30)
                    .map(|at| token[at..at + 30].to_string())
                    .filter(|window| text.contains(window.as_str()))
                    .take(1)
            })
            .collect()
    };
    for extra in [&["--json"][..], &[]] {
        let out = lab.inspect("@session.har", "dv", extra);
        assert_exit(&out, 0);
        let text = stdout(&out);
        assert!(
            text.contains("HAR entry 1 (POST https://brand.example/chat?jwe=eyJ"),
            "{text}"
        );
        assert_eq!(leaks(&text), Vec::<String>::new(), "{extra:?}:\n{text}");
    }
    let shown = stdout(&lab.inspect("@session.har", "dv", &["--json", "--show-tokens"]));
    assert_eq!(leaks(&shown).len(), 2, "asked for, the tokens are shown");
}

/// What a run of `inspect` under a memory cap printed.
struct Capped {
    code: Option<i32>,
    stderr: String,
    /// Lines of stdout that start a report.
    verdicts: usize,
    last_line: String,
    seconds: f64,
}

/// `inspect @FILE ARGS` with its address space capped at 4× the file's size + 64 MiB (the
/// budget of docs/performance.md), stdout read as it comes and only counted.
fn inspect_capped(sb: &Sandbox, file: &str, args: &[&str]) -> Capped {
    use std::io::{BufRead, Read};
    use std::os::unix::process::CommandExt;
    let size = std::fs::metadata(sb.join(file)).unwrap().len();
    let limit = 4 * size + 64 * 1024 * 1024;
    let mut cmd = sb.cmd();
    cmd.args(["inspect", &format!("@{file}")])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let cap = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = std::time::Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut verdicts = 0;
    let mut last_line = String::new();
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        verdicts += usize::from(line.starts_with("Verdict:"));
        if !line.is_empty() {
            last_line = line;
        }
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    Capped {
        code: status.code(),
        stderr,
        verdicts,
        last_line,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Peak memory stays within 4× the input's size + 64 MiB for inputs up to the 64 MiB limit,
/// those that used to take the most included: a HAR whose large URL is shared by many fields
/// (each place refers to it, none copies it), a log with more distinct tokens than are kept and
/// many places each, a 60 MiB single "token" (not judged: tokens are judged up to 4 MiB), and a
/// HAR with one large base64 response body.
#[test]
fn finding_stays_within_four_times_the_input_plus_64_mib() {
    use std::io::Write;
    const MIB: usize = 1024 * 1024;
    let sb = Sandbox::new();

    // 20,000 token-shaped header values in one entry whose URL is 16 MiB.
    let headers: Vec<Value> = (0..20_000)
        .map(|i| json!({"name": format!("X-T{i}"), "value": format!("eyJhbGciOiJub25lIn0.{i}.x")}))
        .collect();
    let har = json!({"log": {"version": "1.2", "entries": [{
        "request": {"method": "GET", "url": format!("https://brand.example/?x={}", "a".repeat(16 * MIB)),
                    "headers": headers},
        "response": {"status": 200, "content": {"size": 0}}
    }]}});
    sb.write("shared-url.har", har.to_string());
    let run = inspect_capped(&sb, "shared-url.har", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.verdicts, 20_000);

    // 100,000 distinct tokens 16 times each, then distinct ones up to 63 MiB: the first
    // 100,000 are judged, the others counted.
    let mut log = std::io::BufWriter::new(std::fs::File::create(sb.join("many.log")).unwrap());
    let mut size = 0;
    for _ in 0..16 {
        for i in 0..100_000 {
            size += log.write(format!("eyJ.{i}\n").as_bytes()).unwrap();
        }
    }
    let mut i = 100_000;
    while size < 63 * MIB {
        size += log.write(format!("eyJ.{i}\n").as_bytes()).unwrap();
        i += 1;
    }
    drop(log);
    let run = inspect_capped(&sb, "many.log", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.verdicts, 100_000);
    assert!(
        run.stderr.contains("more than 100000 different tokens"),
        "{}",
        run.stderr
    );
    assert!(
        run.last_line.starts_with("Summary: 100000 tokens found"),
        "{}",
        run.last_line
    );

    // One token-shaped text of 60 MiB.
    sb.write(
        "huge.txt",
        format!("eyJ{}.{}.x.y.z", "A".repeat(30 * MIB), "B".repeat(30 * MIB)),
    );
    let run = inspect_capped(&sb, "huge.txt", &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("inspect judges tokens up to 4 MiB"),
        "{}",
        run.stderr
    );

    // One HAR entry of 60 MiB: a base64 response body with a token every kilobyte.
    let body = format!("{} eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.c2ln ", "x".repeat(1000)).repeat(44_000);
    let har = json!({"log": {"version": "1.2", "entries": [{
        "request": {"method": "GET", "url": "https://brand.example/"},
        "response": {"status": 200, "content": {
            "text": base64::engine::general_purpose::STANDARD.encode(body), "encoding": "base64"}}
    }]}});
    sb.write("big-body.har", har.to_string());
    let run = inspect_capped(&sb, "big-body.har", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.verdicts, 1);
}

/// 100,000 distinct candidate tokens in a log are found, judged without keys and summarised,
/// in time linear in their number (the 10,000 first take a tenth of it, give or take the
/// machine's noise). The test binary is not optimised: the release build's figure is in
/// docs/performance.md.
#[test]
fn a_hundred_thousand_tokens_in_a_log_are_judged_in_linear_time() {
    use std::io::Write;
    let sb = Sandbox::new();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = b64(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}"#);
    for (file, count) in [("10k.log", 10_000u32), ("100k.log", 100_000)] {
        let mut log = std::io::BufWriter::new(std::fs::File::create(sb.join(file)).unwrap());
        for i in 0..count {
            let n = i.to_be_bytes();
            writeln!(
                log,
                "2026-12-01 10:00:00 INFO token={header}.{}.{}.{}.{} n={i}",
                b64(&[n, n, n].concat()),
                b64(&n),
                b64(&[n, n].concat()),
                b64(&n)
            )
            .unwrap();
        }
    }
    let small = inspect_capped(&sb, "10k.log", &[]);
    let run = inspect_capped(&sb, "100k.log", &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.verdicts, 100_000);
    assert_eq!(
        run.last_line,
        "Summary: 100000 tokens found: 100000 rejected"
    );
    assert_eq!(small.verdicts, 10_000);
    assert!(
        run.seconds < 30.0 * small.seconds.max(0.1) && run.seconds < 90.0,
        "10,000 tokens in {:.1} s, 100,000 in {:.1} s",
        small.seconds,
        run.seconds
    );
}

/// `--brief` in the summary's words, each answer with the cause a reader needs: a broken rule
/// where nothing else decides (`breaks rules`, not `rejected`), the size of a recipient key
/// that is not iAdvize's, and the inner signed token that is right but never accepted alone.
#[test]
fn each_brief_answer_says_its_cause() {
    let lab = Lab::new();
    let brief = |input: &str, keys: &str, extra: &[&str]| {
        let mut args = vec!["--brief"];
        args.extend(extra);
        let out = lab.inspect(input, keys, &args);
        let text = stdout(&out);
        (
            out.status.code(),
            text.lines().next().unwrap_or_default().to_string(),
            text,
        )
    };
    // Expired, its signature not checked: a rule broken, the library's answer unknown.
    let expired = lab.token("customer-8812", "brand-private.pem", NOW - 3600);
    let (code, line, text) = brief(&expired, "d", &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        line.starts_with("breaks rules  the whole input  claims.exp: expired"),
        "{text}"
    );
    assert!(text.ends_with("Summary: 1 token found: 1 breaking iAdvize's documented rules\n"));

    // Encrypted to a 4096-bit key: production refuses it, though no check fails.
    let out = run(lab
        .sb
        .cmd()
        .args(["keygen", "--bits", "4096", "--out-dir", "k4096"]));
    assert_exit(&out, 0);
    let out = run(lab.sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "k4096/public-key.pem",
        "--user-id",
        "customer-8812",
    ]));
    let (code, line, text) = brief(stdout(&out).trim(), "", &[]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(
        line,
        "rejected      the whole input  encrypted to a 4096-bit key: not iAdvize's 2048-bit \
         production key"
    );

    // The inner signed token alone, right: accepted as a signed token, and said so.
    let (code, line, text) = brief(&lab.inner(), "v", &["--expect", "jws"]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        line,
        "accepted      the whole input  the signed token is right; iAdvize needs it encrypted to \
         its key"
    );
}

/// A token at the end of a sentence (an e-mail, a ticket, a log message): the full stop is the
/// sentence's, not a sixth part of the token.
#[test]
fn a_full_stop_after_a_token_is_not_part_of_it() {
    let lab = Lab::new();
    let good = lab.good();
    let text = format!("Hello, the page got this token: {good}. It fails every time.\n");
    let (code, reports) = lab.reports(&text, "dv");
    assert_eq!(code, 0, "{reports:#?}");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["verdict"]["iadvize"], "accepts");
    assert_eq!(reports[0]["found"], json!(["line 1, column 33"]));
}
