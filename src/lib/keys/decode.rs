//! Decoding key bytes by content: JWK, PEM, bare base64 or DER, in that order of recognition.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use pkcs8::der::{Decode, asn1::ObjectIdentifier};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef, SubjectPublicKeyInfoRef};
use rsa::pkcs1::{RsaPrivateKeyRef, RsaPublicKeyRef};
use zeroize::Zeroizing;

use super::key::{
    Container, Encoding, KeyError, LoadedKey, Material, Passphrase, SourceFormat,
    check_public_numbers, malformed, public_from_pkcs1,
};
use super::{bundle, damage, jwk, legacy_pem, openssh};

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// Decodes one RSA key from `bytes`, recognising its format by content.
///
/// `passphrase` is called only when the key turns out to be encrypted. A JWK Set must hold
/// exactly one key: [`decode_key_by_kid`] chooses among several.
pub fn decode_key(
    bytes: &[u8],
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<LoadedKey, KeyError> {
    decode_key_by_kid(bytes, None, passphrase)
}

/// As [`decode_key`]; with `kid`, the input must be a JWK Set (or one JWK) and the key
/// whose `kid` member it is is read. Without it, a JWK Set of several keys is refused with
/// the list of their kids.
pub fn decode_key_by_kid(
    bytes: &[u8],
    kid: Option<&str>,
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<LoadedKey, KeyError> {
    // A byte-order mark, as some Windows editors write before text.
    let text = bytes.trim_ascii();
    let text = text.strip_prefix(UTF8_BOM).unwrap_or(text).trim_ascii();
    if text.is_empty() {
        return Err(KeyError::Empty);
    }
    match (text[0], kid) {
        (b'{' | b'[', _) => return jwk::decode_jwk(text, kid),
        (_, Some(kid)) => {
            return Err(KeyError::KidNotApplicable {
                kid: kid.to_string(),
            });
        }
        _ => {}
    }
    if let Some(start) = find(text, b"-----BEGIN ") {
        return decode_pem(&text[start..], line_of(bytes, &text[start..]), passphrase);
    }
    if let Some(start) = find(text, openssh::SSH2_BEGIN) {
        return openssh::decode_ssh2_block(&text[start..]);
    }
    if let Some(key) = openssh::decode_line(text) {
        return key;
    }
    if text
        .iter()
        .all(|b| is_base64_char(*b) || b.is_ascii_whitespace())
    {
        let compact: Zeroizing<Vec<u8>> = Zeroizing::new(
            text.iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect(),
        );
        let alphabet = if compact.iter().any(|b| matches!(b, b'-' | b'_')) {
            &base64::alphabet::URL_SAFE
        } else {
            &base64::alphabet::STANDARD
        };
        let der = GeneralPurpose::new(alphabet, PADDING_OPTIONAL)
            .decode(&compact[..])
            .map(Zeroizing::new)
            .map_err(|_| KeyError::Unrecognised {
                found: "text that is not valid base64".into(),
            })?;
        return decode_der(&der, None, Encoding::Base64, passphrase);
    }
    if std::str::from_utf8(text).is_ok() && !bytes.starts_with(&[0x30]) {
        return Err(KeyError::Unrecognised {
            found: "text that is neither PEM, base64 nor JSON".into(),
        });
    }
    decode_der(bytes, None, Encoding::Der, passphrase)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bare base64 lines come padded or not, in the standard or the URL-safe alphabet.
const PADDING_OPTIONAL: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The line of `bytes` (counted from 1) on which `part`, a slice of it, starts.
fn line_of(bytes: &[u8], part: &[u8]) -> usize {
    let offset = part.as_ptr().addr().saturating_sub(bytes.as_ptr().addr());
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|b| **b == b'\n').count() + 1
}

/// The key of the first PEM block of `pem`, whose BEGIN line is line `first_line` of the input;
/// refused when a later block holds another key. A passphrase is asked for once.
fn decode_pem(
    pem: &[u8],
    first_line: usize,
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<LoadedKey, KeyError> {
    let mut remembered = bundle::Remembered::new(passphrase);
    let key = decode_pem_block(pem, first_line, &mut || remembered.get())?;
    let rest = find(pem, b"-----END ").map_or(&[][..], |at| &pem[at + 1..]);
    bundle::refuse_other_keys(
        rest,
        &key,
        first_line,
        |part| first_line + line_of(pem, part) - 1,
        |block| decode_key(block, &mut || remembered.get()),
    )?;
    Ok(key)
}

/// The key of the first PEM block of `pem`, whose BEGIN line is line `first_line` of the input.
fn decode_pem_block(
    pem: &[u8],
    first_line: usize,
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<LoadedKey, KeyError> {
    let label = pem_label(pem)?;
    if label == "CERTIFICATE" {
        return super::certificate::decode(&pem_body(pem_block(pem, &label)?)?, Encoding::Pem);
    }
    let container = match label.as_str() {
        "PRIVATE KEY" => Container::Pkcs8,
        "ENCRYPTED PRIVATE KEY" => Container::EncryptedPkcs8,
        "RSA PRIVATE KEY" | "RSA PUBLIC KEY" => Container::Pkcs1,
        "PUBLIC KEY" => Container::Spki,
        other => return Err(unsupported_pem_label(other)),
    };
    // The first block is read: text before it (openssl's "Bag Attributes") is ignored, and
    // further blocks are judged by `decode_pem`.
    let end_marker = format!("-----END {label}-----");
    let end = find(pem, end_marker.as_bytes())
        .map(|at| at + end_marker.len())
        .ok_or_else(|| KeyError::Malformed {
            format: "PEM",
            detail: format!("no '{end_marker}' line"),
        })?;
    let block = &pem[..end];
    if find(block, b"Proc-Type:").is_some() {
        let der = legacy_pem::decrypt(block, first_line, &label, passphrase)?;
        let material = decode_pkcs1_private(&der)?;
        return Ok(LoadedKey::new(SourceFormat::LegacyEncryptedPem, material));
    }
    let der = pem_body(&block[..end - end_marker.len()])?;
    let key = decode_der(&der, Some(container), Encoding::Pem, passphrase)?;
    if label == "RSA PUBLIC KEY" && key.kind() != super::KeyKind::Public
        || label == "RSA PRIVATE KEY" && key.kind() != super::KeyKind::Private
    {
        return Err(KeyError::Malformed {
            format: "PKCS#1 PEM",
            detail: format!("the content does not match the label '{label}'"),
        });
    }
    Ok(key)
}

/// The first PEM block labelled `label` of `pem` (which starts with its BEGIN line), up to
/// the start of its END line: what [`pem_body`] decodes.
fn pem_block<'a>(pem: &'a [u8], label: &str) -> Result<&'a [u8], KeyError> {
    let end_marker = format!("-----END {label}-----");
    find(pem, end_marker.as_bytes())
        .map(|at| &pem[..at])
        .ok_or_else(|| KeyError::Malformed {
            format: "PEM",
            detail: format!("no '{end_marker}' line"),
        })
}

/// The DER of a PEM block, from its BEGIN line to the start of its END line. The base64 may
/// be wrapped at any width or not at all, as OpenSSL and Python read it.
fn pem_body(block: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let body = block
        .iter()
        .position(|b| matches!(b, b'\n' | b'\r'))
        .map_or(&[][..], |at| &block[at + 1..]);
    let compact: Zeroizing<Vec<u8>> = Zeroizing::new(
        body.iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    base64::engine::general_purpose::STANDARD
        .decode(&compact[..])
        .map(Zeroizing::new)
        .map_err(|_| KeyError::Malformed {
            format: "PEM",
            detail: "the text between the BEGIN and END lines is not valid base64".into(),
        })
}

fn pem_label(pem: &[u8]) -> Result<String, KeyError> {
    let line_end = pem
        .iter()
        .position(|b| *b == b'\n' || *b == b'\r')
        .unwrap_or(pem.len());
    let line = String::from_utf8_lossy(&pem[..line_end]);
    line.trim_end()
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.strip_suffix("-----"))
        .map(str::to_string)
        .ok_or_else(|| KeyError::Malformed {
            format: "PEM",
            detail: "the BEGIN line is damaged".into(),
        })
}

fn unsupported_pem_label(label: &str) -> KeyError {
    let not_rsa = |found: &str| KeyError::NotRsa {
        found: found.into(),
    };
    match label {
        "EC PRIVATE KEY" => not_rsa("an EC private key (SEC1)"),
        "EC PARAMETERS" => not_rsa("EC parameters"),
        "DSA PRIVATE KEY" => not_rsa("a DSA private key"),
        "OPENSSH PRIVATE KEY" => KeyError::Unsupported {
            found: "an OpenSSH private key".into(),
            hint: "convert a copy to PKCS#8 with `ssh-keygen -p -m PKCS8 -f COPY`".into(),
        },
        "TRUSTED CERTIFICATE" => KeyError::Unsupported {
            found: "an OpenSSL trusted certificate".into(),
            hint: "extract its public key with `openssl x509 -pubkey -noout -in CERT.pem`".into(),
        },
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => KeyError::Unsupported {
            found: "a certificate signing request".into(),
            hint:
                "iAdvize needs the RSA key itself, e.g. public-key.pem from `iadvize-auth keygen`"
                    .into(),
        },
        other => KeyError::Unsupported {
            found: format!("a PEM block labelled '{other}'"),
            hint: "expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, \
                   RSA PUBLIC KEY or PUBLIC KEY"
                .into(),
        },
    }
}

fn decode_der(
    der: &[u8],
    container: Option<Container>,
    encoding: Encoding,
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<LoadedKey, KeyError> {
    let container = match container {
        Some(known) => known,
        None => match sniff_container(der) {
            Some(container) => container,
            None => {
                return Err(match (other_der_kind(der), encoding) {
                    (Some("CERTIFICATE"), _) => return super::certificate::decode(der, encoding),
                    (Some(label), _) => unsupported_pem_label(label),
                    (None, Encoding::Base64) => KeyError::Unrecognised {
                        found: "base64 of something that is not a key".into(),
                    },
                    (None, _) => KeyError::Unrecognised {
                        found: "binary data that is not a DER key".into(),
                    },
                });
            }
        },
    };
    let (material, pss) = match container {
        Container::Pkcs8 => decode_pkcs8(der)?,
        Container::EncryptedPkcs8 => {
            let info = encrypted_info(der)?;
            check_kdf(&info.encryption_algorithm)?;
            let pass = passphrase()?;
            let plain = damage::open_pkcs8(&info, pass.expose())?;
            decode_pkcs8(&plain)?
        }
        Container::Pkcs1 => {
            if RsaPrivateKeyRef::from_der(der).is_ok() {
                (decode_pkcs1_private(der)?, false)
            } else {
                let public = RsaPublicKeyRef::from_der(der).map_err(|e| malformed("PKCS#1", e))?;
                (Material::Public(public_from_pkcs1(public)?), false)
            }
        }
        Container::Spki => decode_spki(der)?,
    };
    let mut key = LoadedKey::new(SourceFormat::Encoded(container, encoding), material);
    if pss {
        key.push_warning(
            "this is an RSASSA-PSS key: its public half is shown as a plain rsaEncryption key, \
             so its SHA-256 fingerprint differs from one computed over this file by other tools; \
             iAdvize's openssl recipe makes plain RSA keys"
                .into(),
        );
    }
    Ok(key)
}

/// What a DER structure that is not an RSA key container is, named by its PEM label (so that
/// DER and PEM get the same message), when OpenSSL recognises it.
fn other_der_kind(der: &[u8]) -> Option<&'static str> {
    use openssl::pkey::{Id, PKey};
    use openssl::x509;
    if let Ok(key) = PKey::private_key_from_der(der) {
        match key.id() {
            Id::EC => Some("EC PRIVATE KEY"),
            Id::DSA => Some("DSA PRIVATE KEY"),
            _ => None,
        }
    } else if x509::X509::from_der(der).is_ok() {
        Some("CERTIFICATE")
    } else if x509::X509Req::from_der(der).is_ok() {
        Some("CERTIFICATE REQUEST")
    } else {
        None
    }
}

fn sniff_container(der: &[u8]) -> Option<Container> {
    if PrivateKeyInfoRef::from_der(der).is_ok() {
        Some(Container::Pkcs8)
    } else if encrypted_info(der).is_ok() || encryption_oid(der).is_some() {
        Some(Container::EncryptedPkcs8)
    } else if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        Some(Container::Spki)
    } else if RsaPrivateKeyRef::from_der(der).is_ok() || RsaPublicKeyRef::from_der(der).is_ok() {
        Some(Container::Pkcs1)
    } else {
        None
    }
}

/// An EncryptedPrivateKeyInfo, read only once its PBES2 cipher's IV is known to be one the
/// `pkcs5` crate can read: version 0.8.1 takes the first 8 bytes of a DES or 3DES IV without
/// checking its length, and panics on a shorter one.
fn encrypted_info(der: &[u8]) -> Result<EncryptedPrivateKeyInfoRef<'_>, KeyError> {
    if let Some(length) = des_iv_length(der).filter(|length| *length != 8) {
        return Err(KeyError::Malformed {
            format: "encrypted PKCS#8",
            detail: format!("its DES or 3DES IV is {length} bytes, and those ciphers take 8"),
        });
    }
    EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| match encryption_oid(der) {
        Some(oid) => unsupported_encryption(oid),
        None => malformed("encrypted PKCS#8", e),
    })
}

