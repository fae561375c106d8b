//! The third layer: the inner signed token (`jws.*`). iAdvize reads the JWE's content with
//! `SignedJWT.parse` and verifies it with `RSASSAVerifier`, which accepts `RS384`, `RS512` and
//! the `PS…` signatures too, and keys under 2048 bits.

use josekit::jws::JwsVerifier;
use serde_json::Value;

use super::check::Checks;
use super::compact::{self, Compact, ParsedJws};
use super::options::Options;
use super::report::JwsView;
use crate::alg::{HMAC_SIGNATURES, Signature};
use crate::keys::{LoadedKey, MIN_BITS};
use crate::verdict::{CheckId, JavaStack, Layer, NeededKey};

/// What the JWE's content turned out to be.
pub(super) enum Content {
    /// A compact JWS, as it must be; its text; and what is wrong with its text, if anything.
    Jws(Box<ParsedJws>, String, Option<(String, String)>),
    /// Not a JWS but a JSON object: claims encrypted without being signed.
    UnsignedClaims,
    /// Neither.
    Other,
}

/// Reads the JWE's decrypted content as `toSignedJWT` does (the text, trimmed, split at
/// dots); when it is not a compact JWS, fails `jws.format` with what it is instead and skips
/// the rest of this layer.
pub(super) fn read_content(content: &[u8], checks: &mut Checks) -> Content {
    let text = String::from_utf8_lossy(content);
    let split = compact::split(&text);
    let (problem, hint) = match compact::parse_compact(&split, "it") {
        Ok(Compact::Jws(jws)) => {
            let trimmed = text.trim_matches(|c: char| c <= ' ').to_string();
            let noise = split.noise_in(&[0, 1]);
            let flaw = (!noise.foreign.is_empty()).then(|| {
                let problem = if trimmed.starts_with('\u{FEFF}') {
                    "the signed token inside starts with a byte order mark (U+FEFF)".to_string()
                } else {
                    format!("the signed token inside has {}", noise.describe_foreign())
                };
                (
                    format!(
                        "{problem} in the text its signature covers: iAdvize's library keeps \
                         it, so the signature does not verify"
                    ),
                    "encrypt the compact JWS exactly as the JOSE library produced it (UTF-8, \
                     no byte order mark)"
                        .to_string(),
                )
            });
            return Content::Jws(Box::new(jws), trimmed, flaw);
        }
        Ok(Compact::Jwe(_)) => (
            "the content is itself an encrypted token (JWE): the token was encrypted twice"
                .to_string(),
            "encrypt the signed JWS once, to iAdvize's key",
        ),
        Err(not_compact) => match crate::json::parse(content) {
            Ok((serde_json::Value::Object(object), _))
                if object.contains_key("payload") && object.contains_key("signature") =>
            {
                (
                    "the content is a JWS in JSON serialisation (an object with payload and \
                     signature), where iAdvize reads a compact JWS"
                        .to_string(),
                    "serialise the signed token compactly, three base64url parts separated \
                     by dots (jwcrypto: serialize(compact=True))",
                )
            }
            Ok((serde_json::Value::Object(_), _)) => {
                checks.fail(
                    CheckId::JwsFormat,
                    format!(
                        "the decrypted content is not a signed JWT: {}",
                        not_compact.problem
                    ),
                    "the claims were encrypted without being signed: sign them first as a JWS \
                     (RS256) with the brand's private key, then encrypt that compact JWS",
                    JavaStack::Rejects,
                );
                checks.skip_layer(Layer::Jws, "no signed token inside the JWE");
                return Content::UnsignedClaims;
            }
            _ => (
                format!(
                    "the decrypted content is not a signed JWT: {}",
                    not_compact.problem
                ),
                "the JWE's content must be the compact JWS signed with the brand's key",
            ),
        },
    };
    checks.fail(CheckId::JwsFormat, problem, hint, JavaStack::Rejects);
    checks.skip_layer(Layer::Jws, "no compact signed token inside the JWE");
    Content::Other
}

/// What can be seen of the signed token.
pub(super) fn view(jws: &ParsedJws, compact: &str) -> JwsView {
    let claims = match crate::json::parse(&jws.payload) {
        Ok((value @ Value::Object(_), _)) => value,
        _ => Value::Null,
    };
    JwsView {
        header: Value::Object(jws.header.members.clone()),
        claims,
        token: Some(compact.to_string()),
    }
}

/// Checks a well-formed compact JWS (`well_formed` says what it is; `flaw`, what is wrong
/// with its text).
pub(super) fn check(
    jws: &ParsedJws,
    well_formed: &str,
    flaw: Option<(String, String)>,
    options: &Options<'_>,
    checks: &mut Checks,
) {
    let header = &jws.header;
    // Nimbus's JWS header parsing has the same limits as the JWE's.
    if let Some((problem, hint)) = flaw {
        checks.fail(CheckId::JwsFormat, problem, hint, JavaStack::Rejects);
    } else if let Some((problem, hint)) = header.too_long("alg") {
        checks.fail(CheckId::JwsFormat, problem, hint, JavaStack::Rejects);
    } else if let Some((problem, java_stack, hint)) = &header.flaw {
        checks.fail(CheckId::JwsFormat, problem.as_str(), *hint, *java_stack);
    } else {
        checks.pass(CheckId::JwsFormat, well_formed);
    }
    let alg = header.alg(CheckId::JwsAlg, "JWS", Signature::IADVIZE.name(), checks);
    if let Some(alg) = alg {
        check_alg(alg, checks);
    }
    header.check_crit(CheckId::JwsCrit, &["b64"], checks);
    check_signature(jws, alg.and_then(Signature::from_name), options, checks);
}

