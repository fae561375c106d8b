//! Where passphrases come from: a file, the environment, or a terminal prompt. Never argv.
//! Each key a command reads gets its own sources (and, for a JWK Set, its own kid).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use iadvize_auth::keys::{KeyError, Passphrase};
use zeroize::Zeroizing;

use crate::cli::{InspectArgs, MintArgs, PubkeyArgs, ServeArgs};

/// The environment variable that carries a passphrase (for CI jobs).
pub(super) const PASSPHRASE_ENV: &str = "IADVIZE_AUTH_PASSPHRASE";
const MAX_PASSPHRASE_FILE_BYTES: usize = 64 * 1024;
/// How many times a new passphrase is asked for when the two entries differ.
const NEW_PASSPHRASE_ATTEMPTS: usize = 3;

/// The passphrase files read so far in this run, by path: each is read once, so that one
/// `--passphrase-file <(…)`, a pipe that can be read only once, serves every key. Emptied (and
/// the passphrases wiped) by [`forget_passphrase_files`] when the command ends.
static READ_FILES: Mutex<Vec<(PathBuf, Passphrase)>> = Mutex::new(Vec::new());

/// Wipes the passphrases read from files.
pub(super) fn forget_passphrase_files() {
    READ_FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clear();
}

/// How to open one key a command reads: where its passphrase comes from, and which key of a
/// JWK Set it is.
#[derive(Debug, Clone)]
pub(crate) struct KeyOptions {
    pub passphrase: PassphraseSource,
    pub kid: Option<String>,
    /// The flag that sets `kid` for this key, named in messages about kids.
    pub kid_flag: String,
}

impl KeyOptions {
    /// The options of the key given by `key_flag` in a command that reads several keys:
    /// `KEY_FLAG-passphrase-file` (`own_file`) before `--passphrase-file` (`shared_file`), and
    /// `KEY_FLAG-kid`.
    fn of(
        key_flag: &str,
        own_file: &Option<PathBuf>,
        shared_file: &Option<PathBuf>,
        kid: &Option<String>,
    ) -> Self {
        KeyOptions {
            passphrase: PassphraseSource {
                file: own_file.clone().or_else(|| shared_file.clone()),
                own_flag: Some(format!("{key_flag}-passphrase-file")),
            },
            kid: kid.clone(),
            kid_flag: format!("{key_flag}-kid"),
        }
    }
}

impl PubkeyArgs {
    pub(crate) fn key_options(&self) -> KeyOptions {
        KeyOptions {
            passphrase: PassphraseSource::new(self.passphrase.passphrase_file.clone()),
            kid: self.kid.clone(),
            kid_flag: "--kid".into(),
        }
    }
}

impl ServeArgs {
    /// `--key` and `--iadvize-key`: one passphrase file for both, no JWK Set choice.
    pub(crate) fn key_options(&self) -> KeyOptions {
        KeyOptions {
            passphrase: PassphraseSource::new(self.passphrase.passphrase_file.clone()),
            kid: None,
            kid_flag: "a key file with one key".into(),
        }
    }
}

impl MintArgs {
    /// `--key`: the brand's signing key.
    pub(crate) fn signing_key_options(&self) -> KeyOptions {
        let (own, kid) = (&self.key_passphrase_file, &self.key_kid);
        KeyOptions::of("--key", own, &self.passphrase_file, kid)
    }

    /// `--iadvize-key`: the recipient.
    pub(crate) fn recipient_key_options(&self) -> KeyOptions {
        let (own, kid) = (&self.iadvize_key_passphrase_file, &self.iadvize_key_kid);
        KeyOptions::of("--iadvize-key", own, &self.passphrase_file, kid)
    }
}

impl InspectArgs {
    /// `--decrypt-key`.
    pub(crate) fn decrypt_key_options(&self) -> KeyOptions {
        let (own, kid) = (&self.decrypt_key_passphrase_file, &self.decrypt_key_kid);
        KeyOptions::of("--decrypt-key", own, &self.passphrase_file, kid)
    }

    /// `--verify-key`.
    pub(crate) fn verify_key_options(&self) -> KeyOptions {
        let (own, kid) = (&self.verify_key_passphrase_file, &self.verify_key_kid);
        KeyOptions::of("--verify-key", own, &self.passphrase_file, kid)
    }
}

/// The passphrase sources of one key, in order of precedence: the key's own passphrase file
/// (`--key-passphrase-file` …), else the file of `--passphrase-file`, else
/// `IADVIZE_AUTH_PASSPHRASE`, else a prompt on the terminal.
#[derive(Debug, Clone)]
pub(crate) struct PassphraseSource {
    file: Option<PathBuf>,
    /// The flag of this key's own passphrase file, when a command reads several keys.
    own_flag: Option<String>,
}

impl PassphraseSource {
    /// The sources of a command that reads one key: `--passphrase-file`, the environment, a
    /// prompt.
    pub(crate) fn new(file: Option<PathBuf>) -> Self {
        PassphraseSource {
            file,
            own_flag: None,
        }
    }

    /// True when a passphrase would come from the environment: no file was given and
    /// `IADVIZE_AUTH_PASSPHRASE` is set.
    pub(crate) fn comes_from_environment(&self) -> bool {
        self.file.is_none() && std::env::var_os(PASSPHRASE_ENV).is_some()
    }

    /// The passphrase that opens an existing key, asked once. `what` names the key in the
    /// prompt; errors leave it to the caller's context (`cannot use key 'k.pem': …`).
    pub(crate) fn to_open(&self, what: &str) -> Result<Passphrase, KeyError> {
        if let Some(pass) = self.configured()? {
            return Ok(pass);
        }
        let prompt = format!("Passphrase for {what}: ");
        let answer = self.prompt_once(&prompt, "it needs a passphrase")?;
        Passphrase::new(answer)
            .map_err(|_| KeyError::Passphrase("an empty passphrase is refused".into()))
    }

