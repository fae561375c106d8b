//! Text helpers shared by minting, inspection and the terminal: invisible characters, lengths
//! as Java counts them, and the words messages use for JSON types and counts.

use serde_json::Value;

/// Characters that show nothing, or only change how the text around them is shown, so that an
/// id containing one looks like another id: format characters (Unicode Cf), line and paragraph
/// separators, and the blank fillers of Hangul. Control characters (Cc) are refused apart.
/// Variation selectors are not here: emoji need them, and they do not hide a character.
const INVISIBLE: &[(char, char, &str)] = &[
    ('\u{00AD}', '\u{00AD}', "soft hyphen"),
    ('\u{034F}', '\u{034F}', "combining grapheme joiner"),
    ('\u{061C}', '\u{061C}', "Arabic letter mark"),
    ('\u{115F}', '\u{1160}', "Hangul filler"),
    ('\u{17B4}', '\u{17B5}', "Khmer invisible vowel"),
    ('\u{180E}', '\u{180E}', "Mongolian vowel separator"),
    ('\u{200B}', '\u{200B}', "zero width space"),
    ('\u{200C}', '\u{200C}', "zero width non-joiner"),
    ('\u{200D}', '\u{200D}', "zero width joiner"),
    ('\u{200E}', '\u{200F}', "directional mark"),
    ('\u{2028}', '\u{2028}', "line separator"),
    ('\u{2029}', '\u{2029}', "paragraph separator"),
    (
        '\u{202A}',
        '\u{202E}',
        "bidirectional embedding or override",
    ),
    ('\u{2060}', '\u{2060}', "word joiner"),
    ('\u{2061}', '\u{2064}', "invisible mathematical operator"),
    ('\u{2066}', '\u{2069}', "bidirectional isolate"),
    ('\u{206A}', '\u{206F}', "deprecated format character"),
    ('\u{3164}', '\u{3164}', "Hangul filler"),
    (
        '\u{FEFF}',
        '\u{FEFF}',
        "zero width no-break space, or byte order mark",
    ),
    ('\u{FFA0}', '\u{FFA0}', "halfwidth Hangul filler"),
    ('\u{FFF9}', '\u{FFFB}', "interlinear annotation character"),
    ('\u{E0000}', '\u{E007F}', "tag character"),
];

/// The name of `c` when it is an invisible character that makes text look like other text: a
/// format character such as U+200B or U+FEFF, a line or paragraph separator, a bidirectional
/// control, a Hangul filler, a tag character; `None` for visible characters and for control
/// characters (Unicode Cc), which the user id rules refuse apart.
pub fn invisible_character(c: char) -> Option<&'static str> {
    if c < '\u{AD}' {
        return None;
    }
    INVISIBLE
        .iter()
        .find(|(first, last, _)| (*first..=*last).contains(&c))
        .map(|(_, _, name)| *name)
}

/// Length as Java counts it (UTF-16 code units): iAdvize's backend is written in Java, so a
/// character outside the Basic Multilingual Plane counts twice.
pub(crate) fn java_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Describes a JSON value's type for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `1 part`, `2 parts`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Names from a token, each quoted and escaped (`"a", "b\n"`): never raw text.
pub(crate) fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` with each longest run of the characters `in_run` accepts replaced by what `replace`
/// makes of it (`None`: the run is kept as it is).
pub fn replace_runs(
    text: &str,
    in_run: impl Fn(char) -> bool,
    replace: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(&in_run) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c| !in_run(c))
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + len];
        match replace(run) {
            Some(replaced) => out.push_str(&replaced),
            None => out.push_str(run),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}
