//! Where passphrases come from: a file, the environment, or a terminal prompt. Never argv.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use iadvize_auth::keys::{KeyError, Passphrase, read_limited};
use zeroize::Zeroizing;

/// The environment variable that carries a passphrase (for CI jobs).
pub const PASSPHRASE_ENV: &str = "IADVIZE_AUTH_PASSPHRASE";
const MAX_PASSPHRASE_FILE_BYTES: usize = 64 * 1024;

/// The passphrase sources a command was given, in order of precedence: the file named by
/// `--passphrase-file`, then `IADVIZE_AUTH_PASSPHRASE`, then a prompt on the terminal.
#[derive(Debug, Clone)]
pub struct PassphraseSource {
    file: Option<PathBuf>,
}

impl PassphraseSource {
    pub fn new(file: Option<PathBuf>) -> Self {
        PassphraseSource { file }
    }

    /// The passphrase that opens an existing key, asked once.
    pub fn to_open(&self, what: &str) -> Result<Passphrase, KeyError> {
        if let Some(pass) = self.configured()? {
            return Ok(pass);
        }
        let prompt = format!("Passphrase for {what}: ");
        prompt_once(&prompt, what)
    }

    /// A passphrase for a new key; on a terminal it is asked twice and must match.
    pub fn to_encrypt(&self, what: &str) -> Result<Passphrase, KeyError> {
        if let Some(pass) = self.configured()? {
            return Ok(pass);
        }
        let first = prompt_once(&format!("New passphrase for {what}: "), what)?;
        let second = prompt_once("Repeat the passphrase: ", what)?;
        if first.expose() != second.expose() {
            return Err(KeyError::Passphrase(
                "the two passphrases differ; nothing was written".into(),
            ));
        }
        Ok(first)
    }

    fn configured(&self) -> Result<Option<Passphrase>, KeyError> {
        if let Some(path) = &self.file {
            return read_passphrase_file(path).map(Some);
        }
        match std::env::var_os(PASSPHRASE_ENV) {
            Some(value) => {
                let bytes = Zeroizing::new(os_bytes(value));
                Passphrase::new(bytes)
                    .map(Some)
                    .map_err(|_| KeyError::Passphrase(format!("{PASSPHRASE_ENV} is set but empty")))
            }
            None => Ok(None),
        }
    }
}

fn read_passphrase_file(path: &Path) -> Result<Passphrase, KeyError> {
    let fail = |detail: String| {
        KeyError::Passphrase(format!("passphrase file '{}': {detail}", path.display()))
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let bytes = read_limited(file, MAX_PASSPHRASE_FILE_BYTES).map_err(|e| fail(e.to_string()))?;
    // The first line, as `openssl -passin file:` reads it.
    let line_end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let mut line = &bytes[..line_end];
    if let Some(stripped) = line.strip_suffix(b"\r") {
        line = stripped;
    }
    Passphrase::new(Zeroizing::new(line.to_vec()))
        .map_err(|_| fail("the first line is empty; an empty passphrase is refused".into()))
}

fn prompt_once(prompt: &str, what: &str) -> Result<Passphrase, KeyError> {
    if !std::io::stdin().is_terminal() {
        return Err(KeyError::Passphrase(format!(
            "{what} needs a passphrase and there is no terminal to ask on: \
             use --passphrase-file FILE or set {PASSPHRASE_ENV}"
        )));
    }
    let answer = rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| KeyError::Passphrase(format!("cannot read the passphrase: {e}")))?;
    Passphrase::new(Zeroizing::new(answer.as_bytes().to_vec()))
        .map_err(|_| KeyError::Passphrase("an empty passphrase is refused".into()))
}

#[cfg(unix)]
fn os_bytes(value: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    value.into_vec()
}

#[cfg(not(unix))]
fn os_bytes(value: std::ffi::OsString) -> Vec<u8> {
    value.to_string_lossy().into_owned().into_bytes()
}
