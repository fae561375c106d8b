//! Minting tokens exactly as a brand's backend must: the claims (user id, `iat`/`exp` in
//! integer seconds, optional visitor data) signed as an RS256 JWS with the brand's key, that
//! JWS encrypted as an RSA-OAEP-256 + A256GCM JWE to iAdvize's key.
//!
//! A [`Request`] holds what the user asked for. [`Plan::new`] checks it once — the keys are
//! usable, the lifetime and claims keep iAdvize's rules, the signer and encrypter are built —
//! and says what is worth knowing about it ([`Notice`]). The plan then mints for any number of
//! users from any thread ([`Plan::mint`]), or for a whole batch in order on several threads
//! ([`Plan::mint_all`]). A command-line verb, a server handler and a test call it the same way.

mod batch;
mod error;
mod jose;
mod plan;

pub use batch::{BatchError, Row, UTF8_BOM, read_lines};
pub use error::{KeyRole, MintError};
pub use plan::{Minted, Notice, Plan, Recipient, RecipientInfo, Request, User};
