//! What iAdvize's Java stack makes of a JSON object: a port of Nimbus JOSE+JWT's
//! `JSONObjectUtils.parse` on Gson 2.10.
//!
//! Nimbus reads every JOSE header and every JWT claims set with
//!
//! ```java
//! if (s.trim().isEmpty()) throw new ParseException("Invalid JSON object", 0);
//! return GSON.fromJson(s, Map<String, Object>);   // ToNumberPolicy.LONG_OR_DOUBLE
//! ```
//!
//! and Gson's `fromJson` reads *leniently*: comments (`//`, `#`, `/* */`), single-quoted and
//! unquoted names and strings, `=` or `=>` after a name, `;` between members or elements, omitted
//! array elements (read as null), keywords in any case (`TRUE`, `nULl`), a `)]}'` line before
//! the document, a byte order mark. Only what follows the top-level value is checked strictly:
//! nothing but spaces, tabs and line breaks may follow it. [`parse`] accepts exactly what that
//! code accepts and returns the same map, checked against the real library by
//! `tests/it/nimbus/json.rs`. It also names the first lenient feature the text relies on, so that a
//! caller can say "iAdvize's library reads this, but it is not valid JSON".
//!
//! Gson's rules that a JSON parser would not guess:
//!
//! - A value that is not a quoted string, a keyword or a well-formed number is an *unquoted
//!   string* up to the next delimiter: `NaN`, `01`, `0x10`, `.5`, `1.`, `+1`, `x"y` are strings.
//! - Numbers become a `Long` when `Long.parseLong` accepts them (`-0` is `0`), else a `Double`:
//!   `1.0`, `1E3` and `9223372036854775808` are doubles, `1e400` is infinity. A number token
//!   1024 characters or longer is a string (it does not fit Gson's buffer), and so is an integer
//!   whose running value wraps to zero before its last digit (`922337203685477580800`).
//! - The top level may instead be an array of `[name, value]` pairs, whose names may be strings,
//!   numbers (kept as written) or booleans: `[["a",1],[2,true]]` is `{"a":1,"2":true}`.
//! - A name twice at the top level is refused, unless its earlier value was null
//!   (`{"a":null,"a":1}` is accepted: Gson only checks what `Map.put` replaced). In nested
//!   objects the last value wins, in the first one's place.
//! - A document that is `null` (in any case), or holds nothing but comments, a byte order mark
//!   or the `)]}'` line, is a null map (Nimbus returns `null`), and after a top-level `null`
//!   anything at all may follow.
//!
//! The leniency reported is about the text's syntax only: a name given twice (which JSON
//! allows) and a JSON number that Gson reads as a string are not reported. Maps keep their
//! members in insertion order as Gson's do, because this build's `serde_json` has its
//! `preserve_order` feature (josekit turns it on; `tests/it/nimbus/json.rs` compares the order).
//!
//! Where this port differs from Java, on purpose:
//!
//! - Nesting deeper than [`MAX_DEPTH`] arrays and objects is refused here. Gson 2.10 reads any
//!   depth (its object adapter is not recursive), but the values we return are dropped and
//!   printed recursively, so unbounded depth would let a token overflow our stack.
//! - An unpaired surrogate from a `\u` escape (`"\ud800"`) becomes U+FFFD: Java strings may
//!   hold one, Rust strings may not. The [`Leniency`] reported says when this happened.
//! - An infinite double becomes `±f64::MAX`: `serde_json` numbers cannot be infinite.
//! - Error messages and their line and column (counted in characters) are ours; Nimbus only
//!   ever says "Invalid JSON object".

use std::fmt;

use serde_json::{Map, Number, Value};

/// The deepest nesting of arrays and objects [`parse`] reads, counting the outermost object.
pub const MAX_DEPTH: usize = 512;

/// Gson's `JsonReader` buffer: a number token this long does not fit and is read as a string.
const NUMBER_TOKEN_LIMIT: usize = 1024;

/// The text Gson skips when a document starts with it.
const NON_EXECUTE_PREFIX: &[u8] = b")]}'\n";

/// What Nimbus's `JSONObjectUtils.parse` returns for a text it accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum NimbusJson {
    /// A map (Gson's `LinkedTreeMap`, in insertion order).
    Object(Map<String, Value>),
    /// Gson returned `null`: the document is `null`, or empty apart from comments, a byte order
    /// mark and the `)]}'` line. Nimbus hands this `null` to its caller.
    Null,
}

/// A text Nimbus accepts: what it makes of it, and the first liberty it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The map Nimbus returns, or its `null`.
    pub json: NimbusJson,
    /// The first thing in the text that strict JSON (RFC 8259) does not allow, or `None` when
    /// the text is plain JSON.
    pub leniency: Option<Leniency>,
}

/// A place in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    /// Byte offset.
    offset: usize,
    /// 1-based line.
    line: usize,
    /// 1-based column, in characters.
    column: usize,
}

impl Position {
    fn of(text: &str, offset: usize) -> Position {
        let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let is_char_start = |b: &&u8| (**b & 0xC0) != 0x80;
        Position {
            offset,
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + before
                .get(line_start..)
                .map_or(0, |rest| rest.iter().filter(is_char_start).count()),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} column {}", self.line, self.column)
    }
}

/// A lenient feature and where the text first uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leniency {
    feature: Feature,
    at: Position,
}

impl fmt::Display for Leniency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.feature, self.at)
    }
}

