//! Minting tokens exactly as a brand's backend must: the claims (user id, `iat`/`exp` in
//! integer seconds, optional visitor data) signed as an RS256 JWS with the brand's key, that
//! JWS encrypted as an RSA-OAEP-256 + A256GCM JWE to iAdvize's key.
//!
//! A [`Request`] holds what the user asked for. [`Plan::new`] checks it once — the keys are
//! usable, the lifetime and claims keep iAdvize's rules, the signer and encrypter are built —
//! and says what is worth knowing about it ([`Notice`]). The plan then mints for any number of
//! users from any thread ([`Plan::mint`]), or for a whole batch in order on several threads
//! ([`Plan::mint_all`]). A command-line verb, a server handler and a test call it the same way.
//!
//! A batch is read by [`read_batch`] (one id per line, CSV, TSV or JSON Lines, by content) and
//! checked whole by [`Plan::check_batch`] before anything is minted. A request may also ask for
//! [`Fault`]s: tokens broken on purpose, as brands' backends break them, to test the failure
//! path.

mod batch;
mod error;
mod fault;
mod faulty;
mod input;
mod jose;
mod plan;

pub use batch::Spread;
pub use error::{BatchError, KeyRole, MintError, named_formats};
pub use fault::{Fault, FaultError, FaultInfo};
pub use input::{
    Batch, Delimiter, InputFormat, MAX_BATCH_BYTES, MAX_BATCH_ROWS, Row, UTF8_BOM, User,
    read_batch, read_csv, read_json_lines, read_lines,
};
pub use plan::{Minted, Notice, Plan, Recipient, RecipientInfo, Request};
