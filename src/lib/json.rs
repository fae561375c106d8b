//! Strict JSON that also notices duplicate member names, which serde_json (like most parsers)
//! silently resolves to the last value. Used wherever a name given twice matters: visitor data
//! given to `mint`, and a token's headers and claims.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Member names that appear more than once in an object.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Duplicates {
    /// The first one found, at any depth.
    pub(crate) first: Option<String>,
    /// The first one among the members of the outermost object (where Java libraries that
    /// read JSON into a `Map`, as recent Nimbus versions do with Gson, refuse them).
    pub(crate) top_level: Option<String>,
}

/// Parses `bytes` as JSON. Returns the value and the duplicated member names, if any.
pub(crate) fn parse(bytes: &[u8]) -> Result<(Value, Duplicates), serde_json::Error> {
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

/// When `err`, from [`parse`] on `bytes`, is serde_json's depth limit rather than bad syntax:
/// how deeply the arrays and objects of `bytes` nest. serde_json reads 127 levels and refuses
/// valid JSON that goes deeper, saying only "recursion limit exceeded".
pub(crate) fn too_deep(bytes: &[u8], err: &serde_json::Error) -> Option<usize> {
    if !err.to_string().starts_with("recursion limit exceeded") {
        return None;
    }
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in bytes {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') | (false, _, b'"') => in_string = !in_string,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Some(deepest)
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

    #[test]
    fn depth_beyond_serde_jsons_limit_is_told_from_bad_syntax() {
        let nested = |levels: usize| {
            let mut text = r#"{"s":"[{\"[","a":"#.to_string();
            text.push_str(&"[".repeat(levels - 1));
            text.push_str(&"]".repeat(levels - 1));
            text.push('}');
            text.into_bytes()
        };
        assert!(parse(&nested(127)).is_ok());
        let deep = nested(128);
        let err = parse(&deep).unwrap_err();
        assert_eq!(too_deep(&deep, &err), Some(128), "{err}");
        let deep = nested(5000);
        assert_eq!(too_deep(&deep, &parse(&deep).unwrap_err()), Some(5000));
        let bad = b"{\"a\":[1,]}";
        assert_eq!(too_deep(bad, &parse(bad).unwrap_err()), None);
    }
}
