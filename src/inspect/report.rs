//! The inspection report: a stable contract (`inspect --json`), documented in docs/cli.md.

use serde::Serialize;
use serde_json::Value;

/// Every check, in the order the report lists them. Ids are stable: scripts depend on them.
pub const CHECK_IDS: &[&str] = &[
    "token.format",
    "token.encrypted",
    "jwe.header_size",
    "jwe.alg",
    "jwe.enc",
    "jwe.cty",
    "jwe.crit",
    "jwe.iv",
    "jwe.tag",
    "jwe.decrypt",
    "jws.format",
    "jws.alg",
    "jws.crit",
    "jws.signature",
    "claims.json",
    "claims.user_id",
    "claims.exp",
    "claims.lifetime",
    "claims.iat",
    "claims.nbf",
    "claims.prefix",
    "claims.visitor_data",
];

/// What kind of token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Jwe,
    Jws,
    Unknown,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

/// What iAdvize's Java stack (Nimbus JOSE+JWT on its documented decrypt-then-verify path)
/// does with a token that has this problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JavaStack {
    /// The library refuses the token for this reason: it fails at iAdvize now.
    #[serde(rename = "rejects")]
    Rejects,
    /// The library lets it through although iAdvize's rules are broken: it works by accident.
    #[serde(rename = "accepts")]
    Accepts,
    /// Not a question for the library (a pass, a skip, or a rule only iAdvize's application
    /// enforces).
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl JavaStack {
    /// The report's words for it.
    pub fn describe(self) -> Option<&'static str> {
        match self {
            JavaStack::Rejects => Some("iAdvize's Java library rejects this: it fails now"),
            JavaStack::Accepts => Some(
                "iAdvize's Java library lets this through today: it works by accident, fix it before it breaks",
            ),
            JavaStack::NotApplicable => None,
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub status: Status,
    pub message: String,
    /// What to change; `null` when there is nothing to change.
    pub hint: Option<String>,
    pub java_stack: JavaStack,
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
    /// Copy-paste noise removed from the input before reading it (additive to the schema).
    pub input_warnings: Vec<String>,
    /// The decrypted content when it is not a signed token (e.g. claims encrypted without
    /// being signed); `null` otherwise.
    pub decrypted_payload: Option<String>,
}

impl Report {
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}
