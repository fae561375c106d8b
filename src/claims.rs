//! iAdvize's rules for the claims inside the signed token, shared by `mint` (which refuses to
//! break them) and `inspect` (which reports where a token breaks them).

use serde_json::{Map, Value};

use crate::text::{invisible_character, java_length, json_type};

/// The user id claim: required, a string, unique and stable per user, at most 255 UTF-16 units.
pub const USER_ID_CLAIM: &str = "https://iadvize.com/userId";
/// The optional visitor details claim: an object of string fields.
pub(crate) const VISITOR_DATA_CLAIM: &str = "https://iadvize.com/visitorData";
/// Every custom claim must start with this prefix.
pub(crate) const IADVIZE_PREFIX: &str = "https://iadvize.com/";
/// iAdvize's limit on the user id's length, in UTF-16 units (see [`java_length`]).
const MAX_USER_ID_CHARS: usize = 255;
/// The visitor data fields iAdvize documents.
pub(crate) const VISITOR_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "address",
    "city",
    "zipCode",
    "country",
    "phoneNumber",
    "email",
];
/// iAdvize recommends a one-minute token lifetime; past an hour is worth a warning: a leaked
/// token stays usable for its whole lifetime.
pub(crate) const LONG_LIFETIME_SECONDS: u64 = 3600;
/// Registered JWT claim names (RFC 7519 §4.1): allowed without the iAdvize prefix.
const REGISTERED_CLAIMS: &[&str] = &["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];
/// Claims that minting sets itself from what it is given, so that an extra claim may not set
/// them.
const MINT_OWNED_CLAIMS: &[(&str, OwnedBy)] = &[
    (USER_ID_CLAIM, OwnedBy::UserId),
    (VISITOR_DATA_CLAIM, OwnedBy::VisitorData),
    ("iat", OwnedBy::IssueTime),
    ("exp", OwnedBy::Lifetime),
    ("iss", OwnedBy::Issuer),
];

/// What sets a claim that minting owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnedBy {
    UserId,
    VisitorData,
    IssueTime,
    Lifetime,
    Issuer,
}

impl std::fmt::Display for OwnedBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OwnedBy::UserId => "the user id",
            OwnedBy::VisitorData => "the visitor data",
            OwnedBy::IssueTime => "the issue time",
            OwnedBy::Lifetime => "the token lifetime",
            OwnedBy::Issuer => "the issuer",
        })
    }
}

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
    #[error("the user id is empty or only whitespace")]
    EmptyUserId,
    #[error(
        "the user id is {len} {}; iAdvize accepts at most {MAX_USER_ID_CHARS}",
        if *.ascii { "characters long" } else { "UTF-16 units long (as Java counts them)" }
    )]
    UserIdTooLong {
        /// Length in UTF-16 units, which is the character count when `ascii`.
        len: usize,
        ascii: bool,
    },
    #[error("the user id contains a control character ({found}); remove it")]
    UserIdControl { found: String },
    #[error(
        "the user id contains an invisible character, {code_point} ({name}), so it looks like \
         another id; remove it"
    )]
    UserIdInvisible {
        /// `U+200B` and the like.
        code_point: String,
        name: &'static str,
    },
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
    #[error("visitor data field {field:?} is given more than once; give each field once")]
    DuplicateVisitorField { field: String },
    #[error("visitor data field {field:?} is longer than 4 GiB")]
    VisitorValueTooLong { field: String },
    #[error("not valid JSON: {0}")]
    NotJson(String),
    #[error(
        "claim {name:?} is neither a registered JWT claim nor prefixed with \
         {IADVIZE_PREFIX}: iAdvize requires the prefix, e.g. {IADVIZE_PREFIX}{name}"
    )]
    UnprefixedClaim { name: String },
    #[error(
        "claim {name:?} does not start with exactly {IADVIZE_PREFIX} (https, lowercase), the \
         prefix iAdvize requires: write {suggestion}"
    )]
    MisspelledPrefix { name: String, suggestion: String },
    #[error(
        "claim {name:?} has no name after the prefix; write {IADVIZE_PREFIX}NAME, e.g. \
         {IADVIZE_PREFIX}plan"
    )]
    PrefixOnly { name: String },
    #[error("claim {name:?} is set from {owner}; set that instead")]
    OwnedClaim { name: String, owner: OwnedBy },
}

