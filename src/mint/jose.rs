//! The JOSE layer of minting: a compact JWS signed with the brand's key, encrypted as the
//! plaintext of a compact JWE to the recipient's key. josekit builds the tokens (headers,
//! content key, AES-GCM); the two RSA operations are OpenSSL's, on keys handed to it by their
//! components: josekit's own signer and encrypter take DER, which OpenSSL 3 reads with a
//! generic decoder whose first use costs a one-token run a fifth of its instructions
//! (docs/performance.md).

use std::borrow::Cow;

use josekit::JoseError;
use josekit::jwe::{JweAlgorithm, JweContentEncryption, JweEncrypter, JweHeader, RSA_OAEP_256};
use josekit::jws::{JwsAlgorithm, JwsHeader, JwsSigner, RS256};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Padding;
use serde_json::{Map, Value};

use super::error::{KeyRole, MintError};
use crate::alg::{ContentEncryption, KeyManagement};
use crate::keys::{KeyKind, LoadedKey, MIN_BITS};

/// A signer and an encrypter built once, used for any number of tokens, from any thread.
#[derive(Debug)]
pub(super) struct TokenMaker {
    signer: Rs256Signer,
    /// None when only signing (the inner JWS alone).
    encrypter: Option<RsaOaep256Encrypter>,
    jws_header: JwsHeader,
    jwe_header: JweHeader,
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
        let signer = Rs256Signer {
            key: signing_key.openssl_private().map_err(MintError::Key)?,
        };
        let encrypter = match recipient {
            None => None,
            Some(recipient) => {
                check_size(KeyRole::Recipient, recipient)?;
                let key = recipient.openssl_public().map_err(MintError::Key)?;
                Some(RsaOaep256Encrypter { key })
            }
        };
        let mut jwe_header = JweHeader::new();
        // Set first so the header reads in the documented order; josekit sets it again.
        jwe_header.set_algorithm(KeyManagement::IADVIZE.name());
        jwe_header.set_content_encryption(ContentEncryption::IADVIZE.name());
        jwe_header.set_content_type("JWT");
        Ok(TokenMaker {
            signer,
            encrypter,
            jws_header: JwsHeader::new(),
            jwe_header,
        })
    }

    /// The compact JWS of these claims: header exactly `{"alg":"RS256"}`.
    pub(super) fn sign(&self, claims: &Map<String, Value>) -> Result<String, MintError> {
        let payload = serde_json::to_vec(claims).map_err(MintError::Claims)?;
        josekit::jws::serialize_compact(&payload, &self.jws_header, &self.signer)
            .map_err(MintError::Jose)
    }

    /// The compact JWE whose plaintext is `jws`; `None` when only signing.
    pub(super) fn encrypt(&self, jws: &str) -> Option<Result<String, MintError>> {
        let encrypter = self.encrypter.as_ref()?;
        Some(
            josekit::jwe::serialize_compact(jws.as_bytes(), &self.jwe_header, encrypter)
                .map_err(MintError::Jose),
        )
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
    use base64::Engine as _;

    fn part(token: &str, index: usize) -> Vec<u8> {
        let part = token.split('.').nth(index).unwrap();
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap()
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
