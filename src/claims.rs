//! iAdvize's rules for the claims inside the signed token, shared by `mint` (which refuses to
//! break them) and `inspect` (which reports where a token breaks them).

use serde_json::{Map, Value};

/// The user id claim: required, a string, unique and stable per user, at most 255 characters.
pub const USER_ID_CLAIM: &str = "https://iadvize.com/userId";
/// The optional visitor details claim: an object of string fields.
pub const VISITOR_DATA_CLAIM: &str = "https://iadvize.com/visitorData";
/// Every custom claim must start with this prefix.
pub const IADVIZE_PREFIX: &str = "https://iadvize.com/";
/// iAdvize's limit on the user id's length.
pub const MAX_USER_ID_CHARS: usize = 255;
/// The visitor data fields iAdvize documents.
pub const VISITOR_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "address",
    "city",
    "zipCode",
    "country",
    "phoneNumber",
    "email",
];
/// Registered JWT claim names (RFC 7519 §4.1): allowed without the iAdvize prefix.
pub const REGISTERED_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];
/// Claims `mint` sets from its own flags, so `--claim` may not set them.
const MINT_OWNED_CLAIMS: &[(&str, &str)] = &[
    (USER_ID_CLAIM, "--user-id"),
    (VISITOR_DATA_CLAIM, "--visitor-data or --visitor"),
    ("iat", "--now"),
    ("exp", "--ttl"),
    ("iss", "--issuer"),
];

/// Values that look like a placeholder rather than one person's id. Shared by several people,
/// such an id merges their conversations at iAdvize.
const PLACEHOLDERS: &[&str] = &[
    "0",
    "-1",
    "admin",
    "anonymous",
    "default",
    "demo",
    "example",
    "false",
    "guest",
    "id",
    "nan",
    "nil",
    "none",
    "null",
    "test",
    "true",
    "undefined",
    "unknown",
    "user",
    "userid",
    "user_id",
    "visitor",
    "[object object]",
];

/// Why a value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("the user id is empty")]
    EmptyUserId,
    #[error("the user id is {len} characters long; iAdvize accepts at most {MAX_USER_ID_CHARS}")]
    UserIdTooLong { len: usize },
    #[error("the user id contains a control character ({found}); remove it")]
    UserIdControl { found: String },
    #[error(
        "unknown visitor data field {field:?}; the known fields are {}",
        VISITOR_FIELDS.join(", ")
    )]
    UnknownVisitorField { field: String },
    #[error(
        "visitor data field {field:?} must be a string, not {found}; the known fields are {}",
        VISITOR_FIELDS.join(", ")
    )]
    VisitorFieldNotString { field: String, found: &'static str },
    #[error("visitor data must be a JSON object of string fields, not {found}")]
    VisitorDataNotObject { found: &'static str },
    #[error(
        "claim {name:?} is neither a registered JWT claim nor prefixed with \
         {IADVIZE_PREFIX}: iAdvize requires the prefix, e.g. {IADVIZE_PREFIX}{name}"
    )]
    UnprefixedClaim { name: String },
    #[error("claim {name:?} is set by {flag}; use that instead")]
    OwnedClaim { name: String, flag: &'static str },
}

/// Length as Java counts it (UTF-16 code units): iAdvize's backend is written in Java, so a
/// character outside the Basic Multilingual Plane counts twice.
pub fn java_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Checks a user id against iAdvize's rules. `Ok` may still carry a warning.
pub fn check_user_id(user_id: &str) -> Result<Option<String>, ClaimError> {
    if user_id.is_empty() {
        return Err(ClaimError::EmptyUserId);
    }
    let len = java_length(user_id);
    if len > MAX_USER_ID_CHARS {
        return Err(ClaimError::UserIdTooLong { len });
    }
    if let Some(c) = user_id.chars().find(|c| c.is_control()) {
        return Err(ClaimError::UserIdControl {
            found: c.escape_unicode().to_string(),
        });
    }
    Ok(user_id_warning(user_id))
}

/// A warning for ids that are valid but probably wrong.
pub fn user_id_warning(user_id: &str) -> Option<String> {
    let lowered = user_id.trim().to_lowercase();
    if PLACEHOLDERS.contains(&lowered.as_str())
        || lowered.contains("{{")
        || lowered.contains("${")
        || lowered.contains("<%")
    {
        return Some(format!(
            "user id {user_id:?} looks like a placeholder: if several people share it, iAdvize \
             merges them into one visitor who can read all their conversations"
        ));
    }
    if user_id.trim() != user_id {
        return Some(format!(
            "user id {user_id:?} has leading or trailing whitespace, so it differs from the \
             same id without it"
        ));
    }
    None
}

