//! The first layer: the token's text, read as iAdvize's Java stack reads it, and what is wrong
//! with it (checks `token.format` and `token.encrypted`).
//!
//! Nimbus's `JOSEObject.split` trims the text (Java's `String.trim`: characters up to U+0020
//! at either end), splits it at dots (three parts for a JWS, five for a JWE, anything else is
//! refused) and keeps each part's text as it is. `Base64URL.decode` is lenient: it decodes the
//! UTF-8 bytes of both base64 alphabets (`-_` and `+/`), skips every other byte (`=`, quotes,
//! spaces, line breaks, a byte order mark …) and drops a last lone digit. So noise inside a
//! part changes nothing in what it decodes to — except where the text itself matters: the
//! JWE's header part is the encryption's authenticated data (`AAD.compute` uses the part as
//! written), and a JWS's header and payload parts are what is signed. Noise there breaks the
//! tag or the signature.

use base64::Engine as _;

use super::check::Checks;
use super::header::{self, DAMAGE_HINT, Header};
use super::options::Options;
use super::wrapper::{self, WrapperKind};
use crate::text::plural;
use crate::verdict::{CheckId, JavaStack};

/// Decodes what Nimbus keeps of a part: padded or not, trailing bits allowed.
const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
);

/// A part of a compact token: its text as written, without what is not base64url.
struct Part {
    /// The base64url characters, padding and standard-alphabet characters of the part: what
    /// its encoder wrote, without copy-paste noise.
    text: String,
    /// The bytes, decoded as Nimbus decodes the part.
    bytes: Vec<u8>,
}

/// What a part holds besides base64url.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Noise {
    /// Characters no base64 encoder writes (quotes, spaces, line breaks, a BOM …), each once.
    pub(super) foreign: Vec<char>,
    /// `=` padding, which compact tokens never have.
    padding: bool,
    /// `+` or `/`: the standard base64 alphabet, not base64url.
    standard_alphabet: bool,
}

impl Noise {
    fn of(text: &str) -> Noise {
        let mut noise = Noise::default();
        for c in text.chars() {
            match c {
                'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' => {}
                '=' => noise.padding = true,
                '+' | '/' => noise.standard_alphabet = true,
                c if !noise.foreign.contains(&c) => noise.foreign.push(c),
                _ => {}
            }
        }
        noise
    }

    fn add(&mut self, other: &Noise) {
        for c in &other.foreign {
            if !self.foreign.contains(c) {
                self.foreign.push(*c);
            }
        }
        self.padding |= other.padding;
        self.standard_alphabet |= other.standard_alphabet;
    }

    /// The foreign characters as people name them: `quotes ("), a line break (\n)`.
    pub(super) fn describe_foreign(&self) -> String {
        let names: Vec<String> = self.foreign.iter().map(|c| describe_char(*c)).collect();
        names.join(", ")
    }
}

/// A compact token split as Nimbus splits it.
pub(super) struct Split {
    parts: Vec<Part>,
    /// The noise of each part, in order.
    noise: Vec<Noise>,
}

impl Split {
    /// The noise of the parts whose text is authenticated (`signed`): the JWE's header part,
    /// or a JWS's header and payload parts.
    pub(super) fn noise_in(&self, signed: &[usize]) -> Noise {
        let mut all = Noise::default();
        for index in signed {
            if let Some(noise) = self.noise.get(*index) {
                all.add(noise);
            }
        }
        all
    }

    fn noise_outside(&self, signed: &[usize]) -> Noise {
        let others: Vec<usize> = (0..self.noise.len())
            .filter(|i| !signed.contains(i))
            .collect();
        self.noise_in(&others)
    }

    fn all_noise(&self) -> Noise {
        let all: Vec<usize> = (0..self.noise.len()).collect();
        self.noise_in(&all)
    }
}