fn check_alg(alg: &str, checks: &mut Checks) {
    let id = CheckId::JwsAlg;
    let rsa_hint = "sign with RS256 and the brand's RSA private key";
    match Signature::from_name(alg) {
        Some(Signature::IADVIZE) => checks.pass(id, "alg is RS256"),
        Some(other) => checks.fail(
            id,
            format!("alg is {}, not RS256", other.name()),
            "sign with RS256 (JWSAlgorithm.RS256), as iAdvize documents",
            JavaStack::Accepts,
        ),
        None if Signature::from_name(&alg.to_ascii_uppercase()).is_some() => checks.fail(
            id,
            format!(
                "alg is {alg:?}: algorithm names are case-sensitive, and iAdvize's library \
                 knows no such algorithm"
            ),
            "write alg as RS256, in capitals",
            JavaStack::Rejects,
        ),
        None if HMAC_SIGNATURES.contains(&alg) => checks.fail(
            id,
            format!("alg is {alg}: an HMAC with a shared secret, not an RSA signature"),
            "sign with RS256 and the brand's RSA private key: iAdvize verifies with the public \
             key you registered",
            JavaStack::Rejects,
        ),
        None if alg == "none" => checks.fail(
            id,
            "alg is none: the token is not signed",
            rsa_hint,
            JavaStack::Rejects,
        ),
        None => checks.fail(
            id,
            format!("alg is {alg:?}, not an RSA signature"),
            rsa_hint,
            JavaStack::Rejects,
        ),
    }
}

fn check_signature(
    jws: &ParsedJws,
    alg: Option<Signature>,
    options: &Options<'_>,
    checks: &mut Checks,
) {
    let id = CheckId::JwsSignature;
    let name = options.names.verify_key;
    let Some(key) = options.verify_key else {
        checks.skip_needing(
            id,
            &format!(
                "not checked without {name}: give the brand's public key registered at iAdvize \
                 to check the signature"
            ),
            NeededKey::Verification,
        );
        return;
    };
    let Some(alg) = alg else {
        let alg = jws.header.str("alg").unwrap_or("");
        checks.fail(
            id,
            format!("alg {alg:?} cannot be verified with an RSA key"),
            "sign with RS256 and the brand's RSA private key",
            JavaStack::Rejects,
        );
        return;
    };
    let fingerprint = key
        .public_info()
        .map(|info| info.sha256_fingerprint)
        .unwrap_or_default();
    let short = fingerprint.get(..16).unwrap_or(&fingerprint);
    if !verify(jws, alg, key) {
        checks.fail(
            id,
            format!("the signature does not verify with {name} (SHA-256 {short}…)"),
            "the token was signed with another key than the one registered at iAdvize, or \
             altered: sign with the private key whose public half iAdvize has",
            JavaStack::Rejects,
        );
    } else if key.bits() < MIN_BITS {
        checks.warn(
            id,
            format!(
                "the signature verifies with {name} (SHA-256 {short}…), but that key has {} bits",
                key.bits()
            ),
            format!(
                "iAdvize requires at least {MIN_BITS} bits: make a new key pair with \
                 `iadvize-auth keygen`"
            ),
            JavaStack::Accepts,
        );
    } else {
        checks.pass(
            id,
            format!("the signature verifies with {name} (SHA-256 {short}…)"),
        );
    }
}

fn verify(jws: &ParsedJws, alg: Signature, key: &LoadedKey) -> bool {
    use josekit::jws::{PS256, PS384, PS512, RS256, RS384, RS512};
    let message = jws.signing_input.as_bytes();
    if key.bits() < MIN_BITS {
        // The JOSE library refuses small keys; iAdvize's does not: verify with the rsa crate.
        return key.verify_jws_rsa(alg, message, &jws.signature);
    }
    let Ok(info) = key.public_info() else {
        return false;
    };
    let der = &info.spki_der;
    let verifier: Result<Box<dyn JwsVerifier>, josekit::JoseError> = match alg {
        Signature::Rs256 => RS256.verifier_from_der(der).map(|v| Box::new(v) as _),
        Signature::Rs384 => RS384.verifier_from_der(der).map(|v| Box::new(v) as _),
        Signature::Rs512 => RS512.verifier_from_der(der).map(|v| Box::new(v) as _),
        Signature::Ps256 => PS256.verifier_from_der(der).map(|v| Box::new(v) as _),
        Signature::Ps384 => PS384.verifier_from_der(der).map(|v| Box::new(v) as _),
        Signature::Ps512 => PS512.verifier_from_der(der).map(|v| Box::new(v) as _),
    };
    verifier.is_ok_and(|v| v.verify(message, &jws.signature).is_ok())
}
