//! A protected header, JWE or JWS, and the checks both kinds share: its size, its `alg` and its
//! `crit`.

use serde_json::{Map, Value};

use super::check::Checks;
use super::objects::{self, ObjectRead};
use crate::text::java_length;
use crate::verdict::{CheckId, JavaStack};

/// Nimbus refuses protected headers longer than this after decoding, counted as Java counts
/// a String's length (UTF-16 units).
const MAX_HEADER_CHARS: usize = 20_000;

/// The fix for a protected header with a member name twice.
const HEADER_JSON_HINT: &str = "serialise the header with a JSON library, each \
     member once: parsers disagree on anything else";

/// The fix for a token damaged after it was made.
pub(super) const DAMAGE_HINT: &str = "hand the token over unchanged, exactly as the brand's \
     backend produced it: compare it with the backend's log, and look for what copies it \
     (a proxy, a template, a tool that rewrites text)";

/// What is wrong with a header, whether iAdvize's library then lets the token through, and the
/// fix.
type HeaderFlaw = (String, JavaStack, &'static str);

/// The fix for a header member of a type iAdvize's library does not parse.
const MEMBER_HINT: &str = "leave out the header members iAdvize does not need (its example \
     header is only alg, enc and cty; a JOSE library's defaults may add more), or give each the \
     type RFC 7515 and RFC 7516 register for it";

/// How Nimbus reads a registered header member while it parses the header.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    /// A string (a URI for `jku` and `x5u`, Base64URL for `x5t`, `apu` …).
    Text,
    Uri,
    /// A JWK: an object with `kty`.
    Jwk,
    /// An array of strings.
    Strings,
    /// An integer.
    Integer,
    /// A boolean.
    Boolean,
    /// A name Nimbus keeps for itself: the header fails to parse whatever its value.
    Reserved,
}

/// The registered members of a JWE header, how Nimbus reads each, and whether it takes `null`
/// as absent (measured against the real library: tests/it/nimbus/verdict.rs). `cty` and `crit`
/// have checks of their own.
const JWE_MEMBERS: &[(&str, Member, bool)] = &[
    ("typ", Member::Text, true),
    ("kid", Member::Text, true),
    ("zip", Member::Text, true),
    ("skid", Member::Text, true),
    ("x5t", Member::Text, true),
    ("x5t#S256", Member::Text, true),
    ("apu", Member::Text, true),
    ("apv", Member::Text, true),
    ("p2s", Member::Text, true),
    ("iv", Member::Text, true),
    ("tag", Member::Text, true),
    ("jku", Member::Uri, true),
    ("x5u", Member::Uri, true),
    ("jwk", Member::Jwk, true),
    ("epk", Member::Jwk, false),
    ("x5c", Member::Strings, true),
    ("p2c", Member::Integer, false),
    ("authTag", Member::Reserved, false),
];

/// The same for a JWS header (`crit` has a check of its own).
const JWS_MEMBERS: &[(&str, Member, bool)] = &[
    ("typ", Member::Text, true),
    ("cty", Member::Text, true),
    ("kid", Member::Text, true),
    ("x5t", Member::Text, true),
    ("x5t#S256", Member::Text, true),
    ("jku", Member::Uri, true),
    ("x5u", Member::Uri, true),
    ("jwk", Member::Jwk, true),
    ("x5c", Member::Strings, true),
    ("b64", Member::Boolean, false),
];

/// The first registered member of a `kind` header that iAdvize's library (Nimbus, parsing the
/// header) refuses: of another type than it reads, or `null` where it needs a value.
fn member_problem(members: &Map<String, Value>, kind: &str) -> Option<String> {
    let table = match kind {
        "JWE" => JWE_MEMBERS,
        _ => JWS_MEMBERS,
    };
    table.iter().find_map(|&(name, member, null_is_absent)| {
        let value = members.get(name)?;
        let reads = match member {
            Member::Reserved => {
                return Some(format!(
                    "the {kind} header has a member {name:?}, a name iAdvize's library keeps \
                     for itself: it refuses to parse such a header"
                ));
            }
            _ if value.is_null() => {
                return (!null_is_absent).then(|| {
                    format!(
                        "the {kind} header's {name} is null: iAdvize's library fails to parse \
                         the header (it takes null as absent for most members, not for this one)"
                    )
                });
            }
            Member::Text => value.is_string(),
            Member::Uri => value.as_str().is_some_and(is_uri),
            Member::Jwk => value.get("kty").is_some_and(Value::is_string),
            Member::Strings => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            Member::Integer => value.is_i64(),
            Member::Boolean => value.is_boolean(),
        };
        let wanted = match member {
            Member::Text => "a string",
            Member::Uri => "a URI",
            Member::Jwk => "a JWK (an object with kty)",
            Member::Strings => "an array of strings",
            Member::Integer => "an integer",
            Member::Boolean => "true or false",
            Member::Reserved => "",
        };
        (!reads).then(|| {
            format!(
                "the {kind} header's {name} is {value}, not {wanted}: iAdvize's library fails to \
                 parse the header"
            )
        })
    })
}

