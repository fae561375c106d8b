//! Property tests over the entry points that take untrusted input: token inspection and key
//! reading never panic, whatever the bytes; the binary always exits 1 or 2 on garbage.

use std::sync::OnceLock;

use crate::common::library::{fixture_key, mint_token, proptest_config};
use crate::common::*;
use iadvize_auth::inspect::{self, Names, Options};
use iadvize_auth::keys::{KeyError, LoadedKey, Passphrase, decode_key};
use iadvize_auth::mint::Recipient;
use iadvize_auth::verdict::{CheckId, Status};
use proptest::prelude::*;
use zeroize::Zeroizing;

fn no_passphrase() -> Result<Passphrase, KeyError> {
    Passphrase::new(Zeroizing::new(b"property".to_vec()))
}

struct Keys {
    standin_private: LoadedKey,
    brand_public: LoadedKey,
    jwe: String,
    jws: String,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        // The JWE, and the JWS inside it: RS256 signatures are deterministic.
        let mint = |recipient| {
            mint_token(
                "brand-private.pem",
                recipient,
                60,
                "customer-1",
                1_700_000_000,
            )
        };
        Keys {
            jwe: mint(Recipient::Key(fixture_key("standin-iadvize-private.pem"))),
            jws: mint(Recipient::SignOnly),
            standin_private: fixture_key("standin-iadvize-private.pem"),
            brand_public: fixture_key("brand-public.pem"),
        }
    })
}

/// Inspects with and without keys; checks the report's invariants.
fn inspect_everything(text: &str) {
    let keys = keys();
    for with_keys in [false, true] {
        for expect_jws in [false, true] {
            let options = Options {
                decrypt_key: with_keys.then_some(&keys.standin_private),
                verify_key: with_keys.then_some(&keys.brand_public),
                verify_key_not_rsa: None,
                now: 1_700_000_000,
                leeway: 0,
                expect_jws,
                names: Names::default(),
            };
            let report = inspect::inspect(text, &options).expect("usable keys");
            assert_eq!(report.checks.len(), CheckId::ALL.len());
            assert_eq!(
                report.ok,
                report.checks.iter().all(|c| c.status != Status::Fail)
            );
            serde_json::to_string(&report).expect("serialisable");
        }
    }
}

/// A valid token with random edits: bytes flipped, inserted, removed, or cut short.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let len = base.len();
    (
        prop::collection::vec((0..len, any::<u8>(), 0u8..4), 1..6),
        0..=len,
    )
        .prop_map(move |(edits, cut)| {
            let mut bytes = base.as_bytes().to_vec();
            for (at, byte, kind) in edits {
                let at = at.min(bytes.len().saturating_sub(1));
                match kind {
                    0 if !bytes.is_empty() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    2 if !bytes.is_empty() => {
                        bytes.remove(at);
                    }
                    _ => bytes.truncate(cut.max(at)),
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

proptest! {
    #![proptest_config(proptest_config(512))]

    #[test]
    fn inspect_never_panics_on_arbitrary_text(text in ".{0,400}") {
        inspect_everything(&text);
    }

    #[test]
    fn inspect_never_panics_on_dotted_base64url(parts in prop::collection::vec("[A-Za-z0-9_-]{0,60}", 1..7)) {
        inspect_everything(&parts.join("."));
    }

    #[test]
    fn inspect_never_panics_on_mutated_jwe(token in mutated(&keys().jwe)) {
        inspect_everything(&token);
    }

    #[test]
    fn inspect_never_panics_on_mutated_jws(token in mutated(&keys().jws)) {
        inspect_everything(&token);
    }

    #[test]
    fn key_reading_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode_key(&bytes, &mut no_passphrase);
    }
}

fn key_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let brand = fixture_key("brand-private.pem");
        let info = brand.public_info().unwrap();
        vec![
            brand.private_pkcs8_pem(None).unwrap().to_string(),
            info.pem().unwrap(),
            info.base64(),
            info.jwk().to_string(),
            std::fs::read_to_string(fixture_path("ec-private.pem")).unwrap(),
        ]
    })
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn key_reading_never_panics_on_mutated_keys(
        which in 0usize..5,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = key_texts()[which].as_bytes().to_vec();
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        let _ = decode_key(&bytes, &mut no_passphrase);
    }
}

proptest! {
    #![proptest_config(proptest_config(48))]

    /// The real binary, with the keys that open the original token: garbage, or any change to
    /// a valid token, exits 1 or 2 and never panics — unless the change only added characters
    /// that iAdvize's lenient base64 decoder skips, outside the authenticated header part:
    /// iAdvize accepts that token, and so exit 0 is right.
    #[test]
    fn the_binary_exits_1_2_or_3_on_garbage(text in "[ -~]{1,200}", token in mutated(&keys().jwe)) {
        let skipped_only = {
            let kept: String = token
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/'))
                .collect();
            let header = keys().jwe.split('.').next().unwrap_or_default();
            kept == keys().jwe && token.trim().starts_with(&format!("{header}."))
        };
        let sb = Sandbox::new();
        let decrypt = sb.fixture("standin-iadvize-private.pem");
        let verify = sb.fixture("brand-public.pem");
        for input in [text.as_str(), token.as_str()] {
            let out = run_with_stdin(
                sb.cmd()
                    .args(["inspect", "-", "--now", "1700000000", "--decrypt-key"])
                    .arg(&decrypt)
                    .arg("--verify-key")
                    .arg(&verify),
                input.as_bytes(),
            );
            let code = out.status.code();
            let accepted = input == token.as_str() && skipped_only;
            // 3: the key does not open an edited token (its encrypted key changed).
            prop_assert!(
                code == Some(1) || code == Some(2) || code == Some(3) || (accepted && code == Some(0)),
                "exit {:?} for {:?}",
                code,
                input
            );
            prop_assert!(!stderr(&out).contains("panicked"));
        }
    }
}

/// Inputs on which the fuzzers (fuzz/) found a crash, kept in tests/fixtures/fuzz/: through the
/// library, and through the binary with the keys the fuzz targets use.
#[test]
fn fuzz_crash_inputs_no_longer_crash() {
    let sb = Sandbox::new();
    let decrypt = sb.fixture("standin-iadvize-private.pem");
    let verify = sb.fixture("brand-public.pem");
    let mut seen = 0;
    for entry in std::fs::read_dir(fixture_path("fuzz")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let out = if name.starts_with("inspect-") {
            inspect_everything(&String::from_utf8_lossy(&bytes));
            run_with_stdin(
                sb.cmd()
                    .args(["inspect", "-", "--now", "1700000000", "--decrypt-key"])
                    .arg(&decrypt)
                    .arg("--verify-key")
                    .arg(&verify),
                &bytes,
            )
        } else if name.starts_with("keys-") {
            let _ = decode_key(&bytes, &mut no_passphrase);
            run_with_stdin(
                sb.cmd()
                    .args(["pubkey", "-"])
                    .env("IADVIZE_AUTH_PASSPHRASE", "fuzz"),
                &bytes,
            )
        } else {
            panic!("{name}: name fuzz regressions inspect-* or keys-*");
        };
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{name}: exit {code:?}\n{}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{name}");
        seen += 1;
    }
    assert!(seen > 0, "no files in tests/fixtures/fuzz");
}
