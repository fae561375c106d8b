//! What runtimes and copies put around a token: quotes (`JSON.stringify`, a DevTools copy), an
//! HTTP `Bearer ` scheme, Python's bytes repr `b'…'`, percent-encoding (a query string). The one
//! place that recognises them: the finder takes them off a token found in text, and the text
//! layer names them when a caller hands the wrapped text itself to [`inspect`](super::inspect).
//!
//! iAdvize's library does not take any of them off (Nimbus's `JOSEObject.split` only trims the
//! text and splits it at dots; tested against the real library in tests/it/nimbus/verdict.rs): a
//! wrapper's characters land in the header part, which the JWE's encryption authenticates as
//! written, or hide the dots. A page that passes the wrapped text is refused.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::verdict::JavaStack;

/// One kind of wrapper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WrapperKind {
    /// `"…"`, `'…'`, `` `…` ``, or JSON-escaped `\"…\"`.
    Quotes,
    /// `Bearer ` (any case) before the token.
    Bearer,
    /// `b'…'` or `b"…"`: Python's repr of bytes.
    PythonBytes,
    /// `%22…%22`, `%2E` for the dots, or any other percent escape.
    PercentEncoding,
}

impl WrapperKind {
    /// The stable name, as `--json` writes it.
    pub fn id(self) -> &'static str {
        match self {
            WrapperKind::Quotes => "quotes",
            WrapperKind::Bearer => "bearer",
            WrapperKind::PythonBytes => "python-bytes",
            WrapperKind::PercentEncoding => "percent-encoding",
        }
    }

    /// What the wrapper looks like, in a few words.
    pub fn name(self) -> &'static str {
        match self {
            WrapperKind::Quotes => "quotes",
            WrapperKind::Bearer => "'Bearer '",
            WrapperKind::PythonBytes => "b'…' (Python bytes)",
            WrapperKind::PercentEncoding => "percent-encoding",
        }
    }

    /// The token as found in this wrapper, in a few words.
    fn described(self) -> &'static str {
        match self {
            WrapperKind::Quotes => "in quotes",
            WrapperKind::Bearer => "after 'Bearer '",
            WrapperKind::PythonBytes => "inside b'…' (Python's repr of bytes)",
            WrapperKind::PercentEncoding => "URL-encoded (percent escapes)",
        }
    }

    /// Where such a wrapper usually comes from.
    pub fn origin(self) -> &'static str {
        match self {
            WrapperKind::Quotes => {
                "JSON.stringify on the page, a DevTools copy, or a log's quoting"
            }
            WrapperKind::Bearer => "an HTTP Authorization header value",
            WrapperKind::PythonBytes => {
                "Python bytes made text without decoding (str() or an f-string on the bytes a \
                 JWT library returned)"
            }
            WrapperKind::PercentEncoding => {
                "a URL's query string (encodeURIComponent; %22 for quotes means JSON.stringify \
                 came first)"
            }
        }
    }

    /// What to change, and where.
    pub fn fix(self) -> &'static str {
        match self {
            WrapperKind::Quotes => {
                "if the page passes them on, pass the string itself, not JSON.stringify(token) \
                 (quotes from a copy or a log need no fix)"
            }
            WrapperKind::Bearer => {
                "pass the token alone to iAdvize's tag ('Bearer ' belongs in an Authorization \
                 header)"
            }
            WrapperKind::PythonBytes => "token.decode('ascii') before sending it",
            WrapperKind::PercentEncoding => {
                "URL-decode it before handing it over (URLSearchParams.get, decodeURIComponent)"
            }
        }
    }

    /// Why iAdvize's library refuses a token wrapped in this, outermost.
    pub(crate) fn why_refused(self) -> &'static str {
        match self {
            WrapperKind::Quotes => {
                "the opening quote becomes part of the header part, which the encryption \
                 authenticates as written"
            }
            WrapperKind::Bearer => {
                "'Bearer' is read as base64 digits of the header, which then decodes to no JSON"
            }
            WrapperKind::PythonBytes => {
                "the b is read as a base64 digit of the header, which then decodes to no JSON"
            }
            WrapperKind::PercentEncoding => {
                "iAdvize does not URL-decode: %2E is no dot, and the digits of an escape such as \
                 %22 are read as base64 digits"
            }
        }
    }
}

