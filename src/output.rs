//! Rendering: JSON versus human text, colour decisions, and escaping of untrusted text.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use iadvize_auth::inspect::{Kind, Report, Status};
use iadvize_auth::time;
use serde_json::Value;

/// True when the error (or any cause) is a closed pipe: `iadvize-auth ... | head -1`.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = match cause.downcast_ref::<io::Error>() {
            Some(io) => Some(io.kind()),
            // serde_json wraps the writer's error without exposing it as a source.
            None => cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind),
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

/// Makes text safe to print on a terminal as one line: control characters (escape
/// sequences, line breaks, carriage returns, tabs) and invisible characters (line and
/// paragraph separators, bidirectional overrides, zero-width spaces, byte order marks …) are
/// shown as escapes (`\n`, `\r`, `\t`, `\u{..}`) instead of being obeyed, so text from a
/// token can never start a line of its own in a report, nor hide in it.
pub fn escape_untrusted(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the invisible ones that make text look like other text (bidi
/// controls, zero-width spaces, line separators …): on a terminal they are shown, not obeyed.
fn needs_escape(c: char) -> bool {
    c.is_control() || iadvize_auth::text::invisible_character(c).is_some()
}

/// Whether human output on stdout may use colour: a terminal, and `NO_COLOR` unset or empty.
pub fn stdout_colour() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints one pretty JSON document and a newline on stdout.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Prints warnings on stderr, one line each.
pub fn warn_all(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {}", escape_untrusted(warning));
    }
}

/// Text styles of the human report; all plain when colour is off.
struct Palette {
    pass: Style,
    warn: Style,
    fail: Style,
    skip: Style,
    heading: Style,
}

impl Palette {
    fn new(colour: bool) -> Self {
        if !colour {
            let plain = Style::new();
            return Palette {
                pass: plain,
                warn: plain,
                fail: plain,
                skip: plain,
                heading: plain,
            };
        }
        Palette {
            pass: Style::new().fg_color(Some(AnsiColor::Green.into())),
            warn: Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
            fail: Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            skip: Style::new().dimmed(),
            heading: Style::new().bold(),
        }
    }

    fn status(&self, status: Status) -> (Style, &'static str) {
        match status {
            Status::Pass => (self.pass, "pass"),
            Status::Warn => (self.warn, "WARN"),
            Status::Fail => (self.fail, "FAIL"),
            Status::Skip => (self.skip, "skip"),
        }
    }
}

/// Untrusted JSON from a token, compact and safe for a terminal.
fn show_json(value: &Value) -> String {
    escape_untrusted(&value.to_string()).into_owned()
}

/// The human `inspect` report: what the token is, its headers and claims, then every check.
pub fn render_report(report: &Report, now: i64, colour: bool) -> String {
    let p = Palette::new(colour);
    let h = |text: &str| format!("{}{text}{}", p.heading.render(), p.heading.render_reset());
    let mut out = String::new();
    let kind = match report.kind {
        Kind::Jwe => "JWE (encrypted, compact serialisation)",
        Kind::Jws => "JWS (signed, not encrypted)",
        Kind::Unknown => "not a well-formed JWE or JWS",
    };
    let _ = writeln!(out, "{}  {kind}", h("Token"));
    for warning in &report.input_warnings {
        let _ = writeln!(out, "       note: {}", escape_untrusted(warning));
    }
    if let Some(jwe) = &report.jwe {
        let _ = writeln!(out, "{}  {}", h("JWE header"), show_json(&jwe.header));
        let _ = writeln!(
            out,
            "            encrypted key {} bytes (a {}-bit recipient key), IV {} bytes, tag {} bytes, ciphertext {} bytes",
            jwe.encrypted_key_bytes,
            jwe.encrypted_key_bytes * 8,
            jwe.iv_bytes,
            jwe.tag_bytes,
            jwe.ciphertext_bytes
        );
    }
    if let Some(jws) = &report.jws {
        let _ = writeln!(out, "{}  {}", h("JWS header"), show_json(&jws.header));
    }
    if let Some(payload) = &report.decrypted_payload {
        let _ = writeln!(
            out,
            "{}  {}",
            h("Decrypted content"),
            escape_untrusted(payload)
        );
    }
    if let Some(Value::Object(claims)) = report.jws.as_ref().map(|j| &j.claims) {
        let _ = writeln!(out, "{}", h("Claims"));
        let names: Vec<Cow<'_, str>> = claims.keys().map(|k| escape_untrusted(k)).collect();
        let width = names.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        for (name, value) in names.iter().zip(claims.values()) {
            let shown = show_json(value);
            let when = match (name.as_ref(), value.as_f64()) {
                ("exp" | "iat" | "nbf", Some(seconds)) if seconds.abs() < 1e15 => {
                    let secs = seconds.trunc() as i64;
                    time::rfc3339(secs)
                        .map(|at| format!("  {at}, {}", time::relative(secs, now)))
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "  {name:width$}  {shown}{when}");
        }
    }
    if let Some(jws) = &report.jws
        && report.kind == Kind::Jwe
    {
        let _ = writeln!(out, "{}  {}", h("Inner JWS"), escape_untrusted(&jws.token));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", h("Checks"));
    let id_width = report
        .checks
        .iter()
        .map(|c| c.id.as_str().len())
        .max()
        .unwrap_or(0);
    for check in &report.checks {
        let (style, mark) = p.status(check.status);
        let _ = writeln!(
            out,
            "  {}{mark}{}  {:id_width$}  {}",
            style.render(),
            style.render_reset(),
            check.id,
            escape_untrusted(&check.message),
        );
        let indent = " ".repeat(id_width + 10);
        if let Some(hint) = &check.hint {
            let _ = writeln!(out, "{indent}fix: {}", escape_untrusted(hint));
        }
        if let Some(java) = check.java_stack.describe() {
            let _ = writeln!(out, "{indent}iAdvize: {java}");
        }
    }
    let count = |status| report.checks.iter().filter(|c| c.status == status).count();
    let (fails, warns) = (count(Status::Fail), count(Status::Warn));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = writeln!(out);
    let verdict = match (fails, warns) {
        (0, 0) => format!(
            "{}OK{}: no problem found",
            p.pass.render(),
            p.pass.render_reset()
        ),
        (0, w) => format!(
            "{}OK{} with {}",
            p.warn.render(),
            p.warn.render_reset(),
            plural(w, "warning")
        ),
        (f, w) => format!(
            "{}{} failed{}, {}",
            p.fail.render(),
            plural(f, "check"),
            p.fail.render_reset(),
            plural(w, "warning")
        ),
    };
    let _ = writeln!(out, "{} {verdict}", h("Result"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_but_keeps_plain_text() {
        assert_eq!(escape_untrusted("plain été"), "plain été");
        assert_eq!(escape_untrusted("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape_untrusted("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape_untrusted("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(escape_untrusted("a\u{2028}b\u{85}c"), "a\\u{2028}b\\u{85}c");
        // Invisible characters that would make one user id look like another.
        assert_eq!(
            escape_untrusted("user\u{200b}-1\u{feff}"),
            "user\\u{200b}-1\\u{feff}"
        );
        assert_eq!(
            escape_untrusted("👍🏽 ❤️"),
            "👍🏽 ❤️",
            "emoji keep their modifiers"
        );
    }
}
