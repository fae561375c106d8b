//! iAdvize's rules for the claims inside the signed token, shared by `mint` (which refuses to
//! break them) and `inspect` (which reports where a token breaks them).

use serde_json::{Map, Value};

use crate::text::{invisible_character, java_length, json_type};

/// The user id claim: required, a string, unique and stable per user, at most 255 UTF-16 units.
pub(crate) const USER_ID_CLAIM: &str = "https://iadvize.com/userId";
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
/// Longest value of a visitor data field, in bytes of UTF-8. iAdvize documents short fields
/// (names, an address, a phone number); the cap keeps every token `mint` makes far under the
/// size `inspect` reads.
const MAX_VISITOR_VALUE_BYTES: usize = 1024;
/// Longest issuer (`iss`), in bytes of UTF-8.
const MAX_ISSUER_BYTES: usize = 1024;
/// Most bytes the extra claims of a token take together, as compact JSON (names included).
const MAX_EXTRA_CLAIMS_BYTES: usize = 8 * 1024;
/// Deepest nesting of arrays and objects in an extra claim's value (`inspect`, like most JSON
/// parsers, stops reading far deeper ones).
const MAX_CLAIM_DEPTH: usize = 32;
/// iAdvize recommends a one-minute token lifetime; past an hour is worth a warning: a leaked
/// token stays usable for its whole lifetime.
pub(crate) const LONG_LIFETIME_SECONDS: u64 = 3600;
/// Registered JWT claim names (RFC 7519 §4.1), allowed without the iAdvize prefix, with their
/// registered types.
const REGISTERED_CLAIMS: &[(&str, ClaimType)] = &[
    ("iss", ClaimType::String),
    ("sub", ClaimType::String),
    ("aud", ClaimType::Audience),
    ("exp", ClaimType::NumericDate),
    ("nbf", ClaimType::NumericDate),
    ("iat", ClaimType::NumericDate),
    ("jti", ClaimType::String),
];
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
    /// The user id given: sets `https://iadvize.com/userId`.
    UserId,
    /// The visitor data given: sets `https://iadvize.com/visitorData`.
    VisitorData,
    /// The time of minting: sets `iat`.
    IssueTime,
    /// The token lifetime: sets `exp`.
    Lifetime,
    /// The issuer given: sets `iss`.
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
    /// The user id is empty or only whitespace.
    #[error("the user id is empty or only whitespace")]
    EmptyUserId,
    /// The user id is longer than iAdvize's 255 UTF-16 units.
    #[error(
        "the user id is {len} {}; iAdvize accepts at most {MAX_USER_ID_CHARS}",
        if *.ascii { "characters long" } else { "UTF-16 units long (as Java counts them)" }
    )]
    UserIdTooLong {
        /// Length in UTF-16 units, which is the character count when `ascii`.
        len: usize,
        /// The id is ASCII: its length is in characters too.
        ascii: bool,
    },
    /// The user id holds a control character.
    #[error("the user id contains a control character ({found}); remove it")]
    UserIdControl {
        /// The character, escaped (`\u{7}`).
        found: String,
    },
    /// The user id holds an invisible character (a zero-width space, a direction mark …), so it
    /// looks like another id.
    #[error(
        "the user id contains an invisible character, {code_point} ({name}), so it looks like \
         another id; remove it"
    )]
    UserIdInvisible {
        /// `U+200B` and the like.
        code_point: String,
        /// What the character is (`zero width space`).
        name: &'static str,
    },
    /// A visitor data field iAdvize does not document.
    #[error(
        "unknown visitor data field {field:?}; the known fields are {}",
        VISITOR_FIELDS.join(", ")
    )]
    UnknownVisitorField {
        /// The field's name.
        field: String,
    },
    /// A visitor data field whose value is not a string.
    #[error(
        "visitor data field {field:?} must be a string, not {found}; the known fields are {}",
        VISITOR_FIELDS.join(", ")
    )]
    VisitorFieldNotString {
        /// The field's name.
        field: String,
        /// What its value is instead (`a number`, `an object` …).
        found: &'static str,
    },
    /// The visitor data is not a JSON object.
    #[error("visitor data must be a JSON object of string fields, not {found}")]
    VisitorDataNotObject {
        /// What it is instead (`an array`, `null` …).
        found: &'static str,
    },
    /// A visitor data field given twice (a JSON parser would keep the last silently).
    #[error("visitor data field {field:?} is given more than once; give each field once")]
    DuplicateVisitorField {
        /// The field's name.
        field: String,
    },
    /// A visitor data value longer than 1024 bytes of UTF-8.
    #[error(
        "visitor data field {field:?} is {len} bytes long; at most {MAX_VISITOR_VALUE_BYTES} \
         bytes of UTF-8 are allowed (iAdvize's fields are short: a name, an address, a phone \
         number)"
    )]
    VisitorValueTooLong {
        /// The field's name.
        field: String,
        /// The value's length in bytes.
        len: usize,
    },
    /// The issuer is longer than 1024 bytes of UTF-8.
    #[error(
        "the issuer is {len} bytes long; at most {MAX_ISSUER_BYTES} bytes of UTF-8 are allowed"
    )]
    IssuerTooLong {
        /// The issuer's length in bytes.
        len: usize,
    },
    /// The visitor data is not JSON; the parser's message.
    #[error("not valid JSON: {0}")]
    NotJson(String),
    /// An extra claim that is neither a registered JWT claim nor prefixed with
    /// `https://iadvize.com/`.
    #[error(
        "claim {name:?} is neither a registered JWT claim nor prefixed with \
         {IADVIZE_PREFIX}: iAdvize requires the prefix, e.g. {IADVIZE_PREFIX}{name}"
    )]
    UnprefixedClaim {
        /// The claim's name.
        name: String,
    },
    /// An extra claim whose name holds `iadvize.com` but does not start with exactly
    /// `https://iadvize.com/` (`http`, capitals, `www.`).
    #[error(
        "claim {name:?} does not start with exactly {IADVIZE_PREFIX} (https, lowercase), the \
         prefix iAdvize requires: write {suggestion}"
    )]
    MisspelledPrefix {
        /// The claim's name.
        name: String,
        /// The name with the exact prefix.
        suggestion: String,
    },
    /// An extra claim with nothing after the iAdvize prefix.
    #[error(
        "claim {name:?} has no name after the prefix; write {IADVIZE_PREFIX}NAME, e.g. \
         {IADVIZE_PREFIX}plan"
    )]
    PrefixOnly {
        /// The claim's name.
        name: String,
    },
    /// An extra claim that minting sets itself: the user id, the visitor data, `iat`, `exp` or
    /// `iss`.
    #[error("claim {name:?} is set from {owner}; set that instead")]
    OwnedClaim {
        /// The claim's name.
        name: String,
        /// What sets it.
        owner: OwnedBy,
    },
    /// A registered claim (`sub`, `aud`, `nbf`, `jti` …) whose value is not of its registered type.
    #[error(
        "{0}; registered claims keep their registered types (RFC 7519): iss, sub and jti are \
         strings, aud a string or a list of strings, nbf an integer number of seconds since 1970"
    )]
    RegisteredType(TypeMismatch),
    /// An extra claim whose value nests arrays and objects more than 32 levels deep.
    #[error(
        "claim {name:?} nests arrays and objects more than {MAX_CLAIM_DEPTH} levels deep; \
         flatten it"
    )]
    ClaimTooDeep {
        /// The claim's name.
        name: String,
    },
    /// The extra claims take more than 8 KiB as compact JSON.
    #[error(
        "the extra claims take {len} bytes as JSON; a token carries at most \
         {MAX_EXTRA_CLAIMS_BYTES} bytes of them"
    )]
    ExtraClaimsTooLarge {
        /// Their size in bytes.
        len: usize,
    },
}

