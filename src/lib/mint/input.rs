//! Reading a batch: one user id per line, a delimited file with a header row (CSV with commas or
//! semicolons, TSV, as spreadsheets export them), or JSON Lines, recognised by content. Each reader gives [`Row`]s with the line they start on; a value that cannot be read
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
    pub(crate) id: String,
    /// This user's visitor data fields, set over the request's (compact: a batch keeps every
    /// row in memory).
    pub(crate) visitor_data: Option<VisitorData>,
    /// This user's token lifetime in seconds, instead of the request's.
    pub(crate) ttl: Option<u64>,
}

impl User {
    /// A user by id alone: the request's visitor data and lifetime.
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
const MAX_BATCH_ROWS: usize = 1_000_000;
/// Largest batch input, in bytes.
const MAX_BATCH_BYTES: u64 = 256 * 1024 * 1024;
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
    /// Cells separated by `Delimiter`, with a header row naming `userId`, visitor data fields
    /// and optionally `ttl`.
    Csv(Delimiter),
    /// One JSON object per line: `{"userId": …, "visitorData": {…}, "ttl": …}`.
    JsonLines,
}

/// What separates the cells of a delimited file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`: CSV as most tools write it.
    Comma,
    /// `;`: CSV as a spreadsheet saves it where the comma is the decimal separator (a French
    /// or German Excel).
    Semicolon,
    /// A tab: TSV, as spreadsheets and databases export it.
    Tab,
}

impl Delimiter {
    const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// `commas`, `semicolons`, `tabs`: what a message says separates the cells.
    fn plural(self) -> &'static str {
        match self {
            Delimiter::Comma => "commas",
            Delimiter::Semicolon => "semicolons",
            Delimiter::Tab => "tabs",
        }
    }

    /// The `--input-format` value that reads a file with this delimiter.
    fn input_format(self) -> &'static str {
        match self {
            Delimiter::Comma => "csv",
            Delimiter::Semicolon => "csv-semicolon",
            Delimiter::Tab => "tsv",
        }
    }
}

/// One user of a batch, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line it starts on, from 1.
    pub line: u64,
    /// The user it names.
    pub user: User,
}

/// A batch as read: its rows, and where each value sits, to name it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    format: InputFormat,
    /// The users, in order.
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
            InputFormat::Csv(_) => self
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
/// starts with `{` is JSON Lines; one that names a column (`userId`, a visitor data field,
/// `ttl`), its cells separated by commas, semicolons or tabs, is a header row, and so is one
/// with such a separator that names none (then refused for its missing `userId`); anything
/// else is one user id per line. A UTF-8 byte order mark and CRLF line ends are read as
/// spreadsheets write them. At most 256 MiB and a million rows are read.
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
    if first.starts_with(UTF16_LE_BOM) || first.starts_with(UTF16_BE_BOM) {
        return Err(invalid(1, None, UTF16.into()));
    }
    let format = match format {
        Some(format) => format,
        None => detect(&first)?,
    };
    let input = io::Cursor::new(first).chain(input);
    match format {
        InputFormat::Lines => read_lines(input).map(Batch::from),
        InputFormat::Csv(delimiter) => read_csv(input, delimiter),
        InputFormat::JsonLines => read_json_lines(input),
    }
}

/// The byte order marks of UTF-16, as Excel's "Unicode Text" starts its files.
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";
const UTF16: &str = "the file is UTF-16 text (as a spreadsheet's \"Unicode Text\" saves it); save \
     it as \"CSV UTF-8\", or convert it: iconv -f UTF-16 -t UTF-8 FILE > users.tsv";

