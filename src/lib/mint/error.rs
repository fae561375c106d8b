//! Why nothing can be minted, or not for this user, or not from this batch.

use std::io;

use super::fault::FaultError;
use crate::claims::ClaimError;
use crate::keys::{KeyError, MIN_BITS};

/// Why nothing can be minted, or not for this user.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// The signing key is a public key.
    #[error("the signing key is a public key: signing needs the brand's private key")]
    SigningKeyNotPrivate,
    /// A key under 2048 bits, which iAdvize refuses.
    #[error(
        "the {role} key has {bits} bits; iAdvize needs at least {MIN_BITS}, so this tool will \
         not use it"
    )]
    KeyTooSmall {
        /// Which key.
        role: KeyRole,
        /// Its modulus size.
        bits: usize,
    },
    /// A key could not be handed to OpenSSL, or its fingerprint taken.
    #[error(transparent)]
    Key(KeyError),
    /// A token lifetime of zero seconds.
    #[error("a token must live at least one second; iAdvize recommends 60 s")]
    TtlZero,
    /// A token lifetime of more than a year.
    #[error("a token lifetime of more than a year; iAdvize recommends 60 s")]
    TtlTooLong,
    /// Tokens issued at the time given would expire after 9999-12-31T23:59:59Z, which no
    /// date can be written past.
    #[error(
        "a token issued then would expire at {expires_at}, after {last} \
         (9999-12-31T23:59:59Z), the last time a date can be written; give an earlier time",
        last = crate::time::LAST_SECOND
    )]
    ExpiresTooLate {
        /// `iat` + the longest lifetime.
        expires_at: i128,
    },
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
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed")]
    Random,
    /// The `rsa` or `aes-gcm` crate refused to encrypt (the message says what).
    #[error("encryption failed: {0}")]
    Encryption(String),
    /// OpenSSL failed to sign, or to wrap the content key.
    #[error("the cryptography library (OpenSSL) failed")]
    OpenSsl(#[source] openssl::error::ErrorStack),
    /// The JOSE library failed to make a faulty token.
    #[error("the JOSE library failed")]
    Jose(#[source] josekit::JoseError),
    /// The claims could not be written as JSON.
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
    /// A line too long to be a row of user ids.
    #[error("line {line}: longer than {max} bytes; is this a file of user ids, one row per line?")]
    LineTooLong {
        /// The line's number, from 1.
        line: u64,
        /// The longest a line may be, in bytes.
        max: usize,
    },
    /// A row that cannot be minted: the first such, with how many more follow.
    #[error("line {line}{}: {problem}{}", at.as_ref().map(|at| format!(", {at}")).unwrap_or_default(), more_invalid(*.others))]
    Invalid {
        /// The line's number, from 1.
        line: u64,
        /// Where in the row: `column 2 (email)`, `visitorData.city`.
        at: Option<String>,
        /// What is wrong with it.
        problem: String,
        /// Invalid rows after this one.
        others: u64,
    },
    /// Its content does not tell the input's format: the formats that would read it, each with
    /// what it reads (`csv`, `commas`), for the caller to name the way it is chosen.
    #[error("line {line}: {problem}: read it as {}", named_formats("", formats))]
    Undecided {
        /// The line that leaves the format undecided.
        line: u64,
        /// Why it does.
        problem: String,
        /// The formats that would read it: name, and what it reads.
        formats: Vec<(&'static str, &'static str)>,
    },
    /// More rows than a batch holds.
    #[error(
        "line {line}: more than {max} rows, the most a batch holds; split the input into \
         several batches"
    )]
    TooManyRows {
        /// The first line past the limit.
        line: u64,
        /// The most rows a batch holds.
        max: usize,
    },
    /// More bytes than a batch reads.
    #[error(
        "larger than {} MiB, the most a batch reads; split the input into several batches",
        max / (1024 * 1024)
    )]
    TooLarge {
        /// The most bytes a batch reads.
        max: u64,
    },
    /// No user id at all: the input is empty or blank.
    #[error("no user id found (the input is empty or blank)")]
    Empty,
    /// A delimited file with its header row and no row after it.
    #[error("only a header row, no users: add a row per user after it")]
    HeaderOnly,
    /// The input could not be read.
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
