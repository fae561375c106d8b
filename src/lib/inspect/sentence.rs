//! The verdict in one sentence, the first line of every report (the command line's, the
//! server's, the inspector page's): whose verdict it is, what it is, and why.
//!
//! Each statement says its layer: what iAdvize's JOSE library does (Nimbus on iAdvize's
//! documented path, checked against the real library by the test suite), what iAdvize's
//! documented rules say, or, where neither decides, that iAdvize's service is not documented.

use super::options::Names;
use super::report::{Kind, Report};
use crate::keys::IADVIZE_PRODUCTION_SHA256;
use crate::verdict::{Acceptance, CheckId, JavaStack, NeededKey, Role, Rules, Status, Subject};

/// iAdvize's production key is RSA 2048-bit.
const PRODUCTION_BITS: usize = 2048;

impl Names<'_> {
    /// How to give the key a skipped check needs, e.g. `--decrypt-key (the private key the
    /// token was encrypted to)`.
    pub fn key(&self, key: NeededKey) -> String {
        match key {
            NeededKey::Decryption => format!(
                "{} (the private key the token was encrypted to)",
                self.decrypt_key
            ),
            NeededKey::Verification => format!(
                "{} (the brand's public key registered at iAdvize)",
                self.verify_key
            ),
        }
    }
}

/// A fingerprint as people compare it at a glance.
fn short(sha256: &str) -> String {
    format!("{}…", sha256.get(..8).unwrap_or(sha256))
}

/// The verdict of `report` in one sentence (or a few, for "cannot tell": what was checked, and
/// what to do next). Check messages are quoted as they are: a terminal escapes the sentence.
pub fn verdict_sentence(report: &Report, names: &Names<'_>) -> String {
    let verdict = &report.verdict;
    let words = Words { report, names };
    if verdict.subject == Subject::SignedToken {
        return words.signed_token();
    }
    if let Some(expected) = words.not_as_expected() {
        return expected;
    }
    match verdict.recipient.role {
        Role::Standin => words.standin(verdict.recipient.sha256.as_deref().unwrap_or("")),
        Role::Production => words.iadvize(),
        Role::Unknown if report.kind == Kind::Jws => words.bare_signed_token(),
        Role::Unknown if report.kind != Kind::Jwe => words.iadvize(),
        Role::Unknown => match &report.decrypt_key_sha256 {
            Some(given) => words.not_this_key(given),
            None => words.keyless(),
        },
    }
}

struct Words<'a> {
    report: &'a Report,
    names: &'a Names<'a>,
}

