//! `keygen`: the brand's key pair, written safely, summarised for the next step.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use iadvize_auth::keys::{
    FileToWrite, KeyError, KeySource, LoadedKey, PublicKeyInfo, PublicKeyRecord, WriteError,
    create_private_dir, write_files,
};
use serde::Serialize;

use super::Outcome;
use super::passphrase::{PASSPHRASE_ENV, PassphraseSource};
use crate::cli::KeygenArgs;
use crate::output::{self, Talk};

const PRIVATE_FILE: &str = "private-key.pem";
const PUBLIC_FILE: &str = "public-key.pem";

/// `keygen --json`: exactly these keys.
#[derive(Serialize)]
struct KeygenReport<'a> {
    private_key_path: &'a str,
    public_key_path: &'a str,
    #[serde(flatten)]
    key: PublicKeyRecord,
    encrypted: bool,
}

pub(super) fn run(args: KeygenArgs) -> anyhow::Result<Outcome> {
    // Before the passphrase prompt and the slow part.
    LoadedKey::check_new_key_size(args.bits).context("--bits")?;
    let passphrase_source = PassphraseSource::new(args.passphrase.passphrase_file.clone());
    // A passphrase given without --encrypt is a mistake either way: refuse rather than write
    // the key in the clear, or encrypt a key nobody asked to be encrypted.
    if !args.encrypt {
        if args.passphrase.passphrase_file.is_some() {
            bail!(
                "--passphrase-file is only used with --encrypt; add --encrypt to protect the key"
            );
        }
        if passphrase_source.comes_from_environment() {
            bail!(
                "{PASSPHRASE_ENV} is set but --encrypt is not given, so the key would be written \
                 unencrypted; add --encrypt to encrypt it with that passphrase, or unset \
                 {PASSPHRASE_ENV} for an unencrypted key"
            );
        }
    }
    let private_path = args.out_dir.join(PRIVATE_FILE);
    let public_path = args.out_dir.join(PUBLIC_FILE);
    if !args.force {
        // Checked before the slow part; write_files checks again, atomically.
        let exists = |path: &PathBuf| path.symlink_metadata().is_ok();
        if exists(&private_path) {
            bail!(refuse_to_replace(&private_path));
        }
        if exists(&public_path) {
            // The private key is written last: a public key alone is what an interrupted
            // run leaves.
            bail!(
                "'{}' already exists, without a private key beside it (as an interrupted \
                 keygen leaves it); nothing was written. Use --force to replace it, or choose \
                 another --out-dir",
                public_path.display()
            );
        }
    }
    // With --force, what is about to be replaced, said once the new pair is written.
    let replaced = match args.force {
        true => old_pair(&private_path, &public_path),
        false => None,
    };
    let passphrase = if args.encrypt {
        Some(passphrase_source.to_encrypt("the new private key")?)
    } else {
        None
    };

    let key = LoadedKey::generate(args.bits)?;
    let private_pem = key.private_pkcs8_pem(passphrase.as_ref())?;
    let info = key.public_info()?;
    let public_pem = info.pem()?;

    create_private_dir(&args.out_dir)?;
    // The private key first: write_files writes it last and, with --force, removes the old one
    // first, so a private key on disk always has its own public key beside it.
    let files = [
        FileToWrite {
            path: private_path.clone(),
            contents: private_pem.as_bytes(),
            mode: 0o600,
        },
        FileToWrite {
            path: public_path.clone(),
            contents: public_pem.as_bytes(),
            mode: 0o644,
        },
    ];
    write_files(&files, args.force).map_err(|err| match err {
        WriteError::Exists(path) => anyhow::anyhow!(refuse_to_replace(&path)),
        other => anyhow::Error::new(other),
    })?;
    if let Some(replaced) = replaced {
        output::talk(Talk::Note, &replaced.sentence(&args.out_dir));
    }

    let summary = Summary {
        private_path,
        public_path,
        key: key.record()?,
        encrypted: passphrase.is_some(),
    };
    let printed = if args.json {
        summary.print_json()
    } else {
        summary.print_human().map_err(anyhow::Error::new)
    };
    printed.with_context(|| {
        format!(
            "the key pair is written ({} and {}), but its summary could not be printed; \
             `iadvize-auth pubkey` shows it again",
            summary.private_path.display(),
            summary.public_path.display()
        )
    })?;
    Ok(Outcome::Success)
}

