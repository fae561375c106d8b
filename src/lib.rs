//! iAdvize Authenticated Messaging: RSA keys, signed-then-encrypted tokens, and their diagnosis.
//!
//! The library never prints and never sees command-line types; the `iadvize-auth` binary
//! parses arguments, calls into it and renders the results.

pub mod claims;
pub mod gson;
pub mod inspect;
pub mod keys;
pub mod time;
pub mod token;
pub mod user_ids;
