//! iAdvize's published production public key, compiled into the binary.

use base64::Engine as _;

use super::decode::decode_spki;
use super::key::{KeyError, LoadedKey, PublicKeyInfo, SourceFormat};

/// The key exactly as iAdvize publishes it: one bare base64 line of the DER
/// SubjectPublicKeyInfo (RSA 2048-bit, e = 65537).
pub const IADVIZE_PRODUCTION_KEY_BASE64: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1KdAzuUa5rOXgLHavoDRYoNXzwWz/pFhgGypYFbvV8DNjB93XK2AzKTwW+vxT7RYl4f+sKLdEi3dJYgPt2hquhTNmFxAzRvTuolUOKr1XNx7QbDj+7cfLVDYjmds/ydNtyHi8TUHSvfzs8SGXO5E5H13llmayPEslHKShG0cLIDcLNr6hJcfv9fvOZqQlLQ4Bx7to/66IHke9zY+1oidrUdFGzxXG+RGK81mIMuXj6N2EGJ7YYcQqXJfBJnWFlSGCQNttw5Rfj00eZbkMRO3XohhNqGIiBG2tejSjfB53UpiHdbzni+tyB72R5aaq4d+gkkgaOVYn/Or2fArOH2FUQIDAQAB";

/// SHA-256 of the production key's DER, lowercase hex. A key whose fingerprint equals this
/// one is iAdvize's production key, whatever file it came from.
pub const IADVIZE_PRODUCTION_SHA256: &str =
    "20b1ebc3cd86286c9891186a8af48a9979e1f3e2ca460e40af85b0a6bbf7445a";

/// The built-in iAdvize production key.
fn decode_builtin() -> Result<LoadedKey, KeyError> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(IADVIZE_PRODUCTION_KEY_BASE64)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    let (key, _) = decode_spki(&der)?;
    Ok(LoadedKey::new(SourceFormat::Builtin, key))
}

impl LoadedKey {
    /// iAdvize's production public key, compiled into the binary.
    pub fn iadvize_production() -> Self {
        match decode_builtin() {
            Ok(key) => key,
            // The constant is checked by the test suite; reaching this is a build defect.
            Err(err) => unreachable!("the built-in iAdvize key does not decode: {err}"),
        }
    }
}

impl PublicKeyInfo {
    /// True when this is iAdvize's published production key.
    pub fn is_iadvize_production(&self) -> bool {
        self.sha256_fingerprint == IADVIZE_PRODUCTION_SHA256
    }
}
