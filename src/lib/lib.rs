//! iAdvize Authenticated Messaging: RSA keys, signed-then-encrypted tokens, and their diagnosis.
//!
//! One module per job: [`keys`] reads, makes and writes the RSA keys; [`mint`] turns a request
//! into a checked plan that mints tokens; [`inspect`] finds tokens in any text and judges each
//! layer by layer, in the words of [`verdict`]; [`rehearsal`] is what a rehearsal server does
//! with tokens, built on both. They share iAdvize's rules for the claims ([`claims`]), the
//! algorithm names (`alg`), JSON read strictly (`json`) and as iAdvize's Java library reads it
//! ([`gson`]), and small text and time helpers. The library never prints and never sees
//! command-line types; the `iadvize-auth` binary (`src/main.rs` and the files beside it)
//! parses arguments, calls into it and renders the results.

mod alg;
pub mod claims;
pub mod gson;
pub mod inspect;
mod json;
pub mod keys;
pub mod mint;
pub mod openssl_setup;
pub mod rehearsal;
pub mod text;
pub mod time;
pub mod verdict;