/// The IV length of a PBES2 key encrypted with DES or 3DES
/// (`SEQUENCE { SEQUENCE { pbes2, SEQUENCE { kdf, SEQUENCE { cipher, OCTET STRING iv } } },
/// OCTET STRING }`); `None` for anything else.
fn des_iv_length(der: &[u8]) -> Option<usize> {
    use pkcs8::der::{Reader, SliceReader, asn1::OctetStringRef};
    use pkcs8::spki::AlgorithmIdentifierRef;
    const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
    const DES_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.7");
    const DES_EDE3_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
    let mut reader = SliceReader::new(der).ok()?;
    let algorithm = reader
        .sequence(|r| {
            let algorithm: AlgorithmIdentifierRef<'_> = r.decode()?;
            let _data: &OctetStringRef = r.decode()?;
            Ok::<_, pkcs8::der::Error>(algorithm)
        })
        .ok()?;
    if algorithm.oid != PBES2 {
        return None;
    }
    let cipher = algorithm
        .parameters?
        .sequence(|r| {
            let _kdf: AlgorithmIdentifierRef<'_> = r.decode()?;
            r.decode::<AlgorithmIdentifierRef<'_>>()
        })
        .ok()?;
    if cipher.oid != DES_CBC && cipher.oid != DES_EDE3_CBC {
        return None;
    }
    let iv = cipher.parameters?.decode_as::<&OctetStringRef>().ok()?;
    Some(iv.as_bytes().len())
}

