//! iAdvize Authenticated Messaging: RSA keys, signed-then-encrypted tokens, and their diagnosis.
//!
//! One module per job: [`keys`] reads, makes and writes the RSA keys; [`mint`] turns a request
//! into a checked plan that mints tokens; [`inspect`] judges a token layer by layer. They share
//! iAdvize's rules for the claims ([`claims`]), the algorithm names (`alg`), and small text and
//! time helpers. The library never prints and never sees command-line types; the `iadvize-auth`
//! binary parses arguments, calls into it and renders the results.

mod alg;
pub mod claims;
pub mod inspect;
mod json;
pub mod keys;
pub mod mint;
pub mod openssl_setup;
pub mod rehearsal;
pub mod text;
pub mod time;
pub mod verdict;
