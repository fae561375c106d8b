//! `mint`: signed-then-encrypted tokens for one user id or a file of them.
//!
//! Raw arguments become a `Plan` (keys loaded, claims checked, every id validated); only then
//! is anything minted, so a bad input never leaves half a batch on stdout. A batch is checked
//! in a first pass and read again while minting, so memory does not grow with its size.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, bail};
use iadvize_auth::claims::{self, ClaimsTemplate};
use iadvize_auth::keys::{KeySource, LoadedKey, MAX_KEY_INPUT_BYTES, read_limited};
use iadvize_auth::time;
use iadvize_auth::token::TokenMaker;
use iadvize_auth::user_ids::{self, BatchError, Checked, UTF8_BOM};
use serde::Serialize;
use serde_json::{Map, Value};

use super::passphrase::PassphraseSource;
use super::{Outcome, key_source, load_key};
use crate::cli::MintArgs;
use crate::output;

/// iAdvize's recommended lifetime is one minute; past an hour we warn.
const LONG_TTL_SECONDS: u64 = 3600;
/// A token meant to live more than a year is a mistake, not a test.
const MAX_TTL_SECONDS: u64 = 366 * 86_400;
/// User ids a thread mints before handing them to the writer.
const BLOCK: usize = 64;
/// Context of a failed write; a closed pipe is still recognised below it and ends quietly.
const CANNOT_WRITE: &str = "cannot write the tokens to standard output";
/// At most this many warnings of each sort (single ids, repeated ids) are printed; the rest are
/// counted.
const MAX_ID_WARNINGS: usize = 10;

/// One line of `mint --json`.
#[derive(Serialize)]
struct MintRecord<'a> {
    token: &'a str,
    user_id: &'a str,
    issued_at: i64,
    expires_at: i64,
    /// Null with `--jws`, as the next field: there is no recipient.
    recipient_sha256_fingerprint: Option<&'a str>,
    recipient_is_iadvize_production: Option<bool>,
    claims: &'a Map<String, Value>,
}

struct Plan {
    maker: TokenMaker,
    template: ClaimsTemplate,
    now: Option<i64>,
    /// None with `--jws`: nothing is encrypted.
    recipient_fingerprint: Option<String>,
    recipient_is_production: Option<bool>,
    jws_only: bool,
    json: bool,
    jobs: usize,
}

/// The ids to mint for.
enum UserIds {
    One(String),
    /// A checked batch and where to read it again: the file itself, or a copy of the input
    /// when it cannot be read twice (standard input, a pipe).
    Batch {
        checked: Checked,
        source: File,
        name: String,
    },
}

pub fn run(args: MintArgs) -> anyhow::Result<Outcome> {
    let (plan, user_ids) = plan(args)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    mint_all(&plan, user_ids, &mut out)?;
    out.flush().context(CANNOT_WRITE)?;
    Ok(Outcome::Success)
}

fn plan(args: MintArgs) -> anyhow::Result<(Plan, UserIds)> {
    let ttl = parse_ttl(&args.ttl.ttl)?;
    let now = args
        .now
        .map(time::check_unix_seconds)
        .transpose()
        .context("--now")?;
    let visitor_data = visitor_data(args.visitor_data.as_deref(), &args.visitor)?;
    let extra = extra_claims(&args.claim)?;

    check_one_stdin_reader(&args)?;
    let (user_ids, warnings) = match (&args.user_id, &args.user_ids) {
        (Some(id), _) => {
            let warning = claims::check_user_id(id).context("--user-id")?;
            (UserIds::One(id.clone()), warning.into_iter().collect())
        }
        (None, Some(path)) => read_user_ids(path)?,
        (None, None) => bail!("give --user-id ID or --user-ids FILE"),
    };

    let passphrase = PassphraseSource::new(args.passphrase.passphrase_file.clone());
    let signing_source = key_source(&args.key);
    let signing_key = load_key(&signing_source, &passphrase)?;
    // With --jws nothing is encrypted: the recipient key is not read, nor its passphrase asked.
    let recipient = if args.jws {
        None
    } else {
        let source = match &args.iadvize_key {
            Some(path) => key_source(path),
            None => KeySource::Builtin,
        };
        Some((load_key(&source, &passphrase)?, source))
    };
    let maker = match &recipient {
        Some((key, _)) => TokenMaker::new(&signing_key, key),
        None => TokenMaker::signing_only(&signing_key),
    }
    .with_context(|| format!("cannot mint with key {signing_source}"))?;

    output::warn_all(signing_key.warnings());
    let mut recipient_info = None;
    if let Some((key, source)) = &recipient {
        output::warn_all(key.warnings());
        warn_about_recipient(&signing_key, key, source)?;
        recipient_info = Some(key.public_info()?);
    }
    if ttl > LONG_TTL_SECONDS {
        eprintln!(
            "warning: --ttl {} is longer than 1 hour; iAdvize recommends 1 minute, and a \
             leaked token stays usable for its whole lifetime",
            args.ttl.ttl
        );
    }
    output::warn_all(&warnings);

    let jobs = args
        .jobs
        .map(|n| n.get())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    let plan = Plan {
        maker,
        template: ClaimsTemplate {
            issuer: args.issuer,
            visitor_data,
            extra,
            ttl,
        },
        now,
        recipient_is_production: recipient_info.as_ref().map(|i| i.is_iadvize_production()),
        recipient_fingerprint: recipient_info.map(|i| i.sha256_fingerprint),
        jws_only: args.jws,
        json: args.json,
        jobs,
    };
    Ok((plan, user_ids))
}

