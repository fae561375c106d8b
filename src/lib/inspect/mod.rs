//! Diagnosis of a token: what it is, every way it breaks iAdvize's rules, and what iAdvize's
//! Java stack would do with it.
//!
//! [`find`] finds the tokens in any text (a log, JSON, a HAR file), each with the wrappers it
//! was found in (`wrapper`). The inspector then reads a token layer by layer, each in its own
//! module, each check in the layer whose data it reads: `compact` (is the text a compact
//! token, of which kind) → `jwe` (the outer header, then decryption) → `jws` (the inner signed
//! token) → `payload` (the claims); `header` and `objects` read the JSON of headers and claims
//! as iAdvize's library does. A layer that cannot be read skips the ones below it, saying why. [`inspect`] returns a [`Report`] of
//! every check, in the order [`CheckId::ALL`](crate::verdict::CheckId::ALL) lists them, and
//! its [`Verdict`], which names the recipient it speaks for; [`verdict_sentence`] says it in
//! one sentence.

mod check;
mod compact;
mod find;
mod header;
mod jwe;
mod jws;
mod objects;
mod options;
mod payload;
mod report;
mod sentence;
mod wrapper;

pub use check::Check;
pub use find::{
    Findings, Found, HarRequest, MAX_PLACES, MAX_TOKEN_BYTES, MAX_TOKENS, Place, SharedText,
    TokenSpans, TooLong, Wrapped, find, shortened_token,
};
pub use wrapper::{WrapperKind, Wrappers};

pub use options::{InspectError, MAX_INPUT_BYTES, Names, Options};
pub use report::{JweView, JwsView, Kind, Report};
pub use sentence::verdict_sentence;

use crate::verdict::{CheckId, JavaStack, Layer, Status, Subject, Verdict};
use check::Checks;
use compact::Compact;
use report::Opening;

use crate::keys::{KeyKind, MIN_BITS};

/// Inspects a token: `text` is the token as it would be handed to iAdvize, noise included.
/// Never panics on any input; keys that cannot be used are errors.
pub fn inspect(text: &str, options: &Options<'_>) -> Result<Report, InspectError> {
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
    let decrypt_key_sha256 = options
        .decrypt_key
        .map(|key| key.public_info().map(|info| info.sha256_fingerprint))
        .transpose()?;
    let mut checks = Checks::new();
    let mut opening = Opening::Keyless;
    // Whatever the token, and whatever can be opened of it.
    if let Some(found) = options.verify_key_not_rsa {
        checks.fail(
            CheckId::JwsSignature,
            format!(
                "{} is {found}: iAdvize verifies the inner signature with the brand's RSA \
                 public key (RS256, RSASSAVerifier), and refuses every token of a brand whose \
                 key is not RSA",
                options.names.verify_key
            ),
            "generate an RSA key pair (`iadvize-auth keygen`), register its public half at \
             iAdvize, and sign with its private half",
            JavaStack::Rejects,
        );
    }
    let mut report = Report {
        kind: Kind::Unknown,
        jwe: None,
        jws: None,
        checks: Vec::new(),
        ok: true,
        verdict: Verdict::default(),
        decrypt_key_sha256,
        decrypted_payload: None,
    };
    match compact::read(text, options, &mut checks) {
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
            let opened = jwe::open(&jwe, options, &mut checks)?;
            opening = opened.opening;
            if let Some(content) = opened.content {
                match jws::read_content(&content, &mut checks) {
                    jws::Content::Jws(inner, compact, flaw) => {
                        let what = "the content is a compact signed JWT (JWS)";
                        report.jws = Some(jws::view(&inner, &compact));
                        jws::check(&inner, what, flaw, options, &mut checks);
                        payload::check(&inner.payload, options, &mut checks);
                    }
                    jws::Content::UnsignedClaims => {
                        report.decrypted_payload = Some(lossy(&content));
                        payload::check(&content, options, &mut checks);
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
            report.jws = Some(jws::view(&bare, text.trim_matches(|c: char| c <= ' ')));
            jws::check(&bare, what, None, options, &mut checks);
            payload::check(&bare.payload, options, &mut checks);
        }
    }
    report.checks = checks.finish();
    report.ok = report.checks.iter().all(|c| c.status != Status::Fail);
    let subject = match (report.kind, options.expect_jws) {
        (Kind::Jws, true) => Subject::SignedToken,
        _ => Subject::Token,
    };
    report.verdict = report::judge(
        subject,
        report.jwe.as_ref(),
        &report.checks,
        opening,
        report.decrypt_key_sha256.clone(),
    );
    Ok(report)
}

fn lossy(content: &[u8]) -> String {
    String::from_utf8_lossy(content).into_owned()
}
