//! `inspect`: find every token in what was pasted (a token, a log, JSON, a HAR file), judge
//! each, report the verdict first.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use iadvize_auth::inspect::{
    self, Findings, MAX_TOKEN_BYTES, MAX_TOKENS, Names, Options, Place, Report,
};
use iadvize_auth::keys::KeyError;
use iadvize_auth::time;
use iadvize_auth::verdict::{Answer, Verdict};
use serde::Serialize;

use super::Outcome;
use super::input::{self, key_source, load_key};
use crate::cli::{ColorWhen, Expect, InspectArgs};
use crate::output::{self, ReportContext, Talk};

/// Files and standard input may be large (a HAR file of a whole session).
const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// The JSON output's version: 2 added the verdict, `found` and `schema_version`; 3 the
/// verdict's subject, production and recipient, and `decrypt_key_sha256`.
const SCHEMA_VERSION: u32 = 3;

/// The flags that give the keys, in the report's messages.
const NAMES: Names<'static> = Names {
    decrypt_key: "--decrypt-key",
    verify_key: "--verify-key",
    expect_jws: "--expect jws",
    standin_key: "the stand-in key you gave",
};

pub(super) fn run(args: InspectArgs) -> anyhow::Result<Outcome> {
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
    /// Where the token was found (the token text shortened unless `--show-tokens`): the first
    /// places.
    found: &'a [String],
    /// How many places in all.
    found_count: usize,
    /// The wrappers the token was found in.
    wrappers: Vec<output::WrappedOut>,
    #[serde(flatten)]
    report: &'a Report,
}

fn judge_all(args: InspectArgs) -> anyhow::Result<Outcome> {
    let now = match &args.now {
        Some(now) => time::parse_time(now, time::now()).context("--now")?,
        None => time::now(),
    };
    let leeway = time::parse_duration(&args.leeway).context("--leeway")?;
    input::one_stdin_reader(&[
        (
            "the text to inspect (-)",
            input::text_reads_stdin(args.token.as_deref()),
        ),
        (
            "--decrypt-key -",
            input::is_stdin(args.decrypt_key.as_deref()),
        ),
        (
            "--verify-key -",
            input::is_stdin(args.verify_key.as_deref()),
        ),
    ])?;
    let (text, name) = input::read_text(
        args.token.as_deref(),
        MAX_TEXT_BYTES,
        "give the part of it that holds the token",
        "no token given: pass it as an argument, as @FILE, or on standard input",
    )?;
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
    // One key pair for both: the token is encrypted to the brand's own signing key.
    if let (Some(decrypt), Some(verify)) = (&decrypt_key, &verify_key)
        && decrypt.public_info()?.sha256_fingerprint == verify.public_info()?.sha256_fingerprint
    {
        output::talk(
            Talk::Warning,
            "--decrypt-key and --verify-key are one key pair: a token it opens is encrypted \
                 to the brand's own signing key, which iAdvize does not hold; encrypt to \
                 iAdvize's key (or, to rehearse, to a stand-in key pair of its own)",
        );
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

    // Each token is judged, rendered and written before the next: memory stays bounded by the
    // largest report, whatever the number of tokens.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut writing = true;
    // Of several tokens, the worst answer is the input's.
    let mut answer = Answer::Accepted;
    let mut kinds = [0usize; SUMMARY_KINDS.len()];
    for (index, token) in found.tokens.iter().enumerate() {
        let report = inspect::inspect(&token.token, &options).context("cannot inspect")?;
        answer = answer.max(report.verdict.answer());
        let kind = summary_kind(&report.verdict);
        kinds[kind] += 1;
        let places: Vec<String> = token
            .places
            .iter()
            .map(|place| output::place_shown(place, args.show_tokens))
            .collect();
        let mut text = String::new();
        if args.json {
            let judged = Judged {
                schema_version: SCHEMA_VERSION,
                found: &places,
                found_count: token.place_count,
                wrappers: output::wrapped_out(token, args.show_tokens),
                report: &report,
            };
            text.push_str(&serde_json::to_string(&judged)?);
            text.push('\n');
        } else if args.brief {
            text.push_str(&output::brief_line(
                &report,
                SUMMARY_KINDS[kind].0,
                token,
                args.show_tokens,
                &NAMES,
            ));
        } else {
            if index > 0 {
                text.push_str("\n\n");
            }
            // The whole input is the token: no place worth a line.
            let places: &[String] = match token.places[..] {
                [Place::Whole] => &[],
                _ => &places,
            };
            let width = output::report_width();
            text.push_str(&output::render_report(
                &report,
                &ReportContext {
                    places,
                    place_count: token.place_count,
                    wrappers: &output::wrapper_block(token, args.show_tokens, width),
                    now,
                    colour,
                    show_tokens: args.show_tokens,
                    width,
                    names: &NAMES,
                },
            ));
        }
        // A reader that stopped early (`| head -3`) does not stop the judging: the exit code
        // still says what the worst answer was.
        if writing {
            writing = write_report(&mut out, &text)?;
        }
    }
    if !args.json && (found.tokens.len() > 1 || args.brief) && writing {
        let gap = if args.brief { "" } else { "\n" };
        let summary = format!("{gap}{}", summary(&kinds, found.not_kept));
        writing = write_report(&mut out, &summary)?;
    }
    if writing {
        write_report_end(&mut out)?;
    }
    Ok(match answer {
        Answer::Accepted => Outcome::Success,
        Answer::Rejected => Outcome::ChecksFailed,
        Answer::CannotTell => Outcome::CannotTell,
    })
}

/// Writes `text`; false once the reader has gone (a closed pipe), an error for anything else.
fn write_report(out: &mut impl Write, text: &str) -> anyhow::Result<bool> {
    match out.write_all(text.as_bytes()) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(err) => Err(anyhow::Error::new(err).context("cannot write the report")),
    }
}

