//! `inspect`: read a token from wherever it was pasted, run every check, report.

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};
use iadvize_auth::inspect::{self, Names, Options};
use iadvize_auth::keys::{KeyError, read_limited};
use iadvize_auth::time;

use super::passphrase::PassphraseSource;
use super::{Outcome, key_source, load_key};
use crate::cli::{ColorWhen, Expect, InspectArgs};
use crate::output;

/// A token is a few kilobytes; anything over this is refused before being read in full.
const MAX_TOKEN_BYTES: usize = inspect::MAX_INPUT_BYTES;

pub fn run(args: InspectArgs) -> anyhow::Result<Outcome> {
    let now = match args.now {
        Some(now) => time::check_unix_seconds(now).context("--now")?,
        None => time::now(),
    };
    let leeway = time::parse_duration(&args.leeway).context("--leeway")?;
    let (raw, from_stream) = read_token(args.token.as_deref())?;
    let clean = inspect::clean(&String::from_utf8_lossy(&raw), from_stream);
    if clean.token.is_empty() {
        bail!(
            "no token given: the input is empty, or only whitespace, quotes or a 'Bearer' prefix"
        );
    }

    let passphrase = PassphraseSource::new(args.passphrase.passphrase_file.clone());
    let decrypt_key = args
        .decrypt_key
        .as_deref()
        .map(|path| load_key(&key_source(path), &passphrase))
        .transpose()?;
    let verify_key = args
        .verify_key
        .as_deref()
        .map(|path| load_key(&key_source(path), &passphrase))
        .transpose()?;
    for key in decrypt_key.iter().chain(&verify_key) {
        output::warn_all(key.warnings());
    }

    let options = Options {
        decrypt_key: decrypt_key.as_ref(),
        verify_key: verify_key.as_ref(),
        now,
        leeway,
        expect_jws: args.expect == Expect::Jws,
        names: Names {
            decrypt_key: "--decrypt-key",
            verify_key: "--verify-key",
            expect_jws: "--expect jws",
        },
    };
    let report = inspect::inspect(&clean, &options).context("cannot inspect")?;

    let printed = if args.json {
        output::print_json(&report)
    } else {
        let colour = match args.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => output::stdout_colour(),
        };
        let text = output::render_report(&report, now, colour);
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(anyhow::Error::from)
    };
    // The verdict is known before printing: a reader that stopped early (`| head -3`) does
    // not turn a failed check into success.
    match printed {
        Err(err) if !output::is_broken_pipe(&err) => return Err(err),
        _ => {}
    }
    Ok(if report.ok {
        Outcome::Success
    } else {
        Outcome::ChecksFailed
    })
}

/// The raw token bytes, and whether they came from a file or pipe (where a final newline is
/// normal rather than noise).
fn read_token(arg: Option<&str>) -> anyhow::Result<(Vec<u8>, bool)> {
    match arg {
        Some("-") => Ok((
            read_bounded(std::io::stdin().lock(), "standard input")?,
            true,
        )),
        None if std::io::stdin().is_terminal() => {
            bail!("no token given: pass it as an argument, as @FILE, or on standard input")
        }
        None => Ok((
            read_bounded(std::io::stdin().lock(), "standard input")?,
            true,
        )),
        Some(text) => match text.strip_prefix('@') {
            Some(path) => {
                let name = format!("token file '{path}'");
                let meta =
                    std::fs::metadata(path).with_context(|| format!("cannot read {name}"))?;
                if meta.is_dir() {
                    bail!("{name} is a directory");
                }
                let file =
                    std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
                Ok((read_bounded(file, &name)?, true))
            }
            None => Ok((read_bounded(text.as_bytes(), "the token argument")?, false)),
        },
    }
}

fn read_bounded(reader: impl std::io::Read, name: &str) -> anyhow::Result<Vec<u8>> {
    match read_limited(reader, MAX_TOKEN_BYTES) {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(KeyError::TooLarge { .. }) => bail!(
            "{name} is larger than {} KiB; a token is a few kilobytes: is this the right input?",
            MAX_TOKEN_BYTES / 1024
        ),
        Err(other) => bail!("cannot read {name}: {other}"),
    }
}
