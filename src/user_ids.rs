//! Batches of user ids, one per line: every line is checked before anything is minted, then the
//! ids are read again in a stream, so that memory does not grow with the number of ids.
//!
//! The first pass ([`check`]) validates every line and writes, to an unnamed temporary file, a
//! 128-bit hash and the line number of each id. That is enough to find ids given on several
//! lines ([`Checked::repeated`]) and to make sure that the second pass ([`Checked::replay`])
//! reads exactly the ids that were checked. Standard input cannot be read twice: the caller
//! keeps a copy of it while it is checked (the `copy` argument of [`check`]).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};

use crate::claims::{self, UserIdWarning};

/// Longest line read: generous for 255 UTF-16 units of any script plus surrounding blanks.
pub const MAX_LINE_BYTES: usize = 4096;
/// The UTF-8 byte order mark that some editors put at the start of a text file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Distinct ids counted at once when looking for repeated ones: bounds the memory of that step
/// (a few MB) whatever the number of ids; larger batches take more passes over the hashes.
const IDS_PER_PASS: u64 = 1 << 16;
/// Line numbers listed for one repeated id.
const LINES_SHOWN: usize = 5;
/// One hashed id in the temporary file: hash (16 bytes) and line number (8), little-endian.
const RECORD_BYTES: usize = 24;
/// Buffer for reading the input and the hashes.
const BUFFER_BYTES: usize = 64 * 1024;

/// Why a batch cannot be minted.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(
        "line {line}: longer than {MAX_LINE_BYTES} bytes; is this a file of user ids, one per line?"
    )]
    LineTooLong { line: u64 },
    #[error("line {line}: {problem}{}", more_invalid(*.others))]
    Invalid {
        line: u64,
        problem: String,
        /// Invalid lines after this one.
        others: u64,
    },
    #[error("no user id found (the input is empty or blank)")]
    Empty,
    #[error("line {line}: the input changed after it was checked")]
    Changed { line: u64 },
    #[error("cannot read them: {0}")]
    Read(io::Error),
    #[error("cannot use a temporary file: {0}")]
    Temporary(io::Error),
}

fn more_invalid(others: u64) -> String {
    match others {
        0 => String::new(),
        1 => " (1 more invalid line)".into(),
        n => format!(" ({n} more invalid lines)"),
    }
}

/// What a kind of warning is about, to count the warnings that are not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    Placeholder,
    Whitespace,
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
            WarningKind::Repeated => format!("{n} repeated user id{s}"),
        }
    }
}

impl From<UserIdWarning> for WarningKind {
    fn from(warning: UserIdWarning) -> Self {
        match warning {
            UserIdWarning::Placeholder => WarningKind::Placeholder,
            UserIdWarning::Whitespace => WarningKind::Whitespace,
        }
    }
}

/// Warnings about the ids of a batch: the first few in full, the others counted by kind.
#[derive(Debug, Clone, Default)]
pub struct Warnings {
    limit: usize,
    shown: Vec<String>,
    hidden: Vec<(WarningKind, u64)>,
}

impl Warnings {
    /// Keeps at most `limit` warnings in full.
    pub fn new(limit: usize) -> Self {
        Warnings {
            limit,
            ..Warnings::default()
        }
    }

    fn push(&mut self, kind: WarningKind, message: impl FnOnce() -> String) {
        if self.shown.len() < self.limit {
            self.shown.push(message());
        } else {
            self.hide(kind, 1);
        }
    }

    fn hide(&mut self, kind: WarningKind, n: u64) {
        if n == 0 {
            return;
        }
        match self.hidden.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, count)) => *count += n,
            None => self.hidden.push((kind, n)),
        }
    }

    /// The warnings kept in full, in input order.
    pub fn shown(&self) -> &[String] {
        &self.shown
    }

    /// One line counting the warnings not kept, by kind; `None` when there are none.
    pub fn summary(&self) -> Option<String> {
        let total: u64 = self.hidden.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return None;
        }
        let kinds: Vec<String> = self.hidden.iter().map(|(k, n)| k.count(*n)).collect();
        Some(format!(
            "… and {total} more warning{}: {}",
            if total == 1 { "" } else { "s" },
            kinds.join(", ")
        ))
    }
}

/// One line of a batch, as read.
enum Line<'a> {
    Blank,
    Id(&'a str, Option<UserIdWarning>),
    Invalid(String),
}

