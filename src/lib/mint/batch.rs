//! A batch: every row checked before anything is minted, then minted in input order on
//! several threads. The rows come from [`read_batch`](super::read_batch).
//!
//! Rows are kept in memory (a user id and, for rows that have them, visitor data and a
//! lifetime): about 120 bytes a row, so a million rows, the most a batch holds
//! ([`MAX_BATCH_ROWS`](super::input::MAX_BATCH_ROWS)), take some 120 MB.

use std::io;
use std::sync::mpsc;

use super::error::{BatchError, MintError};
use super::input::{Batch, Cell, Row, User};
use crate::claims::UserIdWarning;

/// Users a thread mints before the writer turns to the next thread's.
const BLOCK: usize = 64;
/// Bytes of tokens a thread hands the writer at a time: a block goes in pieces of about this
/// size, so that a thread holds a few pieces whatever the size of its tokens.
const PIECE_BYTES: usize = 32 * 1024;
/// Pieces each thread may have waiting for the writer.
const QUEUED_PIECES: usize = 2;
/// Line numbers listed for one repeated id.
const LINES_SHOWN: usize = 5;

/// How a batch was spread over threads.
#[derive(Debug)]
pub struct Spread {
    /// Threads started to mint; 0 when the calling thread minted alone (one job asked for, or
    /// none could start).
    pub workers: usize,
    /// How many of the threads asked for the system did not start, and why.
    pub refused: Option<(usize, io::Error)>,
}

/// Lines of a block, in order, for the writer.
struct Piece<E> {
    lines: Vec<String>,
    /// `None` while the block goes on; then its end, or the error of the row after `lines`.
    end: Option<Result<(), E>>,
}

/// What a kind of warning is about, to count the warnings that are not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WarningKind {
    Placeholder,
    Whitespace,
    /// A spreadsheet's error value or rounded number where the id should be.
    Spreadsheet,
    /// The same id on several lines: its tokens all open as one visitor.
    Repeated,
}

impl WarningKind {
    fn count(self, n: u64) -> String {
        let s = if n == 1 { "" } else { "s" };
        match self {
            WarningKind::Placeholder => format!("{n} placeholder-looking user id{s}"),
            WarningKind::Whitespace => {
                format!("{n} user id{s} with leading or trailing whitespace")
            }
            WarningKind::Spreadsheet => format!(
                "{n} user id{s} a spreadsheet turned into an error value or a rounded number"
            ),
            WarningKind::Repeated => format!("{n} repeated user id{s}"),
        }
    }
}

/// Warnings of one sort: the first few in full, the others counted by kind.
struct Warnings {
    limit: usize,
    shown: Vec<String>,
    hidden: Vec<(WarningKind, u64)>,
}

impl Warnings {
    fn new(limit: usize) -> Self {
        Warnings {
            limit,
            shown: Vec::new(),
            hidden: Vec::new(),
        }
    }

    fn push(&mut self, kind: WarningKind, message: impl FnOnce() -> String) {
        if self.shown.len() < self.limit {
            self.shown.push(message());
            return;
        }
        match self.hidden.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, count)) => *count += 1,
            None => self.hidden.push((kind, 1)),
        }
    }

    /// The warnings in full, then one line counting the others by kind.
    fn into_lines(self) -> Vec<String> {
        let mut lines = self.shown;
        let total: u64 = self.hidden.iter().map(|(_, n)| n).sum();
        if total > 0 {
            let kinds: Vec<String> = self.hidden.iter().map(|(k, n)| k.count(*n)).collect();
            lines.push(format!(
                "… and {total} more warning{}: {}",
                if total == 1 { "" } else { "s" },
                kinds.join(", ")
            ));
        }
        lines
    }
}

/// [`Plan::check_batch`](super::Plan::check_batch), each user checked by `check_user`.
pub(super) fn check(
    batch: &Batch,
    limit: usize,
    check_user: impl Fn(&User) -> Result<Option<UserIdWarning>, MintError>,
) -> Result<Vec<String>, BatchError> {
    check_rows(&batch.rows, limit, check_user, |err| {
        cell_of(err).and_then(|cell| batch.place(&cell))
    })
}

