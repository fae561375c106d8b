//! `inspect`: every check and what iAdvize's Java stack does about it (`checks`, and values at
//! the edge in `edge_values`); the verdict, which says whose verdict it is, from the binary and
//! from the library as a server calls it (`verdict`); tokens found wherever they were pasted
//! from (`finding`); the human report (`human`); and the command line (`command_line`).

mod checks;
mod command_line;
mod edge_values;
mod finding;
mod human;
mod verdict;

use serde_json::Value;

use crate::common::*;

/// The time every test token is judged at: 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000;

/// A sandbox with the brand's, a stranger's and the stand-in's keys, for `inspect` as support
/// uses it.
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

    /// The brand's inner signed token (JWS) for customer-8812, issued at NOW: what its backend
    /// signs before encrypting.
    fn inner(&self) -> String {
        let out = run(self.sb.cmd().args([
            "mint",
            "--key",
            "brand-private.pem",
            "--user-id",
            "customer-8812",
            "--jws",
            "--now",
            &NOW.to_string(),
        ]));
        assert_exit(&out, 0);
        stdout(&out).trim().to_string()
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