/// Splits `text` at dots after Java's trim, each part decoded leniently.
pub(super) fn split(text: &str) -> Split {
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    let mut parts = Vec::new();
    let mut noise = Vec::new();
    for raw in trimmed.split('.') {
        let digits: String = raw
            .chars()
            .filter_map(|c| match c {
                'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
                '+' => Some('-'),
                '/' => Some('_'),
                _ => None,
            })
            .collect();
        // A last lone digit carries no whole byte: Nimbus drops it.
        let whole = &digits[..digits.len() - usize::from(digits.len() % 4 == 1)];
        let bytes = LENIENT.decode(whole).unwrap_or_default();
        noise.push(Noise::of(raw));
        let text = raw
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '+' | '/'))
            .collect();
        parts.push(Part { text, bytes });
    }
    Split { parts, noise }
}

/// A compact JWS split into its parts, with the bytes that were signed.
pub(super) struct ParsedJws {
    pub(super) header: Header,
    pub(super) payload: Vec<u8>,
    pub(super) signature: Vec<u8>,
    /// The header and payload parts as their encoder wrote them, joined by a dot.
    pub(super) signing_input: String,
}

/// A compact JWE split into its parts.
pub(super) struct ParsedJwe {
    /// The header part as its encoder wrote it: the encryption's authenticated data.
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

/// Why a text is not a compact token, with its fix.
pub(super) struct NotCompact {
    pub(super) problem: String,
    hint: String,
}

/// Reads the token's text: checks `token.format` and `token.encrypted`, and gives its parts
/// (without the noise, so that the next layers judge the token itself) when it is a compact
/// token.
pub(super) fn read(text: &str, options: &Options<'_>, checks: &mut Checks) -> Option<Compact> {
    let id = CheckId::TokenFormat;
    let as_sent = |problem: &str| {
        format!("{problem}: if your page passes this text to iAdvize as it is, iAdvize refuses it")
    };
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    // Wrappers are judged as written, the token inside them as the token.
    let (inner, wrappers) = wrapper::peel(trimmed);
    let text: &str = &inner;
    let split = split(text);
    let compact = match parse_compact(&split, "the token") {
        Ok(compact) => compact,
        Err(NotCompact { problem, hint }) => {
            let hint = match (options.expect_jws, hint.is_empty()) {
                (true, true) => "paste the whole signed token exactly as the brand's backend \
                                 logged it: three base64url parts separated by dots"
                    .to_string(),
                (false, true) => "paste the whole token exactly as the brand's backend produced \
                                  it: five base64url parts separated by dots"
                    .to_string(),
                (_, false) => hint,
            };
            let problem = match not_compact_cause(trimmed) {
                Some(cause) => cause,
                None => problem,
            };
            checks.fail(id, problem, hint, JavaStack::Rejects);
            return None;
        }
    };
    let signed: &[usize] = match compact {
        Compact::Jwe(_) => &[0],
        Compact::Jws(_) => &[0, 1],
    };
    let inside = split.noise_in(signed);
    let outside = split.noise_outside(signed);
    let all = split.all_noise();
    // A bare JWS's header is judged with the JWS (check jws.format).
    let header_flaw = match &compact {
        Compact::Jwe(jwe) => jwe.header.flaw.clone(),
        Compact::Jws(_) => None,
    };
    let what = match compact {
        Compact::Jwe(_) => "a compact JWE (5 parts)",
        Compact::Jws(_) => "a compact JWS (3 parts)",
    };
    let authenticated = match compact {
        Compact::Jwe(_) => "the header part, which the encryption authenticates as written",
        Compact::Jws(_) => "the header or payload part, which the signature covers as written",
    };
    if let Some(outermost) = wrappers.outermost() {
        let fixes: Vec<&str> = wrappers.iter().map(WrapperKind::fix).collect();
        checks.fail(
            id,
            as_sent(&format!(
                "{what} {}: {}",
                wrappers.described(),
                outermost.why_refused()
            )),
            fixes.join("; "),
            JavaStack::Rejects,
        );
    } else if !inside.foreign.is_empty() {
        checks.fail(
            id,
            as_sent(&format!(
                "{what} with {} inside {authenticated}",
                inside.describe_foreign()
            )),
            "hand the token over exactly as produced: no quotes (JSON.stringify adds them), no \
             line breaks, nothing before or after it",
            JavaStack::Rejects,
        );
    } else if let Some((problem, java_stack, hint)) = header_flaw {
        checks.fail(id, problem, hint, java_stack);
    } else if !outside.foreign.is_empty() {
        checks.warn(
            id,
            format!(
                "{what} with {} inside it; iAdvize's library skips characters base64url does \
                 not have there, so it reads the token anyway",
                outside.describe_foreign()
            ),
            "hand the token over exactly as produced, without quotes, prefixes or line breaks",
            JavaStack::Accepts,
        );
    } else if all.padding || all.standard_alphabet {
        let style = match (all.padding, all.standard_alphabet) {
            (true, true) => "'=' padding and the standard base64 alphabet (+ and /)",
            (true, false) => "'=' padding",
            _ => "the standard base64 alphabet (+ and /)",
        };
        checks.warn(
            id,
            format!(
                "{what} whose parts have {style}: iAdvize's library accepts it, but compact \
                 tokens are base64url without padding, so this is a hand-rolled encoder"
            ),
            "encode with base64url without padding (RFC 7515 §2), or let a JOSE library \
             serialise the token",
            JavaStack::Accepts,
        );
    } else {
        checks.pass(id, what);
    }
    token_encrypted(&compact, options, checks);
    Some(compact)
}

fn token_encrypted(compact: &Compact, options: &Options<'_>, checks: &mut Checks) {
    let id = CheckId::TokenEncrypted;
    let expect = options.names.expect_jws;
    match (compact, options.expect_jws) {
        (Compact::Jwe(_), false) => checks.pass(id, "encrypted (JWE), as iAdvize needs"),
        (Compact::Jwe(_), true) => checks.fail(
            id,
            format!("an encrypted token (JWE), but {expect} was given"),
            format!("give the inner signed token from the brand's logs, or drop {expect}"),
            JavaStack::Unknown,
        ),
        (Compact::Jws(_), true) => checks.pass(
            id,
            format!("a bare signed token, as expected with {expect}"),
        ),
        (Compact::Jws(jws), false) => {
            let payload = String::from_utf8_lossy(&jws.payload);
            let (problem, hint) = if split(&payload).parts.len() == 5 {
                (
                    "a signed token (JWS) whose payload is an encrypted token (JWE): the token \
                     was encrypted first and signed after, the wrong way round",
                    "sign the claims first (JWS, RS256), then encrypt that compact JWS as the \
                     JWE's content",
                )
            } else {
                (
                    "a bare signed token (JWS): iAdvize only accepts it encrypted (JWE)",
                    "encrypt the compact JWS to iAdvize's public key as a JWE with alg \
                     RSA-OAEP-256 and enc A256GCM (`iadvize-auth mint` shows the result)",
                )
            };
            checks.fail(id, problem, hint, JavaStack::Rejects);
        }
    }
}

/// A better name than "n parts" for texts that are not compact tokens but something known.
fn not_compact_cause(text: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = json.as_object()?;
    let has = |name: &str| object.contains_key(name);
    if has("ciphertext") && (has("protected") || has("recipients") || has("encrypted_key")) {
        return Some(
            "a JWE in JSON serialisation (an object with protected, ciphertext …): iAdvize \
             reads only the compact serialisation, five base64url parts separated by dots"
                .into(),
        );
    }
    if has("payload") && (has("signature") || has("signatures")) {
        return Some(
            "a JWS in JSON serialisation (an object with payload, signature …), not encrypted: \
             iAdvize reads only a compact JWE"
                .into(),
        );
    }
    None
}

/// Names the parts of a split text as a JWE or a JWS, or says why `what` ("the token") is
/// neither.
pub(super) fn parse_compact(split: &Split, what: &str) -> Result<Compact, NotCompact> {
    let problem = |problem: String| NotCompact {
        problem,
        hint: String::new(),
    };
    let parts = &split.parts;
    if parts.len() == 1 && parts[0].text.is_empty() {
        return Err(problem(format!("{what} is empty")));
    }
    // A header that does not decode, or is not iAdvize's: damage, when one character of its
    // text would make it iAdvize's, or when its length is one base64url never has.
    let header_problem = |problem: String, kind: &str| {
        let part = &parts[0].text;
        let damage = header::damage(part, kind).or_else(|| {
            (part.len() % 4 == 1).then(|| {
                format!(
                    "its header part is {} long, a length base64url never has: a character \
                     was probably dropped or added after the token was made",
                    plural(part.len(), "character")
                )
            })
        });
        match damage {
            Some(damage) => NotCompact {
                problem: format!("{problem}; {damage}"),
                hint: DAMAGE_HINT.to_string(),
            },
            None => NotCompact {
                problem,
                hint: String::new(),
            },
        }
    };
    match parts.len() {
        5 => {
            let mut header = Header::decode(&parts[0].bytes, "JWE")
                .map_err(|problem| header_problem(problem, "JWE"))?;
            header.damage = header::damage(&parts[0].text, "JWE");
            Ok(Compact::Jwe(ParsedJwe {
                header_b64: parts[0].text.clone(),
                header,
                encrypted_key: parts[1].bytes.clone(),
                iv: parts[2].bytes.clone(),
                ciphertext: parts[3].bytes.clone(),
                tag: parts[4].bytes.clone(),
            }))
        }
        3 => {
            let mut header = Header::decode(&parts[0].bytes, "JWS")
                .map_err(|problem| header_problem(problem, "JWS"))?;
            header.damage = header::damage(&parts[0].text, "JWS");
            Ok(Compact::Jws(ParsedJws {
                header,
                payload: parts[1].bytes.clone(),
                signature: parts[2].bytes.clone(),
                signing_input: format!("{}.{}", parts[0].text, parts[1].text),
            }))
        }
        n => Err(NotCompact {
            problem: format!(
                "{what} has {} separated by dots; a JWE has 5 and a JWS 3{}",
                plural(n, "part"),
                match n {
                    1 => ": it is not a compact token",
                    2 | 4 => " (was it cut short when copied?)",
                    n if n > 5 => " (several tokens joined together?)",
                    _ => "",
                }
            ),
            hint: String::new(),
        }),
    }
}

/// A character as people name it, safe to print.
fn describe_char(c: char) -> String {
    match c {
        '"' | '\'' | '`' => format!("quotes ({c})"),
        '\n' | '\r' => "a line break".into(),
        ' ' | '\t' => "whitespace".into(),
        '\u{FEFF}' => "a byte order mark (U+FEFF)".into(),
        c if c.is_control() || !c.is_ascii() => format!("the character {}", c.escape_unicode()),
        c => format!("the character '{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Vec<Vec<u8>> {
        split(text).parts.into_iter().map(|p| p.bytes).collect()
    }

    #[test]
    fn parts_decode_as_nimbus_decodes_them() {
        // Both alphabets, padding, and anything else skipped.
        assert_eq!(decoded("QUJD.QUJD==.Q\"U\nJ D"), [b"ABC", b"ABC", b"ABC"]);
        assert_eq!(
            decoded("-_-_.+/+/"),
            [[0xfb, 0xff, 0xbf], [0xfb, 0xff, 0xbf]]
        );
        // A last lone digit is dropped; trailing bits are allowed.
        assert_eq!(decoded("QUJDR"), [b"ABC".to_vec()]);
        assert_eq!(decoded("QR"), [b"A".to_vec()]);
        // Java's trim: characters up to U+0020 at either end, not a BOM.
        let split = split("\u{FEFF}QUJD.QUJD \n");
        assert_eq!(split.noise[0].foreign, ['\u{FEFF}']);
        assert!(split.noise[1].foreign.is_empty());
    }

    #[test]
    fn noise_is_named() {
        let noise = Noise::of("\"ab=+c\n");
        assert!(noise.padding && noise.standard_alphabet);
        assert_eq!(noise.describe_foreign(), "quotes (\"), a line break");
    }
}
