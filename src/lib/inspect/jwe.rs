//! The second layer: the outer encrypted token. Its header checks (`jwe.*`), then opening it
//! in two steps (unwrap the content key, then decrypt the content), so that a wrong key and
//! altered content get different diagnoses.
//!
//! iAdvize opens tokens with Nimbus JOSE+JWT (9.x to 11.x): `JWEObject.parse` then
//! `RSADecrypter`. Read from that library's source: it refuses an unknown `alg` (such as the
//! literal `RSA_OAEP_256`), any `crit`, a protected header over 20,000 characters or with a
//! top-level member twice, a GCM tag under 16 bytes, an empty IV or a CBC IV that is not 16
//! bytes, an RSA-OAEP-256 key wrapped with MGF1-SHA-1, a `zip` other than `DEF` or content
//! that does not inflate. It lets through, although iAdvize documents otherwise, `RSA-OAEP`
//! and `RSA1_5`, any content encryption, and GCM IVs that are not 12 bytes.

use std::io::Read as _;

use josekit::jwe::{JweDecrypter as _, JweHeader};
use serde_json::Value;
use zeroize::Zeroizing;

use super::check::Checks;
use super::compact::ParsedJwe;
use super::header::{DAMAGE_HINT, Header};
use super::options::{InspectError, MAX_INPUT_BYTES, Options};
use super::report::JweView;
use super::report::Opening;
use crate::alg::{ContentEncryption, KeyManagement};
use crate::keys::LoadedKey;
use crate::verdict::{CheckId, JavaStack, Layer, NeededKey};

/// What an RSA-OAEP-256 key wrapped with MGF1-SHA-1 is, and its fix.
const MGF1_SHA1_PROBLEM: &str = "the content key was wrapped with RSA-OAEP using SHA-256 but \
     MGF1 with SHA-1 (Java's default for OAEPWithSHA-256AndMGF1Padding), not the MGF1-SHA-256 \
     that RSA-OAEP-256 means";
const MGF1_SHA1_HINT: &str = "use a JOSE library's RSA-OAEP-256, or in plain Java an \
     OAEPParameterSpec with MGF1ParameterSpec.SHA256";
const CTY_HINT: &str = "set cty to JWT: the content is a signed JWT (RFC 7519 §5.2)";

/// What can be seen of the JWE without its key.
pub(super) fn view(jwe: &ParsedJwe) -> JweView {
    JweView {
        header: Value::Object(jwe.header.members.clone()),
        encrypted_key_bytes: jwe.encrypted_key.len(),
        iv_bytes: jwe.iv.len(),
        tag_bytes: jwe.tag.len(),
        ciphertext_bytes: jwe.ciphertext.len(),
    }
}

/// The header checks, which need no key.
pub(super) fn check_header(jwe: &ParsedJwe, checks: &mut Checks) {
    let header = &jwe.header;
    match header.too_long("alg, enc and cty") {
        Some((problem, hint)) => {
            checks.fail(CheckId::JweHeaderSize, problem, hint, JavaStack::Rejects);
        }
        None => checks.pass(
            CheckId::JweHeaderSize,
            format!("the protected header is {} characters long", header.chars),
        ),
    }
    if let Some(alg) = header.alg(
        CheckId::JweAlg,
        "JWE",
        KeyManagement::IADVIZE.name(),
        checks,
    ) {
        check_alg(alg, header.damage.as_deref(), checks);
    }
    check_enc(header, checks);
    match header.members.get("cty") {
        Some(Value::String(cty)) if cty.eq_ignore_ascii_case("JWT") => {
            checks.pass(CheckId::JweCty, "cty is JWT: a nested signed token");
        }
        Some(Value::String(cty)) => checks.warn(
            CheckId::JweCty,
            format!("cty is {cty:?}, not JWT"),
            CTY_HINT,
            JavaStack::Accepts,
        ),
        // Nimbus reads cty as a string while parsing the header, and refuses anything else.
        Some(other) if !other.is_null() => checks.fail(
            CheckId::JweCty,
            format!("cty is {other}, not a string"),
            "set cty to \"JWT\": the content is a signed JWT (RFC 7519 §5.2)",
            JavaStack::Rejects,
        ),
        // Nimbus takes a null cty as none.
        _ => checks.warn(
            CheckId::JweCty,
            "no cty header",
            CTY_HINT,
            JavaStack::Accepts,
        ),
    }
    header.check_crit(CheckId::JweCrit, &[], checks);
    check_iv_and_tag(jwe, checks);
}

