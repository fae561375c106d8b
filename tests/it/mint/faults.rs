//! `mint --fault`: every fault `--list-faults` declares is caught by the `inspect` check it
//! names, and judged by iAdvize's Java stack as it declares — by `inspect`'s verdict and by the
//! real Nimbus JOSE+JWT along iAdvize's path (tests/it/common/nimbus.rs; skipped, saying so, where
//! the jar is absent).

use crate::common::nimbus::{nimbus_present, nimbus_verdict};
use crate::common::*;
use serde_json::Value;

const NOW: &str = "1700000000";
const DECRYPT_KEY: &str = "standin-iadvize-private.pem";
const VERIFY_KEY: &str = "brand-public.pem";

/// `mint --list-faults --json`.
fn declared(sb: &Sandbox) -> Vec<Value> {
    let out = run(sb.cmd().args(["mint", "--list-faults", "--json"]));
    assert_exit(&out, 0);
    let list: Value = serde_json::from_slice(&out.stdout).expect("a JSON array");
    list.as_array().expect("an array").clone()
}

/// A rehearsal token for user 8812 at NOW with these extra arguments.
fn mint(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--user-id", "8812", "--now", NOW];
    all.extend_from_slice(args);
    rehearsal_mint(sb, &all)
}

/// `inspect --json` of the exact text, with both keys, at NOW.
fn inspect(sb: &Sandbox, text: &str) -> Value {
    sb.write("token.txt", text);
    let out = run(sb.cmd().args([
        "inspect",
        "--json",
        "--decrypt-key",
        DECRYPT_KEY,
        "--verify-key",
        VERIFY_KEY,
        "--now",
        NOW,
        "@token.txt",
    ]));
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "inspect: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// `verdict.iadvize`: what inspect says iAdvize's Java stack does with the token.
fn verdict(report: &Value) -> String {
    report["verdict"]["iadvize"]
        .as_str()
        .unwrap_or_else(|| panic!("no verdict.iadvize in {report}"))
        .to_owned()
}

#[test]
fn every_fault_is_caught_by_its_check_and_judged_as_declared_by_inspect_and_nimbus() {
    let sb = rehearsal_sandbox();
    let faults = declared(&sb);
    assert_eq!(faults.len(), 30);
    let nimbus = nimbus_present();
    let mut wrong = Vec::new();
    for fault in &faults {
        let name = fault["name"].as_str().expect("name");
        let out = mint(&sb, &["--fault", name]);
        assert_exit(&out, 0);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("warning: faulty token on purpose ({name}): ")),
            "{name}: {err}"
        );
        let text = stdout(&out);
        let text = text.strip_suffix('\n').expect("one line");
        assert!(!text.contains('\n'), "{name}: one token per line");

        let report = inspect(&sb, text);
        if nimbus {
            let theirs =
                nimbus_verdict(text.as_bytes(), &sb.join(DECRYPT_KEY), &sb.join(VERIFY_KEY));
            let theirs_word = if theirs.accepts { "accepts" } else { "rejects" };
            if theirs_word != fault["iadvize"] {
                wrong.push(format!(
                    "{name}: Nimbus {theirs_word} ({}), declared {}",
                    theirs.detail, fault["iadvize"]
                ));
            }
        }
        // A wrapper (`quoted`) is taken off by inspect's finder, which judges the token inside
        // and the text as found apart; given the text itself, the library's token.format
        // judges the wrapper (tests/it/nimbus/verdict.rs).
        if let Some(wrapped) = report["wrappers"].as_array().and_then(|w| w.first()) {
            if fault["check"] != "token.format"
                || wrapped["as_given"]["java_stack"] != fault["iadvize"]
            {
                wrong.push(format!("{name}: wrapped {wrapped}, declared {fault}"));
            }
            continue;
        }
        // Every check the token does not pass is declared: the one that catches it, and `also`.
        let mut declared: Vec<&str> = vec![fault["check"].as_str().unwrap()];
        declared.extend(
            fault["also"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str),
        );
        declared.sort_unstable();
        let mut not_passed: Vec<&str> = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "fail" || c["status"] == "warn")
            .filter_map(|c| c["id"].as_str())
            .collect();
        not_passed.sort_unstable();
        if not_passed != declared {
            wrong.push(format!(
                "{name}: inspect does not pass {not_passed:?}, declared {declared:?}"
            ));
        }
        let check = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["id"] == fault["check"])
            .unwrap_or_else(|| panic!("{name}: no check {}", fault["check"]));
        if check["status"] != fault["status"] {
            wrong.push(format!(
                "{name}: inspect's {} is {} ({}), declared {}",
                fault["check"], check["status"], check["message"], fault["status"]
            ));
        }
        let java = check["java_stack"].as_str().unwrap_or("?");
        if java != "n/a" && java != fault["iadvize"] {
            wrong.push(format!(
                "{name}: {}'s java_stack is {java}, declared {}",
                fault["check"], fault["iadvize"]
            ));
        }
        let ours = verdict(&report);
        if ours != fault["iadvize"] {
            wrong.push(format!(
                "{name}: inspect's verdict is {ours}, declared {}",
                fault["iadvize"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_list_says_what_each_fault_is_and_where_the_library_decides() {
    let sb = Sandbox::new();
    let faults = declared(&sb);
    for fault in &faults {
        for field in ["name", "what", "backend", "check", "nimbus"] {
            assert!(
                fault[field].as_str().is_some_and(|s| !s.is_empty()),
                "{fault}: {field}"
            );
        }
        assert!(["fail", "warn"].contains(&fault["status"].as_str().unwrap()));
        assert!(["accepts", "rejects"].contains(&fault["iadvize"].as_str().unwrap()));
    }
    // What a fault needs of the command line is said where the faults are listed.
    let number = faults
        .iter()
        .find(|f| f["name"] == "user-id-number")
        .unwrap();
    assert!(
        number["what"]
            .as_str()
            .unwrap()
            .ends_with("the id given must be digits"),
        "{number}"
    );
    let out = run(sb.cmd().args(["mint", "--list-faults"]));
    assert_exit(&out, 0);
    let table = stdout(&out);
    assert!(
        table.contains(
            "not-yet-valid            fail claims.nbf           accepts  iat and nbf an hour in the future\n                         and claims.iat"
        ),
        "{table}"
    );
    assert!(table.starts_with("FAULT "), "{table}");
    for line in table.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    for fault in &faults {
        let row = format!(
            "{:23}  {} {}",
            fault["name"].as_str().unwrap(),
            fault["status"].as_str().unwrap(),
            fault["check"].as_str().unwrap()
        );
        assert!(table.contains(&row), "{row}\n{table}");
    }
}

#[test]
fn docs_cli_md_has_every_fault_with_its_nimbus_citation() {
    let sb = Sandbox::new();
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md"),
    )
    .unwrap();
    for fault in declared(&sb) {
        let name = fault["name"].as_str().unwrap();
        let row = doc
            .lines()
            .find(|line| line.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("docs/cli.md has no fault table row for {name}"));
        for field in ["check", "iadvize", "nimbus"] {
            let value = fault[field].as_str().unwrap();
            assert!(
                row.contains(value),
                "{name}'s row lacks its {field} {value:?}:\n{row}"
            );
        }
        for also in fault["also"].as_array().unwrap() {
            let also = format!("`{}`", also.as_str().unwrap());
            assert!(row.contains(&also), "{name}'s row lacks {also}:\n{row}");
        }
        let warns = row.contains(&format!("`{}` (warn)", fault["check"].as_str().unwrap()));
        assert_eq!(warns, fault["status"] == "warn", "{name}'s row: {row}");
    }
}

#[test]
fn faults_combine_across_parts_of_the_token_and_the_record_lists_them() {
    let sb = rehearsal_sandbox();
    let out = mint(
        &sb,
        &[
            "--fault",
            "expired",
            "--fault",
            "jwe-rsa1_5",
            "--fault",
            "jws-rs512",
            "--json",
        ],
    );
    assert_exit(&out, 0);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        record["faults"],
        serde_json::json!(["expired", "jws-rs512", "jwe-rsa1_5"])
    );
    assert_eq!(record["issued_at"], 1_700_000_000 - 3600 - 60);
    assert_eq!(record["claims"]["exp"], 1_700_000_000 - 3600);
    let report = inspect(&sb, record["token"].as_str().unwrap());
    assert_eq!(
        failing_checks(&report),
        ["jwe.alg", "jws.alg", "claims.exp"]
    );
    assert_eq!(stderr(&out).matches("faulty token on purpose").count(), 3);

    // An honest token's record has no faults field, and says nothing of faults.
    let out = mint(&sb, &["--json"]);
    assert_exit(&out, 0);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(record.get("faults").is_none(), "{record}");
    assert!(!stderr(&out).contains("faulty"));
}

#[test]
fn faults_that_make_no_sense_together_are_refused() {
    let sb = rehearsal_sandbox();
    for (args, needles) in [
        (
            vec!["--fault", "no-exp", "--fault", "expired"],
            vec!["--fault", "expired and no-exp", "token's times"],
        ),
        (
            vec!["--fault", "plain-jws", "--fault", "jwe-a128gcm"],
            vec!["plain-jws makes no JWE"],
        ),
        (
            vec!["--fault", "unsigned", "--fault", "plain-jws"],
            vec!["unsigned and plain-jws"],
        ),
        (
            vec!["--fault", "json-serialized", "--fault", "padded-base64"],
            vec!["serialised"],
        ),
        (
            vec!["--fault", "no-cty", "--jws"],
            vec!["no-cty", "encrypted token"],
        ),
        (
            vec!["--fault", "user-id-as-sub", "--claim", "sub=\"c\""],
            vec!["sub"],
        ),
        (vec!["--fault", "nope"], vec!["invalid value 'nope'"]),
    ] {
        let out = mint(&sb, &args);
        assert_refused(&out, &needles);
    }
    // A fault that needs something of each row says which row lacks it, before minting.
    sb.write("ids.txt", "8812\nc-2\n");
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "brand-private.pem",
        "--user-ids",
        "ids.txt",
        "--jws",
        "--fault",
        "user-id-number",
    ]));
    assert_refused(&out, &["line 2", "digits", "nothing was minted"]);
    // Digits a JSON number would not give back as they are: refused, saying why.
    for id in ["0012", "99999999999999999999999"] {
        let out = run(sb.cmd().args([
            "mint",
            "--key",
            "brand-private.pem",
            "--user-id",
            id,
            "--jws",
            "--fault",
            "user-id-number",
        ]));
        assert_refused(
            &out,
            &[
                "no leading zero, at most 18446744073709551615",
                &format!("not \"{id}\""),
            ],
        );
    }
}

#[test]
fn sign_only_faults_and_text_defects_apply_to_the_bare_signed_token() {
    let sb = rehearsal_sandbox();
    let out = mint(&sb, &["--jws", "--fault", "jws-hs256", "--fault", "quoted"]);
    assert_exit(&out, 0);
    let token = stdout(&out);
    let token = token.trim_end();
    assert!(token.starts_with('"') && token.ends_with('"'), "{token}");
    assert_eq!(token.split('.').count(), 3);
    // eyJhbGciOiJIUzI1NiJ9 is {"alg":"HS256"}.
    assert!(token.starts_with("\"eyJhbGciOiJIUzI1NiJ9."), "{token}");
}