/// Reads a batch line by line, each line at most [`MAX_LINE_BYTES`].
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader,
            buf: Vec::new(),
            number: 0,
        }
    }

    /// The next line's number and bytes as read, newline included.
    fn next(&mut self) -> Result<Option<(u64, &[u8])>, BatchError> {
        self.buf.clear();
        let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .map_err(BatchError::Read)?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        if self.buf.len() > MAX_LINE_BYTES && self.buf.last() != Some(&b'\n') {
            return Err(BatchError::LineTooLong { line: self.number });
        }
        Ok(Some((self.number, &self.buf)))
    }
}

/// What line `number` says: its newline, a trailing CR and (on line 1) a byte order mark are
/// not part of the id; a line of whitespace is blank.
fn classify(number: u64, raw: &[u8]) -> Line<'_> {
    let mut text = raw.strip_suffix(b"\n").unwrap_or(raw);
    text = text.strip_suffix(b"\r").unwrap_or(text);
    if number == 1 {
        text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
    }
    match std::str::from_utf8(text) {
        Err(_) => Line::Invalid("not valid UTF-8 text".into()),
        Ok(id) if id.trim().is_empty() => Line::Blank,
        Ok(id) => match claims::validate_user_id(id) {
            Ok(warning) => Line::Id(id, warning),
            Err(err) => Line::Invalid(err.to_string()),
        },
    }
}

/// A 128-bit hash of an id: the same in both passes of one process, and with no collision to
/// fear among any realistic number of ids.
fn fingerprint(id: &str) -> u128 {
    let half = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        salt.hash(&mut hasher);
        id.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// A batch whose every line was checked.
#[derive(Debug)]
pub struct Checked {
    ids: u64,
    /// A record per id, in input order.
    records: File,
    warnings: Warnings,
}

/// Checks every line of `input`, keeping at most `warnings_shown` warnings in full. When
/// `input` cannot be read again (standard input, a pipe), `copy` receives its bytes as they
/// are read, to be given to [`Checked::replay`] and [`Checked::repeated`] instead.
pub fn check(
    input: impl BufRead,
    mut copy: Option<&mut dyn Write>,
    warnings_shown: usize,
) -> Result<Checked, BatchError> {
    let records_file = tempfile::tempfile().map_err(BatchError::Temporary)?;
    let mut records = BufWriter::with_capacity(BUFFER_BYTES, &records_file);
    let mut lines = Lines::new(input);
    let mut warnings = Warnings::new(warnings_shown);
    let mut ids = 0u64;
    let mut invalid: Option<(u64, String)> = None;
    let mut others = 0u64;
    while let Some((number, raw)) = lines.next()? {
        if let Some(copy) = copy.as_mut() {
            copy.write_all(raw).map_err(BatchError::Temporary)?;
        }
        match classify(number, raw) {
            Line::Blank => {}
            Line::Invalid(problem) => match invalid {
                Some(_) => others += 1,
                None => invalid = Some((number, problem)),
            },
            Line::Id(id, warning) => {
                ids += 1;
                if let Some(warning) = warning {
                    warnings.push(warning.into(), || {
                        format!("line {number}: {}", warning.message(id))
                    });
                }
                if invalid.is_none() {
                    let mut record = [0u8; RECORD_BYTES];
                    record[..16].copy_from_slice(&fingerprint(id).to_le_bytes());
                    record[16..].copy_from_slice(&number.to_le_bytes());
                    records.write_all(&record).map_err(BatchError::Temporary)?;
                }
            }
        }
    }
    if let Some((line, problem)) = invalid {
        return Err(BatchError::Invalid {
            line,
            problem,
            others,
        });
    }
    if ids == 0 {
        return Err(BatchError::Empty);
    }
    records.flush().map_err(BatchError::Temporary)?;
    drop(records);
    Ok(Checked {
        ids,
        records: records_file,
        warnings,
    })
}

impl Checked {
    /// How many ids the batch has.
    pub fn ids(&self) -> u64 {
        self.ids
    }

    /// Warnings about single ids (placeholders, whitespace), line numbers first.
    pub fn warnings(&self) -> &Warnings {
        &self.warnings
    }

    /// Calls `each` with every record's hash and line number, in input order.
    fn for_each_record(&self, mut each: impl FnMut(u128, u64)) -> Result<(), BatchError> {
        let mut file = &self.records;
        file.rewind().map_err(BatchError::Temporary)?;
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, file);
        let mut record = [0u8; RECORD_BYTES];
        loop {
            match reader.read_exact(&mut record) {
                Ok(()) => {
                    let (hash, line) = split_record(&record);
                    each(hash, line);
                }
                Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(err) => return Err(BatchError::Temporary(err)),
            }
        }
    }

    /// Ids given on more than one line, as warnings: the `limit` whose first line comes first,
    /// each with its line numbers; the others counted. `source` is the checked input again (or
    /// its copy); it is read from its start. Memory stays bounded: the hashes are counted in
    /// as many passes as it takes to count at most 65,536 distinct ones at a time.
    pub fn repeated(
        &self,
        source: &mut (impl Read + Seek),
        limit: usize,
    ) -> Result<Warnings, BatchError> {
        let passes = self.ids.div_ceil(IDS_PER_PASS).max(1);
        // (first line, hash, occurrences) of the repeated ids that come first.
        let mut first: Vec<(u64, u128, u64)> = Vec::new();
        let mut repeated_ids = 0u64;
        for pass in 0..passes {
            let mut seen: HashMap<u128, (u64, u64)> = HashMap::new();
            self.for_each_record(|hash, line| {
                if ((hash >> 64) as u64) % passes == pass {
                    seen.entry(hash).or_insert((line, 0)).1 += 1;
                }
            })?;
            for (hash, (line, count)) in seen {
                if count > 1 {
                    repeated_ids += 1;
                    first.push((line, hash, count));
                    if first.len() > 2 * limit.max(1) {
                        first.sort_unstable();
                        first.truncate(limit);
                    }
                }
            }
        }
        first.sort_unstable();
        first.truncate(limit);
        let mut warnings = Warnings::new(limit);
        if first.is_empty() {
            return Ok(warnings);
        }

        let mut lines: HashMap<u128, Vec<u64>> = first
            .iter()
            .map(|(_, hash, _)| (*hash, Vec::new()))
            .collect();
        self.for_each_record(|hash, line| {
            if let Some(lines) = lines.get_mut(&hash)
                && lines.len() < LINES_SHOWN
            {
                lines.push(line);
            }
        })?;
        let texts = texts_of_lines(source, first.iter().map(|(line, _, _)| *line))?;
        for (line, hash, count) in &first {
            let id = texts.get(line).map(String::as_str).unwrap_or("?");
            let listed = lines.get(hash).map(Vec::as_slice).unwrap_or_default();
            warnings.push(WarningKind::Repeated, || {
                format!(
                    "user id {id:?} is on {}: its tokens all open as one iAdvize visitor, \
                     who can read the conversations of everyone given this id",
                    line_list(listed, *count)
                )
            });
        }
        warnings.hide(
            WarningKind::Repeated,
            repeated_ids - u64::try_from(first.len()).unwrap_or(0),
        );
        Ok(warnings)
    }

    /// Reads the checked ids again from `source` (the same input, or its copy), from its
    /// start, block by block.
    pub fn replay<R: Read + Seek>(self, mut source: R) -> Result<Replay<R>, BatchError> {
        source.rewind().map_err(BatchError::Read)?;
        let mut records = self.records;
        records.rewind().map_err(BatchError::Temporary)?;
        Ok(Replay {
            lines: Lines::new(BufReader::with_capacity(BUFFER_BYTES, source)),
            records: BufReader::with_capacity(BUFFER_BYTES, records),
            left: self.ids,
        })
    }
}

