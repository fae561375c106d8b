//! Why nothing can be minted, or not for this user, or not from this batch.

use std::io;

use super::fault::FaultError;
use crate::claims::ClaimError;
use crate::keys::{KeyError, MIN_BITS};

/// Why nothing can be minted, or not for this user.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("the signing key is a public key: signing needs the brand's private key")]
    SigningKeyNotPrivate,
    #[error(
        "the {role} key has {bits} bits; iAdvize needs at least {MIN_BITS}, so this tool will \
         not use it"
    )]
    KeyTooSmall { role: KeyRole, bits: usize },
    #[error(transparent)]
    Key(KeyError),
    #[error("a token must live at least one second; iAdvize recommends 60 s")]
    TtlZero,
    #[error("a token lifetime of more than a year; iAdvize recommends 60 s")]
    TtlTooLong,
    /// The user id breaks iAdvize's rules.
    #[error(transparent)]
    UserId(ClaimError),
    /// The visitor data breaks iAdvize's rules.
    #[error(transparent)]
    VisitorData(ClaimError),
    /// The issuer is too long.
    #[error(transparent)]
    Issuer(ClaimError),
    /// An extra claim breaks iAdvize's rules or its registered type, or they are too large.
    #[error(transparent)]
    ExtraClaim(ClaimError),
    /// The faults asked for cannot be made, or not for this user.
    #[error(transparent)]
    Fault(FaultError),
    #[error("the system's random number generator failed")]
    Random,
    /// The `rsa` or `aes-gcm` crate refused to encrypt (the message says what).
    #[error("encryption failed: {0}")]
    Encryption(String),
    #[error("the cryptography library (OpenSSL) failed")]
    OpenSsl(#[source] openssl::error::ErrorStack),
    #[error("the JOSE library failed")]
    Jose(#[source] josekit::JoseError),
    #[error("the claims could not be serialised")]
    Claims(#[source] serde_json::Error),
}

/// Which key a problem is about, in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// The brand's private key, which signs.
    Signing,
    /// The key the token is encrypted to: iAdvize's, or a stand-in's.
    Recipient,
}

impl std::fmt::Display for KeyRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyRole::Signing => "signing",
            KeyRole::Recipient => "recipient",
        })
    }
}

/// Why a batch cannot be minted.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("line {line}: longer than {max} bytes; is this a file of user ids, one row per line?")]
    LineTooLong { line: u64, max: usize },
    #[error("line {line}{}: {problem}{}", at.as_ref().map(|at| format!(", {at}")).unwrap_or_default(), more_invalid(*.others))]
    Invalid {
        line: u64,
        /// Where in the row: `column 2 (email)`, `visitorData.city`.
        at: Option<String>,
        problem: String,
        /// Invalid rows after this one.
        others: u64,
    },
    /// Its content does not tell the input's format: the formats that would read it, each with
    /// what it reads (`csv`, `commas`), for the caller to name the way it is chosen.
    #[error("line {line}: {problem}: read it as {}", named_formats("", formats))]
    Undecided {
        line: u64,
        problem: String,
        formats: Vec<(&'static str, &'static str)>,
    },
    #[error(
        "line {line}: more than {max} rows, the most a batch holds; split the input into \
         several batches"
    )]
    TooManyRows { line: u64, max: usize },
    #[error(
        "larger than {} MiB, the most a batch reads; split the input into several batches",
        max / (1024 * 1024)
    )]
    TooLarge { max: u64 },
    #[error("no user id found (the input is empty or blank)")]
    Empty,
    #[error("cannot read them")]
    Read(#[source] io::Error),
}

/// `csv (commas) or csv-semicolon (semicolons)`, each name after `choose` (a caller's option,
/// `--input-format `; or nothing).
pub fn named_formats(choose: &str, formats: &[(&str, &str)]) -> String {
    let named: Vec<String> = formats
        .iter()
        .map(|(name, what)| match what.is_empty() {
            true => format!("{choose}{name}"),
            false => format!("{choose}{name} ({what})"),
        })
        .collect();
    named.join(" or ")
}

fn more_invalid(others: u64) -> String {
    match others {
        0 => String::new(),
        1 => " (1 more invalid line)".into(),
        n => format!(" ({n} more invalid lines)"),
    }
}
