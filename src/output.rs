//! Rendering: JSON versus human text, colour decisions, and escaping of untrusted text.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, IsTerminal, Seek, Write};
use std::os::fd::AsFd;
use std::time::Instant;

use anstyle::{AnsiColor, Style};
use iadvize_auth::inspect::{Found, Kind, Names, Place, Report, shortened_token, verdict_sentence};
use iadvize_auth::mint::FaultInfo;
use iadvize_auth::time;
use iadvize_auth::verdict::{
    Acceptance, Answer, CheckId, JavaStack, NeededKey, Role, Status, Subject,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

/// True when the error (or any cause) is a closed pipe: `iadvize-auth ... | head -1`.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
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
pub(crate) fn escape_untrusted(text: &str) -> Cow<'_, str> {
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
pub(crate) fn stdout_colour() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints one pretty JSON document and a newline on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// What a line of talk on standard error is: something probably wrong, or worth knowing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Talk {
    Warning,
    Note,
}

/// Writes one line of talk on standard error, `warning: …` or `note: …`, escaped: every
/// warning and note of every verb goes through here (errors through `main`).
pub(crate) fn talk(kind: Talk, text: &str) {
    let prefix = match kind {
        Talk::Warning => "warning",
        Talk::Note => "note",
    };
    eprintln!("{prefix}: {}", escape_untrusted(text));
}

/// Warnings on standard error, one line each.
pub(crate) fn warn_all(warnings: &[String]) {
    for warning in warnings {
        talk(Talk::Warning, warning);
    }
}

/// Bytes of tokens gathered before they are written.
const OUT_BUFFER: usize = 64 * 1024;

/// Standard output, written whole lines at a time and counted: after a failed write the output
/// holds whole tokens only (a token written in part is taken back from a regular file, the one
/// output a full disk fills), and [`TokenOut::written`] says how many.
pub(crate) struct TokenOut {
    /// Standard output's own descriptor, duplicated: no other buffer holds tokens.
    file: File,
    buf: Vec<u8>,
    /// Lines written whole (`buf` not counted).
    written: usize,
    /// A failed write left part of a line that could not be taken back.
    cut: bool,
}

impl TokenOut {
    pub(crate) fn stdout() -> io::Result<Self> {
        let fd = io::stdout().as_fd().try_clone_to_owned()?;
        Ok(TokenOut {
            file: File::from(fd),
            buf: Vec::with_capacity(OUT_BUFFER),
            written: 0,
            cut: false,
        })
    }

    /// Adds a line (a token, a JSON record), written once enough are gathered.
    pub(crate) fn line(&mut self, line: &str) -> io::Result<()> {
        self.buf.extend_from_slice(line.as_bytes());
        self.buf.push(b'\n');
        match self.buf.len() >= OUT_BUFFER {
            true => self.flush(),
            false => Ok(()),
        }
    }

    /// Writes the lines gathered; after a failure, counts those written whole, and takes back
    /// the part of the next one that was written.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        let mut done = 0;
        while done < self.buf.len() {
            match self.file.write(&self.buf[done..]) {
                Ok(0) => return self.failed(done, io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return self.failed(done, err),
            }
        }
        self.written += lines_in(&self.buf);
        self.buf.clear();
        Ok(())
    }

    fn failed(&mut self, done: usize, err: io::Error) -> io::Result<()> {
        let sent = &self.buf[..done];
        let whole = sent
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        self.written += lines_in(&sent[..whole]);
        let part = done - whole;
        if part > 0 {
            self.cut = self.take_back(part).is_err();
        }
        self.buf.clear();
        Err(err)
    }

    /// Lines written whole.
    pub(crate) fn written(&self) -> usize {
        self.written
    }

    /// Whether a failed write left part of a line that could not be taken back.
    pub(crate) fn cut(&self) -> bool {
        self.cut
    }

    /// Removes the last `len` bytes written: only a regular file can lose them again.
    fn take_back(&mut self, len: usize) -> io::Result<()> {
        if !self.file.metadata()?.is_file() {
            return Err(io::ErrorKind::Unsupported.into());
        }
        let end = self.file.stream_position()?;
        let len = u64::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
        let to = end.checked_sub(len).ok_or(io::ErrorKind::InvalidInput)?;
        self.file.set_len(to)?;
        self.file.seek(io::SeekFrom::Start(to))?;
        Ok(())
    }
}

