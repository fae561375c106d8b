//! The last layer: the claims (`claims.*`): user id, times, prefixes, visitor data. Nimbus's
//! `JWTClaimsSet.parse` refuses times that are not numbers and `iss`/`jti`/`aud` of the wrong
//! type; on iAdvize's documented path nothing checks `exp`, `iat` or `nbf`, so a past or
//! millisecond `exp` gets through.

use serde_json::{Map, Value};

use super::check::Checks;
use super::objects::{self, ObjectRead};
use super::options::Options;
use crate::claims::{
    self, IADVIZE_PREFIX, LONG_LIFETIME_SECONDS, USER_ID_CLAIM, VISITOR_DATA_CLAIM, VISITOR_FIELDS,
};
use crate::text::{java_length, json_type, quoted};
use crate::time::{self, MILLISECONDS_THRESHOLD};
use crate::verdict::{CheckId, JavaStack, Layer};

/// Checks the claims of a signed token (its payload), or of the JWE's content when it holds
/// claims that were not signed.
pub(super) fn check(payload: &[u8], options: &Options<'_>, checks: &mut Checks) {
    Judge {
        checks,
        now: options.now,
        leeway: options.leeway,
    }
    .claims(payload);
}

/// How each time claim is judged.
struct TimeRule {
    id: CheckId,
    name: &'static str,
    kind: TimeKind,
}

enum TimeKind {
    /// `exp`: required, and must be in the future.
    Expiry,
    /// `iat`, `nbf`: optional, and must not be in the future; `verb` says what the time is.
    NotAfterNow { verb: &'static str },
}

const EXP: TimeRule = TimeRule {
    id: CheckId::ClaimsExp,
    name: "exp",
    kind: TimeKind::Expiry,
};
const IAT: TimeRule = TimeRule {
    id: CheckId::ClaimsIat,
    name: "iat",
    kind: TimeKind::NotAfterNow { verb: "issued" },
};
const NBF: TimeRule = TimeRule {
    id: CheckId::ClaimsNbf,
    name: "nbf",
    kind: TimeKind::NotAfterNow { verb: "valid from" },
};

struct Judge<'a> {
    checks: &'a mut Checks,
    /// The time checks are made against, UNIX seconds.
    now: i64,
    /// Seconds of tolerance in the time checks.
    leeway: u64,
}

