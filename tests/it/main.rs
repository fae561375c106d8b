//! The integration tests: one test binary, a module per verb (`keygen`, `pubkey`, `mint`,
//! `inspect`, `serve`), then what spans the verbs (passphrases, bad input, memory, properties),
//! the oracles (`nimbus`: iAdvize's own Java library; `interop`: python jwcrypto and node
//! jose), and the artefacts (`docs`, `generated`, `package`). Every test runs the real binary
//! in a temporary folder, except the library's own (`inspect::library`, `properties`,
//! `nimbus::json`).
//!
//! One module or one test: `scripts/test --test it mint::` or `scripts/test --test it
//! mint::batch::a_tsv_mints_one_token_per_user_with_their_data`.
//!
//! Whole messages are kept as insta snapshots beside the module that checks them
//! (`snapshots/`): a changed message fails the test and is reviewed, then accepted with
//! `INSTA_UPDATE=always scripts/test --test it MODULE::` (or `cargo insta review`). CI never
//! writes one (`.ci/run` sets `INSTA_UPDATE=no`).

mod common;

mod inspect;
mod keygen;
mod mint;
mod pubkey;
mod serve;

mod bad_input;
mod memory;
mod passphrases;
mod properties;

mod interop;
mod nimbus;

mod docs;
mod generated;
mod package;