/// The encryption algorithm of something shaped like an EncryptedPrivateKeyInfo
/// (`SEQUENCE { AlgorithmIdentifier, OCTET STRING }`) whose parameters the pkcs5 crate cannot
/// read: the legacy PBES1 and PKCS#12 schemes, or a PBES2 cipher it does not implement.
fn encryption_oid(der: &[u8]) -> Option<ObjectIdentifier> {
    use pkcs8::der::{Reader, SliceReader, asn1::OctetStringRef};
    let mut reader = SliceReader::new(der).ok()?;
    let oid = reader
        .sequence(|r| {
            let algorithm: pkcs8::spki::AlgorithmIdentifierRef<'_> = r.decode()?;
            let _data: &OctetStringRef = r.decode()?;
            Ok::<_, pkcs8::der::Error>(algorithm.oid)
        })
        .ok()?;
    reader.finish().ok()?;
    let oid_text = oid.to_string();
    let encryption = oid_text.starts_with("1.2.840.113549.1.5.")
        || oid_text.starts_with("1.2.840.113549.1.12.1.");
    encryption.then_some(oid)
}

fn unsupported_encryption(oid: ObjectIdentifier) -> KeyError {
    let scheme = match oid.to_string().as_str() {
        "1.2.840.113549.1.5.13" => "a PBES2 cipher or key derivation this tool does not implement",
        id if id.starts_with("1.2.840.113549.1.12.1.") => {
            "the legacy PKCS#12 scheme (as `openssl pkcs8 -v1` or old Java tools write it)"
        }
        _ => "the legacy PBES1 scheme (DES or RC2 with MD5 or SHA-1)",
    };
    KeyError::Unsupported {
        found: format!("an encrypted PKCS#8 key that uses {scheme} (OID {oid})"),
        hint: "re-encrypt it with AES: \
               `openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD.pem -out private-key.pem`"
            .into(),
    }
}