impl Judge<'_> {
    fn claims(&mut self, payload: &[u8]) {
        let claims = match objects::read_object(payload, "the claims", true, true) {
            ObjectRead::Clean(map) => {
                match registered_claim_types(&map) {
                    Some(problem) => self.checks.fail(
                        CheckId::ClaimsJson,
                        problem,
                        "iss, sub and jti are strings; aud is a string or a list of strings",
                        JavaStack::Rejects,
                    ),
                    None => {
                        let escaped = if payload.windows(2).any(|w| w == b"\\/") {
                            " (escaped slashes \\/ decode normally)"
                        } else {
                            ""
                        };
                        self.checks.pass(
                            CheckId::ClaimsJson,
                            format!("a JSON object with {} claims{escaped}", map.len()),
                        );
                    }
                }
                map
            }
            ObjectRead::Flawed {
                map,
                problem,
                java_stack,
            } => {
                self.checks.fail(
                    CheckId::ClaimsJson,
                    problem,
                    "serialise the claims with a JSON library, each claim once: parsers \
                     disagree on anything else",
                    java_stack,
                );
                map
            }
            ObjectRead::Unusable(problem) => {
                self.checks.fail(
                    CheckId::ClaimsJson,
                    problem,
                    "the payload must be one JSON object of claims, serialised with a JSON \
                     library",
                    JavaStack::Rejects,
                );
                self.checks.skip_layer(
                    Layer::Claims,
                    "not reached: the claims are not a JSON object",
                );
                return;
            }
        };
        self.check_user_id(&claims);
        let times = self.check_times(&claims);
        self.check_lifetime(times);
        self.check_prefixes(&claims);
        self.check_visitor_data(&claims);
    }

    fn check_user_id(&mut self, claims: &Map<String, Value>) {
        let id = CheckId::ClaimsUserId;
        let Some(value) = claims.get(USER_ID_CLAIM) else {
            let hint = if claims.contains_key("userId") {
                format!(
                    "rename the claim userId to {USER_ID_CLAIM}: iAdvize ignores unprefixed claims"
                )
            } else if claims.contains_key("sub") {
                format!("iAdvize reads the user id from {USER_ID_CLAIM}, not sub: add it")
            } else {
                format!("add the claim {USER_ID_CLAIM} with the user's unique id")
            };
            // iAdvize reads it with getStringClaim: without it, there is no one to authenticate.
            self.checks.fail(
                id,
                format!("no {USER_ID_CLAIM} claim"),
                hint,
                JavaStack::Rejects,
            );
            return;
        };
        let Value::String(user_id) = value else {
            self.checks.fail(
                id,
                format!(
                    "the user id is {} ({value}), not a string",
                    json_type(value)
                ),
                format!(
                    "send it as a JSON string, e.g. \"{}\"",
                    value.to_string().trim_matches('"')
                ),
                // getStringClaim throws on anything but a string (null reads as no claim).
                JavaStack::Rejects,
            );
            return;
        };
        match claims::check_user_id(user_id) {
            Err(err) => self.checks.fail(
                id,
                err.to_string(),
                "use the user's stable, unique id from the brand's own user database",
                JavaStack::Accepts,
            ),
            Ok(Some(warning)) => self.checks.warn(
                id,
                warning,
                "use the user's stable, unique id, as the brand's user database holds it (never \
                 a shared or placeholder value)",
                JavaStack::Accepts,
            ),
            Ok(None) => self.checks.pass(
                id,
                format!("user id {user_id:?} ({} characters)", java_length(user_id)),
            ),
        }
    }

    /// Checks `exp`, `iat` and `nbf`; returns (`iat`, `exp`) in whole seconds when usable.
    fn check_times(&mut self, claims: &Map<String, Value>) -> (Option<i64>, Option<i64>) {
        let exp = self.judge_time(claims, &EXP);
        let iat = self.judge_time(claims, &IAT);
        self.judge_time(claims, &NBF);
        (iat, exp)
    }

    /// Judges one time claim by its rule; returns it in whole seconds when usable.
    fn judge_time(&mut self, claims: &Map<String, Value>, rule: &TimeRule) -> Option<i64> {
        let (id, name) = (rule.id, rule.name);
        let now = self.now;
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        let (value, written, shown) = match read_time(claims, name) {
            TimeClaim::Missing => {
                match rule.kind {
                    TimeKind::Expiry => self.checks.fail(
                        id,
                        "no exp claim: the token never expires",
                        "add exp = issue time + 60 (seconds since 1970); iAdvize recommends a \
                         1-minute lifetime",
                        JavaStack::Accepts,
                    ),
                    TimeKind::NotAfterNow { .. } => {
                        self.checks.pass(id, format!("no {name} claim (optional)"));
                    }
                }
                return None;
            }
            TimeClaim::NotNumber(kind) => {
                self.checks.fail(
                    id,
                    format!("{name} is {kind}, not a number"),
                    format!(
                        "write {name} as an integer number of seconds since 1970, without quotes"
                    ),
                    JavaStack::Rejects,
                );
                return None;
            }
            TimeClaim::OutOfRange(shown) => {
                self.checks.fail(
                    id,
                    format!(
                        "{name} {shown} is out of range: not a date, in seconds or in milliseconds"
                    ),
                    format!("write {name} as an integer number of seconds since 1970"),
                    JavaStack::Accepts,
                );
                return None;
            }
            TimeClaim::Seconds { value, .. } if value >= MILLISECONDS_THRESHOLD => {
                self.checks.fail(
                    id,
                    format!("{name} {value} is in milliseconds (a date thousands of years ahead)"),
                    format!("divide by 1000: {name} counts seconds since 1970"),
                    JavaStack::Accepts,
                );
                return None;
            }
            TimeClaim::Seconds {
                value,
                written,
                shown,
            } => (value, written, shown),
        };
        let at = format!("{} ({})", time::relative(value, now), show_time(value));
        let within = format!("within the {} leeway", time::human_span(self.leeway));
        let when = match rule.kind {
            TimeKind::Expiry if now >= value.saturating_add(leeway) => {
                self.checks.fail(
                    id,
                    format!("expired {at}"),
                    "mint a fresh token for each authentication: they live 1 minute",
                    JavaStack::Accepts,
                );
                return Some(value);
            }
            TimeKind::Expiry if now >= value => format!("expired {at}, {within}"),
            TimeKind::Expiry => format!("expires {at}"),
            TimeKind::NotAfterNow { verb } if value > now.saturating_add(leeway) => {
                self.checks.fail(
                    id,
                    format!("{name} is {at}: {verb} in the future"),
                    "the token provider's clock is ahead: synchronise it (NTP), or allow for \
                     skew with a leeway",
                    JavaStack::Accepts,
                );
                return Some(value);
            }
            TimeKind::NotAfterNow { verb } if value > now => format!("{verb} {at}, {within}"),
            TimeKind::NotAfterNow { verb } => format!("{verb} {at}"),
        };
        match written.problem(name, &shown) {
            Some(problem) => self.checks.warn(
                id,
                format!("{problem}; {when}"),
                format!("write {name} as an integer number of seconds, as iAdvize's example does"),
                JavaStack::Accepts,
            ),
            None => self.checks.pass(id, when),
        }
        Some(value)
    }

    fn check_lifetime(&mut self, (iat, exp): (Option<i64>, Option<i64>)) {
        let id = CheckId::ClaimsLifetime;
        let Some(exp) = exp else {
            self.checks.skip(id, "no usable exp");
            return;
        };
        let (start, from) = match iat {
            Some(iat) => (iat, "iat"),
            None => (self.now, "now"),
        };
        let lifetime = exp.saturating_sub(start);
        let span = |seconds: i64| time::human_span(seconds.unsigned_abs());
        if lifetime < 0 && iat.is_none() {
            self.checks.pass(
                id,
                "no lifetime left, and no iat to measure it from (see claims.exp)",
            );
        } else if lifetime < 0 {
            self.checks.warn(
                id,
                format!(
                    "exp is {} before {from}: the token was born expired",
                    span(lifetime)
                ),
                "set exp = iat + 60 (seconds)",
                JavaStack::Accepts,
            );
        } else if lifetime.unsigned_abs() > LONG_LIFETIME_SECONDS {
            self.checks.warn(
                id,
                format!(
                    "exp is {} after {from}; iAdvize recommends 1 minute",
                    span(lifetime)
                ),
                "shorten the lifetime to 60 s: a leaked token stays usable until it expires",
                JavaStack::Accepts,
            );
        } else {
            self.checks
                .pass(id, format!("exp is {} after {from}", span(lifetime)));
        }
    }

    fn check_prefixes(&mut self, claims: &Map<String, Value>) {
        let unprefixed: Vec<&str> = claims
            .keys()
            .map(String::as_str)
            .filter(|name| !claims::is_allowed_claim_name(name))
            .collect();
        if unprefixed.is_empty() {
            self.checks.pass(
                CheckId::ClaimsPrefix,
                "every custom claim has the https://iadvize.com/ prefix",
            );
            return;
        }
        let first = unprefixed[0];
        self.checks.warn(
            CheckId::ClaimsPrefix,
            format!(
                "custom claim{} without the {IADVIZE_PREFIX} prefix: {}",
                if unprefixed.len() == 1 { "" } else { "s" },
                quoted(&unprefixed)
            ),
            format!(
                "iAdvize ignores them: rename e.g. {first:?} to {:?}",
                format!("{IADVIZE_PREFIX}{first}")
            ),
            JavaStack::Accepts,
        );
    }

    fn check_visitor_data(&mut self, claims: &Map<String, Value>) {
        let id = CheckId::ClaimsVisitorData;
        let Some(data) = claims.get(VISITOR_DATA_CLAIM) else {
            if claims.contains_key("visitorData") {
                self.checks.warn(
                    id,
                    "visitor data is sent as visitorData, without the prefix",
                    format!("rename it to {VISITOR_DATA_CLAIM}: iAdvize ignores unprefixed claims"),
                    JavaStack::Accepts,
                );
            } else {
                self.checks.pass(id, "no visitor data (optional)");
            }
            return;
        };
        let Value::Object(fields) = data else {
            self.checks.fail(
                id,
                format!("visitor data is {}, not an object", json_type(data)),
                format!(
                    "send an object of string fields: {}",
                    VISITOR_FIELDS.join(", ")
                ),
                JavaStack::Accepts,
            );
            return;
        };
        let not_strings: Vec<String> = fields
            .iter()
            .filter(|(_, v)| !v.is_string())
            .map(|(k, v)| format!("{k:?} ({})", json_type(v)))
            .collect();
        let unknown: Vec<&str> = fields
            .keys()
            .map(String::as_str)
            .filter(|k| !VISITOR_FIELDS.contains(k))
            .collect();
        let known_fields = format!("the known fields are {}", VISITOR_FIELDS.join(", "));
        if !not_strings.is_empty() {
            let (also, also_hint) = if unknown.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!("; unknown fields too: {}", quoted(&unknown)),
                    format!("; {known_fields}"),
                )
            };
            self.checks.fail(
                id,
                format!(
                    "visitor data fields that are not strings: {}{also}",
                    not_strings.join(", ")
                ),
                format!(
                    "every visitor data value must be a JSON string, e.g. \"44000\" for a zip \
                     code{also_hint}"
                ),
                JavaStack::Accepts,
            );
            return;
        }
        if !unknown.is_empty() {
            self.checks.warn(
                id,
                format!("unknown visitor data fields: {}", quoted(&unknown)),
                known_fields,
                JavaStack::Accepts,
            );
            return;
        }
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        self.checks.pass(
            id,
            if names.is_empty() {
                "visitor data is an empty object".to_string()
            } else {
                format!("visitor data: {}", quoted(&names))
            },
        );
    }
}

