//! Diagnosis of a token: what it is, every way it breaks iAdvize's rules, and what iAdvize's
//! Java stack would do with it.
//!
//! The inspector reads the token layer by layer, each in its own module, each check in the
//! layer whose data it reads: [`text`] (is it a compact token, of which kind) → `jwe` (the
//! outer header, then decryption) → `jws` (the inner signed token) → `claims`. A layer that
//! cannot be read skips the ones below it, saying why. [`inspect`] returns a [`Report`] of
//! every check, in the order [`CheckId::ALL`] lists them, and its [`Verdict`].

mod check;
mod claims;
mod header;
pub mod json;
mod jwe;
mod jws;
mod report;
pub mod text;

pub use check::{Check, CheckId, JavaStack, Layer, NeededKey, Status};
pub use header::MAX_HEADER_CHARS;
pub use report::{Acceptance, JweView, JwsView, Kind, Report, Rules, Unchecked, Verdict};
pub use text::{CleanToken, clean};

use check::Checks;
use text::Compact;

use crate::keys::{KeyError, KeyKind, LoadedKey, MIN_BITS};

/// A token is a few kilobytes: input over this is refused, and content that inflates
/// (`zip: DEF`) beyond it is not inflated further.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// What to inspect with.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The private key the JWE was encrypted to (a stand-in for iAdvize's, in a rehearsal).
    pub decrypt_key: Option<&'a LoadedKey>,
    /// The brand's key (public or private) that should verify the inner signature.
    pub verify_key: Option<&'a LoadedKey>,
    /// The time checks are made against, UNIX seconds.
    pub now: i64,
    /// Seconds of tolerance in the time checks.
    pub leeway: u64,
    /// The token is expected to be the bare signed token (from the brand's logs), not a JWE.
    pub expect_jws: bool,
    /// How the caller's users give the keys, for the report's messages.
    pub names: Names<'a>,
}

/// What the report calls the ways its caller takes the keys and the expectation: a command
/// line names its flags (`--decrypt-key`), a server its configuration.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub decrypt_key: &'a str,
    pub verify_key: &'a str,
    pub expect_jws: &'a str,
}

impl Default for Names<'_> {
    fn default() -> Self {
        Names {
            decrypt_key: "the decryption key",
            verify_key: "the verification key",
            expect_jws: "the expectation of a signed token",
        }
    }
}

/// Keys that cannot be used for inspection at all.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("{name} is a public key; decrypting needs the private key")]
    DecryptKeyNotPrivate { name: String },
    #[error("{name} has {bits} bits; the JOSE library needs at least {MIN_BITS}")]
    DecryptKeyTooSmall { name: String, bits: usize },
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("the JOSE library cannot use the decryption key")]
    Jose(#[source] josekit::JoseError),
}

/// Inspects a cleaned token. Never panics on any input; keys that cannot be used are errors.
pub fn inspect(token: &CleanToken, options: &Options<'_>) -> Result<Report, InspectError> {
    if let Some(key) = options.decrypt_key {
        let name = options.names.decrypt_key.to_string();
        if key.kind() != KeyKind::Private {
            return Err(InspectError::DecryptKeyNotPrivate { name });
        }
        if key.bits() < MIN_BITS {
            let bits = key.bits();
            return Err(InspectError::DecryptKeyTooSmall { name, bits });
        }
    }
    let mut checks = Checks::new();
    let mut report = Report {
        kind: Kind::Unknown,
        jwe: None,
        jws: None,
        checks: Vec::new(),
        ok: true,
        input_warnings: token.warnings.clone(),
        decrypted_payload: None,
    };
    match text::read(token, options, &mut checks) {
        None => {
            for layer in [Layer::Token, Layer::Jwe, Layer::Jws, Layer::Claims] {
                checks.skip_layer(
                    layer,
                    "not reached: the token is not a well-formed JWE or JWS",
                );
            }
        }
        Some(Compact::Jwe(jwe)) => {
            report.kind = Kind::Jwe;
            report.jwe = Some(jwe::view(&jwe));
            jwe::check_header(&jwe, &mut checks);
            if let Some(content) = jwe::open(&jwe, options, &mut checks)? {
                match jws::read_content(&content, &mut checks) {
                    jws::Content::Jws(inner, compact) => {
                        let what = "the content is a compact signed JWT (JWS)";
                        signed(&inner, &compact, what, options, &mut checks, &mut report);
                    }
                    jws::Content::UnsignedClaims => {
                        report.decrypted_payload = Some(lossy(&content));
                        claims::check(&content, options, &mut checks);
                    }
                    jws::Content::Other => {
                        report.decrypted_payload = Some(lossy(&content));
                        checks.skip_layer(Layer::Claims, "no signed token inside the JWE");
                    }
                }
            }
        }
        Some(Compact::Jws(bare)) => {
            report.kind = Kind::Jws;
            checks.skip_layer(Layer::Jwe, "not a JWE: the token is not encrypted");
            let what = "a compact JWS (3 parts)";
            signed(&bare, &token.token, what, options, &mut checks, &mut report);
        }
    }
    report.checks = checks.finish();
    report.ok = report.checks.iter().all(|c| c.status != Status::Fail);
    Ok(report)
}

/// The signed token's checks, then its claims'.
fn signed(
    jws: &text::ParsedJws,
    compact: &str,
    well_formed: &str,
    options: &Options<'_>,
    checks: &mut Checks,
    report: &mut Report,
) {
    report.jws = Some(jws::view(jws, compact));
    jws::check(jws, well_formed, options, checks);
    claims::check(&jws.payload, options, checks);
}

fn lossy(content: &[u8]) -> String {
    String::from_utf8_lossy(content).into_owned()
}