/// The type RFC 7519 §4.1 registers for a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClaimType {
    /// `iss`, `sub`, `jti`.
    String,
    /// `aud`: a string, or a list of strings.
    Audience,
    /// `exp`, `nbf`, `iat`: a NumericDate, written as integer seconds since 1970 as iAdvize's
    /// example writes it.
    NumericDate,
}

impl std::fmt::Display for ClaimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClaimType::String => "a string",
            ClaimType::Audience => "a string or a list of strings",
            ClaimType::NumericDate => "an integer number of seconds since 1970",
        })
    }
}

/// A registered claim whose value is not of its registered type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeMismatch {
    /// The claim's name (`iss`, `aud` …).
    pub name: &'static str,
    expected: ClaimType,
    /// What the value is (`an object`, `a number with a fraction` …); for an audience list, what
    /// its first element that is not a string is.
    found: &'static str,
    /// That value or element as JSON, shortened.
    shown: String,
    /// The mismatch is an element of an audience list.
    in_list: bool,
    /// iAdvize's Java library (Nimbus's `JWTClaimsSet.parse`) refuses the claims for it. It
    /// lets through a `null`, a numeric `sub`, and an `aud` that is neither a string nor a list.
    pub(crate) java_refuses: bool,
}

impl std::fmt::Display for TypeMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let TypeMismatch {
            name,
            expected,
            found,
            shown,
            ..
        } = self;
        match self.in_list {
            true => write!(f, "{name} holds {found} ({shown}), not only strings"),
            false => write!(f, "{name} is {found} ({shown}), not {expected}"),
        }
    }
}

