//! What makes faulty tokens: the signers and encrypters a set of [`Fault`]s needs, built once
//! with a general JOSE library (josekit), not the fast path honest tokens take.

use std::borrow::Cow;

use base64::Engine as _;
use josekit::jwe::{JweContentEncryption, JweEncrypter, JweHeader, JweHeaderSet};
use josekit::jws::{JwsHeader, JwsHeaderSet, JwsSigner};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::error::MintError;
use super::fault::FaultError;
use super::fault::{Fault, Faults};
use crate::alg::{ContentEncryption, KeyManagement};
use crate::keys::LoadedKey;

/// How the claims become the JWE's content (or the token, when nothing is encrypted).
#[derive(Debug)]
enum Inner {
    /// Signed by this signer; `reserialised`: the signature covers a pretty-printed copy.
    Signed {
        signer: Box<dyn JwsSigner>,
        reserialised: bool,
    },
    /// Encrypted as they are.
    Unsigned,
}

/// The outer JWE.
#[derive(Debug)]
struct Outer {
    encrypter: Box<dyn JweEncrypter>,
    enc: ContentEncryption,
    cty: bool,
    /// Encrypt the JWE once more.
    twice: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serialisation {
    Compact,
    /// Compact, but every part with `=` padding, as a hand-rolled encoder writes it.
    Padded,
    /// The outermost layer in flattened JSON serialisation.
    Json,
}

/// Makes faulty tokens: the signers and encrypters the faults need, built once.
#[derive(Debug)]
pub(super) struct FaultyMaker {
    faults: Faults,
    inner: Inner,
    outer: Option<Outer>,
    serialisation: Serialisation,
}

impl FaultyMaker {
    /// Builds what `faults` need from the brand's key and the recipient (`None`: only signing).
    /// `wrong-signer` signs with `stranger`, `wrong-recipient` encrypts to it: a key of
    /// nobody's, generated here when none is given.
    pub(super) fn new(
        faults: Faults,
        signing_key: &LoadedKey,
        recipient: Option<&LoadedKey>,
        stranger: Option<&LoadedKey>,
    ) -> Result<Self, MintError> {
        use josekit::jws::{HS256, RS256, RS512};
        let has = |fault| faults.has(fault);
        let generated;
        let stranger = match stranger {
            Some(key) => key,
            None if has(Fault::WrongSigner) || has(Fault::WrongRecipient) => {
                generated = LoadedKey::generate(2048).map_err(MintError::Key)?;
                &generated
            }
            None => signing_key,
        };
        let brand_der = signing_key.private_pkcs8_der().map_err(MintError::Key)?;
        let jose = MintError::Jose;
        let signer: Option<Box<dyn JwsSigner>> = if has(Fault::Unsigned) {
            None
        } else if has(Fault::JwsHs256) {
            let mut secret = Zeroizing::new([0u8; 32]);
            getrandom::fill(&mut *secret).map_err(|_| MintError::Random)?;
            Some(Box::new(
                HS256.signer_from_bytes(secret.as_slice()).map_err(jose)?,
            ))
        } else if has(Fault::JwsNone) {
            Some(Box::new(josekit::jwt::None.signer()))
        } else if has(Fault::JwsRs512) {
            Some(Box::new(RS512.signer_from_der(&*brand_der).map_err(jose)?))
        } else if has(Fault::WrongSigner) {
            let der = stranger.private_pkcs8_der().map_err(MintError::Key)?;
            Some(Box::new(RS256.signer_from_der(&*der).map_err(jose)?))
        } else {
            Some(Box::new(RS256.signer_from_der(&*brand_der).map_err(jose)?))
        };
        let inner = match signer {
            None => Inner::Unsigned,
            Some(signer) => Inner::Signed {
                signer,
                reserialised: has(Fault::BadSignature),
            },
        };
        let outer = match recipient {
            None => None,
            Some(_) if has(Fault::PlainJws) => None,
            Some(recipient) => {
                let key = match has(Fault::WrongRecipient) {
                    true => stranger,
                    false => recipient,
                };
                let alg = if has(Fault::JweRsaOaep) {
                    KeyManagement::RsaOaep
                } else if has(Fault::JweRsa1_5) {
                    KeyManagement::Rsa1_5
                } else {
                    KeyManagement::IADVIZE
                };
                let enc = if has(Fault::JweA128Gcm) {
                    ContentEncryption::A128Gcm
                } else if has(Fault::JweA256CbcHs512) {
                    ContentEncryption::A256CbcHs512
                } else {
                    ContentEncryption::IADVIZE
                };
                let spki = key.public_info().map_err(MintError::Key)?.spki_der;
                let encrypter = alg.josekit().encrypter_from_der(&spki).map_err(jose)?;
                Some(Outer {
                    encrypter: Box::new(encrypter),
                    enc,
                    cty: !has(Fault::NoCty),
                    twice: has(Fault::DoubleEncrypted),
                })
            }
        };
        let serialisation = if has(Fault::PaddedBase64) {
            Serialisation::Padded
        } else if has(Fault::JsonSerialized) {
            Serialisation::Json
        } else {
            Serialisation::Compact
        };
        Ok(FaultyMaker {
            faults,
            inner,
            outer,
            serialisation,
        })
    }