    /// A passphrase for a new key; on a terminal it is asked twice and the two must match.
    /// When they differ, both are asked again, up to three times.
    pub(crate) fn to_encrypt(&self, what: &str) -> Result<Passphrase, KeyError> {
        if let Some(pass) = self.configured()? {
            return Ok(pass);
        }
        let needs = format!("{what} needs a passphrase");
        // An empty entry, like two that differ, is a slip of the fingers: asked again, within
        // the same number of tries.
        let mut empty_entries = 0;
        for attempt in 1..=NEW_PASSPHRASE_ATTEMPTS {
            let first = self.prompt_once(&format!("New passphrase for {what}: "), &needs)?;
            let Ok(first) = Passphrase::new(first) else {
                empty_entries += 1;
                if attempt < NEW_PASSPHRASE_ATTEMPTS {
                    eprintln!(
                        "An empty passphrase protects nothing; type one, or leave out --encrypt."
                    );
                }
                continue;
            };
            let second = self.prompt_once("Repeat the passphrase: ", &needs)?;
            if first.expose() == second.as_slice() {
                return Ok(first);
            }
            if attempt < NEW_PASSPHRASE_ATTEMPTS {
                eprintln!("The two passphrases differ; try again.");
            }
        }
        let why = match empty_entries {
            0 => format!("the two passphrases differed {NEW_PASSPHRASE_ATTEMPTS} times"),
            _ => format!(
                "no passphrase was typed twice alike in {NEW_PASSPHRASE_ATTEMPTS} tries (an \
                 empty one is refused)"
            ),
        };
        Err(KeyError::Passphrase(format!("{why}; nothing was written")))
    }

    /// One answer typed at `prompt` on the terminal; without a terminal, an error that starts
    /// with `needs` and names the other ways to give a passphrase.
    fn prompt_once(&self, prompt: &str, needs: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        if !std::io::stdin().is_terminal() {
            let files = match &self.own_flag {
                Some(own) => format!("{own} FILE (this key) or --passphrase-file FILE (every key)"),
                None => "--passphrase-file FILE".to_string(),
            };
            return Err(KeyError::Passphrase(format!(
                "{needs} and there is no terminal to ask for it: use {files}, or set \
                 {PASSPHRASE_ENV}"
            )));
        }
        let answer = prompt_hidden(prompt)
            .map(Zeroizing::new)
            .map_err(|e| KeyError::Passphrase(format!("cannot read the passphrase: {e}")))?;
        Ok(Zeroizing::new(answer.as_bytes().to_vec()))
    }

    fn configured(&self) -> Result<Option<Passphrase>, KeyError> {
        if let Some(path) = &self.file {
            let mut read = READ_FILES
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some((_, pass)) = read.iter().find(|(read_path, _)| read_path == path) {
                return copy(pass).map(Some);
            }
            let pass = read_passphrase_file(path)?;
            let copied = copy(&pass)?;
            read.push((path.clone(), pass));
            return Ok(Some(copied));
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

fn copy(pass: &Passphrase) -> Result<Passphrase, KeyError> {
    Passphrase::new(Zeroizing::new(pass.expose().to_vec()))
}

/// Asks on the terminal, without echo. For Ctrl-C, rpassword raises SIGINT before it turns
/// echo back on, which would leave the terminal without echo once the process is gone: SIGINT
/// is held back while it reads, and ends the process (as Ctrl-C does) only once the terminal
/// is as it was.
fn prompt_hidden(prompt: &str) -> std::io::Result<String> {
    let _held = interrupt::Held::new();
    rpassword::prompt_password(prompt)
}

#[cfg(unix)]
mod interrupt {
    /// SIGINT blocked in this thread until dropped; a SIGINT that came meanwhile is then
    /// delivered.
    pub(super) struct Held {
        before: libc::sigset_t,
    }

    impl Held {
        pub(super) fn new() -> Option<Self> {
            // SAFETY: the sets are initialised by sigemptyset and pthread_sigmask before use,
            // and pthread_sigmask only changes this thread's signal mask.
            unsafe {
                let mut interrupt: libc::sigset_t = std::mem::zeroed();
                let mut before: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut interrupt);
                libc::sigaddset(&mut interrupt, libc::SIGINT);
                let blocked = libc::pthread_sigmask(libc::SIG_BLOCK, &interrupt, &mut before);
                (blocked == 0).then_some(Held { before })
            }
        }
    }

    impl Drop for Held {
        fn drop(&mut self) {
            // SAFETY: restores the mask that pthread_sigmask returned in `new`.
            unsafe {
                libc::pthread_sigmask(libc::SIG_SETMASK, &self.before, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(not(unix))]
mod interrupt {
    pub struct Held;

    impl Held {
        pub fn new() -> Option<Self> {
            None
        }
    }
}

fn read_passphrase_file(path: &Path) -> Result<Passphrase, KeyError> {
    let fail = |detail: String| {
        KeyError::Passphrase(format!("passphrase file '{}': {detail}", path.display()))
    };
    let what = format!("passphrase file '{}'", path.display());
    let bytes = super::input::read_secret_file(path, &what, MAX_PASSPHRASE_FILE_BYTES)
        .map_err(|e| fail(e.to_string()))?;
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

#[cfg(unix)]
fn os_bytes(value: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    value.into_vec()
}

#[cfg(not(unix))]
fn os_bytes(value: std::ffi::OsString) -> Vec<u8> {
    value.to_string_lossy().into_owned().into_bytes()
}