/// The wrappers around one occurrence of a token, outermost first (at most four; anything
/// further in stays with the token and is judged as its noise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Wrappers {
    kinds: [Option<WrapperKind>; Wrappers::MAX],
}

impl Wrappers {
    const MAX: usize = 4;

    pub(crate) fn is_empty(&self) -> bool {
        self.kinds[0].is_none()
    }

    /// The kinds, outermost first.
    pub fn iter(&self) -> impl Iterator<Item = WrapperKind> + '_ {
        self.kinds.iter().map_while(|kind| *kind)
    }

    /// The outermost wrapper, whose characters come first.
    pub(crate) fn outermost(&self) -> Option<WrapperKind> {
        self.kinds[0]
    }

    /// The token as found in these wrappers: `URL-encoded (percent escapes), in quotes`.
    pub fn described(&self) -> String {
        let words: Vec<&str> = self.iter().map(WrapperKind::described).collect();
        words.join(", ")
    }

    /// What iAdvize's library does when a page passes the token in these wrappers, and why:
    /// it refuses it, for a reason the outermost wrapper gives. `None` without wrappers.
    pub fn as_given(&self) -> Option<(JavaStack, &'static str)> {
        self.outermost()
            .map(|kind| (JavaStack::Rejects, kind.why_refused()))
    }

    fn len(&self) -> usize {
        self.iter().count()
    }

    fn is_full(&self) -> bool {
        self.len() == Self::MAX
    }

    /// Adds `kind` inside the wrappers already there.
    fn push_inner(&mut self, kind: WrapperKind) {
        let len = self.len();
        if len < Self::MAX {
            self.kinds[len] = Some(kind);
        }
    }

    /// Adds `kind` around the wrappers already there (dropping the innermost when full).
    fn push_outer(&mut self, kind: WrapperKind) {
        self.kinds.rotate_right(1);
        self.kinds[0] = Some(kind);
    }

    /// The same wrappers, in the other order (the finder sees them from the inside out).
    fn reversed(&self) -> Wrappers {
        let mut out = Wrappers::default();
        for kind in self.iter().collect::<Vec<_>>().into_iter().rev() {
            out.push_inner(kind);
        }
        out
    }
}

impl fmt::Display for Wrappers {
    /// `quotes around 'Bearer '`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(WrapperKind::name).collect();
        f.write_str(&names.join(" around "))
    }
}

/// `text` (already trimmed) without its wrappers, and the wrappers, outermost first. The text
/// is borrowed unless percent escapes were decoded.
pub(crate) fn peel(text: &str) -> (Cow<'_, str>, Wrappers) {
    peel_with(text, true)
}

/// [`peel`] without decoding percent escapes (which are then left in the text).
pub(crate) fn peel_undecoded(text: &str) -> (Cow<'_, str>, Wrappers) {
    peel_with(text, false)
}

fn peel_with(text: &str, decode: bool) -> (Cow<'_, str>, Wrappers) {
    let mut wrappers = Wrappers::default();
    let mut rest = text.trim();
    while !wrappers.is_full() {
        let (kind, inner) = if let Some(inner) = python_bytes(rest) {
            (WrapperKind::PythonBytes, inner)
        } else if let Some(inner) = quoted(rest) {
            (WrapperKind::Quotes, inner)
        } else if let Some(inner) = after_bearer(rest) {
            (WrapperKind::Bearer, inner)
        } else if decode && has_percent_escape(rest.as_bytes()) {
            wrappers.push_inner(WrapperKind::PercentEncoding);
            let decoded = percent_decoded(rest);
            let (inner, more) = peel(&decoded);
            for kind in more.iter() {
                wrappers.push_inner(kind);
            }
            return (Cow::Owned(inner.into_owned()), wrappers);
        } else {
            break;
        };
        wrappers.push_inner(kind);
        rest = inner.trim();
    }
    (Cow::Borrowed(rest), wrappers)
}