/// Standard input can be read once: refuses two inputs that both ask for it.
fn check_one_stdin_reader(args: &MintArgs) -> anyhow::Result<()> {
    let is_stdin = |path: Option<&Path>| path.is_some_and(|p| p.as_os_str() == "-");
    let readers: Vec<&str> = [
        ("--key -", is_stdin(Some(&args.key))),
        ("--user-ids -", is_stdin(args.user_ids.as_deref())),
        ("--iadvize-key -", is_stdin(args.iadvize_key.as_deref())),
    ]
    .into_iter()
    .filter_map(|(flag, reads)| reads.then_some(flag))
    .collect();
    match readers[..] {
        [a, b] => bail!(
            "{a} and {b} cannot both read standard input, which can be read only once; give \
             one of them as a file"
        ),
        [a, b, c] => bail!(
            "{a}, {b} and {c} cannot all read standard input, which can be read only once; \
             give all but one of them as files"
        ),
        _ => Ok(()),
    }
}

/// `--ttl`: at least a second, at most a year (`mint` and `serve`).
pub(super) fn parse_ttl(text: &str) -> anyhow::Result<u64> {
    let ttl = time::parse_duration(text).context("--ttl")?;
    if ttl == 0 {
        bail!("--ttl {text}: a token must live at least one second; iAdvize recommends 60s");
    }
    if ttl > MAX_TTL_SECONDS {
        bail!("--ttl {text}: more than a year; iAdvize recommends 60s");
    }
    Ok(ttl)
}

fn warn_about_recipient(
    signing_key: &LoadedKey,
    recipient: &LoadedKey,
    source: &KeySource,
) -> anyhow::Result<()> {
    let info = recipient.public_info()?;
    if *source == KeySource::Builtin {
        eprintln!(
            "note: encrypting to iAdvize's production key (built in, SHA-256 {}): only iAdvize \
             can open this token; use --iadvize-key for a rehearsal key",
            info.sha256_fingerprint
        );
    } else if info.sha256_fingerprint == signing_key.public_info()?.sha256_fingerprint {
        eprintln!(
            "warning: the token is encrypted to the brand's own key; iAdvize cannot decrypt \
             it. Encrypt to iAdvize's key (the default) or to a stand-in key"
        );
    }
    Ok(())
}

