//! The library called directly, as a server calls it: fixture keys loaded, a token minted by a
//! plan, and the settings of the property tests.

use iadvize_auth::keys::{KeyError, LoadedKey, Passphrase, decode_key};
use iadvize_auth::mint::{Plan, Recipient, Request, User};
use proptest::test_runner::Config as ProptestConfig;

use super::fixture_path;

/// The fixture `name` (not encrypted: no passphrase is asked for), loaded.
pub(crate) fn fixture_key(name: &str) -> LoadedKey {
    let bytes = std::fs::read(fixture_path(name)).expect("a fixture");
    let mut none = || -> Result<Passphrase, KeyError> { Err(KeyError::WrongPassphrase) };
    decode_key(&bytes, &mut none).expect("a fixture key")
}

/// A token for `user_id` signed with the fixture `signing_key`, to `recipient`, issued at `now`
/// for `ttl` seconds, as a plan mints it.
pub(crate) fn mint_token(
    signing_key: &str,
    recipient: Recipient,
    ttl: u64,
    user_id: &str,
    now: i64,
) -> String {
    let request = Request {
        signing_key: fixture_key(signing_key),
        recipient,
        ttl,
        issuer: None,
        visitor_data: None,
        extra_claims: Default::default(),
        faults: Vec::new(),
        stranger: None,
    };
    let (plan, _) = Plan::new(request).expect("a plan");
    plan.mint(&User::new(user_id), now).expect("a token").token
}

/// `cases` runs, and no regression files written into the source tree (CI checks it is clean).
pub(crate) fn proptest_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