fn lines_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// A batch's progress on stderr, only when stderr is a terminal: a bar with the count, rate
/// and time left while minting (unless stdout is that terminal too, where the tokens scroll),
/// then a closing line with the count and rate.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    /// Whether to say how it went at the end.
    closing: bool,
    started: Instant,
    done: u64,
}

impl Progress {
    /// Nothing shown.
    pub(crate) fn none() -> Self {
        Progress {
            bar: None,
            closing: false,
            started: Instant::now(),
            done: 0,
        }
    }

    /// Progress of `total` tokens, shown if stderr is a terminal.
    pub(crate) fn start(total: usize) -> Self {
        let terminal = io::stderr().is_terminal();
        let bar = (terminal && !io::stdout().is_terminal()).then(|| {
            let total = u64::try_from(total).unwrap_or(u64::MAX);
            let style = ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} tokens, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                .with_style(style)
        });
        Progress {
            bar,
            closing: terminal,
            started: Instant::now(),
            done: 0,
        }
    }

    /// One more token written.
    pub(crate) fn inc(&mut self) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Clears the bar and says how many tokens were minted, how fast.
    pub(crate) fn finish(mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.closing {
            let seconds = self.started.elapsed().as_secs_f64();
            let rate = self.done as f64 / seconds.max(1e-3);
            let s = if self.done == 1 { "" } else { "s" };
            eprintln!(
                "minted {} token{s} in {seconds:.1} s ({rate:.0} tokens/s)",
                self.done
            );
        }
    }
}

impl Drop for Progress {
    /// A batch that stops on an error leaves no bar behind.
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The `--list-faults` table: each fault, the `inspect` check that catches it, what iAdvize
/// does with it, what it is and what a backend did to produce it; 100 columns wide.
pub(crate) fn fault_table(faults: &[FaultInfo]) -> String {
    const NAME: usize = 23;
    const CHECK: usize = 24;
    const IADVIZE: usize = 7;
    const TEXT: usize = 100 - NAME - CHECK - IADVIZE - 6;
    let indent = " ".repeat(NAME + CHECK + IADVIZE + 6);
    let mut out = format!(
        "{:NAME$}  {:CHECK$}  {:IADVIZE$}  WHAT, AND WHAT A BACKEND DID\n",
        "FAULT", "INSPECT", "IADVIZE"
    );
    for fault in faults {
        let status = match fault.status {
            Status::Warn => "warn",
            _ => "fail",
        };
        let iadvize = match fault.iadvize {
            Acceptance::Rejects => "rejects",
            Acceptance::Accepts => "accepts",
            Acceptance::Unknown => "unknown",
        };
        // The check that catches it, then any other the token does not pass.
        let mut checks = vec![format!("{status} {}", fault.check)];
        checks.extend(fault.also.iter().map(|also| format!("and {also}")));
        let mut lines = wrap(fault.what, TEXT);
        lines.extend(wrap(&format!("backend: {}", fault.backend), TEXT));
        for i in 0..lines.len().max(checks.len()) {
            let line = lines.get(i).map_or("", String::as_str);
            match (i, checks.get(i)) {
                (0, _) => {
                    let _ = writeln!(
                        out,
                        "{:NAME$}  {:CHECK$}  {iadvize:IADVIZE$}  {line}",
                        fault.name, checks[0]
                    );
                }
                (_, Some(check)) => {
                    let _ = writeln!(out, "{:NAME$}  {check:CHECK$}  {:IADVIZE$}  {line}", "", "");
                }
                (_, None) => {
                    let _ = writeln!(out, "{indent}{line}");
                }
            }
        }
    }
    out.push_str(
        "\nIADVIZE is what iAdvize's Java library does with the token; --json adds the Nimbus \
         code that\ndecides it (docs/cli.md has them as a table).\n",
    );
    out
}

/// Greedy word wrap at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().map_or(0, |l| l.chars().count());
        if line > 0 && line + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(current) = lines.last_mut() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    lines
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

/// The widest the human report is; also its width when standard output is not a terminal (a
/// file, a pipe), so that what is saved or compared does not depend on a window.
pub(crate) const MAX_REPORT_WIDTH: usize = 100;
/// The narrowest: below it, labels and check ids leave no room for words.
const MIN_REPORT_WIDTH: usize = 40;

/// The width the human report keeps to: the terminal's, when standard output is one, from 40
/// to 100 columns; 100 otherwise.
pub(crate) fn report_width() -> usize {
    match terminal_size::terminal_size_of(io::stdout()) {
        Some((terminal_size::Width(columns), _)) => {
            usize::from(columns).clamp(MIN_REPORT_WIDTH, MAX_REPORT_WIDTH)
        }
        None => MAX_REPORT_WIDTH,
    }
}
/// The widest check id, `claims.visitor_data`.
const ID_WIDTH: usize = 19;

/// Words of `text` in lines of at most `columns`: the first after `first` (which is printed as
/// is), the others after `indent` spaces. A word longer than a line stands alone.
fn wrapped(out: &mut String, columns: usize, first: &str, indent: usize, text: &str) {
    let mut line = String::from(first);
    let mut width = first.chars().count();
    // The first word follows `first` directly: it ends with its own separator.
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if !empty && width + 1 + len > columns {
            let _ = writeln!(out, "{line}");
            line = " ".repeat(indent);
            width = indent;
            empty = true;
        }
        if !empty {
            line.push(' ');
            width += 1;
        }
        line.push_str(word);
        width += len;
        empty = false;
    }
    let _ = writeln!(out, "{line}");
}