    /// The faults it makes.
    pub(super) fn faults(&self) -> &[Fault] {
        self.faults.list()
    }

    /// Checks what the faults need of a user id.
    pub(super) fn check_user_id(&self, id: &str) -> Result<(), FaultError> {
        self.faults.check_user_id(id)
    }

    /// Puts the claims faults into honest claims (see [`Faults::apply_to_claims`]).
    pub(super) fn apply_to_claims(
        &self,
        claims: &mut Map<String, Value>,
        issued_at: i64,
        ttl: i64,
    ) {
        self.faults.apply_to_claims(claims, issued_at, ttl);
    }

    /// The faulty token of these (already faulty) claims.
    pub(super) fn make(&self, claims: &Map<String, Value>) -> Result<String, MintError> {
        let payload = serde_json::to_vec(claims).map_err(MintError::Claims)?;
        let mut token = match &self.outer {
            None => self.sign(claims, &payload, true)?,
            Some(outer) => {
                let content = match &self.inner {
                    Inner::Unsigned => payload,
                    Inner::Signed { .. } => self.sign(claims, &payload, false)?.into_bytes(),
                };
                if outer.twice {
                    let once = self.encrypt(outer, &content, false)?;
                    self.encrypt(outer, once.as_bytes(), true)?
                } else {
                    self.encrypt(outer, &content, true)?
                }
            }
        };
        if self.faults.has(Fault::Truncated) {
            let half = token.chars().count() / 2;
            token = token.chars().take(half).collect();
        }
        if self.faults.has(Fault::Quoted) {
            token = format!("\"{token}\"");
        }
        Ok(token)
    }

