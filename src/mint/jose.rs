//! The JOSE layer of minting: a compact JWS signed with the brand's key, encrypted as the
//! plaintext of a compact JWE to the recipient's key. The cryptography is OpenSSL's: RS256 is
//! RSASSA-PKCS1-v1_5 over SHA-256, RSA-OAEP-256 is OAEP with SHA-256 and MGF1-SHA-256, A256GCM is
//! AES-256-GCM with the protected header as its AAD (RFC 7515, 7516, 7518). Both headers never
//! change, so they are encoded once; OpenSSL's contexts are set up once each and reused, on
//! keys handed to OpenSSL by their components (OpenSSL 3 reads DER with a generic decoder
//! whose first use costs a one-token run a fifth of its instructions: docs/performance.md).

use std::sync::Mutex;

use base64::Engine as _;
use openssl::md::Md;
use openssl::pkey::{Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::symm::Cipher;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::error::{KeyRole, MintError};
use crate::alg::{ContentEncryption, KeyManagement, Signature};
use crate::keys::{KeyKind, LoadedKey, MIN_BITS};

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
/// The AES-256-GCM key, IV and tag sizes.
const CEK_BYTES: usize = 32;
const IV_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// OpenSSL contexts set up once for one operation with one key, lent to one thread at a time.
struct Pool<T> {
    make: Box<dyn Fn() -> Result<PkeyCtx<T>, openssl::error::ErrorStack> + Send + Sync>,
    idle: Mutex<Vec<PkeyCtx<T>>>,
}

impl<T> std::fmt::Debug for Pool<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pool")
    }
}

impl<T> Pool<T> {
    fn new(
        make: impl Fn() -> Result<PkeyCtx<T>, openssl::error::ErrorStack> + Send + Sync + 'static,
    ) -> Result<Self, MintError> {
        let first = make().map_err(MintError::OpenSsl)?;
        Ok(Pool {
            make: Box::new(make),
            idle: Mutex::new(vec![first]),
        })
    }

    /// Runs `op` with a context: an idle one, or a new one when all are in use.
    fn with<R>(
        &self,
        op: impl FnOnce(&mut PkeyCtx<T>) -> Result<R, openssl::error::ErrorStack>,
    ) -> Result<R, MintError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let mut ctx = match idle {
            Some(ctx) => ctx,
            None => (self.make)().map_err(MintError::OpenSsl)?,
        };
        let result = op(&mut ctx).map_err(MintError::OpenSsl);
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(ctx);
        result
    }
}

/// A signer and an encrypter built once, used for any number of tokens, from any thread.
#[derive(Debug)]
pub(super) struct TokenMaker {
    /// RS256 with the brand's key.
    signer: Pool<Private>,
    /// RSA-OAEP-256 to the recipient's key; None when only signing (the inner JWS alone).
    encrypter: Option<Pool<Public>>,
    /// `{"alg":"RS256"}`, base64url.
    jws_header: String,
    /// `{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}`, base64url: also the AAD.
    jwe_header: String,
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
        let key = signing_key.openssl_private().map_err(MintError::Key)?;
        let signer = Pool::new(move || {
            let mut ctx = PkeyCtx::new(&key)?;
            ctx.sign_init()?;
            ctx.set_rsa_padding(Padding::PKCS1)?;
            ctx.set_signature_md(Md::sha256())?;
            Ok(ctx)
        })?;
        let encrypter = match recipient {
            None => None,
            Some(recipient) => {
                check_size(KeyRole::Recipient, recipient)?;
                let key = recipient.openssl_public().map_err(MintError::Key)?;
                Some(Pool::new(move || {
                    let mut ctx = PkeyCtx::new(&key)?;
                    ctx.encrypt_init()?;
                    ctx.set_rsa_padding(Padding::PKCS1_OAEP)?;
                    ctx.set_rsa_oaep_md(Md::sha256())?;
                    ctx.set_rsa_mgf1_md(Md::sha256())?;
                    Ok(ctx)
                })?)
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
            encrypter,
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
        let digest = openssl::sha::sha256(jws.as_bytes());
        let mut signature = Vec::with_capacity(512);
        self.signer
            .with(|ctx| ctx.sign_to_vec(&digest, &mut signature))?;
        jws.push('.');
        B64URL.encode_string(&signature, &mut jws);
        Ok(jws)
    }

    /// The compact JWE whose plaintext is `jws`; `None` when only signing.
    pub(super) fn encrypt(&self, jws: &str) -> Option<Result<String, MintError>> {
        let encrypter = self.encrypter.as_ref()?;
        Some(self.encrypt_with(encrypter, jws.as_bytes()))
    }

    fn encrypt_with(&self, encrypter: &Pool<Public>, content: &[u8]) -> Result<String, MintError> {
        let mut cek = Zeroizing::new([0u8; CEK_BYTES]);
        let mut iv = [0u8; IV_BYTES];
        openssl::rand::rand_bytes(&mut *cek).map_err(MintError::OpenSsl)?;
        openssl::rand::rand_bytes(&mut iv).map_err(MintError::OpenSsl)?;
        let mut wrapped = Vec::with_capacity(512);
        encrypter.with(|ctx| ctx.encrypt_to_vec(&*cek, &mut wrapped))?;
        let mut tag = [0u8; TAG_BYTES];
        let ciphertext = openssl::symm::encrypt_aead(
            Cipher::aes_256_gcm(),
            &*cek,
            Some(&iv),
            self.jwe_header.as_bytes(),
            content,
            &mut tag,
        )
        .map_err(MintError::OpenSsl)?;
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
