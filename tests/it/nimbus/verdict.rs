//! `inspect`'s verdict on what iAdvize does with a token, against the real thing: every token
//! is also given to Nimbus JOSE+JWT 9.38 along iAdvize's path (decrypt, verify, read the user
//! id; tests/java/NimbusVerdict.java) and both must say the same. The tokens come from
//! independent implementations (tests/interop/matrix.py: jwcrypto, node jose, bytes crafted with
//! python cryptography), then from a few thousand mutations of the good ones. Runs where the
//! Nimbus jar is (see tests/it/common/nimbus.rs); skips, saying so, where it is not.

use std::collections::BTreeMap;
use std::process::Command;

use crate::common::nimbus::{NimbusVerdict, nimbus_present, nimbus_verdict};
use crate::common::*;
use base64::Engine;
use serde_json::Value;

/// inspect judges times at this instant (matrix.py's NOW).
const NOW: &str = "1700000000";
const DECRYPT_KEY: &str = "standin-iadvize-private.pem";
const VERIFY_KEY: &str = "brand-public.pem";

/// A sandbox with the two keys inspect and Nimbus open tokens with (matrix.py makes them with
/// the fixtures in tests/fixtures).
fn lab() -> Sandbox {
    Sandbox::with_fixtures(&[DECRYPT_KEY, VERIFY_KEY])
}

/// One line of matrix.py's output.
struct Case {
    name: String,
    made_by: String,
    text: Vec<u8>,
}

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

/// Runs tests/interop/matrix.py; `stdin` for `--seal`.
fn matrix_py(args: &[&str], stdin: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(interop_dir().join("venv/bin/python"));
    cmd.arg(root.join("tests/interop/matrix.py"))
        .args(args)
        .env("INTEROP_DIR", interop_dir());
    let out = run_with_stdin(&mut cmd, stdin.as_bytes());
    assert_exit(&out, 0);
    stdout(&out)
}

