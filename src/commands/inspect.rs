//! `inspect`: find every token in what was pasted (a token, a log, JSON, a HAR file), judge
//! each, report the verdict first.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, bail};
use iadvize_auth::inspect::{self, Names, Options, Place, Report};
use iadvize_auth::keys::{KeyError, read_limited};
use iadvize_auth::time;
use iadvize_auth::verdict::{Acceptance, Answer, Role};
use serde::Serialize;

use super::{Outcome, key_source, load_key};
use crate::cli::{ColorWhen, Expect, InspectArgs};
use crate::output::{self, ReportContext};

/// Files and standard input may be large (a HAR file of a whole session).
const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Where a single-line argument holds no token, it is judged as one anyway: someone meant it.
const MAX_BARE_GUESS_BYTES: usize = 64 * 1024;
/// The JSON output's version: 2 added the verdict, `found` and `schema_version`; 3 the
/// verdict's subject, production and recipient, and `decrypt_key_sha256`.
const SCHEMA_VERSION: u32 = 3;

/// The flags that give the keys, in the report's messages.
const NAMES: Names<'static> = Names {
    decrypt_key: "--decrypt-key",
    verify_key: "--verify-key",
    expect_jws: "--expect jws",
};

pub fn run(args: InspectArgs) -> anyhow::Result<Outcome> {
    let json = args.json;
    let result = judge_all(args);
    // Scripts read stdout: the error is there too, as well as on stderr.
    if json
        && let Err(err) = &result
        && !output::is_broken_pipe(err)
    {
        let error = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "error": format!("{err:#}"),
        });
        println!("{error}");
    }
    result
}

/// One token's report, as `--json` prints it (one line each).
#[derive(Serialize)]
struct Judged<'a> {
    schema_version: u32,
    /// Where the token was found (the token text shortened unless `--show-tokens`).
    found: &'a [String],
    #[serde(flatten)]
    report: &'a Report,
}

fn judge_all(args: InspectArgs) -> anyhow::Result<Outcome> {
    let now = match &args.now {
        Some(now) => time::parse_time(now, time::now()).context("--now")?,
        None => time::now(),
    };
    let leeway = time::parse_duration(&args.leeway).context("--leeway")?;
    let (text, name) = read_input(args.token.as_deref())?;
    let found = find_tokens(&text, &name, args.token.as_deref())?;

    let decrypt_key = args
        .decrypt_key
        .as_deref()
        .map(|path| load_key(&key_source(path), &args.decrypt_key_options()))
        .transpose()?;
    // A brand key that is not RSA is a verdict (iAdvize refuses that brand's tokens), not an
    // unusable input.
    let (verify_key, not_rsa) = match args.verify_key.as_deref() {
        None => (None, None),
        Some(path) => match load_key(&key_source(path), &args.verify_key_options()) {
            Ok(key) => (Some(key), None),
            Err(err) => match err.downcast_ref::<KeyError>() {
                Some(KeyError::NotRsa { found }) => (None, Some(found.clone())),
                _ => return Err(err),
            },
        },
    };
    for key in decrypt_key.iter().chain(&verify_key) {
        output::warn_all(key.warnings());
    }
    let options = Options {
        decrypt_key: decrypt_key.as_ref(),
        verify_key: verify_key.as_ref(),
        verify_key_not_rsa: not_rsa.as_deref(),
        now,
        leeway,
        expect_jws: args.expect == Expect::Jws,
        names: NAMES,
    };
    let colour = match args.color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => output::stdout_colour(),
    };

    let mut reports = Vec::with_capacity(found.len());
    for token in &found {
        let report = inspect::inspect(&token.token, &options).context("cannot inspect")?;
        let places: Vec<String> = token
            .places
            .iter()
            .map(|place| shown_place(place, &found, args.show_tokens))
            .collect();
        reports.push((report, places));
    }
    // Of several tokens, the worst answer is the input's.
    let answer = reports
        .iter()
        .map(|(report, _)| report.verdict.answer())
        .max()
        .unwrap_or(Answer::Accepted);
    let mut text = String::new();
    for (index, (report, places)) in reports.iter().enumerate() {
        if args.json {
            let judged = Judged {
                schema_version: SCHEMA_VERSION,
                found: places,
                report,
            };
            text.push_str(&serde_json::to_string(&judged)?);
            text.push('\n');
        } else if args.brief {
            text.push_str(&output::brief_line(report, places, &NAMES));
        } else {
            if index > 0 {
                text.push_str("\n\n");
            }
            // The whole input is the token: no place worth a line.
            let places: &[String] = match found[index].places[..] {
                [Place::Whole] => &[],
                _ => places,
            };
            text.push_str(&output::render_report(
                report,
                &ReportContext {
                    places,
                    now,
                    colour,
                    show_tokens: args.show_tokens,
                    width: output::report_width(),
                    names: &NAMES,
                },
            ));
        }
    }
    if !args.json && (reports.len() > 1 || args.brief) {
        if !args.brief {
            text.push('\n');
        }
        text.push_str(&summary(&reports));
    }
    // The verdict is known before printing: a reader that stopped early (`| head -3`) does
    // not turn a failed check into success.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(anyhow::Error::new(err).context("cannot write the report"));
        }
        _ => {}
    }
    Ok(match answer {
        Answer::Accepted => Outcome::Success,
        Answer::Rejected => Outcome::ChecksFailed,
        Answer::CannotTell => Outcome::CannotTell,
    })
}

