//! Token parsing and the whole `inspect` pipeline, with and without keys, on any bytes.
#![no_main]

use std::sync::OnceLock;

use iadvize_auth::inspect::{self, Names, Options};
use iadvize_auth::keys::{KeyError, LoadedKey, Passphrase, decode_key};
use iadvize_auth::verdict::CheckId;
use libfuzzer_sys::fuzz_target;

fn key(bytes: &[u8]) -> LoadedKey {
    let mut no_passphrase =
        || -> Result<Passphrase, KeyError> { Err(KeyError::Passphrase("not encrypted".into())) };
    match decode_key(bytes, &mut no_passphrase) {
        Ok(key) => key,
        Err(err) => panic!("fixture key: {err}"),
    }
}

fn keys() -> &'static (LoadedKey, LoadedKey) {
    static KEYS: OnceLock<(LoadedKey, LoadedKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            key(include_bytes!(
                "../../tests/fixtures/standin-iadvize-private.pem"
            )),
            key(include_bytes!("../../tests/fixtures/brand-public.pem")),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let (decrypt, verify) = keys();
    let text = String::from_utf8_lossy(data);
    // The finder on any text, then every token found (or the whole text) judged.
    let found = inspect::find(&text);
    for with_keys in [false, true] {
        let options = Options {
            decrypt_key: with_keys.then_some(decrypt),
            verify_key: with_keys.then_some(verify),
            verify_key_not_rsa: None,
            now: 1_700_000_000,
            leeway: 0,
            expect_jws: data.len().is_multiple_of(2),
            names: Names::default(),
        };
        for token in found
            .iter()
            .map(|f| f.token.as_str())
            .chain([text.as_ref()])
        {
            if let Ok(report) = inspect::inspect(token, &options) {
                assert_eq!(report.checks.len(), CheckId::ALL.len());
            }
        }
    }
});
