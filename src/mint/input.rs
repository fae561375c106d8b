//! Reading a batch: one user id per line, a CSV file with a header, or JSON Lines, recognised by
//! content. Each reader gives [`Row`]s with the line they start on; a value that cannot be read
//! stops the batch with its line and column. The rows are then checked against iAdvize's rules
//! all at once ([`Plan::check_batch`](super::Plan::check_batch)), which names the column too.

use std::io::{self, BufRead, Read};

use serde_json::Value;

use super::error::BatchError;
use crate::claims::{ClaimError, VISITOR_FIELDS, VisitorData};
use crate::text::json_type;

/// One user to mint for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    pub id: String,
    /// This user's visitor data fields, set over the request's (compact: a batch keeps every
    /// row in memory).
    pub visitor_data: Option<VisitorData>,
    /// This user's token lifetime in seconds, instead of the request's.
    pub ttl: Option<u64>,
}

impl User {
    pub fn new(id: impl Into<String>) -> Self {
        User {
            id: id.into(),
            ..User::default()
        }
    }
}

/// Longest line of user ids: generous for 255 UTF-16 units of any script plus blanks.
const MAX_LINE_BYTES: usize = 4096;
/// Longest line of a CSV or JSON Lines file, visitor data included.
const MAX_ROW_BYTES: usize = 16 * 1024;
/// Most rows a batch holds: its rows are kept in memory, and at iAdvize's one-minute lifetime
/// the first tokens of a larger batch expire long before its last ones are minted.
pub const MAX_BATCH_ROWS: usize = 1_000_000;
/// Largest batch input, in bytes.
pub const MAX_BATCH_BYTES: u64 = 256 * 1024 * 1024;
/// The UTF-8 byte order mark that some editors put at the start of a text file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// The column or member that holds the user id.
const USER_ID: &str = "userId";
/// The column or member that holds a row's token lifetime.
const TTL: &str = "ttl";
/// The JSON Lines member that holds a row's visitor data.
const VISITOR_DATA: &str = "visitorData";

/// How a batch is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One user id per line.
    Lines,
    /// CSV with a header row naming `userId`, visitor data fields and optionally `ttl`.
    Csv,
    /// One JSON object per line: `{"userId": …, "visitorData": {…}, "ttl": …}`.
    JsonLines,
}

/// One user of a batch, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub user: User,
}

/// A batch as read: its rows, and where each value sits, to name it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub format: InputFormat,
    pub rows: Vec<Row>,
    /// The CSV header's names, in order (empty for the other formats).
    header: Vec<String>,
}

/// A value of a row, to say where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cell {
    UserId,
    Ttl,
}

impl Batch {
    /// Where `value` sits in a row: `column 2 (ttl)` in CSV, `ttl` in JSON Lines; `None` for
    /// lines of ids (the line says it all).
    pub(super) fn place(&self, value: &Cell) -> Option<String> {
        let name = match value {
            Cell::UserId => USER_ID,
            Cell::Ttl => TTL,
        };
        match self.format {
            InputFormat::Lines => None,
            InputFormat::Csv => self
                .header
                .iter()
                .position(|column| column == name)
                .map(|index| column(index, name)),
            InputFormat::JsonLines => Some(name.to_string()),
        }
    }
}

impl From<Vec<Row>> for Batch {
    /// Rows made by the caller, as if read from lines of ids.
    fn from(rows: Vec<Row>) -> Self {
        Batch {
            format: InputFormat::Lines,
            rows,
            header: Vec::new(),
        }
    }
}

/// `column 2 (email)`: the 0-based `index`, counted from 1 as spreadsheets do.
fn column(index: usize, name: &str) -> String {
    format!("column {} ({name})", index + 1)
}