/// The format a first line shows:
/// - JSON Lines when it starts with `{`;
/// - a header row when, split at commas, semicolons or tabs, it names a column (`userId`, a
///   visitor data field or `ttl`, also as spreadsheets spell them: `UserID`, `E-mail`); if it
///   names columns split at more than one of them, split at the one where every cell is a
///   column, and refused when that does not settle it;
/// - a header row still when it holds a comma or a tab (a tab is in no user id; `read_csv` then
///   says which column is missing) or, without naming a column, semicolons;
/// - otherwise one user id per line.
///
/// A header row is never read as a user id.
fn detect(first_line: &[u8]) -> Result<InputFormat, BatchError> {
    let line = first_line.strip_prefix(UTF8_BOM).unwrap_or(first_line);
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    if text.starts_with('{') {
        return Ok(InputFormat::JsonLines);
    }
    if let Some(delimiter) = header_delimiter(text)? {
        return Ok(InputFormat::Csv(delimiter));
    }
    let has = |delimiter: Delimiter| text.as_bytes().contains(&delimiter.byte());
    Ok(match Delimiter::ALL.into_iter().find(|d| has(*d)) {
        Some(delimiter) => InputFormat::Csv(delimiter),
        None => InputFormat::Lines,
    })
}

/// The delimiter of `line` when it is a header row (it names a column), `None` when it names
/// none; an error when it names columns split at several delimiters and none is clearly meant.
fn header_delimiter(line: &str) -> Result<Option<Delimiter>, BatchError> {
    let cells = |delimiter: Delimiter| -> Vec<&str> {
        line.split(char::from(delimiter.byte()))
            .map(|cell| cell.trim().trim_matches('"').trim())
            .collect()
    };
    let naming: Vec<Delimiter> = Delimiter::ALL
        .into_iter()
        .filter(|d| cells(*d).iter().any(|cell| names_column(cell)))
        .collect();
    let split: Vec<Delimiter> = naming
        .iter()
        .copied()
        .filter(|d| line.as_bytes().contains(&d.byte()))
        .collect();
    match (&naming[..], &split[..]) {
        ([], _) => Ok(None),
        // One cell, no delimiter: a header of one column.
        (_, []) => Ok(Some(Delimiter::Comma)),
        (_, [one]) => Ok(Some(*one)),
        (_, several) => {
            let all_columns: Vec<Delimiter> = several
                .iter()
                .copied()
                .filter(|d| cells(*d).iter().all(|cell| names_column(cell)))
                .collect();
            match all_columns[..] {
                [one] => Ok(Some(one)),
                _ => Err(BatchError::Undecided {
                    line: 1,
                    problem: format!(
                        "the header row names columns whether its cells are separated by {}; \
                         say which",
                        several
                            .iter()
                            .map(|d| d.plural())
                            .collect::<Vec<_>>()
                            .join(" or "),
                    ),
                    formats: several
                        .iter()
                        .map(|d| (d.input_format(), d.plural()))
                        .collect(),
                }),
            }
        }
    }
}