fn split_record(record: &[u8; RECORD_BYTES]) -> (u128, u64) {
    let mut hash = [0u8; 16];
    let mut line = [0u8; 8];
    hash.copy_from_slice(&record[..16]);
    line.copy_from_slice(&record[16..]);
    (u128::from_le_bytes(hash), u64::from_le_bytes(line))
}

/// The ids on these lines of `source`, read from its start.
fn texts_of_lines(
    source: &mut (impl Read + Seek),
    wanted: impl Iterator<Item = u64>,
) -> Result<HashMap<u64, String>, BatchError> {
    let mut wanted: Vec<u64> = wanted.collect();
    wanted.sort_unstable();
    let last = wanted.last().copied().unwrap_or(0);
    source.rewind().map_err(BatchError::Read)?;
    let mut lines = Lines::new(BufReader::with_capacity(BUFFER_BYTES, source));
    let mut texts = HashMap::new();
    while let Some((number, raw)) = lines.next()? {
        if wanted.binary_search(&number).is_ok()
            && let Line::Id(id, _) = classify(number, raw)
        {
            texts.insert(number, id.to_string());
        }
        if number >= last {
            break;
        }
    }
    Ok(texts)
}

/// "lines 3, 17 and 20", or "lines 3, 17, 20, 21, 22 and 95 more".
fn line_list(lines: &[u64], count: u64) -> String {
    let mut text = String::from("lines ");
    let more = count.saturating_sub(u64::try_from(lines.len()).unwrap_or(0));
    for (i, line) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        let separator = match (i, last && more == 0) {
            (0, _) => "",
            (_, true) => " and ",
            _ => ", ",
        };
        let _ = write!(text, "{separator}{line}");
    }
    if more > 0 {
        let _ = write!(text, " and {more} more");
    }
    text
}