/// Most PBKDF2 rounds this tool computes: OpenSSL writes 2,048 and OWASP recommends 600,000.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// Most memory scrypt may take, counted as 128 · r · N · p bytes (as if its p lanes ran at
/// once). OpenSSL writes N = 2^14, r = 8 (16 MiB) and reads at most 32 MiB; the `pkcs8` crate
/// wrote N = 2^17, r = 8 (128 MiB) before its version 0.11, and this tool writes 16 MiB.
const MAX_SCRYPT_MEMORY: u64 = 128 << 20;

/// The key-derivation parameters are read from the file itself: every one is checked before
/// the passphrase is asked for and the `pkcs5` crate derives anything, so that a crafted key
/// can neither crash the tool nor make it compute for hours or allocate gigabytes.
fn check_kdf(scheme: &pkcs8::pkcs5::EncryptionScheme) -> Result<(), KeyError> {
    use pkcs8::pkcs5::pbes2::Kdf;
    // PBES1 keys stop at the `pkcs5` crate, which does not decrypt them.
    let Some(params) = scheme.pbes2() else {
        return Ok(());
    };
    let refuse = |asked: String, limit: &str| KeyError::Unsupported {
        found: format!(
            "an encrypted PKCS#8 key whose passphrase derivation asks for {asked} ({limit})"
        ),
        hint: "if the key is yours, re-encrypt it with \
               `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW`"
            .into(),
    };
    let (asked, key_length) = match &params.kdf {
        Kdf::Pbkdf2(pbkdf2) => {
            let iterations = pbkdf2.iteration_count;
            let asked = format!("{iterations} PBKDF2 iterations");
            if iterations == 0 {
                return Err(refuse(asked, "PBKDF2 needs at least 1"));
            }
            if iterations > MAX_PBKDF2_ITERATIONS {
                let limit = format!("this tool computes at most {MAX_PBKDF2_ITERATIONS}");
                return Err(refuse(asked, &limit));
            }
            (asked, pbkdf2.key_length)
        }
        Kdf::Scrypt(scrypt) => {
            let (n, r, p) = (
                scrypt.cost_parameter,
                u64::from(scrypt.block_size),
                u64::from(scrypt.parallelization),
            );
            let asked = format!("scrypt N={n}, r={r}, p={p}");
            if n < 2 || !n.is_power_of_two() {
                return Err(refuse(asked, "N must be a power of two of at least 2"));
            }
            if r == 0 || p == 0 {
                return Err(refuse(asked, "r and p must be at least 1"));
            }
            let memory = u128::from(n) * u128::from(r) * u128::from(p) * 128;
            if memory > u128::from(MAX_SCRYPT_MEMORY) {
                let limit = format!(
                    "{} MiB of memory, counted as 128·r·N·p; this tool computes at most {} MiB",
                    memory >> 20,
                    MAX_SCRYPT_MEMORY >> 20
                );
                return Err(refuse(asked, &limit));
            }
            (asked, scrypt.key_length)
        }
        // A derivation a later `pkcs5` adds: unchecked, so not run.
        _ => {
            return Err(refuse(
                "a derivation other than PBKDF2 or scrypt".into(),
                "this tool reads those two",
            ));
        }
    };
    let key_size = params.encryption.key_size();
    match key_length {
        Some(length) if usize::from(length) != key_size => Err(refuse(
            format!("{asked} and a key of {length} bytes"),
            &format!("its cipher takes a key of {key_size} bytes"),
        )),
        _ => Ok(()),
    }
}

fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.10045.2.1" => "an EC key".into(),
        "1.3.101.112" => "an Ed25519 key".into(),
        "1.3.101.113" => "an Ed448 key".into(),
        "1.3.101.110" => "an X25519 key".into(),
        "1.3.101.111" => "an X448 key".into(),
        "1.2.840.10040.4.1" => "a DSA key".into(),
        "1.2.840.113549.1.3.1" => "a Diffie-Hellman key".into(),
        other => format!("a key with algorithm OID {other}"),
    }
}

/// Accepts rsaEncryption and RSASSA-PSS keys; true for RSASSA-PSS.
fn check_rsa_oid(oid: ObjectIdentifier) -> Result<bool, KeyError> {
    if oid == OID_RSA || oid == OID_RSA_PSS {
        Ok(oid == OID_RSA_PSS)
    } else {
        Err(KeyError::NotRsa {
            found: algorithm_name(oid),
        })
    }
}

/// The key, and whether it is an RSASSA-PSS key.
fn decode_pkcs8(der: &[u8]) -> Result<(Material, bool), KeyError> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| malformed("PKCS#8", e))?;
    let pss = check_rsa_oid(info.algorithm.oid)?;
    Ok((decode_pkcs1_private(info.private_key.as_bytes())?, pss))
}

fn decode_pkcs1_private(der: &[u8]) -> Result<Material, KeyError> {
    let pkcs1 = RsaPrivateKeyRef::from_der(der).map_err(|e| malformed("RSA private key", e))?;
    check_public_numbers(pkcs1.modulus.as_bytes(), pkcs1.public_exponent.as_bytes())?;
    let key = rsa::PrivateKey::try_from(pkcs1).map_err(|e| malformed("RSA private key", e))?;
    Ok(Material::Private(Box::new(key)))
}