/// Things Gson reads that strict JSON does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Feature {
    /// U+FEFF before the document.
    ByteOrderMark,
    /// The line `)]}'` before the document.
    NonExecutePrefix,
    /// `// …`, `# …` or `/* … */`.
    Comment,
    /// `{'a': …}`.
    SingleQuotedName,
    /// `{a: …}`.
    UnquotedName,
    /// `'text'` as a value.
    SingleQuotedString,
    /// A value that is not a string, number or keyword, read as a string: `NaN`, `01`, `abc`.
    UnquotedValue,
    /// `TRUE`, `False`, `nULl`.
    KeywordCase,
    /// `;` between members or elements.
    SemicolonSeparator,
    /// `=` or `=>` between a name and its value.
    EqualsSeparator,
    /// `[1,,2]`, `[1,]`, `[,]`: the missing elements are nulls.
    OmittedArrayElement,
    /// `\'`, or a backslash before a line break.
    NonJsonEscape,
    /// A tab, line break or other control character inside a string.
    ControlCharacter,
    /// A `\u` escape of half a surrogate pair (kept by Java, U+FFFD here).
    UnpairedSurrogate,
    /// An array of `[name, value]` pairs where an object belongs.
    PairsArray,
    /// Text after a top-level `null` (never looked at).
    TextAfterNull,
}

impl Feature {
    /// A short description, e.g. "unquoted name".
    fn describe(self) -> &'static str {
        match self {
            Feature::ByteOrderMark => "byte order mark",
            Feature::NonExecutePrefix => "non-execute prefix )]}'",
            Feature::Comment => "comment",
            Feature::SingleQuotedName => "single-quoted name",
            Feature::UnquotedName => "unquoted name",
            Feature::SingleQuotedString => "single-quoted string",
            Feature::UnquotedValue => "unquoted value",
            Feature::KeywordCase => "true, false or null not in lower case",
            Feature::SemicolonSeparator => "';' separator",
            Feature::EqualsSeparator => "'=' or '=>' separator",
            Feature::OmittedArrayElement => "omitted array element",
            Feature::NonJsonEscape => "escape sequence JSON does not have",
            Feature::ControlCharacter => "unescaped control character in a string",
            Feature::UnpairedSurrogate => "unpaired surrogate in a \\u escape",
            Feature::PairsArray => "array of [name, value] pairs instead of an object",
            Feature::TextAfterNull => "text after a top-level null",
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why Nimbus refuses a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GsonError {
    /// What went wrong; the message adds where (line and column).
    pub kind: ErrorKind,
    at: Position,
}

impl fmt::Display for GsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Blank => write!(f, "{}", self.kind),
            _ => write!(f, "{} at {}", self.kind, self.at),
        }
    }
}

impl std::error::Error for GsonError {}

/// What went wrong, in Gson's terms where it has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Empty, or only characters up to U+0020 (Nimbus's `s.trim().isEmpty()`).
    Blank,
    /// The text ends inside the document.
    EndOfInput,
    /// Something other than a name where an object's member starts.
    ExpectedName,
    /// Something other than `:`, `=` or `=>` after a name.
    ExpectedColon,
    /// A character that starts no value (`}`, `:`, a closing `]`) where a value belongs.
    ExpectedValue,
    /// A `,`, `;` or `]` where a value belongs, outside an array.
    UnexpectedValue,
    /// Something other than `,`, `;` or `}` after an object's member.
    UnterminatedObject,
    /// Something other than `,`, `;` or `]` after an array's element.
    UnterminatedArray,
    /// A quoted string the text ends inside.
    UnterminatedString,
    /// A backslash, or a `\u` escape, the text ends inside.
    UnterminatedEscape,
    /// A backslash before a character that starts no escape (`\x`).
    InvalidEscape,
    /// A `\u` escape not followed by four hexadecimal digits.
    MalformedUnicodeEscape,
    /// A `/*` comment never closed.
    UnterminatedComment,
    /// The document is not an object, an array of pairs or null.
    NotAnObject {
        /// What it is (`an array`, `a string` …).
        found: &'static str,
    },
    /// An element of the top-level array is not a `[name, value]` array.
    ExpectedPair {
        /// What the element is.
        found: &'static str,
    },
    /// A `[name, value]` pair has fewer or more than two elements.
    PairLength,
    /// A `[name, value]` pair whose name is null (`LinkedTreeMap` throws).
    NullPairName,
    /// A `[name, value]` pair whose name is an object or an array.
    BadPairName {
        /// What the name is.
        found: &'static str,
    },
    /// A top-level name given twice, the earlier value not null.
    DuplicateName(String),
    /// More than [`MAX_DEPTH`] levels of arrays and objects.
    TooDeep,
    /// Something other than whitespace after the top-level object.
    TrailingText,
    /// A number token Java's `Double.valueOf` would refuse (cannot happen).
    BadNumber,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Blank => f.write_str("empty text"),
            ErrorKind::EndOfInput => f.write_str("end of input"),
            ErrorKind::ExpectedName => f.write_str("expected name"),
            ErrorKind::ExpectedColon => f.write_str("expected ':'"),
            ErrorKind::ExpectedValue => f.write_str("expected value"),
            ErrorKind::UnexpectedValue => f.write_str("unexpected value"),
            ErrorKind::UnterminatedObject => f.write_str("unterminated object"),
            ErrorKind::UnterminatedArray => f.write_str("unterminated array"),
            ErrorKind::UnterminatedString => f.write_str("unterminated string"),
            ErrorKind::UnterminatedEscape => f.write_str("unterminated escape sequence"),
            ErrorKind::InvalidEscape => f.write_str("invalid escape sequence"),
            ErrorKind::MalformedUnicodeEscape => f.write_str("malformed \\u escape"),
            ErrorKind::UnterminatedComment => f.write_str("unterminated comment"),
            ErrorKind::NotAnObject { found } => write!(f, "expected an object, found {found}"),
            ErrorKind::ExpectedPair { found } => {
                write!(f, "expected a [name, value] array, found {found}")
            }
            ErrorKind::PairLength => f.write_str("a [name, value] pair without two elements"),
            ErrorKind::NullPairName => f.write_str("a [name, value] pair with a null name"),
            ErrorKind::BadPairName { found } => {
                write!(f, "a [name, value] pair whose name is {found}")
            }
            ErrorKind::DuplicateName(name) => write!(f, "duplicate name {name:?}"),
            ErrorKind::TooDeep => write!(f, "more than {MAX_DEPTH} levels of nesting"),
            ErrorKind::TrailingText => f.write_str("text after the JSON object"),
            ErrorKind::BadNumber => f.write_str("malformed number"),
        }
    }
}

