//! `mint` under pressure: threads the system will not start, a disk that fills during a batch,
//! inputs that never end, tokens at every size limit, and registered claims of the wrong type.
//! Each test runs the real binary.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output};

use super::Minting;
use crate::common::*;
use serde_json::{Value, json};

/// The visitor data fields iAdvize documents.
const FIELDS: [&str; 8] = [
    "firstName",
    "lastName",
    "address",
    "city",
    "zipCode",
    "country",
    "phoneNumber",
    "email",
];

/// Visitor data with every field set to `value`.
fn every_field(value: &str) -> Value {
    let fields = FIELDS.map(|field| (field.to_string(), Value::String(value.to_string())));
    Value::Object(fields.into_iter().collect())
}

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("iadvize-auth")
}

/// `script` run by bash in the sandbox, `$B` the binary; fails the test after 60 s.
fn bash(sb: &Sandbox, script: &str) -> Output {
    run(Command::new("bash")
        .args(["-c", script])
        .env("B", binary())
        .env_remove("IADVIZE_AUTH_KEY")
        .env_remove("IADVIZE_AUTH_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .current_dir(sb.path()))
}

fn ids(n: usize) -> String {
    (0..n).map(|i| format!("customer-{i}\n")).collect()
}

/// A batch signed only (`--jws`) at a fixed time: the same bytes on every run.
const FIXED: &str = "--key brand-private.pem --jws --now 1700000000";

#[test]
fn threads_the_system_will_not_start_are_done_without() {
    let sb = rehearsal_sandbox();
    sb.write("ids.txt", ids(700));
    let whole = bash(&sb, &format!("$B mint {FIXED} --user-ids ids.txt -j 1"));
    assert_exit(&whole, 0);
    // The limit counts every process and thread of the user. Root ignores it, so as root the
    // tool runs as a user of its own, with room for two threads besides the main one; any other
    // user has more processes than the limit already, so that no thread at all can start.
    let script = if running_as_root() {
        let uid = 62_016;
        for entry in std::fs::read_dir(sb.path()).unwrap() {
            std::os::unix::fs::chown(entry.unwrap().path(), Some(uid), Some(uid)).unwrap();
        }
        std::os::unix::fs::chown(sb.path(), Some(uid), Some(uid)).unwrap();
        format!(
            "ulimit -u 3; exec setpriv --reuid {uid} --regid {uid} --clear-groups -- \
             $B mint {FIXED} --user-ids ids.txt -j 8"
        )
    } else {
        format!("ulimit -u 1; exec $B mint {FIXED} --user-ids ids.txt -j 8")
    };
    let limited = bash(&sb, &script);
    assert_exit(&limited, 0);
    let err = stderr(&limited);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(
            "of the 8 threads asked for could not start (Resource temporarily unavailable"
        ),
        "{err}"
    );
    assert_eq!(limited.stdout, whole.stdout, "every token, in order");
}

#[test]
fn a_file_changed_while_its_batch_is_minted_changes_nothing() {
    let sb = rehearsal_sandbox();
    let text = ids(4_000);
    sb.write("ids.txt", &text);
    sb.write("original.txt", &text);
    // Line 3,000 rewritten in place, and a line appended, once the first tokens are out.
    let offset = text.find("customer-2999\n").unwrap();
    let script = format!(
        "$B mint {FIXED} --user-ids ids.txt -j 2 > out.txt & pid=$!
         while [ \"$(stat -c %s out.txt)\" -lt 65536 ]; do sleep 0.01; done
         printf 'CHANGED-xxxxx' | dd of=ids.txt bs=1 seek={offset} conv=notrunc status=none
         echo customer-extra >> ids.txt
         kill -0 $pid && echo 'changed while minting'
         wait $pid"
    );
    let changed = bash(&sb, &script);
    assert_exit(&changed, 0);
    assert_eq!(
        stdout(&changed),
        "changed while minting\n",
        "{}",
        stderr(&changed)
    );
    let now = std::fs::read_to_string(sb.join("ids.txt")).unwrap();
    assert!(now.contains("CHANGED-xxxxx\ncustomer-3000\n"));
    let whole = bash(
        &sb,
        &format!("$B mint {FIXED} --user-ids original.txt -j 1"),
    );
    assert_exit(&whole, 0);
    // Every token, of the rows as they were read.
    let out = std::fs::read_to_string(sb.join("out.txt")).unwrap();
    assert_eq!(out.lines().count(), 4_000);
    assert!(
        out == stdout(&whole),
        "the tokens differ from those of the file as it was"
    );
}

/// Bytes of file `ulimit -f 20` allows.
const FILE_LIMIT: usize = 20 * 1024;

#[test]
fn a_full_disk_leaves_whole_tokens_and_the_line_to_resume_from() {
    let sb = rehearsal_sandbox();
    // Blank lines: a row's line is not its index.
    let mut text = String::from("\n\n");
    for i in 0..300 {
        text.push_str(&format!("customer-{i}\n"));
        if i % 50 == 0 {
            text.push('\n');
        }
    }
    sb.write("ids.txt", &text);
    let whole = bash(&sb, &format!("$B mint {FIXED} --user-ids ids.txt"));
    assert_exit(&whole, 0);
    let tokens = stdout(&whole);
    let tokens: Vec<&str> = tokens.lines().collect();
    assert_eq!(tokens.len(), 300);

    // A file of its own, and one appended to after what it held (`>>`); a single thread and
    // several. The file size limit fails a write as a full disk does once SIGXFSZ is ignored.
    for (jobs, append) in [(1, false), (4, false), (2, true)] {
        let before = if append { "earlier output\n" } else { "" };
        sb.write("out.txt", before);
        let redirect = if append { ">>" } else { ">" };
        let limited = bash(
            &sb,
            &format!(
                "trap '' XFSZ; ulimit -f {}; $B mint {FIXED} --user-ids ids.txt -j {jobs} \
                 {redirect} out.txt",
                FILE_LIMIT / 1024
            ),
        );
        assert_exit(&limited, 2);
        let written = std::fs::read_to_string(sb.join("out.txt")).unwrap();
        let written = written.strip_prefix(before).unwrap();
        assert!(written.ends_with('\n'), "a cut-off last token: {written:?}");
        let lines: Vec<&str> = written.lines().collect();
        let n = lines.len();
        assert!(n > 10 && n < 300, "{n} tokens");
        assert_eq!(lines, tokens[..n], "whole tokens, in order");
        assert!(
            before.len() + written.len() + tokens[n].len() + 1 > FILE_LIMIT,
            "the next token would have fitted"
        );
        // The line of the first row without a token.
        let resume = text
            .lines()
            .position(|line| line == format!("customer-{n}"))
            .unwrap()
            + 1;
        let err = stderr(&limited);
        let expected = format!(
            "error: cannot write the tokens to standard output: File too large (os error 27); \
             the first {n} of 300 tokens were written, each whole; the first row without a \
             token is line {resume} of 'ids.txt'\n"
        );
        assert!(err.ends_with(&expected), "{err}");

        // Resuming from that line gives the rest: nothing lost, nothing twice.
        let rest = bash(
            &sb,
            &format!("tail -n +{resume} ids.txt | $B mint {FIXED} --user-ids -"),
        );
        assert_exit(&rest, 0);
        assert_eq!(format!("{written}{}", stdout(&rest)), stdout(&whole));
    }

    // A device that takes nothing.
    let full = bash(
        &sb,
        &format!("$B mint {FIXED} --user-ids ids.txt > /dev/full"),
    );
    assert_exit(&full, 2);
    assert!(
        stderr(&full).ends_with(
            "No space left on device (os error 28); none of the 300 tokens was written; the \
             first row without a token is line 3 of 'ids.txt'\n"
        ),
        "{}",
        stderr(&full)
    );
}

/// The peak resident memory of `mint` with `args`, in KiB, as python's `getrusage` sees its
/// one child.
fn peak_kib(sb: &Sandbox, args: &[&str]) -> u64 {
    let script = "import resource, subprocess, sys\n\
                  r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, \
                  stderr=subprocess.PIPE)\n\
                  assert r.returncode == 0, r.stderr\n\
                  print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = run(Command::new("python3")
        .args(["-c", script])
        .arg(binary())
        .arg("mint")
        .args(args)
        .current_dir(sb.path()));
    assert_exit(&out, 0);
    stdout(&out).trim().parse().unwrap()
}

#[test]
fn batch_memory_does_not_grow_with_threads_beyond_a_few_tokens_each() {
    let sb = rehearsal_sandbox();
    sb.write("ids.txt", ids(3000));
    // The largest visitor data: every field at the limit, a token of about 16 KB.
    sb.write("visitor.json", every_field(&"x".repeat(1024)).to_string());
    let args = |jobs: &'static str| {
        [
            "--key",
            "brand-private.pem",
            "--iadvize-key",
            "standin-iadvize-public.pem",
            "--user-ids",
            "ids.txt",
            "--visitor-data",
            "@visitor.json",
            "-j",
            jobs,
        ]
    };
    let two = peak_kib(&sb, &args("2"));
    let many = peak_kib(&sb, &args("40"));
    // A thread's stack, OpenSSL's contexts and a few tokens in flight: under 384 KiB a thread
    // (blocks of 64 tokens in flight took 1 MiB).
    let per_thread = many.saturating_sub(two) / 38;
    assert!(
        per_thread < 384,
        "{per_thread} KiB a thread: {two} KiB at -j 2, {many} KiB at -j 40"
    );
}