/// Whether `text` is a URI as Java's `java.net.URI` parses one: printable ASCII, none of the
/// characters RFC 3986 leaves out, and a scheme made of letters, digits, `+`, `-` and `.`.
fn is_uri(text: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
    let scheme_ok = match text.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => true,
    };
    text.chars().all(allowed) && scheme_ok
}

/// A decoded protected header.
pub(super) struct Header {
    pub(super) members: Map<String, Value>,
    /// Its length as Java counts it (UTF-16 units, which Nimbus's limit counts: an emoji is
    /// two).
    pub(super) chars: usize,
    /// What is wrong with its JSON.
    pub(super) flaw: Option<HeaderFlaw>,
    /// When it is not iAdvize's but one character of its base64url text would make it so:
    /// what that character is (see [`damage`]).
    pub(super) damage: Option<String>,
}

impl Header {
    /// Reads the decoded protected header of a `kind` ("JWE" or "JWS").
    pub(super) fn decode(bytes: &[u8], kind: &str) -> Result<Header, String> {
        let chars = java_length(&String::from_utf8_lossy(bytes));
        let what = format!("the {kind} protected header");
        let (members, flaw) = match objects::read_object(bytes, &what, false, false) {
            ObjectRead::Clean(members) => (members, None),
            ObjectRead::Flawed {
                map,
                problem,
                java_stack,
            } => (map, Some((problem, java_stack, HEADER_JSON_HINT))),
            ObjectRead::Unusable(problem) => return Err(problem),
        };
        let flaw = flaw.or_else(|| {
            member_problem(&members, kind).map(|problem| (problem, JavaStack::Rejects, MEMBER_HINT))
        });
        Ok(Header {
            members,
            chars,
            flaw,
            damage: None,
        })
    }

    /// A member, when it is a string.
    pub(super) fn str(&self, name: &str) -> Option<&str> {
        self.members.get(name).and_then(Value::as_str)
    }

    /// The message and fix for a missing member `name` of a `kind` header that should be
    /// `expected`: damage when one character of the header's text would restore it.
    pub(super) fn missing(&self, name: &str, kind: &str, expected: &str) -> (String, String) {
        match &self.damage {
            Some(damage) => (
                format!("the {kind} header has no {name}: {damage}"),
                DAMAGE_HINT.to_string(),
            ),
            None => (
                format!("the {kind} header has no {name}"),
                format!("set {name} to \"{expected}\""),
            ),
        }
    }

    /// When the header is over Nimbus's limit: the problem, and its fix (`keep` names the
    /// members the header needs).
    pub(super) fn too_long(&self, keep: &str) -> Option<(String, String)> {
        (self.chars > MAX_HEADER_CHARS).then(|| {
            (
                format!(
                    "the protected header is {} characters long (UTF-16 units, as Java counts)",
                    self.chars
                ),
                format!(
                    "keep the header to {keep}: iAdvize's library refuses headers over \
                     {MAX_HEADER_CHARS} characters"
                ),
            )
        })
    }

    /// The header's `alg` as a string; a missing or non-string one fails check `id` (the
    /// library cannot read such a header) and gives `None`.
    pub(super) fn alg(
        &self,
        id: CheckId,
        kind: &str,
        expected: &str,
        checks: &mut Checks,
    ) -> Option<&str> {
        let (message, hint) = match self.members.get("alg") {
            Some(Value::String(alg)) => return Some(alg),
            Some(other) => (
                format!("alg is {other}, not a string"),
                format!("set alg to \"{expected}\""),
            ),
            None => self.missing("alg", kind, expected),
        };
        checks.fail(id, message, hint, JavaStack::Rejects);
        None
    }

    /// `crit`: iAdvize's library refuses a token with a critical extension it does not
    /// understand; of those this check knows, it understands only `understood` (for a JWS,
    /// `b64` of RFC 7797, which `RSASSAVerifier` handles).
    pub(super) fn check_crit(&self, id: CheckId, understood: &[&str], checks: &mut Checks) {
        // Nimbus takes a null crit as none.
        let Some(crit) = self.members.get("crit").filter(|crit| !crit.is_null()) else {
            return checks.pass(id, "no crit header");
        };
        let names: Vec<&str> = crit
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let all_understood = !names.is_empty()
            && crit.as_array().is_some_and(|a| a.len() == names.len())
            && names.iter().all(|name| understood.contains(name));
        if all_understood {
            checks.warn(
                id,
                format!("the header marks {crit} as critical, which iAdvize's library understands"),
                "remove crit: iAdvize's example header is only {\"alg\":\"RS256\"}",
                JavaStack::Accepts,
            );
        } else {
            checks.fail(
                id,
                format!("the header marks {crit} as critical"),
                "remove crit: iAdvize's library understands no such critical extension and \
                 refuses the token",
                JavaStack::Rejects,
            );
        }
    }
}

