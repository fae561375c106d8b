//! Building tokens as a brand's backend must: a compact JWS (RS256) signed with the brand's
//! key, encrypted as the plaintext of a compact JWE (RSA-OAEP-256 + A256GCM, `cty: JWT`) to
//! iAdvize's key. josekit builds the tokens (headers, content key, AES-GCM); the two RSA
//! operations are OpenSSL's, on keys handed to it by their components: josekit's own signer
//! and encrypter take DER, which OpenSSL 3 reads with a generic decoder whose first use costs
//! a single-token run more than its signature.

use std::borrow::Cow;

use josekit::JoseError;
use josekit::jwe::{JweAlgorithm, JweContentEncryption, JweEncrypter, JweHeader, RSA_OAEP_256};
use josekit::jws::{JwsAlgorithm, JwsHeader, JwsSigner, RS256};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Padding;
use serde_json::{Map, Value};

use crate::keys::{KeyError, KeyKind, LoadedKey, MIN_BITS};

/// The JWE content encryption iAdvize requires.
pub const CONTENT_ENCRYPTION: &str = "A256GCM";
/// The JWE key management algorithm iAdvize requires.
pub const KEY_MANAGEMENT: &str = "RSA-OAEP-256";
/// The inner signature algorithm iAdvize requires.
pub const SIGNATURE: &str = "RS256";

/// Why a token could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the signing key is a public key: signing needs the brand's private key")]
    SigningKeyNotPrivate,
    #[error(
        "the {role} key has {bits} bits; iAdvize needs at least {MIN_BITS}, so this tool will not use it"
    )]
    KeyTooSmall { role: &'static str, bits: usize },
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("JOSE operation failed: {0}")]
    Jose(String),
    #[error("no recipient key was given, so the token cannot be encrypted")]
    NoRecipient,
}

fn jose(err: impl std::fmt::Display) -> TokenError {
    TokenError::Jose(err.to_string())
}

/// A signer and an encrypter built once, used for any number of tokens, from any thread.
#[derive(Debug)]
pub struct TokenMaker {
    signer: Rs256Signer,
    /// None when made with [`TokenMaker::signing_only`].
    encrypter: Option<RsaOaep256Encrypter>,
    jws_header: JwsHeader,
    jwe_header: JweHeader,
}

/// One token, with its inner signed JWT.
#[derive(Debug, Clone)]
pub struct Minted {
    pub jws: String,
    pub jwe: String,
}

impl TokenMaker {
    /// Prepares signing with `signing_key` (the brand's private key) and encryption to
    /// `recipient` (iAdvize's public key, or a stand-in's public or private key).
    pub fn new(signing_key: &LoadedKey, recipient: &LoadedKey) -> Result<Self, TokenError> {
        let mut maker = Self::signing_only(signing_key)?;
        check_size("recipient", recipient)?;
        maker.encrypter = Some(RsaOaep256Encrypter {
            key: recipient.openssl_public()?,
        });
        Ok(maker)
    }

    /// Prepares signing only (for the inner JWS alone): [`TokenMaker::encrypt`] and
    /// [`TokenMaker::mint`] then fail with [`TokenError::NoRecipient`].
    pub fn signing_only(signing_key: &LoadedKey) -> Result<Self, TokenError> {
        if signing_key.kind() != KeyKind::Private {
            return Err(TokenError::SigningKeyNotPrivate);
        }
        check_size("signing", signing_key)?;
        let signer = Rs256Signer {
            key: signing_key.openssl_private()?,
        };
        let jws_header = JwsHeader::new();
        let mut jwe_header = JweHeader::new();
        // Set first so the header reads in the documented order; josekit sets it again.
        jwe_header.set_algorithm(KEY_MANAGEMENT);
        jwe_header.set_content_encryption(CONTENT_ENCRYPTION);
        jwe_header.set_content_type("JWT");
        Ok(TokenMaker {
            signer,
            encrypter: None,
            jws_header,
            jwe_header,
        })
    }

    /// The compact JWS of these claims: header exactly `{"alg":"RS256"}`.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, TokenError> {
        let payload = serde_json::to_vec(claims).map_err(jose)?;
        josekit::jws::serialize_compact(&payload, &self.jws_header, &self.signer).map_err(jose)
    }

    /// The compact JWE whose plaintext is `jws`.
    pub fn encrypt(&self, jws: &str) -> Result<String, TokenError> {
        let encrypter = self.encrypter.as_ref().ok_or(TokenError::NoRecipient)?;
        josekit::jwe::serialize_compact(jws.as_bytes(), &self.jwe_header, encrypter).map_err(jose)
    }

    /// Signs, then encrypts.
    pub fn mint(&self, claims: &Map<String, Value>) -> Result<Minted, TokenError> {
        let jws = self.sign(claims)?;
        let jwe = self.encrypt(&jws)?;
        Ok(Minted { jws, jwe })
    }
}