/// A token judged by `inspect --json` with the stand-in's and the brand's keys: (exit code,
/// report).
fn inspect(sb: &Sandbox, token: &str) -> (i32, Value) {
    sb.write("token.txt", token);
    let out = run(sb.cmd().args([
        "inspect",
        "@token.txt",
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "brand-public.pem",
        "--now",
        "1700000010",
        "--json",
    ]));
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), report)
}

/// `"name": value` pairs of a JSON object, one `--claim` each.
fn claim_args(claims: &Value) -> Vec<String> {
    claims
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(name, value)| ["--claim".to_string(), format!("{name}={value}")])
        .collect()
}

#[test]
fn a_token_at_every_limit_is_one_inspect_reads_and_one_byte_more_is_refused() {
    let sb = rehearsal_sandbox();
    // Each value at its limit, written so that JSON makes it as long as it gets: a control
    // character takes six bytes (\u0001), a quote two.
    let user_id = "客".repeat(255);
    let issuer = "\"".repeat(1024);
    let visitor = |len: usize| every_field(&"\u{1}".repeat(len));
    let deep = |levels: usize| -> Value {
        serde_json::from_str(&format!("{}{}", "[".repeat(levels), "]".repeat(levels))).unwrap()
    };
    // The extra claims: 8192 bytes of JSON in all.
    let extra = |bytes: usize| -> Value {
        let mut claims = json!({"https://iadvize.com/deep": deep(32), "https://iadvize.com/x": ""});
        let len = claims.to_string().len();
        claims["https://iadvize.com/x"] = Value::String("y".repeat(bytes - len));
        assert_eq!(claims.to_string().len(), bytes);
        claims
    };
    let mint = |issuer: &str, visitor: &Value, extra: &Value| {
        sb.write("visitor.json", visitor.to_string());
        let claims = claim_args(extra);
        rehearsal_mint(
            &sb,
            &[
                &["--user-id", user_id.as_str(), "--issuer", issuer],
                &["--visitor-data", "@visitor.json", "--now", "1700000000"][..],
                &claims.iter().map(String::as_str).collect::<Vec<_>>()[..],
            ]
            .concat(),
        )
    };
    let out = mint(&issuer, &visitor(1024), &extra(8192));
    assert_exit(&out, 0);
    let token = stdout(&out);
    assert!(token.len() > 100_000, "{} bytes", token.len());
    let (code, report) = inspect(&sb, &token);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["verdict"]["rules"], "pass", "{report}");

    for (out, needles) in [
        (
            mint(&format!("{issuer}\""), &visitor(1024), &extra(8192)),
            &["--issuer: the issuer is 1025 bytes long; at most 1024"][..],
        ),
        (
            mint(&issuer, &visitor(1025), &extra(8192)),
            &[
                "--visitor-data file 'visitor.json': visitor data field \"firstName\" is 1025 bytes long; at most 1024",
            ],
        ),
        (
            mint(&issuer, &visitor(1024), &extra(8193)),
            &["--claim: the extra claims take 8193 bytes as JSON; a token carries at most 8192"],
        ),
        (
            mint(
                &issuer,
                &visitor(1024),
                &json!({"https://iadvize.com/deep": deep(33)}),
            ),
            &[
                "--claim https://iadvize.com/deep: claim \"https://iadvize.com/deep\" nests arrays and objects more than 32 levels deep",
            ],
        ),
    ] {
        assert_refused(&out, needles);
    }

    // A row's own visitor data has the same limit, in CSV and in JSON Lines.
    let long = "x".repeat(1025);
    sb.write(
        "users.csv",
        format!("userId,city\nc-1,Nantes\nc-2,{long}\n"),
    );
    let row = json!({"userId": "c-1", "visitorData": {"email": long}});
    sb.write("users.jsonl", format!("{row}\n"));
    for (file, at) in [
        (
            "users.csv",
            "line 3, column 2 (city): visitor data field \"city\"",
        ),
        (
            "users.jsonl",
            "line 1, visitorData.email: visitor data field \"email\"",
        ),
    ] {
        let out = rehearsal_mint(&sb, &["--user-ids", file]);
        assert_refused(
            &out,
            &[at, "is 1025 bytes long; at most 1024", "nothing was minted"],
        );
    }
}