/// Reads a batch written as `format`, or as its content shows when `None`: a first line that
/// starts with `{` is JSON Lines, one with a comma (or just `userId`) is a CSV header, anything
/// else is one user id per line.
/// At most [`MAX_BATCH_BYTES`] and [`MAX_BATCH_ROWS`] rows are read.
pub fn read_batch(input: impl BufRead, format: Option<InputFormat>) -> Result<Batch, BatchError> {
    // One byte past the limit shows that the input is over it.
    let mut input = input.take(MAX_BATCH_BYTES + 1);
    let batch = read_batch_format(&mut input, format);
    match input.limit() {
        0 => Err(BatchError::TooLarge {
            max: MAX_BATCH_BYTES,
        }),
        _ => batch,
    }
}

fn read_batch_format(
    mut input: impl BufRead,
    format: Option<InputFormat>,
) -> Result<Batch, BatchError> {
    // The first line decides; it is read once, then put back in front of the rest.
    let mut first = Vec::new();
    capped(&mut input, MAX_ROW_BYTES)
        .read_until(b'\n', &mut first)
        .map_err(|err| match is_too_long(&err) {
            true => BatchError::LineTooLong {
                line: 1,
                max: MAX_ROW_BYTES,
            },
            false => BatchError::Read(err),
        })?;
    let format = format.unwrap_or_else(|| detect(&first));
    let input = io::Cursor::new(first).chain(input);
    match format {
        InputFormat::Lines => read_lines(input).map(Batch::from),
        InputFormat::Csv => read_csv(input),
        InputFormat::JsonLines => read_json_lines(input),
    }
}

fn detect(first_line: &[u8]) -> InputFormat {
    let line = first_line.strip_prefix(UTF8_BOM).unwrap_or(first_line);
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    if text.starts_with('{') {
        InputFormat::JsonLines
    } else if text.contains(',') || text == USER_ID || text == format!("\"{USER_ID}\"") {
        InputFormat::Csv
    } else {
        InputFormat::Lines
    }
}

/// `input`, failing with [`io::ErrorKind::InvalidData`] once a line passes `max` bytes: a file
/// with no line breaks is not read whole into one row.
fn capped<R: BufRead>(input: R, max: usize) -> LineCap<R> {
    LineCap {
        input,
        max,
        since_newline: 0,
    }
}

struct LineCap<R> {
    input: R,
    max: usize,
    since_newline: usize,
}

impl<R: BufRead> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let (max, since) = (self.max, self.since_newline);
        let available = self.input.fill_buf()?;
        let to_newline = available.iter().position(|&b| b == b'\n');
        if since + to_newline.unwrap_or(available.len()) > max {
            return Err(io::Error::new(io::ErrorKind::InvalidData, TooLong));
        }
        Ok(available)
    }

    fn consume(&mut self, n: usize) {
        if let Ok(available) = self.input.fill_buf() {
            let taken = &available[..n.min(available.len())];
            self.since_newline = match taken.iter().rposition(|&b| b == b'\n') {
                Some(at) => n - at - 1,
                None => self.since_newline + n,
            };
        }
        self.input.consume(n);
    }
}

/// The error inside a [`LineCap`]'s I/O error.
#[derive(Debug, thiserror::Error)]
#[error("a line is too long")]
struct TooLong;

fn is_too_long(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|inner| inner.is::<TooLong>())
}

/// Lines of `input` without their newline, trailing CR and (on the first) byte order mark;
/// blank ones skipped. Calls `row` with each line's number and bytes.
fn for_each_line(
    input: impl BufRead,
    max: usize,
    mut row: impl FnMut(u64, &[u8]) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let mut input = capped(input, max);
    let mut buf = Vec::new();
    for line in 1.. {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .map_err(|err| match is_too_long(&err) {
                true => BatchError::LineTooLong { line, max },
                false => BatchError::Read(err),
            })?;
        if read == 0 {
            break;
        }
        let mut text = buf.strip_suffix(b"\n").unwrap_or(&buf);
        text = text.strip_suffix(b"\r").unwrap_or(text);
        if line == 1 {
            text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
        }
        if !text.iter().all(u8::is_ascii_whitespace) {
            row(line, text)?;
        }
    }
    Ok(())
}