/// Reads `text` as Nimbus's `JSONObjectUtils.parse(text)` does. The size limit Nimbus puts on
/// JOSE headers (`parse(text, 20_000)`) is checked by the inspector's header layer.
pub fn parse(text: &str) -> Result<Parsed, GsonError> {
    Reader::new(text).document()
}

/// A token, as Gson's `JsonReader.peek` sees it (strings already read).
enum Token<'a> {
    BeginObject,
    BeginArray,
    EndArray,
    Bool(bool),
    Null,
    Str(String),
    /// A well-formed number, as written.
    Number(&'a str),
}

impl Token<'_> {
    /// How an error message names this token.
    fn describe(&self) -> &'static str {
        match self {
            Token::BeginObject => "an object",
            Token::BeginArray => "an array",
            Token::EndArray => "']'",
            Token::Bool(_) => "a boolean",
            Token::Null => "null",
            Token::Str(_) => "a string",
            Token::Number(_) => "a number",
        }
    }
}

/// Where a value is read: it decides what `,`, `;` and `]` mean there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Document,
    FirstInArray,
    LaterInArray,
    MemberValue,
}

/// Gson's `isLiteral`: characters that can be part of an unquoted name, value or keyword.
fn is_literal(c: u8) -> bool {
    !matches!(
        c,
        b'/' | b'\\'
            | b';'
            | b'#'
            | b'='
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b':'
            | b','
            | b' '
            | b'\t'
            | 0x0C
            | b'\r'
            | b'\n'
    )
}