    /// The signed token of `payload` (the serialised `claims`); `outermost` when nothing
    /// encrypts it.
    fn sign(
        &self,
        claims: &Map<String, Value>,
        payload: &[u8],
        outermost: bool,
    ) -> Result<String, MintError> {
        let Inner::Signed {
            signer,
            reserialised,
        } = &self.inner
        else {
            return Ok(String::from_utf8_lossy(payload).into_owned());
        };
        let signed: Cow<'_, [u8]> = match reserialised {
            true => Cow::Owned(serde_json::to_vec_pretty(claims).map_err(MintError::Claims)?),
            false => Cow::Borrowed(payload),
        };
        let jose = MintError::Jose;
        match self.serialisation {
            Serialisation::Padded => {
                let header = format!(r#"{{"alg":"{}"}}"#, signer.algorithm().name());
                let (header, sent) = (padded(header.as_bytes()), padded(payload));
                let input = format!("{header}.{}", padded(&signed));
                let signature = signer.sign(input.as_bytes()).map_err(jose)?;
                Ok(format!("{header}.{sent}.{}", padded(&signature)))
            }
            Serialisation::Json if outermost => {
                let mut header = JwsHeaderSet::new();
                header.set_algorithm(signer.algorithm().name(), true);
                let json = josekit::jws::serialize_flattened_json(&signed, &header, &**signer)
                    .map_err(jose)?;
                if !reserialised {
                    return Ok(json);
                }
                let mut object: Map<String, Value> =
                    serde_json::from_str(&json).map_err(MintError::Claims)?;
                object.insert("payload".into(), Value::String(unpadded(payload)));
                serde_json::to_string(&object).map_err(MintError::Claims)
            }
            _ => {
                let jws = josekit::jws::serialize_compact(&signed, &JwsHeader::new(), &**signer)
                    .map_err(jose)?;
                if !reserialised {
                    return Ok(jws);
                }
                // The header and signature as made; the payload part from the bytes sent.
                let mut parts = jws.split('.');
                let header = parts.next().unwrap_or_default();
                let signature = parts.nth(1).unwrap_or_default();
                Ok(format!("{header}.{}.{signature}", unpadded(payload)))
            }
        }
    }

    /// The JWE of `content`; `outermost` when nothing encrypts it again.
    fn encrypt(&self, outer: &Outer, content: &[u8], outermost: bool) -> Result<String, MintError> {
        let jose = MintError::Jose;
        let alg = outer.encrypter.algorithm().name().to_string();
        let enc = outer.enc.name();
        match self.serialisation {
            Serialisation::Padded => self.encrypt_padded(outer, content),
            Serialisation::Json if outermost => {
                let mut header = JweHeaderSet::new();
                header.set_algorithm(alg, true);
                header.set_content_encryption(enc, true);
                if outer.cty {
                    header.set_content_type("JWT", true);
                }
                josekit::jwe::serialize_flattened_json(
                    content,
                    Some(&header),
                    None,
                    None,
                    &*outer.encrypter,
                )
                .map_err(jose)
            }
            _ => josekit::jwe::serialize_compact(content, &jwe_header(outer), &*outer.encrypter)
                .map_err(jose),
        }
    }

    /// A compact JWE with padded parts, made as a hand-rolled encoder makes it: the JOSE
    /// library wraps a fresh content key and encrypts, with the padded header as the AAD.
    fn encrypt_padded(&self, outer: &Outer, content: &[u8]) -> Result<String, MintError> {
        let jose = MintError::Jose;
        let header = jwe_header(outer);
        let cencryption: &dyn JweContentEncryption = outer.enc.josekit();
        let mut key = Zeroizing::new(vec![0u8; cencryption.key_len()]);
        let mut iv = vec![0u8; cencryption.iv_len()];
        getrandom::fill(&mut key).map_err(|_| MintError::Random)?;
        getrandom::fill(&mut iv).map_err(|_| MintError::Random)?;
        let mut out_header = header.clone();
        let wrapped = outer
            .encrypter
            .encrypt(&key, &header, &mut out_header)
            .map_err(jose)?
            .unwrap_or_default();
        let header_json = serde_json::to_vec(header.claims_set()).map_err(MintError::Claims)?;
        let header_b64 = padded(&header_json);
        let (ciphertext, tag) = cencryption
            .encrypt(&key, Some(&iv), content, header_b64.as_bytes())
            .map_err(jose)?;
        Ok(format!(
            "{header_b64}.{}.{}.{}.{}",
            padded(&wrapped),
            padded(&iv),
            padded(&ciphertext),
            padded(&tag.unwrap_or_default())
        ))
    }
}

/// The protected header of the outer JWE, in the documented order.
fn jwe_header(outer: &Outer) -> JweHeader {
    let mut header = JweHeader::new();
    header.set_algorithm(outer.encrypter.algorithm().name());
    header.set_content_encryption(outer.enc.name());
    if outer.cty {
        header.set_content_type("JWT");
    }
    header
}

fn padded(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

fn unpadded(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