impl Words<'_> {
    /// The message of the first check that `wanted` picks.
    fn first(&self, wanted: impl Fn(CheckId, Status, JavaStack) -> bool) -> String {
        self.report
            .checks
            .iter()
            .find(|c| wanted(c.id, c.status, c.java_stack))
            .map(|c| c.message.clone())
            .unwrap_or_default()
    }

    /// Why iAdvize's library refuses it; `key_independent`: leaving out a key that does not
    /// open the token.
    fn refusal(&self, key_independent: bool) -> String {
        self.first(|id, status, java| {
            status == Status::Fail
                && java == JavaStack::Rejects
                && !(key_independent && id == CheckId::JweDecrypt)
        })
    }

    /// The first documented rule broken.
    fn broken_rule(&self) -> String {
        self.first(|id, status, _| {
            status == Status::Fail
                && !(id == CheckId::JweDecrypt
                    && self.report.verdict.recipient.role == Role::Unknown)
        })
    }

    /// `the inner signature was not checked; give --verify-key (…) to check it`.
    fn unchecked(&self) -> String {
        let unchecked = &self.report.verdict.unchecked;
        let has = |id| unchecked.iter().any(|u| u.check == id);
        let (inner, signature, claims) = (
            has(CheckId::JwsAlg),
            has(CheckId::JwsSignature),
            has(CheckId::ClaimsUserId),
        );
        let parts: Vec<&str> = [
            (inner, "the inner signed token"),
            (signature && !inner, "the inner signature"),
            (claims, "the claims"),
        ]
        .into_iter()
        .filter_map(|(is, words)| is.then_some(words))
        .collect();
        let what = match parts[..] {
            [] => "some checks were".to_string(),
            [one] => format!("{one} {}", if one.ends_with('s') { "were" } else { "was" }),
            _ => format!("{} were", parts.join(" and ")),
        };
        let mut keys: Vec<NeededKey> = Vec::new();
        for u in unchecked {
            if !keys.contains(&u.needs) {
                keys.push(u.needs);
            }
        }
        let give: Vec<String> = keys.iter().map(|k| self.names.key(*k)).collect();
        let them = if unchecked.len() == 1 { "it" } else { "them" };
        format!(
            "{what} not checked; give {} to check {them}",
            give.join(" and ")
        )
    }

    /// "cannot tell whether `who` accepts this token", with what was not checked and what was;
    /// or, when what was checked already breaks a documented rule (exit 1, as for a token
    /// rejected), that rule first.
    fn cannot_tell(&self, who: &str) -> String {
        match self.report.verdict.rules {
            Rules::Fail => format!(
                "this token breaks iAdvize's documented rules: {}; whether {who} accepts it \
                 cannot be told: {}.",
                self.broken_rule(),
                self.unchecked()
            ),
            _ => format!(
                "cannot tell whether {who} accepts this token: {}. {}",
                self.unchecked(),
                self.checked_so_far()
            ),
        }
    }

    /// A token of the other kind than the one expected (an encrypted token given where the
    /// inner signed token was expected): said first, since nothing else is the token's fault.
    fn not_as_expected(&self) -> Option<String> {
        let mismatch = self.report.kind == Kind::Jwe
            && self
                .report
                .checks
                .iter()
                .any(|c| c.id == CheckId::TokenEncrypted && c.status == Status::Fail);
        mismatch.then(|| {
            let expect = self.names.expect_jws;
            format!(
                "not a signed token, as {expect} expects: this is an encrypted token (JWE); \
                 judge it without {expect}, or give the inner signed token from the brand's \
                 backend."
            )
        })
    }

    /// What the checks made say, when something was left unchecked and none failed.
    fn checked_so_far(&self) -> String {
        let unopened = self.report.verdict.recipient.role == Role::Unknown;
        match &self.report.jwe {
            Some(jwe) if unopened => format!(
                "What could be checked without it passes: the token's form and headers, and a \
                 {}-bit recipient key, as iAdvize's production key has.",
                jwe.encrypted_key_bytes * 8
            ),
            _ => "What could be checked passes.".to_string(),
        }
    }

    /// The verdict of iAdvize itself: its production key opened the token, or nothing could
    /// (not a JWE).
    fn iadvize(&self) -> String {
        let verdict = &self.report.verdict;
        match verdict.iadvize {
            Acceptance::Rejects => format!(
                "iAdvize rejects this token: its JOSE library refuses it: {}.",
                self.refusal(false)
            ),
            Acceptance::Accepts if verdict.rules == Rules::Fail => format!(
                "iAdvize's JOSE library accepts this token, but it breaks iAdvize's documented \
                 rules: {}; whether iAdvize's service enforces them is not documented.",
                self.broken_rule()
            ),
            Acceptance::Accepts => "iAdvize accepts this token: its JOSE library opens and \
                                    verifies it, and it keeps iAdvize's documented rules."
                .to_string(),
            Acceptance::Unknown => self.cannot_tell("iAdvize"),
        }
    }

    /// A stand-in's private key opened the token.
    fn standin(&self, sha256: &str) -> String {
        let verdict = &self.report.verdict;
        let who = format!("your stand-in (SHA-256 {})", short(sha256));
        let production = "iAdvize's production service cannot open it: it is encrypted to the \
                          stand-in, not to iAdvize's key.";
        match verdict.iadvize {
            Acceptance::Rejects => format!(
                "{who} rejects this token, as iAdvize's JOSE library would: {}. {production}",
                self.refusal(false)
            ),
            Acceptance::Accepts if verdict.rules == Rules::Fail => format!(
                "{who} accepts this token as iAdvize's JOSE library would, but it breaks \
                 iAdvize's documented rules: {}. {production}",
                self.broken_rule()
            ),
            Acceptance::Accepts => {
                format!("{who} accepts this token as iAdvize would; {production}")
            }
            Acceptance::Unknown => format!("{} {production}", self.cannot_tell(&who)),
        }
    }

    /// A private key was given, and it does not open the token.
    fn not_this_key(&self, given: &str) -> String {
        let verdict = &self.report.verdict;
        let key = match given == IADVIZE_PRODUCTION_SHA256 {
            true => format!("iAdvize's production key (SHA-256 {})", short(given)),
            false => format!("{} (SHA-256 {})", self.names.standin_key, short(given)),
        };
        if verdict.production == Acceptance::Rejects {
            return format!(
                "iAdvize rejects this token: {}. (It is not encrypted to {key} either.)",
                self.production_refusal()
            );
        }
        let not_this_key = format!(
            "this token is not encrypted to {key}; a production token is encrypted to iAdvize's \
             key, which only iAdvize can open"
        );
        match verdict.rules {
            Rules::Fail => format!(
                "this token breaks iAdvize's documented rules: {}. Beyond that, nothing can be \
                 told: {not_this_key}.",
                self.broken_rule()
            ),
            _ => format!("cannot tell: {not_this_key}. {}", self.checked_so_far()),
        }
    }

    /// No private key was given: the support case of a production token.
    fn keyless(&self) -> String {
        let verdict = &self.report.verdict;
        if verdict.production == Acceptance::Rejects {
            return format!("iAdvize rejects this token: {}.", self.production_refusal());
        }
        format!(
            "{} A production token opens only with iAdvize's private key: ask the brand for the \
             inner signed token (JWS) its backend made before encrypting, and judge it with {}; \
             or rehearse with a stand-in key pair.",
            self.cannot_tell("iAdvize"),
            self.names.expect_jws,
        )
    }

    /// Why production refuses a token no key given opened: a refusal that does not depend on
    /// the key, or a recipient key of another size than iAdvize's.
    fn production_refusal(&self) -> String {
        let refusal = self.refusal(true);
        if !refusal.is_empty() {
            return format!("its JOSE library refuses it: {refusal}");
        }
        let bits = self
            .report
            .jwe
            .as_ref()
            .map_or(0, |jwe| jwe.encrypted_key_bytes * 8);
        format!(
            "it is encrypted to a {bits}-bit key, and iAdvize's production key has \
             {PRODUCTION_BITS} bits: it was made for another recipient (a stand-in, or the \
             brand's own key)"
        )
    }

    /// A signed token alone, not said to be the inner one: iAdvize refuses it as it is, and it
    /// may be the brand's inner token, which its other checks judge.
    fn bare_signed_token(&self) -> String {
        let encrypted = self.first(|id, _, _| id == CheckId::TokenEncrypted);
        let inner =
            self.first(|id, status, _| id != CheckId::TokenEncrypted && status == Status::Fail);
        let unchecked = !self.report.verdict.unchecked.is_empty();
        let as_inner = match (inner.is_empty(), unchecked) {
            (false, _) => format!("it is wrong: {inner}"),
            (true, true) => format!("it cannot be told right or wrong: {}", self.unchecked()),
            (true, false) => "it is right".to_string(),
        };
        format!(
            "iAdvize rejects this token: {encrypted}. If it is the brand's inner signed token, \
             taken from its backend before encryption, judged as one {as_inner}; {} says so \
             without this rejection.",
            self.names.expect_jws
        )
    }

    /// The inner signed token given alone.
    fn signed_token(&self) -> String {
        let verdict = &self.report.verdict;
        let encrypt = "iAdvize also needs it encrypted to its key (a JWE, RSA-OAEP-256 + \
                       A256GCM), and never accepts it as it is here";
        match verdict.iadvize {
            Acceptance::Rejects => format!(
                "the signed token is wrong: iAdvize's JOSE library would refuse it once \
                 decrypted: {}.",
                self.refusal(false)
            ),
            Acceptance::Accepts if verdict.rules == Rules::Fail => format!(
                "the signed token passes iAdvize's JOSE library but breaks iAdvize's documented \
                 rules: {}; {encrypt}.",
                self.broken_rule()
            ),
            Acceptance::Accepts => format!("the signed token is right; {encrypt}."),
            Acceptance::Unknown if verdict.rules == Rules::Fail => format!(
                "the signed token breaks iAdvize's documented rules: {}; whether iAdvize's JOSE \
                 library would accept it cannot be told: {}.",
                self.broken_rule(),
                self.unchecked()
            ),
            Acceptance::Unknown => format!(
                "cannot tell whether the signed token is right: {}. {}",
                self.unchecked(),
                self.checked_so_far()
            ),
        }
    }
}
