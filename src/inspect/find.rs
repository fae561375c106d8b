//! Tokens in any text: a bare token (with whatever noise came with it), a log, JSON (its
//! strings unescaped), a HAR 1.2 file (request URL, query string, headers, cookies, post data,
//! response content — base64-decoded where its `encoding` says so — and Chrome's
//! `_webSocketMessages`), an `Authorization:` line, or percent-encoded text.
//!
//! The scan is linear and uses no regular expression: a token starts with `eyJ` (the base64url
//! of `{"`, which begins every JOSE header) at a word boundary and runs over base64url
//! characters and dots (`%2E` counts as a dot). Every candidate is kept, deduplicated by its
//! text, with every place it was found.

use std::fmt;

use base64::Engine as _;
use serde_json::Value;

/// One token, as it would be handed to iAdvize, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The token's text. For a bare token (the whole input, or a whole JSON string) this is
    /// the text itself, noise included: quotes or a line break inside it are part of what a
    /// page would pass on.
    pub token: String,
    pub places: Vec<Place>,
}

/// Where a token was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The whole input is the token.
    Whole,
    /// In plain text: line and column, counted from 1 (columns in characters).
    Text { line: usize, column: usize },
    /// In a JSON document: the JSON Pointer of the string, and the place inside it.
    Json {
        pointer: String,
        line: usize,
        column: usize,
    },
    /// In a HAR file: the entry (from 1), its request, and the field.
    Har {
        entry: usize,
        method: String,
        url: String,
        field: String,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Whole => f.write_str("the whole input"),
            Place::Text { line, column } => write!(f, "line {line}, column {column}"),
            Place::Json {
                pointer,
                line,
                column,
            } => match (line, column) {
                (1, 1) => write!(f, "JSON {pointer}"),
                _ => write!(
                    f,
                    "JSON {pointer}, line {line}, column {column} of the string"
                ),
            },
            Place::Har {
                entry,
                method,
                url,
                field,
            } => write!(f, "HAR entry {entry} ({method} {url}), {field}"),
        }
    }
}

/// Every token in `input`, in order of first appearance.
pub fn find(input: &str) -> Vec<Found> {
    let mut found = Finder::default();
    // One line that is a token once its spaces are taken out is that token, spaces and all:
    // iAdvize's decoder would skip them too.
    let one_line = !input.trim().contains('\n');
    if is_bare(input) || (one_line && is_bare(&input.replace([' ', '\t'], ""))) {
        found.add(input.to_string(), Place::Whole);
        return found.tokens;
    }
    match serde_json::from_str::<Value>(input.trim_start_matches('\u{FEFF}')) {
        Ok(json) if json.is_object() || json.is_array() => {
            match json.pointer("/log/entries").and_then(Value::as_array) {
                Some(entries) => found.har(entries),
                None => found.json(&json, &mut String::new()),
            }
        }
        _ => found.text(input, |line, column| Place::Text { line, column }),
    }
    found.tokens
}

#[derive(Default)]
struct Finder {
    tokens: Vec<Found>,
}

impl Finder {
    fn add(&mut self, token: String, place: Place) {
        match self.tokens.iter_mut().find(|f| f.token == token) {
            Some(known) => known.places.push(place),
            None => self.tokens.push(Found {
                token,
                places: vec![place],
            }),
        }
    }

