//! The request log: one line per request on standard error (text or JSON), and the last
//! requests kept for `GET /requests`. Neither ever holds a token or a key: only the method,
//! the path (without its query, and without any long run of token characters), the status,
//! the user id, the verdict and its cause, each scrubbed the same way.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use iadvize_auth::time;
use serde::Serialize;

use crate::cli::LogFormat;
use crate::output;

/// How many requests `GET /requests` shows, the newest last.
pub(super) const KEPT: usize = 200;
/// A path is shown up to about this many characters.
const MAX_PATH_SHOWN: usize = 200;
/// A user id is shown up to this many characters, the most iAdvize accepts: a longer one is
/// refused, and the log says how long it was.
const MAX_USER_ID_SHOWN: usize = 255;
/// Runs of token characters (base64url, percent escapes …) longer than this are removed from
/// what the log keeps, as are those holding `eyJ` (the start of every JOSE part): each part of
/// a token is one or the other, and a user id as long as a UUID is neither.
const MAX_RUN: usize = 64;

/// What a handler tells the log about its request, as a response extension.
#[derive(Debug, Clone, Default)]
pub(super) struct Noted {
    pub user_id: Option<String>,
    pub verdict: Option<&'static str>,
    /// Why: a refusal's reason, the first failing check of a refused token, a notice about a
    /// minted token (a placeholder user id …).
    pub cause: Option<String>,
}

/// One request, as `/requests` and `--log json` show it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Entry {
    pub time: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub user_id: Option<String>,
    pub verdict: Option<&'static str>,
    pub cause: Option<String>,
    pub milliseconds: u64,
}

#[derive(Debug)]
pub(super) struct RequestLog {
    format: LogFormat,
    kept: Mutex<VecDeque<Entry>>,
}

impl RequestLog {
    pub(super) fn new(format: LogFormat) -> Self {
        RequestLog {
            format,
            kept: Mutex::new(VecDeque::with_capacity(KEPT)),
        }
    }

    pub(super) fn record(
        &self,
        method: &str,
        path: &str,
        status: u16,
        noted: Noted,
        took: Duration,
    ) {
        let now = time::now();
        let entry = Entry {
            time: time::rfc3339(now).unwrap_or_else(|| now.to_string()),
            method: method.to_string(),
            path: shown_path(path),
            status,
            user_id: noted.user_id.as_deref().map(|id| scrub(&cut(id))),
            verdict: noted.verdict,
            cause: noted.cause.as_deref().map(scrub),
            milliseconds: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        };
        self.print(&entry);
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(entry);
    }

    /// The kept requests, oldest first.
    pub(super) fn entries(&self) -> Vec<Entry> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.iter().cloned().collect()
    }

    fn print(&self, entry: &Entry) {
        let line = match self.format {
            LogFormat::Json => serde_json::to_string(entry).unwrap_or_default(),
            LogFormat::Text => {
                let mut line = format!(
                    "{} {} {} {} {} ms",
                    entry.time, entry.method, entry.path, entry.status, entry.milliseconds
                );
                if let Some(user_id) = &entry.user_id {
                    line.push_str(&format!(" user_id={user_id:?}"));
                }
                if let Some(verdict) = entry.verdict {
                    line.push_str(&format!(" {verdict}"));
                }
                if let Some(cause) = &entry.cause {
                    line.push_str(&format!(" ({cause})"));
                }
                output::escape_untrusted(&line).into_owned()
            }
        };
        eprintln!("{line}");
    }
}

/// `text` without any run of token characters longer than [`MAX_RUN`] or holding `eyJ`, each
/// replaced by `…(N characters)`: whatever part of a request carried a token, the log does not.
pub(super) fn scrub(text: &str) -> String {
    let is_token_char = |c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '%' | '+' | '=' | '~' | '.' | '/')
    };
    iadvize_auth::text::replace_runs(text, is_token_char, |run| {
        (run.len() > MAX_RUN || run.contains("eyJ")).then(|| format!("…({} characters)", run.len()))
    })
}

/// A user id as the log shows it: whole, or its first characters and its length.
fn cut(user_id: &str) -> String {
    let count = user_id.chars().count();
    if count <= MAX_USER_ID_SHOWN {
        return user_id.to_string();
    }
    let head: String = user_id.chars().take(MAX_USER_ID_SHOWN).collect();
    format!("{head}…({count} characters)")
}

/// A path as the log shows it: its segments while they are words (`/verify`, `/page.js`), then
/// the rest counted, not shown (`/verify/…(1234 characters)`): a token in the path stays out.
fn shown_path(path: &str) -> String {
    let is_word = |segment: &str| {
        segment.len() <= 32
            && segment
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'-')
    };
    let mut shown = String::new();
    let mut rest = path.strip_prefix('/').unwrap_or(path);
    while !rest.is_empty() {
        let (segment, after) = rest.split_once('/').unwrap_or((rest, ""));
        if !is_word(segment) || shown.len() > MAX_PATH_SHOWN {
            shown.push_str(&format!("/…({} characters)", rest.chars().count()));
            return shown;
        }
        shown.push('/');
        shown.push_str(segment);
        rest = after;
    }
    if shown.is_empty() || path.ends_with('/') {
        shown.push('/');
    }
    shown
}
