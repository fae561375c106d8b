//! The inspection report: a stable contract (`inspect --json`), documented in docs/cli.md.

use serde::Serialize;
use serde_json::Value;

use super::check::Check;
use crate::keys::IADVIZE_PRODUCTION_SHA256;
use crate::verdict::{
    Acceptance, CheckId, JavaStack, Recipient, Role, Rules, Status, Subject, Unchecked, Verdict,
};

/// What kind of token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Jwe,
    Jws,
    Unknown,
}

/// What can be seen of the outer JWE without its key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JweView {
    pub header: Value,
    /// Length of the encrypted key: the recipient's RSA modulus size in bytes.
    pub encrypted_key_bytes: usize,
    pub iv_bytes: usize,
    pub tag_bytes: usize,
    pub ciphertext_bytes: usize,
}

/// The signed token: the bare token, or the JWE's decrypted content.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JwsView {
    pub header: Value,
    /// The claims as parsed, or `null` when the payload is not a JSON object.
    pub claims: Value,
    /// The compact JWS itself (for a JWE: its decrypted plaintext); left out of a report
    /// [without signatures](Report::without_signatures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// What `inspect` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub kind: Kind,
    pub jwe: Option<JweView>,
    pub jws: Option<JwsView>,
    pub checks: Vec<Check>,
    /// True when no check failed.
    pub ok: bool,
    /// The judgements, computed once from the checks.
    pub verdict: Verdict,
    /// The SHA-256 fingerprint of the private key given to open the token, if any.
    pub decrypt_key_sha256: Option<String>,
    /// The decrypted content when it is not a signed token (e.g. claims encrypted without
    /// being signed); `null` otherwise.
    pub decrypted_payload: Option<String>,
}

impl Report {
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Whether the private key given does not open the token: it is for another recipient
    /// (production, or another stand-in), which nobody holding this key can tell.
    pub fn given_key_does_not_open(&self) -> bool {
        self.kind == Kind::Jwe
            && self.decrypt_key_sha256.is_some()
            && self.verdict.recipient.role == Role::Unknown
    }

    /// The report with no signature in it, for whoever may not hold a brand-signed token: the
    /// inner token is left out, and in the decrypted content and the checks' words every run
    /// of 40 or more base64, base64url or hex characters that is not base64url of JSON text
    /// is replaced, whatever the content's shape (`JWS.x`, `Bearer JWS`, `{"token": JWS}`, JSON
    /// serialisation). Signed with the brand's key, a signature could be encrypted again to
    /// iAdvize's key with its header and payload, and replayed.
    pub fn without_signatures(mut self) -> Report {
        if let Some(jws) = &mut self.jws {
            jws.token = None;
        }
        if let Some(payload) = &mut self.decrypted_payload {
            *payload = without_signatures(payload);
        }
        for check in &mut self.checks {
            check.message = without_signatures(&check.message);
            if let Some(hint) = &mut check.hint {
                *hint = without_signatures(hint);
            }
        }
        self
    }
}

/// What the inspector learnt about the recipient of a JWE from the private key it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Opening {
    /// No private key was given.
    Keyless,
    /// The key given unwrapped the content key: the token was encrypted to it.
    Opens,
    /// The key given is not the one the token was encrypted to.
    DoesNotOpen,
}

/// iAdvize's production key is RSA 2048-bit: its encrypted key is 256 bytes.
const PRODUCTION_ENCRYPTED_KEY_BYTES: usize = 256;

/// The verdict about `subject`, from the checks and what opened the token (`opened`: the SHA-256 fingerprint
/// of the key that did).
///
/// iAdvize's Java stack (holding the key given) rejects the token when any check failed for a
/// reason that stack refuses; otherwise it accepts it only if nothing that decides it was left
/// unchecked. "No check failed" is not "accepted": a token whose signature was not checked may
/// still be refused, and several failures are ones that stack lets through. The rules pass when
/// no check failed and nothing was left unchecked; a key that does not open the token says
/// nothing about the rules (the token may be for another key). Production follows from the
/// recipient: its own verdict for its own key, a rejection for a stand-in's, and for an
/// unopened token a rejection only for what does not depend on the key.
pub(super) fn judge(
    subject: Subject,
    jwe: Option<&JweView>,
    checks: &[Check],
    opening: Opening,
    opened_by: Option<String>,
) -> Verdict {
    let unchecked: Vec<Unchecked> = checks
        .iter()
        .filter_map(|c| c.needs.map(|needs| Unchecked { check: c.id, needs }))
        .collect();
    // With a key that does not open the token, jwe.decrypt's failure is about the key.
    let about_the_key = |c: &Check| c.id == CheckId::JweDecrypt && opening == Opening::DoesNotOpen;
    let failed = |java: Option<JavaStack>, token_only: bool| {
        checks.iter().any(|c| {
            c.status == Status::Fail
                && java.is_none_or(|j| c.java_stack == j)
                && !(token_only && about_the_key(c))
        })
    };
    let iadvize = if failed(Some(JavaStack::Rejects), false) {
        Acceptance::Rejects
    } else if unchecked.is_empty() {
        Acceptance::Accepts
    } else {
        Acceptance::Unknown
    };
    let rules = if failed(None, true) {
        Rules::Fail
    } else if unchecked.is_empty() {
        Rules::Pass
    } else {
        Rules::Unknown
    };
    let role = match (&opened_by, opening) {
        (Some(sha256), Opening::Opens) if sha256 == IADVIZE_PRODUCTION_SHA256 => Role::Production,
        (Some(_), Opening::Opens) => Role::Standin,
        _ => Role::Unknown,
    };
    let production = match role {
        // The token iAdvize would receive is not here.
        _ if subject == Subject::SignedToken => Acceptance::Unknown,
        Role::Production => iadvize,
        Role::Standin => Acceptance::Rejects,
        Role::Unknown => match jwe {
            None => Acceptance::Rejects,
            Some(_) if failed(Some(JavaStack::Rejects), true) => Acceptance::Rejects,
            Some(jwe) if jwe.encrypted_key_bytes != PRODUCTION_ENCRYPTED_KEY_BYTES => {
                Acceptance::Rejects
            }
            Some(_) => Acceptance::Unknown,
        },
    };
    Verdict {
        subject,
        iadvize,
        production,
        recipient: Recipient {
            role,
            sha256: match role {
                Role::Unknown => None,
                _ => opened_by,
            },
        },
        rules,
        unchecked,
    }
}

/// Runs of this many signature characters or more are removed.
const SIGNATURE_RUN: usize = 40;

/// `text` with every long run of base64, base64url or hex characters that is not base64url of
/// JSON text (a JOSE header or payload) replaced by `[removed: N characters]`.
fn without_signatures(text: &str) -> String {
    let is_sig_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '_' | '-' | '=');
    crate::text::replace_runs(text, is_sig_char, |run| {
        (run.len() >= SIGNATURE_RUN && !is_json_part(run))
            .then(|| format!("[removed: {} characters]", run.len()))
    })
}

/// True for base64url (padded or not) of JSON text: a JOSE header or payload, not a signature.
fn is_json_part(run: &str) -> bool {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(run.trim_end_matches('='));
    bytes.is_ok_and(|bytes| serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v.is_object()))
}
