//! Header checks, each with what iAdvize's Java stack does about the problem.
//!
//! iAdvize opens tokens with Nimbus JOSE+JWT (9.x to 11.x): `JWEObject.parse`, `RSADecrypter`,
//! `SignedJWT.parse` of the payload, `RSASSAVerifier`, then the claims. Read from that
//! library's source:
//! - rejected for certain: an unknown JWE `alg` (such as the literal `RSA_OAEP_256`), any
//!   `crit` header, a payload that is not a compact JWS, `exp`/`iat`/`nbf` as strings, claims
//!   that are not an object or have a top-level name twice, a protected header over 20,000
//!   characters (UTF-16 units) or with a top-level member name twice, a GCM tag under 16
//!   bytes, an empty IV or a CBC IV that is not 16 bytes, an RSA-OAEP-256 key wrapped with
//!   MGF1-SHA-1, a `zip` other than `DEF` or content that does not inflate;
//! - accepted although iAdvize documents otherwise: `RSA-OAEP` and `RSA1_5`, any content
//!   encryption, inner `RS384`/`RS512`/`PS256`, GCM IVs that are not 12 bytes, fractional or
//!   millisecond `exp`, a missing or past `exp` (no claims verifier on that path), brand keys
//!   under 2048 bits, `\/` escapes, JSON that is not strict but that Gson reads leniently
//!   (see [`crate::gson`]), a name twice in a nested object.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::crypto::{iv_is_usable, open_content};
use super::report::JavaStack::{Accepts, Rejects};
use super::{Checks, MAX_HEADER_CHARS, ParsedJwe};
use crate::keys::LoadedKey;
use josekit::jwe::JweContentEncryption;

/// JWE `alg` values `RSADecrypter` knows.
const RSA_KEY_MANAGEMENT: &[&str] = &[
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA-OAEP-384",
    "RSA-OAEP-512",
];
/// JWE `enc` values Nimbus implements.
const CONTENT_ENCRYPTIONS: &[&str] = &[
    "A128GCM",
    "A192GCM",
    "A256GCM",
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
];
/// JWS `alg` values `RSASSAVerifier` verifies.
const RSA_SIGNATURES: &[&str] = &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

pub(super) fn check_header_size(id: &'static str, chars: usize, checks: &mut Checks) {
    if chars > MAX_HEADER_CHARS {
        checks.fail(
            id,
            format!(
                "the protected header is {chars} characters long (UTF-16 units, as Java counts)"
            ),
            format!("keep the header to alg, enc and cty: iAdvize's library refuses headers over {MAX_HEADER_CHARS} characters"),
            Rejects,
        );
    } else {
        checks.pass(
            id,
            format!("the protected header is {chars} characters long"),
        );
    }
}

/// The header's `alg` as a string; a missing or non-string one fails check `id` (the library
/// cannot read such a header) and gives `None`.
fn alg_string<'a>(
    id: &'static str,
    header: &str,
    alg: Option<&'a Value>,
    expected: &str,
    checks: &mut Checks,
) -> Option<&'a str> {
    let message = match alg {
        Some(Value::String(alg)) => return Some(alg),
        Some(other) => format!("alg is {other}, not a string"),
        None => format!("the {header} header has no alg"),
    };
    checks.fail(id, message, format!("set alg to \"{expected}\""), Rejects);
    None
}

pub(super) fn check_jwe_alg(alg: Option<&Value>, checks: &mut Checks) {
    let id = "jwe.alg";
    let Some(alg) = alg_string(id, "JWE", alg, "RSA-OAEP-256", checks) else {
        return;
    };
    match alg {
        "RSA-OAEP-256" => checks.pass(id, "alg is RSA-OAEP-256"),
        "RSA_OAEP_256" => checks.fail(
            id,
            "alg is \"RSA_OAEP_256\": that is the Java constant's name, not the header value",
            "the header value is written with hyphens: RSA-OAEP-256 (in Java, JWEAlgorithm.RSA_OAEP_256 writes it)",
            Rejects,
        ),
        "RSA-OAEP" => checks.fail(
            id,
            "alg is RSA-OAEP (OAEP with SHA-1), not RSA-OAEP-256",
            "use RSA-OAEP-256 (JWEAlgorithm.RSA_OAEP_256): iAdvize documents it and may stop accepting SHA-1",
            Accepts,
        ),
        "RSA1_5" => checks.fail(
            id,
            "alg is RSA1_5 (PKCS#1 v1.5 padding, deprecated), not RSA-OAEP-256",
            "use RSA-OAEP-256 (JWEAlgorithm.RSA_OAEP_256)",
            Accepts,
        ),
        known if RSA_KEY_MANAGEMENT.contains(&known) => checks.fail(
            id,
            format!("alg is {known}, not RSA-OAEP-256"),
            "use RSA-OAEP-256, as iAdvize documents",
            Accepts,
        ),
        other => checks.fail(
            id,
            format!("alg is {other:?}: iAdvize decrypts with its RSA key, so only RSA key management works"),
            "set alg to RSA-OAEP-256 and encrypt to iAdvize's RSA public key",
            Rejects,
        ),
    }
}

