//! Tokens in any text: a bare token (with whatever noise came with it), a log, JSON (its
//! strings unescaped), a HAR 1.2 file (request URL, query string, headers, cookies, post data,
//! response content — base64-decoded where its `encoding` says so — and Chrome's
//! `_webSocketMessages`), an `Authorization:` line, or percent-encoded text. The one gate for
//! token text: what runtimes and copies wrap a token in (quotes, `Bearer `, `b'…'`,
//! percent-encoding; [`WrapperKind`]) is taken off here and named, and one line that holds no
//! token is still judged as the token someone meant it to be.
//!
//! Finding is linear in time and memory: the text is scanned once ([`TokenSpans`]), a JSON
//! document is walked as it is parsed (one HAR entry at a time), candidates are deduplicated
//! by hash, and a place is stored once and shared (a HAR request's URL by every field of it).
//! What is kept is bounded: [`MAX_TOKENS`] distinct tokens, [`MAX_PLACES`] places each (the
//! rest counted), tokens up to [`MAX_TOKEN_BYTES`].

mod scan;
mod shown;
mod walk;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

pub use scan::TokenSpans;
pub use shown::shortened_token;

use super::wrapper::{self, Wrappers};
use scan::Lines;

/// Distinct tokens kept; any further ones are counted ([`Findings::not_kept`]).
pub const MAX_TOKENS: usize = 100_000;
/// Places kept for each token; any further ones are counted ([`Found::place_count`]).
pub const MAX_PLACES: usize = 16;
/// The longest token judged. A token a page hands to iAdvize is a few kilobytes (the largest
/// `mint` makes, every field at its limit, about 110 KB); this leaves room for any token a
/// backend could make, a header of 1 MiB included (judged: iAdvize's library refuses headers
/// over 20,000 characters), and bounds the work on a text that only looks like one.
pub const MAX_TOKEN_BYTES: usize = 4 * 1024 * 1024;
/// Where one line holds no token, it is judged as one if it is at most this long.
const MAX_ONE_LINE_GUESS: usize = 64 * 1024;
/// JSON inside a JSON string is read as JSON this many levels deep, as text below that.
const MAX_NESTED_JSON: usize = 4;
/// Token-shaped texts over [`MAX_TOKEN_BYTES`] whose place is kept.
const MAX_TOO_LONG: usize = 8;

/// One token, as it would be handed to iAdvize, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The token's text, wrappers taken off (see [`Found::wrapped`]). For a bare token (the
    /// whole input, or a whole JSON string) the noise inside it stays: a line break inside is
    /// part of what a page would pass on.
    pub token: Arc<str>,
    /// Where it was found, in order: the first [`MAX_PLACES`].
    pub places: Vec<Place>,
    /// How many places in all.
    pub place_count: usize,
    /// Each different set of wrappers the token was found in, in order of first appearance;
    /// empty when it was always found alone.
    pub wrapped: Vec<Wrapped>,
}

/// A token found inside wrappers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    /// The wrappers, outermost first.
    pub wrappers: Wrappers,
    /// The first place the token was found in them.
    pub first: Place,
    /// How many places it was found in them.
    pub count: usize,
}

/// Where a token was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The whole input is the token.
    Whole,
    /// In plain text: line and column, counted from 1 (columns in characters).
    Text { line: u32, column: u32 },
    /// In a JSON document: the JSON Pointer of the string, and the place inside it.
    Json {
        pointer: Arc<SharedText>,
        line: u32,
        column: u32,
    },
    /// In a HAR file: the entry (from 1), its request (shared by all its places), and the
    /// field.
    Har {
        entry: u32,
        request: Arc<HarRequest>,
        field: Arc<SharedText>,
    },
}

/// A HAR entry's request, as its places name it.
#[derive(Debug, PartialEq, Eq)]
pub struct HarRequest {
    pub method: SharedText,
    pub url: SharedText,
}

/// Text that many places share (a URL, a field's name, a JSON Pointer), stored once, with a
/// slot for the form a report shows it in, made once however many places show it.
#[derive(Debug)]
pub struct SharedText {
    text: Box<str>,
    /// As shown with its tokens shortened, and whole.
    shown: [OnceLock<String>; 2],
}