fn write_report_end(out: &mut impl Write) -> anyhow::Result<()> {
    match out.flush() {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(err).context("cannot write the report"))
        }
        _ => Ok(()),
    }
}

/// The kinds of verdict the summary counts, in its order: as `--brief` says them, and as the
/// summary does.
const SUMMARY_KINDS: [(&str, &str); 4] = [
    ("accepted", "accepted"),
    ("breaks rules", "breaking iAdvize's documented rules"),
    ("rejected", "rejected"),
    ("cannot tell", "cannot tell"),
];

/// Which of [`SUMMARY_KINDS`] a verdict is.
fn summary_kind(verdict: &Verdict) -> usize {
    match verdict.answer() {
        Answer::Accepted => 0,
        Answer::CannotTell => 3,
        Answer::Rejected if verdict.refused() => 2,
        Answer::Rejected => 1,
    }
}

/// `Summary: 3 tokens found: 1 accepted, 1 breaking iAdvize's documented rules,
/// 1 rejected`, from the count of each of [`SUMMARY_KINDS`].
fn summary(counts: &[usize; SUMMARY_KINDS.len()], not_kept: usize) -> String {
    let parts: Vec<String> = counts
        .iter()
        .zip(SUMMARY_KINDS)
        .filter(|(n, _)| **n > 0)
        .map(|(n, (_, words))| format!("{n} {words}"))
        .collect();
    let not_kept = match not_kept {
        0 => String::new(),
        n => format!(
            " ({} more not judged: only the first {MAX_TOKENS} are)",
            iadvize_auth::text::plural(n, "token")
        ),
    };
    format!(
        "Summary: {} found: {}{not_kept}\n",
        iadvize_auth::text::plural(counts.iter().sum(), "token"),
        parts.join(", ")
    )
}

/// The tokens in the input; none is an error, with a hint when the argument names a file.
fn find_tokens(text: &str, name: &str, argument: Option<&str>) -> anyhow::Result<Findings> {
    let found = inspect::find(text);
    if (found.tokens.is_empty() || found.guessed)
        && let Some(arg) = argument.filter(|a| !a.starts_with('@') && *a != "-")
        && Path::new(arg).is_file()
    {
        bail!("no token in the argument {arg:?}, but a file has that name: did you mean @{arg}?");
    }
    let too_long = |long: &inspect::TooLong| {
        let bytes = long.bytes;
        let limit = MAX_TOKEN_BYTES / 1024 / 1024;
        match long.place {
            Place::Whole => format!(
                "{name} is one token-shaped text of {bytes} bytes; inspect judges tokens up to \
                 {limit} MiB (a token is a few kilobytes): give the token alone"
            ),
            _ => format!(
                "the token-shaped text at {} of {name} is {bytes} bytes long, not judged: \
                 inspect judges tokens up to {limit} MiB (a token is a few kilobytes)",
                output::place_shown(&long.place, false)
            ),
        }
    };
    if found.tokens.is_empty() {
        if let Some(first) = found.too_long.first() {
            bail!("{}", too_long(first));
        }
        if found.empty {
            bail!(
                "no token given: {name} is empty, or only whitespace, quotes or a 'Bearer' prefix"
            );
        }
        bail!(
            "no token found in {name}: a token starts with eyJ and has its parts separated by \
             dots (five for the encrypted token iAdvize receives)"
        );
    }
    let mut warnings: Vec<String> = found.too_long.iter().map(too_long).collect();
    if found.too_long_count > found.too_long.len() {
        warnings.push(format!(
            "{} more token-shaped texts over {} MiB in {name}, not judged",
            found.too_long_count - found.too_long.len(),
            MAX_TOKEN_BYTES / 1024 / 1024
        ));
    }
    if found.not_kept > 0 {
        warnings.push(format!(
            "{name} holds more than {MAX_TOKENS} different tokens: the first {MAX_TOKENS} are \
             judged, {} more are not (give a part of it)",
            found.not_kept
        ));
    }
    output::warn_all(&warnings);
    Ok(found)
}