/// Describes a JSON value's type for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks visitor data for `mint`: an object whose fields are all known and all strings.
pub fn check_visitor_data(value: &Value) -> Result<(), ClaimError> {
    let Value::Object(fields) = value else {
        return Err(ClaimError::VisitorDataNotObject {
            found: json_type(value),
        });
    };
    for (field, value) in fields {
        if !VISITOR_FIELDS.contains(&field.as_str()) {
            return Err(ClaimError::UnknownVisitorField {
                field: field.clone(),
            });
        }
        if !value.is_string() {
            return Err(ClaimError::VisitorFieldNotString {
                field: field.clone(),
                found: json_type(value),
            });
        }
    }
    Ok(())
}

/// True for a registered JWT claim or an iAdvize-prefixed one.
pub fn is_allowed_claim_name(name: &str) -> bool {
    REGISTERED_CLAIMS.contains(&name) || name.starts_with(IADVIZE_PREFIX)
}

/// Checks the name of an extra claim given to `mint`.
pub fn check_extra_claim_name(name: &str) -> Result<(), ClaimError> {
    if let Some((_, flag)) = MINT_OWNED_CLAIMS.iter().find(|(owned, _)| *owned == name) {
        return Err(ClaimError::OwnedClaim {
            name: name.to_string(),
            flag,
        });
    }
    if !is_allowed_claim_name(name) {
        return Err(ClaimError::UnprefixedClaim {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Everything about the claims that is the same for every token of a `mint` run.
#[derive(Debug, Clone, Default)]
pub struct ClaimsTemplate {
    pub issuer: Option<String>,
    pub visitor_data: Option<Map<String, Value>>,
    pub extra: Map<String, Value>,
    /// Lifetime in seconds: `exp` = `iat` + `ttl`.
    pub ttl: u64,
}

impl ClaimsTemplate {
    /// The claims of one token. `iat` and `exp` are integers, as iAdvize's example has them.
    pub fn claims_for(&self, user_id: &str, issued_at: i64) -> Map<String, Value> {
        let mut claims = Map::new();
        claims.insert(USER_ID_CLAIM.into(), Value::String(user_id.into()));
        claims.insert("iat".into(), Value::from(issued_at));
        let expires = issued_at.saturating_add(i64::try_from(self.ttl).unwrap_or(i64::MAX));
        claims.insert("exp".into(), Value::from(expires));
        if let Some(issuer) = &self.issuer {
            claims.insert("iss".into(), Value::String(issuer.clone()));
        }
        if let Some(visitor) = &self.visitor_data {
            claims.insert(VISITOR_DATA_CLAIM.into(), Value::Object(visitor.clone()));
        }
        for (name, value) in &self.extra {
            claims.insert(name.clone(), value.clone());
        }
        claims
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_rules() {
        assert_eq!(check_user_id(""), Err(ClaimError::EmptyUserId));
        assert!(check_user_id(&"a".repeat(255)).unwrap().is_none());
        assert_eq!(
            check_user_id(&"a".repeat(256)),
            Err(ClaimError::UserIdTooLong { len: 256 })
        );
        // 128 emoji are 256 UTF-16 code units.
        assert!(check_user_id(&"😀".repeat(128)).is_err());
        assert!(check_user_id("a\u{7}b").is_err());
        assert!(check_user_id("a\nb").is_err());
        assert!(check_user_id("Undefined").unwrap().is_some());
        assert!(check_user_id("{{user.id}}").unwrap().is_some());
        assert!(check_user_id(" 42").unwrap().is_some());
        assert!(check_user_id("customer-8812").unwrap().is_none());
    }

    #[test]
    fn visitor_data_rules() {
        let ok = serde_json::json!({"firstName": "Jane", "email": "j@example.com"});
        assert!(check_visitor_data(&ok).is_ok());
        let unknown = serde_json::json!({"nickname": "J"});
        let err = check_visitor_data(&unknown).unwrap_err().to_string();
        assert!(
            err.contains("nickname") && err.contains("firstName, lastName"),
            "{err}"
        );
        let number = serde_json::json!({"zipCode": 44000});
        assert!(matches!(
            check_visitor_data(&number),
            Err(ClaimError::VisitorFieldNotString { .. })
        ));
        assert!(check_visitor_data(&serde_json::json!([])).is_err());
    }

    #[test]
    fn claim_names() {
        assert!(check_extra_claim_name("jti").is_ok());
        assert!(check_extra_claim_name("https://iadvize.com/segment").is_ok());
        let err = check_extra_claim_name("segment").unwrap_err().to_string();
        assert!(err.contains("https://iadvize.com/segment"), "{err}");
        assert!(matches!(
            check_extra_claim_name("exp"),
            Err(ClaimError::OwnedClaim { .. })
        ));
    }

    #[test]
    fn claims_have_integer_times() {
        let template = ClaimsTemplate {
            ttl: 60,
            issuer: Some("https://brand.example".into()),
            ..ClaimsTemplate::default()
        };
        let claims = template.claims_for("u-1", 1_700_000_000);
        assert_eq!(
            serde_json::to_string(&claims).unwrap(),
            r#"{"https://iadvize.com/userId":"u-1","iat":1700000000,"exp":1700000060,"iss":"https://brand.example"}"#
        );
    }
}
