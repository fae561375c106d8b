//! How a place and a token are shown in a report: tokens shortened to their start and
//! length (unless asked for whole), long texts cut, shared texts rendered once. Nothing here
//! escapes: each front end does (a terminal, HTML).

use std::fmt::Write as _;

use super::{Place, SharedText, TokenSpans};

/// Characters of a token shown before it is shortened.
const TOKEN_SHOWN: usize = 24;
/// Characters of a URL, a field name or a JSON Pointer shown in a place before it is cut.
const PLACE_TEXT_SHOWN: usize = 200;

/// A long token as its first characters and its length (`eyJhbGciOiJSU0EtT0FFUC0y…(1079
/// characters)`); a short one whole.
pub fn shortened_token(token: &str) -> String {
    let count = token.chars().count();
    if count <= TOKEN_SHOWN + 8 {
        return token.to_string();
    }
    let head: String = token.chars().take(TOKEN_SHOWN).collect();
    format!("{head}…({count} characters)")
}

impl Place {
    /// The place as reports show it: any token in it (a URL's query string, a header, a JSON
    /// key) shortened unless `show_tokens`, a long URL, field or pointer cut. Text that many
    /// places share is rendered once.
    pub fn shown(&self, show_tokens: bool) -> String {
        let shown = |text: &SharedText| -> String {
            text.shown(show_tokens, |text| place_text(text, show_tokens))
                .to_string()
        };
        match self {
            Place::Json {
                pointer,
                line,
                column,
            } => match (line, column) {
                (1, 1) => format!("JSON {}", shown(pointer)),
                _ => format!(
                    "JSON {}, line {line}, column {column} of the string",
                    shown(pointer)
                ),
            },
            Place::Har {
                entry,
                request,
                field,
            } => format!(
                "HAR entry {entry} ({} {}), {}",
                shown(&request.method),
                shown(&request.url),
                shown(field)
            ),
            other => other.to_string(),
        }
    }
}

/// `text` with its tokens shortened (unless `show_tokens`), cut after about
/// [`PLACE_TEXT_SHOWN`] characters; a token is shortened or whole, never cut.
fn place_text(text: &str, show_tokens: bool) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut copied = 0;
    for span in TokenSpans::anywhere(text.as_bytes()) {
        if !push_within(&mut out, &mut count, &text[copied..span.start]) {
            return cut_short(out, text);
        }
        let token = match show_tokens {
            true => text[span.clone()].to_string(),
            false => shortened_token(&text[span.clone()]),
        };
        count += token.chars().count();
        out.push_str(&token);
        copied = span.end;
        if count >= PLACE_TEXT_SHOWN && copied < text.len() {
            return cut_short(out, text);
        }
    }
    if !push_within(&mut out, &mut count, &text[copied..]) {
        return cut_short(out, text);
    }
    out
}

/// Adds `piece` to `out` while `count` (characters) is under [`PLACE_TEXT_SHOWN`]; false when
/// it was cut.
fn push_within(out: &mut String, count: &mut usize, piece: &str) -> bool {
    for c in piece.chars() {
        if *count >= PLACE_TEXT_SHOWN {
            return false;
        }
        out.push(c);
        *count += 1;
    }
    true
}

fn cut_short(mut out: String, text: &str) -> String {
    let _ = write!(out, "…({} bytes in all)", text.len());
    out
}
