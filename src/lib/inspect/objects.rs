//! A token's JSON objects (protected headers, claims) read both strictly and as iAdvize's
//! Java library reads them ([`gson`](crate::gson)), so that a report can say where the two
//! differ.

use serde_json::{Map, Value};

use crate::gson::{self, MAX_DEPTH, NimbusJson, Parsed};
use crate::json::{parse, too_deep};
use crate::text::json_type;
use crate::verdict::JavaStack;

/// A JSON object of the token (a protected header, or the claims), read strictly and as
/// Nimbus's `JSONObjectUtils.parse` reads it.
#[derive(Debug)]
pub(super) enum ObjectRead {
    /// Strict JSON, one object, each name once.
    Clean(Map<String, Value>),
    /// Usable, since iAdvize's library reads it into this map, but wrong: what is wrong, and
    /// whether that library lets it through or refuses the token.
    Flawed {
        map: Map<String, Value>,
        problem: String,
        java_stack: JavaStack,
    },
    /// Nothing to read: what it is instead. iAdvize's library refuses it too.
    Unusable(String),
}

/// Reads `bytes` as the JSON object called `what` ("the protected header", or, `plural`,
/// "the claims"). A name twice in a nested object is a flaw only when `nested` says so.
pub(super) fn read_object(bytes: &[u8], what: &str, plural: bool, nested: bool) -> ObjectRead {
    let (is, has) = if plural {
        ("are", "have")
    } else {
        ("is", "has")
    };
    // What Nimbus reads, asked only when the strict reading is not clean. Gson also reads an
    // array of [name, value] pairs as an object; reporting that as "an array instead of an
    // object" is clearer, and nobody writes claims that way.
    let nimbus = || {
        let text = String::from_utf8_lossy(bytes);
        match text.trim_start().starts_with('[') {
            true => None,
            false => gson::parse(&text).ok(),
        }
    };
    match parse(bytes) {
        Ok((Value::Object(map), duplicates)) => {
            let counted = match nested {
                true => duplicates.first,
                false => duplicates.top_level.clone(),
            };
            let Some(name) = counted else {
                return ObjectRead::Clean(map);
            };
            // Gson refuses a name twice at the top level (unless its earlier value was null),
            // and keeps the last copy in nested objects.
            let (name, java_stack) = match (nimbus(), duplicates.top_level) {
                (None, Some(top_level)) => (top_level, JavaStack::Rejects),
                (None, None) => (name, JavaStack::Rejects),
                (Some(_), _) => (name, JavaStack::Accepts),
            };
            ObjectRead::Flawed {
                map,
                problem: format!("{what} {has} {name:?} more than once"),
                java_stack,
            }
        }
        Err(err) if let Some(depth) = too_deep(bytes, &err) => {
            let nested = format!(
                "{what} {is} JSON nested {depth} levels deep (arrays and objects inside each \
                 other): strict parsers such as this tool's stop at 127"
            );
            match nimbus() {
                Some(Parsed {
                    json: NimbusJson::Object(map),
                    ..
                }) => ObjectRead::Flawed {
                    map,
                    problem: format!("{nested}; iAdvize's library reads any depth"),
                    java_stack: JavaStack::Accepts,
                },
                _ if depth > MAX_DEPTH => ObjectRead::Unusable(format!(
                    "{nested}, and its reading as iAdvize's library reads stops at {MAX_DEPTH}"
                )),
                _ => ObjectRead::Unusable(format!(
                    "{nested}, and not an object that iAdvize's library reads either"
                )),
            }
        }
        strict => {
            let instead = match &strict {
                Ok((other, _)) => format!("JSON {} instead of an object", json_type(other)),
                Err(err) => format!("not valid JSON ({err})"),
            };
            match nimbus() {
                Some(Parsed {
                    json: NimbusJson::Object(map),
                    leniency,
                }) => {
                    let how = match leniency {
                        Some(leniency) => format!(" ({leniency})"),
                        None => String::new(),
                    };
                    ObjectRead::Flawed {
                        map,
                        problem: format!(
                            "{what} {is} {instead}; iAdvize's library reads {} anyway, being \
                             lenient{how}",
                            if plural { "them" } else { "it" }
                        ),
                        java_stack: JavaStack::Accepts,
                    }
                }
                _ => ObjectRead::Unusable(format!("{what} {is} {instead}")),
            }
        }
    }
}