/// Longest JSON shown of a value in a message.
const SHOWN_CHARS: usize = 60;

/// How a registered claim's value departs from its registered type; `None` when it has that
/// type, or `name` is not a registered claim.
pub(crate) fn registered_type_mismatch(name: &str, value: &Value) -> Option<TypeMismatch> {
    let &(name, expected) = REGISTERED_CLAIMS.iter().find(|(n, _)| *n == name)?;
    let mismatch = |found, odd: &Value, in_list, java_refuses| TypeMismatch {
        name,
        expected,
        found,
        shown: shorten(&odd.to_string()),
        in_list,
        java_refuses,
    };
    match (expected, value) {
        (ClaimType::String | ClaimType::Audience, Value::String(_)) => None,
        (ClaimType::String, other) => {
            let lenient = match name {
                "sub" => matches!(other, Value::Null | Value::Number(_)),
                _ => other.is_null(),
            };
            Some(mismatch(json_type(other), other, false, !lenient))
        }
        (ClaimType::Audience, Value::Array(audiences)) => audiences
            .iter()
            .find(|a| !a.is_string())
            .map(|odd| mismatch(json_type(odd), odd, true, true)),
        (ClaimType::Audience, other) => Some(mismatch(json_type(other), other, false, false)),
        (ClaimType::NumericDate, Value::Number(number)) => {
            let found = match number.as_i64() {
                None if number.is_f64() => "a number with a fraction or an exponent",
                None => "a number too large to be a date",
                Some(seconds) => match crate::time::check_unix_seconds(seconds) {
                    Ok(_) => return None,
                    Err(crate::time::TimeError::Milliseconds(_)) => "a number of milliseconds",
                    Err(crate::time::TimeError::TooLate(_)) => "a time after 9999",
                    Err(_) => "a time before 1970",
                },
            };
            Some(mismatch(found, value, false, false))
        }
        (ClaimType::NumericDate, other) => Some(mismatch(json_type(other), other, false, true)),
    }
}

/// `text`, cut to [`SHOWN_CHARS`] characters with an ellipsis.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A user id that iAdvize accepts but that is probably a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UserIdWarning {
    /// `test`, `null`, `{{user.id}}` …: shared by several people, it merges them.
    Placeholder,
    /// Leading or trailing whitespace: a different id from the same one without it.
    Whitespace,
    /// `#N/A`, `#VALUE!` …: a spreadsheet's error value where the id should be.
    SpreadsheetError,
    /// `1,23457E+11`: a number as a spreadsheet writes it in scientific notation, rounded.
    SpreadsheetNumber,
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
            UserIdWarning::SpreadsheetError => format!(
                "user id {user_id:?} is a spreadsheet error value: the spreadsheet turned the \
                 cell into an error instead of the id; fix the cell or its formula and export \
                 again"
            ),
            UserIdWarning::SpreadsheetNumber => format!(
                "user id {user_id:?} is a number in scientific notation: the spreadsheet \
                 turned the id into a rounded number; format the column as text and export \
                 again"
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
    if SPREADSHEET_ERRORS.contains(&user_id.trim().to_uppercase().as_str()) {
        return Some(UserIdWarning::SpreadsheetError);
    }
    if is_scientific_notation(user_id.trim()) {
        return Some(UserIdWarning::SpreadsheetNumber);
    }
    if user_id.trim() != user_id {
        return Some(UserIdWarning::Whitespace);
    }
    None
}

/// The error values Excel and LibreOffice write in a cell whose formula failed.
const SPREADSHEET_ERRORS: &[&str] = &[
    "#N/A", "#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
];

