//! Where key bytes come from: a file, standard input, or the built-in iAdvize key.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use zeroize::Zeroizing;

use super::decode::decode_key_by_kid;
use super::key::{KeyError, KeyKind, LoadedKey, Passphrase};

/// Key files are small: anything larger is refused before it is read into memory.
pub const MAX_KEY_INPUT_BYTES: usize = 1024 * 1024;

/// Where to read a key from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Stdin,
    Builtin,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::File(path) => write!(f, "'{}'", path.display()),
            KeySource::Stdin => f.write_str("standard input"),
            KeySource::Builtin => f.write_str("the built-in iAdvize production key"),
        }
    }
}

/// Bytes read from a key source, zeroized on drop.
pub struct KeyInput {
    pub bytes: Zeroizing<Vec<u8>>,
    /// Unix permission bits of the file, when the source is a file.
    pub mode: Option<u32>,
}

impl fmt::Debug for KeyInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyInput")
            .field(
                "bytes",
                &format_args!("<{} bytes redacted>", self.bytes.len()),
            )
            .field("mode", &self.mode)
            .finish()
    }
}

/// Reads at most `limit` bytes; more than that is an error, and the rest is never read.
pub fn read_limited(reader: impl Read, limit: usize) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let mut buf = Zeroizing::new(Vec::new());
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut buf)
        .map_err(KeyError::Io)?;
    if buf.len() > limit {
        return Err(KeyError::TooLarge { limit });
    }
    Ok(buf)
}

/// Reads a key's bytes: at most [`MAX_KEY_INPUT_BYTES`].
fn read_key_bytes(reader: impl Read) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    read_limited(reader, MAX_KEY_INPUT_BYTES).map_err(|err| match err {
        KeyError::TooLarge { limit } => KeyError::KeyTooLarge { limit },
        other => other,
    })
}

impl KeySource {
    /// Reads the raw bytes of this source (nothing for the built-in key).
    pub fn read(&self) -> Result<KeyInput, KeyError> {
        match self {
            KeySource::File(path) => {
                let meta = std::fs::metadata(path).map_err(KeyError::Io)?;
                if meta.is_dir() {
                    return Err(KeyError::IsDirectory);
                }
                let file = File::open(path).map_err(KeyError::Io)?;
                let bytes = read_key_bytes(file)?;
                Ok(KeyInput {
                    bytes,
                    mode: Some(unix_mode(&meta)),
                })
            }
            KeySource::Stdin => Ok(KeyInput {
                bytes: read_key_bytes(io::stdin().lock())?,
                mode: None,
            }),
            KeySource::Builtin => Ok(KeyInput {
                bytes: Zeroizing::new(Vec::new()),
                mode: None,
            }),
        }
    }

    /// Reads and decodes the key; `kid` chooses a key of a JWK Set (see
    /// [`decode_key_by_kid`](super::decode_key_by_kid)). `passphrase` is called only for an
    /// encrypted key.
    pub fn load(
        &self,
        kid: Option<&str>,
        passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
    ) -> Result<LoadedKey, KeyError> {
        if *self == KeySource::Builtin {
            if let Some(kid) = kid {
                return Err(KeyError::KidNotApplicable {
                    kid: kid.to_string(),
                });
            }
            return Ok(LoadedKey::iadvize_production());
        }
        let input = self.read()?;
        let mut key = decode_key_by_kid(&input.bytes, kid, passphrase)?;
        if let (KeyKind::Private, Some(mode)) = (key.kind(), input.mode)
            && let Some(warning) = readable_warning(&format!("private key file {self}"), mode)
        {
            key.push_warning(warning);
        }
        Ok(key)
    }
}

/// The warning for a file of secrets (a passphrase, an access token) that group or others may
/// read, the same as for a private key file: `what` names it (`passphrase file 'p.txt'`).
/// Only a regular file is judged: a pipe's mode says nothing of who can read what went
/// through it.
pub fn readable_by_others(what: &str, meta: &std::fs::Metadata) -> Option<String> {
    meta.is_file()
        .then(|| readable_warning(what, unix_mode(meta)))
        .flatten()
}

/// As ssh says it, when group or others have any permission on the file.
fn readable_warning(what: &str, mode: u32) -> Option<String> {
    (mode & 0o077 != 0).then(|| {
        format!(
            "{what} is readable by other users (mode {:03o}); restrict it with `chmod 600`",
            mode & 0o777
        )
    })
}

#[cfg(unix)]
fn unix_mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
fn unix_mode(_meta: &std::fs::Metadata) -> u32 {
    0o600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_limited_refuses_more_than_the_limit_without_reading_it_all() {
        let endless = io::repeat(b'a');
        let err = read_limited(endless, 1000).unwrap_err();
        assert!(matches!(err, KeyError::TooLarge { limit: 1000 }));
        assert_eq!(read_limited(&b"abc"[..], 3).unwrap().as_slice(), b"abc");
    }
}
