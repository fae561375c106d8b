//! Times as JWTs carry them (integer seconds since 1970) and as people read them.

use std::time::{SystemTime, UNIX_EPOCH};

/// 9999-12-31T23:59:59Z, the last second RFC 3339 can write: every date up to it is a time in
/// seconds.
pub const LAST_SECOND: i64 = 253_402_300_799;
/// Numbers from here on are not dates in seconds; as milliseconds they are dates from 1978.
pub(crate) const MILLISECONDS_THRESHOLD: i64 = LAST_SECOND + 1;

/// Why a duration or time could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Neither seconds nor numbers with units; the text given.
    #[error(
        "{0:?} is not a duration: use seconds (60), or numbers with units s, m, h, d \
         (90s, 5m, 1h30m, 2d)"
    )]
    NotADuration(String),
    /// A duration with a fraction of a second; the text given.
    #[error("{0:?} is not a whole number of seconds; tokens carry times in whole seconds")]
    NotWholeSeconds(String),
    /// A duration too long to add to a time; the text given.
    #[error("{0:?} is too long a duration")]
    TooLong(String),
    /// A UNIX time past 9999 in seconds, which is a time in milliseconds; the number given.
    #[error(
        "{given} looks like milliseconds: times in seconds end at {LAST_SECOND} \
         (9999-12-31T23:59:59Z); give UNIX time in seconds ({seconds})",
        given = .0,
        seconds = .0 / 1000
    )]
    Milliseconds(i64),
    /// A time after 9999-12-31T23:59:59Z; as given.
    #[error(
        "{0} is after {LAST_SECOND} (9999-12-31T23:59:59Z), the last time a date can be \
         written; give UNIX time in seconds"
    )]
    TooLate(String),
    /// A time relative to now (`+5m`) or in RFC 3339 that comes to after
    /// 9999-12-31T23:59:59Z; as given.
    #[error(
        "{0:?} comes to a time after 9999-12-31T23:59:59Z, the last time a date can be \
         written; give a time from 1970 to 9999"
    )]
    ComesAfter9999(String),
    /// A time relative to now (`-5m`) or in RFC 3339 that comes to before 1970; as given.
    #[error("{0:?} comes to a time before 1970; give a time from 1970 to 9999")]
    ComesBefore1970(String),
    /// A time before 1970; the UNIX time given.
    #[error("{0} is before 1970; give UNIX time in seconds")]
    Negative(i64),
    /// Neither UNIX seconds, RFC 3339, nor a time relative to now; the text given.
    #[error(
        "{0:?} is not a time: give UNIX seconds (1700000000), RFC 3339 (2026-12-01T10:00:00Z) \
         or a time relative to now (-1h, +5m)"
    )]
    NotATime(String),
}

/// Parses a duration as people type it into seconds: plain seconds (`60`), or numbers with
/// units, as many as wanted (`90s`, `5m`, `1h30m`, `1h 30m`, `1.5h`, `2d`; the `humantime`
/// crate reads these). It must come to whole seconds. Zero is allowed here; callers that need
/// a positive duration check it.
pub fn parse_duration(text: &str) -> Result<u64, TimeError> {
    let trimmed = text.trim();
    let too_long = || TimeError::TooLong(text.to_string());
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = trimmed.parse().map_err(|_| too_long())?;
        return check_span(seconds).ok_or_else(too_long);
    }
    // A sign is read by `parse_time`; here it would be a negative duration.
    if trimmed.starts_with(['-', '+']) {
        return Err(TimeError::NotADuration(text.to_string()));
    }
    let span = humantime::parse_duration(trimmed).map_err(|err| match err {
        humantime::DurationError::NumberOverflow => too_long(),
        _ => TimeError::NotADuration(text.to_string()),
    })?;
    if span.subsec_nanos() != 0 {
        return Err(TimeError::NotWholeSeconds(text.to_string()));
    }
    check_span(span.as_secs()).ok_or_else(too_long)
}

