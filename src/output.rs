//! Rendering: JSON versus human text, colour decisions, and escaping of untrusted text.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

/// True when the error (or any cause) is a closed pipe: `iadvize-auth ... | head -1`.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Makes text safe to print on a terminal: control characters (escape sequences, carriage
/// returns, bidirectional overrides) are shown as `\u{..}` escapes instead of being obeyed.
pub fn escape_untrusted(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether human output on stdout may use colour: a terminal, and `NO_COLOR` unset or empty.
#[allow(dead_code)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_but_keeps_plain_text() {
        assert_eq!(escape_untrusted("plain été"), "plain été");
        assert_eq!(escape_untrusted("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape_untrusted("x\u{202e}y"), "x\\u{202e}y");
    }
}