/// The ids of a checked batch, read again in input order.
#[derive(Debug)]
pub struct Replay<R> {
    lines: Lines<BufReader<R>>,
    records: BufReader<File>,
    left: u64,
}

impl<R> std::fmt::Debug for Lines<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines")
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Replay<R> {
    /// The next ids, at most `max` of them, in input order; `None` after the last. Fails with
    /// [`BatchError::Changed`] when the input no longer holds the ids that were checked.
    pub fn next_block(&mut self, max: usize) -> Result<Option<Vec<String>>, BatchError> {
        let mut block = Vec::with_capacity(max);
        while block.len() < max {
            let Some((number, raw)) = self.lines.next()? else {
                break;
            };
            let changed = BatchError::Changed { line: number };
            let id = match classify(number, raw) {
                Line::Blank => continue,
                Line::Invalid(_) => return Err(changed),
                Line::Id(id, _) => id,
            };
            let mut record = [0u8; RECORD_BYTES];
            if self.left == 0 || self.records.read_exact(&mut record).is_err() {
                return Err(changed);
            }
            if split_record(&record) != (fingerprint(id), number) {
                return Err(changed);
            }
            self.left -= 1;
            block.push(id.to_string());
        }
        if block.is_empty() {
            if self.left > 0 {
                return Err(BatchError::Changed {
                    line: self.lines.number + 1,
                });
            }
            return Ok(None);
        }
        Ok(Some(block))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_of(input: &[u8]) -> Result<(Vec<String>, Checked), BatchError> {
        let checked = check(input, None, 10)?;
        let mut replay = check(input, None, 10)?.replay(io::Cursor::new(input.to_vec()))?;
        let mut ids = Vec::new();
        while let Some(block) = replay.next_block(2)? {
            assert!(block.len() <= 2);
            ids.extend(block);
        }
        Ok((ids, checked))
    }

    #[test]
    fn blank_lines_crs_and_a_leading_bom_are_not_ids_and_bad_lines_are_named() {
        let (ids, checked) = ids_of(b"\xEF\xBB\xBFa\r\n\n  \nb\nnull\n").unwrap();
        assert_eq!(ids, ["a", "b", "null"]);
        assert_eq!(checked.ids(), 3);
        assert_eq!(checked.warnings().shown().len(), 1);
        assert!(
            checked.warnings().shown()[0].starts_with("line 5:"),
            "{:?}",
            checked.warnings()
        );
        let long = format!("ok\n{}\nalso-bad\u{7}\n", "x".repeat(256));
        let err = ids_of(long.as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("line 2:") && err.ends_with("(1 more invalid line)"),
            "{err}"
        );
        let err = ids_of(b"\n \n").unwrap_err();
        assert!(matches!(err, BatchError::Empty), "{err}");
        let err = ids_of(b"ok\n\xff\xfe\n").unwrap_err().to_string();
        assert_eq!(err, "line 2: not valid UTF-8 text");
        // Only the first line may start with a byte order mark.
        let err = ids_of(b"a\n\xEF\xBB\xBFb\n").unwrap_err().to_string();
        assert!(
            err.starts_with("line 2:") && err.contains("U+FEFF"),
            "{err}"
        );
        let err = ids_of(format!("a\n{}\n", "y".repeat(5000)).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("line 2: longer than 4096 bytes"), "{err}");
    }

    #[test]
    fn the_copy_receives_the_input_as_read() {
        let input = b"\xEF\xBB\xBFa\r\n\nb";
        let mut copy = Vec::new();
        let checked = check(&input[..], Some(&mut copy), 10).unwrap();
        assert_eq!(copy, input);
        let mut replay = checked.replay(io::Cursor::new(copy)).unwrap();
        assert_eq!(replay.next_block(64).unwrap().unwrap(), ["a", "b"]);
        assert!(replay.next_block(64).unwrap().is_none());
    }

    #[test]
    fn a_changed_input_is_noticed_when_it_is_read_again() {
        for changed in [
            &b"a\nB\nc\n"[..],
            b"a\nb\n",
            b"a\nb\nc\nd\n",
            b"a\n\nb\nc\n",
        ] {
            let checked = check(&b"a\nb\nc\n"[..], None, 10).unwrap();
            let mut replay = checked.replay(io::Cursor::new(changed.to_vec())).unwrap();
            let mut result = Ok(None);
            for _ in 0..5 {
                result = replay.next_block(1);
                if !matches!(result, Ok(Some(_))) {
                    break;
                }
            }
            assert!(
                matches!(result, Err(BatchError::Changed { .. })),
                "{:?}: {result:?}",
                String::from_utf8_lossy(changed)
            );
        }
    }

    #[test]
    fn warnings_past_the_limit_are_counted_by_kind() {
        let mut input = String::new();
        for i in 0..12 {
            input.push_str(if i % 3 == 0 { " spaced\n" } else { "test\n" });
        }
        let checked = check(input.as_bytes(), None, 10).unwrap();
        let warnings = checked.warnings();
        assert_eq!(warnings.shown().len(), 10);
        // Lines 11 (test) and 12 (test) are not shown… and line 10 ( spaced) is.
        assert_eq!(
            warnings.summary().unwrap(),
            "… and 2 more warnings: 2 placeholder-looking user ids"
        );
        let input = "test\n".repeat(10) + " a\ntest\n b\n";
        let checked = check(input.as_bytes(), None, 10).unwrap();
        assert_eq!(
            checked.warnings().summary().unwrap(),
            "… and 3 more warnings: 2 user ids with leading or trailing whitespace, \
             1 placeholder-looking user id"
        );
        let checked = check(&b"a\nb\n"[..], None, 10).unwrap();
        assert_eq!(checked.warnings().summary(), None);
    }

    #[test]
    fn repeated_ids_are_found_with_their_lines() {
        let mut input = String::from("x\ndup\ny\n\ndup\nother\n");
        for _ in 0..8 {
            input.push_str("many\n");
        }
        input.push_str("other\n");
        let checked = check(input.as_bytes(), None, 10).unwrap();
        let mut source = io::Cursor::new(input.into_bytes());
        let warnings = checked.repeated(&mut source, 10).unwrap();
        assert_eq!(warnings.shown().len(), 3, "{warnings:?}");
        assert!(
            warnings.shown()[0].starts_with("user id \"dup\" is on lines 2 and 5:"),
            "{warnings:?}"
        );
        assert!(
            warnings.shown()[1].starts_with("user id \"other\" is on lines 6 and 15:"),
            "{warnings:?}"
        );
        assert!(
            warnings.shown()[2]
                .starts_with("user id \"many\" is on lines 7, 8, 9, 10, 11 and 3 more:"),
            "{warnings:?}"
        );
        assert_eq!(warnings.summary(), None);

        let input: String = (0..30).map(|i| format!("id-{}\n", i % 12)).collect();
        let checked = check(input.as_bytes(), None, 10).unwrap();
        let warnings = checked
            .repeated(&mut io::Cursor::new(input.into_bytes()), 10)
            .unwrap();
        assert_eq!(warnings.shown().len(), 10);
        assert!(warnings.shown()[0].starts_with("user id \"id-0\" is on lines 1, 13 and 25:"));
        assert_eq!(
            warnings.summary().unwrap(),
            "… and 2 more warnings: 2 repeated user ids"
        );

        let checked = check(&b"a\nb\n"[..], None, 10).unwrap();
        let warnings = checked
            .repeated(&mut io::Cursor::new(b"a\nb\n".to_vec()), 10)
            .unwrap();
        assert!(warnings.shown().is_empty() && warnings.summary().is_none());
    }

    #[test]
    fn repeated_ids_are_found_across_several_passes() {
        // More ids than one pass counts: the repeated ones still meet in the same pass.
        let n = IDS_PER_PASS * 2 + 10;
        let mut input: String = (0..n).map(|i| format!("customer-{i}\n")).collect();
        input.push_str("customer-7\ncustomer-100000\n");
        let checked = check(input.as_bytes(), None, 10).unwrap();
        let warnings = checked
            .repeated(&mut io::Cursor::new(input.into_bytes()), 10)
            .unwrap();
        assert_eq!(warnings.shown().len(), 2, "{warnings:?}");
        assert!(
            warnings.shown()[0].starts_with(&format!(
                "user id \"customer-7\" is on lines 8 and {}:",
                n + 1
            )),
            "{warnings:?}"
        );
    }

    #[test]
    fn line_lists_read_as_english() {
        assert_eq!(line_list(&[2, 5], 2), "lines 2 and 5");
        assert_eq!(line_list(&[2, 5, 9], 3), "lines 2, 5 and 9");
        assert_eq!(
            line_list(&[1, 2, 3, 4, 5], 7),
            "lines 1, 2, 3, 4, 5 and 2 more"
        );
    }
}