/// Whether a header cell names a column: `userId`, `ttl` or a visitor data field, as written or
/// as spreadsheets spell them.
fn names_column(cell: &str) -> bool {
    spelled_like(cell).is_some()
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
fn read_lines(input: impl BufRead) -> Result<Vec<Row>, BatchError> {
    let mut rows = Vec::new();
    let mut invalid: Option<u64> = None;
    let mut others = 0u64;
    for_each_line(input, MAX_LINE_BYTES, |line, text| {
        match std::str::from_utf8(text) {
            Ok(id) if id.trim().is_empty() => {}
            Ok(id) => {
                if rows.is_empty() && invalid.is_none() {
                    refuse_header(line, id)?;
                }
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

/// The first line of a file of ids, `id`, refused when it is a header row: a header is never
/// minted as a user.
fn refuse_header(line: u64, id: &str) -> Result<(), BatchError> {
    match header_delimiter(id.trim()) {
        Ok(None) => Ok(()),
        Ok(Some(delimiter)) => Err(BatchError::Undecided {
            line,
            problem: header_row(id),
            formats: vec![(delimiter.input_format(), "")],
        }),
        Err(_) => Err(BatchError::Undecided {
            line,
            problem: header_row(id),
            formats: [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab]
                .iter()
                .map(|d| (d.input_format(), d.plural()))
                .collect(),
        }),
    }
}

/// Reads a delimited file: a header row naming `userId`, any of the visitor data fields and
/// optionally `ttl` (seconds, or 90s, 5m, 1h30m), then one user per row, the cells separated by
/// `delimiter`. Cells may be quoted (with `""` for a quote, and line breaks inside); empty cells
/// are left out (an empty `userId` is then refused when the rows are checked); blank rows are
/// skipped.
fn read_csv(input: impl BufRead, delimiter: Delimiter) -> Result<Batch, BatchError> {
    let mut header: Option<(Vec<String>, Vec<Column>)> = None;
    let mut rows = Vec::new();
    for_each_record(input, delimiter, |line, cells| {
        let Some((names, kinds)) = &header else {
            let names: Vec<String> = cells.into_iter().map(|c| c.trim().to_string()).collect();
            let kinds = header_kinds(&names, delimiter)?;
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
    if rows.is_empty() {
        return Err(BatchError::HeaderOnly);
    }
    Ok(Batch {
        format: InputFormat::Csv(delimiter),
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
    delimiter: Delimiter,
    mut record: impl FnMut(u64, Vec<String>) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let mut input = capped(input, MAX_ROW_BYTES);
    let mut reader = csv_core::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .build();
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
            record(start, cells(&mut reader, delimiter, &text, start)?)?;
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

/// The cells of one record (its text, from line `line`), read by `reader` (the csv crate's
/// parser, reset for each record).
fn cells(
    reader: &mut csv_core::Reader,
    delimiter: Delimiter,
    text: &[u8],
    line: u64,
) -> Result<Vec<String>, BatchError> {
    use csv_core::ReadRecordResult;
    reader.reset();
    // Unquoting never lengthens the text, and a record has at most one cell per delimiter, plus
    // one.
    let mut out = vec![0u8; text.len()];
    let separators = text.iter().filter(|&&b| b == delimiter.byte()).count();
    let mut ends = vec![0usize; separators + 1];
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
                invalid(line, at, NOT_UTF8_TABLE.into())
            });
            start = end;
            cell.map(str::to_string)
        })
        .collect()
}

/// Text that is not UTF-8 in a table, most often a spreadsheet's plain "CSV", which it saves in
/// the system's legacy code page.
const NOT_UTF8_TABLE: &str = "not valid UTF-8 text; a spreadsheet's plain \"CSV\" is saved in \
     its system's code page (Windows-1252 in Western Europe): save the file as \"CSV UTF-8\"";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    UserId,
    Ttl,
    Visitor,
}

/// Why a first line is refused as a user id: it is a table's header row.
fn header_row(id: &str) -> String {
    format!(
        "{} is a header row naming columns, not a user id (remove the line, or read the file as \
         the table it is)",
        crate::text::quoted(&[id])
    )
}

/// What each header column holds; no `userId`, or an unknown or repeated name, is an error.
fn header_kinds(header: &[String], delimiter: Delimiter) -> Result<Vec<Column>, BatchError> {
    let meant_user_id = header
        .iter()
        .any(|name| spelled_like(name) == Some(USER_ID));
    if !header.iter().any(|name| name == USER_ID) && !meant_user_id {
        let cells: Vec<&str> = header.iter().map(String::as_str).collect();
        // Another delimiter would have found the columns: the file says which it is.
        let whole = cells.join(&char::from(delimiter.byte()).to_string());
        let (settles, format) = match header_delimiter(&whole) {
            Ok(Some(other)) if other != delimiter && whole.contains(char::from(other.byte())) => (
                format!("its cells are separated by {}", other.plural()),
                other.input_format(),
            ),
            _ => (
                format!("name the user id column {USER_ID}, or for one id per line"),
                "lines",
            ),
        };
        return Err(BatchError::Undecided {
            line: 1,
            problem: format!(
                "the header row has no {USER_ID} column (it has {}, separated by {}): {settles}",
                crate::text::quoted(&cells),
                delimiter.plural()
            ),
            formats: vec![(format, "")],
        });
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
fn read_json_lines(input: impl BufRead) -> Result<Batch, BatchError> {
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
        use Delimiter::*;
        let detect = |line: &[u8]| detect(line).unwrap();
        assert_eq!(detect(b"{\"userId\":\"a\"}\n"), InputFormat::JsonLines);
        assert_eq!(
            detect(b"\xEF\xBB\xBFuserId,email\r\n"),
            InputFormat::Csv(Comma)
        );
        assert_eq!(detect(b"userId\n"), InputFormat::Csv(Comma));
        assert_eq!(detect(b"\"userId\"\n"), InputFormat::Csv(Comma));
        assert_eq!(detect(b"customer-1\n"), InputFormat::Lines);
        assert_eq!(detect(b""), InputFormat::Lines);
        // As spreadsheets export them: whatever the delimiter, a row naming columns is a header.
        let french = b"\xEF\xBB\xBFuserId;firstName;email\r\n";
        assert_eq!(detect(french), InputFormat::Csv(Semicolon));
        assert_eq!(detect(b"UserID\tE-mail\r\n"), InputFormat::Csv(Tab));
        assert_eq!(
            detect(b"\"email\";\"userId\"\n"),
            InputFormat::Csv(Semicolon)
        );
        // A comma inside a semicolon-separated header's cell: the split where every cell is a
        // column wins.
        assert_eq!(
            detect(b"userId;city;note, first\n"),
            InputFormat::Csv(Semicolon)
        );
        // Cells separated without a column named: still a table, whose header is then refused.
        assert_eq!(detect(b"c-1;Jane\n"), InputFormat::Csv(Semicolon));
        assert_eq!(detect(b"c-1\tJane\n"), InputFormat::Csv(Tab));
        assert_eq!(detect(b"c-1,Jane\n"), InputFormat::Csv(Comma));
    }

    #[test]
    fn a_header_that_names_columns_at_two_delimiters_is_refused_with_the_choices() {
        let err = super::detect(b"userId;email,city\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "line 1: the header row names columns whether its cells are separated by commas or \
             semicolons; say which: read it as csv (commas) or csv-semicolon (semicolons)"
        );
    }

    #[test]
    fn csv_rows_carry_their_cells_and_line() {
        let csv = "\u{FEFF}userId,firstName,ttl,city\r\nc-1,Jane,5m,\r\n\r\n\"c,2\",\"Jo \"\"J\"\"\nDoe\",,Nantes\r\n";
        let batch = read_csv(csv.as_bytes(), Delimiter::Comma).unwrap();
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
        let batch = read_csv(
            &b"userId,city,email\nc-1,,j@x\n\"c-2\",Nantes,"[..],
            Delimiter::Comma,
        )
        .unwrap();
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
            read_csv(&b"userId,city\nc-1,\xff\n"[..], Delimiter::Comma),
            Err(BatchError::Invalid { line: 2, .. })
        ));
    }

    #[test]
    fn csv_errors_name_line_and_column() {
        let error = |csv: &str| {
            read_csv(csv.as_bytes(), Delimiter::Comma)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("userId,nickname\nc-1,J\n"),
            "line 1, column 2 (nickname): unknown column \"nickname\"; the columns are userId, \
             ttl, firstName, lastName, address, city, zipCode, country, phoneNumber, email"
        );
        assert!(error("user_id,email\n").contains("did you mean userId?"));
        assert_eq!(
            error("email\nj@x\n"),
            "line 1: the header row has no userId column (it has \"email\", separated by \
             commas): name the user id column userId, or for one id per line: read it as lines"
        );
        assert_eq!(
            error("userId;email\nc-1;j@x\n"),
            "line 1: the header row has no userId column (it has \"userId;email\", separated \
             by commas): its cells are separated by semicolons: read it as csv-semicolon"
        );
        assert_eq!(
            error("userId,ttl\nc-1,60\nc-2,soon\n"),
            "line 3, column 2 (ttl): \"soon\" is not a duration: use seconds (60), or numbers \
             with units s, m, h, d (90s, 5m, 1h30m, 2d)"
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

    #[test]
    fn semicolons_and_tabs_are_read_as_commas_are() {
        let french = "\u{FEFF}userId;firstName;email;ttl\r\nc-1;Amélie;a@example.fr;5m\r\n\"c;2\";\"Jo; \"\"J\"\"\";;\r\n";
        let batch = read_batch(french.as_bytes(), None).unwrap();
        assert_eq!(batch.format, InputFormat::Csv(Delimiter::Semicolon));
        let users: Vec<(&str, String, Option<u64>)> = batch
            .rows
            .iter()
            .map(|row| {
                let data = row.user.visitor_data.as_ref().unwrap().to_map();
                (
                    row.user.id.as_str(),
                    serde_json::to_string(&data).unwrap(),
                    row.user.ttl,
                )
            })
            .collect();
        assert_eq!(
            users,
            [
                (
                    "c-1",
                    r#"{"firstName":"Amélie","email":"a@example.fr"}"#.to_string(),
                    Some(300)
                ),
                ("c;2", r#"{"firstName":"Jo; \"J\""}"#.to_string(), None),
            ]
        );
        let tsv = "userId\tcity\nc-1\tNantes\nc-2\t\n";
        let batch = read_batch(tsv.as_bytes(), None).unwrap();
        assert_eq!(batch.format, InputFormat::Csv(Delimiter::Tab));
        assert_eq!(batch.rows.len(), 2);
        assert_eq!(batch.rows[1].user.visitor_data, None);
        assert_eq!(
            batch.place(&Cell::UserId).as_deref(),
            Some("column 1 (userId)")
        );
    }

    #[test]
    fn a_header_row_is_never_a_user_id() {
        let error =
            |text: &str, format| read_batch(text.as_bytes(), format).unwrap_err().to_string();
        assert_eq!(
            error(
                "userId;firstName;email\r\nc-1;Jo;j@x\r\n",
                Some(InputFormat::Lines)
            ),
            "line 1: \"userId;firstName;email\" is a header row naming columns, not a user id \
             (remove the line, or read the file as the table it is): read it as csv-semicolon"
        );
        assert!(error("\n\u{FEFF}userId\nc-1\n", Some(InputFormat::Lines)).starts_with("line 2: "));
        assert!(
            error("UserID\nc-1\n", None)
                .contains("unknown column \"UserID\": did you mean userId?")
        );
        assert!(error("c-1;Jane\nc-2;Jo\n", None).contains("read it as lines"));
        // The same ids, said to be lines, are ids.
        let batch = read_batch(&b"c-1;Jane\nc-2;Jo\n"[..], Some(InputFormat::Lines)).unwrap();
        assert_eq!(batch.rows[0].user.id, "c-1;Jane");
    }

    #[test]
    fn utf16_and_legacy_code_pages_are_refused_with_the_fix() {
        let utf16: Vec<u8> = "\u{FEFF}userId\tcity\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let err = read_batch(&utf16[..], None).unwrap_err().to_string();
        assert!(err.starts_with("line 1: the file is UTF-16 text"), "{err}");
        assert!(err.contains("iconv -f UTF-16 -t UTF-8"), "{err}");
        // "Amélie" in Windows-1252.
        let err = read_batch(&b"userId;firstName\r\nc-1;Am\xe9lie\r\n"[..], None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 2, column 2: not valid UTF-8 text"),
            "{err}"
        );
        assert!(err.contains("save the file as \"CSV UTF-8\""), "{err}");
    }
}
