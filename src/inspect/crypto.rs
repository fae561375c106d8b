//! Opening the JWE and verifying the inner signature, with josekit (OpenSSL).

use std::io::Read as _;

use josekit::jwe::{JweContentEncryption, JweDecrypter as _, JweHeader};
use josekit::jws::JwsVerifier;
use serde_json::Value;
use zeroize::Zeroizing;

use super::report::JavaStack;
use super::{InspectError, MAX_INPUT_BYTES, ParsedJwe, ParsedJws, java};
use crate::keys::{LoadedKey, MIN_BITS};

pub(super) enum Decrypted {
    /// The content, and its size before inflating when the header has `zip: DEF`.
    Plain {
        content: Zeroizing<Vec<u8>>,
        deflated: Option<usize>,
    },
    Mgf1Sha1(Zeroizing<Vec<u8>>),
    Failed {
        message: String,
        hint: String,
        java: JavaStack,
    },
}

fn failed(message: impl Into<String>, hint: impl Into<String>) -> Decrypted {
    Decrypted::Failed {
        message: message.into(),
        hint: hint.into(),
        java: JavaStack::Rejects,
    }
}

fn content_encryption(enc: &str) -> Option<&'static dyn JweContentEncryption> {
    use josekit::jwe::enc::*;
    Some(match enc {
        "A128GCM" => &A128GCM,
        "A192GCM" => &A192GCM,
        "A256GCM" => &A256GCM,
        "A128CBC-HS256" => &A128CBC_HS256,
        "A192CBC-HS384" => &A192CBC_HS384,
        "A256CBC-HS512" => &A256CBC_HS512,
        _ => return None,
    })
}

/// Opens the JWE in two steps (unwrap the content key, then decrypt the content), so that a
/// wrong key and altered content get different diagnoses.
#[allow(
    deprecated,
    reason = "RSA1_5 tokens must still be opened to be diagnosed"
)]
pub(super) fn decrypt(
    jwe: &ParsedJwe,
    alg: Option<&str>,
    enc: Option<&str>,
    key: &LoadedKey,
) -> Result<Decrypted, InspectError> {
    use josekit::jwe::{RSA_OAEP, RSA_OAEP_256, RSA_OAEP_384, RSA_OAEP_512, RSA1_5};
    let der = key.private_pkcs8_der()?;
    let algorithm = match alg {
        Some("RSA1_5") => RSA1_5,
        Some("RSA-OAEP") => RSA_OAEP,
        Some("RSA-OAEP-256") => RSA_OAEP_256,
        Some("RSA-OAEP-384") => RSA_OAEP_384,
        Some("RSA-OAEP-512") => RSA_OAEP_512,
        other => {
            return Ok(failed(
                format!(
                    "cannot decrypt: alg {:?} is not an RSA key management algorithm",
                    other.unwrap_or("")
                ),
                "encrypt with alg RSA-OAEP-256",
            ));
        }
    };
    let Some(cencryption) = enc.and_then(content_encryption) else {
        return Ok(failed(
            format!(
                "cannot decrypt: enc {:?} is not a content encryption",
                enc.unwrap_or("")
            ),
            "encrypt with enc A256GCM",
        ));
    };
    let key_bytes = key.bits().div_ceil(8);
    if jwe.encrypted_key.len() != key_bytes {
        return Ok(failed(
            format!(
                "the token was encrypted to a {}-bit key, and --decrypt-key has {} bits",
                jwe.encrypted_key.len() * 8,
                key.bits()
            ),
            "the token was encrypted to another key: encrypt to the key whose private half is \
             given here (in production, iAdvize's)",
        ));
    }
    let decrypter = algorithm
        .decrypter_from_der(&*der)
        .map_err(|e| InspectError::Key(crate::keys::KeyError::Encode(e.to_string())))?;
    let header = JweHeader::from_map(jwe.header.clone()).unwrap_or_else(|_| JweHeader::new());
    let wrong_key = || {
        failed(
            "the key does not open this token: it was encrypted to another key, or its \
             encrypted key was altered",
            "encrypt to the recipient's public key (iAdvize's production key, or the stand-in \
             whose private half is given here)",
        )
    };
    let cek = match decrypter.decrypt(Some(&jwe.encrypted_key), cencryption, &header) {
        Ok(cek) => Zeroizing::new(cek.into_owned()),
        Err(_) => {
            if alg == Some("RSA-OAEP-256")
                && let Some(sealed) = java::open_with_mgf1_sha1(jwe, cencryption, key)
            {
                // The key wrap is the news; a content that then does not inflate is secondary.
                return Ok(match inflate(jwe, sealed) {
                    Ok((plain, _)) => Decrypted::Mgf1Sha1(plain),
                    Err(Decrypted::Failed { message, .. }) => failed(
                        format!("{MGF1_SHA1_PROBLEM}; besides, {message}"),
                        MGF1_SHA1_HINT,
                    ),
                    Err(other) => other,
                });
            }
            return Ok(wrong_key());
        }
    };
    if cek.len() != cencryption.key_len() {
        return Ok(wrong_key());
    }
    let Some(sealed) = open_content(jwe, cencryption, &cek) else {
        return Ok(failed(
            "the content does not decrypt: the ciphertext, IV, tag or header were altered \
             after encryption (or, with RSA1_5, the key is the wrong one)",
            "hand the token over unchanged, exactly as the brand's backend produced it",
        ));
    };
    Ok(match inflate(jwe, sealed) {
        Ok((content, deflated)) => Decrypted::Plain { content, deflated },
        Err(problem) => problem,
    })
}

