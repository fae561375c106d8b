//! The JOSE layer of minting: a compact JWS signed with the brand's key, encrypted as the
//! plaintext of a compact JWE to the recipient's key (RFC 7515, 7516, 7518). Both headers never
//! change, so they are encoded once.
//!
//! - RS256, RSASSA-PKCS1-v1_5 over SHA-256: OpenSSL's RSA, on the key handed over by its
//!   components, through its RSA interface rather than its EVP one.
//! - RSA-OAEP-256, OAEP with SHA-256 and MGF1-SHA-256: the `rsa` crate for the first token,
//!   OpenSSL's EVP interface for the others.
//! - A256GCM, AES-256-GCM with the protected header as its AAD: the `aes-gcm` crate.
//!
//! Why so: OpenSSL 3's EVP interface, on its first use in a process, fetches its algorithms
//! from its provider, which would add a fifth to the instructions of a one-token run
//! (docs/performance.md); its RSA interface, with random numbers from the operating system
//! (`crate::openssl_setup`), fetches nothing. For RSA-OAEP-256 OpenSSL has only the EVP
//! interface, and the `rsa` crate takes two and a half times as long per wrap: a batch or a
//! server pays OpenSSL's set-up once, at its second token, and then wraps faster.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use aes_gcm::aead::AeadInOut as _;
use aes_gcm::{Aes256Gcm, KeyInit as _};
use base64::Engine as _;
use openssl::md::Md;
use openssl::pkey::{PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::error::{KeyRole, MintError};
use crate::alg::{ContentEncryption, KeyManagement, Signature};
use crate::keys::{KeyKind, LoadedKey, MIN_BITS};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// The AES-256-GCM key and IV sizes.
const CEK_BYTES: usize = 32;
const IV_BYTES: usize = 12;

/// RSA-OAEP-256 to one key: the `rsa` crate for the first wrap, OpenSSL for the next ones
/// (see the module's documentation).
struct KeyWrap {
    key: rsa::PublicKey,
    /// Whether a key has been wrapped: from then on OpenSSL wraps.
    used: AtomicBool,
    openssl_key: PKey<Public>,
    /// OpenSSL contexts set up for RSA-OAEP-256 with the key, each lent to one thread at a time.
    idle: Mutex<Vec<PkeyCtx<Public>>>,
}

impl KeyWrap {
    fn new(recipient: &LoadedKey) -> Result<Self, MintError> {
        Ok(KeyWrap {
            key: recipient.public_key().clone(),
            used: AtomicBool::new(false),
            openssl_key: recipient.openssl_public().map_err(MintError::Key)?,
            idle: Mutex::new(Vec::new()),
        })
    }

    fn wrap(&self, cek: &[u8]) -> Result<Vec<u8>, MintError> {
        if !self.used.swap(true, Ordering::Relaxed) {
            return self
                .key
                .encrypt(&mut getrandom::SysRng, rsa::Oaep::<Sha256>::new(), cek)
                .map_err(|err| MintError::Encryption(format!("RSA-OAEP-256 key wrap: {err}")));
        }
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut ctx = match idle {
            Some(ctx) => ctx,
            None => self.context().map_err(MintError::OpenSsl)?,
        };
        let mut wrapped = Vec::with_capacity(512);
        let result = ctx.encrypt_to_vec(cek, &mut wrapped);
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(ctx);
        result.map_err(MintError::OpenSsl)?;
        Ok(wrapped)
    }

    fn context(&self) -> Result<PkeyCtx<Public>, openssl::error::ErrorStack> {
        let mut ctx = PkeyCtx::new(&self.openssl_key)?;
        ctx.encrypt_init()?;
        ctx.set_rsa_padding(Padding::PKCS1_OAEP)?;
        ctx.set_rsa_oaep_md(Md::sha256())?;
        ctx.set_rsa_mgf1_md(Md::sha256())?;
        Ok(ctx)
    }
}

/// A signer and an encrypter built once, used for any number of tokens, from any thread.
pub(super) struct TokenMaker {
    /// The brand's key, for RS256.
    signer: Rsa<Private>,
    /// The DER DigestInfo prefix of a SHA-256 digest (RFC 8017 §9.2).
    digest_info: Box<[u8]>,
    /// RSA-OAEP-256 to the recipient's key; None when only signing (the inner JWS alone).
    recipient: Option<KeyWrap>,
    /// `{"alg":"RS256"}`, base64url.
    jws_header: String,
    /// `{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}`, base64url: also the AAD.
    jwe_header: String,
}

impl std::fmt::Debug for TokenMaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenMaker")
    }
}