fn show_time(seconds: i64) -> String {
    time::rfc3339(seconds).unwrap_or_else(|| "out of range".into())
}

enum TimeClaim {
    Missing,
    NotNumber(&'static str),
    /// A number that is no date, in seconds or milliseconds; as JSON shows it.
    OutOfRange(String),
    /// Whole seconds (truncated, as the Java library does), how the number was written, and
    /// the number as JSON shows it.
    Seconds {
        value: i64,
        written: Written,
        shown: String,
    },
}

/// How a JSON number was written: JWT times are integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Integer,
    /// A decimal or exponent form of a whole number: `1700000055.0`, `1.7e9`.
    WholeDecimal,
    Fraction,
}

impl Written {
    /// What is wrong with how claim `name` (`shown`) was written, if anything.
    fn problem(self, name: &str, shown: &str) -> Option<String> {
        match self {
            Written::Integer => None,
            Written::WholeDecimal => Some(format!("{name} is written {shown}, not as an integer")),
            Written::Fraction => Some(format!("{name} has a fraction of a second")),
        }
    }
}

fn read_time(claims: &Map<String, Value>, name: &str) -> TimeClaim {
    let number = match claims.get(name) {
        None => return TimeClaim::Missing,
        Some(Value::Number(number)) => number,
        Some(other) => return TimeClaim::NotNumber(json_type(other)),
    };
    let shown = number.to_string();
    let (value, written) = match number.as_i64() {
        Some(value) => (value, Written::Integer),
        None => {
            // A u64 beyond i64, or a float (serde_json reads integers too long for 64 bits as
            // floats too).
            let float = number.as_f64().unwrap_or(f64::INFINITY);
            #[allow(
                clippy::cast_possible_truncation,
                reason = "checked to be within i64's range first"
            )]
            let value = if float.is_finite() && float.abs() < 9.0e18 {
                float.trunc() as i64
            } else {
                return TimeClaim::OutOfRange(shown);
            };
            let written = if !number.is_f64() {
                Written::Integer
            } else if float.fract() == 0.0 {
                Written::WholeDecimal
            } else {
                Written::Fraction
            };
            (value, written)
        }
    };
    // Neither a date in seconds nor, divided by 1000, one in milliseconds.
    if time::rfc3339(value).is_none() && time::rfc3339(value / 1000).is_none() {
        return TimeClaim::OutOfRange(shown);
    }
    TimeClaim::Seconds {
        value,
        written,
        shown,
    }
}

/// What Nimbus's `JWTClaimsSet.parse` refuses in the registered claims other than times (which
/// have their own checks): `iss` and `jti` that are not strings, a `sub` that is neither a
/// string nor a number, an `aud` list with an element that is not a string. `null` is allowed.
fn registered_claim_types(claims: &Map<String, Value>) -> Option<String> {
    ["iss", "jti", "sub", "aud"].into_iter().find_map(|name| {
        let mismatch = claims::registered_type_mismatch(name, claims.get(name)?)?;
        mismatch
            .java_refuses
            .then(|| format!("{mismatch}: iAdvize's library refuses the claims"))
    })
}
