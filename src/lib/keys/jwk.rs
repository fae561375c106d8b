//! RSA JSON Web Keys (RFC 7517/7518), public or private.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rsa::BoxedUint;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::key::{KeyError, LoadedKey, Material, SourceFormat, check_public_numbers};

/// base64url as JWKs use it; padding tolerated because some tools write it.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// One RSA JWK, or the key of a JWK Set: the only one, or the one whose `kid` is `kid`.
pub(super) fn decode_jwk(text: &[u8], kid: Option<&str>) -> Result<LoadedKey, KeyError> {
    let value: Value =
        serde_json::from_slice(text).map_err(|e| KeyError::Jwk(format!("not valid JSON ({e})")))?;
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(KeyError::Jwk(
                "a JSON array, not a JWK object; pass the one key object".into(),
            ));
        }
        _ => return Err(KeyError::Jwk("JSON that is not an object".into())),
    };
    let object = match object.get("keys") {
        Some(Value::Array(keys)) => match &keys[choose(keys, kid)?] {
            Value::Object(chosen) => chosen.clone(),
            _ => return Err(KeyError::Jwk("the JWK Set's key is not an object".into())),
        },
        _ => match kid {
            Some(kid) if kid_of(&object) != Some(kid) => {
                return Err(KeyError::KidNotFound {
                    kid: kid.to_string(),
                    kids: vec![kid_of(&object).map(str::to_string)],
                });
            }
            _ => object,
        },
    };
    decode_rsa_jwk(&object)
}

fn kid_of(key: &Map<String, Value>) -> Option<&str> {
    key.get("kid").and_then(Value::as_str)
}

/// The index of the key to read in a JWK Set's `keys`.
fn choose(keys: &[Value], kid: Option<&str>) -> Result<usize, KeyError> {
    let kids: Vec<Option<&str>> = keys
        .iter()
        .map(|key| key.as_object().and_then(kid_of))
        .collect();
    let owned = || kids.iter().map(|k| k.map(str::to_string)).collect();
    match (kid, keys.len()) {
        (_, 0) => Err(KeyError::Jwk("the JWK Set holds no keys".into())),
        (None, 1) => Ok(0),
        (None, count) => Err(KeyError::KidNeeded {
            count,
            kids: owned(),
        }),
        (Some(kid), _) => {
            let matching: Vec<usize> = (0..kids.len())
                .filter(|at| kids[*at] == Some(kid))
                .collect();
            match matching[..] {
                [only] => Ok(only),
                [] => Err(KeyError::KidNotFound {
                    kid: kid.to_string(),
                    kids: owned(),
                }),
                _ => Err(KeyError::KidAmbiguous {
                    kid: kid.to_string(),
                    count: matching.len(),
                }),
            }
        }
    }
}

fn decode_rsa_jwk(object: &Map<String, Value>) -> Result<LoadedKey, KeyError> {
    let kty = match object.get("kty") {
        Some(Value::String(kty)) => kty.as_str(),
        Some(_) => return Err(KeyError::Jwk("member \"kty\" is not a string".into())),
        None => return Err(KeyError::Jwk("member \"kty\" is missing".into())),
    };
    match kty {
        "RSA" => {}
        "EC" => return Err(not_rsa("an EC JWK")),
        "OKP" => return Err(not_rsa("an OKP JWK (Ed25519, X25519 …)")),
        "oct" => return Err(not_rsa("a symmetric (oct) JWK")),
        other => {
            return Err(not_rsa(&format!("a JWK of type {other:?}")));
        }
    }
    let n = member(object, "n")?;
    let e = member(object, "e")?;
    check_public_numbers(&n, &e)?;
    // As the PKCS#1 decoder does: every secret component gets the modulus's precision.
    let width = n.len() * 8;
    let n_uint = uint(&n, width, "n")?;
    let e_uint = uint(&e, e.len() * 8, "e")?;
    let material = if object.contains_key("d") {
        let d = Zeroizing::new(member(object, "d")?);
        let mut primes = Vec::new();
        for name in ["p", "q"] {
            if object.contains_key(name) {
                let prime = Zeroizing::new(member(object, name)?);
                primes.push(uint(&prime, width, name)?);
            }
        }
        if primes.len() == 1 {
            return Err(KeyError::Jwk(
                "has one of \"p\" and \"q\" but not the other".into(),
            ));
        }
        let key = rsa::PrivateKey::from_components(n_uint, e_uint, uint(&d, width, "d")?, primes)
            .map_err(|err| {
            KeyError::Jwk(format!("inconsistent private key members ({err})"))
        })?;
        Material::Private(Box::new(key))
    } else {
        let key = rsa::PublicKey::new(n_uint, e_uint)
            .map_err(|err| KeyError::Jwk(format!("invalid public key ({err})")))?;
        Material::Public(key)
    };
    Ok(LoadedKey::new(SourceFormat::Jwk, material))
}

fn not_rsa(found: &str) -> KeyError {
    KeyError::NotRsa {
        found: found.into(),
    }
}

fn member(object: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    let value = match object.get(name) {
        Some(Value::String(value)) => value,
        Some(_) => return Err(KeyError::Jwk(format!("member {name:?} is not a string"))),
        None => return Err(KeyError::Jwk(format!("member {name:?} is missing"))),
    };
    let bytes = B64URL
        .decode(value)
        .map_err(|_| KeyError::Jwk(format!("member {name:?} is not base64url")))?;
    if bytes.is_empty() {
        return Err(KeyError::Jwk(format!("member {name:?} is empty")));
    }
    // RFC 7518 §2 and §6.3.1.1: the shortest encoding (zero itself is one zero byte).
    // Refused before any arithmetic, so that a number padded with zeros cannot make it costly.
    let zeros = bytes
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(bytes.len() - 1);
    if zeros > 0 {
        return Err(KeyError::Jwk(format!(
            "member {name:?} starts with {zeros} zero byte{}, and RFC 7518 requires the \
             shortest encoding of each number; export the key again, or give it as PEM",
            if zeros == 1 { "" } else { "s" }
        )));
    }
    Ok(bytes)
}

fn uint(be: &[u8], precision_bits: usize, name: &str) -> Result<BoxedUint, KeyError> {
    let precision = u32::try_from(precision_bits)
        .map_err(|_| KeyError::Jwk(format!("member {name:?} is too large")))?;
    BoxedUint::from_be_slice(be, precision)
        .map_err(|_| KeyError::Jwk(format!("member {name:?} is not a valid integer")))
}