/// The key, and whether it is an RSASSA-PSS key.
pub(super) fn decode_spki(der: &[u8]) -> Result<(Material, bool), KeyError> {
    let info = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| malformed("public key", e))?;
    let pss = check_rsa_oid(info.algorithm.oid)?;
    let raw = info
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| malformed("public key", "the key bits are not whole bytes"))?;
    let public = RsaPublicKeyRef::from_der(raw).map_err(|e| malformed("RSA public key", e))?;
    Ok((Material::Public(public_from_pkcs1(public)?), pss))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::IADVIZE_PRODUCTION_KEY_BASE64;

    fn no_pass() -> Result<Passphrase, KeyError> {
        Err(KeyError::Passphrase("no passphrase in this test".into()))
    }

    #[test]
    fn empty_and_whitespace_are_empty() {
        assert!(matches!(
            decode_key(b"", &mut no_pass),
            Err(KeyError::Empty)
        ));
        assert!(matches!(
            decode_key(b" \n\t ", &mut no_pass),
            Err(KeyError::Empty)
        ));
    }

    #[test]
    fn plain_text_is_not_a_key() {
        let err = decode_key(b"hello world, this is not a key", &mut no_pass).unwrap_err();
        assert!(matches!(err, KeyError::Unrecognised { .. }), "{err}");
    }

    #[test]
    fn builtin_base64_line_reads_as_spki_base64() {
        let key = decode_key(IADVIZE_PRODUCTION_KEY_BASE64.as_bytes(), &mut no_pass).unwrap();
        assert_eq!(key.format().name(), "spki-base64");
        // Wrapped over several lines, as in an e-mail.
        let wrapped: String = IADVIZE_PRODUCTION_KEY_BASE64
            .as_bytes()
            .chunks(64)
            .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        let again = decode_key(wrapped.as_bytes(), &mut no_pass).unwrap();
        assert_eq!(
            again.public_info().unwrap(),
            key.public_info().unwrap(),
            "same key"
        );
    }
}