/// Reads one user id per line. The newline, a trailing CR and a byte order mark at the start
/// are not part of an id; blank lines are skipped. Lines that are not UTF-8 stop the batch at
/// the first one, counting the others.
pub fn read_lines(input: impl BufRead) -> Result<Vec<Row>, BatchError> {
    let mut rows = Vec::new();
    let mut invalid: Option<u64> = None;
    let mut others = 0u64;
    for_each_line(input, MAX_LINE_BYTES, |line, text| {
        match std::str::from_utf8(text) {
            Ok(id) if id.trim().is_empty() => {}
            Ok(id) => {
                check_room(&rows, line)?;
                rows.push(Row {
                    line,
                    user: User::new(id),
                });
            }
            Err(_) if invalid.is_some() => others += 1,
            Err(_) => invalid = Some(line),
        }
        Ok(())
    })?;
    if let Some(line) = invalid {
        return Err(BatchError::Invalid {
            line,
            at: None,
            problem: "not valid UTF-8 text".into(),
            others,
        });
    }
    Ok(rows)
}

/// Reads CSV: a header row naming `userId`, any of the visitor data fields and optionally
/// `ttl` (seconds, or 90s, 5m, 1h), then one user per row. Cells may be quoted (with `""` for a
/// quote, and line breaks inside); empty cells are left out (an empty `userId` is then refused
/// when the rows are checked); blank rows are skipped.
pub fn read_csv(input: impl BufRead) -> Result<Batch, BatchError> {
    let mut header: Option<(Vec<String>, Vec<Column>)> = None;
    let mut rows = Vec::new();
    for_each_record(input, |line, cells| {
        let Some((names, kinds)) = &header else {
            let names: Vec<String> = cells.into_iter().map(|c| c.trim().to_string()).collect();
            let kinds = header_kinds(&names)?;
            header = Some((names, kinds));
            return Ok(());
        };
        if cells.len() != names.len() {
            let problem = format!(
                "{} where the header has {}",
                cells_count(cells.len()),
                names.len()
            );
            return Err(invalid(line, None, problem));
        }
        let mut user = User::default();
        let mut visitor = Vec::new();
        for (index, ((cell, kind), name)) in cells.iter().zip(kinds).zip(names).enumerate() {
            match kind {
                Column::UserId => user.id.clone_from(cell),
                _ if cell.is_empty() => {}
                Column::Ttl => {
                    let ttl = crate::time::parse_duration(cell)
                        .map_err(|err| invalid(line, Some(column(index, name)), err.to_string()))?;
                    user.ttl = Some(ttl);
                }
                Column::Visitor => visitor.push((name.as_str(), cell.as_str())),
            }
        }
        if !visitor.is_empty() {
            // The header's names are known fields, each once: only a value can be refused.
            let data = VisitorData::from_fields(visitor).map_err(|err| {
                let at = match &err {
                    ClaimError::VisitorValueTooLong { field, .. } => names
                        .iter()
                        .position(|name| name == field)
                        .map(|index| column(index, field)),
                    _ => None,
                };
                invalid(line, at, err.to_string())
            })?;
            user.visitor_data = Some(data);
        }
        check_room(&rows, line)?;
        rows.push(Row { line, user });
        Ok(())
    })?;
    let Some((header, _)) = header else {
        return Err(BatchError::Empty);
    };
    Ok(Batch {
        format: InputFormat::Csv,
        rows,
        header,
    })
}

/// Refuses the row of `line` when `rows` are already [`MAX_BATCH_ROWS`].
fn check_room(rows: &[Row], line: u64) -> Result<(), BatchError> {
    match rows.len() < MAX_BATCH_ROWS {
        true => Ok(()),
        false => Err(BatchError::TooManyRows {
            line,
            max: MAX_BATCH_ROWS,
        }),
    }
}

