//! The request log: one line per request on standard error (text or JSON), and the last
//! requests kept for `GET /requests`. Neither ever holds a token or a key: only the method,
//! the path (without its query), the status, the user id and the verdict.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use iadvize_auth::time;
use serde::Serialize;

use crate::cli::LogFormat;
use crate::output;

/// How many requests `GET /requests` shows, the newest last.
pub const KEPT: usize = 200;
/// A path longer than this is cut in the log.
const MAX_PATH_CHARS: usize = 200;

/// What a handler tells the log about its request, as a response extension.
#[derive(Debug, Clone, Default)]
pub struct Noted {
    pub user_id: Option<String>,
    pub verdict: Option<&'static str>,
    /// The library's warning about the user id (a placeholder …).
    pub warning: Option<String>,
}

/// One request, as `/requests` and `--log json` show it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub time: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub user_id: Option<String>,
    pub verdict: Option<&'static str>,
    pub milliseconds: u64,
}

#[derive(Debug)]
pub struct RequestLog {
    format: LogFormat,
    kept: Mutex<VecDeque<Entry>>,
}

impl RequestLog {
    pub fn new(format: LogFormat) -> Self {
        RequestLog {
            format,
            kept: Mutex::new(VecDeque::with_capacity(KEPT)),
        }
    }

    pub fn record(&self, method: &str, path: &str, status: u16, noted: Noted, took: Duration) {
        let now = time::now();
        let entry = Entry {
            time: time::rfc3339(now).unwrap_or_else(|| now.to_string()),
            method: method.to_string(),
            path: path.chars().take(MAX_PATH_CHARS).collect(),
            status,
            user_id: noted.user_id,
            verdict: noted.verdict,
            milliseconds: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        };
        self.print(&entry, noted.warning.as_deref());
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
    pub fn entries(&self) -> Vec<Entry> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.iter().cloned().collect()
    }

    fn print(&self, entry: &Entry, warning: Option<&str>) {
        let line = match self.format {
            LogFormat::Json => {
                let mut value = serde_json::to_value(entry).unwrap_or_default();
                if let (Some(warning), Some(map)) = (warning, value.as_object_mut()) {
                    map.insert("warning".into(), warning.into());
                }
                value.to_string()
            }
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
                if let Some(warning) = warning {
                    line.push_str(&format!(" (warning: {warning})"));
                }
                output::escape_untrusted(&line).into_owned()
            }
        };
        eprintln!("{line}");
    }
}