/// What an RSA-OAEP-256 key wrapped with MGF1-SHA-1 is, and its fix.
pub(super) const MGF1_SHA1_PROBLEM: &str = "the content key was wrapped with RSA-OAEP using \
     SHA-256 but MGF1 with SHA-1 (Java's default for OAEPWithSHA-256AndMGF1Padding), not the \
     MGF1-SHA-256 that RSA-OAEP-256 means";
pub(super) const MGF1_SHA1_HINT: &str = "use a JOSE library's RSA-OAEP-256, or in plain Java an \
     OAEPParameterSpec with MGF1ParameterSpec.SHA256";

/// Undoes the header's `zip` (RFC 7516 §4.1.3: `DEF` is raw DEFLATE). The inflated content is
/// capped at [`MAX_INPUT_BYTES`], like the token itself: a few kilobytes of DEFLATE can inflate
/// to gigabytes. Gives the content and, when it was inflated, its size before.
fn inflate(
    jwe: &ParsedJwe,
    sealed: Zeroizing<Vec<u8>>,
) -> Result<(Zeroizing<Vec<u8>>, Option<usize>), Decrypted> {
    let hint = "leave zip out of the header: the content is a small signed token, and \
                iAdvize's example has no zip";
    match jwe.header.get("zip") {
        None => Ok((sealed, None)),
        Some(Value::String(zip)) if zip == "DEF" => {
            let limit = u64::try_from(MAX_INPUT_BYTES).unwrap_or(u64::MAX);
            let mut content = Zeroizing::new(Vec::new());
            let read = flate2::read::DeflateDecoder::new(sealed.as_slice())
                .take(limit.saturating_add(1))
                .read_to_end(&mut content);
            match read {
                Err(_) => Err(failed(
                    "the header says zip DEF, but the decrypted content is not DEFLATE data",
                    hint,
                )),
                Ok(_) if content.len() > MAX_INPUT_BYTES => Err(Decrypted::Failed {
                    message: format!(
                        "the content inflates (zip DEF) to more than {} KiB from {} bytes: \
                         not inflated further",
                        MAX_INPUT_BYTES / 1024,
                        sealed.len()
                    ),
                    hint: hint.into(),
                    java: JavaStack::NotApplicable,
                }),
                Ok(_) => Ok((content, Some(sealed.len()))),
            }
        }
        Some(Value::String(zip)) => Err(failed(
            format!("zip is {zip:?}: the only JWE compression is DEF"),
            hint,
        )),
        Some(other) => Err(failed(format!("zip is {other}, not a string"), hint)),
    }
}

/// Decrypts the content with the content key (without undoing `zip`).
pub(super) fn open_content(
    jwe: &ParsedJwe,
    cencryption: &dyn JweContentEncryption,
    cek: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if !iv_is_usable(cencryption.name(), jwe.iv.len()) {
        return None;
    }
    let tag = (!jwe.tag.is_empty()).then_some(jwe.tag.as_slice());
    cencryption
        .decrypt(
            cek,
            Some(&jwe.iv),
            &jwe.ciphertext,
            jwe.header_b64.as_bytes(),
            tag,
        )
        .ok()
        .map(Zeroizing::new)
}

/// Whether content encryption `enc` can run with an IV of `len` bytes at all: AES-CBC takes
/// exactly one 16-byte block (the openssl crate panics on a shorter one), AES-GCM any length
/// but zero (Java refuses an empty one too).
pub(super) fn iv_is_usable(enc: &str, len: usize) -> bool {
    if enc.contains("CBC") {
        len == 16
    } else {
        len > 0
    }
}

pub(super) enum Verified {
    Yes,
    No,
    Unsupported,
}

pub(super) fn verify(jws: &ParsedJws, alg: &str, key: &LoadedKey) -> Verified {
    use josekit::jws::{PS256, PS384, PS512, RS256, RS384, RS512};
    let Ok(info) = key.public_info() else {
        return Verified::No;
    };
    if key.bits() < MIN_BITS {
        // The JOSE library refuses small keys; iAdvize's does not: verify with the rsa crate.
        return match key.verify_jws_rsa(alg, jws.signing_input.as_bytes(), &jws.signature) {
            Some(true) => Verified::Yes,
            Some(false) => Verified::No,
            None => Verified::Unsupported,
        };
    }
    let der = &info.spki_der;
    let verifier: Result<Box<dyn JwsVerifier>, josekit::JoseError> = match alg {
        "RS256" => RS256.verifier_from_der(der).map(|v| Box::new(v) as _),
        "RS384" => RS384.verifier_from_der(der).map(|v| Box::new(v) as _),
        "RS512" => RS512.verifier_from_der(der).map(|v| Box::new(v) as _),
        "PS256" => PS256.verifier_from_der(der).map(|v| Box::new(v) as _),
        "PS384" => PS384.verifier_from_der(der).map(|v| Box::new(v) as _),
        "PS512" => PS512.verifier_from_der(der).map(|v| Box::new(v) as _),
        _ => return Verified::Unsupported,
    };
    match verifier.map(|v| v.verify(jws.signing_input.as_bytes(), &jws.signature)) {
        Ok(Ok(())) => Verified::Yes,
        _ => Verified::No,
    }
}
