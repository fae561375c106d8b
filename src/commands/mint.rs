//! `mint`: signed-then-encrypted tokens for one user id or a file of users, honest or faulty
//! on purpose.
//!
//! The arguments become a [`Request`]; the library checks it into a [`Plan`], and every row of
//! a batch is checked before anything is minted, so a bad input never leaves half a batch on
//! stdout. This module only maps arguments in and tokens out.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;

use anyhow::{Context, bail};
use iadvize_auth::claims::{self, ClaimError, OwnedBy, VisitorData};
use iadvize_auth::keys::MAX_KEY_INPUT_BYTES;
use iadvize_auth::mint::{
    self, Batch, BatchError, Delimiter, Fault, InputFormat, MintError, Minted, Notice, Plan,
    Recipient, Request, Row, User,
};
use iadvize_auth::time;
use serde_json::{Map, Value};

use super::Outcome;
use super::input::{self, key_source, load_key};
use crate::cli::{self, MintArgs};
use crate::output::{self, Talk};

/// Context of a failed write; a closed pipe is still recognised below it and ends quietly.
const CANNOT_WRITE: &str = "cannot write the tokens to standard output";
/// At most this many warnings of each sort (single ids, repeated ids) are printed; the rest are
/// counted.
const MAX_ID_WARNINGS: usize = 10;

pub(super) fn run(args: MintArgs) -> anyhow::Result<Outcome> {
    if args.list_faults {
        return list_faults(args.json);
    }
    let now = args
        .now
        .as_deref()
        .map(|now| time::parse_time(now, time::now()))
        .transpose()
        .context("--now")?;
    input::one_stdin_reader(&[
        ("--key -", input::is_stdin(args.key.as_deref())),
        ("--user-ids -", input::is_stdin(args.user_ids.as_deref())),
        (
            "--iadvize-key -",
            input::is_stdin(args.iadvize_key.as_deref()),
        ),
    ])?;
    let (plan, notices) = Plan::new(request(&args)?).map_err(|err| flag_error(err, &args))?;
    let (batch, warnings) = match (&args.user_id, &args.user_ids) {
        (Some(id), _) => {
            let user = User::new(id.as_str());
            let warning = plan.check_user(&user).context("--user-id")?;
            let row = Row { line: 1, user };
            (
                Batch::from(vec![row]),
                warning.map(|w| w.message(id)).into_iter().collect(),
            )
        }
        (None, Some(path)) => {
            let name = input_name(path);
            let format = args.input_format.map(|format| match format {
                cli::InputFormat::Csv => InputFormat::Csv(Delimiter::Comma),
                cli::InputFormat::CsvSemicolon => InputFormat::Csv(Delimiter::Semicolon),
                cli::InputFormat::Tsv => InputFormat::Csv(Delimiter::Tab),
                cli::InputFormat::Jsonl => InputFormat::JsonLines,
                cli::InputFormat::Lines => InputFormat::Lines,
            });
            let batch = read_rows(path, format).map_err(|err| batch_error(err, &name))?;
            let warnings = plan
                .check_batch(&batch, MAX_ID_WARNINGS)
                .map_err(|err| batch_error(err, &name))?;
            (batch, warnings)
        }
        (None, None) => bail!("give --user-id ID or --user-ids FILE"),
    };
    if let (Some(now), Some(given)) = (now, args.now.as_deref()) {
        plan.check_issue_time(now, &batch.rows)
            .with_context(|| format!("--now {:?}", given.trim()))?;
    }
    // Said once the input is known to be usable: an error is then the only line.
    for notice in &notices {
        print_notice(notice);
    }
    output::warn_all(&warnings);

    let jobs = args.jobs.map(|n| n.get());
    let json = args.json;
    let render = |minted: Minted<'_>| -> anyhow::Result<String> {
        Ok(match json {
            true => serde_json::to_string(&minted)?,
            false => minted.token,
        })
    };
    let mut out = output::TokenOut::stdout().context(CANNOT_WRITE)?;
    let rows = &batch.rows;
    let mut progress = match args.user_ids.is_some() && !json {
        true => output::Progress::start(rows.len()),
        false => output::Progress::none(),
    };
    let minted = plan
        .mint_all(rows, jobs, now, render, |line| {
            progress.inc();
            out.line(line).map_err(|err| WriteFailed(err).into())
        })
        .and_then(|spread| match out.flush() {
            Ok(()) => Ok(spread),
            Err(err) => Err(WriteFailed(err).into()),
        });
    let input = args.user_ids.as_deref().map(input_name);
    let spread = minted.map_err(|err| stopped(err, &mut out, rows, input.as_deref()))?;
    progress.finish();
    if let Some((refused, cause)) = &spread.refused {
        let asked = spread.workers + refused;
        let on = match spread.workers {
            0 => "minted on the main thread alone".to_string(),
            n => format!("minted on the {n} that did"),
        };
        output::talk(
            Talk::Note,
            &format!("{refused} of the {asked} threads asked for could not start ({cause}); {on}"),
        );
    }
    Ok(Outcome::Success)
}