impl TokenMaker {
    /// Prepares signing with `signing_key` (the brand's private key) and, when given,
    /// encryption to `recipient` (iAdvize's public key, or a stand-in's public or private key).
    pub(super) fn new(
        signing_key: &LoadedKey,
        recipient: Option<&LoadedKey>,
    ) -> Result<Self, MintError> {
        if signing_key.kind() != KeyKind::Private {
            return Err(MintError::SigningKeyNotPrivate);
        }
        check_size(KeyRole::Signing, signing_key)?;
        let signer = signing_key.openssl_private().map_err(MintError::Key)?;
        let recipient = match recipient {
            None => None,
            Some(recipient) => {
                check_size(KeyRole::Recipient, recipient)?;
                Some(KeyWrap::new(recipient)?)
            }
        };
        let jwe_header = format!(
            r#"{{"alg":"{}","enc":"{}","cty":"JWT"}}"#,
            KeyManagement::IADVIZE.name(),
            ContentEncryption::IADVIZE.name()
        );
        let jws_header = format!(r#"{{"alg":"{}"}}"#, Signature::IADVIZE.name());
        Ok(TokenMaker {
            signer,
            digest_info: rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>().prefix,
            recipient,
            jws_header: B64URL.encode(jws_header),
            jwe_header: B64URL.encode(jwe_header),
        })
    }

    /// The compact JWS of these claims: header exactly `{"alg":"RS256"}`.
    pub(super) fn sign(&self, claims: &Map<String, Value>) -> Result<String, MintError> {
        let payload = serde_json::to_vec(claims).map_err(MintError::Claims)?;
        let mut jws = String::with_capacity(self.jws_header.len() + payload.len() * 4 / 3 + 350);
        jws.push_str(&self.jws_header);
        jws.push('.');
        B64URL.encode_string(&payload, &mut jws);
        // RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1): the DigestInfo of the SHA-256, padded with type 1
        // and raised to the private exponent; what OpenSSL's RSA_sign does.
        let mut encoded = Vec::with_capacity(self.digest_info.len() + 32);
        encoded.extend_from_slice(&self.digest_info);
        encoded.extend_from_slice(&Sha256::digest(jws.as_bytes()));
        let mut signature = vec![0; self.signer.size() as usize];
        let len = self
            .signer
            .private_encrypt(&encoded, &mut signature, Padding::PKCS1)
            .map_err(MintError::OpenSsl)?;
        jws.push('.');
        B64URL.encode_string(&signature[..len], &mut jws);
        Ok(jws)
    }

    /// The compact JWE whose plaintext is `jws`; `None` when only signing.
    pub(super) fn encrypt(&self, jws: &str) -> Option<Result<String, MintError>> {
        let recipient = self.recipient.as_ref()?;
        Some(self.encrypt_to(recipient, jws.as_bytes()))
    }

    fn encrypt_to(&self, recipient: &KeyWrap, content: &[u8]) -> Result<String, MintError> {
        let mut cek = Zeroizing::new([0u8; CEK_BYTES]);
        let mut iv = [0u8; IV_BYTES];
        getrandom::fill(&mut *cek).map_err(|_| MintError::Random)?;
        getrandom::fill(&mut iv).map_err(|_| MintError::Random)?;
        let wrapped = recipient.wrap(&*cek)?;
        let mut ciphertext = content.to_vec();
        let tag = Aes256Gcm::new(&(*cek).into())
            .encrypt_inout_detached(
                &iv.into(),
                self.jwe_header.as_bytes(),
                ciphertext.as_mut_slice().into(),
            )
            .map_err(|_| MintError::Encryption("AES-256-GCM: the content is too long".into()))?;
        let mut jwe = String::with_capacity(
            self.jwe_header.len() + (wrapped.len() + ciphertext.len() + 40) * 4 / 3 + 8,
        );
        jwe.push_str(&self.jwe_header);
        for part in [&wrapped[..], &iv, &ciphertext, &tag] {
            jwe.push('.');
            B64URL.encode_string(part, &mut jwe);
        }
        Ok(jwe)
    }
}

fn check_size(role: KeyRole, key: &LoadedKey) -> Result<(), MintError> {
    let bits = key.bits();
    if bits < MIN_BITS {
        return Err(MintError::KeyTooSmall { role, bits });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(token: &str, index: usize) -> Vec<u8> {
        B64URL.decode(token.split('.').nth(index).unwrap()).unwrap()
    }

    fn claims() -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert("https://iadvize.com/userId".into(), "u".into());
        claims
    }

    #[test]
    fn headers_are_exactly_what_iadvize_expects() {
        let brand = LoadedKey::generate(2048).unwrap();
        let maker = TokenMaker::new(&brand, Some(&LoadedKey::iadvize_production())).unwrap();
        let jws = maker.sign(&claims()).unwrap();
        let jwe = maker.encrypt(&jws).unwrap().unwrap();
        assert_eq!(part(&jws, 0), br#"{"alg":"RS256"}"#);
        assert_eq!(
            part(&jwe, 0),
            br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}"#
        );
        assert_eq!(part(&jwe, 1).len(), 256, "2048-bit recipient");
        assert_eq!(part(&jwe, 2).len(), 12, "96-bit GCM IV");
        assert_eq!(part(&jwe, 4).len(), 16, "128-bit GCM tag");
    }

    #[test]
    fn first_and_later_tokens_open_with_another_implementation() {
        // The first key wrap is the `rsa` crate's, the later ones OpenSSL's: josekit opens both.
        let brand = LoadedKey::generate(2048).unwrap();
        let recipient = LoadedKey::generate(2048).unwrap();
        let maker = TokenMaker::new(&brand, Some(&recipient)).unwrap();
        let decrypter = josekit::jwe::RSA_OAEP_256
            .decrypter_from_der(&*recipient.private_pkcs8_der().unwrap())
            .unwrap();
        for _ in 0..3 {
            let jws = maker.sign(&claims()).unwrap();
            let jwe = maker.encrypt(&jws).unwrap().unwrap();
            let (content, _) = josekit::jwe::deserialize_compact(&jwe, &decrypter).unwrap();
            assert_eq!(content, jws.as_bytes());
        }
    }

    #[test]
    fn signing_only_signs_the_same_and_does_not_encrypt() {
        let brand = LoadedKey::generate(2048).unwrap();
        let both = TokenMaker::new(&brand, Some(&LoadedKey::iadvize_production())).unwrap();
        let signing = TokenMaker::new(&brand, None).unwrap();
        assert_eq!(
            signing.sign(&claims()).unwrap(),
            both.sign(&claims()).unwrap()
        );
        assert!(signing.encrypt("a.b.c").is_none());
    }

    #[test]
    fn public_signing_key_is_refused() {
        let public = LoadedKey::iadvize_production();
        let err = TokenMaker::new(&public, Some(&public)).unwrap_err();
        assert!(matches!(err, MintError::SigningKeyNotPrivate));
    }
}
