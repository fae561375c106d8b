//! The claim checks: user id, times, prefixes, visitor data.

use serde_json::{Map, Value};

use super::report::JavaStack;
use super::strict_json::{self, ObjectRead};
use super::{LONG_LIFETIME_SECONDS, Run};
use crate::claims::{self, IADVIZE_PREFIX, USER_ID_CLAIM, VISITOR_DATA_CLAIM, VISITOR_FIELDS};
use crate::time::{self, MILLISECONDS_THRESHOLD};

impl Run<'_> {
    pub(super) fn inspect_claims(&mut self, payload: &[u8]) {
        let claims = match strict_json::read_object(payload, "the claims", true, true) {
            ObjectRead::Clean(map) => {
                match registered_claim_types(&map) {
                    Some(problem) => self.checks.fail(
                        "claims.json",
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
                            "claims.json",
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
                    "claims.json",
                    problem,
                    "serialise the claims with a JSON library, each claim once: parsers \
                     disagree on anything else",
                    java_stack,
                );
                map
            }
            ObjectRead::Unusable(problem) => {
                self.checks.fail(
                    "claims.json",
                    problem,
                    "the payload must be one JSON object of claims, serialised with a JSON \
                     library",
                    JavaStack::Rejects,
                );
                self.checks
                    .skip_unset("claims.", "not reached: the claims are not a JSON object");
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
        let id = "claims.user_id";
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
            self.checks.fail(
                id,
                format!("no {USER_ID_CLAIM} claim"),
                hint,
                JavaStack::NotApplicable,
            );
            return;
        };
        let Value::String(user_id) = value else {
            self.checks.fail(
                id,
                format!(
                    "the user id is {} ({value}), not a string",
                    claims::json_type(value)
                ),
                format!(
                    "send it as a JSON string, e.g. \"{}\"",
                    value.to_string().trim_matches('"')
                ),
                JavaStack::NotApplicable,
            );
            return;
        };
        match claims::check_user_id(user_id) {
            Err(err) => self.checks.fail(
                id,
                err.to_string(),
                "use the user's stable, unique id from the brand's own user database",
                JavaStack::NotApplicable,
            ),
            Ok(Some(warning)) => self.checks.warn(
                id,
                warning,
                "use the user's stable, unique id: never a shared or placeholder value",
                JavaStack::NotApplicable,
            ),
            Ok(None) => self.checks.pass(
                id,
                format!(
                    "user id {user_id:?} ({} characters)",
                    claims::java_length(user_id)
                ),
            ),
        }
    }

    /// Checks `exp`, `iat` and `nbf`; returns (`iat`, `exp`) in whole seconds when usable.
    fn check_times(&mut self, claims: &Map<String, Value>) -> (Option<i64>, Option<i64>) {
        let now = self.options.now;
        let leeway = i64::try_from(self.options.leeway).unwrap_or(i64::MAX);
        let exp = match read_time(claims, "exp") {
            TimeClaim::Missing => {
                self.checks.fail(
                    "claims.exp",
                    "no exp claim: the token never expires",
                    "add exp = issue time + 60 (seconds since 1970); iAdvize recommends a 1-minute lifetime",
                    JavaStack::Accepts,
                );
                None
            }
            TimeClaim::NotNumber(kind) => {
                self.checks.fail(
                    "claims.exp",
                    format!("exp is {kind}, not a number"),
                    "write exp as an integer number of seconds since 1970, without quotes",
                    JavaStack::Rejects,
                );
                None
            }
            TimeClaim::OutOfRange(shown) => {
                self.fail_out_of_range("claims.exp", "exp", &shown);
                None
            }
            TimeClaim::Seconds { value, .. } if value >= MILLISECONDS_THRESHOLD => {
                self.checks.fail(
                    "claims.exp",
                    format!("exp {value} is in milliseconds (a date thousands of years ahead)"),
                    "divide by 1000: exp counts seconds since 1970",
                    JavaStack::Accepts,
                );
                None
            }
            TimeClaim::Seconds { value, .. } if now >= value.saturating_add(leeway) => {
                self.checks.fail(
                    "claims.exp",
                    format!(
                        "expired {} ({})",
                        time::relative(value, now),
                        show_time(value)
                    ),
                    "mint a fresh token for each authentication: they live 1 minute",
                    JavaStack::Accepts,
                );
                Some(value)
            }
            TimeClaim::Seconds {
                value,
                written,
                shown,
            } => {
                let when = if now >= value {
                    format!(
                        "expired {} ({}), within the {} leeway",
                        time::relative(value, now),
                        show_time(value),
                        time::human_span(self.options.leeway)
                    )
                } else {
                    format!(
                        "expires {} ({})",
                        time::relative(value, now),
                        show_time(value)
                    )
                };
                match written.problem("exp", &shown) {
                    Some(problem) => self.checks.warn(
                        "claims.exp",
                        format!("{problem}; {when}"),
                        "write exp as an integer, as iAdvize's example does",
                        JavaStack::Accepts,
                    ),
                    None => self.checks.pass("claims.exp", when),
                }
                Some(value)
            }
        };
        let iat = self.check_not_future(claims, "iat", "claims.iat", "issued");
        self.check_not_future(claims, "nbf", "claims.nbf", "valid from");
        (iat, exp)
    }

    /// A time claim that is no date at all, in seconds or milliseconds.
    fn fail_out_of_range(&mut self, id: &'static str, name: &str, shown: &str) {
        self.checks.fail(
            id,
            format!("{name} {shown} is out of range: not a date, in seconds or in milliseconds"),
            format!("write {name} as an integer number of seconds since 1970"),
            JavaStack::NotApplicable,
        );
    }

    /// `iat` and `nbf` must not be in the future (beyond the leeway).
    fn check_not_future(
        &mut self,
        claims: &Map<String, Value>,
        name: &str,
        id: &'static str,
        verb: &str,
    ) -> Option<i64> {
        let now = self.options.now;
        let leeway = i64::try_from(self.options.leeway).unwrap_or(i64::MAX);
        match read_time(claims, name) {
            TimeClaim::Missing => {
                self.checks.pass(id, format!("no {name} claim (optional)"));
                None
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
                None
            }
            TimeClaim::OutOfRange(shown) => {
                self.fail_out_of_range(id, name, &shown);
                None
            }
            TimeClaim::Seconds { value, .. } if value >= MILLISECONDS_THRESHOLD => {
                self.checks.fail(
                    id,
                    format!("{name} {value} is in milliseconds"),
                    "divide by 1000: JWT times count seconds since 1970",
                    JavaStack::Accepts,
                );
                None
            }
            TimeClaim::Seconds { value, .. } if value > now.saturating_add(leeway) => {
                self.checks.fail(
                    id,
                    format!("{name} is {} ({}): {verb} in the future", time::relative(value, now), show_time(value)),
                    "the token provider's clock is ahead: synchronise it (NTP), or allow for skew with --leeway",
                    JavaStack::Accepts,
                );
                Some(value)
            }
            TimeClaim::Seconds {
                value,
                written,
                shown,
            } => {
                if let Some(problem) = written.problem(name, &shown) {
                    self.checks.warn(
                        id,
                        format!("{problem} ({})", show_time(value)),
                        format!("write {name} as an integer number of seconds"),
                        JavaStack::Accepts,
                    );
                } else {
                    let within = if value > now {
                        format!(
                            ", within the {} leeway",
                            time::human_span(self.options.leeway)
                        )
                    } else {
                        String::new()
                    };
                    self.checks.pass(
                        id,
                        format!(
                            "{verb} {} ({}){within}",
                            time::relative(value, now),
                            show_time(value)
                        ),
                    );
                }
                Some(value)
            }
        }
    }

    fn check_lifetime(&mut self, (iat, exp): (Option<i64>, Option<i64>)) {
        let id = "claims.lifetime";
        let Some(exp) = exp else {
            self.checks.skip_unset(id, "no usable exp");
            return;
        };
        let (start, from) = match iat {
            Some(iat) => (iat, "iat"),
            None => (self.options.now, "now"),
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
        } else if lifetime > LONG_LIFETIME_SECONDS {
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
                "claims.prefix",
                "every custom claim has the https://iadvize.com/ prefix",
            );
            return;
        }
        let first = unprefixed[0];
        self.checks.warn(
            "claims.prefix",
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
        let id = "claims.visitor_data";
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
                format!("visitor data is {}, not an object", claims::json_type(data)),
                format!(
                    "send an object of string fields: {}",
                    VISITOR_FIELDS.join(", ")
                ),
                JavaStack::NotApplicable,
            );
            return;
        };
        let not_strings: Vec<String> = fields
            .iter()
            .filter(|(_, v)| !v.is_string())
            .map(|(k, v)| format!("{k:?} ({})", claims::json_type(v)))
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
                JavaStack::NotApplicable,
            );
            return;
        }
        if !unknown.is_empty() {
            self.checks.warn(
                id,
                format!("unknown visitor data fields: {}", quoted(&unknown)),
                known_fields,
                JavaStack::NotApplicable,
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

/// Names from the token, each quoted and escaped (`"a", "b\n"`): never raw text.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
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
        Some(other) => return TimeClaim::NotNumber(claims::json_type(other)),
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
    let shown = |value: &Value| value.to_string();
    for name in ["iss", "jti"] {
        match claims.get(name) {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(other) => {
                return Some(format!(
                    "{name} is {} ({}), not a string: iAdvize's library refuses the claims",
                    claims::json_type(other),
                    shown(other)
                ));
            }
        }
    }
    match claims.get("sub") {
        None | Some(Value::Null | Value::String(_) | Value::Number(_)) => {}
        Some(other) => {
            return Some(format!(
                "sub is {}, not a string: iAdvize's library refuses the claims",
                claims::json_type(other)
            ));
        }
    }
    if let Some(Value::Array(audiences)) = claims.get("aud")
        && let Some(odd) = audiences.iter().find(|a| !a.is_string())
    {
        return Some(format!(
            "aud holds {} ({}), not only strings: iAdvize's library refuses the claims",
            claims::json_type(odd),
            shown(odd)
        ));
    }
    None
}