/// The wrappers written around `text[start..end]` (a token found in text), outermost first.
/// Percent-encoding is named when the token or what is around it has
/// percent escapes.
pub(crate) fn around(text: &[u8], start: usize, end: usize) -> Wrappers {
    let (mut start, mut end) = (start, end);
    let mut inside_out = Wrappers::default();
    let mut percent = has_percent_escape(&text[start..end]);
    // Quotes that JSON escaped (`\"…\"`) are inside a JSON string, whose own quotes come next.
    let mut escaped = false;
    while !inside_out.is_full() {
        let before = &text[..start];
        let after = &text[end..];
        let step = if let Some(width) = quote_pair(before, after) {
            if escaped && width == 1 && before.last() == Some(&b'"') {
                break;
            }
            escaped = width == 2;
            // `b'…'`: the b stands alone, not at the end of a word.
            let b_at = start.checked_sub(width + 1);
            let python = width == 1
                && matches!(before.last(), Some(b'\'' | b'"'))
                && b_at.is_some_and(|at| {
                    text[at] == b'b' && (at == 0 || !text[at - 1].is_ascii_alphanumeric())
                });
            if python {
                Some((WrapperKind::PythonBytes, width + 1, width))
            } else {
                Some((WrapperKind::Quotes, width, width))
            }
        } else if let Some((quote, width)) = percent_quote(before)
            && percent_quote_starts(after, quote)
        {
            percent = true;
            Some((WrapperKind::Quotes, width, width))
        } else {
            bearer_before(before).map(|width| (WrapperKind::Bearer, width, 0))
        };
        let Some((kind, left, right)) = step else {
            break;
        };
        inside_out.push_inner(kind);
        start -= left;
        end += right;
    }
    let mut wrappers = inside_out.reversed();
    if percent {
        wrappers.push_outer(WrapperKind::PercentEncoding);
    }
    wrappers
}

/// The width of matching quotes right before and right after a token: 1 for `"`, `'` or
/// `` ` ``, 2 for JSON-escaped `\"`.
fn quote_pair(before: &[u8], after: &[u8]) -> Option<usize> {
    if before.ends_with(b"\\\"") && after.starts_with(b"\\\"") {
        return Some(2);
    }
    match (before.last(), after.first()) {
        (Some(open), Some(close)) if open == close && matches!(open, b'"' | b'\'' | b'`') => {
            Some(1)
        }
        _ => None,
    }
}

/// `%22` or `%27` (any case) at the end of `before`: the quote and the escape's width.
fn percent_quote(before: &[u8]) -> Option<(u8, usize)> {
    let [.., b'%', b'2', digit] = before else {
        return None;
    };
    matches!(digit, b'2' | b'7').then_some((*digit, 3))
}

fn percent_quote_starts(after: &[u8], digit: u8) -> bool {
    matches!(after, [b'%', b'2', d, ..] if *d == digit)
}

/// The width of `Bearer ` (any case, any whitespace after it, at a word start) right before a
/// token.
fn bearer_before(before: &[u8]) -> Option<usize> {
    const BEARER: &[u8] = b"bearer";
    let trimmed = before.trim_ascii_end();
    let spaces = before.len() - trimmed.len();
    if spaces == 0 || trimmed.len() < BEARER.len() {
        return None;
    }
    let at = trimmed.len() - BEARER.len();
    let word_start = at == 0 || !trimmed[at - 1].is_ascii_alphanumeric();
    (word_start && trimmed[at..].eq_ignore_ascii_case(BEARER)).then_some(BEARER.len() + spaces)
}

fn python_bytes(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('b')?;
    quoted(rest).filter(|_| matches!(rest.as_bytes()[0], b'\'' | b'"'))
}