/// A user id that iAdvize accepts but that is probably a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UserIdWarning {
    /// `test`, `null`, `{{user.id}}` …: shared by several people, it merges them.
    Placeholder,
    /// Leading or trailing whitespace: a different id from the same one without it.
    Whitespace,
}

impl UserIdWarning {
    /// The warning about `user_id`, for a person to read.
    pub fn message(self, user_id: &str) -> String {
        match self {
            UserIdWarning::Placeholder => format!(
                "user id {user_id:?} looks like a placeholder: if several people share it, \
                 iAdvize merges them into one visitor who can read all their conversations"
            ),
            UserIdWarning::Whitespace => format!(
                "user id {user_id:?} has leading or trailing whitespace, so it differs from \
                 the same id without it"
            ),
        }
    }
}

/// Checks a user id against iAdvize's rules. `Ok` may still carry a warning.
pub(crate) fn check_user_id(user_id: &str) -> Result<Option<String>, ClaimError> {
    Ok(validate_user_id(user_id)?.map(|warning| warning.message(user_id)))
}

/// Checks a user id against iAdvize's rules: not empty or only whitespace, at most 255 UTF-16
/// units, no control or invisible character. `Ok` may still carry a warning.
pub(crate) fn validate_user_id(user_id: &str) -> Result<Option<UserIdWarning>, ClaimError> {
    if user_id.trim().is_empty() {
        return Err(ClaimError::EmptyUserId);
    }
    let len = java_length(user_id);
    if len > MAX_USER_ID_CHARS {
        return Err(ClaimError::UserIdTooLong {
            len,
            ascii: user_id.is_ascii(),
        });
    }
    if let Some(c) = user_id.chars().find(|c| c.is_control()) {
        return Err(ClaimError::UserIdControl {
            found: c.escape_unicode().to_string(),
        });
    }
    if let Some((c, name)) = user_id
        .chars()
        .find_map(|c| invisible_character(c).map(|name| (c, name)))
    {
        return Err(ClaimError::UserIdInvisible {
            code_point: format!("U+{:04X}", u32::from(c)),
            name,
        });
    }
    Ok(user_id_warning_kind(user_id))
}

fn user_id_warning_kind(user_id: &str) -> Option<UserIdWarning> {
    let lowered = user_id.trim().to_lowercase();
    if PLACEHOLDERS.contains(&lowered.as_str())
        || lowered.contains("{{")
        || lowered.contains("${")
        || lowered.contains("<%")
    {
        return Some(UserIdWarning::Placeholder);
    }
    if user_id.trim() != user_id {
        return Some(UserIdWarning::Whitespace);
    }
    None
}

/// Checks visitor data for `mint`: an object whose fields are all known and all strings.
pub(crate) fn check_visitor_data(value: &Value) -> Result<(), ClaimError> {
    match value {
        Value::Object(fields) => check_visitor_fields(fields),
        _ => Err(ClaimError::VisitorDataNotObject {
            found: json_type(value),
        }),
    }
}

