//! The claim checks: user id, times, prefixes, visitor data.

use serde_json::{Map, Value};

use super::report::JavaStack;
use super::strict_json::{self, Duplicates};
use super::{LONG_LIFETIME_SECONDS, Run};
use crate::claims::{self, IADVIZE_PREFIX, USER_ID_CLAIM, VISITOR_DATA_CLAIM, VISITOR_FIELDS};
use crate::time::{self, MILLISECONDS_THRESHOLD};

impl Run<'_> {
    pub(super) fn inspect_claims(&mut self, payload: &[u8]) {
        let claims = match strict_json::parse(payload) {
            Ok((Value::Object(map), Duplicates { first: None, .. })) => {
                let escaped = if payload.windows(2).any(|w| w == b"\\/") {
                    " (escaped slashes \\/ decode normally)"
                } else {
                    ""
                };
                self.checks.pass(
                    "claims.json",
                    format!("a JSON object with {} claims{escaped}", map.len()),
                );
                map
            }
            Ok((
                Value::Object(map),
                Duplicates {
                    first: Some(duplicate),
                    ..
                },
            )) => {
                self.checks.fail(
                    "claims.json",
                    format!("the claim {duplicate:?} appears more than once"),
                    "write each claim once; parsers disagree on which copy wins",
                    JavaStack::Rejects,
                );
                map
            }
            Ok((other, _)) => {
                self.checks.fail(
                    "claims.json",
                    format!(
                        "the claims are JSON {} instead of an object",
                        claims::json_type(&other)
                    ),
                    "the payload must be one JSON object of claims",
                    JavaStack::Rejects,
                );
                self.checks
                    .skip_unset("claims.", "not reached: the claims are not a JSON object");
                return;
            }
            Err(err) => {
                self.checks.fail(
                    "claims.json",
                    format!("the claims are not valid JSON ({err})"),
                    "serialise the claims with a JSON library",
                    JavaStack::Rejects,
                );
                self.checks
                    .skip_unset("claims.", "not reached: the claims are not valid JSON");
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
            TimeClaim::Seconds { value, fractional } => {
                if value >= MILLISECONDS_THRESHOLD {
                    self.checks.fail(
                        "claims.exp",
                        format!("exp {value} is in milliseconds (a date thousands of years ahead)"),
                        "divide by 1000: exp counts seconds since 1970",
                        JavaStack::Accepts,
                    );
                    None
                } else if now >= value.saturating_add(leeway) {
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
                } else if fractional {
                    self.checks.warn(
                        "claims.exp",
                        format!(
                            "exp has a fraction of a second; expires {} ({})",
                            time::relative(value, now),
                            show_time(value)
                        ),
                        "write exp as an integer, as iAdvize's example does",
                        JavaStack::Accepts,
                    );
                    Some(value)
                } else {
                    self.checks.pass(
                        "claims.exp",
                        format!(
                            "expires {} ({})",
                            time::relative(value, now),
                            show_time(value)
                        ),
                    );
                    Some(value)
                }
            }
        };
        let iat = self.check_not_future(claims, "iat", "claims.iat", "issued");
        self.check_not_future(claims, "nbf", "claims.nbf", "valid from");
        (iat, exp)
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
                fractional: true,
            } => {
                self.checks.warn(
                    id,
                    format!("{name} has a fraction of a second ({})", show_time(value)),
                    format!("write {name} as an integer number of seconds"),
                    JavaStack::Accepts,
                );
                Some(value)
            }
            TimeClaim::Seconds { value, .. } => {
                self.checks.pass(
                    id,
                    format!(
                        "{verb} {} ({})",
                        time::relative(value, now),
                        show_time(value)
                    ),
                );
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
        if !not_strings.is_empty() {
            self.checks.fail(
                id,
                format!(
                    "visitor data fields that are not strings: {}",
                    not_strings.join(", ")
                ),
                "every visitor data value must be a JSON string, e.g. \"44000\" for a zip code",
                JavaStack::NotApplicable,
            );
            return;
        }
        let unknown: Vec<&str> = fields
            .keys()
            .map(String::as_str)
            .filter(|k| !VISITOR_FIELDS.contains(k))
            .collect();
        if !unknown.is_empty() {
            self.checks.warn(
                id,
                format!("unknown visitor data fields: {}", quoted(&unknown)),
                format!("the known fields are {}", VISITOR_FIELDS.join(", ")),
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
    Seconds { value: i64, fractional: bool },
}

fn read_time(claims: &Map<String, Value>, name: &str) -> TimeClaim {
    match claims.get(name) {
        None => TimeClaim::Missing,
        Some(Value::Number(number)) => {
            if let Some(value) = number.as_i64() {
                TimeClaim::Seconds {
                    value,
                    fractional: false,
                }
            } else {
                let float = number.as_f64().unwrap_or(f64::MAX);
                // Truncated, as the Java library does; saturating for absurd values.
                let value = if float >= i64::MAX as f64 {
                    i64::MAX
                } else if float <= i64::MIN as f64 {
                    i64::MIN
                } else {
                    float.trunc() as i64
                };
                TimeClaim::Seconds {
                    value,
                    fractional: float.fract() != 0.0,
                }
            }
        }
        Some(other) => TimeClaim::NotNumber(claims::json_type(other)),
    }
}
