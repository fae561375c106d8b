//! `mint --user-ids`, batches: lists of user ids (in order whatever the thread count, from a
//! file, a pipe or standard input, an invalid line named before anything is minted, warnings
//! counted); rows of users with data, CSV and JSON Lines carrying their visitor data and
//! lifetime into their tokens (opened with python jwcrypto), a bad row stopping the batch
//! before any token is printed and naming its line and column. Times as people write them
//! (`--now`), the progress a batch shows on a terminal, and a batch interrupted.

use super::{Minting, json_part};
use crate::common::*;
use serde_json::{Value, json};

const NOW: i64 = 1_764_583_200; // 2025-12-01T10:00:00Z

/// The claims of each token printed, as python jwcrypto opens them.
fn claims_by_jwcrypto(sb: &Sandbox, tokens: &str) -> Vec<Value> {
    open_tokens(
        Jose::Jwcrypto,
        tokens,
        &sb.join("standin-iadvize-private.pem"),
        &sb.join("brand-public.pem"),
    )
    .into_iter()
    .map(|opened| {
        assert!(opened.get("error").is_none(), "{opened}");
        opened["claims"].clone()
    })
    .collect()
}

fn expected(user_id: &str, ttl: i64, visitor: Option<Value>) -> Value {
    let mut claims = json!({
        "https://iadvize.com/userId": user_id,
        "iat": NOW,
        "exp": NOW + ttl,
    });
    if let Some(visitor) = visitor {
        claims["https://iadvize.com/visitorData"] = visitor;
    }
    claims
}

#[test]
fn batch_is_in_order_and_identical_whatever_the_thread_count() {
    let m = Minting::new();
    let ids: Vec<String> = (0..1000).map(|i| format!("customer-{i:04}")).collect();
    let mut file = ids.join("\r\n");
    file.push_str("\r\n\r\n");
    m.sb.write("ids.txt", &file);
    let common = ["--user-ids", "ids.txt", "--now", "1700000000", "--jws"];
    let one = m.rehearsal(&[&common[..], &["--jobs", "1"]].concat());
    let many = m.rehearsal(&[&common[..], &["--jobs", "3"]].concat());
    assert_exit(&one, 0);
    assert_eq!(one.stdout, many.stdout, "same tokens in the same order");
    let lines: Vec<&str> = std::str::from_utf8(&one.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 1000);
    for (line, id) in lines.iter().zip(&ids) {
        assert_eq!(
            json_part(line, 1)["https://iadvize.com/userId"],
            id.as_str()
        );
    }
}

#[test]
fn batch_from_stdin_as_json_lines() {
    let m = Minting::new();
    let out = run_with_stdin(
        m.sb.cmd().args([
            "mint",
            "--key",
            "brand-private.pem",
            "--iadvize-key",
            "standin-iadvize-public.pem",
            "--user-ids",
            "-",
            "--json",
        ]),
        b"alice\nbob\n",
    );
    assert_exit(&out, 0);
    let records: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["user_id"], "alice");
    assert_eq!(records[1]["user_id"], "bob");
}

#[test]
fn an_invalid_line_names_its_number_and_nothing_is_minted() {
    let m = Minting::new();
    let long = "y".repeat(300);
    m.sb.write("ids.txt", format!("a\nb\n\n{long}\nc\n"));
    let out = m.rehearsal(&["--user-ids", "ids.txt"]);
    assert_refused(&out, &["ids.txt", "line 4", "300 characters"]);
    m.sb.write("empty.txt", "\n\n");
    let out = m.rehearsal(&["--user-ids", "empty.txt"]);
    assert_refused(&out, &["no user id"]);
    let out = m.rehearsal(&["--user-ids", "missing.txt"]);
    assert_refused(&out, &["missing.txt"]);
    let out = m.rehearsal(&["--user-id", "a", "--user-ids", "ids.txt"]);
    assert_exit(&out, 2);
}

