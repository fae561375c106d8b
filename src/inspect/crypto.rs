//! Opening the JWE and verifying the inner signature, with josekit (OpenSSL).

use josekit::jwe::{JweContentEncryption, JweDecrypter as _, JweHeader};
use josekit::jws::JwsVerifier;
use zeroize::Zeroizing;

use super::{InspectError, ParsedJwe, ParsedJws, header_str, java};
use crate::keys::{LoadedKey, MIN_BITS};

pub(super) enum Decrypted {
    Plain(Zeroizing<Vec<u8>>),
    Mgf1Sha1(Zeroizing<Vec<u8>>),
    Failed { message: String, hint: String },
}

fn failed(message: impl Into<String>, hint: impl Into<String>) -> Decrypted {
    Decrypted::Failed {
        message: message.into(),
        hint: hint.into(),
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
                && let Some(plain) = java::open_with_mgf1_sha1(jwe, cencryption, key)
            {
                return Ok(Decrypted::Mgf1Sha1(plain));
            }
            return Ok(wrong_key());
        }
    };
    if cek.len() != cencryption.key_len() {
        return Ok(wrong_key());
    }
    match open_content(jwe, cencryption, &cek) {
        Some(plain) => Ok(Decrypted::Plain(plain)),
        None => Ok(failed(
            "the content does not decrypt: the ciphertext, IV, tag or header were altered \
             after encryption (or, with RSA1_5, the key is the wrong one)",
            "hand the token over unchanged, exactly as the brand's backend produced it",
        )),
    }
}

/// Decrypts (and, with `zip: DEF`, inflates) the content with the content key.
pub(super) fn open_content(
    jwe: &ParsedJwe,
    cencryption: &dyn JweContentEncryption,
    cek: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if !iv_is_usable(cencryption.name(), jwe.iv.len()) {
        return None;
    }
    let tag = (!jwe.tag.is_empty()).then_some(jwe.tag.as_slice());
    let plain = cencryption
        .decrypt(
            cek,
            Some(&jwe.iv),
            &jwe.ciphertext,
            jwe.header_b64.as_bytes(),
            tag,
        )
        .ok()
        .map(Zeroizing::new)?;
    match header_str(&jwe.header, "zip") {
        None => Some(plain),
        Some("DEF") => {
            use josekit::jwe::JweCompression;
            josekit::jwe::zip::Def
                .decompress(&plain)
                .ok()
                .map(Zeroizing::new)
        }
        Some(_) => None,
    }
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
        // The JOSE library refuses small keys; iAdvize's does not. Check RS256 with the rsa crate.
        return match alg {
            "RS256" => {
                match key.verify_pkcs1_sha256(jws.signing_input.as_bytes(), &jws.signature) {
                    true => Verified::Yes,
                    false => Verified::No,
                }
            }
            _ => Verified::Unsupported,
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
