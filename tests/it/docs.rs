//! The guide and the README quickstart cannot rot: every `console` block of docs/guide.md runs,
//! in order, in one temporary folder, and its output must match what the page shows.
//!
//! Block format (as trycmd writes it): lines starting with `$ ` are commands, run by bash with
//! `iadvize-auth` on the PATH; the lines after a command are its expected output (stdout and
//! stderr together, as a terminal shows them). In expected output, `[..]` matches any text
//! within a line and a line `...` matches any number of lines. A command expected to fail ends
//! its output with `[exit 1]` (or another code). Blocks marked ```` ```console,ignore ```` are
//! shown but not run (a prompt, a browser, files the reader has and the test does not).

use std::path::Path;
use std::process::Command;

use crate::common::*;

struct Step {
    command: String,
    expected: Vec<String>,
    exit: i32,
    line: usize,
}

/// The `console` blocks of a Markdown page, as steps.
fn steps(markdown: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_block = false;
    for (number, line) in markdown.lines().enumerate() {
        if !in_block {
            in_block = line.trim_end() == "```console";
            continue;
        }
        if line.starts_with("```") {
            in_block = false;
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_string(),
                expected: Vec::new(),
                exit: 0,
                line: number + 1,
            });
        } else if let Some(step) = steps.last_mut() {
            match line
                .strip_prefix("[exit ")
                .and_then(|r| r.strip_suffix(']'))
            {
                Some(code) => step.exit = code.parse().expect("[exit N]"),
                None => step.expected.push(line.to_string()),
            }
        }
    }
    steps
}

/// Does one output line match one expected line (with `[..]` wildcards)?
fn line_matches(expected: &str, actual: &str) -> bool {
    let pieces: Vec<&str> = expected.split("[..]").collect();
    if pieces.len() == 1 {
        return expected == actual;
    }
    let mut rest = actual;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(piece) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == pieces.len() - 1 {
            return rest.ends_with(piece);
        } else {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Matches lines with `...` standing for any number of lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            !actual.is_empty() && line_matches(first, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

/// A server a page started in the background (`… & echo $! > serve.pid`) is stopped when the
/// page has run, or failed half-way.
struct StopServer<'a>(&'a Path);

impl Drop for StopServer<'_> {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.0.join("serve.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

fn run_page(page: &str, dir: &Path) {
    let _stop = StopServer(dir);
    // Variables a step exports (`export NAME=…`) stay set for the steps after it, as in one
    // terminal session.
    let state_dir = tempfile::tempdir().expect("temp dir");
    let state = state_dir.path().join("exports.sh");
    std::fs::write(&state, "").expect("state file");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(page))
        .expect("page exists");
    let steps = steps(&text);
    assert!(!steps.is_empty(), "{page} has console blocks");
    let bin_dir = assert_cmd::cargo::cargo_bin("iadvize-auth")
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for step in steps {
        // The README's quickstart runs through cargo: the binary under test stands in for
        // `cargo run --release --`, and `scripts/test` runs this very suite.
        if step.command == "scripts/test" {
            continue;
        }
        let command = match step.command.strip_prefix("cargo run --release -- ") {
            Some(args) => format!("iadvize-auth {args}"),
            None => step.command.clone(),
        };
        let script = format!(
            ". '{state}'\n{{ {command}\n}} 2>&1\nstatus=$?\nexport -p > '{state}'\nexit $status",
            state = state.display()
        );
        let mut cmd = Command::new("bash");
        cmd.args(["-c", &script])
            .current_dir(dir)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("IADVIZE_AUTH_PASSPHRASE")
            .env_remove("IADVIZE_AUTH_KEY")
            .stdin(std::process::Stdio::null());
        let out = run(&mut cmd);
        let actual = stdout(&out);
        let lines: Vec<&str> = actual.lines().collect();
        assert_eq!(
            out.status.code(),
            Some(step.exit),
            "{page}:{}: `{}` exited {:?}\n{actual}",
            step.line,
            step.command,
            out.status.code()
        );
        assert!(
            lines_match(&step.expected, &lines),
            "{page}:{}: `{}` printed:\n{actual}\nthe page shows:\n{}",
            step.line,
            step.command,
            step.expected.join("\n")
        );
    }
}

#[test]
fn every_command_in_the_guide_runs_as_shown() {
    let sb = Sandbox::new();
    run_page("docs/guide.md", sb.path());
}

#[test]
fn readme_quickstart_and_examples_run_as_shown() {
    let sb = Sandbox::new();
    run_page("README.md", sb.path());
}

#[test]
fn the_matcher_understands_wildcards() {
    assert!(line_matches("a [..] c", "a b c"));
    assert!(line_matches("[..]z", "xyz"));
    assert!(!line_matches("a [..] c", "a b d"));
    let expected: Vec<String> = ["x", "...", "z"].iter().map(|s| s.to_string()).collect();
    assert!(lines_match(&expected, &["x", "1", "2", "z"]));
    assert!(lines_match(&expected, &["x", "z"]));
    assert!(!lines_match(&expected, &["x", "y"]));
}