fn refuse_to_replace(path: &std::path::Path) -> String {
    format!(
        "'{}' already exists; nothing was written. Use --force to replace the key pair \
         (the old private key is then lost), or choose another --out-dir",
        path.display()
    )
}

/// The key pair `--force` replaced: its fingerprint when one of its files could be read
/// without a passphrase, or why not.
enum Replaced {
    Key(PublicKeyInfo),
    /// Why the public key (or, without one, the private key) could not be read.
    Unreadable(String),
}

impl Replaced {
    fn sentence(&self, dir: &std::path::Path) -> String {
        let dir = output::escape_untrusted(&dir.to_string_lossy()).into_owned();
        match self {
            Replaced::Key(info) => format!(
                "replaced the key pair in '{dir}' (--force); the old one, SHA-256 fingerprint \
                 {}, JWK thumbprint {}, is gone: if iAdvize has its public key, send them the \
                 new one",
                info.sha256_fingerprint, info.jwk_thumbprint
            ),
            Replaced::Unreadable(err) => format!(
                "replaced the key files in '{dir}' (--force); which key they held cannot be \
                 said: {}",
                output::escape_untrusted(err)
            ),
        }
    }
}

/// The key pair in place before `--force` replaces it, `None` when there is none: read from the
/// public key, else from the private key when it is not encrypted (no passphrase is asked for
/// a key about to be destroyed).
fn old_pair(private_path: &std::path::Path, public_path: &std::path::Path) -> Option<Replaced> {
    let exists = |path: &std::path::Path| path.symlink_metadata().is_ok();
    if !exists(private_path) && !exists(public_path) {
        return None;
    }
    let read = |path: &std::path::Path| {
        let mut no_passphrase = || Err(KeyError::Passphrase("it is encrypted".into()));
        KeySource::File(path.to_path_buf())
            .load(None, &mut no_passphrase)
            .and_then(|key| key.public_info())
            .map_err(|err| format!("'{}': {err}", path.display()))
    };
    let found = match read(public_path) {
        Ok(info) => Ok(info),
        Err(public_err) if exists(private_path) => read(private_path).map_err(|_| public_err),
        Err(err) => Err(err),
    };
    Some(match found {
        Ok(info) => Replaced::Key(info),
        Err(err) => Replaced::Unreadable(err),
    })
}

struct Summary {
    private_path: PathBuf,
    public_path: PathBuf,
    key: PublicKeyRecord,
    encrypted: bool,
}

impl Summary {
    fn print_json(&self) -> anyhow::Result<()> {
        output::print_json(&KeygenReport {
            private_key_path: &self.private_path.to_string_lossy(),
            public_key_path: &self.public_path.to_string_lossy(),
            key: self.key.clone(),
            encrypted: self.encrypted,
        })
    }

    fn print_human(&self) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        let protection = if self.encrypted {
            "passphrase-encrypted, mode 0600"
        } else {
            "not encrypted, mode 0600"
        };
        let private = output::escape_untrusted(&self.private_path.to_string_lossy()).into_owned();
        let public = output::escape_untrusted(&self.public_path.to_string_lossy()).into_owned();
        writeln!(out, "Generated a {}-bit RSA key pair.", self.key.bits)?;
        writeln!(
            out,
            "Private key:          {private} ({protection}; keep it secret)"
        )?;
        writeln!(out, "Public key:           {public}")?;
        writeln!(out, "Public key (base64):  {}", self.key.public_key_base64)?;
        writeln!(out, "SHA-256 fingerprint:  {}", self.key.sha256_fingerprint)?;
        writeln!(
            out,
            "OpenSSH fingerprint:  {}",
            self.key.openssh_fingerprint
        )?;
        writeln!(out, "JWK thumbprint:       {}", self.key.jwk_thumbprint)?;
        writeln!(out)?;
        writeln!(
            out,
            "Next step: send {public} to your iAdvize contact. Never send the private key."
        )?;
        Ok(())
    }
}
