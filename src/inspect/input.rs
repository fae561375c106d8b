//! Tokens arrive pasted from browser consoles, logs and chat: strip the noise, say what was
//! stripped.

/// The token text with copy-paste noise removed, and what was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanToken {
    pub token: String,
    pub warnings: Vec<String>,
}

/// Strips a leading byte order mark, surrounding whitespace, quotes, a `Bearer` prefix and
/// whitespace inside the token. A single trailing newline is expected from files and pipes:
/// `trailing_newline_is_normal` keeps it from being reported.
pub fn clean(raw: &str, trailing_newline_is_normal: bool) -> CleanToken {
    let mut warnings = Vec::new();
    let mut text = raw;
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        text = rest;
        warnings.push("removed a byte order mark (BOM) before the token".to_string());
    }
    if trailing_newline_is_normal {
        text = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
    }
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        warnings.push("removed whitespace around the token".to_string());
    }
    text = trimmed;
    for _ in 0..3 {
        let before = text;
        for quote in ['"', '\'', '`'] {
            if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
                text = text[1..text.len() - 1].trim();
                warnings.push(format!("removed the {quote} quotes around the token"));
            }
        }
        if let Some(rest) = strip_bearer(text) {
            text = rest.trim();
            warnings.push("removed a 'Bearer ' prefix".to_string());
        }
        if before == text {
            break;
        }
    }
    let token: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if token.len() != text.len() {
        warnings.push("removed whitespace inside the token (a wrapped copy?)".to_string());
    }
    CleanToken { token, warnings }
}

/// The text after a `Bearer` prefix (any case) followed by whitespace (a space, a tab, a line
/// break) or by nothing at all.
fn strip_bearer(text: &str) -> Option<&str> {
    const BEARER: &str = "bearer";
    let head = text.get(..BEARER.len())?;
    let rest = &text[BEARER.len()..];
    (head.eq_ignore_ascii_case(BEARER) && rest.chars().next().is_none_or(char::is_whitespace))
        .then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_noise_and_reports_it() {
        let clean_token = clean("  'Bearer a.b.c'\n", false);
        assert_eq!(clean_token.token, "a.b.c");
        assert_eq!(clean_token.warnings.len(), 3, "{:?}", clean_token.warnings);
        let from_file = clean("a.b.c\n", true);
        assert_eq!(from_file.token, "a.b.c");
        assert!(from_file.warnings.is_empty());
        let wrapped = clean("a.b\n.c", true);
        assert_eq!(wrapped.token, "a.b.c");
        assert_eq!(wrapped.warnings.len(), 1);
        assert_eq!(clean("\"", false).token, "\"");
    }

    #[test]
    fn a_bearer_prefix_ends_with_any_whitespace_and_a_bom_is_noise() {
        for noisy in [
            "Bearer\ta.b.c",
            "bearer\na.b.c",
            "BEARER  a.b.c",
            "\u{feff}a.b.c",
        ] {
            let clean_token = clean(noisy, true);
            assert_eq!(clean_token.token, "a.b.c", "{noisy:?}");
            assert_eq!(clean_token.warnings.len(), 1, "{noisy:?}");
        }
        assert_eq!(clean("Bearer ", false).token, "");
        assert_eq!(clean("\"Bearer\"", false).token, "");
        assert_eq!(clean("Bearerish.b.c", false).token, "Bearerish.b.c");
    }
}