fn check_alg(alg: &str, damage: Option<&str>, checks: &mut Checks) {
    let id = CheckId::JweAlg;
    let hint = "use RSA-OAEP-256 (JWEAlgorithm.RSA_OAEP_256), as iAdvize documents";
    match (alg, KeyManagement::from_name(alg)) {
        (_, Some(KeyManagement::IADVIZE)) => checks.pass(id, "alg is RSA-OAEP-256"),
        ("RSA_OAEP_256", _) => checks.fail(
            id,
            "alg is \"RSA_OAEP_256\": that is the Java constant's name, not the header value",
            "the header value is written with hyphens: RSA-OAEP-256 (in Java, \
             JWEAlgorithm.RSA_OAEP_256 writes it)",
            JavaStack::Rejects,
        ),
        (_, Some(KeyManagement::RsaOaep)) => checks.fail(
            id,
            "alg is RSA-OAEP (OAEP with SHA-1), not RSA-OAEP-256",
            "use RSA-OAEP-256 (JWEAlgorithm.RSA_OAEP_256): iAdvize documents it and may stop \
             accepting SHA-1",
            JavaStack::Accepts,
        ),
        (_, Some(KeyManagement::Rsa1_5)) => checks.fail(
            id,
            "alg is RSA1_5 (PKCS#1 v1.5 padding, deprecated), not RSA-OAEP-256",
            hint,
            JavaStack::Accepts,
        ),
        (_, Some(other)) => checks.fail(
            id,
            format!("alg is {}, not RSA-OAEP-256", other.name()),
            hint,
            JavaStack::Accepts,
        ),
        (other, None) if let Some(damage) = damage => checks.fail(
            id,
            format!("alg is {other:?}: {damage}"),
            DAMAGE_HINT,
            JavaStack::Rejects,
        ),
        (other, None) => checks.fail(
            id,
            format!(
                "alg is {other:?}: iAdvize decrypts with its RSA key, so only RSA key \
                 management works"
            ),
            "set alg to RSA-OAEP-256 and encrypt to iAdvize's RSA public key",
            JavaStack::Rejects,
        ),
    }
}

fn check_enc(header: &Header, checks: &mut Checks) {
    let id = CheckId::JweEnc;
    let enc = match header.members.get("enc") {
        Some(Value::String(enc)) => enc,
        Some(other) => {
            let message = format!("enc is {other}, not a string");
            return checks.fail(id, message, "set enc to \"A256GCM\"", JavaStack::Rejects);
        }
        None => {
            let (message, hint) = header.missing("enc", "JWE", "A256GCM");
            return checks.fail(id, message, hint, JavaStack::Rejects);
        }
    };
    match ContentEncryption::from_name(enc) {
        Some(ContentEncryption::IADVIZE) => checks.pass(id, "enc is A256GCM"),
        Some(other) => checks.fail(
            id,
            format!("enc is {}, not A256GCM", other.name()),
            "use A256GCM (EncryptionMethod.A256GCM), as iAdvize documents",
            JavaStack::Accepts,
        ),
        None if let Some(damage) = &header.damage => checks.fail(
            id,
            format!("enc is {enc:?}: {damage}"),
            DAMAGE_HINT,
            JavaStack::Rejects,
        ),
        None => checks.fail(
            id,
            format!("enc is {enc:?}, which is not a JWE content encryption"),
            "set enc to A256GCM",
            JavaStack::Rejects,
        ),
    }
}

