//! The JOSE layer of minting: a compact JWS signed with the brand's key, encrypted as the
//! plaintext of a compact JWE to the recipient's key. The cryptography is josekit's (OpenSSL).

use josekit::jwe::{JweHeader, alg::rsaes::RsaesJweEncrypter};
use josekit::jws::{JwsHeader, RS256, alg::rsassa::RsassaJwsSigner};
use serde_json::{Map, Value};

use super::error::MintError;
use crate::alg::{ContentEncryption, KeyManagement};
use crate::keys::{KeyKind, LoadedKey, MIN_BITS};

/// Which key a problem is about, in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// The brand's private key, which signs.
    Signing,
    /// The key the token is encrypted to: iAdvize's, or a stand-in's.
    Recipient,
}

impl std::fmt::Display for KeyRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyRole::Signing => "signing",
            KeyRole::Recipient => "recipient",
        })
    }
}

/// A signer and an encrypter built once, used for any number of tokens, from any thread.
#[derive(Debug)]
pub(super) struct TokenMaker {
    signer: RsassaJwsSigner,
    /// None when only signing (the inner JWS alone).
    encrypter: Option<RsaesJweEncrypter>,
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
        let der = signing_key.private_pkcs8_der().map_err(MintError::Key)?;
        let signer = RS256.signer_from_der(&*der).map_err(MintError::Jose)?;
        let encrypter = match recipient {
            None => None,
            Some(recipient) => {
                check_size(KeyRole::Recipient, recipient)?;
                let der = recipient.public_info().map_err(MintError::Key)?.spki_der;
                let algorithm = KeyManagement::IADVIZE.josekit();
                Some(
                    algorithm
                        .encrypter_from_der(&der)
                        .map_err(MintError::Jose)?,
                )
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
