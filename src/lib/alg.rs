//! The JOSE algorithms, in one place: the ones iAdvize documents, the ones its Java stack
//! (Nimbus JOSE+JWT) also implements, their header names and the sizes that go with them.
//! Names are case-sensitive (RFC 7515 §4.1.1): `rs256` is no algorithm.

use josekit::jwe::JweContentEncryption;

/// JWE key management (`alg`) with an RSA key: what Nimbus's `RSADecrypter` implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyManagement {
    Rsa1_5,
    RsaOaep,
    RsaOaep256,
    RsaOaep384,
    RsaOaep512,
}

impl KeyManagement {
    /// What iAdvize documents.
    pub(crate) const IADVIZE: Self = KeyManagement::RsaOaep256;
    pub(crate) const ALL: [Self; 5] = [
        KeyManagement::Rsa1_5,
        KeyManagement::RsaOaep,
        KeyManagement::RsaOaep256,
        KeyManagement::RsaOaep384,
        KeyManagement::RsaOaep512,
    ];

    /// The header value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            KeyManagement::Rsa1_5 => "RSA1_5",
            KeyManagement::RsaOaep => "RSA-OAEP",
            KeyManagement::RsaOaep256 => "RSA-OAEP-256",
            KeyManagement::RsaOaep384 => "RSA-OAEP-384",
            KeyManagement::RsaOaep512 => "RSA-OAEP-512",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// josekit's implementation.
    #[allow(
        deprecated,
        reason = "RSA1_5 tokens must still be made and opened to be diagnosed"
    )]
    pub(crate) fn josekit(self) -> josekit::jwe::alg::rsaes::RsaesJweAlgorithm {
        use josekit::jwe::{RSA_OAEP, RSA_OAEP_256, RSA_OAEP_384, RSA_OAEP_512, RSA1_5};
        match self {
            KeyManagement::Rsa1_5 => RSA1_5,
            KeyManagement::RsaOaep => RSA_OAEP,
            KeyManagement::RsaOaep256 => RSA_OAEP_256,
            KeyManagement::RsaOaep384 => RSA_OAEP_384,
            KeyManagement::RsaOaep512 => RSA_OAEP_512,
        }
    }
}

/// JWE content encryption (`enc`): every one RFC 7518 registers, all of which Nimbus implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentEncryption {
    A128Gcm,
    A192Gcm,
    A256Gcm,
    A128CbcHs256,
    A192CbcHs384,
    A256CbcHs512,
}

impl ContentEncryption {
    /// What iAdvize documents.
    pub(crate) const IADVIZE: Self = ContentEncryption::A256Gcm;
    pub(crate) const ALL: [Self; 6] = [
        ContentEncryption::A128Gcm,
        ContentEncryption::A192Gcm,
        ContentEncryption::A256Gcm,
        ContentEncryption::A128CbcHs256,
        ContentEncryption::A192CbcHs384,
        ContentEncryption::A256CbcHs512,
    ];

    /// The header value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A192Gcm => "A192GCM",
            ContentEncryption::A256Gcm => "A256GCM",
            ContentEncryption::A128CbcHs256 => "A128CBC-HS256",
            ContentEncryption::A192CbcHs384 => "A192CBC-HS384",
            ContentEncryption::A256CbcHs512 => "A256CBC-HS512",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|enc| enc.name() == name)
    }

    fn is_cbc(self) -> bool {
        matches!(
            self,
            ContentEncryption::A128CbcHs256
                | ContentEncryption::A192CbcHs384
                | ContentEncryption::A256CbcHs512
        )
    }

    /// The IV length JOSE libraries use: 96 bits for GCM, one AES block for CBC.
    pub(crate) fn iv_bytes(self) -> usize {
        if self.is_cbc() { 16 } else { 12 }
    }

    /// The authentication tag length: 128 bits for GCM, half the HMAC for CBC-HMAC.
    pub(crate) fn tag_bytes(self) -> usize {
        match self {
            ContentEncryption::A192CbcHs384 => 24,
            ContentEncryption::A256CbcHs512 => 32,
            _ => 16,
        }
    }

    /// Whether the content can be decrypted with an IV of `len` bytes at all: AES-CBC takes
    /// exactly one block (the openssl crate panics on a shorter one), AES-GCM any length but
    /// zero (Java refuses an empty one too).
    pub(crate) fn iv_is_usable(self, len: usize) -> bool {
        if self.is_cbc() { len == 16 } else { len > 0 }
    }

    /// josekit's implementation.
    pub(crate) fn josekit(self) -> &'static dyn JweContentEncryption {
        use josekit::jwe::enc::*;
        match self {
            ContentEncryption::A128Gcm => &A128GCM,
            ContentEncryption::A192Gcm => &A192GCM,
            ContentEncryption::A256Gcm => &A256GCM,
            ContentEncryption::A128CbcHs256 => &A128CBC_HS256,
            ContentEncryption::A192CbcHs384 => &A192CBC_HS384,
            ContentEncryption::A256CbcHs512 => &A256CBC_HS512,
        }
    }
}

/// JWS signatures with an RSA key: what Nimbus's `RSASSAVerifier` verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signature {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
}

impl Signature {
    /// What iAdvize documents.
    pub(crate) const IADVIZE: Self = Signature::Rs256;
    pub(crate) const ALL: [Self; 6] = [
        Signature::Rs256,
        Signature::Rs384,
        Signature::Rs512,
        Signature::Ps256,
        Signature::Ps384,
        Signature::Ps512,
    ];

    /// The header value.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signature::Rs256 => "RS256",
            Signature::Rs384 => "RS384",
            Signature::Rs512 => "RS512",
            Signature::Ps256 => "PS256",
            Signature::Ps384 => "PS384",
            Signature::Ps512 => "PS512",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// RSASSA-PSS (`PS…`) rather than PKCS#1 v1.5 (`RS…`).
    pub(crate) fn is_pss(self) -> bool {
        matches!(self, Signature::Ps256 | Signature::Ps384 | Signature::Ps512)
    }

    /// The SHA-2 digest size in bits: 256, 384 or 512.
    pub(crate) fn hash_bits(self) -> u16 {
        match self {
            Signature::Rs256 | Signature::Ps256 => 256,
            Signature::Rs384 | Signature::Ps384 => 384,
            Signature::Rs512 | Signature::Ps512 => 512,
        }
    }
}

/// The HMAC `alg` values: a shared secret, which iAdvize cannot verify with a brand's RSA key.
pub(crate) const HMAC_SIGNATURES: [&str; 3] = ["HS256", "HS384", "HS512"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for alg in KeyManagement::ALL {
            assert_eq!(KeyManagement::from_name(alg.name()), Some(alg));
        }
        for enc in ContentEncryption::ALL {
            assert_eq!(ContentEncryption::from_name(enc.name()), Some(enc));
            assert_eq!(enc.josekit().name(), enc.name());
            assert_eq!(enc.josekit().iv_len(), enc.iv_bytes());
        }
        for alg in Signature::ALL {
            assert_eq!(Signature::from_name(alg.name()), Some(alg));
        }
        assert_eq!(Signature::from_name("rs256"), None);
        assert_eq!(KeyManagement::from_name("RSA_OAEP_256"), None);
        assert_eq!(KeyManagement::IADVIZE.josekit().name(), "RSA-OAEP-256");
    }
}