/// The base64url alphabet, for trying a character in place of another.
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Header parts longer than this are not searched for damage (iAdvize's are under 100).
const MAX_REPAIRED_PART: usize = 400;

/// Damage is searched for in this many headers of a process at most (a millisecond each):
/// support's inputs hold a few tokens, and a log of many thousands stays fast.
static SEARCHES: Budget = Budget(std::sync::atomic::AtomicUsize::new(200));

struct Budget(std::sync::atomic::AtomicUsize);

impl Budget {
    /// Takes one from the budget; false once it is spent.
    fn try_take(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(1)
            })
            .is_ok()
    }
}

/// When the header part `part` (base64url) is not the header of an iAdvize token of `kind`
/// ("JWE": alg RSA-OAEP-256 and enc A256GCM; "JWS": alg RS256) but one character changed,
/// dropped or added would make it one: says which, as the sign of a token damaged after it
/// was made (in transit, by a copy) rather than made wrong. Searched only for headers that
/// show a trace of iAdvize's, so that text that is no token costs nothing, and in the first
/// [`SEARCHES`] of them.
pub(super) fn damage(part: &str, kind: &str) -> Option<String> {
    use base64::Engine as _;
    // As Nimbus decodes: trailing bits allowed, a last lone character dropped.
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    );
    let decode = |text: &[u8]| {
        let whole = &text[..text.len() - usize::from(text.len() % 4 == 1)];
        engine.decode(whole).ok()
    };
    let needles: &[&[u8]] = match kind {
        "JWE" => &[b"RSA-OAEP-256", b"A256GCM"],
        _ => &[b"RS256"],
    };
    let shaped = |bytes: &[u8]| {
        // The values first, by bytes: most candidates stop here, before any JSON is parsed.
        let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        if !needles.iter().all(|needle| holds(needle)) {
            return false;
        }
        let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(bytes) else {
            return false;
        };
        let is = |name: &str, value: &str| members.get(name).and_then(Value::as_str) == Some(value);
        match kind {
            "JWE" => is("alg", "RSA-OAEP-256") && is("enc", "A256GCM"),
            _ => is("alg", "RS256"),
        }
    };
    let text = part.as_bytes();
    if text.len() > MAX_REPAIRED_PART || decode(text).is_some_and(|bytes| shaped(&bytes)) {
        return None;
    }
    let lossy = String::from_utf8_lossy(&decode(text).unwrap_or_default()).into_owned();
    let traces: &[&str] = match kind {
        "JWE" => &["\"alg\"", "\"enc\"", "RSA-OAEP", "A256GCM", "\"cty\""],
        _ => &["\"alg\"", "RS256"],
    };
    if !traces.iter().any(|trace| lossy.contains(trace)) || !SEARCHES.try_take() {
        return None;
    }
    let mut candidate = Vec::with_capacity(text.len() + 1);
    let shown = |c: u8| char::from(c);
    for at in 0..=text.len() {
        // A character added here.
        if at < text.len() {
            candidate.clear();
            candidate.extend_from_slice(&text[..at]);
            candidate.extend_from_slice(&text[at + 1..]);
            if decode(&candidate).is_some_and(|bytes| shaped(&bytes)) {
                return Some(format!(
                    "without its character {} ({:?}) it would be iAdvize's header: the token \
                     was probably damaged after it was made",
                    at + 1,
                    shown(text[at])
                ));
            }
        }
        for &c in B64URL {
            // A character dropped here, or this one changed.
            candidate.clear();
            candidate.extend_from_slice(&text[..at]);
            candidate.push(c);
            candidate.extend_from_slice(&text[at..]);
            if decode(&candidate).is_some_and(|bytes| shaped(&bytes)) {
                return Some(format!(
                    "with a {:?} before its character {} it would be iAdvize's header: a \
                     character was probably dropped after the token was made",
                    shown(c),
                    at + 1
                ));
            }
            if at < text.len() && c != text[at] {
                candidate.remove(at + 1);
                if decode(&candidate).is_some_and(|bytes| shaped(&bytes)) {
                    return Some(format!(
                        "with {:?} for its character {} ({:?}) it would be iAdvize's header: \
                         the token was probably damaged after it was made",
                        shown(c),
                        at + 1,
                        shown(text[at])
                    ));
                }
            }
        }
    }
    None
}
