//! Diagnosis of a token: what it is, every way it breaks iAdvize's rules, and what iAdvize's
//! Java stack would do with it. Each check has a stable id (see [`report::CHECK_IDS`]).

mod claim_checks;
mod crypto;
pub mod input;
mod java;
pub mod report;
mod strict_json;

use strict_json::ObjectRead;

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::claims;
use crate::keys::{KeyKind, LoadedKey, MIN_BITS};
use crypto::{Decrypted, MGF1_SHA1_HINT, MGF1_SHA1_PROBLEM, Verified, decrypt, verify};
use input::CleanToken;
use report::{CHECK_IDS, Check, JavaStack, JweView, JwsView, Kind, Report, Status};

/// The fix for a protected header with a member name twice.
const HEADER_JSON_HINT: &str = "serialise the header with a JSON library, each member once: \
     parsers disagree on anything else";

/// iAdvize recommends a one-minute lifetime; past an hour is reported.
pub const LONG_LIFETIME_SECONDS: i64 = 3600;
/// A token is a few kilobytes: input over this is refused, and content that inflates
/// (`zip: DEF`) beyond it is not inflated further.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;
/// Nimbus refuses protected headers longer than this after decoding, counted as Java counts
/// a String's length (UTF-16 units).
pub const MAX_HEADER_CHARS: usize = 20_000;

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What to inspect with.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The private key the JWE was encrypted to (a stand-in for iAdvize's, in a rehearsal).
    pub decrypt_key: Option<&'a LoadedKey>,
    /// The brand's key (public or private) that should verify the inner signature.
    pub verify_key: Option<&'a LoadedKey>,
    /// The time checks are made against, UNIX seconds.
    pub now: i64,
    /// Seconds of tolerance in the time checks.
    pub leeway: u64,
    /// The token is expected to be the bare signed token (from the brand's logs), not a JWE.
    pub expect_jws: bool,
}

/// Keys that cannot be used for inspection at all.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("--decrypt-key is a public key; decrypting needs the private key")]
    DecryptKeyNotPrivate,
    #[error("--decrypt-key has {0} bits; the JOSE library needs at least {MIN_BITS}")]
    DecryptKeyTooSmall(usize),
    #[error("{0}")]
    Key(#[from] crate::keys::KeyError),
}

/// Inspects a cleaned token. Never panics on any input; keys that cannot be used are errors.
pub fn inspect(token: &CleanToken, options: &Options<'_>) -> Result<Report, InspectError> {
    if let Some(key) = options.decrypt_key {
        if key.kind() != KeyKind::Private {
            return Err(InspectError::DecryptKeyNotPrivate);
        }
        if key.bits() < MIN_BITS {
            return Err(InspectError::DecryptKeyTooSmall(key.bits()));
        }
    }
    let mut run = Run {
        checks: Checks::default(),
        options,
        report: Report {
            kind: Kind::Unknown,
            jwe: None,
            jws: None,
            checks: Vec::new(),
            ok: true,
            input_warnings: token.warnings.clone(),
            decrypted_payload: None,
        },
    };
    run.inspect_token(&token.token)?;
    let Run {
        checks, mut report, ..
    } = run;
    report.checks = checks.finish();
    report.ok = report.checks.iter().all(|c| c.status != Status::Fail);
    Ok(report)
}

/// The checks as they are filled in; anything left unset is reported as skipped.
#[derive(Default)]
struct Checks {
    slots: Vec<Option<Check>>,
}

impl Checks {
    fn set(
        &mut self,
        id: &'static str,
        status: Status,
        message: impl Into<String>,
        hint: Option<String>,
        java_stack: JavaStack,
    ) {
        if self.slots.is_empty() {
            self.slots = vec![None; CHECK_IDS.len()];
        }
        let Some(index) = CHECK_IDS.iter().position(|known| *known == id) else {
            debug_assert!(false, "unknown check id {id}");
            return;
        };
        self.slots[index] = Some(Check {
            id: CHECK_IDS[index],
            status,
            message: message.into(),
            hint,
            java_stack,
        });
    }