/// IV and tag lengths for the header's content encryption.
fn check_iv_and_tag(jwe: &ParsedJwe, checks: &mut Checks) {
    let Some(enc) = jwe.header.str("enc").and_then(ContentEncryption::from_name) else {
        let reason = "no known enc to check against";
        checks.skip(CheckId::JweIv, reason);
        checks.skip(CheckId::JweTag, reason);
        return;
    };
    let (iv, tag) = (jwe.iv.len(), jwe.tag.len());
    let (iv_len, tag_len, name) = (enc.iv_bytes(), enc.tag_bytes(), enc.name());
    let iv_hint = format!("use a random {iv_len}-byte IV, as JOSE libraries do");
    if iv == iv_len {
        checks.pass(CheckId::JweIv, format!("the IV is {iv} bytes"));
    } else if !enc.iv_is_usable(iv) {
        checks.fail(
            CheckId::JweIv,
            format!("the IV is {iv} bytes; {name} needs {iv_len}: the content cannot be decrypted"),
            iv_hint,
            JavaStack::Rejects,
        );
    } else {
        checks.warn(
            CheckId::JweIv,
            format!("the IV is {iv} bytes; {name} uses {iv_len}"),
            iv_hint,
            JavaStack::Accepts,
        );
    }
    if tag == tag_len {
        checks.pass(
            CheckId::JweTag,
            format!("the authentication tag is {tag} bytes"),
        );
    } else if tag < tag_len {
        // JOSE libraries never shorten the tag; copies of the token do.
        checks.fail(
            CheckId::JweTag,
            format!(
                "the authentication tag is {tag} bytes where {name} makes {tag_len}: the last \
                 part looks cut short"
            ),
            "copy the whole token: its end was lost when it was copied",
            JavaStack::Rejects,
        );
    } else {
        checks.fail(
            CheckId::JweTag,
            format!("the authentication tag is {tag} bytes; {name} makes {tag_len}"),
            "hand the token over unchanged, exactly as produced",
            JavaStack::Rejects,
        );
    }
}

/// Opens the JWE with the options' decryption key (check `jwe.decrypt`): its content, or
/// `None` when there is no key or it does not open (the inner layers are then skipped); and
/// whether the key given is the one the token was encrypted to.
pub(super) fn open(
    jwe: &ParsedJwe,
    options: &Options<'_>,
    checks: &mut Checks,
) -> Result<Opened, InspectError> {
    let name = options.names.decrypt_key;
    let Some(key) = options.decrypt_key else {
        checks.skip_needing(
            CheckId::JweDecrypt,
            &format!(
                "not opened without {name}: only the holder of the recipient's private key can \
                 open it (for iAdvize's production key, only iAdvize)"
            ),
            NeededKey::Decryption,
        );
        let reason =
            |what| format!("encrypted: give {name} (the recipient's private key) to read {what}");
        if options.verify_key.is_some() {
            checks.skip_needing(
                CheckId::JwsSignature,
                &format!(
                    "{} was given but not used: the signed token is inside the encryption; give \
                     {name} too, to open it and check its signature",
                    options.names.verify_key
                ),
                NeededKey::Decryption,
            );
        }
        checks.skip_layer_needing(
            Layer::Jws,
            &reason("the inner token"),
            NeededKey::Decryption,
        );
        checks.skip_layer_needing(Layer::Claims, &reason("the claims"), NeededKey::Decryption);
        return Ok(Opened {
            content: None,
            opening: Opening::Keyless,
        });
    };
    Ok(match decrypt(jwe, key, name)? {
        Decrypted::Plain { content, deflated } => {
            let opened = format!("opened with {name} ({} bytes of content", content.len());
            match deflated {
                Some(from) => checks.warn(
                    CheckId::JweDecrypt,
                    format!("{opened}, inflated (zip DEF) from {from})"),
                    "leave zip out of the header: iAdvize's library inflates the content, but \
                     the content is a small signed token, and iAdvize's example has no zip",
                    JavaStack::Accepts,
                ),
                None => checks.pass(CheckId::JweDecrypt, format!("{opened})")),
            }
            Opened {
                content: Some(content),
                opening: Opening::Opens,
            }
        }
        Decrypted::Mgf1Sha1(content) => {
            checks.fail(
                CheckId::JweDecrypt,
                MGF1_SHA1_PROBLEM,
                MGF1_SHA1_HINT,
                JavaStack::Rejects,
            );
            Opened {
                content: Some(content),
                opening: Opening::Opens,
            }
        }
        Decrypted::Failed {
            message,
            hint,
            java,
            unwrapped,
        } => {
            checks.fail(CheckId::JweDecrypt, message, hint, java);
            if unwrapped {
                let reason = "not reached: the token could not be decrypted";
                checks.skip_layer(Layer::Jws, reason);
                checks.skip_layer(Layer::Claims, reason);
                return Ok(Opened {
                    content: None,
                    opening: Opening::Opens,
                });
            }
            let reason = |what| {
                format!(
                    "not reached: {name} does not open the token; its recipient's private key would read {what}"
                )
            };
            checks.skip_layer_needing(
                Layer::Jws,
                &reason("the inner token"),
                NeededKey::Decryption,
            );
            checks.skip_layer_needing(Layer::Claims, &reason("the claims"), NeededKey::Decryption);
            Opened {
                content: None,
                opening: Opening::DoesNotOpen,
            }
        }
    })
}