/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with OpenSSL, as josekit's own RS256 signer does.
#[derive(Debug, Clone)]
struct Rs256Signer {
    key: PKey<Private>,
}

impl JwsSigner for Rs256Signer {
    fn algorithm(&self) -> &dyn JwsAlgorithm {
        &RS256
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn signature_len(&self) -> usize {
        self.key.size()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, JoseError> {
        openssl::sign::Signer::new(MessageDigest::sha256(), &self.key)
            .and_then(|mut signer| signer.sign_oneshot_to_vec(message))
            .map_err(|err| JoseError::InvalidSignature(err.into()))
    }

    fn box_clone(&self) -> Box<dyn JwsSigner> {
        Box::new(self.clone())
    }
}

/// RSA-OAEP-256 (OAEP with SHA-256 and MGF1-SHA-256) with OpenSSL, as josekit's own
/// encrypter does; josekit makes the content key it wraps.
#[derive(Debug, Clone)]
struct RsaOaep256Encrypter {
    key: PKey<Public>,
}

impl JweEncrypter for RsaOaep256Encrypter {
    fn algorithm(&self) -> &dyn JweAlgorithm {
        &RSA_OAEP_256
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn compute_content_encryption_key(
        &self,
        _cencryption: &dyn JweContentEncryption,
        _in_header: &JweHeader,
        _out_header: &mut JweHeader,
    ) -> Result<Option<Cow<'_, [u8]>>, JoseError> {
        // None: josekit generates a random content key and hands it to `encrypt`.
        Ok(None)
    }

    fn encrypt(
        &self,
        key: &[u8],
        _in_header: &JweHeader,
        _out_header: &mut JweHeader,
    ) -> Result<Option<Vec<u8>>, JoseError> {
        let wrap = || -> Result<Vec<u8>, openssl::error::ErrorStack> {
            let mut encrypter = openssl::encrypt::Encrypter::new(&self.key)?;
            encrypter.set_rsa_padding(Padding::PKCS1_OAEP)?;
            encrypter.set_rsa_oaep_md(MessageDigest::sha256())?;
            encrypter.set_rsa_mgf1_md(MessageDigest::sha256())?;
            let mut wrapped = vec![0; encrypter.encrypt_len(key)?];
            let len = encrypter.encrypt(key, &mut wrapped)?;
            wrapped.truncate(len);
            Ok(wrapped)
        };
        wrap()
            .map(Some)
            .map_err(|err| JoseError::InvalidKeyFormat(err.into()))
    }

    fn box_clone(&self) -> Box<dyn JweEncrypter> {
        Box::new(self.clone())
    }
}

fn check_size(role: &'static str, key: &LoadedKey) -> Result<(), TokenError> {
    let bits = key.bits();
    if bits < MIN_BITS {
        return Err(TokenError::KeyTooSmall { role, bits });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn part(token: &str, index: usize) -> Vec<u8> {
        let part = token.split('.').nth(index).unwrap();
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap()
    }

    #[test]
    fn headers_are_exactly_what_iadvize_expects() {
        let brand = LoadedKey::generate(2048).unwrap();
        let maker = TokenMaker::new(&brand, &LoadedKey::iadvize_production()).unwrap();
        let mut claims = Map::new();
        claims.insert("https://iadvize.com/userId".into(), "u".into());
        let minted = maker.mint(&claims).unwrap();
        assert_eq!(part(&minted.jws, 0), br#"{"alg":"RS256"}"#);
        assert_eq!(
            part(&minted.jwe, 0),
            br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"JWT"}"#
        );
        assert_eq!(part(&minted.jwe, 1).len(), 256, "2048-bit recipient");
        assert_eq!(part(&minted.jwe, 2).len(), 12, "96-bit GCM IV");
        assert_eq!(part(&minted.jwe, 4).len(), 16, "128-bit GCM tag");
    }

    #[test]
    fn signing_only_signs_the_same_and_cannot_encrypt() {
        let brand = LoadedKey::generate(2048).unwrap();
        let both = TokenMaker::new(&brand, &LoadedKey::iadvize_production()).unwrap();
        let signing = TokenMaker::signing_only(&brand).unwrap();
        let mut claims = Map::new();
        claims.insert("https://iadvize.com/userId".into(), "u".into());
        assert_eq!(signing.sign(&claims).unwrap(), both.sign(&claims).unwrap());
        assert!(matches!(
            signing.mint(&claims),
            Err(TokenError::NoRecipient)
        ));
    }

    #[test]
    fn public_signing_key_is_refused() {
        let public = LoadedKey::iadvize_production();
        let err = TokenMaker::new(&public, &public).unwrap_err();
        assert!(matches!(err, TokenError::SigningKeyNotPrivate));
    }
}