pub(super) fn check_jwe_enc(enc: Option<&Value>, checks: &mut Checks) {
    let id = "jwe.enc";
    match enc {
        Some(Value::String(enc)) if enc == "A256GCM" => checks.pass(id, "enc is A256GCM"),
        Some(Value::String(enc)) if CONTENT_ENCRYPTIONS.contains(&enc.as_str()) => checks.fail(
            id,
            format!("enc is {enc}, not A256GCM"),
            "use A256GCM (EncryptionMethod.A256GCM), as iAdvize documents",
            Accepts,
        ),
        Some(Value::String(enc)) => checks.fail(
            id,
            format!("enc is {enc:?}, which is not a JWE content encryption"),
            "set enc to A256GCM",
            Rejects,
        ),
        Some(other) => checks.fail(
            id,
            format!("enc is {other}, not a string"),
            "set enc to \"A256GCM\"",
            Rejects,
        ),
        None => checks.fail(
            id,
            "the JWE header has no enc",
            "set enc to \"A256GCM\"",
            Rejects,
        ),
    }
}

pub(super) fn check_crit(id: &'static str, header: &Map<String, Value>, checks: &mut Checks) {
    match header.get("crit") {
        None => checks.pass(id, "no crit header"),
        Some(crit) => checks.fail(
            id,
            format!("the header marks {crit} as critical"),
            "remove crit: iAdvize's library understands no critical extension and refuses the token",
            Rejects,
        ),
    }
}

/// IV and tag lengths for the content encryption named by `enc`.
pub(super) fn check_iv_and_tag(enc: Option<&str>, iv: usize, tag: usize, checks: &mut Checks) {
    let (iv_len, tag_len) = match enc {
        Some("A128GCM" | "A192GCM" | "A256GCM") => (12, 16),
        Some("A128CBC-HS256") => (16, 16),
        Some("A192CBC-HS384") => (16, 24),
        Some("A256CBC-HS512") => (16, 32),
        _ => {
            let reason = "no known enc to check against";
            checks.skip_unset("jwe.iv", reason);
            checks.skip_unset("jwe.tag", reason);
            return;
        }
    };
    let enc = enc.unwrap_or("");
    if iv == iv_len {
        checks.pass("jwe.iv", format!("the IV is {iv} bytes"));
    } else if !iv_is_usable(enc, iv) {
        checks.fail(
            "jwe.iv",
            format!("the IV is {iv} bytes; {enc} needs {iv_len}: the content cannot be decrypted"),
            format!("use a random {iv_len}-byte IV, as JOSE libraries do"),
            Rejects,
        );
    } else {
        checks.warn(
            "jwe.iv",
            format!("the IV is {iv} bytes; {enc} uses {iv_len}"),
            format!("use a random {iv_len}-byte IV, as JOSE libraries do"),
            Accepts,
        );
    }
    if tag == tag_len {
        checks.pass("jwe.tag", format!("the authentication tag is {tag} bytes"));
    } else if tag < tag_len {
        checks.fail(
            "jwe.tag",
            format!("the authentication tag is {tag} bytes; {enc} needs {tag_len}"),
            "do not truncate the tag: use a JOSE library's A256GCM",
            Rejects,
        );
    } else {
        checks.fail(
            "jwe.tag",
            format!("the authentication tag is {tag} bytes; {enc} makes {tag_len}"),
            "hand the token over unchanged, exactly as produced",
            Rejects,
        );
    }
}

pub(super) fn check_jws_alg(alg: Option<&Value>, checks: &mut Checks) {
    let id = "jws.alg";
    let Some(alg) = alg_string(id, "JWS", alg, "RS256", checks) else {
        return;
    };
    match alg {
        "RS256" => checks.pass(id, "alg is RS256"),
        rsa if RSA_SIGNATURES.contains(&rsa) => checks.fail(
            id,
            format!("alg is {rsa}, not RS256"),
            "sign with RS256 (JWSAlgorithm.RS256), as iAdvize documents",
            Accepts,
        ),
        "HS256" | "HS384" | "HS512" => checks.fail(
            id,
            format!("alg is {alg}: an HMAC with a shared secret, not an RSA signature"),
            "sign with RS256 and the brand's RSA private key: iAdvize verifies with the public key you registered",
            Rejects,
        ),
        "none" => checks.fail(id, "alg is none: the token is not signed", "sign with RS256 and the brand's RSA private key", Rejects),
        other => checks.fail(
            id,
            format!("alg is {other:?}, not an RSA signature"),
            "sign with RS256 and the brand's RSA private key",
            Rejects,
        ),
    }
}

/// Retries the key unwrap as Java's default `OAEPWithSHA-256AndMGF1Padding` does it (MGF1 with
/// SHA-1), and opens the content with that key; `Some` when that is how the token was made.
pub(super) fn open_with_mgf1_sha1(
    jwe: &ParsedJwe,
    cencryption: &dyn JweContentEncryption,
    key: &LoadedKey,
) -> Option<Zeroizing<Vec<u8>>> {
    let cek = key.decrypt_oaep_sha256_mgf1_sha1(&jwe.encrypted_key)?;
    if cek.len() != cencryption.key_len() {
        return None;
    }
    open_content(jwe, cencryption, &cek)
}