/// The content of a JWE, when it could be opened, and what the key given is to it.
pub(super) struct Opened {
    pub(super) content: Option<Zeroizing<Vec<u8>>>,
    pub(super) opening: Opening,
}

enum Decrypted {
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
        /// The key unwrapped the content key: the token is encrypted to it, and broken after.
        unwrapped: bool,
    },
}

/// The key given does not open the token (it is not its recipient, or cannot be tried).
fn failed(message: impl Into<String>, hint: impl Into<String>) -> Decrypted {
    Decrypted::Failed {
        message: message.into(),
        hint: hint.into(),
        java: JavaStack::Rejects,
        unwrapped: false,
    }
}

/// The key given unwrapped the content key, and what follows fails: the token is for that key.
fn broken_after_unwrap(message: impl Into<String>, hint: impl Into<String>) -> Decrypted {
    Decrypted::Failed {
        message: message.into(),
        hint: hint.into(),
        java: JavaStack::Rejects,
        unwrapped: true,
    }
}

/// Unwraps the content key with `key` (called `name` in messages), then decrypts the content.
fn decrypt(jwe: &ParsedJwe, key: &LoadedKey, name: &str) -> Result<Decrypted, InspectError> {
    let alg = jwe.header.str("alg");
    let Some(algorithm) = alg.and_then(KeyManagement::from_name) else {
        return Ok(failed(
            format!(
                "cannot decrypt: alg {:?} is not an RSA key management algorithm",
                alg.unwrap_or("")
            ),
            "encrypt with alg RSA-OAEP-256",
        ));
    };
    let enc = jwe.header.str("enc");
    let Some(cencryption) = enc.and_then(ContentEncryption::from_name) else {
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
                "the token was encrypted to a {}-bit key, and {name} has {} bits",
                jwe.encrypted_key.len() * 8,
                key.bits()
            ),
            "the token was encrypted to another key: encrypt to the key whose private half is \
             given here (in production, iAdvize's)",
        ));
    }
    let der = key.private_pkcs8_der()?;
    let decrypter = algorithm
        .josekit()
        .decrypter_from_der(&*der)
        .map_err(InspectError::Jose)?;
    let header =
        JweHeader::from_map(jwe.header.members.clone()).unwrap_or_else(|_| JweHeader::new());
    let wrong_key = || {
        failed(
            "the key does not open this token: it was encrypted to another key, or its \
             encrypted key was altered",
            "encrypt to the recipient's public key (iAdvize's production key, or the stand-in \
             whose private half is given here)",
        )
    };
    let josekit_enc = cencryption.josekit();
    let cek = match decrypter.decrypt(Some(&jwe.encrypted_key), josekit_enc, &header) {
        Ok(cek) => Zeroizing::new(cek.into_owned()),
        Err(_) => {
            if algorithm == KeyManagement::RsaOaep256
                && let Some(sealed) = open_with_mgf1_sha1(jwe, cencryption, key)
            {
                // The key wrap is the news; a content that then does not inflate is secondary.
                return Ok(match inflate(jwe, sealed) {
                    Ok((plain, _)) => Decrypted::Mgf1Sha1(plain),
                    Err(Decrypted::Failed { message, .. }) => broken_after_unwrap(
                        format!("{MGF1_SHA1_PROBLEM}; besides, {message}"),
                        MGF1_SHA1_HINT,
                    ),
                    Err(other) => other,
                });
            }
            return Ok(wrong_key());
        }
    };
    if cek.len() != josekit_enc.key_len() {
        return Ok(wrong_key());
    }
    let Some(sealed) = open_content(jwe, cencryption, &cek) else {
        let message = "the content does not decrypt: the ciphertext, IV, tag or header were \
                       altered after encryption (or, with RSA1_5, the key is the wrong one)";
        let hint = "hand the token over unchanged, exactly as the brand's backend produced it";
        // RSA1_5 unwraps any encrypted key to some content key: only OAEP proves the key.
        return Ok(match algorithm {
            KeyManagement::Rsa1_5 => failed(message, hint),
            _ => broken_after_unwrap(message, hint),
        });
    };
    Ok(match inflate(jwe, sealed) {
        Ok((content, deflated)) => Decrypted::Plain { content, deflated },
        Err(problem) => problem,
    })
}