fn quoted(text: &str) -> Option<&str> {
    if let Some(inner) = text
        .strip_prefix("\\\"")
        .and_then(|rest| rest.strip_suffix("\\\""))
    {
        return Some(inner);
    }
    let first = text.chars().next()?;
    (text.len() >= 2 && matches!(first, '"' | '\'' | '`') && text.ends_with(first))
        .then(|| &text[1..text.len() - 1])
}

/// The text after a `Bearer` prefix (any case) and its whitespace.
fn after_bearer(text: &str) -> Option<&str> {
    const BEARER: &str = "bearer";
    let head = text.get(..BEARER.len())?;
    let rest = &text[BEARER.len()..];
    (head.eq_ignore_ascii_case(BEARER) && rest.starts_with(char::is_whitespace))
        .then(|| rest.trim_start())
}

/// Whether `bytes` hold a percent escape (`%` and two hexadecimal digits).
pub(crate) fn has_percent_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

/// `text` with its percent escapes decoded (bytes that make no UTF-8 are replaced).
pub(crate) fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match (bytes[at], bytes.get(at + 1), bytes.get(at + 2)) {
            (b'%', Some(high), Some(low))
                if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() =>
            {
                out.push(hex(*high) << 4 | hex(*low));
                at += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

fn hex(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2ln";

    fn kinds(wrappers: Wrappers) -> Vec<&'static str> {
        wrappers.iter().map(WrapperKind::id).collect()
    }

    #[test]
    fn peel_takes_off_each_wrapper_outermost_first() {
        for (text, expected) in [
            (T.to_string(), vec![]),
            (format!("\"{T}\""), vec!["quotes"]),
            (format!("'{T}'"), vec!["quotes"]),
            (format!("\\\"{T}\\\""), vec!["quotes"]),
            (format!("Bearer {T}"), vec!["bearer"]),
            (format!("\"Bearer {T}\""), vec!["quotes", "bearer"]),
            (format!("b'{T}'"), vec!["python-bytes"]),
            (T.replace('.', "%2E"), vec!["percent-encoding"]),
            (format!("%22{T}%22"), vec!["percent-encoding", "quotes"]),
        ] {
            let (inner, wrappers) = peel(&text);
            assert_eq!(inner, T, "{text}");
            assert_eq!(kinds(wrappers), expected, "{text}");
        }
        // Not wrappers: a lone quote, a word that starts with "bearer", a b without a quote.
        for text in ["\"abc", "Bearerish.b.c", "babc"] {
            assert!(peel(text).1.is_empty(), "{text}");
        }
    }

    #[test]
    fn around_names_what_is_written_next_to_a_token() {
        for (line, expected) in [
            (format!("token={T} x"), vec![]),
            (format!("token=\"{T}\" x"), vec!["quotes"]),
            (format!("Authorization: Bearer {T}"), vec!["bearer"]),
            (format!("got \"Bearer {T}\""), vec!["quotes", "bearer"]),
            (format!("token=b'{T}'"), vec!["python-bytes"]),
            (
                format!("?jwe=%22{T}%22&x"),
                vec!["percent-encoding", "quotes"],
            ),
            (
                format!("?jwe={}&x", T.replace('.', "%2e")),
                vec!["percent-encoding"],
            ),
            (format!("{{\"t\":\"\\\"{T}\\\"\"}}"), vec!["quotes"]),
        ] {
            let token = T.replace('.', if line.contains("%2e") { "%2e" } else { "." });
            let start = line.find(&token).expect("the token");
            let wrappers = around(line.as_bytes(), start, start + token.len());
            assert_eq!(kinds(wrappers), expected, "{line}");
        }
    }

    #[test]
    fn percent_decoding_decodes_every_escape() {
        assert_eq!(percent_decoded("a%2Eb%2ec%22%zz"), "a.b.c\"%zz");
        assert!(has_percent_escape(b"x%2Fy") && !has_percent_escape(b"100%"));
    }
}