/// A number as spreadsheets write it in scientific notation, `1.23457E+11` or with a decimal
/// comma `1,23457E+11`: digits, a fraction, `E` and a signed exponent (the sign, which
/// spreadsheets always write, keeps hex ids such as `12e4` out).
fn is_scientific_notation(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once(['.', ',']) {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.strip_prefix(['+', '-']).is_some_and(digits);
    mantissa_ok && exponent_ok
}

/// Checks visitor data fields: all known, all strings of at most [`MAX_VISITOR_VALUE_BYTES`].
fn check_visitor_fields(fields: &Map<String, Value>) -> Result<(), ClaimError> {
    for (field, value) in fields {
        if !VISITOR_FIELDS.contains(&field.as_str()) {
            return Err(ClaimError::UnknownVisitorField {
                field: field.clone(),
            });
        }
        let Value::String(text) = value else {
            return Err(ClaimError::VisitorFieldNotString {
                field: field.clone(),
                found: json_type(value),
            });
        };
        check_visitor_value(field, text)?;
    }
    Ok(())
}

fn check_visitor_value(field: &str, value: &str) -> Result<(), ClaimError> {
    match value.len() {
        len if len > MAX_VISITOR_VALUE_BYTES => Err(ClaimError::VisitorValueTooLong {
            field: field.to_string(),
            len,
        }),
        _ => Ok(()),
    }
}

/// A user's visitor data: known fields with string values, in one allocation (a batch keeps one
/// per row). Each field is stored as its index in the known fields, the value's length in
/// bytes (four bytes, little-endian), then the value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
            check_visitor_value(field, value)?;
            push_field(&mut bytes, field, value);
        }
        Ok(VisitorData(bytes.into_boxed_slice()))
    }

    /// Checks a JSON object of visitor data: known fields, string values.
    pub(crate) fn from_map(map: &Map<String, Value>) -> Result<Self, ClaimError> {
        check_visitor_fields(map)?;
        VisitorData::from_fields(
            map.iter()
                .map(|(field, value)| (field.as_str(), value.as_str().unwrap_or_default())),
        )
    }

    /// The fields and their values, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
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

    /// These fields with `over`'s set over them (a field of both takes `over`'s value).
    pub fn overlaid(&self, over: &VisitorData) -> VisitorData {
        let own = self
            .iter()
            .filter(|(field, _)| !over.iter().any(|(f, _)| f == *field));
        let mut bytes = Vec::with_capacity(self.0.len() + over.0.len());
        for (field, value) in own.chain(over.iter()) {
            push_field(&mut bytes, field, value);
        }
        VisitorData(bytes.into_boxed_slice())
    }

    /// As the JSON object a token carries.
    pub(crate) fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(field, value)| (field.to_string(), Value::String(value.to_string())))
            .collect()
    }
}

/// Appends a known field (checked) and its value to a [`VisitorData`]'s bytes.
fn push_field(bytes: &mut Vec<u8>, field: &str, value: &str) {
    let index = VISITOR_FIELDS
        .iter()
        .position(|known| *known == field)
        .unwrap_or(usize::from(u8::MAX));
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    bytes.push(u8::try_from(index).unwrap_or(u8::MAX));
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(value.as_bytes());
}

/// True for a registered JWT claim or an iAdvize-prefixed one.
pub(crate) fn is_allowed_claim_name(name: &str) -> bool {
    REGISTERED_CLAIMS.iter().any(|(n, _)| *n == name) || name.starts_with(IADVIZE_PREFIX)
}

/// Checks the extra claims given to `mint`: each name ([`check_extra_claim_name`]), registered
/// claims of their registered types, values nested at most [`MAX_CLAIM_DEPTH`] levels, and at
/// most [`MAX_EXTRA_CLAIMS_BYTES`] of JSON in all.
pub(crate) fn check_extra_claims(claims: &Map<String, Value>) -> Result<(), ClaimError> {
    for (name, value) in claims {
        check_extra_claim_name(name)?;
        if let Some(mismatch) = registered_type_mismatch(name, value) {
            return Err(ClaimError::RegisteredType(mismatch));
        }
        if nesting(value) > MAX_CLAIM_DEPTH {
            return Err(ClaimError::ClaimTooDeep { name: name.clone() });
        }
    }
    let len = serde_json::to_vec(claims).map_or(usize::MAX, |json| json.len());
    match len > MAX_EXTRA_CLAIMS_BYTES {
        true => Err(ClaimError::ExtraClaimsTooLarge { len }),
        false => Ok(()),
    }
}

/// How many arrays and objects enclose the deepest value inside `value`, itself included: 0 for
/// a string, 1 for `[1]`. Counted without recursion.
fn nesting(value: &Value) -> usize {
    let mut deepest = 0;
    let mut open = vec![(value, 0)];
    while let Some((value, depth)) = open.pop() {
        match value {
            Value::Array(items) => open.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(members) => open.extend(members.values().map(|item| (item, depth + 1))),
            _ => continue,
        }
        deepest = deepest.max(depth + 1);
    }
    deepest
}

/// Checks the issuer given to `mint`: at most [`MAX_ISSUER_BYTES`].
pub(crate) fn check_issuer(issuer: &str) -> Result<(), ClaimError> {
    match issuer.len() {
        len if len > MAX_ISSUER_BYTES => Err(ClaimError::IssuerTooLong { len }),
        _ => Ok(()),
    }
}