/// Seconds no later than half of what an `i64` holds, so that adding a span to a time can
/// never overflow.
fn check_span(seconds: u64) -> Option<u64> {
    (seconds <= i64::MAX as u64 / 2).then_some(seconds)
}

/// Parses a time as people write it, in whole UNIX seconds: UNIX seconds (`1700000000`), RFC
/// 3339 (`2026-12-01T10:00:00Z`, `2026-12-01T11:00:00+01:00`; a fraction of a second is
/// dropped), or relative to `now`: a sign and a duration (`-1h`, `+5m`, `-90`), or `now`. The
/// result must be from 1970 to the end of 9999, and not in milliseconds.
pub fn parse_time(text: &str, now: i64) -> Result<i64, TimeError> {
    let trimmed = text.trim();
    let not_a_time = || TimeError::NotATime(text.to_string());
    // A time the text comes to (not a number typed): out of range, it is named as typed.
    let computed = if trimmed == "now" {
        i128::from(now)
    } else if let Some((sign, span)) = trimmed
        .strip_prefix('+')
        .map(|span| (1, span))
        .or_else(|| trimmed.strip_prefix('-').map(|span| (-1, span)))
    {
        let span = parse_duration(span).map_err(|_| not_a_time())?;
        i128::from(now) + sign * i128::from(span)
    } else if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = trimmed
            .parse()
            .map_err(|_| TimeError::TooLate(trimmed.to_string()))?;
        return check_unix_seconds(seconds);
    } else {
        let at =
            time::OffsetDateTime::parse(trimmed, &time::format_description::well_known::Rfc3339)
                .map_err(|_| not_a_time())?;
        i128::from(at.unix_timestamp())
    };
    match computed {
        c if c < 0 => Err(TimeError::ComesBefore1970(trimmed.to_string())),
        c if c > i128::from(LAST_SECOND) => Err(TimeError::ComesAfter9999(trimmed.to_string())),
        c => i64::try_from(c).map_err(|_| TimeError::ComesAfter9999(trimmed.to_string())),
    }
}