impl SharedText {
    pub fn new(text: &str) -> Self {
        SharedText {
            text: text.into(),
            shown: [OnceLock::new(), OnceLock::new()],
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text as `show` renders it (tokens in it whole, or not), rendered on the first call
    /// only.
    pub fn shown(&self, whole_tokens: bool, show: impl FnOnce(&str) -> String) -> &str {
        self.shown[usize::from(whole_tokens)].get_or_init(|| show(&self.text))
    }
}

impl PartialEq for SharedText {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for SharedText {}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
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
                request,
                field,
            } => write!(
                f,
                "HAR entry {entry} ({} {}), {field}",
                request.method, request.url
            ),
        }
    }
}

/// A token-shaped text too long to be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong {
    pub place: Place,
    pub bytes: usize,
}

/// What [`find`] made of an input.
#[derive(Debug, Default)]
pub struct Findings {
    /// The tokens, in order of first appearance.
    pub tokens: Vec<Found>,
    /// No token was found, but the input is one line: it is the one token, judged as what
    /// someone gave as a token.
    pub guessed: bool,
    /// No token: the input is empty, or only whitespace and wrappers.
    pub empty: bool,
    /// Token-shaped texts over [`MAX_TOKEN_BYTES`], not judged: the first few.
    pub too_long: Vec<TooLong>,
    /// How many such texts in all.
    pub too_long_count: usize,
    /// Distinct tokens found after the first [`MAX_TOKENS`], not kept.
    pub not_kept: usize,
}

/// Every token in `input`, in order of first appearance.
pub fn find(input: &str) -> Findings {
    let mut finder = Finder::default();
    let trimmed = input.trim().trim_start_matches('\u{FEFF}').trim();
    if let Some((token, wrappers)) = bare(trimmed, true) {
        // No wrapper: the token is the input as given, its noise (a BOM, a line break) too.
        let token = if wrappers.is_empty() {
            Cow::Borrowed(input)
        } else {
            token
        };
        finder.add(&token, wrappers, &mut At::new(Where::Whole), (1, 1));
        return finder.finish();
    }
    if is_blank(trimmed) {
        return Findings {
            empty: true,
            ..Findings::default()
        };
    }
    if trimmed.starts_with(['{', '[']) {
        let mut json = Finder::default();
        if walk::document(&mut json, trimmed, true).is_ok() {
            finder = json;
        } else {
            finder.text(input.as_bytes(), &mut At::new(Where::Text));
        }
    } else {
        finder.text(input.as_bytes(), &mut At::new(Where::Text));
    }
    let one_line = !trimmed.contains('\n') && trimmed.len() <= MAX_ONE_LINE_GUESS;
    if finder.tokens.is_empty() && finder.too_long_count == 0 && one_line {
        let (token, wrappers) = wrapper::peel(trimmed);
        let token = if wrappers.is_empty() {
            Cow::Borrowed(input)
        } else {
            token
        };
        finder.add(&token, wrappers, &mut At::new(Where::Whole), (1, 1));
        let mut findings = finder.finish();
        findings.guessed = true;
        return findings;
    }
    finder.finish()
}

/// Whether nothing is left of `text` once its wrappers are taken off (a lone `Bearer` too).
fn is_blank(text: &str) -> bool {
    // Wrappers around nothing are a few characters.
    if text.len() > 32 {
        return false;
    }
    let (inner, _) = wrapper::peel(text);
    let inner = inner.trim();
    inner.is_empty() || inner.eq_ignore_ascii_case("bearer")
}

/// Where the text being scanned is: what a place is made from, made once and shared.
enum Where<'p> {
    Whole,
    Text,
    /// A JSON string at this pointer.
    Json(&'p str),
    Har {
        entry: u32,
        request: &'p Arc<HarRequest>,
        field: &'p str,
    },
}

/// A [`Where`] and its shared parts, made when the first token is found there.
struct At<'p> {
    place: Where<'p>,
    shared: Option<Arc<SharedText>>,
}

impl<'p> At<'p> {
    fn new(place: Where<'p>) -> Self {
        At {
            place,
            shared: None,
        }
    }

    /// Whether places here have a line and a column.
    fn has_lines(&self) -> bool {
        matches!(self.place, Where::Text | Where::Json(_))
    }