    /// Every candidate in plain text; `place` makes the place from a line and column.
    fn text(&mut self, text: &str, place: impl Fn(usize, usize) -> Place) {
        for (line_index, line) in text.lines().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            let mut at = 0;
            while at + 3 <= chars.len() {
                let boundary = at == 0 || !is_b64url(chars[at - 1]);
                if boundary && chars[at..at + 3] == ['e', 'y', 'J'] {
                    let end = token_end(&chars, at);
                    let candidate: String = chars[at..end].iter().collect();
                    if candidate.contains('.') || candidate.to_ascii_lowercase().contains("%2e") {
                        self.add(candidate, place(line_index + 1, at + 1));
                    }
                    at = end.max(at + 1);
                } else {
                    at += 1;
                }
            }
        }
    }

    /// A JSON string: a bare token as it is, or the tokens in its text (itself JSON, maybe).
    fn string(&mut self, text: &str, place: &dyn Fn(usize, usize) -> Place) {
        let scheme_free = strip_scheme(text);
        if is_bare(scheme_free) {
            self.add(scheme_free.to_string(), place(1, 1));
            return;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(json) if json.is_object() || json.is_array() => {
                let mut inner = Finder::default();
                inner.json(&json, &mut String::new());
                for found in inner.tokens {
                    self.add(found.token, place(1, 1));
                }
            }
            _ => self.text(text, place),
        }
    }

    fn json(&mut self, value: &Value, pointer: &mut String) {
        match value {
            Value::String(text) => {
                let at = pointer.clone();
                self.string(text, &|line, column| Place::Json {
                    pointer: if at.is_empty() {
                        "/".into()
                    } else {
                        at.clone()
                    },
                    line,
                    column,
                });
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push_str(&format!("/{index}"));
                    self.json(item, pointer);
                    pointer.truncate(len);
                }
            }
            Value::Object(members) => {
                for (name, member) in members {
                    let len = pointer.len();
                    let escaped = name.replace('~', "~0").replace('/', "~1");
                    pointer.push('/');
                    pointer.push_str(&escaped);
                    self.json(member, pointer);
                    pointer.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn har(&mut self, entries: &[Value]) {
        for (index, entry) in entries.iter().enumerate() {
            let request = &entry["request"];
            let response = &entry["response"];
            let method = request["method"].as_str().unwrap_or("?").to_string();
            let url = request["url"].as_str().unwrap_or("?").to_string();
            let field = |this: &mut Finder, name: String, text: &str| {
                let (method, url) = (method.clone(), url.clone());
                this.string(text, &move |_, _| Place::Har {
                    entry: index + 1,
                    method: method.clone(),
                    url: url.clone(),
                    field: name.clone(),
                });
            };
            field(self, "request URL".into(), &url);
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
                        field(self, format!("{what} {name}"), value);
                    }
                }
            }
            if let Some(text) = request["postData"]["text"].as_str() {
                field(self, "request body".into(), text);
            }
            if let Some(text) = response["content"]["text"].as_str() {
                let encoded = response["content"]["encoding"].as_str() == Some("base64");
                let decoded = encoded
                    .then(|| {
                        base64::engine::general_purpose::STANDARD
                            .decode(text.trim())
                            .ok()
                    })
                    .flatten()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
                let (text, name) = match &decoded {
                    Some(decoded) => (decoded.as_str(), "response body (base64-decoded)"),
                    None => (text, "response body"),
                };
                field(self, name.into(), text);
            }
            for (number, message) in entry["_webSocketMessages"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if let Some(data) = message["data"].as_str() {
                    let direction = message["type"].as_str().unwrap_or("message");
                    field(self, format!("WebSocket {direction} {}", number + 1), data);
                }
            }
        }
    }
}

fn is_b64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Where the token that starts at `start` ends: base64url characters, dots, `%2E`.
fn token_end(chars: &[char], start: usize) -> usize {
    let mut at = start;
    while at < chars.len() {
        if is_b64url(chars[at]) || chars[at] == '.' {
            at += 1;
        } else if chars[at] == '%'
            && chars.get(at + 1) == Some(&'2')
            && matches!(chars.get(at + 2), Some('e' | 'E'))
        {
            at += 3;
        } else {
            break;
        }
    }
    at
}

/// An HTTP `Bearer` scheme before a value (and the whitespace after it): not part of the token.
fn strip_scheme(text: &str) -> &str {
    let trimmed = text.trim();
    match (trimmed.get(..6), trimmed.get(6..)) {
        (Some(head), Some(rest))
            if head.eq_ignore_ascii_case("bearer") && rest.starts_with(char::is_whitespace) =>
        {
            rest.trim_start()
        }
        _ => text,
    }
}