/// Retries the key unwrap as Java's default `OAEPWithSHA-256AndMGF1Padding` does it (MGF1 with
/// SHA-1), and opens the content with that key; `Some` when that is how the token was made.
fn open_with_mgf1_sha1(
    jwe: &ParsedJwe,
    cencryption: ContentEncryption,
    key: &LoadedKey,
) -> Option<Zeroizing<Vec<u8>>> {
    let cek = key.decrypt_oaep_sha256_mgf1_sha1(&jwe.encrypted_key)?;
    if cek.len() != cencryption.josekit().key_len() {
        return None;
    }
    open_content(jwe, cencryption, &cek)
}

/// Undoes the header's `zip` (RFC 7516 §4.1.3: `DEF` is raw DEFLATE). The inflated content is
/// capped at [`MAX_INPUT_BYTES`], like the token itself: a few kilobytes of DEFLATE can inflate
/// to gigabytes. Gives the content and, when it was inflated, its size before.
fn inflate(
    jwe: &ParsedJwe,
    sealed: Zeroizing<Vec<u8>>,
) -> Result<(Zeroizing<Vec<u8>>, Option<usize>), Decrypted> {
    let hint = "leave zip out of the header: the content is a small signed token, and \
                iAdvize's example has no zip";
    match jwe.header.members.get("zip") {
        // Nimbus takes a null zip as none.
        None | Some(Value::Null) => Ok((sealed, None)),
        Some(Value::String(zip)) if zip == "DEF" => {
            let limit = u64::try_from(MAX_INPUT_BYTES).unwrap_or(u64::MAX);
            let mut content = Zeroizing::new(Vec::new());
            let read = flate2::read::DeflateDecoder::new(sealed.as_slice())
                .take(limit.saturating_add(1))
                .read_to_end(&mut content);
            match read {
                Err(_) => Err(broken_after_unwrap(
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
                    java: JavaStack::Unknown,
                    unwrapped: true,
                }),
                Ok(_) => Ok((content, Some(sealed.len()))),
            }
        }
        Some(Value::String(zip)) => Err(broken_after_unwrap(
            format!("zip is {zip:?}: the only JWE compression is DEF"),
            hint,
        )),
        Some(other) => Err(broken_after_unwrap(
            format!("zip is {other}, not a string"),
            hint,
        )),
    }
}

/// Decrypts the content with the content key (without undoing `zip`).
fn open_content(
    jwe: &ParsedJwe,
    cencryption: ContentEncryption,
    cek: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if !cencryption.iv_is_usable(jwe.iv.len()) {
        return None;
    }
    let tag = (!jwe.tag.is_empty()).then_some(jwe.tag.as_slice());
    cencryption
        .josekit()
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
