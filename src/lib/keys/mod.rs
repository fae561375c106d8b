//! RSA keys: the one place where key bytes are read, decoded, generated, encoded and written.
//!
//! Formats are recognised by content, never by file name: PKCS#8 (plain or passphrase
//! encrypted), PKCS#1 (also in legacy encrypted PEM), SubjectPublicKeyInfo, each as PEM, DER
//! or bare base64, RSA JWKs and JWK Sets, OpenSSH `ssh-rsa` public keys, and the public key of
//! an X.509 certificate.

mod builtin;
mod bundle;
mod certificate;
mod damage;
mod decode;
mod files;
mod jwk;
mod key;
mod legacy_pem;
mod openssh;
mod source;

pub use builtin::{IADVIZE_PRODUCTION_KEY_BASE64, IADVIZE_PRODUCTION_SHA256};
pub use decode::{decode_key, decode_key_by_kid};
pub use files::{FileToWrite, WriteError, create_private_dir, write_files};
pub use key::{
    Certificate, Container, Encoding, ExpectedFingerprint, FingerprintMatch, KeyError, KeyKind,
    LoadedKey, MAX_BITS, MIN_BITS, MIN_FINGERPRINT_PREFIX, Passphrase, PublicKeyInfo,
    PublicKeyRecord, SourceFormat,
};
pub use source::{KeyInput, KeySource, MAX_KEY_INPUT_BYTES, read_limited, readable_by_others};