    fn pass(&mut self, id: &'static str, message: impl Into<String>) {
        self.set(id, Status::Pass, message, None, JavaStack::NotApplicable);
    }

    fn fail(
        &mut self,
        id: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
        java: JavaStack,
    ) {
        self.set(id, Status::Fail, message, Some(hint.into()), java);
    }

    fn warn(
        &mut self,
        id: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
        java: JavaStack,
    ) {
        self.set(id, Status::Warn, message, Some(hint.into()), java);
    }

    /// Marks every unset check whose id starts with `prefix` as skipped, saying why.
    fn skip_unset(&mut self, prefix: &str, reason: &str) {
        if self.slots.is_empty() {
            self.slots = vec![None; CHECK_IDS.len()];
        }
        for (index, id) in CHECK_IDS.iter().enumerate() {
            if id.starts_with(prefix) && self.slots[index].is_none() {
                self.slots[index] = Some(Check {
                    id,
                    status: Status::Skip,
                    message: reason.to_string(),
                    hint: None,
                    java_stack: JavaStack::NotApplicable,
                });
            }
        }
    }

    fn finish(mut self) -> Vec<Check> {
        self.skip_unset("", "not reached");
        self.slots.into_iter().flatten().collect()
    }
}

struct Run<'a> {
    checks: Checks,
    options: &'a Options<'a>,
    report: Report,
}

/// A compact JWS split into its parts, with the bytes that were signed.
struct ParsedJws {
    header: Map<String, Value>,
    header_chars: usize,
    header_flaw: Option<HeaderFlaw>,
    payload: Vec<u8>,
    signature: Vec<u8>,
    signing_input: String,
}

/// A compact JWE split into its parts.
struct ParsedJwe {
    header_b64: String,
    header_chars: usize,
    header: Map<String, Value>,
    header_flaw: Option<HeaderFlaw>,
    encrypted_key: Vec<u8>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

enum Compact {
    Jwe(ParsedJwe),
    Jws(ParsedJws),
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

/// What is wrong with a header that iAdvize's library still reads, and whether it then lets
/// the token through.
type HeaderFlaw = (String, JavaStack);

/// A decoded protected header: its members, its length as Java counts it (UTF-16 units, which
/// Nimbus's limit counts: an emoji is two), and what is wrong with its JSON.
type Header = (Map<String, Value>, usize, Option<HeaderFlaw>);

/// Decodes the protected header of a `kind` ("JWE" or "JWS").
fn decode_header(text: &str, kind: &str) -> Result<Header, String> {
    let bytes = decode_part(text, "protected header")?;
    let chars = claims::java_length(&String::from_utf8_lossy(&bytes));
    match strict_json::read_object(
        &bytes,
        &format!("the {kind} protected header"),
        false,
        false,
    ) {
        ObjectRead::Clean(map) => Ok((map, chars, None)),
        ObjectRead::Flawed {
            map,
            problem,
            java_stack,
        } => Ok((map, chars, Some((problem, java_stack)))),
        ObjectRead::Unusable(problem) => Err(problem),
    }
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
            let (header, header_chars, header_flaw) = decode_header(parts[0], "JWE")?;
            let mut decoded = Vec::with_capacity(4);
            for (part, name) in parts[1..].iter().zip(&JWE_PARTS[1..]) {
                decoded.push(decode_part(part, name)?);
            }
            let mut decoded = decoded.into_iter();
            let mut next = || decoded.next().unwrap_or_default();
            Ok(Compact::Jwe(ParsedJwe {
                header_b64: parts[0].to_string(),
                header_chars,
                header,
                header_flaw,
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

/// `1 part`, `2 parts`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn describe_char(c: char) -> String {
    if c.is_control() || !c.is_ascii() {
        format!("the character {}", c.escape_unicode())
    } else {
        format!("the character '{c}'")
    }
}

fn parse_jws(token: &str) -> Result<ParsedJws, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "it has {} where a JWS has 3",
            plural(parts.len(), "part")
        ));
    }
    let (header, header_chars, header_flaw) = decode_header(parts[0], "JWS")?;
    let payload = decode_part(parts[1], JWS_PARTS[1])?;
    let signature = decode_part(parts[2], JWS_PARTS[2])?;
    Ok(ParsedJws {
        header,
        header_chars,
        header_flaw,
        payload,
        signature,
        signing_input: format!("{}.{}", parts[0], parts[1]),
    })
}

fn header_str<'h>(header: &'h Map<String, Value>, name: &str) -> Option<&'h str> {
    header.get(name).and_then(Value::as_str)
}