#[test]
fn a_closed_pipe_ends_a_batch_quietly() {
    let m = Minting::new();
    let ids: String = (0..3000).map(|i| format!("id-{i}\n")).collect();
    m.sb.write("ids.txt", ids);
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let script = format!(
        "set -o pipefail; '{}' mint --key brand-private.pem --iadvize-key standin-iadvize-public.pem --user-ids ids.txt 2>err.txt | head -1 > first.txt; echo $? > status.txt",
        bin.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(m.sb.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let first = std::fs::read_to_string(m.sb.join("first.txt")).unwrap();
    assert_eq!(first.trim().split('.').count(), 5);
    let status = std::fs::read_to_string(m.sb.join("status.txt")).unwrap();
    assert_eq!(status.trim(), "0", "quiet, successful end on a closed pipe");
    let err = std::fs::read_to_string(m.sb.join("err.txt")).unwrap();
    assert!(!err.contains("error"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_leading_byte_order_mark_is_not_part_of_the_first_id() {
    let m = Minting::new();
    let ids = "\u{FEFF}customer-1\r\ncustomer-2\r\n";
    m.sb.write("ids.txt", ids);
    let file = m.rehearsal(&["--user-ids", "ids.txt", "--jws", "--json"]);
    let piped = run_with_stdin(
        m.sb.cmd().args([
            "mint",
            "--key",
            "brand-private.pem",
            "--user-ids",
            "-",
            "--jws",
            "--json",
        ]),
        ids.as_bytes(),
    );
    for out in [file, piped] {
        assert_exit(&out, 0);
        let users: Vec<String> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["user_id"].to_string())
            .collect();
        assert_eq!(users, ["\"customer-1\"", "\"customer-2\""]);
        assert!(
            stderr_besides_recipient_note(&out).is_empty(),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_batch_from_a_pipe_is_read_once() {
    let m = Minting::new();
    let out = run_with_stdin(
        m.sb.cmd().args([
            "mint",
            "--key",
            "brand-private.pem",
            "--user-ids",
            "/dev/stdin",
            "--jws",
            "--json",
        ]),
        b"alice\nbob\n",
    );
    assert_exit(&out, 0);
    let users: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["user_id"].clone())
        .collect();
    assert_eq!(users, ["alice", "bob"]);
}

#[test]
fn warnings_past_ten_are_counted_by_kind() {
    let m = Minting::new();
    let mut ids = "test\n".repeat(10);
    ids.push_str(" padded\nnull\n padded-2\n");
    m.sb.write("ids.txt", &ids);
    let out = m.rehearsal(&["--user-ids", "ids.txt", "--jws"]);
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert_eq!(err.matches("looks like a placeholder").count(), 10, "{err}");
    assert!(
        err.contains(
            "warning: … and 3 more warnings: 2 user ids with leading or trailing whitespace, \
             1 placeholder-looking user id\n"
        ),
        "{err}"
    );
    assert!(!err.contains("same kind"), "{err}");
}

#[test]
fn repeated_user_ids_are_warned_about_once_each_with_their_lines() {
    let m = Minting::new();
    m.sb.write("ids.txt", "alice\nbob\nalice\n\ncarol\nbob\nalice\n");
    let out = m.rehearsal(&["--user-ids", "ids.txt", "--jws"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 7 - 1);
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(
        warnings[0].starts_with("warning: user id \"alice\" is on lines 1, 3 and 7: ")
            && warnings[0].contains("one iAdvize visitor"),
        "{err}"
    );
    assert!(
        warnings[1].starts_with("warning: user id \"bob\" is on lines 2 and 6: "),
        "{err}"
    );
}

#[test]
fn csv_with_a_bom_crlf_and_quoted_cells_mints_each_row_with_its_data_and_lifetime() {
    let sb = rehearsal_sandbox();
    sb.write(
        "users.csv",
        "\u{FEFF}userId,firstName,lastName,email,ttl\r\n\
         c-1,Jane,Doe,jane@example.com,90s\r\n\
         \r\n\
         \"c,2\",\"Jo \"\"JJ\"\"\",,jo@example.com,\r\n\
         c-3,Zoë,\"O'Neil\r\nSmith\",,5m\r\n",
    );
    let now = NOW.to_string();
    let out = rehearsal_mint(&sb, &["--user-ids", "users.csv", "--now", &now]);
    assert_exit(&out, 0);
    assert!(
        stderr_besides_recipient_note(&out).is_empty(),
        "{}",
        stderr(&out)
    );
    let claims = claims_by_jwcrypto(&sb, &stdout(&out));
    assert_eq!(
        claims,
        [
            expected(
                "c-1",
                90,
                Some(json!({"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"}))
            ),
            expected(
                "c,2",
                60,
                Some(json!({"firstName": "Jo \"JJ\"", "email": "jo@example.com"}))
            ),
            expected(
                "c-3",
                300,
                Some(json!({"firstName": "Zoë", "lastName": "O'Neil\r\nSmith"}))
            ),
        ]
    );
}

/// A file as a French Excel saves "CSV UTF-8": a byte order mark, semicolons (the comma is the
/// decimal separator there), CRLF line ends, cells with a semicolon or a quote quoted.
const FRENCH_EXCEL_CSV: &str = "\u{FEFF}userId;firstName;lastName;email;city\r\n\
     c-1;Amélie;Poulain;amelie@example.fr;Paris\r\n\
     c-2;\"Jean; dit \"\"Jo\"\"\";;jo@example.fr;\r\n\
     ;;;;\r\n";

#[test]
fn a_french_excel_csv_mints_one_token_per_user_with_their_data() {
    let sb = rehearsal_sandbox();
    sb.write(
        "export.csv",
        // Excel ends with the empty cells of a row it saw once formatted: blank, skipped.
        FRENCH_EXCEL_CSV.replace(";;;;\r\n", ""),
    );
    let now = NOW.to_string();
    let out = rehearsal_mint(&sb, &["--user-ids", "export.csv", "--now", &now]);
    assert_exit(&out, 0);
    assert!(
        stderr_besides_recipient_note(&out).is_empty(),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        claims_by_jwcrypto(&sb, &stdout(&out)),
        [
            expected(
                "c-1",
                60,
                Some(json!({"firstName": "Amélie", "lastName": "Poulain",
                    "email": "amelie@example.fr", "city": "Paris"}))
            ),
            expected(
                "c-2",
                60,
                Some(json!({"firstName": "Jean; dit \"Jo\"", "email": "jo@example.fr"}))
            ),
        ]
    );
    // A row of empty cells is a row without a user id: refused by line, as in a comma CSV.
    sb.write("export.csv", FRENCH_EXCEL_CSV);
    let out = rehearsal_mint(&sb, &["--user-ids", "export.csv"]);
    assert_refused(&out, &["line 4, column 1 (userId)", "nothing was minted"]);
}

#[test]
fn a_tsv_mints_one_token_per_user_with_their_data() {
    let sb = rehearsal_sandbox();
    sb.write(
        "export.tsv",
        "userId\tfirstName\tttl\r\nc-1\tJane\t90s\r\nc-2\t\"Jo\tJo\"\t\r\n",
    );
    let now = NOW.to_string();
    let out = rehearsal_mint(&sb, &["--user-ids", "export.tsv", "--now", &now]);
    assert_exit(&out, 0);
    assert_eq!(
        claims_by_jwcrypto(&sb, &stdout(&out)),
        [
            expected("c-1", 90, Some(json!({"firstName": "Jane"}))),
            expected("c-2", 60, Some(json!({"firstName": "Jo\tJo"}))),
        ]
    );
    // Told it is TSV, the same; told it is a comma CSV, refused with the choice that reads it.
    let out = rehearsal_mint(&sb, &["--user-ids", "export.tsv", "--input-format", "tsv"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 2);
    let out = rehearsal_mint(&sb, &["--user-ids", "export.tsv", "--input-format", "csv"]);
    assert_refused(
        &out,
        &["line 1", "separated by tabs: give --input-format tsv"],
    );
}

#[test]
fn a_header_row_never_becomes_a_user_id() {
    let sb = rehearsal_sandbox();
    // Whatever the delimiter, and even when told the file is one id per line.
    sb.write("export.csv", FRENCH_EXCEL_CSV);
    let out = rehearsal_mint(
        &sb,
        &["--user-ids", "export.csv", "--input-format", "lines"],
    );
    assert_refused(
        &out,
        &[
            "'export.csv', line 1: \"userId;firstName;lastName;email;city\" is a header row",
            "give --input-format csv-semicolon",
            "nothing was minted",
        ],
    );
    for (file, text) in [
        ("spelled.csv", "UserID;E-mail\r\nc-1;a@example.com\r\n"),
        (
            "names-no-id.csv",
            "firstName;email\r\nJane;a@example.com\r\n",
        ),
    ] {
        sb.write(file, text);
        let out = rehearsal_mint(&sb, &["--user-ids", file, "--jws"]);
        assert_exit(&out, 2);
        assert!(out.stdout.is_empty(), "{file}: no token");
        assert!(stderr(&out).contains("line 1"), "{file}: {}", stderr(&out));
    }
    // Separated cells that name no column: a table without its header, or ids with a `;`:
    // refused with the choice that settles it.
    sb.write("ids.txt", "doe;jane\nroe;rick\n");
    let out = rehearsal_mint(&sb, &["--user-ids", "ids.txt"]);
    assert_refused(
        &out,
        &["line 1", "no userId column", "--input-format lines"],
    );
    // Cells that name columns at two delimiters: refused with both choices.
    sb.write("mixed.csv", "userId;email,city\nc-1;a,b\n");
    let out = rehearsal_mint(&sb, &["--user-ids", "mixed.csv"]);
    assert_refused(
        &out,
        &[
            "line 1",
            "--input-format csv (commas) or --input-format csv-semicolon",
        ],
    );
}

#[test]
fn json_lines_mint_each_row_with_its_data_and_lifetime_over_the_common_data() {
    let sb = rehearsal_sandbox();
    sb.write(
        "users.jsonl",
        "{\"userId\":\"c-1\",\"visitorData\":{\"city\":\"Nantes\",\"email\":\"a@example.com\"},\"ttl\":90}\n\
         \n\
         {\"userId\":\"c-2\",\"ttl\":\"2m\"}\r\n\
         {\"userId\":\"c-3\",\"visitorData\":{\"country\":\"Italy\"}}\n",
    );
    let now = NOW.to_string();
    let out = rehearsal_mint(
        &sb,
        &[
            "--user-ids",
            "users.jsonl",
            "--now",
            &now,
            "--visitor",
            "country=France",
        ],
    );
    assert_exit(&out, 0);
    let claims = claims_by_jwcrypto(&sb, &stdout(&out));
    assert_eq!(
        claims,
        [
            expected(
                "c-1",
                90,
                Some(json!({"country": "France", "city": "Nantes", "email": "a@example.com"}))
            ),
            expected("c-2", 120, Some(json!({"country": "France"}))),
            expected("c-3", 60, Some(json!({"country": "Italy"}))),
        ]
    );
}

#[test]
fn a_bad_row_stops_the_batch_before_any_token_and_names_line_and_column() {
    let sb = rehearsal_sandbox();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "bad-ttl.csv",
            "userId,email,ttl\nc-1,a@example.com,60\nc-2,b@example.com,soon\n",
            &[
                "'bad-ttl.csv', line 3, column 3 (ttl)",
                "not a duration",
                "nothing was minted",
            ],
        ),
        (
            "no-id.csv",
            "email,userId\na@example.com,c-1\nb@example.com,\n",
            &["line 3, column 2 (userId)", "empty", "nothing was minted"],
        ),
        (
            "zero.csv",
            "userId,ttl\nc-1,0\n",
            &["line 2, column 2 (ttl)", "at least one second"],
        ),
        (
            "header.csv",
            "user_id,firstName,email\n42,Jane,j@example.com\n",
            &["line 1, column 1 (user_id)", "did you mean userId?"],
        ),
        (
            "bad.jsonl",
            "{\"userId\":\"c-1\"}\n{\"userId\":\"c-2\",\"visitorData\":{\"zipCode\":44000}}\n",
            &["line 2, visitorData.zipCode", "must be a string"],
        ),
        (
            "syntax.jsonl",
            "{\"userId\":\"c-1\"}\n{\"userId\" \"c-2\"}\n",
            &["line 2, column 11", "not valid JSON"],
        ),
    ];
    for (file, text, needles) in cases {
        sb.write(file, text);
        let out = rehearsal_mint(&sb, &["--user-ids", file]);
        assert_refused(&out, needles);
    }
}

#[test]
fn the_format_can_be_named_when_the_content_does_not_say_it() {
    let sb = rehearsal_sandbox();
    // One id per line that contains a comma: read as a CSV header, unless told.
    sb.write("ids.txt", "doe, jane\nroe, rick\n");
    let out = rehearsal_mint(&sb, &["--user-ids", "ids.txt", "--jws"]);
    assert_refused(&out, &["no userId column", "--input-format lines"]);
    let out = rehearsal_mint(
        &sb,
        &[
            "--user-ids",
            "ids.txt",
            "--jws",
            "--json",
            "--input-format",
            "lines",
        ],
    );
    assert_exit(&out, 0);
    let users: Vec<Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["user_id"].clone())
        .collect();
    assert_eq!(users, ["doe, jane", "roe, rick"]);
    // A header of just userId is CSV: the header is not a user.
    sb.write("one-column.csv", "userId\nc-1\n");
    let out = rehearsal_mint(&sb, &["--user-ids", "one-column.csv", "--jws", "--json"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 1);
    let out = rehearsal_mint(&sb, &["--user-id", "c", "--input-format", "csv"]);
    assert_exit(&out, 2);
}

/// The `iat` that `mint --now TIME` gives.
fn iat(sb: &Sandbox, now: &str) -> i64 {
    let out = rehearsal_mint(sb, &["--user-id", "c-1", "--jws", "--json", "--now", now]);
    assert_exit(&out, 0);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    record["claims"]["iat"].as_i64().unwrap()
}

#[test]
fn now_in_each_form_gives_the_iat_of_the_same_unix_seconds() {
    let sb = rehearsal_sandbox();
    let unix = NOW.to_string();
    assert_eq!(iat(&sb, &unix), NOW);
    for form in [
        "2025-12-01T10:00:00Z",
        "2025-12-01T11:30:00+01:30",
        "2025-12-01T10:00:00.75Z",
    ] {
        assert_eq!(iat(&sb, form), NOW, "{form}");
    }
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    for (form, offset) in [("-1h", -3600), ("+5m", 300), ("now", 0)] {
        let before = now();
        let got = iat(&sb, form);
        let after = now();
        assert!(
            (before + offset..=after + offset).contains(&got),
            "{form}: {got} not in {before}..={after} {offset:+}"
        );
    }
    let out = rehearsal_mint(&sb, &["--user-id", "c-1", "--now", "2026-12-01 10:00"]);
    assert_refused(&out, &["--now", "not a time", "RFC 3339"]);

    // inspect reads the same forms: the same report at the same instant.
    let token = stdout(&rehearsal_mint(&sb, &["--user-id", "c-1", "--now", &unix]));
    let report = |now: &str| {
        let out = run(sb.cmd().args([
            "inspect",
            "--json",
            "--decrypt-key",
            "standin-iadvize-private.pem",
            "--now",
            now,
            token.trim(),
        ]));
        // Not verified (no --verify-key): nobody can tell, whatever the time.
        assert_exit(&out, 3);
        stdout(&out)
    };
    let at = (NOW + 30).to_string();
    assert_eq!(report("2025-12-01T10:00:30Z"), report(&at));
    assert!(report("2025-12-01T10:00:30Z").contains("expires in 30 s"));
}

#[test]
fn a_batch_on_a_terminal_shows_its_progress_and_a_closing_line_only_there() {
    let sb = rehearsal_sandbox();
    let ids: String = (1..=200).map(|i| format!("customer-{i}\n")).collect();
    sb.write("ids.txt", &ids);
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let mint = format!(
        "'{}' mint --key brand-private.pem --iadvize-key standin-iadvize-public.pem \
         --user-ids ids.txt",
        bin.display()
    );
    // `script` gives the command a terminal; its stdout goes to a file.
    let on_terminal = |command: String| {
        let out = run(std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(sb.path()));
        assert_exit(&out, 0);
        stdout(&out)
    };
    let terminal = on_terminal(format!("{mint} > tokens.txt"));
    assert!(
        terminal.contains("minted 200 tokens in ") && terminal.contains(" tokens/s)"),
        "{terminal:?}"
    );
    let tokens = std::fs::read_to_string(sb.join("tokens.txt")).unwrap();
    assert_eq!(tokens.lines().count(), 200);
    assert!(tokens.lines().all(|t| t.split('.').count() == 5));
    let json = on_terminal(format!("{mint} --json > tokens.jsonl"));
    assert!(!json.contains("minted"), "{json:?}");
    // Piped: nothing but the tokens, and the note on their recipient.
    let out = rehearsal_mint(&sb, &["--user-ids", "ids.txt"]);
    assert_exit(&out, 0);
    assert!(
        stderr_besides_recipient_note(&out).is_empty(),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sigint_in_the_middle_of_a_batch_stops_it_without_a_panic() {
    let sb = Sandbox::new();
    sb.fixture("brand-private.pem");
    sb.fixture("standin-iadvize-public.pem");
    let ids: String = (0..200_000).map(|i| format!("id-{i}\n")).collect();
    sb.write("ids.txt", ids);
    let mut cmd = rehearsal_mint_cmd(&sb);
    cmd.args(["--user-ids", "ids.txt"])
        .stdout(std::fs::File::create(sb.join("tokens.txt")).unwrap())
        .stderr(std::process::Stdio::piped());
    // As a terminal's shell starts a command: SIGINT ends it, even where this suite was started
    // in the background of a shell (which ignores SIGINT for what it starts so).
    // SAFETY: signal() is async-signal-safe, as pre_exec requires.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let child = cmd.spawn().unwrap();
    // Wait until tokens are flowing, then interrupt.
    let tokens = sb.join("tokens.txt");
    for _ in 0..200 {
        if std::fs::metadata(&tokens)
            .map(|m| m.len() > 100_000)
            .unwrap_or(false)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(2),
        "ended by SIGINT (exit 130 in a shell)"
    );
    assert!(!stderr(&out).contains("panicked"));
    let written = std::fs::read_to_string(&tokens).unwrap();
    assert!(written.lines().count() < 200_000, "stopped before the end");
}

// Relative `--now` values out of range were named by the number they came to, with a guess at
// milliseconds; and `--now 9999-12-31T23:59:59Z` minted a token whose `exp` no date can write.
#[test]
fn now_out_of_range_is_named_as_typed_and_exp_must_stay_writable() {
    let sb = rehearsal_sandbox();
    for (now, comes_to) in [
        ("+9999999999h", "comes to a time after 9999-12-31T23:59:59Z"),
        ("-99999999999999", "comes to a time before 1970"),
        ("0001-01-01T00:00:00Z", "comes to a time before 1970"),
    ] {
        let out = rehearsal_mint(&sb, &["--user-id", "c-1", &format!("--now={now}")]);
        let message = assert_refused(&out, &["--now", &format!("{now:?} {comes_to}")]);
        assert!(!message.contains("milliseconds"), "{message}");
    }
    // The token's exp (now + ttl) must be a writable date too.
    for (now, ttl, exp) in [
        ("9999-12-31T23:59:59Z", "60", "253402300859"),
        ("9999-12-31T23:00:00Z", "2h", "253402304400"),
    ] {
        let out = rehearsal_mint(&sb, &["--user-id", "c-1", "--now", now, "--ttl", ttl]);
        assert_refused(
            &out,
            &[
                &format!("--now {now:?}"),
                &format!("would expire at {exp}, after 253402300799"),
            ],
        );
    }
    // A row's own lifetime counts as well.
    sb.write("users.csv", "userId,ttl\nc-1,30\nc-2,2h\n");
    let out = rehearsal_mint(
        &sb,
        &["--user-ids", "users.csv", "--now", "9999-12-31T23:00:00Z"],
    );
    assert_refused(&out, &["--now", "would expire at 253402304400"]);
    // The last minute that leaves room for the lifetime is minted, and inspect reads it.
    let out = rehearsal_mint(
        &sb,
        &[
            "--user-id",
            "c-1",
            "--jws",
            "--json",
            "--now",
            "9999-12-31T23:58:59Z",
        ],
    );
    assert_exit(&out, 0);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(record["claims"]["exp"], 253_402_300_799_i64);
}

// A delimited file with its header row alone said "the input is empty or blank".
#[test]
fn a_header_row_alone_is_refused_as_such() {
    let sb = rehearsal_sandbox();
    for (file, text) in [
        ("header.csv", "userId;firstName\n"),
        ("excel.csv", "\u{feff}userId;firstName\r\n\r\n"),
        ("header.tsv", "userId\tfirstName"),
    ] {
        sb.write(file, text);
        let out = rehearsal_mint(&sb, &["--user-ids", file]);
        let message = assert_refused(&out, &[file, "only a header row, no users"]);
        assert!(!message.contains("empty"), "{message}");
    }
    // An empty file is still empty.
    sb.write("empty.csv", "");
    let out = rehearsal_mint(&sb, &["--user-ids", "empty.csv"]);
    assert_refused(&out, &["empty.csv", "empty or blank"]);
}

// Cells a spreadsheet turned into error values or rounded numbers were minted as user ids
// without a word.
#[test]
fn spreadsheet_error_values_and_rounded_numbers_mint_with_a_warning_naming_the_line() {
    let sb = rehearsal_sandbox();
    let artefacts = [
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#DIV/0!",
        "#NULL!",
        "#NUM!",
        "1,23457E+11",
        "1.23457E+11",
    ];
    let mut csv = String::from("userId;firstName\r\ncustomer-1;Jane\r\n");
    for id in artefacts {
        csv.push_str(&format!("{id};x\r\n"));
    }
    sb.write("export.csv", &csv);
    let out = rehearsal_mint(&sb, &["--user-ids", "export.csv", "--jws"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), artefacts.len() + 1);
    let err = stderr(&out);
    for (index, id) in artefacts.iter().enumerate() {
        let line = index + 3;
        let what = match id.starts_with('#') {
            true => "is a spreadsheet error value",
            false => {
                "is a number in scientific notation: the spreadsheet turned the id into a \
                      rounded number"
            }
        };
        assert!(
            err.contains(&format!("warning: line {line}: user id {id:?} {what}")),
            "{id}: {err}"
        );
    }
    assert!(!err.contains("customer-1"), "{err}");
    // Past ten, counted by kind.
    sb.write("many.txt", "#N/A\n".repeat(12));
    let out = rehearsal_mint(&sb, &["--user-ids", "many.txt", "--jws"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out)
            .contains("2 user ids a spreadsheet turned into an error value or a rounded number"),
        "{}",
        stderr(&out)
    );
    // One id on the command line, and ids that only look alike, without.
    let out = rehearsal_mint(&sb, &["--user-id", "#VALUE!", "--jws"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("spreadsheet error value"),
        "{}",
        stderr(&out)
    );
    for id in ["12e4", "c-1E+5", "#1"] {
        let out = rehearsal_mint(&sb, &["--user-id", id, "--jws"]);
        assert_exit(&out, 0);
        assert!(
            !stderr(&out).contains("spreadsheet"),
            "{id}: {}",
            stderr(&out)
        );
    }
}
