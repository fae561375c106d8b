//! The first layer: the token's text. Is it a compact JWE or JWS at all, split into which
//! parts, and which kind (checks `token.format` and `token.encrypted`).

use base64::Engine as _;

use super::check::{CheckId, Checks, JavaStack};
use super::header::{HEADER_JSON_HINT, Header};
use super::options::Options;
use crate::text::plural;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A compact JWS split into its parts, with the bytes that were signed.
pub(super) struct ParsedJws {
    pub(super) header: Header,
    pub(super) payload: Vec<u8>,
    pub(super) signature: Vec<u8>,
    pub(super) signing_input: String,
}

/// A compact JWE split into its parts.
pub(super) struct ParsedJwe {
    pub(super) header_b64: String,
    pub(super) header: Header,
    pub(super) encrypted_key: Vec<u8>,
    pub(super) iv: Vec<u8>,
    pub(super) ciphertext: Vec<u8>,
    pub(super) tag: Vec<u8>,
}

pub(super) enum Compact {
    Jwe(ParsedJwe),
    Jws(ParsedJws),
}

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

/// Reads the token's text: checks `token.format` and `token.encrypted`, and gives its parts
/// when it is a well-formed compact token.
pub(super) fn read(
    token: &CleanToken,
    options: &Options<'_>,
    checks: &mut Checks,
) -> Option<Compact> {
    let compact = match parse_compact(&token.token) {
        Ok(compact) => compact,
        Err(problem) => {
            let hint = if options.expect_jws {
                "paste the whole signed token exactly as the brand's backend logged it: \
                 three base64url parts separated by dots"
            } else {
                "paste the whole token exactly as the brand's backend produced it: \
                 five base64url parts separated by dots"
            };
            checks.fail(CheckId::TokenFormat, problem, hint, JavaStack::Rejects);
            return None;
        }
    };
    match &compact {
        Compact::Jwe(jwe) => {
            match &jwe.header.flaw {
                Some((problem, java_stack)) => checks.fail(
                    CheckId::TokenFormat,
                    problem.as_str(),
                    HEADER_JSON_HINT,
                    *java_stack,
                ),
                None => format_passed(token, "a compact JWE (5 parts)", checks),
            }
            if options.expect_jws {
                checks.fail(
                    CheckId::TokenEncrypted,
                    format!(
                        "an encrypted token (JWE), but {} was given",
                        options.names.expect_jws
                    ),
                    format!(
                        "give the inner signed token from the brand's logs, or drop {}",
                        options.names.expect_jws
                    ),
                    JavaStack::NotApplicable,
                );
            } else {
                checks.pass(CheckId::TokenEncrypted, "encrypted (JWE), as iAdvize needs");
            }
        }
        Compact::Jws(_) => {
            format_passed(token, "a compact JWS (3 parts)", checks);
            if options.expect_jws {
                checks.pass(
                    CheckId::TokenEncrypted,
                    format!(
                        "a bare signed token, as expected with {}",
                        options.names.expect_jws
                    ),
                );
            } else {
                checks.fail(
                    CheckId::TokenEncrypted,
                    "a bare signed token (JWS): iAdvize only accepts it encrypted (JWE)",
                    "encrypt the compact JWS to iAdvize's public key as a JWE with alg \
                     RSA-OAEP-256 and enc A256GCM (`iadvize-auth mint` shows the result)",
                    JavaStack::Rejects,
                );
            }
        }
    }
    Some(compact)
}

fn format_passed(token: &CleanToken, what: &str, checks: &mut Checks) {
    if token.warnings.is_empty() {
        checks.pass(CheckId::TokenFormat, what);
    } else {
        let noise = token.warnings.join("; ");
        checks.warn(
            CheckId::TokenFormat,
            format!("{what}, after cleaning: {noise}"),
            "hand the token over exactly as produced, without quotes, prefixes or line breaks",
            JavaStack::NotApplicable,
        );
    }
}

const JWE_PARTS: [&str; 5] = [
    "protected header",
    "encrypted key",
    "IV",
    "ciphertext",
    "tag",
];
const JWS_PARTS: [&str; 3] = ["protected header", "payload", "signature"];

fn decode_part(text: &str, name: &str) -> Result<Vec<u8>, String> {
    B64URL.decode(text).map_err(|_| {
        if text.ends_with('=') {
            format!("the {name} has '=' padding, which compact tokens never have")
        } else {
            format!("the {name} is not base64url")
        }
    })
}

fn parse_compact(token: &str) -> Result<Compact, String> {
    if token.is_empty() {
        return Err("the token is empty".into());
    }
    if let Some(bad) = token
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')))
    {
        return Err(format!(
            "the token contains {}, which base64url never does",
            describe_char(bad)
        ));
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        5 => {
            let header = Header::decode(&decode_part(parts[0], JWE_PARTS[0])?, "JWE")?;
            let mut decoded = Vec::with_capacity(4);
            for (part, name) in parts[1..].iter().zip(&JWE_PARTS[1..]) {
                decoded.push(decode_part(part, name)?);
            }
            let mut decoded = decoded.into_iter();
            let mut next = || decoded.next().unwrap_or_default();
            Ok(Compact::Jwe(ParsedJwe {
                header_b64: parts[0].to_string(),
                header,
                encrypted_key: next(),
                iv: next(),
                ciphertext: next(),
                tag: next(),
            }))
        }
        3 => parse_jws(token).map(Compact::Jws),
        n => Err(format!(
            "the token has {} separated by dots; a JWE has 5 and a JWS 3{}",
            plural(n, "part"),
            if n == 4 || n == 2 {
                " (was it cut short when copied?)"
            } else {
                ""
            }
        )),
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() || !c.is_ascii() {
        format!("the character {}", c.escape_unicode())
    } else {
        format!("the character '{c}'")
    }
}

/// Splits a compact JWS: the bare token, or the JWE's decrypted content.
pub(super) fn parse_jws(token: &str) -> Result<ParsedJws, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "it has {} where a JWS has 3",
            plural(parts.len(), "part")
        ));
    }
    let header = Header::decode(&decode_part(parts[0], JWS_PARTS[0])?, "JWS")?;
    let payload = decode_part(parts[1], JWS_PARTS[1])?;
    let signature = decode_part(parts[2], JWS_PARTS[2])?;
    Ok(ParsedJws {
        header,
        payload,
        signature,
        signing_input: format!("{}.{}", parts[0], parts[1]),
    })
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
