//! `mint`: signed-then-encrypted tokens for one user id or a file of them.
//!
//! Raw arguments become a `Plan` (keys loaded, claims checked, every id validated); only then
//! is anything minted, so a bad input never leaves half a batch on stdout.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, bail};
use iadvize_auth::claims::{self, ClaimsTemplate};
use iadvize_auth::keys::{KeySource, LoadedKey, MAX_KEY_INPUT_BYTES, read_limited};
use iadvize_auth::time;
use iadvize_auth::token::TokenMaker;
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
/// Longest line read from a user id file: generous for 255 characters of any script.
const MAX_ID_LINE_BYTES: usize = 4096;
/// User ids a thread mints before handing them to the writer.
const BLOCK: usize = 64;
/// Context of a failed write; a closed pipe is still recognised below it and ends quietly.
const CANNOT_WRITE: &str = "cannot write the tokens to standard output";
/// The UTF-8 byte order mark some editors put at the start of a text file.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// At most this many per-id warnings are printed; the rest are counted.
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
    user_ids: Vec<String>,
    now: Option<i64>,
    /// None with `--jws`: nothing is encrypted.
    recipient_fingerprint: Option<String>,
    recipient_is_production: Option<bool>,
    jws_only: bool,
    json: bool,
    jobs: usize,
}

pub fn run(args: MintArgs) -> anyhow::Result<Outcome> {
    let plan = plan(args)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    mint_all(&plan, &mut out)?;
    out.flush().context(CANNOT_WRITE)?;
    Ok(Outcome::Success)
}

fn plan(args: MintArgs) -> anyhow::Result<Plan> {
    let ttl = parse_ttl(&args.ttl)?;
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
            (vec![id.clone()], warning.into_iter().collect())
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
            args.ttl
        );
    }
    print_id_warnings(&warnings);

    let jobs = args
        .jobs
        .map(|n| n.get())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    Ok(Plan {
        maker,
        template: ClaimsTemplate {
            issuer: args.issuer,
            visitor_data,
            extra,
            ttl,
        },
        user_ids,
        now,
        recipient_is_production: recipient_info.as_ref().map(|i| i.is_iadvize_production()),
        recipient_fingerprint: recipient_info.map(|i| i.sha256_fingerprint),
        jws_only: args.jws,
        json: args.json,
        jobs,
    })
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

fn parse_ttl(text: &str) -> anyhow::Result<u64> {
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

fn print_id_warnings(warnings: &[String]) {
    output::warn_all(&warnings[..warnings.len().min(MAX_ID_WARNINGS)]);
    if warnings.len() > MAX_ID_WARNINGS {
        eprintln!(
            "warning: … and {} more user ids with the same kind of problem",
            warnings.len() - MAX_ID_WARNINGS
        );
    }
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

/// Reads and checks every user id of a batch before anything is minted. Returns the ids and
/// the warnings about them.
fn read_user_ids(path: &Path) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let name = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        format!("'{}'", path.display())
    };
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read user ids {name}"))?;
        Box::new(std::io::BufReader::new(file))
    };
    parse_user_ids(reader, &name)
}

fn parse_user_ids(
    mut reader: impl BufRead,
    name: &str,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut ids = Vec::new();
    let mut warnings = Vec::new();
    let mut first_error: Option<String> = None;
    let mut invalid = 0usize;
    let mut line = Vec::new();
    for number in 1usize.. {
        line.clear();
        let mut limited = std::io::Read::take(&mut reader, MAX_ID_LINE_BYTES as u64 + 1);
        let read = limited
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read user ids {name}"))?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_ID_LINE_BYTES && line.last() != Some(&b'\n') {
            bail!(
                "user ids {name}, line {number}: longer than {MAX_ID_LINE_BYTES} bytes; \
                 is this a file of user ids, one per line?"
            );
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let problem = match std::str::from_utf8(text) {
            Err(_) => Some("not valid UTF-8 text".to_string()),
            Ok(id) if id.trim().is_empty() => continue,
            Ok(id) => match claims::check_user_id(id) {
                Ok(warning) => {
                    warnings.extend(warning.map(|w| format!("line {number}: {w}")));
                    ids.push(id.to_string());
                    None
                }
                Err(err) => Some(err.to_string()),
            },
        };
        if let Some(problem) = problem {
            invalid += 1;
            first_error.get_or_insert(format!("line {number}: {problem}"));
        }
    }
    if let Some(first) = first_error {
        let more = match invalid {
            1 => String::new(),
            n => format!(" ({} more invalid lines)", n - 1),
        };
        bail!("user ids {name}, {first}{more}; nothing was minted");
    }
    if ids.is_empty() {
        bail!("user ids {name}: no user id found (the input is empty or blank)");
    }
    Ok((ids, warnings))
}

/// Mints every id in order, on `plan.jobs` threads. Worker `w` takes blocks `w`, `w + jobs`,
/// `w + 2 * jobs` … of `BLOCK` ids and hands each finished block to the writer through its own
/// small bounded channel; the writer reads the channels in turn, so tokens come out in input
/// order, no thread waits at a barrier, and memory stays flat whatever the number of ids.
fn mint_all(plan: &Plan, out: &mut impl Write) -> anyhow::Result<()> {
    let blocks: Vec<&[String]> = plan.user_ids.chunks(BLOCK).collect();
    let jobs = plan.jobs.min(blocks.len()).max(1);
    if jobs == 1 {
        for block in &blocks {
            write_block(out, mint_block(plan, block))?;
        }
        return Ok(());
    }
    std::thread::scope(|scope| {
        let mut inboxes = Vec::with_capacity(jobs);
        for worker in 0..jobs {
            let (sender, inbox) = std::sync::mpsc::sync_channel(2);
            let blocks = &blocks;
            scope.spawn(move || {
                for block in blocks.iter().skip(worker).step_by(jobs) {
                    // The writer hung up (error or closed pipe): stop quietly.
                    if sender.send(mint_block(plan, block)).is_err() {
                        break;
                    }
                }
            });
            inboxes.push(inbox);
        }
        for index in 0..blocks.len() {
            let lines = inboxes[index % jobs]
                .recv()
                .map_err(|_| anyhow::anyhow!("a minting thread stopped unexpectedly"))?;
            write_block(out, lines)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_files_skip_blank_lines_and_crs_and_name_the_bad_line() {
        let (ids, warnings) = parse_user_ids(&b"a\r\n\n  \nb\nnull\n"[..], "test").unwrap();
        assert_eq!(ids, ["a", "b", "null"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("line 5:"), "{warnings:?}");
        let long = format!("ok\n{}\nalso-bad\u{7}\n", "x".repeat(256));
        let err = parse_user_ids(long.as_bytes(), "test")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2:") && err.contains("1 more invalid"),
            "{err}"
        );
        let err = parse_user_ids(&b"\n\n"[..], "test")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no user id"), "{err}");
        let err = parse_user_ids(&b"ok\n\xff\xfe\n"[..], "test")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2: not valid UTF-8"), "{err}");
    }
}