    fn place(&mut self, (line, column): (usize, usize)) -> Place {
        // Inputs are at most 64 MiB: lines and columns fit.
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let column = u32::try_from(column).unwrap_or(u32::MAX);
        let shared = |text: &str, cache: &mut Option<Arc<SharedText>>| {
            Arc::clone(cache.get_or_insert_with(|| Arc::new(SharedText::new(text))))
        };
        match &self.place {
            Where::Whole => Place::Whole,
            Where::Text => Place::Text { line, column },
            Where::Json(pointer) => Place::Json {
                pointer: shared(
                    if pointer.is_empty() { "/" } else { pointer },
                    &mut self.shared,
                ),
                line,
                column,
            },
            Where::Har {
                entry,
                request,
                field,
            } => Place::Har {
                entry: *entry,
                request: Arc::clone(request),
                field: shared(field, &mut self.shared),
            },
        }
    }
}

#[derive(Default)]
struct Finder {
    tokens: Vec<Found>,
    /// Each token's index in `tokens`.
    index: HashMap<Arc<str>, usize>,
    too_long: Vec<TooLong>,
    too_long_count: usize,
    not_kept: usize,
    /// How many JSON strings this finder's text is inside.
    depth: usize,
}

impl Finder {
    fn finish(self) -> Findings {
        Findings {
            tokens: self.tokens,
            guessed: false,
            empty: false,
            too_long: self.too_long,
            too_long_count: self.too_long_count,
            not_kept: self.not_kept,
        }
    }

    /// One more place of `token`.
    fn add(&mut self, token: &str, wrappers: Wrappers, at: &mut At<'_>, position: (usize, usize)) {
        if token.len() > MAX_TOKEN_BYTES {
            self.too_long_count += 1;
            if self.too_long.len() < MAX_TOO_LONG {
                self.too_long.push(TooLong {
                    place: at.place(position),
                    bytes: token.len(),
                });
            }
            return;
        }
        let index = match self.index.get(token) {
            Some(index) => *index,
            None if self.tokens.len() >= MAX_TOKENS => {
                self.not_kept += 1;
                return;
            }
            None => {
                let token: Arc<str> = Arc::from(token);
                self.index.insert(Arc::clone(&token), self.tokens.len());
                self.tokens.push(Found {
                    token,
                    places: Vec::new(),
                    place_count: 0,
                    wrapped: Vec::new(),
                });
                self.tokens.len() - 1
            }
        };
        let found = &mut self.tokens[index];
        let place =
            (found.places.len() < MAX_PLACES || !wrappers.is_empty()).then(|| at.place(position));
        found.place_count += 1;
        if !wrappers.is_empty() {
            match found.wrapped.iter_mut().find(|w| w.wrappers == wrappers) {
                Some(known) => known.count += 1,
                None => found.wrapped.push(Wrapped {
                    wrappers,
                    first: place.clone().unwrap_or(Place::Whole),
                    count: 1,
                }),
            }
        }
        if found.places.len() < MAX_PLACES
            && let Some(place) = place
        {
            found.places.push(place);
        }
    }

    /// The tokens of another finder, every one at `place` (a JSON document inside a string).
    fn merge(&mut self, other: Finder, at: &mut At<'_>) {
        for found in other.tokens {
            let wrapped: usize = found.wrapped.iter().map(|w| w.count).sum();
            if wrapped < found.place_count {
                self.add(&found.token, Wrappers::default(), at, (1, 1));
            }
            for wrapped in &found.wrapped {
                self.add(&found.token, wrapped.wrappers, at, (1, 1));
            }
        }
        self.too_long_count += other.too_long_count;
        for too_long in other.too_long {
            if self.too_long.len() < MAX_TOO_LONG {
                self.too_long.push(TooLong {
                    place: at.place((1, 1)),
                    bytes: too_long.bytes,
                });
            }
        }
        self.not_kept += other.not_kept;
    }

    /// Every candidate in text, with the wrappers written around it.
    fn text(&mut self, bytes: &[u8], at: &mut At<'_>) {
        let mut lines = Lines::new(bytes);
        for span in TokenSpans::new(bytes) {
            let wrappers = wrapper::around(bytes, span.start, span.end);
            let position = if at.has_lines() {
                lines.locate(span.start)
            } else {
                (1, 1)
            };
            // The span is ASCII: base64url, dots and percent escapes.
            let text = String::from_utf8_lossy(&bytes[span]);
            let token = if wrapper::has_percent_escape(text.as_bytes()) {
                Cow::Owned(wrapper::percent_decoded(&text))
            } else {
                text
            };
            self.add(&token, wrappers, at, position);
        }
    }