/// A write of the tokens failed.
#[derive(Debug, thiserror::Error)]
#[error("{CANNOT_WRITE}")]
struct WriteFailed(#[source] io::Error);

/// Why a run stopped after minting began: a write failed, or a row could not be minted. Every
/// token before it is written (`out` is flushed after a minting error), and for a batch
/// (`input`), the message counts them and names the line of the first row without a token.
fn stopped(
    err: anyhow::Error,
    out: &mut output::TokenOut,
    rows: &[Row],
    input: Option<&str>,
) -> anyhow::Error {
    let (cause, write) = match err.downcast::<WriteFailed>() {
        Ok(WriteFailed(io)) => (anyhow::Error::new(io), true),
        Err(err) => match out.flush() {
            Ok(()) => (err, false),
            Err(io) => (anyhow::Error::new(io), true),
        },
    };
    if output::is_broken_pipe(&cause) {
        return cause;
    }
    let Some(input) = input else {
        return match write {
            true => cause.context(CANNOT_WRITE),
            false => cause,
        };
    };
    let (written, total) = (out.written(), rows.len());
    let mut told = match (written, out.cut()) {
        (0, false) => format!("none of the {total} tokens was written"),
        (0, true) => format!(
            "none of the {total} tokens was written whole, only part of the first (drop that \
             line)"
        ),
        (_, false) => format!("the first {written} of {total} tokens were written, each whole"),
        (_, true) => format!(
            "the first {written} of {total} tokens were written whole, and part of the next \
             one after them (drop that last line)"
        ),
    };
    if let Some(next) = rows.get(written) {
        let line = next.line;
        told.push_str(&format!(
            "; the first row without a token is line {line} of {input}"
        ));
    }
    match (write, rows.get(written)) {
        (true, _) | (false, None) => anyhow::anyhow!("{CANNOT_WRITE}: {cause:#}; {told}"),
        (false, Some(row)) => anyhow::anyhow!(
            "cannot mint the token of line {} of {input}: {cause:#}; {told}",
            row.line
        ),
    }
}

/// `--list-faults`: a table for people, or one JSON array.
fn list_faults(json: bool) -> anyhow::Result<Outcome> {
    let faults: Vec<mint::FaultInfo> = Fault::ALL.iter().map(|fault| fault.info()).collect();
    if json {
        output::print_json(&faults)?;
    } else {
        std::io::stdout()
            .lock()
            .write_all(output::fault_table(&faults).as_bytes())?;
    }
    Ok(Outcome::Success)
}

/// What the arguments ask for, keys loaded.
fn request(args: &MintArgs) -> anyhow::Result<Request> {
    let ttl = time::parse_duration(&args.ttl.ttl).context("--ttl")?;
    let faults = args
        .fault
        .iter()
        .map(|name| Fault::from_name(name))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| anyhow::anyhow!("--fault: {err}; `mint --list-faults` lists them"))?;
    let signing_key = load_key(
        &key_source(signing_key_path(args)?),
        &args.signing_key_options(),
    )?;
    // With --jws nothing is encrypted: the recipient key is not read, nor its passphrase asked.
    let recipient = match (&args.iadvize_key, args.jws) {
        (_, true) => Recipient::SignOnly,
        (None, false) => Recipient::IadvizeProduction,
        (Some(path), false) => {
            Recipient::Key(load_key(&key_source(path), &args.recipient_key_options())?)
        }
    };
    Ok(Request {
        signing_key,
        recipient,
        ttl,
        issuer: args.issuer.clone(),
        visitor_data: visitor_data(args.visitor_data.as_deref(), &args.visitor)?,
        extra_claims: extra_claims(&args.claim)?,
        faults,
        stranger: None,
    })
}

/// `--key` (clap requires it unless `--list-faults`).
fn signing_key_path(args: &MintArgs) -> anyhow::Result<&Path> {
    args.key
        .as_deref()
        .context("give --key PRIVATE_KEY (or set IADVIZE_AUTH_KEY)")
}