#[test]
fn a_batch_has_a_row_limit_and_a_byte_limit() {
    let sb = rehearsal_sandbox();
    // An input that never ends stops at the row limit, with nothing minted.
    let endless = bash(
        &sb,
        "yes | timeout 50 $B mint --key brand-private.pem --user-ids - --jws",
    );
    let err = assert_refused(&endless, &[]);
    assert_eq!(
        err,
        "error: user ids standard input, line 1000001: more than 1000000 rows, the most a \
         batch holds; split the input into several batches; nothing was minted"
    );
    // Long lines reach the byte limit first (some 67,000 lines of 4,000 bytes).
    let long = bash(
        &sb,
        "yes \"$(head -c 4000 /dev/zero | tr '\\0' x)\" | \
         timeout 50 $B mint --key brand-private.pem --user-ids - --jws",
    );
    let err = assert_refused(&long, &[]);
    assert_eq!(
        err,
        "error: user ids standard input: larger than 256 MiB, the most a batch reads; split \
         the input into several batches; nothing was minted"
    );
    // A million rows exactly are a batch (checked, not minted here: a user id is refused).
    let mut million = "c\n".repeat(999_999);
    million.push_str("\u{7}\n");
    sb.write("million.txt", million);
    let out = run(sb
        .cmd()
        .args(["mint", "--key", "brand-private.pem", "--jws"])
        .args(["--user-ids", "million.txt"]));
    assert_refused(
        &out,
        &["line 1000000: the user id contains a control character"],
    );
}