/// Whether `text` is one token and nothing else but the noise that comes with a pasted
/// token: quotes around it, a `Bearer` prefix, a byte order mark, line breaks, `%2E` for its
/// dots, characters a base64 decoder skips; or a JOSE object in JSON serialisation. A space
/// or a tab inside means words around the token: a log line, not a token.
fn is_bare(text: &str) -> bool {
    let trimmed = text.trim().trim_start_matches('\u{FEFF}').trim();
    if trimmed.starts_with('{') {
        let json = serde_json::from_str::<Value>(trimmed).ok();
        let object = json.as_ref().and_then(Value::as_object);
        return object.is_some_and(|o| {
            o.contains_key("ciphertext")
                || (o.contains_key("payload") && o.contains_key("signature"))
        });
    }
    let unquoted = trimmed
        .trim_matches(|c| matches!(c, '"' | '\'' | '`'))
        .trim();
    let bare = strip_scheme(unquoted);
    if bare.contains([' ', '\t']) {
        return false;
    }
    let core: String = bare
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .collect();
    let dotted = core.to_ascii_lowercase().replace("%2e", ".");
    let parts = dotted.split('.').count();
    dotted.starts_with("eyj") && (parts == 3 || parts == 5) && !core.contains(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln";

    fn tokens(input: &str) -> Vec<(String, Vec<String>)> {
        find(input)
            .into_iter()
            .map(|f| (f.token, f.places.iter().map(ToString::to_string).collect()))
            .collect()
    }

    #[test]
    fn a_bare_token_keeps_its_noise() {
        for bare in [
            T.to_string(),
            format!("\"{T}\""),
            format!("Bearer {T}"),
            format!("{T}\n"),
            "eyJhbGciOiJS\nUzI1NiJ9.eyJhIjoxfQ.c2ln".to_string(),
            T.replace('.', "%2E"),
        ] {
            assert_eq!(
                tokens(&bare),
                [(bare.clone(), vec!["the whole input".into()])]
            );
        }
    }

    #[test]
    fn tokens_in_logs_are_found_where_they_are_and_deduplicated() {
        let log = format!(
            "12:00 INFO auth token={T} user=c-8812\nno token here eyJ\nagain \"{T}\", and \
             Authorization: Bearer {T}x.y\n"
        );
        assert_eq!(
            tokens(&log),
            [
                (
                    T.to_string(),
                    vec!["line 1, column 23".into(), "line 3, column 8".into()]
                ),
                (format!("{T}x.y"), vec!["line 3, column 73".into()]),
            ]
        );
        // Part of a longer word is not a token.
        assert!(tokens(&format!("xeyJ{T}")).iter().all(|(t, _)| t != T));
    }

    #[test]
    fn json_strings_are_read_unescaped_and_nested_json_too() {
        let json = serde_json::json!({
            "token": T,
            "quoted": format!("\"{T}\""),
            "body": serde_json::json!({"inner": T}).to_string(),
        })
        .to_string();
        assert_eq!(
            tokens(&json),
            [
                (
                    T.to_string(),
                    vec!["JSON /token".into(), "JSON /body".into()]
                ),
                (format!("\"{T}\""), vec!["JSON /quoted".into()]),
            ]
        );
    }

    #[test]
    fn har_fields_are_named_and_base64_content_decoded() {
        let body =
            base64::engine::general_purpose::STANDARD.encode(format!("{{\"token\":\"{T}\"}}"));
        let har = serde_json::json!({"log": {"version": "1.2", "entries": [{
            "request": {"method": "POST", "url": "https://brand.example/token",
                "headers": [{"name": "Authorization", "value": format!("Bearer {T}")}]},
            "response": {"content": {"text": body, "encoding": "base64"}}
        }]}})
        .to_string();
        let found = tokens(&har);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].1,
            [
                "HAR entry 1 (POST https://brand.example/token), request header Authorization",
                "HAR entry 1 (POST https://brand.example/token), response body (base64-decoded)",
            ]
        );
    }
}
