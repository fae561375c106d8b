//! JSON documents walked as they are parsed, without building the document: every string is
//! handed to the finder with its JSON Pointer as it is read, and a HAR file's entries (under
//! `/log/entries`) are read one at a time.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{At, Finder, HarRequest, SharedText, Where};

/// Finds the tokens of the JSON document `text`; with `har`, entries under `/log/entries` are
/// read as a HAR file's. Tokens found before an error stay in `finder`: give it a fresh one.
pub(super) fn document(finder: &mut Finder, text: &str, har: bool) -> serde_json::Result<()> {
    let mut pointer = String::new();
    let mut json = serde_json::Deserializer::from_str(text);
    Walk {
        finder,
        pointer: &mut pointer,
        har,
    }
    .deserialize(&mut json)?;
    json.end()
}

/// Whether `text` is a JOSE object in JSON serialisation: a JWE (`ciphertext`) or a JWS
/// (`payload` and `signature`).
pub(super) fn is_jose_json(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Jose {
        ciphertext: Option<IgnoredAny>,
        payload: Option<IgnoredAny>,
        signature: Option<IgnoredAny>,
    }
    serde_json::from_str::<Jose>(text).is_ok_and(|jose| {
        jose.ciphertext.is_some() || (jose.payload.is_some() && jose.signature.is_some())
    })
}

struct Walk<'w> {
    finder: &'w mut Finder,
    /// The JSON Pointer of the value being read.
    pointer: &'w mut String,
    har: bool,
}

impl Walk<'_> {
    fn child(&mut self) -> Walk<'_> {
        Walk {
            finder: self.finder,
            pointer: self.pointer,
            har: self.har,
        }
    }

    fn string(self, text: &str) {
        self.finder
            .string(text, &mut At::new(Where::Json(self.pointer)));
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, json: D) -> Result<(), D::Error> {
        json.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, text: &str) -> Result<(), E> {
        self.string(text);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut items: A) -> Result<(), A::Error> {
        if self.har && self.pointer == "/log/entries" {
            let mut number = 0u32;
            while let Some(entry) = items.next_element::<Value>()? {
                number = number.saturating_add(1);
                har_entry(self.finder, number, &entry);
            }
            return Ok(());
        }
        let mut index = 0usize;
        loop {
            let len = self.pointer.len();
            let _ = write!(self.pointer, "/{index}");
            let more = items.next_element_seed(self.child())?;
            self.pointer.truncate(len);
            if more.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut members: A) -> Result<(), A::Error> {
        while let Some(name) = members.next_key::<String>()? {
            let len = self.pointer.len();
            self.pointer.push('/');
            for c in name.chars() {
                match c {
                    '~' => self.pointer.push_str("~0"),
                    '/' => self.pointer.push_str("~1"),
                    c => self.pointer.push(c),
                }
            }
            members.next_value_seed(self.child())?;
            self.pointer.truncate(len);
        }
        Ok(())
    }
}

/// The fields of one HAR entry (numbered from 1) where tokens travel.
fn har_entry(finder: &mut Finder, number: u32, entry: &Value) {
    let request = &entry["request"];
    let response = &entry["response"];
    let shared = Arc::new(HarRequest {
        method: SharedText::new(request["method"].as_str().unwrap_or("?")),
        url: SharedText::new(request["url"].as_str().unwrap_or("?")),
    });
    let field = |finder: &mut Finder, name: &str, text: &str| {
        let mut at = At::new(Where::Har {
            entry: number,
            request: &shared,
            field: name,
        });
        finder.string(text, &mut at);
    };
    if let Some(url) = request["url"].as_str() {
        field(finder, "request URL", url);
    }
    for (list, what) in [
        (&request["queryString"], "query parameter"),
        (&request["headers"], "request header"),
        (&request["cookies"], "request cookie"),
        (&request["postData"]["params"], "posted parameter"),
        (&response["headers"], "response header"),
        (&response["cookies"], "response cookie"),
    ] {
        for pair in list.as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(value) = pair["value"].as_str() {
                let name = pair["name"].as_str().unwrap_or("?");
                field(finder, &format!("{what} {name}"), value);
            }
        }
    }
    if let Some(text) = request["postData"]["text"].as_str() {
        field(finder, "request body", text);
    }
    if let Some(text) = response["content"]["text"].as_str() {
        let encoded = response["content"]["encoding"].as_str() == Some("base64");
        let decoded = encoded
            .then(|| {
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .ok()
            })
            .flatten();
        match decoded {
            Some(bytes) => {
                let mut at = At::new(Where::Har {
                    entry: number,
                    request: &shared,
                    field: "response body (base64-decoded)",
                });
                finder.bytes(&bytes, &mut at);
            }
            None => field(finder, "response body", text),
        }
    }
    for (index, message) in entry["_webSocketMessages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(data) = message["data"].as_str() {
            let direction = message["type"].as_str().unwrap_or("message");
            field(
                finder,
                &format!("WebSocket {direction} {}", index + 1),
                data,
            );
        }
    }
}