fn cells_count(n: usize) -> String {
    crate::text::plural(n, "cell")
}

/// The CSV records of `input`, each with the line it starts on: lines are joined while a
/// quoted cell is open (an odd number of quotes so far), then the csv crate's parser (csv-core)
/// reads the cells.
fn for_each_record(
    input: impl BufRead,
    mut record: impl FnMut(u64, Vec<String>) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let mut input = capped(input, MAX_ROW_BYTES);
    let mut reader = csv_core::Reader::new();
    let (mut text, mut buf) = (Vec::new(), Vec::new());
    let (mut start, mut quoted) = (0, false);
    for line in 1.. {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .map_err(|err| match is_too_long(&err) {
                true => BatchError::LineTooLong {
                    line,
                    max: MAX_ROW_BYTES,
                },
                false => BatchError::Read(err),
            })?;
        if read == 0 {
            break;
        }
        let mut bytes = &buf[..];
        if line == 1 {
            bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        }
        if text.is_empty() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            start = line;
        }
        if text.len() + bytes.len() > MAX_ROW_BYTES {
            return Err(BatchError::LineTooLong {
                line: start,
                max: MAX_ROW_BYTES,
            });
        }
        text.extend_from_slice(bytes);
        quoted ^= bytes.iter().filter(|&&b| b == b'"').count() % 2 == 1;
        if !quoted {
            record(start, cells(&mut reader, &text, start)?)?;
            text.clear();
        }
    }
    if !text.is_empty() {
        return Err(invalid(start, None, STRAY_QUOTE.into()));
    }
    Ok(())
}

/// A quote that opens a cell and never closes it, or one inside an unquoted cell.
const STRAY_QUOTE: &str = "a quote opens a cell that is never closed; a cell with a quote inside \
     is written quoted, its quotes doubled (\"O\"\"Brien\")";