fn check_rows(
    rows: &[Row],
    limit: usize,
    check_user: impl Fn(&User) -> Result<Option<UserIdWarning>, MintError>,
    place: impl Fn(&MintError) -> Option<String>,
) -> Result<Vec<String>, BatchError> {
    if rows.is_empty() {
        return Err(BatchError::Empty);
    }
    let mut singles = Warnings::new(limit);
    let mut invalid: Option<(u64, MintError)> = None;
    let mut others = 0;
    for row in rows {
        match check_user(&row.user) {
            Ok(None) => {}
            Ok(Some(warning)) => {
                let kind = match warning {
                    UserIdWarning::Placeholder => WarningKind::Placeholder,
                    UserIdWarning::Whitespace => WarningKind::Whitespace,
                    UserIdWarning::SpreadsheetError | UserIdWarning::SpreadsheetNumber => {
                        WarningKind::Spreadsheet
                    }
                };
                singles.push(kind, || {
                    format!("line {}: {}", row.line, warning.message(&row.user.id))
                });
            }
            Err(_) if invalid.is_some() => others += 1,
            Err(err) => invalid = Some((row.line, err)),
        }
    }
    if let Some((line, err)) = invalid {
        return Err(BatchError::Invalid {
            line,
            at: place(&err),
            problem: err.to_string(),
            others,
        });
    }
    let mut lines = singles.into_lines();
    lines.extend(repeated_ids(rows, limit).into_lines());
    Ok(lines)
}

/// [`Plan::mint_all`](super::Plan::mint_all), each row's line made by `line` (the user, the
/// issue time).
pub(super) fn mint_all<E>(
    rows: &[Row],
    jobs: Option<usize>,
    now: Option<i64>,
    line: impl Fn(&User, i64) -> Result<String, E> + Sync,
    mut write: impl FnMut(&str) -> Result<(), E>,
) -> Result<Spread, E>
where
    E: From<MintError> + Send,
{
    let blocks: Vec<&[Row]> = rows.chunks(BLOCK).collect();
    // One block is one thread's work: the cores are counted (a dozen system calls) only
    // when there is more.
    let jobs = match blocks.len() {
        0 | 1 => 1,
        n => jobs
            .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
            .unwrap_or(1)
            .clamp(1, n),
    };
    if jobs == 1 {
        mint_in_turn(&blocks, now, &line, &mut write)?;
        return Ok(Spread {
            workers: 0,
            refused: None,
        });
    }
    std::thread::scope(|scope| {
        let (mut inboxes, mut starts) = (Vec::with_capacity(jobs), Vec::with_capacity(jobs));
        let mut refused = None;
        for worker in 0..jobs {
            let (outbox, inbox) = mpsc::sync_channel(QUEUED_PIECES);
            let (start, started) = mpsc::sync_channel(1);
            let (blocks, line) = (&blocks, &line);
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                // How many workers share the blocks, known once all have been started.
                let Ok(workers) = started.recv() else {
                    return;
                };
                for block in blocks.iter().skip(worker).step_by(workers) {
                    if !send_block(block, now, line, &outbox) {
                        break;
                    }
                }
            });
            match spawned {
                Ok(_) => {
                    inboxes.push(inbox);
                    starts.push(start);
                }
                Err(err) => {
                    refused = Some((jobs - worker, err));
                    break;
                }
            }
        }
        let workers = inboxes.len();
        for start in starts {
            // A worker that is gone has nothing to be told.
            let _ = start.send(workers);
        }
        let spread = Spread { workers, refused };
        if workers == 0 {
            mint_in_turn(&blocks, now, &line, &mut write)?;
            return Ok(spread);
        }
        for index in 0..blocks.len() {
            loop {
                // Closed only if its worker died, which the scope reports when it ends.
                let Ok(piece) = inboxes[index % workers].recv() else {
                    return Ok(spread);
                };
                for line in &piece.lines {
                    write(line)?;
                }
                match piece.end {
                    None => {}
                    Some(Ok(())) => break,
                    Some(Err(err)) => return Err(err),
                }
            }
        }
        Ok(spread)
    })
}

/// Mints the blocks on this thread, in order.
fn mint_in_turn<E>(
    blocks: &[&[Row]],
    now: Option<i64>,
    line: &impl Fn(&User, i64) -> Result<String, E>,
    write: &mut impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    for block in blocks {
        let issued_at = now.unwrap_or_else(crate::time::now);
        for row in *block {
            write(&line(&row.user, issued_at)?)?;
        }
    }
    Ok(())
}

