//! The inspection report: a stable contract (`inspect --json`), documented in docs/cli.md.

use serde::Serialize;
use serde_json::Value;

use super::check::Check;
use crate::verdict::{Acceptance, CheckId, JavaStack, Rules, Status, Unchecked, Verdict};

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
    /// The compact JWS itself (for a JWE: its decrypted plaintext).
    pub token: String,
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
    /// The decrypted content when it is not a signed token (e.g. claims encrypted without
    /// being signed); `null` otherwise.
    pub decrypted_payload: Option<String>,
}

impl Report {
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The verdict: iAdvize's Java stack rejects the token when any check failed for a reason
    /// that stack refuses; otherwise it accepts it only if nothing that decides it was left
    /// unchecked. The rules pass when no check failed and nothing was left unchecked. "No
    /// check failed" is not "accepted": a token whose signature was not checked may still be
    /// refused, and several failures are ones that stack lets through.
    pub fn verdict(&self) -> Verdict {
        let unchecked: Vec<Unchecked> = self
            .checks
            .iter()
            .filter_map(|c| c.needs.map(|needs| Unchecked { check: c.id, needs }))
            .collect();
        let failed = |java: Option<JavaStack>| {
            self.checks
                .iter()
                .any(|c| c.status == Status::Fail && java.is_none_or(|j| c.java_stack == j))
        };
        let iadvize = if failed(Some(JavaStack::Rejects)) {
            Acceptance::Rejects
        } else if unchecked.is_empty() {
            Acceptance::Accepts
        } else {
            Acceptance::Unknown
        };
        let rules = if failed(None) {
            Rules::Fail
        } else if unchecked.is_empty() {
            Rules::Pass
        } else {
            Rules::Unknown
        };
        Verdict {
            iadvize,
            rules,
            unchecked,
        }
    }
}