/// The matrix's cases, each with its `expect_check` (`None` for a good token).
fn matrix() -> Vec<(Case, Option<String>)> {
    matrix_py(&[], "")
        .lines()
        .map(|line| {
            let case: Value = serde_json::from_str(line).expect("a JSON line");
            let text = |field: &str| case[field].as_str().expect(field).to_owned();
            (
                Case {
                    name: text("name"),
                    made_by: text("made_by"),
                    text: b64(&text("text_b64")),
                },
                case["expect_check"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// `inspect --json` of the exact text, with both keys; `Value::Null` when stdout is not JSON
/// (today, an unusable input: exit 2 and an error on stderr).
fn inspect(lab: &Sandbox, file: &str, text: &[u8]) -> (Option<i32>, Value, String) {
    // The exact text as an argument (a file's leading byte order mark would be read as the
    // file's encoding); through a file only what an argument cannot carry.
    let argument = match std::str::from_utf8(text) {
        Ok(text) if !text.contains('\0') => text.to_string(),
        _ => {
            lab.write(file, text);
            format!("@{file}")
        }
    };
    let out = run(lab.cmd().args([
        "inspect",
        "--json",
        "--decrypt-key",
        DECRYPT_KEY,
        "--verify-key",
        VERIFY_KEY,
        "--now",
        NOW,
        "--",
        &argument,
    ]));
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, stderr(&out))
}

/// Our answer to "what does iAdvize do with it": `verdict.iadvize` ("accepts", "rejects",
/// "unknown").
fn our_verdict(report: &Value) -> &str {
    // A token found inside wrappers (quotes, `Bearer ` …) is judged inside them; what iAdvize
    // does with the text as given is said of the wrappers.
    if let Some(as_given) = report["wrappers"][0]["as_given"]["java_stack"].as_str() {
        return as_given;
    }
    if let Some(verdict) = report["verdict"]["iadvize"].as_str() {
        return verdict;
    }
    // An unusable input (exit 2) has an error instead: no token at all, which iAdvize refuses.
    if report["error"].is_string() || report.is_null() {
        return "rejects";
    }
    "no verdict"
}

/// The failing and warning checks of a report, or the error when there is none.
fn summary(report: &Value, stderr: &str) -> String {
    let Some(checks) = report["checks"].as_array() else {
        return format!("no report: {}", stderr.trim());
    };
    let lines: Vec<String> = checks
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "warn")
        .map(|c| {
            format!(
                "{} {} ({}): {}",
                c["status"].as_str().unwrap_or("?"),
                c["id"].as_str().unwrap_or("?"),
                c["java_stack"].as_str().unwrap_or("?"),
                c["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    if lines.is_empty() {
        "every check passes".to_owned()
    } else {
        lines.join("; ")
    }
}

/// Both verdicts on one text, and a description of any disagreement.
fn compare(lab: &Sandbox, file: &str, case: &Case) -> (NimbusVerdict, Option<String>) {
    let theirs = nimbus_verdict(&case.text, &lab.join(DECRYPT_KEY), &lab.join(VERIFY_KEY));
    let (code, report, stderr) = inspect(lab, file, &case.text);
    let ours = our_verdict(&report);
    let expected = if theirs.accepts { "accepts" } else { "rejects" };
    let crashed = !matches!(code, Some(0..=3)) || stderr.contains("panicked");
    if ours == expected && !crashed {
        return (theirs, None);
    }
    let text = String::from_utf8_lossy(&case.text);
    // Whole, to reproduce the case, unless it is one of the long-header cases.
    let shown: String = text.chars().take(2000).collect();
    let more = if shown.len() < text.len() { " …" } else { "" };
    let failure = format!(
        "{} (made by {})\n  Nimbus: {expected} {}\n  ours:   {ours} (exit {code:?}): {}\n  text:   {shown:?}{more}",
        case.name,
        case.made_by,
        theirs.detail,
        summary(&report, &stderr),
    );
    (theirs, Some(failure))
}

#[test]
fn every_matrix_token_gets_nimbus_s_verdict() {
    if !nimbus_present() {
        return;
    }
    let lab = lab();
    let cases = matrix();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut accepted = 0;
    for (case, expect_check) in &cases {
        let (theirs, failure) = compare(&lab, "token.txt", case);
        accepted += usize::from(theirs.accepts);
        // A good token that Nimbus refuses means the matrix or the harness is wrong.
        assert!(
            theirs.accepts || expect_check.is_some(),
            "{}: a good token, but Nimbus {}",
            case.name,
            theirs.detail
        );
        failures.extend(failure);
    }
    assert!(
        accepted > 10 && accepted < cases.len() - 10,
        "{accepted} accepted"
    );
    assert!(
        failures.is_empty(),
        "{} of {} tokens: inspect disagrees with Nimbus\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every fault of the matrix fails (or warns about) the check it names, and the causes that
/// are easy to misname get their own words. Needs no Nimbus: the tokens come from jwcrypto,
/// node jose and python cryptography.
#[test]
fn each_matrix_fault_is_caught_by_its_check_under_its_own_name() {
    let lab = lab();
    // Matrix case → words its check's message must contain.
    let names: &[(&str, &str)] = &[
        ("jwe in JSON serialisation", "JSON serialisation"),
        (
            "jwe of a JWS in JSON serialisation",
            "JWS in JSON serialisation",
        ),
        ("jwe double-encrypted", "encrypted twice"),
        ("jwe of a BOM then the JWS", "byte order mark"),
        ("jwe of claims not signed", "not a signed JWT"),
        (
            "jwe tag cut short by a copy (4 characters lost)",
            "cut short",
        ),
        ("jws alg lowercase rs256", "case-sensitive"),
        ("jwe alg literal RSA_OAEP_256", "Java constant"),
        (
            "jws of a JWE (encrypted, then signed)",
            "the wrong way round",
        ),
        ("noise: dots URL-encoded as %2E", "wrapper percent-encoding"),
        ("noise: a Bearer prefix", "wrapper bearer"),
        ("noise: JSON.stringify quotes kept", "wrapper quotes"),
        ("noise: a BOM before the token", "byte order mark"),
        ("noise: a line break inside the header part", "line break"),
    ];
    let mut failures = Vec::new();
    let mut named = 0;
    for (case, expect_check) in matrix() {
        let Some(id) = expect_check else { continue };
        let (_, report, stderr) = inspect(&lab, "token.txt", &case.text);
        // A wrapper is found around the token, named, and judged apart from it.
        if let Some(wrapped) = report["wrappers"].as_array().and_then(|w| w.first()) {
            let kinds: Vec<&str> = wrapped["layers"]
                .as_array()
                .map(|layers| layers.iter().filter_map(|l| l["kind"].as_str()).collect())
                .unwrap_or_default();
            let said = format!("wrapper {}", kinds.join(" "));
            if wrapped["as_given"]["java_stack"] != "rejects" {
                failures.push(format!("{}: {wrapped}", case.name));
            }
            if let Some((_, words)) = names.iter().find(|(name, _)| *name == case.name) {
                named += 1;
                if !said.contains(words) {
                    failures.push(format!("{}: {words:?} not in {said}", case.name));
                }
            }
            continue;
        }
        let Some(check) = report["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["id"] == id.as_str()))
        else {
            failures.push(format!("{}: no report: {stderr}", case.name));
            continue;
        };
        if check["status"] != "fail" && check["status"] != "warn" {
            failures.push(format!("{}: {id} {}", case.name, check));
        }
        if let Some((_, words)) = names.iter().find(|(name, _)| *name == case.name) {
            named += 1;
            if !check["message"].as_str().unwrap_or("").contains(words) {
                failures.push(format!("{}: {words:?} not in {check}", case.name));
            }
        }
    }
    assert_eq!(
        named,
        names.len(),
        "a named case is missing from the matrix"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// splitmix64: a fixed sequence, so that a failure names the same mutation on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What a copy, a relay or a hand-rolled encoder puts into a token.
const NOISE: &[&str] = &[
    " ", "\n", "\r\n", "\t", "\"", "'", "=", "==", "+", "/", "-", "_", ".", "%2E", "\u{feff}",
    "Bearer ", "\\n", ",", "A", "0", "~", "*", "é",
];
const BASE64ISH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.";

/// One edit of a token's text: its kind, the edit itself, and the edited text.
struct Mutation {
    kind: &'static str,
    what: String,
    text: Vec<u8>,
}

/// A random edit of `text` (ASCII, not empty); with `bits`, also single bit flips, which may
/// leave UTF-8.
fn mutate(rng: &mut Rng, text: &str, bits: bool) -> Mutation {
    let mut out = text.as_bytes().to_vec();
    let at = rng.below(out.len());
    let mut parts: Vec<String> = text.split('.').map(str::to_owned).collect();
    let part = rng.below(parts.len());
    let (kind, what) = match rng.below(if bits { 9 } else { 8 }) {
        0 => {
            let piece = rng.pick(NOISE);
            let at = rng.below(out.len() + 1);
            out.splice(at..at, piece.bytes());
            ("insert", format!("insert {piece:?} at {at}"))
        }
        1 => {
            let len = (1 + rng.below(3)).min(out.len() - at);
            out.drain(at..at + len);
            ("delete", format!("delete {len} at {at}"))
        }
        2 => {
            out[at] = *rng.pick(BASE64ISH);
            (
                "replace",
                format!("replace byte {at} with {:?}", out[at] as char),
            )
        }
        3 => {
            out.truncate(at);
            ("truncate", format!("truncate to {at}"))
        }
        4 => {
            let other = rng.below(parts.len());
            parts.swap(part, other);
            out = parts.join(".").into_bytes();
            ("swap parts", format!("swap parts {part} and {other}"))
        }
        5 => {
            parts.remove(part);
            out = parts.join(".").into_bytes();
            ("drop a part", format!("drop part {part}"))
        }
        6 => {
            parts.insert(part, parts[part].clone());
            out = parts.join(".").into_bytes();
            ("repeat a part", format!("repeat part {part}"))
        }
        7 => {
            // The same bytes in lenient base64: '=' padding, or the +/ alphabet.
            use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
            let raw = URL_SAFE_NO_PAD
                .decode(&parts[part])
                .expect("a base64url part");
            let (label, new) = if rng.below(2) == 0 {
                ("'=' padding", URL_SAFE.encode(raw))
            } else {
                ("the +/ alphabet", STANDARD_NO_PAD.encode(raw))
            };
            parts[part] = new;
            out = parts.join(".").into_bytes();
            (
                "re-encode a part",
                format!("re-encode part {part} with {label}"),
            )
        }
        _ => {
            let bit = rng.below(8);
            out[at] ^= 1 << bit;
            ("flip a bit", format!("flip bit {bit} of byte {at}"))
        }
    };
    Mutation {
        kind,
        what,
        text: out,
    }
}

/// How many edits of each good token as sent, and of one inner JWS.
const MUTATIONS_PER_TOKEN: usize = 200;
const INNER_MUTATIONS: usize = 1000;

#[test]
fn mutated_tokens_get_nimbus_s_verdict() {
    if !nimbus_present() {
        return;
    }
    let lab = lab();
    let matrix = matrix();
    let case_named = |prefix: &'static str| {
        matrix
            .iter()
            .map(|(case, _)| case)
            .filter(move |case| case.name.starts_with(prefix))
    };
    let mut rng = Rng(0x1ad0_1ce0_0000_0014);
    let mut cases: Vec<(&'static str, Case)> = Vec::new();
    // The token as sent: any edit, down to single bits.
    for token in case_named("good: ") {
        let text = std::str::from_utf8(&token.text).expect("ASCII");
        for _ in 0..MUTATIONS_PER_TOKEN {
            let edit = mutate(&mut rng, text, true);
            cases.push((
                edit.kind,
                Case {
                    name: format!("{}, then {}", token.name, edit.what),
                    made_by: token.made_by.clone(),
                    text: edit.text,
                },
            ));
        }
    }
    // jwcrypto's JWS, edited, then put in a correct JWE by jwcrypto (matrix.py --seal).
    let jws = case_named("plain JWS").next().expect("the plain JWS case");
    let jws_text = std::str::from_utf8(&jws.text).expect("ASCII");
    let edits: Vec<Mutation> = (0..INNER_MUTATIONS)
        .map(|_| mutate(&mut rng, jws_text, false))
        .collect();
    let texts: String = edits
        .iter()
        .map(|edit| base64::engine::general_purpose::STANDARD.encode(&edit.text) + "\n")
        .collect();
    let sealed = matrix_py(&["--seal"], &texts);
    assert_eq!(sealed.lines().count(), edits.len());
    for (edit, token) in edits.iter().zip(sealed.lines()) {
        cases.push((
            edit.kind,
            Case {
                name: format!("a JWE of {}, then {}", jws.name, edit.what),
                made_by: "jwcrypto (JWS edited, then encrypted)".to_owned(),
                text: token.as_bytes().to_vec(),
            },
        ));
    }
    assert!(cases.len() >= 2000, "{} cases", cases.len());

    // Two workers: the binary runs in parallel, Nimbus answers one at a time.
    let results: Vec<(NimbusVerdict, Option<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .enumerate()
            .map(|(worker, chunk)| {
                let lab = &lab;
                scope.spawn(move || {
                    let file = format!("mutated-{worker}.txt");
                    let judge = |(_, case): &(&str, Case)| compare(lab, &file, case);
                    chunk.iter().map(judge).collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a worker"))
            .collect()
    });
    // Disagreements counted by kind of edit and what Nimbus did, to see the kinds at a glance.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for ((kind, _), (theirs, failure)) in cases.iter().zip(&results) {
        if let Some(failure) = failure {
            let nimbus = theirs.detail.split(':').next().unwrap_or_default();
            let nimbus = if theirs.accepts { "accepts" } else { nimbus };
            *kinds.entry(format!("{kind}, Nimbus {nimbus}")).or_default() += 1;
            failures.push(failure.as_str());
        }
    }
    let accepted = results.iter().filter(|(theirs, _)| theirs.accepts).count();
    assert!(
        accepted > 100,
        "only {accepted} mutated tokens accepted by Nimbus"
    );
    assert!(
        failures.is_empty(),
        "{} of {} mutated tokens ({accepted} accepted by Nimbus): inspect disagrees with Nimbus\n\
         {kinds:#?}\nthe first 25:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(25)].join("\n")
    );
}

/// Each wrapper around a good token, checked against the real library: Nimbus refuses the
/// text as found, as `inspect` says of the wrapper, and accepts the token inside, as `inspect`
/// says of the token.
#[test]
fn each_wrapper_is_refused_by_nimbus_as_found_and_the_token_inside_accepted() {
    if !nimbus_present() {
        return;
    }
    let lab = lab();
    let (good, _) = matrix()
        .into_iter()
        .find(|(case, expect)| expect.is_none() && case.made_by.contains("jwcrypto"))
        .expect("a good jwcrypto token in the matrix");
    let token = String::from_utf8(good.text).expect("a token is text");
    let inside = nimbus_verdict(
        token.as_bytes(),
        &lab.join(DECRYPT_KEY),
        &lab.join(VERIFY_KEY),
    );
    assert!(inside.accepts, "{}", inside.detail);
    let forms = [
        format!("\"{token}\""),
        format!("'{token}'"),
        format!("`{token}`"),
        format!("\\\"{token}\\\""),
        format!("Bearer {token}"),
        format!("\"Bearer {token}\""),
        format!("b'{token}'"),
        format!("b\"{token}\""),
        format!("%22{token}%22"),
        token.replace('.', "%2E"),
    ];
    for wrapped in forms {
        let theirs = nimbus_verdict(
            wrapped.as_bytes(),
            &lab.join(DECRYPT_KEY),
            &lab.join(VERIFY_KEY),
        );
        assert!(!theirs.accepts, "Nimbus accepts {wrapped}");
        let (code, report, stderr) = inspect(&lab, "token.txt", wrapped.as_bytes());
        assert_eq!(code, Some(0), "{wrapped}: {stderr}");
        assert_eq!(report["verdict"]["iadvize"], "accepts", "{wrapped}");
        assert_eq!(
            report["wrappers"][0]["as_given"]["java_stack"], "rejects",
            "{wrapped}: {report}"
        );
    }
}
