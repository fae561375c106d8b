//! JSON parsing that also notices duplicate member names, which serde_json (like most parsers)
//! silently resolves to the last value; and [`read_object`], which reads a token's JSON object
//! both strictly and as iAdvize's Java library does ([`crate::gson`]).

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::report::JavaStack;
use crate::claims::json_type;
use crate::gson::{self, NimbusJson, Parsed};

/// A JSON object of the token (a protected header, or the claims), read strictly and as
/// Nimbus's `JSONObjectUtils.parse` reads it.
#[derive(Debug)]
pub enum ObjectRead {
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
pub fn read_object(bytes: &[u8], what: &str, plural: bool, nested: bool) -> ObjectRead {
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

/// Member names that appear more than once in an object.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Duplicates {
    /// The first one found, at any depth.
    pub first: Option<String>,
    /// The first one among the members of the outermost object (where Java libraries that
    /// read JSON into a `Map`, as recent Nimbus versions do with Gson, refuse them).
    pub top_level: Option<String>,
}

/// Parses `bytes` as JSON. Returns the value and the duplicated member names, if any.
pub fn parse(bytes: &[u8]) -> Result<(Value, Duplicates), serde_json::Error> {
    let duplicates = RefCell::new(Duplicates::default());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = Seed {
        duplicates: &duplicates,
        depth: 0,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok((value, duplicates.into_inner()))
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    duplicates: &'a RefCell<Duplicates>,
    /// How many arrays and objects enclose the value.
    depth: usize,
}

impl Seed<'_> {
    fn inner(self) -> Self {
        Seed {
            depth: self.depth.saturating_add(1),
            ..self
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.inner())? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut seen = HashSet::new();
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self.inner())?;
            if !seen.insert(key.clone()) {
                let mut duplicates = self.duplicates.borrow_mut();
                duplicates.first.get_or_insert_with(|| key.clone());
                if self.depth == 0 {
                    duplicates.top_level.get_or_insert_with(|| key.clone());
                }
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_at_any_depth_and_parses_escapes() {
        let (value, dup) = parse(br#"{"a":1,"b":{"c":2,"c":3}}"#).unwrap();
        assert_eq!(dup.first.as_deref(), Some("c"));
        assert_eq!(dup.top_level, None);
        assert_eq!(value["b"]["c"], 3);
        let (value, dup) = parse(br#"{"b":[{"c":1,"c":2}],"a":1,"a":2}"#).unwrap();
        assert_eq!(dup.first.as_deref(), Some("c"));
        assert_eq!(dup.top_level.as_deref(), Some("a"));
        assert_eq!(value["a"], 2);
        let (value, dup) = parse(br#"{"https:\/\/iadvize.com\/userId":"x"}"#).unwrap();
        assert_eq!(dup, Duplicates::default());
        assert_eq!(value["https://iadvize.com/userId"], "x");
        assert!(parse(b"{\"a\":1,}").is_err());
        assert!(parse(b"{} trailing").is_err());
    }
}