/// `Summary: 3 tokens found: 1 accepted, 1 accepted but breaking iAdvize's documented rules,
/// 1 rejected`.
fn summary(reports: &[(Report, Vec<String>)]) -> String {
    let kinds = [
        "accepted",
        "accepted but breaking iAdvize's documented rules",
        "rejected",
        "cannot tell",
    ];
    let mut counts = [0usize; 4];
    for (report, _) in reports {
        let verdict = &report.verdict;
        let opened = verdict.recipient.role != Role::Unknown;
        let kind = match verdict.answer() {
            Answer::Accepted => 0,
            Answer::CannotTell => 3,
            Answer::Rejected if opened && verdict.iadvize == Acceptance::Accepts => 1,
            Answer::Rejected => 2,
        };
        counts[kind] += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .zip(kinds)
        .filter(|(n, _)| **n > 0)
        .map(|(n, words)| format!("{n} {words}"))
        .collect();
    format!(
        "Summary: {} found: {}\n",
        iadvize_auth::text::plural(reports.len(), "token"),
        parts.join(", ")
    )
}

/// A place, with any token in it (a URL's query string) shortened unless asked for.
fn shown_place(place: &Place, found: &[inspect::Found], show_tokens: bool) -> String {
    let mut text = place.to_string();
    if !show_tokens {
        for token in found {
            if text.contains(&token.token) {
                text = text.replace(&token.token, &output::shortened(&token.token, false));
            }
        }
    }
    output::escape_untrusted(&text).into_owned()
}

/// The tokens in the input; none is an error, with a hint when the argument names a file.
fn find_tokens(
    text: &str,
    name: &str,
    argument: Option<&str>,
) -> anyhow::Result<Vec<inspect::Found>> {
    let found = inspect::find(text);
    if !found.is_empty() {
        return Ok(found);
    }
    if let Some(arg) = argument.filter(|a| !a.starts_with('@') && *a != "-")
        && Path::new(arg).is_file()
    {
        bail!("no token in the argument {arg:?}, but a file has that name: did you mean @{arg}?");
    }
    let trimmed = text.trim();
    let unwrapped =
        trimmed.trim_matches(|c: char| matches!(c, '"' | '\'' | '`') || c.is_whitespace());
    let core = match unwrapped.get(..6) {
        Some(head) if head.eq_ignore_ascii_case("bearer") => unwrapped[6..].trim(),
        _ => unwrapped,
    };
    if core.is_empty() {
        bail!("no token given: {name} is empty, or only whitespace, quotes or a 'Bearer' prefix");
    }
    // One line that is no token is still what someone gave as one: say what is wrong with it.
    if !trimmed.contains('\n') && trimmed.len() <= MAX_BARE_GUESS_BYTES {
        return Ok(vec![inspect::Found {
            token: text.to_string(),
            places: vec![Place::Whole],
        }]);
    }
    bail!(
        "no token found in {name}: a token starts with eyJ and has its parts separated by dots \
         (five for the encrypted token iAdvize receives)"
    )
}

/// The input's text and how to call it in messages.
fn read_input(arg: Option<&str>) -> anyhow::Result<(String, String)> {
    let stdin = || -> anyhow::Result<(String, String)> {
        let name = "standard input".to_string();
        let bytes = read_bounded(std::io::stdin().lock(), &name)?;
        Ok((text_of(&bytes), name))
    };
    match arg {
        Some("-") => stdin(),
        None if std::io::stdin().is_terminal() => {
            bail!("no token given: pass it as an argument, as @FILE, or on standard input")
        }
        None => stdin(),
        Some(text) => match text.strip_prefix('@') {
            Some(path) => {
                let name = format!("file '{path}'");
                let meta =
                    std::fs::metadata(path).with_context(|| format!("cannot read {name}"))?;
                if meta.is_dir() {
                    bail!("{name} is a directory");
                }
                let file =
                    std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
                let bytes = read_bounded(file, &name)?;
                Ok((text_of(&bytes), name))
            }
            None => Ok((text.to_string(), "the argument".to_string())),
        },
    }
}

/// A file's or a stream's text. A byte order mark at its start says how the file is encoded
/// (editors on Windows write one), not what the token is.
fn text_of(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_bounded(reader: impl std::io::Read, name: &str) -> anyhow::Result<Vec<u8>> {
    match read_limited(reader, MAX_INPUT_BYTES) {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(KeyError::TooLarge { .. }) => bail!(
            "{name} is larger than {} MiB: give the part of it that holds the token",
            MAX_INPUT_BYTES / 1024 / 1024
        ),
        Err(other) => bail!("cannot read {name}: {other}"),
    }
}
