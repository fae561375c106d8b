//! Every input the command line reads, in one place: where keys come from (a file, or `-` for
//! standard input), text given as `TOKEN | - | @FILE`, small files (visitor data) and secret
//! files (a passphrase, the access token), each read within a bound with one wording for being
//! too large; and the rule that standard input is read once, which every verb checks before it
//! reads anything.

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, bail};
use iadvize_auth::keys::{KeyError, KeySource, LoadedKey, read_limited, readable_by_others};
use zeroize::Zeroizing;

use super::passphrase::KeyOptions;
use crate::output;

/// `-` is standard input; anything else a file.
pub(super) fn key_source(arg: &Path) -> KeySource {
    if arg.as_os_str() == "-" {
        KeySource::Stdin
    } else {
        KeySource::File(arg.to_path_buf())
    }
}

/// Loads a key, asking for its passphrase only if it is encrypted; the error names the source,
/// and the flag that chooses a key of a JWK Set when that is what is missing.
pub(super) fn load_key(source: &KeySource, options: &KeyOptions) -> anyhow::Result<LoadedKey> {
    let what = format!("key {source}");
    let kid = options.kid.as_deref();
    source
        .load(kid, &mut || options.passphrase.to_open(&what))
        .map_err(|err| {
            let flag = &options.kid_flag;
            match err {
                KeyError::KidNeeded { .. } | KeyError::KidNotFound { .. } => {
                    anyhow::anyhow!("cannot use key {source}: {err}; choose one with {flag} KID")
                }
                KeyError::KidNotApplicable { .. } => {
                    anyhow::anyhow!("cannot use key {source}: {err}; drop {flag}")
                }
                other => anyhow::Error::new(other).context(format!("cannot use key {source}")),
            }
        })
}

/// Whether an argument reads standard input: `-`.
pub(super) fn is_stdin(arg: Option<&Path>) -> bool {
    arg.is_some_and(|path| path.as_os_str() == "-")
}

/// Whether a text input (`TOKEN | - | @FILE`, or nothing) reads standard input.
pub(super) fn text_reads_stdin(arg: Option<&str>) -> bool {
    match arg {
        Some(arg) => arg == "-",
        None => !std::io::stdin().is_terminal(),
    }
}

/// Standard input can be read once: refuses two inputs that both ask for it, before anything
/// is read. `readers` are the inputs as the user named them (`--key -`), each with whether it
/// reads standard input.
pub(super) fn one_stdin_reader(readers: &[(&str, bool)]) -> anyhow::Result<()> {
    let readers: Vec<&str> = readers
        .iter()
        .filter_map(|(name, reads)| reads.then_some(*name))
        .collect();
    match readers[..] {
        [] | [_] => Ok(()),
        [a, b] => bail!(
            "{a} and {b} cannot both read standard input, which can be read only once; give \
             one of them as a file"
        ),
        [ref others @ .., last] => bail!(
            "{} and {last} cannot all read standard input, which can be read only once; give \
             all but one of them as files",
            others.join(", ")
        ),
    }
}

/// The one wording for an input over its bound.
fn too_large(what: &str, limit: usize, hint: &str) -> anyhow::Error {
    let size = match limit {
        limit if limit >= 1 << 20 => format!("{} MiB", limit >> 20),
        limit => format!("{} KiB", limit >> 10),
    };
    anyhow::anyhow!("{what} is larger than {size}: {hint}")
}

/// At most `limit` bytes of `reader`, in a buffer about as large as what was read: a file's
/// `size` is known (one allocation); a stream grows a mebibyte at a time, not by doubling (a
/// 64 MiB stream would take 128 MiB, all of it written when the buffer is wiped).
fn read_bounded(
    mut reader: impl Read,
    size: usize,
    limit: usize,
    what: &str,
    hint: &str,
) -> anyhow::Result<Vec<u8>> {
    const STEP: usize = 1024 * 1024;
    if size > limit {
        return Err(too_large(what, limit, hint));
    }
    let mut bytes = Vec::with_capacity(size.saturating_add(1));
    loop {
        if bytes.len() > limit {
            return Err(too_large(what, limit, hint));
        }
        if bytes.capacity() == bytes.len() {
            bytes.reserve_exact(STEP);
        }
        // No more than the room left, so that reading never grows the buffer itself.
        let room = (bytes.capacity() - bytes.len()).min(limit + 1 - bytes.len());
        let read = (&mut reader)
            .take(u64::try_from(room).unwrap_or(u64::MAX))
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {what}"))?;
        if read == 0 {
            break;
        }
    }
    bytes.shrink_to_fit();
    Ok(bytes)
}

/// A text input, `TOKEN | - | @FILE` (nothing: standard input, unless it is a terminal), at
/// most `limit` bytes: its text and how messages name it (`file 'app.log'`). `hint` says what
/// to give instead of an input over the bound; `missing`, what to say when there is none.
pub(super) fn read_text(
    arg: Option<&str>,
    limit: usize,
    hint: &str,
    missing: &str,
) -> anyhow::Result<(String, String)> {
    let stdin = || -> anyhow::Result<(String, String)> {
        let name = "standard input".to_string();
        let bytes = read_bounded(std::io::stdin().lock(), 0, limit, &name, hint)?;
        Ok((text_of(bytes), name))
    };
    match arg {
        Some("-") => stdin(),
        None if std::io::stdin().is_terminal() => bail!("{missing}"),
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
                let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
                let bytes = read_bounded(file, size, limit, &name, hint)?;
                Ok((text_of(bytes), name))
            }
            None => Ok((text.to_string(), "the argument".to_string())),
        },
    }
}

/// A file's or a stream's text, without a copy when it is UTF-8. A byte order mark at its
/// start says how the file is encoded (editors on Windows write one), not what it holds.
fn text_of(mut bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

/// A small file (visitor data), at most `limit` bytes; `what` names it in messages.
pub(super) fn read_small_file(path: &Path, what: &str, limit: usize) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {what}"))?;
    let size = file
        .metadata()
        .map_or(0, |meta| usize::try_from(meta.len()).unwrap_or(usize::MAX));
    read_bounded(file, size, limit, what, "it should hold a few lines")
}

/// A file holding a secret (a passphrase, an access token), at most `limit` bytes: warned
/// about, as a private key file is, when others may read it; `what` names it in messages.
pub(super) fn read_secret_file(
    path: &Path,
    what: &str,
    limit: usize,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let file = std::fs::File::open(path).map_err(KeyError::Io)?;
    if let Ok(meta) = file.metadata()
        && let Some(warning) = readable_by_others(what, &meta)
    {
        output::warn_all(&[warning]);
    }
    read_limited(file, limit)
}