/// Whether `text` is a number in JSON's grammar (RFC 8259).
fn is_json_number(text: &str) -> bool {
    fn digits(s: &[u8]) -> usize {
        s.iter().take_while(|c| c.is_ascii_digit()).count()
    }
    let s = text.as_bytes();
    let mut i = usize::from(s.first() == Some(&b'-'));
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(s.get(i..).unwrap_or_default()),
        _ => return false,
    }
    if s.get(i) == Some(&b'.') {
        let n = digits(s.get(i + 1..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(s.get(i..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == s.len()
}

/// What may follow the top-level object (Gson checks this part strictly).
fn is_strict_whitespace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Collects a Java string, code unit by code unit where `\u` escapes are involved.
struct JavaString {
    text: String,
    pending_high: Option<u16>,
    /// Set when an unpaired surrogate was replaced.
    replaced: bool,
}

impl JavaString {
    fn new() -> Self {
        JavaString {
            text: String::new(),
            pending_high: None,
            replaced: false,
        }
    }

    fn flush(&mut self) {
        if self.pending_high.take().is_some() {
            self.text.push(char::REPLACEMENT_CHARACTER);
            self.replaced = true;
        }
    }

    fn push_str(&mut self, s: &str) {
        self.flush();
        self.text.push_str(s);
    }

    fn push_char(&mut self, c: char) {
        self.flush();
        self.text.push(c);
    }

    fn push_unit(&mut self, unit: u16) {
        match unit {
            0xD800..=0xDBFF => {
                self.flush();
                self.pending_high = Some(unit);
            }
            0xDC00..=0xDFFF => match self.pending_high.take() {
                Some(high) => {
                    let c =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    self.text
                        .push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                None => {
                    self.text.push(char::REPLACEMENT_CHARACTER);
                    self.replaced = true;
                }
            },
            _ => self
                .push_char(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
    }

    fn finish(mut self) -> (String, bool) {
        self.flush();
        (self.text, self.replaced)
    }
}

/// An array or object being read: its members so far and, in an object, the name whose value
/// is being read.
enum Open {
    Object(Map<String, Value>, Option<String>),
    Array(Vec<Value>),
}

impl Open {
    fn add(&mut self, value: Value) {
        match self {
            Open::Object(map, name) => {
                if let Some(name) = name.take() {
                    map.insert(name, value);
                }
            }
            Open::Array(items) => items.push(value),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Open::Object(map, _) => Value::Object(map),
            Open::Array(items) => Value::Array(items),
        }
    }
}

/// A cursor over the text, playing Gson's `JsonReader` in lenient mode. All the syntax is
/// ASCII, so it works on bytes; every offset where it slices is next to an ASCII byte.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    leniency: Option<Leniency>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            leniency: None,
        }
    }

    fn error(&self, kind: ErrorKind, offset: usize) -> GsonError {
        GsonError {
            kind,
            at: Position::of(self.text, offset),
        }
    }

    fn note(&mut self, feature: Feature, offset: usize) {
        if self.leniency.is_none() {
            self.leniency = Some(Leniency {
                feature,
                at: Position::of(self.text, offset),
            });
        }
    }

    fn peek_byte(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// `Gson.fromJson` then Nimbus's checks around it.
    fn document(mut self) -> Result<Parsed, GsonError> {
        if self.text.chars().all(|c| c <= ' ') {
            return Err(self.error(ErrorKind::Blank, 0));
        }
        if self.text.starts_with('\u{FEFF}') {
            self.note(Feature::ByteOrderMark, 0);
            self.pos = '\u{FEFF}'.len_utf8();
        }
        // Gson returns null when the first peek meets the end of the text.
        if self.skip_to_token()?.is_none() {
            return Ok(self.finish(NimbusJson::Null));
        }
        self.pos -= 1;
        if self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(NON_EXECUTE_PREFIX))
        {
            self.note(Feature::NonExecutePrefix, self.pos);
            self.pos += NON_EXECUTE_PREFIX.len();
            if self.skip_to_token()?.is_none() {
                return Ok(self.finish(NimbusJson::Null));
            }
            self.pos -= 1;
        }
        let start = self.pos;
        let map = match self.peek_value(Slot::Document)? {
            Token::Null => {
                // Gson checks that a document was fully read only when the result is not null.
                if let Some(i) = self.rest().iter().position(|&c| !is_strict_whitespace(c)) {
                    self.note(Feature::TextAfterNull, self.pos + i);
                }
                return Ok(self.finish(NimbusJson::Null));
            }
            Token::BeginObject => self.top_object()?,
            Token::BeginArray => {
                self.note(Feature::PairsArray, start);
                self.pairs()?
            }
            other => {
                let found = other.describe();
                return Err(self.error(ErrorKind::NotAnObject { found }, start));
            }
        };
        if let Some(i) = self.rest().iter().position(|&c| !is_strict_whitespace(c)) {
            return Err(self.error(ErrorKind::TrailingText, self.pos + i));
        }
        Ok(self.finish(NimbusJson::Object(map)))
    }

    fn finish(self, json: NimbusJson) -> Parsed {
        Parsed {
            json,
            leniency: self.leniency,
        }
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// Gson's lenient `nextNonWhitespace`: skips whitespace and comments and returns the next
    /// byte, consumed, or `None` at the end of the text.
    fn skip_to_token(&mut self) -> Result<Option<u8>, GsonError> {
        while let Some(c) = self.peek_byte() {
            let at = self.pos;
            self.pos += 1;
            match c {
                b'\n' | b' ' | b'\r' | b'\t' => {}
                b'/' => match self.peek_byte() {
                    Some(b'*') => {
                        self.note(Feature::Comment, at);
                        let body = self.pos + 1;
                        let end = self
                            .bytes
                            .get(body..)
                            .and_then(|rest| rest.windows(2).position(|w| w == b"*/"))
                            .ok_or_else(|| self.error(ErrorKind::UnterminatedComment, at))?;
                        self.pos = body + end + 2;
                    }
                    Some(b'/') => {
                        self.note(Feature::Comment, at);
                        self.skip_to_end_of_line();
                    }
                    _ => return Ok(Some(c)),
                },
                b'#' => {
                    self.note(Feature::Comment, at);
                    self.skip_to_end_of_line();
                }
                _ => return Ok(Some(c)),
            }
        }
        Ok(None)
    }

    /// Like [`Self::skip_to_token`], where the text may not end.
    fn next(&mut self) -> Result<u8, GsonError> {
        self.skip_to_token()?
            .ok_or_else(|| self.error(ErrorKind::EndOfInput, self.pos))
    }

    /// Past the next `\n`, or the next `\r` alone.
    fn skip_to_end_of_line(&mut self) {
        while let Some(c) = self.peek_byte() {
            self.pos += 1;
            if c == b'\n' || c == b'\r' {
                break;
            }
        }
    }

    /// Gson's `doPeek` for a value, reading strings whole.
    fn peek_value(&mut self, slot: Slot) -> Result<Token<'a>, GsonError> {
        let c = self.next()?;
        let at = self.pos - 1;
        match c {
            b']' if slot == Slot::FirstInArray => Ok(Token::EndArray),
            b']' | b',' | b';' => {
                if matches!(slot, Slot::FirstInArray | Slot::LaterInArray) {
                    self.note(Feature::OmittedArrayElement, at);
                    self.pos = at;
                    Ok(Token::Null)
                } else {
                    Err(self.error(ErrorKind::UnexpectedValue, at))
                }
            }
            b'\'' => {
                self.note(Feature::SingleQuotedString, at);
                Ok(Token::Str(self.quoted(b'\'')?))
            }
            b'"' => Ok(Token::Str(self.quoted(b'"')?)),
            b'[' => Ok(Token::BeginArray),
            b'{' => Ok(Token::BeginObject),
            _ => {
                self.pos = at;
                if let Some(token) = self.keyword() {
                    return Ok(token);
                }
                if let Some(number) = self.number() {
                    return Ok(Token::Number(number));
                }
                if !is_literal(c) {
                    return Err(self.error(ErrorKind::ExpectedValue, at));
                }
                let text = self.unquoted();
                // A JSON number can end up here too (see `number`): Gson then reads valid JSON
                // as a string, but the text itself takes no liberty.
                if !is_json_number(text) {
                    self.note(Feature::UnquotedValue, at);
                }
                Ok(Token::Str(text.to_owned()))
            }
        }
    }

    /// Gson's `peekKeyword`: `true`, `false` or `null`, each letter in either case, not followed
    /// by a literal character.
    fn keyword(&mut self) -> Option<Token<'a>> {
        let rest = self.rest();
        let (word, token): (&[u8], _) = match rest.first()? {
            b't' | b'T' => (b"true", Token::Bool(true)),
            b'f' | b'F' => (b"false", Token::Bool(false)),
            b'n' | b'N' => (b"null", Token::Null),
            _ => return None,
        };
        let candidate = rest.get(..word.len())?;
        if !candidate.eq_ignore_ascii_case(word) {
            return None;
        }
        if rest.get(word.len()).is_some_and(|&c| is_literal(c)) {
            return None;
        }
        if candidate != word {
            self.note(Feature::KeywordCase, self.pos);
        }
        self.pos += word.len();
        Some(token)
    }

    /// Gson's `peekNumber`: a number in JSON's grammar (and no longer than Gson's buffer),
    /// ended by a non-literal character or the end of the text. Consumes it.
    fn number(&mut self) -> Option<&'a str> {
        #[derive(PartialEq)]
        enum Last {
            None,
            Sign,
            Digit,
            Decimal,
            FractionDigit,
            ExpE,
            ExpSign,
            ExpDigit,
        }
        let rest = self.rest();
        let mut last = Last::None;
        // Gson's running value of the integer part, negated, wrapping like a Java long. Gson
        // refuses a digit after a zero value to refuse leading zeros, and so also refuses one
        // after a value that wrapped to zero.
        let mut value: i64 = 0;
        let mut length = 0;
        loop {
            if length == NUMBER_TOKEN_LIMIT {
                return None;
            }
            let Some(&c) = rest.get(length) else { break };
            match c {
                b'-' => match last {
                    Last::None => last = Last::Sign,
                    Last::ExpE => last = Last::ExpSign,
                    _ => return None,
                },
                b'+' if last == Last::ExpE => last = Last::ExpSign,
                b'e' | b'E' if matches!(last, Last::Digit | Last::FractionDigit) => {
                    last = Last::ExpE;
                }
                b'.' if last == Last::Digit => last = Last::Decimal,
                b'0'..=b'9' => {
                    let digit = i64::from(c - b'0');
                    match last {
                        Last::None | Last::Sign => {
                            value = -digit;
                            last = Last::Digit;
                        }
                        Last::Digit => {
                            if value == 0 {
                                return None;
                            }
                            value = value.wrapping_mul(10).wrapping_sub(digit);
                        }
                        Last::Decimal => last = Last::FractionDigit,
                        Last::ExpE | Last::ExpSign => last = Last::ExpDigit,
                        Last::FractionDigit | Last::ExpDigit => {}
                    }
                }
                // Includes `+`, `e` and `.` out of place.
                _ if is_literal(c) => return None,
                _ => break,
            }
            length += 1;
        }
        if !matches!(last, Last::Digit | Last::FractionDigit | Last::ExpDigit) {
            return None;
        }
        let number = self.slice(self.pos, self.pos + length);
        self.pos += length;
        Some(number)
    }

    /// Gson's `nextUnquotedValue`: up to the next non-literal character. Consumes it.
    fn unquoted(&mut self) -> &'a str {
        let start = self.pos;
        let length = self
            .rest()
            .iter()
            .position(|&c| !is_literal(c))
            .unwrap_or(self.rest().len());
        self.pos += length;
        self.slice(start, self.pos)
    }

    /// Gson's `nextQuotedValue`, after the opening quote: up to the closing one, unescaping.
    fn quoted(&mut self, quote: u8) -> Result<String, GsonError> {
        let open = self.pos.saturating_sub(1);
        let mut out = JavaString::new();
        loop {
            let start = self.pos;
            while let Some(c) = self.peek_byte() {
                if c == quote || c == b'\\' {
                    break;
                }
                if c < 0x20 {
                    self.note(Feature::ControlCharacter, self.pos);
                }
                self.pos += 1;
            }
            if start < self.pos {
                out.push_str(self.slice(start, self.pos));
            }
            let Some(c) = self.peek_byte() else {
                return Err(self.error(ErrorKind::UnterminatedString, self.pos));
            };
            self.pos += 1;
            if c == quote {
                let (text, replaced) = out.finish();
                if replaced {
                    self.note(Feature::UnpairedSurrogate, open);
                }
                return Ok(text);
            }
            self.escape(&mut out)?;
        }
    }

    /// Gson's `readEscapeCharacter`, after the backslash.
    fn escape(&mut self, out: &mut JavaString) -> Result<(), GsonError> {
        let at = self.pos - 1;
        let Some(c) = self.peek_byte() else {
            return Err(self.error(ErrorKind::UnterminatedEscape, at));
        };
        self.pos += 1;
        match c {
            b'u' => {
                let Some(hex) = self.bytes.get(self.pos..self.pos + 4) else {
                    return Err(self.error(ErrorKind::UnterminatedEscape, at));
                };
                let mut unit: u16 = 0;
                for &h in hex {
                    let digit = char::from(h)
                        .to_digit(16)
                        .ok_or_else(|| self.error(ErrorKind::MalformedUnicodeEscape, at))?;
                    unit = (unit << 4) | u16::try_from(digit).unwrap_or_default();
                }
                self.pos += 4;
                out.push_unit(unit);
            }
            b't' => out.push_char('\t'),
            b'b' => out.push_char('\u{8}'),
            b'n' => out.push_char('\n'),
            b'r' => out.push_char('\r'),
            b'f' => out.push_char('\u{C}'),
            b'\n' | b'\'' => {
                self.note(Feature::NonJsonEscape, at);
                out.push_char(char::from(c));
            }
            b'"' | b'\\' | b'/' => out.push_char(char::from(c)),
            _ => return Err(self.error(ErrorKind::InvalidEscape, at)),
        }
        Ok(())
    }

    /// The value a token stands for, as Gson's `ObjectTypeAdapter` builds it; `depth` is the
    /// nesting level of the array or object the value is in. Nested arrays and objects are kept
    /// on a heap stack rather than read by recursion, so that no text can exhaust the call stack.
    fn value(&mut self, token: Token<'a>, at: usize, depth: usize) -> Result<Value, GsonError> {
        let mut open: Vec<Open> = Vec::new();
        let mut next = (token, at);
        loop {
            let (token, at) = next;
            let mut done = match token {
                Token::BeginObject | Token::BeginArray if depth + open.len() >= MAX_DEPTH => {
                    return Err(self.error(ErrorKind::TooDeep, at));
                }
                Token::BeginObject => {
                    open.push(Open::Object(Map::new(), None));
                    None
                }
                Token::BeginArray => {
                    open.push(Open::Array(Vec::new()));
                    None
                }
                Token::EndArray => return Err(self.error(ErrorKind::ExpectedValue, at)),
                Token::Bool(b) => Some(Value::Bool(b)),
                Token::Null => Some(Value::Null),
                Token::Str(s) => Some(Value::String(s)),
                Token::Number(text) => {
                    Some(number_value(text).ok_or_else(|| self.error(ErrorKind::BadNumber, at))?)
                }
            };
            // Hand finished values to their container, closing the containers that end, until
            // one has another value to read.
            loop {
                let Some(container) = open.last_mut() else {
                    return done.ok_or_else(|| self.error(ErrorKind::ExpectedValue, at));
                };
                if let Some(value) = done.take() {
                    container.add(value);
                }
                if let Some(token) = self.next_in(container)? {
                    next = token;
                    break;
                }
                done = open.pop().map(Open::into_value);
            }
        }
    }

    /// Reads up to the next value of an open array or object (returning its first token and
    /// where it starts), or past the container's end (returning `None`).
    fn next_in(&mut self, container: &mut Open) -> Result<Option<(Token<'a>, usize)>, GsonError> {
        match container {
            Open::Object(map, name) => {
                let Some((member, _)) = self.member(map.is_empty())? else {
                    return Ok(None);
                };
                *name = Some(member);
                let at = self.value_start()?;
                Ok(Some((self.peek_value(Slot::MemberValue)?, at)))
            }
            Open::Array(items) => {
                let first = items.is_empty();
                if !first && !self.element_separator()? {
                    return Ok(None);
                }
                let at = self.value_start()?;
                let slot = if first {
                    Slot::FirstInArray
                } else {
                    Slot::LaterInArray
                };
                match self.peek_value(slot)? {
                    Token::EndArray => Ok(None),
                    token => Ok(Some((token, at))),
                }
            }
        }
    }

    /// After an array element: `true` past a `,` or `;`, `false` past the closing `]`.
    fn element_separator(&mut self) -> Result<bool, GsonError> {
        match self.next()? {
            b']' => Ok(false),
            b';' => {
                self.note(Feature::SemicolonSeparator, self.pos - 1);
                Ok(true)
            }
            b',' => Ok(true),
            _ => Err(self.error(ErrorKind::UnterminatedArray, self.pos - 1)),
        }
    }

    /// Reads an object's next name, with the separator before it (unless `first`) and the `:`
    /// after it; returns the name and where it starts, or `None` past the closing `}`.
    fn member(&mut self, first: bool) -> Result<Option<(String, usize)>, GsonError> {
        if !first {
            match self.next()? {
                b'}' => return Ok(None),
                b';' => self.note(Feature::SemicolonSeparator, self.pos - 1),
                b',' => {}
                _ => return Err(self.error(ErrorKind::UnterminatedObject, self.pos - 1)),
            }
        }
        let c = self.next()?;
        let name_at = self.pos - 1;
        let name = match c {
            b'"' => self.quoted(b'"')?,
            b'\'' => {
                self.note(Feature::SingleQuotedName, name_at);
                self.quoted(b'\'')?
            }
            b'}' if first => return Ok(None),
            _ if is_literal(c) => {
                self.note(Feature::UnquotedName, name_at);
                self.pos = name_at;
                self.unquoted().to_owned()
            }
            _ => return Err(self.error(ErrorKind::ExpectedName, name_at)),
        };
        match self.next()? {
            b':' => {}
            b'=' => {
                self.note(Feature::EqualsSeparator, self.pos - 1);
                if self.peek_byte() == Some(b'>') {
                    self.pos += 1;
                }
            }
            _ => return Err(self.error(ErrorKind::ExpectedColon, self.pos - 1)),
        }
        Ok(Some((name, name_at)))
    }

    /// The top-level object after its `{`, as `MapTypeAdapterFactory` reads it: a name given
    /// twice is refused unless its earlier value is null.
    fn top_object(&mut self) -> Result<Map<String, Value>, GsonError> {
        let mut map = Map::new();
        while let Some((name, name_at)) = self.member(map.is_empty())? {
            let at = self.value_start()?;
            let token = self.peek_value(Slot::MemberValue)?;
            let value = self.value(token, at, 1)?;
            if map.get(&name).is_some_and(|old| !old.is_null()) {
                return Err(self.error(ErrorKind::DuplicateName(name), name_at));
            }
            map.insert(name, value);
        }
        Ok(map)
    }

    /// Where the next token starts (for error messages).
    fn value_start(&mut self) -> Result<usize, GsonError> {
        self.next()?;
        self.pos -= 1;
        Ok(self.pos)
    }

    /// The top-level array of `[name, value]` pairs after its `[`, as `MapTypeAdapterFactory`
    /// reads it: names through Gson's string adapter, values through `ObjectTypeAdapter`.
    fn pairs(&mut self) -> Result<Map<String, Value>, GsonError> {
        let mut map = Map::new();
        let mut first = true;
        loop {
            if !first && !self.element_separator()? {
                return Ok(map);
            }
            let pair_at = self.value_start()?;
            let slot = if first {
                Slot::FirstInArray
            } else {
                Slot::LaterInArray
            };
            first = false;
            match self.peek_value(slot)? {
                Token::EndArray => return Ok(map),
                Token::BeginArray => {}
                other => {
                    let found = other.describe();
                    return Err(self.error(ErrorKind::ExpectedPair { found }, pair_at));
                }
            }
            let name_at = self.value_start()?;
            let name = match self.peek_value(Slot::FirstInArray)? {
                Token::Str(s) => Some(s),
                Token::Number(text) => Some(text.to_owned()),
                Token::Bool(b) => Some(b.to_string()),
                Token::Null => None,
                Token::EndArray => return Err(self.error(ErrorKind::PairLength, name_at)),
                other @ (Token::BeginObject | Token::BeginArray) => {
                    let found = other.describe();
                    return Err(self.error(ErrorKind::BadPairName { found }, name_at));
                }
            };
            if !self.element_separator()? {
                return Err(self.error(ErrorKind::PairLength, self.pos - 1));
            }
            let value_at = self.value_start()?;
            let token = self.peek_value(Slot::LaterInArray)?;
            let value = self.value(token, value_at, 2)?;
            let Some(name) = name else {
                return Err(self.error(ErrorKind::NullPairName, name_at));
            };
            if map.get(&name).is_some_and(|old| !old.is_null()) {
                return Err(self.error(ErrorKind::DuplicateName(name), name_at));
            }
            map.insert(name, value);
            match self.next()? {
                b']' => {}
                b',' | b';' => return Err(self.error(ErrorKind::PairLength, self.pos - 1)),
                _ => return Err(self.error(ErrorKind::UnterminatedArray, self.pos - 1)),
            }
        }
    }
}

/// `ToNumberPolicy.LONG_OR_DOUBLE`: a `Long` when `Long.parseLong` accepts the text, else a
/// `Double` (infinity clamped to `±f64::MAX`). `None` only for text that is not a number.
fn number_value(text: &str) -> Option<Value> {
    if let Ok(long) = text.parse::<i64>() {
        return Some(Value::from(long));
    }
    let double: f64 = text.parse().ok()?;
    let double = if double.is_infinite() {
        f64::MAX.copysign(double)
    } else {
        double
    };
    Number::from_f64(double).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn object(text: &str) -> Value {
        match parse(text) {
            Ok(Parsed {
                json: NimbusJson::Object(map),
                ..
            }) => Value::Object(map),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    fn leniency(text: &str) -> Option<Feature> {
        parse(text).unwrap().leniency.map(|l| l.feature)
    }

    fn error(text: &str) -> GsonError {
        parse(text).unwrap_err()
    }

    #[test]
    fn strict_json_reads_as_json() {
        let text = r#"{"sub":"u1","exp":1700000000,"n":[1.5,-0,true,null,{"x":"\u00e9\n"}]}"#;
        assert_eq!(
            object(text),
            json!({"sub":"u1","exp":1700000000,"n":[1.5,0,true,null,{"x":"é\n"}]})
        );
        assert_eq!(parse(text).unwrap().leniency, None);
    }

    #[test]
    fn unquoted_literals_are_strings_and_numbers_follow_long_or_double() {
        assert_eq!(
            object(r#"{"a":NaN,"b":01,"c":0x10,"d":.5,"e":1.,"f":+1,"g":1e}"#),
            json!({"a":"NaN","b":"01","c":"0x10","d":".5","e":"1.","f":"+1","g":"1e"})
        );
        let map = object(r#"{"a":1.0,"b":1E3,"c":9223372036854775807,"d":9223372036854775808}"#);
        assert!(map["a"].is_f64() && map["b"].is_f64() && map["d"].is_f64());
        assert_eq!(map["c"].as_i64(), Some(i64::MAX));
        assert_eq!(
            object(r#"{"a":1e400,"b":-1e400}"#),
            json!({"a":f64::MAX,"b":-f64::MAX})
        );
        assert_eq!(
            object(r#"{"a":922337203685477580800,"b":92233720368547758080}"#),
            json!({"a":"922337203685477580800","b":92233720368547758080.0})
        );
        let long = "1".repeat(NUMBER_TOKEN_LIMIT);
        assert_eq!(object(&format!("{{\"a\":{long}}}"))["a"], json!(long));
        assert!(object(&format!("{{\"a\":{}}}", &long[1..]))["a"].is_f64());
    }

    #[test]
    fn json_numbers_that_gson_reads_as_strings_are_not_leniencies() {
        assert_eq!(leniency(r#"{"a":922337203685477580800}"#), None);
        assert_eq!(leniency(&format!("{{\"a\":1e{}}}", "0".repeat(2000))), None);
        assert_eq!(leniency(r#"{"a":01}"#), Some(Feature::UnquotedValue));
        for number in ["0", "-0", "1.5", "-12e+3", "1E-0", "10.01e9"] {
            assert!(is_json_number(number), "{number}");
        }
        for not in [
            "", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "1.5.2", "--1",
        ] {
            assert!(!is_json_number(not), "{not}");
        }
    }

    #[test]
    fn names_lenient_and_duplicated() {
        assert_eq!(
            object("{a:1,'b':2,\"c\"=3;d=>4}"),
            json!({"a":1,"b":2,"c":3,"d":4})
        );
        assert_eq!(
            object(r#"{"v":{"c":1,"d":0,"c":2}}"#),
            json!({"v":{"c":2,"d":0}})
        );
        assert_eq!(
            error(r#"{"a":1,"a":2}"#).kind,
            ErrorKind::DuplicateName("a".into())
        );
        assert_eq!(object(r#"{"a":null,"a":1}"#), json!({"a":1}));
        assert!(parse(r#"{"a":1,"a":null}"#).is_err());
    }

    #[test]
    fn pairs_array() {
        assert_eq!(
            object(r#"[["a",1],[2,true],[TRUE,[]],["n",]]"#),
            json!({"a":1,"2":true,"true":[],"n":null})
        );
        assert_eq!(leniency("[]"), Some(Feature::PairsArray));
        for bad in [
            "[[null,2]]",
            "[[,2]]",
            "[[\"a\"]]",
            "[[\"a\",1,2]]",
            "[[{},1]]",
            "[1]",
            "[[\"a\",1],]",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn null_documents() {
        for text in [
            "null", "NULL x", "null}}}", "/**/", "#c", "\u{FEFF}", ")]}'\n", " // c",
        ] {
            assert_eq!(parse(text).unwrap().json, NimbusJson::Null, "{text:?}");
        }
        assert_eq!(leniency("null x"), Some(Feature::TextAfterNull));
        assert_eq!(leniency("null \r\n"), None);
    }

    #[test]
    fn what_follows_the_object_is_strict() {
        assert!(parse("{\"a\":1} \t\r\n").is_ok());
        for text in ["{} //", "{} #", "{}/", "{}x", "{}}", "{} {}", "{}\u{C}"] {
            assert_eq!(error(text).kind, ErrorKind::TrailingText, "{text:?}");
        }
    }

    #[test]
    fn first_leniency_is_named_with_its_place() {
        let parsed = parse("{\"a\":1,\n  b:'x'}").unwrap();
        let first = parsed.leniency.unwrap();
        assert_eq!(first.feature, Feature::UnquotedName);
        assert_eq!((first.at.line, first.at.column), (2, 3));
        assert_eq!(first.to_string(), "unquoted name at line 2 column 3");
        assert_eq!(
            leniency("{\"a\":\"\\ud800\"}"),
            Some(Feature::UnpairedSurrogate)
        );
        assert_eq!(leniency("{\"a\":\"\\ud83d\\ude00\"}"), None);
        assert_eq!(leniency("{\"a\":\"\t\"}"), Some(Feature::ControlCharacter));
        assert_eq!(leniency("{\"a\":\"\\'\"}"), Some(Feature::NonJsonEscape));
        assert_eq!(leniency("{\"a\":tRuE}"), Some(Feature::KeywordCase));
        assert_eq!(leniency("{\"a\":[1,]}"), Some(Feature::OmittedArrayElement));
        assert_eq!(leniency(")]}'\n{}"), Some(Feature::NonExecutePrefix));
        assert_eq!(leniency("\u{FEFF}{}"), Some(Feature::ByteOrderMark));
    }

    #[test]
    fn surrogates() {
        assert_eq!(object(r#"{"a":"\ud83d\ude00"}"#), json!({"a":"😀"}));
        assert_eq!(
            object(r#"{"a":"\ud800\ud800x\udc00"}"#),
            json!({"a":"\u{FFFD}\u{FFFD}x\u{FFFD}"})
        );
    }

    #[test]
    fn errors_say_where() {
        let err = error("{\"a\":1,}");
        assert_eq!(err.kind, ErrorKind::ExpectedName);
        assert_eq!(err.to_string(), "expected name at line 1 column 8");
        assert_eq!(error(" \n\t").to_string(), "empty text");
        assert_eq!(error("").kind, ErrorKind::Blank);
    }

    #[test]
    fn nesting_is_capped() {
        let nested = |levels: usize| {
            format!(
                "{}{}",
                "{\"a\":".repeat(levels - 1) + "[",
                "]".to_string() + &"}".repeat(levels - 1)
            )
        };
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(error(&nested(MAX_DEPTH + 1)).kind, ErrorKind::TooDeep);
        let deep = format!("{{\"a\":{}", "[".repeat(1_000_000));
        assert_eq!(error(&deep).kind, ErrorKind::TooDeep);
        let deep_pairs = format!("[[\"a\",{}", "{\"b\":".repeat(1_000_000));
        assert_eq!(error(&deep_pairs).kind, ErrorKind::TooDeep);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_on_arbitrary_text(text in any::<String>()) {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_json_like_text(text in r#"[\[\]{}:,;='"\\/#*>)a-fnrtuxNT0-9.+eE \n\r\t\u{FEFF}é😀-]{0,64}"#) {
            let _ = parse(&text);
        }
    }
}