/// `--visitor-data` (inline JSON or @FILE), then each `--visitor FIELD=VALUE` over it.
fn visitor_data(
    inline: Option<&str>,
    fields: &[String],
) -> anyhow::Result<Option<Map<String, Value>>> {
    if inline.is_none() && fields.is_empty() {
        return Ok(None);
    }
    let mut data = match inline {
        None => Value::Object(Map::new()),
        Some(text) => match text.strip_prefix('@') {
            Some(path) => {
                let bytes = read_small_file(path)?;
                // A file saved by a Windows editor may start with a byte order mark.
                let json = bytes.strip_prefix(UTF8_BOM).unwrap_or(&bytes);
                claims::parse_visitor_data(json)
                    .with_context(|| format!("--visitor-data file '{path}'"))?
            }
            None => claims::parse_visitor_data(text.as_bytes()).context("--visitor-data")?,
        },
    };
    claims::check_visitor_data(&data).context("--visitor-data")?;
    if let Value::Object(map) = &mut data {
        for field in fields {
            let (name, value) = field
                .split_once('=')
                .with_context(|| format!("--visitor {field:?}: expected FIELD=VALUE"))?;
            map.insert(name.to_string(), Value::String(value.to_string()));
        }
    }
    claims::check_visitor_data(&data).context("--visitor")?;
    match data {
        Value::Object(map) => Ok(Some(map)),
        _ => Ok(None),
    }
}

fn read_small_file(path: &str) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read '{path}'"))?;
    let bytes =
        read_limited(file, MAX_KEY_INPUT_BYTES).with_context(|| format!("cannot read '{path}'"))?;
    Ok(bytes.to_vec())
}