/// Checks UNIX seconds (a `--now` value, a registered time claim): from 1970 to the end of
/// 9999; a larger number that is a date in milliseconds is said to be one.
pub(crate) fn check_unix_seconds(value: i64) -> Result<i64, TimeError> {
    if value < 0 {
        Err(TimeError::Negative(value))
    } else if value <= LAST_SECOND {
        Ok(value)
    } else if value / 1000 <= LAST_SECOND {
        Err(TimeError::Milliseconds(value))
    } else {
        Err(TimeError::TooLate(value.to_string()))
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

/// A span of seconds as people say it, rounded down to its largest unit: `42 s`, `3 min`,
/// `2 h`, `5 days`, `4 months`, `3 years` (months and years of the Gregorian calendar's mean
/// length). Where the exact time matters, it is shown beside.
pub(crate) fn human_span(seconds: u64) -> String {
    const DAY: u64 = 86_400;
    const YEAR: u64 = 31_556_952;
    const MONTH: u64 = YEAR / 12;
    match seconds {
        0..=119 => format!("{seconds} s"),
        120..=7199 => format!("{} min", seconds / 60),
        7200..=172_799 => format!("{} h", seconds / 3600),
        s if s < 60 * DAY => format!("{} days", s / DAY),
        s if s < 2 * YEAR => format!("{} months", s / MONTH),
        s => format!("{} years", s / YEAR),
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
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration(" 1h 30m "), Ok(5400));
        assert_eq!(parse_duration("1.5h"), Ok(5400));
        assert_eq!(parse_duration("2min"), Ok(120));
        assert_eq!(
            parse_duration("1500ms"),
            Err(TimeError::NotWholeSeconds("1500ms".into()))
        );
        for bad in ["", "-5", "+5", "5x", "m", "1h-30m", "soon"] {
            assert_eq!(
                parse_duration(bad),
                Err(TimeError::NotADuration(bad.into())),
                "{bad}"
            );
        }
        for long in [
            "99999999999999999999999",
            "99999999999999999999999s",
            "9223372036854775807",
        ] {
            assert_eq!(
                parse_duration(long),
                Err(TimeError::TooLong(long.into())),
                "{long}"
            );
        }
    }

    #[test]
    fn times_as_people_write_them() {
        let now = 1_764_583_200; // 2025-12-01T10:00:00Z
        for text in [
            "1764583200",
            " 1764583200 ",
            "2025-12-01T10:00:00Z",
            "2025-12-01t10:00:00z",
            "2025-12-01T11:00:00+01:00",
            "2025-12-01T10:00:00.999Z",
            "now",
            "+0s",
        ] {
            assert_eq!(parse_time(text, now), Ok(now), "{text}");
        }
        assert_eq!(parse_time("-1h", now), Ok(now - 3600));
        assert_eq!(parse_time("+5m", now), Ok(now + 300));
        assert_eq!(parse_time("-90", now), Ok(now - 90));
        assert_eq!(
            parse_time("1700000000000", now),
            Err(TimeError::Milliseconds(1_700_000_000_000))
        );
        assert_eq!(parse_time("-1h30m", now), Ok(now - 5400));
        assert_eq!(
            parse_time("-100x", now),
            Err(TimeError::NotATime("-100x".into()))
        );
        // Relative times out of range are named as typed, with no guess at milliseconds.
        assert_eq!(
            parse_time("-99999d", now),
            Err(TimeError::ComesBefore1970("-99999d".into()))
        );
        assert_eq!(
            parse_time("+9999999999h", now),
            Err(TimeError::ComesAfter9999("+9999999999h".into()))
        );
        assert_eq!(
            parse_time(" -99999999999999 ", now),
            Err(TimeError::ComesBefore1970("-99999999999999".into()))
        );
        let shown = parse_time("+9999999999h", now).unwrap_err().to_string();
        assert!(!shown.contains("milliseconds"), "{shown}");
        for bad in [
            "",
            "soon",
            "2025-12-01",
            "2025-12-01 10:00:00",
            "1.5",
            "--1h",
            "+",
        ] {
            assert_eq!(
                parse_time(bad, now),
                Err(TimeError::NotATime(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(
            parse_time("99999999999999999999", now),
            Err(TimeError::TooLate("99999999999999999999".into()))
        );
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
        // Past two days, days; past two months, months; past two years, years.
        let day = 86_400;
        assert_eq!(relative(0, 3 * day), "3 days ago");
        assert_eq!(relative(0, 59 * day), "59 days ago");
        assert_eq!(relative(0, 61 * day), "2 months ago");
        assert_eq!(relative(0, 1118 * day), "3 years ago");
        assert_eq!(relative(729 * day, 0), "in 23 months");
        assert_eq!(
            check_unix_seconds(1_691_588_707_000),
            Err(TimeError::Milliseconds(1_691_588_707_000))
        );
    }

    #[test]
    fn every_date_to_the_end_of_9999_is_a_time_in_seconds() {
        let now = 1_764_583_200;
        assert_eq!(parse_time("253402300799", now), Ok(LAST_SECOND));
        assert_eq!(parse_time("9999-12-31T23:59:59Z", now), Ok(LAST_SECOND));
        assert_eq!(
            rfc3339(LAST_SECOND).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        // The first number that is not: as milliseconds it is 1978.
        let shown = parse_time("253402300800", now).unwrap_err().to_string();
        assert!(shown.contains("looks like milliseconds"), "{shown}");
        assert!(shown.contains("(253402300)"), "{shown}");
        // Too large to be milliseconds of a date either.
        let shown = parse_time("253402300800000", now).unwrap_err().to_string();
        assert!(shown.contains("is after 253402300799"), "{shown}");
        assert!(!shown.contains("milliseconds"), "{shown}");
    }
}
