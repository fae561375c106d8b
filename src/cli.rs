//! Command-line definition. Doc comments here are the `--help` text, the man page and the
//! shell completions; nothing else in the program sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  a check failed (inspect)
  2  bad usage, or input that cannot be used (missing file, not a key, wrong passphrase)

Environment:
  IADVIZE_AUTH_PASSPHRASE  passphrase for encrypted private keys (for CI; see docs/security.md)
  IADVIZE_AUTH_KEY         path of the brand's private key, when --key is not given (mint)
  NO_COLOR                 disables colour in human output";

/// Keys, tokens and diagnostics for iAdvize Authenticated Messaging.
///
/// A brand's backend signs a claims set with its own RSA key (JWS, RS256), encrypts that JWS to
/// iAdvize's public key (JWE, RSA-OAEP-256 + A256GCM), and the page hands the token to iAdvize.
/// This tool makes the brand's key pair, mints tokens for testing, and inspects failing ones.
#[derive(Debug, Parser)]
#[command(name = "iadvize-auth", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Keygen(KeygenArgs),
    Pubkey(PubkeyArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

/// Generate the brand's RSA key pair: the private key signs tokens, the public key goes to iAdvize.
///
/// Writes DIR/private-key.pem (PKCS#8, mode 0600) and DIR/public-key.pem (`BEGIN PUBLIC KEY`),
/// the formats iAdvize's own openssl recipe produces, then prints the public key and its
/// fingerprints. Existing files are never replaced without --force.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth keygen
  iadvize-auth keygen --out-dir keys/prod --bits 3072 --encrypt
  IADVIZE_AUTH_PASSPHRASE=... iadvize-auth keygen --encrypt --json")]
pub struct KeygenArgs {
    /// Folder for the two key files; created with mode 0700 when missing.
    #[arg(long, value_name = "DIR", default_value = "iadvize-keys")]
    pub out_dir: PathBuf,

    /// RSA modulus size: 2048, 3072 or 4096 (2048 to 8192 accepted).
    #[arg(long, value_name = "N", default_value_t = 2048)]
    pub bits: usize,

    /// Encrypt the private key with a passphrase (PKCS#8 PBES2, scrypt + AES-256-CBC).
    ///
    /// The passphrase comes from --passphrase-file, else IADVIZE_AUTH_PASSPHRASE, else a
    /// prompt asked twice on the terminal. It is never taken as an argument value.
    #[arg(long)]
    pub encrypt: bool,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Replace existing key files. Without it, nothing is overwritten.
    #[arg(long)]
    pub force: bool,

    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

/// How to get the passphrase of an encrypted private key.
#[derive(Debug, Args)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE (as `openssl -passin file:`).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

/// Print the public half of any RSA key, with its fingerprints.
///
/// Reads the key by content, whatever the file is called: PKCS#8 PEM or DER (also encrypted),
/// PKCS#1 PEM or DER, SubjectPublicKeyInfo PEM or DER, the bare base64 line in which iAdvize
/// publishes its key (also wrapped over several lines), or an RSA JWK (public or private).
/// To check "is this the key you sent iAdvize?", compare the SHA-256 fingerprints.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth pubkey iadvize-keys/private-key.pem
  iadvize-auth pubkey --iadvize --format base64
  cat key.jwk | iadvize-auth pubkey - --json")]
pub struct PubkeyArgs {
    /// Key file, or `-` for standard input.
    #[arg(
        value_name = "KEY",
        required_unless_present = "iadvize",
        conflicts_with = "iadvize"
    )]
    pub key: Option<PathBuf>,

    /// Use iAdvize's production public key, built into this program.
    #[arg(long)]
    pub iadvize: bool,

    /// Output format of the public key.
    #[arg(long, value_enum, default_value_t = PubkeyFormat::Pem)]
    pub format: PubkeyFormat,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Print one JSON object: kind, source format, size, fingerprints, warnings.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PubkeyFormat {
    /// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo), as `openssl rsa -pubout`.
    Pem,
    /// One bare base64 line of the DER, the form iAdvize publishes its key in.
    Base64,
    /// Public JWK (`kty`, `n`, `e`).
    Jwk,
    /// Raw DER bytes (refused on a terminal: redirect to a file).
    Der,
}

/// Print a shell completion script.
///
/// Example: `iadvize-auth completions bash > ~/.local/share/bash-completion/completions/iadvize-auth`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print a man page (roff) on standard output: the overview, or one verb's page.
///
/// Example: `iadvize-auth man keygen > iadvize-auth-keygen.1 && man ./iadvize-auth-keygen.1`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The verb whose page to print (keygen, pubkey, mint, inspect, completions); none for the
    /// overview page.
    #[arg(value_name = "VERB")]
    pub verb: Option<String>,
}
