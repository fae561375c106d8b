//! Token-shaped text in bytes: `eyJ` (the base64url of `{"`, which begins every JOSE header) at
//! a word boundary, then base64url characters and dots (`%2E` counts as a dot), with at least
//! one dot. One pass, no regular expression, no copy.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem;

/// The searcher for `eyJ`, built once: texts are scanned by the thousand (every JSON string).
static TOKEN_START: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"eyJ"));

/// The spans of token-shaped text in `bytes`, in order; they do not overlap.
pub struct TokenSpans<'a> {
    bytes: &'a [u8],
    at: usize,
    anywhere: bool,
}

impl<'a> TokenSpans<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        TokenSpans {
            bytes,
            at: 0,
            anywhere: false,
        }
    }

    /// Token-shaped text even inside a word (`X-eyJ…`): what to hide from a report, rather
    /// than what to judge.
    pub fn anywhere(bytes: &'a [u8]) -> Self {
        TokenSpans {
            anywhere: true,
            ..TokenSpans::new(bytes)
        }
    }
}

impl Iterator for TokenSpans<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        loop {
            let start = self.at + TOKEN_START.find(self.bytes.get(self.at..)?)?;
            if !self.anywhere && !at_boundary(self.bytes, start) {
                self.at = start + 1;
                continue;
            }
            let (end, dotted) = token_end(self.bytes, start);
            self.at = end;
            if dotted {
                return Some(start..end);
            }
        }
    }
}

fn is_b64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// Whether a token may start at `at`: the start of the text, after a character that is not
/// base64url, or right after a percent escape (`%22eyJ…`).
fn at_boundary(bytes: &[u8], at: usize) -> bool {
    match at.checked_sub(1).map(|before| bytes[before]) {
        None => true,
        Some(byte) if !is_b64url(byte) => true,
        Some(_) => {
            at >= 3
                && bytes[at - 3] == b'%'
                && bytes[at - 2].is_ascii_hexdigit()
                && bytes[at - 1].is_ascii_hexdigit()
        }
    }
}

/// Where the token that starts at `start` ends (base64url characters, dots, `%2E`), and whether
/// it has a dot. A last `.` that makes one dot more than a JWS (2) or a JWE (4) has is the
/// sentence's full stop, not the token's: a token ends with a part (a JWE's tag is never empty;
/// an unsecured JWS's empty signature keeps its own dot).
fn token_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut at = start;
    let mut dots = 0;
    while let Some(&byte) = bytes.get(at) {
        if is_b64url(byte) {
            at += 1;
        } else if byte == b'.' {
            dots += 1;
            at += 1;
        } else if byte == b'%'
            && bytes.get(at + 1) == Some(&b'2')
            && matches!(bytes.get(at + 2), Some(b'e' | b'E'))
        {
            dots += 1;
            at += 3;
        } else {
            break;
        }
    }
    if matches!(dots, 3 | 5) && bytes[..at].ends_with(b".") {
        return (at - 1, true);
    }
    (at, dots > 0)
}

/// Line and column (from 1; columns in characters) of byte offsets given in increasing order,
/// in one pass over the text however many are asked for.
pub(super) struct Lines<'a> {
    bytes: &'a [u8],
    line: usize,
    cursor: usize,
    column: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            line: 1,
            cursor: 0,
            column: 1,
        }
    }

    /// The line and column of `at`, which is not before the last offset asked for.
    pub(super) fn locate(&mut self, at: usize) -> (usize, usize) {
        let between = &self.bytes[self.cursor..at];
        let mut from = 0;
        for newline in memchr::memchr_iter(b'\n', between) {
            self.line += 1;
            self.column = 1;
            from = newline + 1;
        }
        // Characters, not bytes: count the bytes that start one.
        self.column += between[from..]
            .iter()
            .filter(|byte| (**byte as i8) >= -0x40)
            .count();
        self.cursor = at;
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        TokenSpans::new(text.as_bytes()).map(|s| &text[s]).collect()
    }

    #[test]
    fn spans_start_at_a_boundary_and_need_a_dot() {
        assert_eq!(
            spans("a eyJa.b xeyJc.d eyJnodot %22eyJe%2Ef%22 (eyJg.h-_i)"),
            ["eyJa.b", "eyJe%2Ef", "eyJg.h-_i"]
        );
    }

    #[test]
    fn a_full_stop_after_a_token_is_the_sentence_s() {
        assert_eq!(
            spans("JWE eyJa.b.c.d.e. JWS eyJa.b.c. unsecured eyJa.b.. eyJa.b. one eyJa.b.c.d."),
            [
                "eyJa.b.c.d.e",
                "eyJa.b.c",
                "eyJa.b.",
                "eyJa.b.",
                "eyJa.b.c.d."
            ]
        );
    }

    #[test]
    fn lines_count_characters_once() {
        let text = "é eyJ\nab\r\n  eyJ";
        let mut lines = Lines::new(text.as_bytes());
        assert_eq!(lines.locate(3), (1, 3));
        assert_eq!(lines.locate(3), (1, 3));
        assert_eq!(lines.locate(text.len() - 3), (3, 3));
    }
}