/// A long token shown by its start and length, unless all of it is asked for; escaped.
pub(crate) fn shortened(token: &str, show_tokens: bool) -> String {
    match show_tokens {
        true => escape_untrusted(token).into_owned(),
        false => escape_untrusted(&shortened_token(token)).into_owned(),
    }
}

/// A place as reports show it (`Place::shown`), escaped for a terminal.
pub(crate) fn place_shown(place: &Place, show_tokens: bool) -> String {
    escape_untrusted(&place.shown(show_tokens)).into_owned()
}

/// The wrappers a token was found in, for the human report after the verdict: what iAdvize
/// does with the text as found, and each wrapper's likely origin and fix. Empty when the
/// token was found alone.
pub(crate) fn wrapper_block(found: &Found, show_tokens: bool, columns: usize) -> String {
    let mut out = String::new();
    for wrapped_in in &found.wrapped {
        let wrappers = wrapped_in.wrappers;
        let Some((_, why)) = wrappers.as_given() else {
            continue;
        };
        // Where, when the token was found in several places.
        let place = match (&wrapped_in.first, found.place_count) {
            (Place::Whole, _) | (_, 1) => String::new(),
            (place, _) => format!(" at {}", place_shown(place, show_tokens)),
        };
        let more = match wrapped_in.count {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        wrapped(
            &mut out,
            columns,
            "As found: ",
            10,
            &format!(
                "{}{place}{more}: the verdict is on the token inside; passed like this, iAdvize \
                 refuses it ({why})",
                wrappers.described()
            ),
        );
        let width = wrappers
            .iter()
            .map(|k| k.name().chars().count())
            .max()
            .unwrap_or(0);
        for kind in wrappers.iter() {
            wrapped(
                &mut out,
                columns,
                &format!("  {:<width$}  ", kind.name()),
                width + 4,
                &format!("{}; fix: {}", kind.origin(), kind.fix()),
            );
        }
    }
    out
}

/// One set of wrappers a token was found in, as `inspect --json` writes it (docs/cli.md).
#[derive(serde::Serialize)]
pub(crate) struct WrappedOut {
    /// The first place the token was found in these wrappers.
    pub found: String,
    /// How many places.
    pub count: usize,
    /// What iAdvize's library does with the token passed in these wrappers.
    pub as_given: AsGivenOut,
    /// The wrappers, outermost first.
    pub layers: Vec<WrapperOut>,
}

#[derive(serde::Serialize)]
pub(crate) struct AsGivenOut {
    pub java_stack: JavaStack,
    pub why: &'static str,
}

#[derive(serde::Serialize)]
pub(crate) struct WrapperOut {
    pub kind: &'static str,
    pub origin: &'static str,
    pub fix: &'static str,
}

/// The wrappers a token was found in, for `--json`.
pub(crate) fn wrapped_out(found: &Found, show_tokens: bool) -> Vec<WrappedOut> {
    found
        .wrapped
        .iter()
        .filter_map(|wrapped_in| {
            let (java_stack, why) = wrapped_in.wrappers.as_given()?;
            Some(WrappedOut {
                found: place_shown(&wrapped_in.first, show_tokens),
                count: wrapped_in.count,
                as_given: AsGivenOut { java_stack, why },
                layers: wrapped_in
                    .wrappers
                    .iter()
                    .map(|kind| WrapperOut {
                        kind: kind.id(),
                        origin: kind.origin(),
                        fix: kind.fix(),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// What the human report needs besides the report itself.
pub(crate) struct ReportContext<'a> {
    /// Where the token was found, already shortened; empty when it is the whole input.
    pub places: &'a [String],
    /// How many places in all (`places` may list only the first).
    pub place_count: usize,
    /// The wrappers the token was found in ([`wrapper_block`]), shown after where it was found.
    pub wrappers: &'a str,
    /// The time the checks were made against.
    pub now: i64,
    pub colour: bool,
    /// Show the inner token whole.
    pub show_tokens: bool,
    /// Columns the prose keeps to ([`report_width`]).
    pub width: usize,
    /// How the user gives the keys and the expectation of a signed token.
    pub names: &'a Names<'a>,
}

/// `jwe.decrypt, jws.*, claims.*`: check ids, a whole layer by its prefix.
fn id_list(ids: &[CheckId]) -> String {
    let mut words: Vec<String> = Vec::new();
    for id in ids {
        let name = id.as_str();
        let prefix = &name[..=name.find('.').unwrap_or(0)];
        let layer: Vec<&CheckId> = CheckId::ALL
            .iter()
            .filter(|other| other.as_str().starts_with(prefix))
            .collect();
        let whole = layer.len() > 1 && layer.iter().all(|other| ids.contains(other));
        let word = if whole {
            format!("{prefix}*")
        } else {
            name.to_string()
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words.join(", ")
}

/// What iAdvize does about a check that did not pass, in the report's words; `None` where
/// there is nothing to add (a warning iAdvize's library does not mind).
fn iadvize_words(check: &iadvize_auth::inspect::Check) -> Option<&'static str> {
    match (check.status, check.java_stack) {
        (_, JavaStack::Rejects) => Some("iAdvize: rejects the token for this"),
        (Status::Fail, JavaStack::Accepts) => Some(
            "iAdvize: its library lets this through today, but this breaks iAdvize's documented \
             rules: fix it before they are enforced",
        ),
        _ => None,
    }
}

/// One line of `inspect --brief`: the answer (`answer`, in the summary's words), where the
/// token was found (the first of its places), its first cause (the first failing check, the
/// stand-in that accepts it, or what was not checked and the key that would check it), and the
/// wrappers it was found in, which iAdvize refuses.
pub(crate) fn brief_line(
    report: &Report,
    answer: &str,
    found: &Found,
    show_tokens: bool,
    names: &Names<'_>,
) -> String {
    let places: Vec<String> = found
        .places
        .iter()
        .map(|place| place_shown(place, show_tokens))
        .collect();
    let place_count = found.place_count;
    let verdict = &report.verdict;
    let place = match &places[..] {
        [] => "the whole input".to_string(),
        [one] => one.clone(),
        [first, ..] => format!("{first} (and {} more)", place_count.saturating_sub(1)),
    };
    let not_this_key = report.given_key_does_not_open();
    // Accepted by a stand-in: never by production, which cannot open the token.
    let standin = (verdict.answer() == Answer::Accepted && verdict.recipient.role == Role::Standin)
        .then(|| {
            let sha256 = verdict.recipient.sha256.as_deref().unwrap_or_default();
            format!(
                "by your stand-in (SHA-256 {}…); iAdvize's production service cannot open it",
                sha256.get(..8).unwrap_or(sha256)
            )
        });
    // Refused by production for its recipient key's size alone: no check fails.
    let other_size = (verdict.refused() && verdict.recipient.role == Role::Unknown)
        .then_some(report.jwe.as_ref())
        .flatten()
        .filter(|jwe| jwe.encrypted_key_bytes != 256)
        .map(|jwe| {
            format!(
                "encrypted to a {}-bit key: not iAdvize's 2048-bit production key",
                jwe.encrypted_key_bytes * 8
            )
        });
    // The inner signed token alone: right, and never accepted as it is.
    let signed_only = (verdict.subject == Subject::SignedToken
        && verdict.answer() == Answer::Accepted)
        .then(|| "the signed token is right; iAdvize needs it encrypted to its key".to_string());
    let cause = report
        .checks
        .iter()
        .find(|c| c.status == Status::Fail && !(not_this_key && c.id == CheckId::JweDecrypt))
        .map(|c| format!("{}: {}", c.id, c.message))
        .or(standin)
        .or(signed_only)
        .or(other_size)
        .or_else(|| {
            not_this_key.then(|| format!("{}: not encrypted to the key given", CheckId::JweDecrypt))
        })
        .or_else(|| {
            verdict
                .unchecked
                .first()
                .map(|u| format!("{} not checked: give {}", u.check, names.key(u.needs)))
        })
        .or_else(|| {
            report
                .checks
                .iter()
                .find(|c| c.status == Status::Warn)
                .map(|c| format!("{} (warning): {}", c.id, c.message))
        });
    let mut line = match cause {
        Some(cause) => format!("{answer:<12}  {place}  {cause}"),
        None => format!("{answer:<12}  {place}"),
    };
    // The first wrapping is enough to say that the text as found is refused.
    if let Some(wrapped) = found.wrapped.first() {
        let at = match (&wrapped.first, place_count) {
            (Place::Whole, _) | (_, 1) => String::new(),
            (place, _) => format!(" at {}", place_shown(place, show_tokens)),
        };
        let more = match found.wrapped.len() {
            1 => String::new(),
            n => format!(" (and {} other wrappings)", n - 1),
        };
        line.push_str(&format!(
            "; as found{at}, {}{more}: iAdvize refuses it",
            wrapped.wrappers.described()
        ));
    }
    format!("{}\n", escape_untrusted(&line))
}

/// The human `inspect` report: the verdict first, then what to fix, what was not checked,
/// and the details (the token, its headers and claims, then every check).
pub(crate) fn render_report(report: &Report, context: &ReportContext<'_>) -> String {
    let p = Palette::new(context.colour);
    let h = |text: &str| format!("{}{text}{}", p.heading.render(), p.heading.render_reset());
    let mut out = String::new();
    let verdict = &report.verdict;
    let style = match verdict.answer() {
        Answer::Rejected => p.fail,
        Answer::Accepted => p.pass,
        Answer::CannotTell => p.warn,
    };
    let columns = context.width;
    wrapped(
        &mut out,
        columns,
        &format!("{}Verdict:{} ", style.render(), style.render_reset()),
        9,
        &escape_untrusted(&verdict_sentence(report, context.names)),
    );
    match context.places {
        [] => {}
        [one] => wrapped(&mut out, columns, "Found:   ", 9, one),
        [first, ..] => {
            let more = context.place_count.saturating_sub(1);
            wrapped(
                &mut out,
                columns,
                "Found:   ",
                9,
                &format!(
                    "{first} (and {more} more {})",
                    if more == 1 { "place" } else { "places" }
                ),
            );
        }
    }
    out.push_str(context.wrappers);

    // A key that does not open the token is not the token's fault.
    let not_this_key = report.given_key_does_not_open();
    let to_fix: Vec<_> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .filter(|c| !(not_this_key && c.id == CheckId::JweDecrypt))
        .collect();
    if !to_fix.is_empty() {
        let _ = writeln!(out, "\n{}", h("What to fix"));
        for check in to_fix {
            check_lines(&mut out, columns, check, &p);
        }
    }
    if !verdict.unchecked.is_empty() {
        let _ = writeln!(out, "\n{}", h("Not checked"));
        for key in [NeededKey::Decryption, NeededKey::Verification] {
            let ids: Vec<CheckId> = verdict
                .unchecked
                .iter()
                .filter(|u| u.needs == key)
                .map(|u| u.check)
                .collect();
            if !ids.is_empty() {
                wrapped(
                    &mut out,
                    columns,
                    "  ",
                    4,
                    &format!("{}: give {}", id_list(&ids), context.names.key(key)),
                );
            }
        }
    }

    let _ = writeln!(out, "\n{}", h("Details"));
    // Prose is wrapped; data from the token (JSON, content) is shown as it is, escaped.
    let detail = |out: &mut String, label: &str, text: &str| {
        wrapped(out, columns, &format!("  {label:<17} "), 20, text);
    };
    let data = |out: &mut String, label: &str, text: &str| {
        let _ = writeln!(out, "  {label:<17} {text}");
    };
    let kind = match report.kind {
        Kind::Jwe => "JWE (encrypted, compact serialisation)",
        Kind::Jws => "JWS (signed, not encrypted)",
        Kind::Unknown => "not a well-formed JWE or JWS",
    };
    detail(&mut out, "Token", kind);
    if let Some(jwe) = &report.jwe {
        data(&mut out, "JWE header", &show_json(&jwe.header));
        detail(
            &mut out,
            "",
            &format!(
                "encrypted key {} bytes (a {}-bit recipient key), IV {} bytes, tag {} bytes, \
                 ciphertext {} bytes",
                jwe.encrypted_key_bytes,
                jwe.encrypted_key_bytes * 8,
                jwe.iv_bytes,
                jwe.tag_bytes,
                jwe.ciphertext_bytes
            ),
        );
    }
    if let Some(jws) = &report.jws {
        data(&mut out, "JWS header", &show_json(&jws.header));
    }
    if let Some(payload) = &report.decrypted_payload {
        data(
            &mut out,
            "Decrypted content",
            &shortened(payload, context.show_tokens),
        );
    }
    if let Some(Value::Object(claims)) = report.jws.as_ref().map(|j| &j.claims) {
        let _ = writeln!(out, "  Claims");
        let names: Vec<String> = claims
            .keys()
            .map(|k| escape_untrusted(k).into_owned())
            .collect();
        let width = names.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        for (name, value) in names.iter().zip(claims.values()) {
            let when = match (name.as_str(), value.as_f64()) {
                ("exp" | "iat" | "nbf", Some(seconds)) if seconds.abs() < 1e15 => {
                    let secs = seconds.trunc() as i64;
                    time::rfc3339(secs)
                        .map(|at| format!(" ({at}, {})", time::relative(secs, context.now)))
                        .unwrap_or_default()
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "    {name:width$}  {}{when}", show_json(value));
        }
    }
    if let Some(token) = report.jws.as_ref().and_then(|jws| jws.token.as_deref())
        && report.kind == Kind::Jwe
    {
        data(
            &mut out,
            "Inner JWS",
            &shortened(token, context.show_tokens),
        );
    }
    let _ = writeln!(out, "\n{}", h("Checks"));
    let mut checks = report.checks.iter().peekable();
    while let Some(check) = checks.next() {
        if check.status != Status::Skip {
            check_lines(&mut out, columns, check, &p);
            continue;
        }
        // Skipped checks for one reason: one line, naming what would run them.
        let mut ids = vec![check.id];
        while let Some(next) = checks.next_if(|c| {
            c.status == Status::Skip
                && c.needs == check.needs
                && (check.needs.is_some() || c.message == check.message)
        }) {
            ids.push(next.id);
        }
        let (style, mark) = p.status(Status::Skip);
        let reason = match check.needs {
            Some(key) => format!("give {}", context.names.key(key)),
            None => escape_untrusted(&check.message).into_owned(),
        };
        wrapped(
            &mut out,
            columns,
            &format!("  {}{mark}{}  ", style.render(), style.render_reset()),
            8,
            &format!("{}: {reason}", id_list(&ids)),
        );
    }
    out
}

/// A check's line, then its fix and what iAdvize does about it, each wrapped.
fn check_lines(
    out: &mut String,
    columns: usize,
    check: &iadvize_auth::inspect::Check,
    p: &Palette,
) {
    let width = ID_WIDTH;
    let (style, mark) = p.status(check.status);
    let first = format!(
        "  {}{mark}{}  {:width$} ",
        style.render(),
        style.render_reset(),
        check.id,
    );
    let indent = 9 + width;
    wrapped(
        out,
        columns,
        &first,
        indent,
        &escape_untrusted(&check.message),
    );
    if check.status == Status::Pass || check.status == Status::Skip {
        return;
    }
    let pad = " ".repeat(indent);
    if let Some(hint) = &check.hint {
        wrapped(
            out,
            columns,
            &format!("{pad}fix: "),
            indent + 5,
            &escape_untrusted(hint),
        );
    }
    if let Some(words) = iadvize_words(check) {
        wrapped(out, columns, &pad, indent, words);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_within_the_width() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), [""]);
        assert_eq!(wrap("toolongword x", 4), ["toolongword", "x"]);
    }

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