    /// A JSON string: a bare token as it is, or the tokens in its text (itself JSON, maybe).
    fn string(&mut self, text: &str, at: &mut At<'_>) {
        if let Some((token, wrappers)) = bare(text.trim(), false) {
            self.add(&token, wrappers, at, (1, 1));
            return;
        }
        let trimmed = text.trim_start();
        if trimmed.starts_with(['{', '[']) && self.depth < MAX_NESTED_JSON {
            let mut inner = Finder {
                depth: self.depth + 1,
                ..Finder::default()
            };
            if walk::document(&mut inner, trimmed, false).is_ok() {
                self.merge(inner, at);
                return;
            }
        }
        self.text(text.as_bytes(), at);
    }

    /// Bytes that may not be text (a decoded response body).
    fn bytes(&mut self, bytes: &[u8], at: &mut At<'_>) {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.string(text, at),
            Err(_) => self.text(bytes, at),
        }
    }
}

/// The token `text` (trimmed) is when it is nothing else, once its wrappers are taken off:
/// one token with only the noise that comes with a paste (line breaks, a byte order mark,
/// characters a base64 decoder skips), or a JOSE object in JSON serialisation. With
/// `spaced_line`, a single line whose spaces are its only words is one token too (iAdvize's
/// decoder skips them).
fn bare(text: &str, spaced_line: bool) -> Option<(Cow<'_, str>, Wrappers)> {
    let first = *text.as_bytes().first()?;
    if !matches!(
        first,
        b'e' | b'"' | b'\'' | b'`' | b'\\' | b'b' | b'B' | b'%' | b'{'
    ) {
        return None;
    }
    if first == b'{' {
        return (text.len() <= MAX_TOKEN_BYTES && walk::is_jose_json(text))
            .then_some((Cow::Borrowed(text), Wrappers::default()));
    }
    // Longer than a token: only its shape matters (it is not judged), not what it decodes to.
    let (inner, wrappers) = if text.len() > MAX_TOKEN_BYTES {
        wrapper::peel_undecoded(text)
    } else {
        wrapper::peel(text)
    };
    let spaces = spaced_line && !inner.contains('\n');
    is_token_shaped(&inner, spaces).then_some((inner, wrappers))
}