/// Checks visitor data fields: all known, all strings.
pub fn check_visitor_fields(fields: &Map<String, Value>) -> Result<(), ClaimError> {
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

/// A user's visitor data: known fields with string values, in one allocation (a batch keeps one
/// per row). Each field is stored as its index in the known fields, the value's length in
/// bytes (four bytes, little-endian), then the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorData(Box<[u8]>);

impl VisitorData {
    /// Checks the fields (known, each once) and keeps them in this order.
    pub fn from_fields<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ClaimError> {
        let mut bytes = Vec::new();
        let mut seen = [false; VISITOR_FIELDS.len()];
        for (field, value) in fields {
            let Some(index) = VISITOR_FIELDS.iter().position(|known| *known == field) else {
                return Err(ClaimError::UnknownVisitorField {
                    field: field.to_string(),
                });
            };
            if std::mem::replace(&mut seen[index], true) {
                return Err(ClaimError::DuplicateVisitorField {
                    field: field.to_string(),
                });
            }
            let len = u32::try_from(value.len()).map_err(|_| ClaimError::VisitorValueTooLong {
                field: field.to_string(),
            })?;
            bytes.push(u8::try_from(index).unwrap_or(u8::MAX));
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(value.as_bytes());
        }
        Ok(VisitorData(bytes.into_boxed_slice()))
    }

    /// Checks a JSON object of visitor data: known fields, string values.
    pub fn from_map(map: &Map<String, Value>) -> Result<Self, ClaimError> {
        check_visitor_fields(map)?;
        VisitorData::from_fields(
            map.iter()
                .map(|(field, value)| (field.as_str(), value.as_str().unwrap_or_default())),
        )
    }

    /// The fields and their values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let mut rest = &self.0[..];
        std::iter::from_fn(move || {
            let (&index, after) = rest.split_first()?;
            let (len, after) = after.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
            let (value, after) = after.split_at_checked(len)?;
            rest = after;
            let field = VISITOR_FIELDS.get(usize::from(index))?;
            Some((*field, std::str::from_utf8(value).ok()?))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As the JSON object a token carries.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(field, value)| (field.to_string(), Value::String(value.to_string())))
            .collect()
    }
}

/// True for a registered JWT claim or an iAdvize-prefixed one.
pub(crate) fn is_allowed_claim_name(name: &str) -> bool {
    REGISTERED_CLAIMS.contains(&name) || name.starts_with(IADVIZE_PREFIX)
}

/// Checks the name of an extra claim given to `mint`.
pub(crate) fn check_extra_claim_name(name: &str) -> Result<(), ClaimError> {
    if let Some((_, owner)) = MINT_OWNED_CLAIMS.iter().find(|(owned, _)| *owned == name) {
        return Err(ClaimError::OwnedClaim {
            name: name.to_string(),
            owner: *owner,
        });
    }
    if name == IADVIZE_PREFIX {
        return Err(ClaimError::PrefixOnly { name: name.into() });
    }
    if is_allowed_claim_name(name) {
        return Ok(());
    }
    // `http://…`, `HTTPS://iAdvize.com/…`, `www.iadvize.com/…`: the prefix, misspelled.
    const DOMAIN: &str = "iadvize.com";
    if let Some(at) = name.to_ascii_lowercase().find(DOMAIN) {
        let rest = name[at + DOMAIN.len()..].trim_start_matches('/');
        if rest.is_empty() {
            return Err(ClaimError::PrefixOnly { name: name.into() });
        }
        return Err(ClaimError::MisspelledPrefix {
            name: name.into(),
            suggestion: format!("{IADVIZE_PREFIX}{rest}"),
        });
    }
    Err(ClaimError::UnprefixedClaim { name: name.into() })
}

/// Parses visitor data given as JSON text and checks it: an object of known string fields,
/// each given once (JSON parsers, serde_json included, silently keep the last of a field given
/// twice).
pub fn parse_visitor_data(json: &[u8]) -> Result<Map<String, Value>, ClaimError> {
    let (value, duplicates) =
        crate::json::parse(json).map_err(|err| ClaimError::NotJson(err.to_string()))?;
    if let Some(field) = duplicates.top_level {
        return Err(ClaimError::DuplicateVisitorField { field });
    }
    check_visitor_data(&value)?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ClaimError::VisitorDataNotObject {
            found: json_type(&value),
        }),
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
            Err(ClaimError::UserIdTooLong {
                len: 256,
                ascii: true
            })
        );
        assert!(
            ClaimError::UserIdTooLong {
                len: 256,
                ascii: true
            }
            .to_string()
            .contains("256 characters long")
        );
        // 128 emoji are 128 characters but 256 UTF-16 units, as Java counts them.
        assert!(check_user_id(&"😀".repeat(127)).is_ok());
        let err = check_user_id(&"😀".repeat(128)).unwrap_err().to_string();
        assert!(
            err.contains("256 UTF-16 units long (as Java counts them)")
                && !err.contains("characters"),
            "{err}"
        );
        assert_eq!(check_user_id(" "), Err(ClaimError::EmptyUserId));
        assert_eq!(check_user_id("\u{3000}\t "), Err(ClaimError::EmptyUserId));
        assert!(check_user_id("a\u{7}b").is_err());
        assert!(check_user_id("a\nb").is_err());
        assert!(check_user_id("Undefined").unwrap().is_some());
        assert!(check_user_id("{{user.id}}").unwrap().is_some());
        assert!(check_user_id(" 42").unwrap().is_some());
        assert!(check_user_id("customer-8812").unwrap().is_none());
        assert_eq!(
            validate_user_id(" test"),
            Ok(Some(UserIdWarning::Placeholder))
        );
        assert_eq!(
            validate_user_id("c-1 "),
            Ok(Some(UserIdWarning::Whitespace))
        );
    }

    #[test]
    fn invisible_characters_are_refused_by_name_and_code_point() {
        for c in [
            '\u{00AD}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{2028}',
            '\u{2029}',
            '\u{202A}',
            '\u{202E}',
            '\u{2060}',
            '\u{2064}',
            '\u{2066}',
            '\u{206F}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            let id = format!("customer{c}-1");
            match validate_user_id(&id) {
                Err(ClaimError::UserIdInvisible { code_point, .. }) => {
                    assert_eq!(code_point, format!("U+{:04X}", u32::from(c)));
                }
                other => panic!("{:?}: {other:?}", c.escape_unicode().to_string()),
            }
        }
        let err = check_user_id("a\u{200b}b").unwrap_err().to_string();
        assert!(
            err.contains("U+200B") && err.contains("zero width space"),
            "{err}"
        );
        // Visible neighbours, and what emoji need, are fine.
        for id in [
            "a\u{2010}b",
            "a\u{2030}b",
            "x\u{2065}",
            "\u{2764}\u{FE0F}",
            "été",
            "客户",
        ] {
            assert!(validate_user_id(id).is_ok(), "{id:?}");
        }
        // Control characters keep their own message.
        assert!(matches!(
            validate_user_id("a\u{85}b"),
            Err(ClaimError::UserIdControl { .. })
        ));
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
    fn visitor_data_keeps_known_fields_in_order_and_refuses_others() {
        let data =
            VisitorData::from_fields([("email", "j@x"), ("firstName", ""), ("city", "Zoë\n")])
                .unwrap();
        assert_eq!(
            data.iter().collect::<Vec<_>>(),
            [("email", "j@x"), ("firstName", ""), ("city", "Zoë\n")]
        );
        assert_eq!(
            serde_json::to_string(&data.to_map()).unwrap(),
            r#"{"email":"j@x","firstName":"","city":"Zoë\n"}"#
        );
        assert!(matches!(
            VisitorData::from_fields([("nick", "J")]),
            Err(ClaimError::UnknownVisitorField { .. })
        ));
        assert!(matches!(
            VisitorData::from_fields([("city", "a"), ("city", "b")]),
            Err(ClaimError::DuplicateVisitorField { .. })
        ));
        let map = serde_json::json!({"zipCode": 44000});
        assert!(matches!(
            VisitorData::from_map(map.as_object().unwrap()),
            Err(ClaimError::VisitorFieldNotString { .. })
        ));
        assert!(VisitorData::from_fields([]).unwrap().is_empty());
    }

    #[test]
    fn visitor_data_json_refuses_a_field_given_twice() {
        let ok = parse_visitor_data(br#"{"firstName":"Jane","city":"Nantes"}"#).unwrap();
        assert_eq!(ok["city"], "Nantes");
        assert_eq!(
            parse_visitor_data(br#"{"firstName":"Jane","firstName":"John"}"#),
            Err(ClaimError::DuplicateVisitorField {
                field: "firstName".into()
            })
        );
        assert!(matches!(
            parse_visitor_data(b"{oops"),
            Err(ClaimError::NotJson(_))
        ));
        assert_eq!(
            parse_visitor_data(b"[1, 1]"),
            Err(ClaimError::VisitorDataNotObject { found: "an array" })
        );
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
    fn a_misspelled_prefix_gets_the_exact_prefix_as_a_hint() {
        for (name, suggestion) in [
            ("http://iadvize.com/x", "https://iadvize.com/x"),
            ("HTTPS://iadvize.com/x", "https://iadvize.com/x"),
            ("https://IAdvize.com/plan", "https://iadvize.com/plan"),
            ("https://www.iadvize.com/plan", "https://iadvize.com/plan"),
            ("iadvize.com/plan", "https://iadvize.com/plan"),
        ] {
            assert_eq!(
                check_extra_claim_name(name),
                Err(ClaimError::MisspelledPrefix {
                    name: name.into(),
                    suggestion: suggestion.into()
                })
            );
            let message = check_extra_claim_name(name).unwrap_err().to_string();
            assert!(!message.contains("iadvize.com/http"), "{message}");
        }
        for name in [
            "https://iadvize.com/",
            "http://iadvize.com/",
            "https://iadvize.com",
        ] {
            let err = check_extra_claim_name(name).unwrap_err();
            assert!(
                matches!(err, ClaimError::PrefixOnly { .. }),
                "{name}: {err:?}"
            );
        }
        // inspect's rule is unchanged: the bare prefix is prefixed.
        assert!(is_allowed_claim_name("https://iadvize.com/"));
    }
}