/// `--claim NAME=JSON`, each name checked against iAdvize's prefix rule.
fn extra_claims(specs: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut extra = Map::new();
    for spec in specs {
        let (name, json) = spec
            .split_once('=')
            .with_context(|| format!("--claim {spec:?}: expected NAME=JSON"))?;
        claims::check_extra_claim_name(name).with_context(|| format!("--claim {name}"))?;
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

/// Reads and checks every user id of a batch before anything is minted, without keeping them:
/// only the warnings about them, and a way to read them again. Standard input, or a file that
/// is not a regular one (`--user-ids <(…)`), is copied to an unnamed temporary file meanwhile.
fn read_user_ids(path: &Path) -> anyhow::Result<(UserIds, Vec<String>)> {
    let (name, input) = if path.as_os_str() == "-" {
        ("standard input".to_string(), None)
    } else {
        let name = format!("'{}'", path.display());
        let file = File::open(path).with_context(|| format!("cannot read user ids {name}"))?;
        (name, Some(file))
    };
    let regular = match &input {
        Some(file) => file
            .metadata()
            .with_context(|| format!("cannot read user ids {name}"))?
            .is_file(),
        None => false,
    };
    let (checked, mut source) = match input {
        Some(file) if regular => {
            let checked = user_ids::check(BufReader::new(&file), None, MAX_ID_WARNINGS);
            (checked.map_err(|err| batch_error(err, &name))?, file)
        }
        input => {
            let copy = tempfile::tempfile()
                .with_context(|| format!("cannot make a temporary copy of {name}"))?;
            let mut writer = BufWriter::new(&copy);
            let checked = match input {
                Some(file) => {
                    user_ids::check(BufReader::new(file), Some(&mut writer), MAX_ID_WARNINGS)
                }
                None => {
                    user_ids::check(std::io::stdin().lock(), Some(&mut writer), MAX_ID_WARNINGS)
                }
            };
            let checked = checked.map_err(|err| batch_error(err, &name))?;
            writer
                .flush()
                .with_context(|| format!("cannot make a temporary copy of {name}"))?;
            drop(writer);
            (checked, copy)
        }
    };
    let repeated = checked
        .repeated(&mut source, MAX_ID_WARNINGS)
        .map_err(|err| batch_error(err, &name))?;
    // Warnings about single ids, then about repeated ones, each with its count of the rest.
    let mut warnings = Vec::new();
    for kind in [checked.warnings(), &repeated] {
        warnings.extend(kind.shown().iter().cloned());
        warnings.extend(kind.summary());
    }
    let batch = UserIds::Batch {
        checked,
        source,
        name,
    };
    Ok((batch, warnings))
}

/// A batch error, with the input's name; an invalid line says that nothing was minted.
fn batch_error(err: BatchError, name: &str) -> anyhow::Error {
    match err {
        BatchError::Read(io) => {
            anyhow::Error::new(io).context(format!("cannot read user ids {name}"))
        }
        BatchError::Temporary(io) => {
            anyhow::Error::new(io).context(format!("user ids {name}: cannot use a temporary file"))
        }
        BatchError::Invalid { .. } | BatchError::LineTooLong { .. } => {
            anyhow::anyhow!("user ids {name}, {err}; nothing was minted")
        }
        BatchError::Changed { .. } => anyhow::anyhow!(
            "user ids {name}, {err}; the tokens printed are for the lines before it, and no \
             other was minted"
        ),
        BatchError::Empty => anyhow::anyhow!("user ids {name}: {err}"),
    }
}

/// Mints every id in order, on `plan.jobs` threads. A reader thread reads the ids again in
/// blocks of `BLOCK` and gives block `i` to worker `i % jobs`; each worker hands each finished
/// block to the writer through its own small bounded channel, and the writer reads the
/// channels in turn. Tokens come out in input order, no thread waits at a barrier, and memory
/// holds a few blocks per worker whatever the number of ids.
fn mint_all(plan: &Plan, user_ids: UserIds, out: &mut impl Write) -> anyhow::Result<()> {
    let (checked, source, name) = match user_ids {
        UserIds::One(id) => return write_block(out, mint_block(plan, &[id])),
        UserIds::Batch {
            checked,
            source,
            name,
        } => (checked, source, name),
    };
    let blocks = checked.ids().div_ceil(BLOCK as u64);
    let mut replay = checked
        .replay(source)
        .map_err(|err| batch_error(err, &name))?;
    let mut next_block = move || {
        replay
            .next_block(BLOCK)
            .map_err(|err| batch_error(err, &name))
    };
    let jobs = plan
        .jobs
        .min(usize::try_from(blocks).unwrap_or(usize::MAX))
        .max(1);
    if jobs == 1 {
        while let Some(block) = next_block()? {
            write_block(out, mint_block(plan, &block))?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let mut to_workers = Vec::with_capacity(jobs);
        let mut from_workers = Vec::with_capacity(jobs);
        for _ in 0..jobs {
            let (to_worker, inbox) =
                std::sync::mpsc::sync_channel::<anyhow::Result<Vec<String>>>(2);
            let (outbox, from_worker) = std::sync::mpsc::sync_channel(2);
            scope.spawn(move || {
                for block in inbox {
                    let minted = block.and_then(|ids| mint_block(plan, &ids));
                    // The writer hung up (error or closed pipe): stop quietly.
                    if outbox.send(minted).is_err() {
                        break;
                    }
                }
            });
            to_workers.push(to_worker);
            from_workers.push(from_worker);
        }
        scope.spawn(move || {
            for index in 0.. {
                let block = match next_block() {
                    Ok(Some(block)) => Ok(block),
                    Ok(None) => break,
                    Err(err) => Err(err),
                };
                let failed = block.is_err();
                // A failed block still goes to the writer, in its place; then reading stops.
                if to_workers[index % jobs].send(block).is_err() || failed {
                    break;
                }
            }
        });
        let mut written = 0u64;
        for index in 0.. {
            // A worker's channel closes after its last block.
            let Ok(lines) = from_workers[index % jobs].recv() else {
                break;
            };
            write_block(out, lines)?;
            written += 1;
        }
        if written != blocks {
            bail!("a minting thread stopped unexpectedly");
        }
        Ok(())
    })
}

fn mint_block(plan: &Plan, block: &[String]) -> anyhow::Result<Vec<String>> {
    let issued_at = plan.now.unwrap_or_else(time::now);
    block
        .iter()
        .map(|id| mint_line(plan, id, issued_at))
        .collect()
}

fn write_block(out: &mut impl Write, lines: anyhow::Result<Vec<String>>) -> anyhow::Result<()> {
    for line in lines? {
        out.write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .context(CANNOT_WRITE)?;
    }
    Ok(())
}

fn mint_line(plan: &Plan, user_id: &str, issued_at: i64) -> anyhow::Result<String> {
    let claims = plan.template.claims_for(user_id, issued_at);
    let token = if plan.jws_only {
        plan.maker.sign(&claims)?
    } else {
        plan.maker.mint(&claims)?.jwe
    };
    if !plan.json {
        return Ok(token);
    }
    let expires_at = claims
        .get("exp")
        .and_then(Value::as_i64)
        .unwrap_or(issued_at);
    let record = MintRecord {
        token: &token,
        user_id,
        issued_at,
        expires_at,
        recipient_sha256_fingerprint: plan.recipient_fingerprint.as_deref(),
        recipient_is_iadvize_production: plan.recipient_is_production,
        claims: &claims,
    };
    Ok(serde_json::to_string(&record)?)
}