impl Run<'_> {
    fn inspect_token(&mut self, token: &str) -> Result<(), InspectError> {
        let compact = match parse_compact(token) {
            Ok(compact) => compact,
            Err(problem) => {
                let hint = if self.options.expect_jws {
                    "paste the whole signed token exactly as the brand's backend logged it: \
                     three base64url parts separated by dots"
                } else {
                    "paste the whole token exactly as the brand's backend produced it: \
                     five base64url parts separated by dots"
                };
                self.checks
                    .fail("token.format", problem, hint, JavaStack::Rejects);
                self.checks
                    .skip_unset("", "not reached: the token is not a well-formed JWE or JWS");
                return Ok(());
            }
        };
        match compact {
            Compact::Jwe(jwe) => {
                self.report.kind = Kind::Jwe;
                match &jwe.header_flaw {
                    Some((problem, java_stack)) => self.checks.fail(
                        "token.format",
                        problem.as_str(),
                        HEADER_JSON_HINT,
                        *java_stack,
                    ),
                    None => self.format_passed("a compact JWE (5 parts)"),
                }
                if self.options.expect_jws {
                    self.checks.fail(
                        "token.encrypted",
                        "an encrypted token (JWE), but --expect jws was given",
                        "give the inner signed token from the brand's logs, or drop --expect jws",
                        JavaStack::NotApplicable,
                    );
                } else {
                    self.checks
                        .pass("token.encrypted", "encrypted (JWE), as iAdvize needs");
                }
                self.inspect_jwe(&jwe)?;
            }
            Compact::Jws(jws) => {
                self.report.kind = Kind::Jws;
                self.format_passed("a compact JWS (3 parts)");
                if self.options.expect_jws {
                    self.checks.pass(
                        "token.encrypted",
                        "a bare signed token, as expected with --expect jws",
                    );
                } else {
                    self.checks.fail(
                        "token.encrypted",
                        "a bare signed token (JWS): iAdvize only accepts it encrypted (JWE)",
                        "encrypt the compact JWS to iAdvize's public key as a JWE with alg \
                         RSA-OAEP-256 and enc A256GCM (`iadvize-auth mint` shows the result)",
                        JavaStack::Rejects,
                    );
                }
                self.checks
                    .skip_unset("jwe.", "not a JWE: the token is not encrypted");
                self.inspect_jws(&jws, token, "a compact JWS (3 parts)");
            }
        }
        Ok(())
    }

    fn format_passed(&mut self, what: &str) {
        if self.report.input_warnings.is_empty() {
            self.checks.pass("token.format", what);
        } else {
            let noise = self.report.input_warnings.join("; ");
            self.checks.warn(
                "token.format",
                format!("{what}, after cleaning: {noise}"),
                "hand the token over exactly as produced, without quotes, prefixes or line breaks",
                JavaStack::NotApplicable,
            );
        }
    }

    fn inspect_jwe(&mut self, jwe: &ParsedJwe) -> Result<(), InspectError> {
        self.report.jwe = Some(JweView {
            header: Value::Object(jwe.header.clone()),
            encrypted_key_bytes: jwe.encrypted_key.len(),
            iv_bytes: jwe.iv.len(),
            tag_bytes: jwe.tag.len(),
            ciphertext_bytes: jwe.ciphertext.len(),
        });
        java::check_header_size("jwe.header_size", jwe.header_chars, &mut self.checks);
        let alg = header_str(&jwe.header, "alg");
        let enc = header_str(&jwe.header, "enc");
        java::check_jwe_alg(jwe.header.get("alg"), &mut self.checks);
        java::check_jwe_enc(jwe.header.get("enc"), &mut self.checks);
        match jwe.header.get("cty") {
            Some(Value::String(cty)) if cty.eq_ignore_ascii_case("JWT") => self
                .checks
                .pass("jwe.cty", "cty is JWT: a nested signed token"),
            Some(Value::String(cty)) => self.checks.warn(
                "jwe.cty",
                format!("cty is {cty:?}, not JWT"),
                "set cty to JWT: the content is a signed JWT (RFC 7519 §5.2)",
                JavaStack::NotApplicable,
            ),
            // Nimbus reads cty as a string while parsing the header, and refuses anything else.
            Some(other) => self.checks.fail(
                "jwe.cty",
                format!("cty is {other}, not a string"),
                "set cty to \"JWT\": the content is a signed JWT (RFC 7519 §5.2)",
                JavaStack::Rejects,
            ),
            None => self.checks.warn(
                "jwe.cty",
                "no cty header",
                "set cty to JWT: the content is a signed JWT (RFC 7519 §5.2)",
                JavaStack::NotApplicable,
            ),
        }
        java::check_crit("jwe.crit", &jwe.header, &mut self.checks);
        java::check_iv_and_tag(enc, jwe.iv.len(), jwe.tag.len(), &mut self.checks);

        let Some(key) = self.options.decrypt_key else {
            self.checks.skip_unset(
                "jwe.decrypt",
                "no --decrypt-key: only the holder of the recipient's private key can open it \
                 (for iAdvize's production key, only iAdvize)",
            );
            self.checks.skip_unset(
                "jws.",
                "encrypted: give --decrypt-key (the recipient's private key) to read the inner token",
            );
            self.checks.skip_unset(
                "claims.",
                "encrypted: give --decrypt-key (the recipient's private key) to read the claims",
            );
            return Ok(());
        };
        match decrypt(jwe, alg, enc, key)? {
            Decrypted::Plain { content, deflated } => {
                let inflated = match deflated {
                    Some(from) => format!(", inflated (zip DEF) from {from}"),
                    None => String::new(),
                };
                self.checks.pass(
                    "jwe.decrypt",
                    format!(
                        "opened with --decrypt-key ({} bytes of content{inflated})",
                        content.len()
                    ),
                );
                self.inspect_plaintext(&content);
            }
            Decrypted::Mgf1Sha1(plaintext) => {
                self.checks.fail(
                    "jwe.decrypt",
                    MGF1_SHA1_PROBLEM,
                    MGF1_SHA1_HINT,
                    JavaStack::Rejects,
                );
                self.inspect_plaintext(&plaintext);
            }
            Decrypted::Failed {
                message,
                hint,
                java,
            } => {
                self.checks.fail("jwe.decrypt", message, hint, java);
                let reason = "not reached: the token could not be decrypted";
                self.checks.skip_unset("jws.", reason);
                self.checks.skip_unset("claims.", reason);
            }
        }
        Ok(())
    }

    fn inspect_plaintext(&mut self, plaintext: &[u8]) {
        let text = String::from_utf8_lossy(plaintext);
        match parse_jws(text.trim()) {
            Ok(jws) => {
                self.inspect_jws(
                    &jws,
                    text.trim(),
                    "the content is a compact signed JWT (JWS)",
                );
            }
            Err(problem) => {
                self.report.decrypted_payload = Some(text.to_string());
                let looks_like_claims =
                    matches!(strict_json::parse(plaintext), Ok((Value::Object(_), _)));
                let hint = if looks_like_claims {
                    "the claims were encrypted without being signed: sign them first as a JWS \
                     (RS256) with the brand's private key, then encrypt that compact JWS"
                } else {
                    "the JWE's content must be the compact JWS signed with the brand's key"
                };
                self.checks.fail(
                    "jws.format",
                    format!("the decrypted content is not a signed JWT: {problem}"),
                    hint,
                    JavaStack::Rejects,
                );
                let reason = "no signed token inside the JWE";
                self.checks.skip_unset("jws.", reason);
                if looks_like_claims {
                    self.inspect_claims(plaintext);
                } else {
                    self.checks.skip_unset("claims.", reason);
                }
            }
        }
    }

    /// Checks a well-formed compact JWS (`well_formed` says what it is) and its claims.
    fn inspect_jws(&mut self, jws: &ParsedJws, compact: &str, well_formed: &str) {
        let claims = match strict_json::parse(&jws.payload) {
            Ok((value @ Value::Object(_), _)) => value,
            _ => Value::Null,
        };
        // Nimbus's JWS header parsing has the same limits as the JWE's.
        if jws.header_chars > MAX_HEADER_CHARS {
            self.checks.fail(
                "jws.format",
                format!(
                    "the JWS protected header is {} characters long (UTF-16 units, as Java \
                     counts)",
                    jws.header_chars
                ),
                format!(
                    "keep the header to alg: iAdvize's library refuses headers over \
                     {MAX_HEADER_CHARS} characters"
                ),
                JavaStack::Rejects,
            );
        } else if let Some((problem, java_stack)) = &jws.header_flaw {
            self.checks.fail(
                "jws.format",
                problem.as_str(),
                HEADER_JSON_HINT,
                *java_stack,
            );
        } else {
            self.checks.pass("jws.format", well_formed);
        }
        self.report.jws = Some(JwsView {
            header: Value::Object(jws.header.clone()),
            claims,
            token: compact.to_string(),
        });
        java::check_jws_alg(jws.header.get("alg"), &mut self.checks);
        java::check_crit("jws.crit", &jws.header, &mut self.checks);
        self.check_signature(jws);
        self.inspect_claims(&jws.payload);
    }

    fn check_signature(&mut self, jws: &ParsedJws) {
        let Some(key) = self.options.verify_key else {
            self.checks.skip_unset(
                "jws.signature",
                "no --verify-key: give the brand's public key registered at iAdvize to check \
                 the signature",
            );
            return;
        };
        let alg = header_str(&jws.header, "alg").unwrap_or("");
        let fingerprint = key
            .public_info()
            .map(|info| info.sha256_fingerprint)
            .unwrap_or_default();
        let short = fingerprint.get(..16).unwrap_or(&fingerprint);
        match verify(jws, alg, key) {
            Verified::Yes if key.bits() < MIN_BITS => self.checks.warn(
                "jws.signature",
                format!(
                    "the signature verifies with --verify-key (SHA-256 {short}…), but that key \
                     has {} bits",
                    key.bits()
                ),
                format!("iAdvize requires at least {MIN_BITS} bits: make a new key pair with `iadvize-auth keygen`"),
                JavaStack::Accepts,
            ),
            Verified::Yes => self.checks.pass(
                "jws.signature",
                format!("the signature verifies with --verify-key (SHA-256 {short}…)"),
            ),
            Verified::No => self.checks.fail(
                "jws.signature",
                format!("the signature does not verify with --verify-key (SHA-256 {short}…)"),
                "the token was signed with another key than the one registered at iAdvize, or \
                 altered: sign with the private key whose public half iAdvize has",
                JavaStack::Rejects,
            ),
            Verified::Unsupported => self.checks.fail(
                "jws.signature",
                format!("alg {alg:?} cannot be verified with an RSA key"),
                "sign with RS256 and the brand's RSA private key",
                JavaStack::Rejects,
            ),
        }
    }
}