/// `eyJ…` with 3 or 5 parts, no control character but line breaks, no space or tab inside
/// (unless `spaces`).
fn is_token_shaped(text: &str, spaces: bool) -> bool {
    let mut dots = 0;
    let mut head = [0u8; 3];
    let mut seen = 0;
    for c in text.chars() {
        match c {
            ' ' | '\t' if !spaces => return false,
            ' ' | '\t' | '\n' | '\r' | '\u{FEFF}' => continue,
            c if c.is_whitespace() => continue,
            c if c.is_control() => return false,
            '.' => dots += 1,
            _ => {}
        }
        if seen < 3 {
            head[seen] = u8::try_from(c).unwrap_or(0);
            seen += 1;
        }
    }
    &head == b"eyJ" && (dots == 2 || dots == 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln";

    fn tokens(input: &str) -> Vec<(String, Vec<String>)> {
        find(input)
            .tokens
            .into_iter()
            .map(|f| {
                (
                    f.token.to_string(),
                    f.places.iter().map(ToString::to_string).collect(),
                )
            })
            .collect()
    }

    fn wrappers(input: &str) -> Vec<String> {
        find(input)
            .tokens
            .iter()
            .flat_map(|f| f.wrapped.iter().map(|w| w.wrappers.to_string()))
            .collect()
    }

    #[test]
    fn a_bare_token_keeps_its_noise() {
        for bare in [
            T.to_string(),
            format!("{T}\n"),
            "eyJhbGciOiJS\nUzI1NiJ9.eyJhIjoxfQ.c2ln".to_string(),
            format!("\u{FEFF}{T}"),
        ] {
            assert_eq!(
                tokens(&bare),
                [(bare.clone(), vec!["the whole input".into()])]
            );
        }
    }

    #[test]
    fn a_wrapped_bare_token_is_unwrapped_and_its_wrappers_named() {
        for (bare, named) in [
            (format!("\"{T}\""), "quotes"),
            (format!("Bearer {T}\n"), "'Bearer '"),
            (format!("\"Bearer {T}\""), "quotes around 'Bearer '"),
            (format!("b'{T}'"), "b'…' (Python bytes)"),
            (T.replace('.', "%2E"), "percent-encoding"),
            (format!("%22{T}%22"), "percent-encoding around quotes"),
        ] {
            assert_eq!(tokens(&bare), [(T.into(), vec!["the whole input".into()])]);
            assert_eq!(wrappers(&bare), [named], "{bare}");
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
        assert_eq!(wrappers(&log), ["quotes", "'Bearer '"]);
        // Part of a longer word is not a token.
        assert!(tokens(&format!("xeyJ{T}")).iter().all(|(t, _)| t != T));
    }

    #[test]
    fn wrapped_tokens_in_a_log_line_are_named() {
        for (line, named) in [
            (format!("sent b'{T}' to the page"), "b'…' (Python bytes)"),
            (
                format!("GET /chat?jwe=%22{T}%22 200"),
                "percent-encoding around quotes",
            ),
            (
                format!("GET /chat?jwe={} 200", T.replace('.', "%2E")),
                "percent-encoding",
            ),
            (
                format!("{{\"body\":\"{{\\\"t\\\":\\\"x\\\"}}\", \"jwe\": \"\\\"{T}\\\"\"}} end"),
                "quotes",
            ),
        ] {
            let found = tokens(&line);
            assert_eq!(found.len(), 1, "{line}: {found:?}");
            assert_eq!(found[0].0, T, "{line}");
            assert_eq!(wrappers(&line), [named], "{line}");
        }
    }

    #[test]
    fn json_strings_are_read_unescaped_and_nested_json_too() {
        let json = serde_json::json!({
            "token": T,
            "quoted": format!("\"{T}\""),
            "body": serde_json::json!({"inner": T}).to_string(),
            "url": format!("https://x.example/?jwe=%22{}%22", T.replace('.', "%2E")),
        })
        .to_string();
        assert_eq!(
            tokens(&json),
            [(
                T.to_string(),
                vec![
                    "JSON /token".into(),
                    "JSON /quoted".into(),
                    "JSON /body".into(),
                    "JSON /url, line 1, column 27 of the string".into(),
                ]
            )]
        );
        assert_eq!(
            wrappers(&json),
            ["quotes", "percent-encoding around quotes"]
        );
    }

    #[test]
    fn har_fields_are_named_and_base64_content_decoded() {
        use base64::Engine as _;
        let body =
            base64::engine::general_purpose::STANDARD.encode(format!("{{\"token\":\"{T}\"}}"));
        let har = serde_json::json!({"log": {"version": "1.2", "entries": [{
            "request": {"method": "POST", "url": format!("https://brand.example/token?jwe=%22{T}%22"),
                "headers": [{"name": "Authorization", "value": format!("Bearer {T}")}]},
            "response": {"content": {"text": body, "encoding": "base64"}}
        }]}})
        .to_string();
        let found = tokens(&har);
        assert_eq!(found.len(), 1, "{found:?}");
        let url = format!("https://brand.example/token?jwe=%22{T}%22");
        assert_eq!(
            found[0].1,
            [
                format!("HAR entry 1 (POST {url}), request URL"),
                format!("HAR entry 1 (POST {url}), request header Authorization"),
                format!("HAR entry 1 (POST {url}), response body (base64-decoded)"),
            ]
        );
        assert_eq!(
            wrappers(&har),
            ["percent-encoding around quotes", "'Bearer '"]
        );
    }

    #[test]
    fn one_line_without_a_token_is_a_guess_and_blank_input_is_empty() {
        let guess = find("\"Bearer not-a-token\"");
        assert!(guess.guessed && guess.tokens.len() == 1);
        assert_eq!(&*guess.tokens[0].token, "not-a-token");
        for blank in ["", "  \n", "\"\"", "Bearer  ", "''"] {
            assert!(find(blank).empty, "{blank:?}");
        }
        let lines = find("no\ntoken");
        assert!(lines.tokens.is_empty() && !lines.guessed && !lines.empty);
    }

    #[test]
    fn bounds_hold() {
        let long = format!("{T}{}", "A".repeat(MAX_TOKEN_BYTES));
        let found = find(&format!("x {long} y {T}"));
        assert_eq!(found.tokens.len(), 1);
        assert_eq!(found.too_long_count, 1);
        assert_eq!(found.too_long[0].bytes, long.len());
        let log: String = (0..MAX_PLACES + 5).map(|_| format!("{T}\n")).collect();
        let found = find(&log);
        assert_eq!(found.tokens[0].places.len(), MAX_PLACES);
        assert_eq!(found.tokens[0].place_count, MAX_PLACES + 5);
    }
}