/// Checks the name of an extra claim given to `mint`.
fn check_extra_claim_name(name: &str) -> Result<(), ClaimError> {
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

/// Parses visitor data given as JSON text and checks it, once: an object of known string
/// fields, each given once (JSON parsers, serde_json included, silently keep the last of a
/// field given twice).
pub fn parse_visitor_data(json: &[u8]) -> Result<VisitorData, ClaimError> {
    let (value, duplicates) =
        crate::json::parse(json).map_err(|err| ClaimError::NotJson(err.to_string()))?;
    if let Some(field) = duplicates.top_level {
        return Err(ClaimError::DuplicateVisitorField { field });
    }
    match value {
        Value::Object(map) => VisitorData::from_map(&map),
        _ => Err(ClaimError::VisitorDataNotObject {
            found: json_type(&value),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        for artefact in [
            "#N/A", "#VALUE!", "#ref!", "#NAME?", "#DIV/0!", "#NULL!", "#NUM!",
        ] {
            assert_eq!(
                validate_user_id(artefact),
                Ok(Some(UserIdWarning::SpreadsheetError)),
                "{artefact}"
            );
        }
        for number in ["1,23457E+11", "1.23457E+11", "4E-05", "12E+3"] {
            assert_eq!(
                validate_user_id(number),
                Ok(Some(UserIdWarning::SpreadsheetNumber)),
                "{number}"
            );
        }
        for id in ["12e4", "1.2.3E+4", "E+11", "1E+", "#N/A-1", "c-1E+5"] {
            assert_eq!(validate_user_id(id), Ok(None), "{id}");
        }
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
        let ok = parse_visitor_data(br#"{"firstName": "Jane", "email": "j@example.com"}"#);
        assert!(ok.is_ok());
        let err = parse_visitor_data(br#"{"nickname": "J"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nickname") && err.contains("firstName, lastName"),
            "{err}"
        );
        assert!(matches!(
            parse_visitor_data(br#"{"zipCode": 44000}"#),
            Err(ClaimError::VisitorFieldNotString { .. })
        ));
        assert!(parse_visitor_data(b"[]").is_err());
    }

    #[test]
    fn visitor_data_overlaid_keeps_the_later_value_of_a_field() {
        let base = VisitorData::from_fields([("city", "Nantes"), ("email", "a@x")]).unwrap();
        let over = VisitorData::from_fields([("email", "b@x"), ("country", "France")]).unwrap();
        assert_eq!(
            base.overlaid(&over).iter().collect::<Vec<_>>(),
            [("city", "Nantes"), ("email", "b@x"), ("country", "France")]
        );
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
        assert_eq!(VisitorData::from_fields([]).unwrap().iter().count(), 0);
    }

    #[test]
    fn visitor_data_json_refuses_a_field_given_twice() {
        let ok = parse_visitor_data(br#"{"firstName":"Jane","city":"Nantes"}"#).unwrap();
        assert_eq!(ok.to_map()["city"], "Nantes");
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
    fn registered_claims_have_their_registered_types() {
        let mismatch = |name: &str, value: Value| registered_type_mismatch(name, &value);
        for (name, value) in [
            ("sub", json!("c-1")),
            ("aud", json!("a")),
            ("aud", json!(["a", "b"])),
            ("nbf", json!(1_700_000_000)),
            ("https://iadvize.com/x", json!({"a": 1})),
        ] {
            assert_eq!(mismatch(name, value), None, "{name}");
        }
        // What Nimbus refuses, and what it lets through.
        for (name, value, refuses) in [
            ("iss", json!(5), true),
            ("iss", json!(null), false),
            ("sub", json!(5), false),
            ("sub", json!({"a": 1}), true),
            ("aud", json!([1]), true),
            ("aud", json!(5), false),
            ("nbf", json!("soon"), true),
            ("nbf", json!(1.5), false),
        ] {
            let found = mismatch(name, value).unwrap();
            assert_eq!(found.java_refuses, refuses, "{found}");
        }
        let long = mismatch("jti", json!(["x".repeat(100)]))
            .unwrap()
            .to_string();
        assert!(long.ends_with("xxx…), not a string"), "{long}");
    }

    #[test]
    fn nesting_is_counted_without_recursion() {
        assert_eq!(nesting(&json!("a")), 0);
        assert_eq!(nesting(&json!([1, {"a": [2]}])), 3);
        let mut deep = json!(1);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(nesting(&deep), 100_000);
        // Dropping it recursively would overflow the stack.
        std::mem::forget(deep);
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
