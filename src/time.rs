//! Times as JWTs carry them (integer seconds since 1970) and as people read them.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds after which a NumericDate is almost certainly in milliseconds (year 5138).
pub(crate) const MILLISECONDS_THRESHOLD: i64 = 100_000_000_000;

/// Why a duration or time could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "{0:?} is not a duration: use seconds (60), or a number with s, m, h or d (90s, 5m, 1h)"
    )]
    NotADuration(String),
    #[error("{0:?} is too long a duration")]
    TooLong(String),
    #[error("{0} looks like milliseconds; give UNIX time in seconds")]
    Milliseconds(i64),
    #[error("{0} is before 1970; give UNIX time in seconds")]
    Negative(i64),
}

/// Parses `90s`, `5m`, `1h`, `2d` or plain seconds (`60`) into seconds. Zero is allowed here;
/// callers that need a positive duration check it.
pub fn parse_duration(text: &str) -> Result<u64, TimeError> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    if digits.is_empty() {
        return Err(TimeError::NotADuration(text.to_string()));
    }
    let multiplier = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        _ => return Err(TimeError::NotADuration(text.to_string())),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| TimeError::TooLong(text.to_string()))?;
    value
        .checked_mul(multiplier)
        .filter(|secs| *secs <= i64::MAX as u64 / 2)
        .ok_or_else(|| TimeError::TooLong(text.to_string()))
}

/// Checks a `--now` value: UNIX seconds, not milliseconds, not before 1970.
pub fn check_unix_seconds(value: i64) -> Result<i64, TimeError> {
    if value < 0 {
        Err(TimeError::Negative(value))
    } else if value >= MILLISECONDS_THRESHOLD {
        Err(TimeError::Milliseconds(value))
    } else {
        Ok(value)
    }
}

/// The current time in whole seconds.
pub fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// RFC 3339 in UTC, e.g. `2023-08-09T13:45:07Z`; `None` outside the representable range.
pub fn rfc3339(seconds: i64) -> Option<String> {
    let at = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    at.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// A span of seconds as people say it: `42 s`, `3 min`, `2 h`, `5 days`.
pub(crate) fn human_span(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds} s"),
        120..=7199 => format!("{} min", seconds / 60),
        7200..=172_799 => format!("{} h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// `in 42 s`, `3 min ago`, or `now`: `at` relative to `now`.
pub fn relative(at: i64, now: i64) -> String {
    let delta = i128::from(at) - i128::from(now);
    let span = u64::try_from(delta.unsigned_abs()).unwrap_or(u64::MAX);
    match delta {
        0 => "now".to_string(),
        d if d > 0 => format!("in {}", human_span(span)),
        _ => format!("{} ago", human_span(span)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60"), Ok(60));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("5m"), Ok(300));
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("0"), Ok(0));
        for bad in ["", "-5", "5x", "m", "1.5h", "99999999999999999999999"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(
            rfc3339(1_691_588_707).as_deref(),
            Some("2023-08-09T13:45:07Z")
        );
        assert_eq!(relative(100, 58), "in 42 s");
        assert_eq!(relative(0, 180), "3 min ago");
        assert_eq!(relative(5, 5), "now");
        assert_eq!(
            check_unix_seconds(1_691_588_707_000),
            Err(TimeError::Milliseconds(1_691_588_707_000))
        );
    }
}
