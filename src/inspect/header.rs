//! A protected header, JWE or JWS, and the checks both kinds share: its size, its `alg` and its
//! `crit`.

use serde_json::{Map, Value};

use super::check::Checks;
use super::json::{self, ObjectRead};
use crate::text::java_length;
use crate::verdict::{CheckId, JavaStack};

/// Nimbus refuses protected headers longer than this after decoding, counted as Java counts
/// a String's length (UTF-16 units).
const MAX_HEADER_CHARS: usize = 20_000;

/// The fix for a protected header with a member name twice.
pub(super) const HEADER_JSON_HINT: &str = "serialise the header with a JSON library, each \
     member once: parsers disagree on anything else";

/// What is wrong with a header that iAdvize's library still reads, and whether it then lets
/// the token through.
pub(super) type HeaderFlaw = (String, JavaStack);

/// A decoded protected header.
pub(super) struct Header {
    pub(super) members: Map<String, Value>,
    /// Its length as Java counts it (UTF-16 units, which Nimbus's limit counts: an emoji is
    /// two).
    pub(super) chars: usize,
    /// What is wrong with its JSON.
    pub(super) flaw: Option<HeaderFlaw>,
}

impl Header {
    /// Reads the decoded protected header of a `kind` ("JWE" or "JWS").
    pub(super) fn decode(bytes: &[u8], kind: &str) -> Result<Header, String> {
        let chars = java_length(&String::from_utf8_lossy(bytes));
        let what = format!("the {kind} protected header");
        let (members, flaw) = match json::read_object(bytes, &what, false, false) {
            ObjectRead::Clean(members) => (members, None),
            ObjectRead::Flawed {
                map,
                problem,
                java_stack,
            } => (map, Some((problem, java_stack))),
            ObjectRead::Unusable(problem) => return Err(problem),
        };
        Ok(Header {
            members,
            chars,
            flaw,
        })
    }

    /// A member, when it is a string.
    pub(super) fn str(&self, name: &str) -> Option<&str> {
        self.members.get(name).and_then(Value::as_str)
    }

    /// When the header is over Nimbus's limit: the problem, and its fix (`keep` names the
    /// members the header needs).
    pub(super) fn too_long(&self, keep: &str) -> Option<(String, String)> {
        (self.chars > MAX_HEADER_CHARS).then(|| {
            (
                format!(
                    "the protected header is {} characters long (UTF-16 units, as Java counts)",
                    self.chars
                ),
                format!(
                    "keep the header to {keep}: iAdvize's library refuses headers over \
                     {MAX_HEADER_CHARS} characters"
                ),
            )
        })
    }

    /// The header's `alg` as a string; a missing or non-string one fails check `id` (the
    /// library cannot read such a header) and gives `None`.
    pub(super) fn alg(
        &self,
        id: CheckId,
        kind: &str,
        expected: &str,
        checks: &mut Checks,
    ) -> Option<&str> {
        let message = match self.members.get("alg") {
            Some(Value::String(alg)) => return Some(alg),
            Some(other) => format!("alg is {other}, not a string"),
            None => format!("the {kind} header has no alg"),
        };
        checks.fail(
            id,
            message,
            format!("set alg to \"{expected}\""),
            JavaStack::Rejects,
        );
        None
    }

    /// `crit`: iAdvize's library refuses a token with a critical extension it does not
    /// understand; of those this check knows, it understands only `understood` (for a JWS,
    /// `b64` of RFC 7797, which `RSASSAVerifier` handles).
    pub(super) fn check_crit(&self, id: CheckId, understood: &[&str], checks: &mut Checks) {
        let Some(crit) = self.members.get("crit") else {
            return checks.pass(id, "no crit header");
        };
        let names: Vec<&str> = crit
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let all_understood = !names.is_empty()
            && crit.as_array().is_some_and(|a| a.len() == names.len())
            && names.iter().all(|name| understood.contains(name));
        if all_understood {
            checks.warn(
                id,
                format!("the header marks {crit} as critical, which iAdvize's library understands"),
                "remove crit: iAdvize's example header is only {\"alg\":\"RS256\"}",
                JavaStack::Accepts,
            );
        } else {
            checks.fail(
                id,
                format!("the header marks {crit} as critical"),
                "remove crit: iAdvize's library understands no such critical extension and \
                 refuses the token",
                JavaStack::Rejects,
            );
        }
    }
}