/// A token for `c-1` with `--claim CLAIM`, encrypted to the stand-in.
fn mint_claim(sb: &Sandbox, claim: &str) -> Output {
    rehearsal_mint(
        sb,
        &["--user-id", "c-1", "--now", "1700000000", "--claim", claim],
    )
}

#[test]
fn claim_gives_registered_claims_their_registered_types() {
    let sb = rehearsal_sandbox();
    for (claim, message) in [
        (
            r#"sub={"a":1}"#,
            r#"--claim sub: sub is an object ({"a":1}), not a string"#,
        ),
        ("sub=null", "--claim sub: sub is null (null), not a string"),
        ("sub=42", "--claim sub: sub is a number (42), not a string"),
        (
            "jti=[1]",
            "--claim jti: jti is an array ([1]), not a string",
        ),
        (
            "aud=5",
            "--claim aud: aud is a number (5), not a string or a list of strings",
        ),
        (
            r#"aud=["a",1]"#,
            "--claim aud: aud holds a number (1), not only strings",
        ),
        (
            r#"nbf="soon""#,
            r#"--claim nbf: nbf is a string ("soon"), not an integer number of seconds since 1970"#,
        ),
        (
            "nbf=1700000000.5",
            "nbf is a number with a fraction or an exponent (1700000000.5)",
        ),
        (
            "nbf=1700000000000",
            "nbf is a number of milliseconds (1700000000000)",
        ),
        ("nbf=-1", "nbf is a time before 1970 (-1)"),
    ] {
        let out = mint_claim(&sb, claim);
        assert_refused(
            &out,
            &[message, "registered claims keep their registered types"],
        );
    }
    for claim in [
        r#"sub="c-1""#,
        r#"jti="8f2e""#,
        r#"aud="https://iadvize.com""#,
        r#"aud=["a","b"]"#,
        "nbf=1699999990",
    ] {
        let out = mint_claim(&sb, claim);
        assert_exit(&out, 0);
        let (code, report) = inspect(&sb, &stdout(&out));
        assert_eq!(code, 0, "{claim}: {report}");
        assert_eq!(report["verdict"]["rules"], "pass", "{claim}: {report}");
    }
}

