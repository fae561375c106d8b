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
mod options;
mod report;
pub mod text;

pub use check::{Check, CheckId, JavaStack, NeededKey, Status};

use check::Layer;
pub use options::{InspectError, MAX_INPUT_BYTES, Names, Options};
pub use report::{Acceptance, JweView, JwsView, Kind, Report, Rules, Unchecked, Verdict};
pub use text::{CleanToken, clean};

use check::Checks;
use text::Compact;

use crate::keys::{KeyKind, MIN_BITS};

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