/// The flag a plan's error is about, before the error.
fn flag_error(err: MintError, args: &MintArgs) -> anyhow::Error {
    let flag = match &err {
        MintError::TtlZero | MintError::TtlTooLong => format!("--ttl {}", args.ttl.ttl),
        MintError::VisitorData(_) => "--visitor-data".into(),
        MintError::ExtraClaim(ClaimError::OwnedClaim { name, owner }) => {
            let flag = match owner {
                OwnedBy::UserId => "--user-id",
                OwnedBy::VisitorData => "--visitor-data or --visitor",
                OwnedBy::IssueTime => "--now",
                OwnedBy::Lifetime => "--ttl",
                OwnedBy::Issuer => "--issuer",
            };
            return anyhow::anyhow!("--claim {name}: set by {flag}; use that instead");
        }
        MintError::ExtraClaim(ClaimError::RegisteredType(mismatch)) => {
            format!("--claim {}", mismatch.name)
        }
        MintError::ExtraClaim(ClaimError::ClaimTooDeep { name }) => format!("--claim {name}"),
        MintError::ExtraClaim(_) => "--claim".into(),
        MintError::Issuer(_) => "--issuer".into(),
        MintError::Fault(_) => "--fault".into(),
        MintError::SigningKeyNotPrivate | MintError::KeyTooSmall { .. } => {
            let key = match &err {
                MintError::KeyTooSmall {
                    role: mint::KeyRole::Recipient,
                    ..
                } => args.iadvize_key.as_deref().unwrap_or(Path::new("-")),
                _ => args.key.as_deref().unwrap_or(Path::new("-")),
            };
            format!("cannot mint with key {}", key_source(key))
        }
        _ => "cannot mint".into(),
    };
    anyhow::Error::new(err).context(flag)
}

fn print_notice(notice: &Notice) {
    match notice {
        Notice::ProductionRecipient { .. } => {
            output::talk(
                Talk::Note,
                &format!("{notice}; use --iadvize-key for a rehearsal key"),
            );
        }
        notice if notice.is_warning() => output::talk(Talk::Warning, &notice.to_string()),
        notice => output::talk(Talk::Note, &notice.to_string()),
    }
}

/// `--visitor-data` (inline JSON or @FILE), then each `--visitor FIELD=VALUE` over it.
fn visitor_data(inline: Option<&str>, fields: &[String]) -> anyhow::Result<Option<VisitorData>> {
    if inline.is_none() && fields.is_empty() {
        return Ok(None);
    }
    let data = match inline {
        None => VisitorData::default(),
        Some(text) => match text.strip_prefix('@') {
            Some(path) => {
                let bytes = input::read_small_file(
                    Path::new(path),
                    &format!("--visitor-data file '{path}'"),
                    MAX_KEY_INPUT_BYTES,
                )?;
                // A file saved by a Windows editor may start with a byte order mark.
                let json = bytes.strip_prefix(mint::UTF8_BOM).unwrap_or(&bytes);
                claims::parse_visitor_data(json)
                    .with_context(|| format!("--visitor-data file '{path}'"))?
            }
            None => claims::parse_visitor_data(text.as_bytes()).context("--visitor-data")?,
        },
    };
    let fields = fields
        .iter()
        .map(|field| {
            field
                .split_once('=')
                .with_context(|| format!("--visitor {field:?}: expected FIELD=VALUE"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let fields = VisitorData::from_fields(fields).context("--visitor")?;
    Ok(Some(data.overlaid(&fields)))
}

/// `--claim NAME=JSON`; the names are checked by the plan.
fn extra_claims(specs: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut extra = Map::new();
    for spec in specs {
        let (name, json) = spec
            .split_once('=')
            .with_context(|| format!("--claim {spec:?}: expected NAME=JSON"))?;
        let value: Value = serde_json::from_str(json).with_context(|| {
            format!(
                "--claim {name}: {json:?} is not JSON; a string needs quotes, \
                 e.g. --claim '{name}=\"text\"'"
            )
        })?;
        extra.insert(name.to_string(), value);
    }
    Ok(extra)
}

/// How `--user-ids PATH` is called in messages.
fn input_name(path: &Path) -> String {
    match path.as_os_str() == "-" {
        true => "standard input".into(),
        false => format!("'{}'", path.display()),
    }
}

/// The rows of `--user-ids FILE` (`-`: standard input).
fn read_rows(path: &Path, format: Option<InputFormat>) -> Result<Batch, BatchError> {
    if path.as_os_str() == "-" {
        return mint::read_batch(std::io::stdin().lock(), format);
    }
    let file = File::open(path).map_err(BatchError::Read)?;
    mint::read_batch(BufReader::with_capacity(64 * 1024, file), format)
}

/// A batch error, with the input's name; an invalid line says that nothing was minted.
fn batch_error(err: BatchError, name: &str) -> anyhow::Error {
    match err {
        BatchError::Read(_) => anyhow::Error::new(err).context(format!("user ids {name}")),
        BatchError::Invalid { .. }
        | BatchError::LineTooLong { .. }
        | BatchError::TooManyRows { .. } => {
            anyhow::anyhow!("user ids {name}, {err}; nothing was minted")
        }
        BatchError::Undecided {
            line,
            problem,
            formats,
        } => anyhow::anyhow!(
            "user ids {name}, line {line}: {problem}: give {}; nothing was minted",
            mint::named_formats("--input-format ", &formats)
        ),
        BatchError::TooLarge { .. } => {
            anyhow::anyhow!("user ids {name}: {err}; nothing was minted")
        }
        BatchError::Empty | BatchError::HeaderOnly => anyhow::anyhow!("user ids {name}: {err}"),
    }
}