// Issue 23, item 7: an allocation failure in a batch's worker threads once hung instead of
// exiting; the standard library's own answer is an abort (SIGABRT, exit 134, a core dump),
// which reads as a crash. Under address-space limits from where nothing can start to where
// the batch has room, every run ends at once, with exit 0 or 2; where memory runs out (in the
// worker threads, for most of these limits), with one line that says so.
#[test]
fn running_out_of_memory_in_a_batch_ends_it_with_one_line() {
    let sb = rehearsal_sandbox();
    sb.write("ids.txt", ids(300));
    let (mut out_of_memory, mut minted) = (0, 0);
    // Below the least limit under which the program starts at all (`--version`), the system
    // cannot load it or grow its first stack (a SIGSEGV from the kernel, before any of its
    // code runs): where that limit falls moves with the binary's size.
    let starts = |mib: u64| {
        Command::new("prlimit")
            .arg(format!("--as={}", mib << 20))
            .arg("--")
            .arg(binary())
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    };
    let least = (16..=96).step_by(4).find(|mib| starts(*mib)).unwrap_or(96);
    for mib in (16..=96).step_by(4) {
        let out = run(Command::new("prlimit")
            .arg(format!("--as={}", mib << 20))
            .arg("--")
            .arg(binary())
            .args(["mint", "--key", "brand-private.pem", "--iadvize-key"])
            .args([
                "standin-iadvize-public.pem",
                "--user-ids",
                "ids.txt",
                "-j",
                "8",
            ])
            .env_remove("IADVIZE_AUTH_PASSPHRASE")
            .current_dir(sb.path()));
        match out.status.code() {
            Some(0) => {
                assert_eq!(stdout(&out).lines().count(), 300);
                minted += 1;
            }
            Some(2) => {
                let err = stderr(&out);
                let errors = err.lines().filter(|l| l.starts_with("error: ")).count();
                assert_eq!(errors, 1, "{mib} MiB:\n{err}");
                if err.contains("error: out of memory: the system refused a block of ")
                    && err.contains(
                        "bytes; give the command more memory, or a batch fewer threads (-j)",
                    )
                {
                    out_of_memory += 1;
                }
            }
            // Too little for the system to load the program and its libraries.
            Some(127) if stderr(&out).contains("error while loading shared libraries") => {}
            None if mib < least
                && out.status.signal() == Some(libc::SIGSEGV)
                && out.stdout.is_empty()
                && out.stderr.is_empty() => {}
            // The C library's own end, where it runs out itself (a thread's first
            // thread-local destructor): an abort, with its own line.
            None if out.status.signal() == Some(libc::SIGABRT)
                && stderr(&out).contains("Fatal glibc error")
                && stderr(&out).contains("out of memory") => {}
            _ => panic!("{mib} MiB: {:?}\n{}", out.status, stderr(&out)),
        }
    }
    assert!(
        out_of_memory > 0 && minted > 0,
        "{out_of_memory} runs out of memory and {minted} whole batches: the limits no longer \
         span this build's needs"
    );
}

