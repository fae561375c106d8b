//! What the inspector is given besides the token, and the errors of unusable keys.

use crate::keys::{KeyError, LoadedKey, MIN_BITS};

/// A token is a few kilobytes: input over this is refused, and content that inflates
/// (`zip: DEF`) beyond it is not inflated further.
pub(super) const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// What to inspect with.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The private key the JWE was encrypted to (a stand-in for iAdvize's, in a rehearsal).
    pub decrypt_key: Option<&'a LoadedKey>,
    /// The brand's key (public or private) that should verify the inner signature.
    pub verify_key: Option<&'a LoadedKey>,
    /// A brand key given to verify with that is not an RSA key, as what it is (`an EC key`):
    /// iAdvize verifies with an RSA key, so every token of such a brand is refused.
    pub verify_key_not_rsa: Option<&'a str>,
    /// The time checks are made against, UNIX seconds.
    pub now: i64,
    /// Seconds of tolerance in the time checks.
    pub leeway: u64,
    /// The token is expected to be the bare signed token (from the brand's logs), not a JWE.
    pub expect_jws: bool,
    /// How the caller's users give the keys, for the report's messages.
    pub names: Names<'a>,
}

/// What the report calls the ways its caller takes the keys and the expectation: a command
/// line names its flags (`--decrypt-key`), a server its configuration.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// What the report calls the private key that opens the JWE (a command line, its flag).
    pub decrypt_key: &'a str,
    /// What it calls the brand's key that verifies the signature.
    pub verify_key: &'a str,
    /// What it calls the expectation that the token is the bare signed token.
    pub expect_jws: &'a str,
    /// What it calls a stand-in's key that does not open the token (`the stand-in key you
    /// gave`, `this server's stand-in key`).
    pub standin_key: &'a str,
}

impl Default for Names<'_> {
    fn default() -> Self {
        Names {
            decrypt_key: "the decryption key",
            verify_key: "the verification key",
            expect_jws: "the expectation of a signed token",
            standin_key: "the stand-in key given",
        }
    }
}

/// Keys that cannot be used for inspection at all.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The key given to decrypt with is a public key.
    #[error("{name} is a public key; decrypting needs the private key")]
    DecryptKeyNotPrivate {
        /// The key, as [`Names::decrypt_key`] calls it.
        name: String,
    },
    /// The key given to decrypt with is under 2048 bits, which the JOSE library refuses.
    #[error("{name} has {bits} bits; the JOSE library needs at least {MIN_BITS}")]
    DecryptKeyTooSmall {
        /// The key, as [`Names::decrypt_key`] calls it.
        name: String,
        /// Its modulus size in bits.
        bits: usize,
    },
    /// A key's public half could not be read (for its fingerprint).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The JOSE library refuses the decryption key.
    #[error("the JOSE library cannot use the decryption key")]
    Jose(#[source] josekit::JoseError),
}
