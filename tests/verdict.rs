//! The library's two jobs called as a server would call them: a plan mints, the inspector
//! judges, and `Report::verdict` says what iAdvize's Java stack does — which is not the same
//! as "no check failed".

mod common;

use common::fixture_path;
use iadvize_auth::inspect::{self, Names, Options, Report};
use iadvize_auth::keys::{KeyError, LoadedKey, Passphrase, decode_key};
use iadvize_auth::mint::{Plan, Recipient, Request, User};
use iadvize_auth::verdict::{Acceptance, Answer, CheckId, NeededKey, Role, Rules, Unchecked};

const NOW: i64 = 1_700_000_000;

fn key(name: &str) -> LoadedKey {
    let bytes = std::fs::read(fixture_path(name)).unwrap();
    let mut none = || -> Result<Passphrase, KeyError> { Err(KeyError::WrongPassphrase) };
    decode_key(&bytes, &mut none).unwrap()
}

fn token(signing_key: &str, recipient: Recipient, ttl: u64) -> String {
    let request = Request {
        signing_key: key(signing_key),
        recipient,
        ttl,
        issuer: None,
        visitor_data: None,
        extra_claims: Default::default(),
        faults: Vec::new(),
        stranger: None,
    };
    let (plan, _) = Plan::new(request).unwrap();
    plan.mint(&User::new("customer-8812"), NOW).unwrap().token
}

fn judge(token: &str, decrypt: Option<&LoadedKey>, verify: Option<&LoadedKey>, now: i64) -> Report {
    let options = Options {
        decrypt_key: decrypt,
        verify_key: verify,
        verify_key_not_rsa: None,
        now,
        leeway: 0,
        expect_jws: false,
        names: Names::default(),
    };
    inspect::inspect(token, &options).unwrap()
}

#[test]
fn the_verdict_separates_what_iadvize_does_from_its_rules_and_from_what_was_not_checked() {
    let standin = key("standin-iadvize-private.pem");
    let brand = key("brand-public.pem");
    let good = token(
        "brand-private.pem",
        Recipient::Key(key("standin-iadvize-public.pem")),
        60,
    );

    let both = judge(&good, Some(&standin), Some(&brand), NOW);
    let verdict = both.verdict.clone();
    assert_eq!(
        (verdict.iadvize, verdict.rules),
        (Acceptance::Accepts, Rules::Pass)
    );
    assert!(verdict.unchecked.is_empty());
    // Opened by a stand-in's key: the stand-in accepts, production cannot open it.
    assert_eq!(verdict.production, Acceptance::Rejects);
    assert_eq!(verdict.recipient.role, Role::Standin);
    assert_eq!(verdict.answer(), Answer::Accepted);

    // Without keys nothing fails, yet nothing inside was checked: not "accepts".
    let keyless = judge(&good, None, None, NOW).verdict;
    assert!(keyless.iadvize == Acceptance::Unknown && keyless.rules == Rules::Unknown);
    // A 2048-bit recipient, as iAdvize's: production may accept it, nobody can tell.
    assert_eq!(keyless.production, Acceptance::Unknown);
    assert_eq!(keyless.recipient.role, Role::Unknown);
    assert_eq!(keyless.answer(), Answer::CannotTell);
    assert!(keyless.unchecked.contains(&Unchecked {
        check: CheckId::JwsSignature,
        needs: NeededKey::Decryption
    }));
    assert!(
        keyless
            .unchecked
            .iter()
            .any(|u| u.check == CheckId::ClaimsUserId)
    );

    // Opened but not verified: the signature is the one thing left.
    let opened = judge(&good, Some(&standin), None, NOW).verdict;
    assert_eq!(opened.iadvize, Acceptance::Unknown);
    assert_eq!(
        opened.unchecked,
        [Unchecked {
            check: CheckId::JwsSignature,
            needs: NeededKey::Verification
        }]
    );

    // Expired an hour ago: a failed check that iAdvize's library lets through.
    let late = judge(&good, Some(&standin), Some(&brand), NOW + 3600);
    assert!(!late.ok);
    let verdict = late.verdict.clone();
    assert_eq!(
        (verdict.iadvize, verdict.rules),
        (Acceptance::Accepts, Rules::Fail)
    );

    // Signed by another key: rejected.
    let forged = token(
        "other-private.pem",
        Recipient::Key(key("standin-iadvize-public.pem")),
        60,
    );
    let verdict = judge(&forged, Some(&standin), Some(&brand), NOW).verdict;
    assert_eq!(
        (verdict.iadvize, verdict.rules),
        (Acceptance::Rejects, Rules::Fail)
    );

    // Not encrypted: rejected, even with nothing else checked.
    let bare = token("brand-private.pem", Recipient::SignOnly, 60);
    let verdict = judge(&bare, None, None, NOW).verdict;
    assert_eq!(verdict.iadvize, Acceptance::Rejects);
}