/// The one input of `mint` bounded by its size alone: a `--visitor-data @FILE` larger than
/// 1 MiB is refused without being read further (its fields are bounded at 1 KiB each anyway).
#[test]
fn a_visitor_data_file_over_1_mib_is_refused() {
    let sb = rehearsal_sandbox();
    sb.write("big.json", " ".repeat(2 << 20));
    let out =
        run(rehearsal_mint_cmd(&sb).args(["--user-id", "c-1", "--visitor-data", "@big.json"]));
    assert_refused(
        &out,
        &["--visitor-data file 'big.json' is larger than 1 MiB"],
    );
}

/// A line of `--user-ids` is at most 4 KiB with one id per line, 16 KiB in CSV and JSON Lines
/// (visitor data included); a longer one stops the batch, named by its line.
#[test]
fn a_user_ids_line_over_its_limit_stops_the_batch() {
    let sb = rehearsal_sandbox();
    sb.write("ids.txt", format!("c-1\nc-{}\n", "x".repeat(4096)));
    sb.write(
        "users.csv",
        format!("userId,firstName\nc-1,{}\n", "x".repeat(16 * 1024)),
    );
    let row = json!({"userId": "c-1", "visitorData": {"firstName": "x".repeat(16 * 1024)}});
    sb.write("users.jsonl", format!("{row}\n"));
    for (file, line, limit) in [
        ("ids.txt", 2, 4096),
        ("users.csv", 2, 16384),
        ("users.jsonl", 1, 16384),
    ] {
        let out = run(rehearsal_mint_cmd(&sb).args(["--user-ids", file]));
        let needles = [
            &format!("'{file}', line {line}: longer than {limit} bytes")[..],
            "nothing was minted",
        ];
        assert_refused(&out, &needles);
    }
}

/// 200,000 ids of 200 characters: 40 MB, which a batch kept in memory needs in full.
fn big_batch(last: &str) -> String {
    let mut ids = String::with_capacity(40_300_000);
    for i in 0..199_999 {
        let id = format!("customer-{i:010}-");
        ids.push_str(&id);
        ids.push_str(&"x".repeat(200 - id.len()));
        ids.push('\n');
    }
    ids.push_str(last);
    ids.push('\n');
    ids
}

/// A batch is kept in memory, about 120 bytes a row (docs/performance.md): 200,000 rows fit
/// in 64 MB of data segment, heap and thread stacks included.
#[test]
fn batch_memory_stays_small_per_row() {
    let m = Minting::new();
    m.sb.write("good.txt", big_batch("customer-last"));
    m.sb.write("bad.txt", big_batch("bad\u{7}"));
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let limited = |input: &str| {
        format!(
            "ulimit -d 64000; '{}' mint --key brand-private.pem \
             --iadvize-key standin-iadvize-public.pem --user-ids {input}",
            bin.display()
        )
    };
    // Checked in full, repeated ids looked for, minting started; then the pipe closes.
    let script = format!(
        "set -o pipefail; {} 2>err.txt | head -1 > first.txt",
        limited("good.txt")
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(m.sb.path())
        .output()
        .unwrap();
    let err = std::fs::read_to_string(m.sb.join("err.txt")).unwrap();
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("memory"), "{err}");
    let first = std::fs::read_to_string(m.sb.join("first.txt")).unwrap();
    assert_eq!(first.trim().split('.').count(), 5);
    // From standard input, with a bad last line: the error, not an allocation failure.
    for input in ["bad.txt", "- < bad.txt"] {
        let out = std::process::Command::new("bash")
            .args(["-c", &limited(input)])
            .current_dir(m.sb.path())
            .output()
            .unwrap();
        assert_refused(&out, &["line 200000", "control character"]);
    }
}