/// The cells of one CSV record (its text, from line `line`), read by `reader` (the csv crate's
/// parser, reset for each record).
fn cells(reader: &mut csv_core::Reader, text: &[u8], line: u64) -> Result<Vec<String>, BatchError> {
    use csv_core::ReadRecordResult;
    reader.reset();
    // Unquoting never lengthens the text, and a record has at most one cell per comma, plus one.
    let mut out = vec![0u8; text.len()];
    let mut ends = vec![0usize; text.iter().filter(|&&b| b == b',').count() + 1];
    let (mut input, mut written, mut cells) = (text, 0, 0);
    loop {
        let (result, nin, nout, nend) =
            reader.read_record(input, &mut out[written..], &mut ends[cells..]);
        input = &input[nin..];
        written += nout;
        cells += nend;
        match result {
            ReadRecordResult::Record | ReadRecordResult::End => break,
            // Called again with the rest, or with nothing, which tells the parser the text ends.
            ReadRecordResult::InputEmpty => {}
            // Not with the buffers sized as above; refused rather than cut.
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {
                return Err(invalid(line, None, STRAY_QUOTE.into()));
            }
        }
    }
    // Lines were joined for a quote that opened no cell: they hold more than one record.
    if !input.iter().all(|b| matches!(b, b'\r' | b'\n')) {
        return Err(invalid(line, None, STRAY_QUOTE.into()));
    }
    let mut start = 0;
    ends[..cells]
        .iter()
        .enumerate()
        .map(|(index, &end)| {
            let cell = std::str::from_utf8(&out[start..end]).map_err(|_| {
                let at = Some(format!("column {}", index + 1));
                invalid(line, at, "not valid UTF-8 text".into())
            });
            start = end;
            cell.map(str::to_string)
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    UserId,
    Ttl,
    Visitor,
}

/// What each header column holds; no `userId`, or an unknown or repeated name, is an error.
fn header_kinds(header: &[String]) -> Result<Vec<Column>, BatchError> {
    let meant_user_id = header
        .iter()
        .any(|name| spelled_like(name) == Some(USER_ID));
    if !header.iter().any(|name| name == USER_ID) && !meant_user_id {
        let problem = format!(
            "the CSV header has no {USER_ID} column (it has {}): name the user id column \
             {USER_ID}, or give --input-format lines if this is one id per line",
            crate::text::quoted(&header.iter().map(String::as_str).collect::<Vec<_>>())
        );
        return Err(invalid(1, None, problem));
    }
    let known = || format!("{USER_ID}, {TTL}, {}", VISITOR_FIELDS.join(", "));
    let mut kinds = Vec::with_capacity(header.len());
    for (index, name) in header.iter().enumerate() {
        let kind = match name.as_str() {
            USER_ID => Column::UserId,
            TTL => Column::Ttl,
            field if VISITOR_FIELDS.contains(&field) => Column::Visitor,
            other => {
                let problem = match spelled_like(other) {
                    Some(meant) => format!("unknown column {other:?}: did you mean {meant}?"),
                    None => format!("unknown column {other:?}; the columns are {}", known()),
                };
                return Err(invalid(1, Some(column(index, other)), problem));
            }
        };
        if header[..index].contains(name) {
            let problem = format!("column {name:?} is in the header twice; give it once");
            return Err(invalid(1, Some(column(index, name)), problem));
        }
        kinds.push(kind);
    }
    Ok(kinds)
}

/// The known column a header name was probably meant to be: `user_id`, `UserID`, `Email`.
fn spelled_like(name: &str) -> Option<&'static str> {
    let squashed: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    [USER_ID, TTL]
        .into_iter()
        .chain(VISITOR_FIELDS.iter().copied())
        .find(|known| known.to_lowercase() == squashed)
}

fn invalid(line: u64, at: Option<String>, problem: String) -> BatchError {
    BatchError::Invalid {
        line,
        at,
        problem,
        others: 0,
    }
}

/// Reads JSON Lines: one object per line with `userId` (a string), and optionally
/// `visitorData` (an object of string fields) and `ttl` (seconds, as a number or as text such
/// as "5m"). Blank lines are skipped.
pub fn read_json_lines(input: impl BufRead) -> Result<Batch, BatchError> {
    let mut rows = Vec::new();
    for_each_line(input, MAX_ROW_BYTES, |line, text| {
        check_room(&rows, line)?;
        rows.push(Row {
            line,
            user: json_row(line, text)?,
        });
        Ok(())
    })?;
    Ok(Batch {
        format: InputFormat::JsonLines,
        rows,
        header: Vec::new(),
    })
}

fn json_row(line: u64, text: &[u8]) -> Result<User, BatchError> {
    let (value, duplicates) = crate::json::parse(text).map_err(|err| {
        let message = err.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        invalid(
            line,
            Some(format!("column {}", err.column())),
            format!("not valid JSON: {message}"),
        )
    })?;
    let member = |name: &str| Some(name.to_string());
    if let Some(name) = duplicates.first {
        return Err(invalid(
            line,
            member(&name),
            "given twice in the row; give it once".into(),
        ));
    }
    let Value::Object(members) = value else {
        let problem = format!(
            "a row must be a JSON object such as {{\"{USER_ID}\": \"c-1\"}}, not {}",
            json_type(&value)
        );
        return Err(invalid(line, None, problem));
    };
    let mut user = User::default();
    let mut has_id = false;
    for (name, value) in members {
        match (name.as_str(), value) {
            (USER_ID, Value::String(id)) => {
                user.id = id;
                has_id = true;
            }
            (USER_ID, other) => {
                let problem = format!(
                    "the user id must be a string, not {}: write \"{}\"",
                    json_type(&other),
                    other.to_string().trim_matches('"')
                );
                return Err(invalid(line, member(USER_ID), problem));
            }
            (VISITOR_DATA, Value::Object(fields)) => {
                let data = VisitorData::from_map(&fields).map_err(|err| {
                    let field = match &err {
                        ClaimError::UnknownVisitorField { field }
                        | ClaimError::VisitorFieldNotString { field, .. }
                        | ClaimError::VisitorValueTooLong { field, .. } => Some(field.as_str()),
                        _ => None,
                    };
                    let at = match field {
                        Some(field) => format!("{VISITOR_DATA}.{field}"),
                        None => VISITOR_DATA.to_string(),
                    };
                    invalid(line, Some(at), err.to_string())
                })?;
                user.visitor_data = Some(data);
            }
            (VISITOR_DATA, Value::Null) => {}
            (VISITOR_DATA, other) => {
                let problem = format!(
                    "visitor data must be an object of string fields, not {}",
                    json_type(&other)
                );
                return Err(invalid(line, member(VISITOR_DATA), problem));
            }
            (TTL, Value::Null) => {}
            (TTL, value) => {
                let ttl = match &value {
                    Value::Number(n) => n.as_u64().ok_or(()),
                    Value::String(text) => crate::time::parse_duration(text).map_err(|_| ()),
                    _ => Err(()),
                };
                let ttl = ttl.map_err(|()| {
                    let problem = format!(
                        "the lifetime is {value}: give whole seconds (60) or a duration (\"5m\")"
                    );
                    invalid(line, member(TTL), problem)
                })?;
                user.ttl = Some(ttl);
            }
            (other, _) => {
                let problem =
                    format!("unknown member; a row has {USER_ID}, {VISITOR_DATA} and {TTL}");
                return Err(invalid(line, member(other), problem));
            }
        }
    }
    if !has_id {
        let problem = format!("no {USER_ID}: each row needs the user's id");
        return Err(invalid(line, None, problem));
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(input: &[u8]) -> Vec<(u64, String)> {
        read_lines(input)
            .unwrap()
            .into_iter()
            .map(|row| (row.line, row.user.id))
            .collect()
    }

    #[test]
    fn lines_lose_their_newline_cr_and_bom_and_blank_ones_are_skipped() {
        assert_eq!(
            ids(b"\xEF\xBB\xBFa\r\n\n  \nb\n c \nd"),
            [
                (1, "a".to_string()),
                (4, "b".into()),
                (5, " c ".into()),
                (6, "d".into())
            ]
        );
        assert!(matches!(
            read_lines(&b"a\n\xff\n\xfe\n"[..]),
            Err(BatchError::Invalid {
                line: 2,
                others: 1,
                ..
            })
        ));
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        assert!(matches!(
            read_lines(&long[..]),
            Err(BatchError::LineTooLong { line: 1, .. })
        ));
        let mut fits = vec![b'x'; MAX_LINE_BYTES];
        fits.extend(b"\ny\n");
        assert_eq!(read_lines(&fits[..]).unwrap().len(), 2);
    }

    #[test]
    fn the_format_is_read_from_the_first_line() {
        assert_eq!(detect(b"{\"userId\":\"a\"}\n"), InputFormat::JsonLines);
        assert_eq!(detect(b"\xEF\xBB\xBFuserId,email\r\n"), InputFormat::Csv);
        assert_eq!(detect(b"userId\n"), InputFormat::Csv);
        assert_eq!(detect(b"customer-1\n"), InputFormat::Lines);
        assert_eq!(detect(b""), InputFormat::Lines);
    }

    #[test]
    fn csv_rows_carry_their_cells_and_line() {
        let csv = "\u{FEFF}userId,firstName,ttl,city\r\nc-1,Jane,5m,\r\n\r\n\"c,2\",\"Jo \"\"J\"\"\nDoe\",,Nantes\r\n";
        let batch = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(batch.rows.len(), 2);
        let (first, second) = (&batch.rows[0], &batch.rows[1]);
        assert_eq!((first.line, first.user.id.as_str()), (2, "c-1"));
        assert_eq!(first.user.ttl, Some(300));
        let data = first.user.visitor_data.as_ref().unwrap().to_map();
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"firstName":"Jane"}"#
        );
        assert_eq!((second.line, second.user.id.as_str()), (4, "c,2"));
        let data = second.user.visitor_data.as_ref().unwrap().to_map();
        assert_eq!(data["firstName"], "Jo \"J\"\nDoe");
        assert_eq!(data["city"], "Nantes");
        assert_eq!(second.user.ttl, None);
        assert_eq!(batch.place(&Cell::Ttl).as_deref(), Some("column 3 (ttl)"));
    }

    #[test]
    fn csv_needs_no_final_line_break_and_keeps_empty_cells_apart() {
        let batch = read_csv(&b"userId,city,email\nc-1,,j@x\n\"c-2\",Nantes,"[..]).unwrap();
        let users: Vec<(&str, Vec<(&str, &str)>)> = batch
            .rows
            .iter()
            .map(|row| {
                let data = row.user.visitor_data.iter().flat_map(VisitorData::iter);
                (row.user.id.as_str(), data.collect())
            })
            .collect();
        assert_eq!(
            users,
            [
                ("c-1", vec![("email", "j@x")]),
                ("c-2", vec![("city", "Nantes")])
            ]
        );
        assert!(matches!(
            read_csv(&b"userId,city\nc-1,\xff\n"[..]),
            Err(BatchError::Invalid { line: 2, .. })
        ));
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let error = |csv: &str| read_csv(csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            error("userId,nickname\nc-1,J\n"),
            "line 1, column 2 (nickname): unknown column \"nickname\"; the columns are userId, \
             ttl, firstName, lastName, address, city, zipCode, country, phoneNumber, email"
        );
        assert!(error("user_id,email\n").contains("did you mean userId?"));
        assert!(error("email\nj@x\n").contains("no userId column"));
        assert_eq!(
            error("userId,ttl\nc-1,60\nc-2,soon\n"),
            "line 3, column 2 (ttl): \"soon\" is not a duration: use seconds (60), or a number \
             with s, m, h or d (90s, 5m, 1h)"
        );
        assert_eq!(
            error("userId,email\nc-1\n"),
            "line 2: 1 cell where the header has 2"
        );
        assert!(error("userId,userId\n").contains("twice"));
        assert!(
            error("userId,lastName\nc-1,O\"Brien\nc-2,D\"Arc\n").starts_with("line 2: a quote")
        );
        assert!(error("userId,lastName\nc-1,\"Doe\nc-2,x\n").starts_with("line 2: a quote"));
    }

    #[test]
    fn json_lines_rows_and_errors() {
        let text = "{\"userId\":\"c-1\",\"visitorData\":{\"city\":\"Nantes\"},\"ttl\":90}\n\n{\"userId\":\"c-2\",\"ttl\":\"2m\"}\r\n";
        let batch = read_json_lines(text.as_bytes()).unwrap();
        assert_eq!(batch.rows.len(), 2);
        assert_eq!(batch.rows[0].user.ttl, Some(90));
        assert_eq!(
            batch.rows[0].user.visitor_data.as_ref().unwrap().to_map()["city"],
            "Nantes"
        );
        assert_eq!((batch.rows[1].line, batch.rows[1].user.ttl), (3, Some(120)));
        let error = |text: &str| read_json_lines(text.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            error("{\"userId\":\"a\"}\n{\"userId\": \"b\",}\n"),
            "line 2, column 16: not valid JSON: trailing comma"
        );
        assert!(error("{\"userId\":8812}").starts_with("line 1, userId: "));
        assert!(error("{\"userId\":\"a\",\"nick\":1}").starts_with("line 1, nick: unknown member"));
        assert!(error("{\"userId\":\"a\",\"userId\":\"b\"}").contains("twice"));
        assert!(error("{\"ttl\":60}").contains("no userId"));
        assert!(error("[1]").contains("JSON object"));
    }
}