/// Mints a block and sends it to the writer in pieces; false once the writer has hung up
/// (an error, a closed pipe) or a row failed.
fn send_block<E>(
    block: &[Row],
    now: Option<i64>,
    line: &impl Fn(&User, i64) -> Result<String, E>,
    outbox: &mpsc::SyncSender<Piece<E>>,
) -> bool {
    let issued_at = now.unwrap_or_else(crate::time::now);
    let (mut lines, mut bytes) = (Vec::new(), 0);
    for row in block {
        match line(&row.user, issued_at) {
            Ok(line) => {
                bytes += line.len();
                lines.push(line);
            }
            Err(err) => {
                // The lines before the failed row are written, then the error.
                let _ = outbox.send(Piece {
                    lines,
                    end: Some(Err(err)),
                });
                return false;
            }
        }
        if bytes >= PIECE_BYTES {
            let piece = Piece {
                lines: std::mem::take(&mut lines),
                end: None,
            };
            if outbox.send(piece).is_err() {
                return false;
            }
            bytes = 0;
        }
    }
    let end = Piece {
        lines,
        end: Some(Ok(())),
    };
    outbox.send(end).is_ok()
}

/// The value of a row that `err` is about.
fn cell_of(err: &MintError) -> Option<Cell> {
    match err {
        MintError::UserId(_) | MintError::Fault(_) => Some(Cell::UserId),
        MintError::TtlZero | MintError::TtlTooLong => Some(Cell::Ttl),
        _ => None,
    }
}

/// Ids given on more than one row, as warnings: the first `limit` by first line, each with
/// its line numbers; the others counted.
fn repeated_ids(rows: &[Row], limit: usize) -> Warnings {
    let mut by_id: Vec<(&str, u64)> = rows.iter().map(|r| (r.user.id.as_str(), r.line)).collect();
    by_id.sort_unstable();
    // Sorted by id then line: each id's lines in order, in one group.
    let mut repeated: Vec<(&str, Vec<u64>)> = by_id
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|same| same.len() > 1)
        .map(|same| (same[0].0, same.iter().map(|(_, line)| *line).collect()))
        .collect();
    repeated.sort_unstable_by_key(|(_, lines)| lines[0]);
    let mut warnings = Warnings::new(limit);
    for (id, lines) in repeated {
        warnings.push(WarningKind::Repeated, || {
            format!(
                "user id {id:?} is on {}: its tokens all open as one iAdvize visitor, who can \
                 read the conversations of everyone given this id",
                line_list(&lines)
            )
        });
    }
    warnings
}

/// "lines 3, 17 and 20", or "lines 3, 17, 20, 21, 22 and 95 more": an id on two lines or more.
fn line_list(lines: &[u64]) -> String {
    let shown = &lines[..lines.len().min(LINES_SHOWN)];
    let mut words: Vec<String> = shown.iter().map(u64::to_string).collect();
    if lines.len() > shown.len() {
        words.push(format!("{} more", lines.len() - shown.len()));
    }
    let last = words.pop().unwrap_or_default();
    format!("lines {} and {last}", words.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::LoadedKey;
    use crate::mint::{Plan, Recipient, Request};

    #[test]
    fn a_row_that_fails_stops_the_batch_after_every_line_before_it() {
        let (plan, _) = Plan::new(Request {
            signing_key: LoadedKey::generate(2048).unwrap(),
            recipient: Recipient::SignOnly,
            ttl: 60,
            issuer: None,
            visitor_data: None,
            extra_claims: serde_json::Map::new(),
            faults: Vec::new(),
            stranger: None,
        })
        .unwrap();
        let rows: Vec<Row> = (0..700)
            .map(|i| Row {
                line: i + 1,
                user: User::new(format!("c-{i}")),
            })
            .collect();
        // Row 100 is in the middle of the second block of 64.
        for jobs in [1, 3] {
            let mut written = Vec::new();
            let result = plan.mint_all(
                &rows,
                Some(jobs),
                Some(1_700_000_000),
                |minted| match minted.user_id.as_str() {
                    "c-100" => Err(MintError::Random),
                    id => Ok(id.to_string()),
                },
                |line| {
                    written.push(line.to_string());
                    Ok(())
                },
            );
            assert!(matches!(result, Err(MintError::Random)), "{result:?}");
            let before: Vec<&str> = rows[..100].iter().map(|r| r.user.id.as_str()).collect();
            assert_eq!(written, before, "-j {jobs}");
        }
    }

    #[test]
    fn line_lists_read_as_english() {
        assert_eq!(line_list(&[3, 17]), "lines 3 and 17");
        assert_eq!(line_list(&[3, 17, 20]), "lines 3, 17 and 20");
        assert_eq!(
            line_list(&[1, 2, 3, 4, 5, 6, 7]),
            "lines 1, 2, 3, 4, 5 and 2 more"
        );
    }
}
