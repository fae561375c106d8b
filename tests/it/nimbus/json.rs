//! `gson::parse` against the real thing: every input is also given to Gson 2.10 with Nimbus's
//! settings (tests/java/NimbusJson.java, compiled with `javac` into target/java/), and both must
//! give the same verdict and, for accepted texts, the same map. Needs Java and Debian's
//! libgoogle-gson-java (/usr/share/java/gson.jar); fails, rather than skips, without them.

use std::sync::{Mutex, OnceLock};

use crate::common::java::JavaHarness;
use crate::common::library::proptest_config;
use base64::Engine;
use iadvize_auth::gson::{self, ErrorKind, MAX_DEPTH, NimbusJson};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::Value;

/// One running JVM, answering one line per input.
fn oracle() -> &'static Mutex<JavaHarness> {
    static ORACLE: OnceLock<Mutex<JavaHarness>> = OnceLock::new();
    ORACLE.get_or_init(|| Mutex::new(JavaHarness::start("NimbusJson", &[])))
}

/// Nimbus's verdict on `text`: "rejects" or "accepts <canonical form>".
fn nimbus(text: &str) -> String {
    let line = base64::engine::general_purpose::STANDARD.encode(text);
    oracle()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .ask(&line)
}

/// Our verdict on `text`, in the harness's canonical form.
fn ours(text: &str) -> String {
    match gson::parse(text) {
        Err(_) => "rejects".to_owned(),
        Ok(parsed) => {
            let mut out = "accepts ".to_owned();
            match parsed.json {
                NimbusJson::Null => out.push('n'),
                NimbusJson::Object(map) => canonical(&Value::Object(map), &mut out),
            }
            out
        }
    }
}

fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push('n'),
        Value::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Value::Number(n) if n.is_f64() => {
            let bits = n.as_f64().unwrap().to_bits();
            out.push_str(&format!("d{bits:016x}"));
        }
        Value::Number(n) => out.push_str(&format!("l{}", n.as_i64().unwrap())),
        Value::String(s) => {
            out.push('s');
            string(s, out);
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (name, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(name, out);
                out.push(':');
                canonical(item, out);
            }
            out.push('}');
        }
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for unit in s.encode_utf16() {
        match unit {
            0x22 | 0x5C => {
                out.push('\\');
                out.push(char::from(unit as u8));
            }
            0x20..=0x7E => out.push(char::from(unit as u8)),
            _ => out.push_str(&format!("\\u{unit:04x}")),
        }
    }
    out.push('"');
}

/// Checks `text` against Nimbus and checks what `parse` says about leniency against a strict
/// parser; returns a description of any disagreement.
fn disagreement(text: &str) -> Option<String> {
    let (theirs, mine) = (nimbus(text), ours(text));
    if theirs != mine {
        return Some(format!(
            "{text:?}\n  Nimbus: {theirs}\n  ours:   {mine}\n  ({:?})",
            gson::parse(text)
        ));
    }
    let Ok(parsed) = gson::parse(text) else {
        return None;
    };
    let strict = serde_json::from_str::<Value>(text);
    match (&parsed.json, &parsed.leniency, &strict) {
        // serde_json reads it as an object: nothing lenient was used.
        (_, Some(leniency), Ok(Value::Object(_))) => {
            Some(format!("{text:?}: strict JSON, but parse says {leniency}"))
        }
        // parse found nothing lenient in an object: serde_json reads it too, unless a number
        // is beyond f64 or the nesting beyond 128 levels (serde_json's limits).
        (NimbusJson::Object(_), None, Err(e))
            if !e.to_string().contains("out of range")
                && !e.to_string().contains("recursion limit") =>
        {
            Some(format!(
                "{text:?}: parse found nothing lenient, serde_json says {e}"
            ))
        }
        _ => None,
    }
}

fn assert_all_agree(texts: &[&str]) {
    let failures: Vec<String> = texts.iter().filter_map(|t| disagreement(t)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} inputs:\n{}",
        failures.len(),
        texts.len(),
        failures.join("\n")
    );
}

/// Hand-picked inputs: every behaviour in src/gson.rs's documentation and the edges around it.
const CORPUS: &[&str] = &[
    // plain JSON
    r#"{}"#,
    r#"{"":1}"#,
    r#"{"a":1}"#,
    r#"  {"a":1}"#,
    "{\"a\":1}\t",
    "{\"a\":1} \r\n\t\n",
    r#"{"sub":"u1","exp":1700000000,"iat":1699999940,"nbf":1.5e9,"aud":["x","y"]}"#,
    r#"{"a":{"b":{}},"c":[[],[{}]],"d":[true,false,null]}"#,
    r#"{"a":"\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00"}"#,
    r#"{"a":"é€😀"}"#,
    // numbers
    r#"{"a":0,"b":-0,"c":-0.0,"d":0.0,"e":1.0,"f":1E3,"g":1e-3,"h":1E+3,"i":-12.5e-1}"#,
    r#"{"a":9223372036854775807,"b":9223372036854775808,"c":-9223372036854775808,"d":-9223372036854775809}"#,
    r#"{"exp":1e400}"#,
    r#"{"exp":-1e400,"tiny":1e-400,"sub":4.9e-324}"#,
    r#"{"exp":99999999999999999999999}"#,
    r#"{"a":922337203685477580800}"#,
    r#"{"a":-922337203685477580800}"#,
    r#"{"a":92233720368547758080}"#,
    r#"{"a":9223372036854775808.5e0}"#,
    r#"{"a":0.1,"b":0.30000000000000004,"c":2.2250738585072011e-308,"d":1.7976931348623157e308}"#,
    r#"{"a":1.7976931348623159e308}"#,
    // unquoted values
    r#"{"a":NaN}"#,
    r#"{"a":Infinity,"b":-Infinity}"#,
    r#"{"a":01}"#,
    r#"{"a":-01}"#,
    r#"{"a":00}"#,
    r#"{"a":0x10}"#,
    r#"{"a":.5}"#,
    r#"{"a":1.}"#,
    r#"{"a":+1}"#,
    r#"{"a":1e}"#,
    r#"{"a":1e+}"#,
    r#"{"a":-}"#,
    r#"{"a":1-2}"#,
    r#"{"a":1.2.3}"#,
    r#"{"a":x"y}"#,
    r#"{"a":hello world}"#,
    r#"{"a":trues}"#,
    r#"{"a":nul}"#,
    r#"{"a":truth,"b":falsey,"c":nullsoft}"#,
    r#"{"a":é}"#,
    r#"{"a":true"}"#,
    // keywords in any case
    r#"{"a":tRuE}"#,
    r#"{"a":TRUE,"b":FALSE,"c":NULL}"#,
    r#"{"a":True;"b":nULl}"#,
    r#"{"a":true/*c*/}"#,
    r#"{"a":true#c
}"#,
    // names
    r#"{'a':'b'}"#,
    r#"{a:1}"#,
    r#"{a"b:1}"#,
    r#"{true:1,null:2,1:3,-0:4}"#,
    r#"{'a':"b",'c':'d"e'}"#,
    r#"{"a"=1}"#,
    r#"{"a"=>1}"#,
    r#"{"a"= >1}"#,
    r#"{"a"=>>1}"#,
    r#"{"a":1;"b":2}"#,
    r#"{"a":1,"b":2;c:3}"#,
    // comments
    r#"{/*c*/"a":1}"#,
    "{//c\n\"a\":1}",
    "{#c\n\"a\":1}",
    "{#c\r\"a\":1}",
    "//c\n{\"a\":1}",
    "/**/{}",
    "{/**/}",
    "{\"a\":/***/1}",
    "{\"a\":1/*/}",
    "{\"a\":1/*",
    "/*/{}",
    "{\"a\":/x}",
    "{/x:1}",
    "{\"a\":1} // comment",
    "{\"a\":1} # comment",
    "{\"a\":1}/**/",
    "{\"a\":1}/",
    "{\"a\":\"b\"#comment",
    // strings
    r#"{"a":"\'"}"#,
    r#"{"a":"\/"}"#,
    "{\"a\":\"tab\tinside\"}",
    "{\"a\":\"line\nbreak\"}",
    "{\"a\":\"line\\\nnext\"}",
    "{\"a\":\"nul\u{0}\"}",
    r#"{"a":"\ud800"}"#,
    r#"{"a":"\udc00"}"#,
    r#"{"a":"\ud800\ud800"}"#,
    r#"{"a":"\udc00\ud83d"}"#,
    r#"{"a":"\ud83dx"}"#,
    r#"{"\ud800":1}"#,
    r#"{"a":"\u00e9\u00E9"}"#,
    r#"{"a":"\x"}"#,
    r#"{"a":"\u00g9"}"#,
    r#"{"a":"\u00e"}"#,
    r#"{"a":"\u"#,
    r#"{"a":"\"#,
    r#"{"a":"abc"#,
    r#"{"a":'it''s'}"#,
    r#"{"a":'it\'s'}"#,
    r#"{"a":"\U00e9"}"#,
    // arrays
    r#"{"a":[1,2,]}"#,
    r#"{"a":[,]}"#,
    r#"{"a":[;1]}"#,
    r#"{"a":[,,]}"#,
    r#"{"a":[1;2]}"#,
    r#"{"a":[1,,2]}"#,
    r#"{"a":[]}"#,
    r#"{"a":[1 2]}"#,
    r#"{"a":[1}"#,
    r#"{"a":[1,2]]}"#,
    // duplicates
    r#"{"a":1,"a":2}"#,
    r#"{'a':"b",'a':1}"#,
    r#"{a:1,"a":2}"#,
    r#"{"a":null,"a":1}"#,
    r#"{"a":null,"a":null}"#,
    r#"{"a":1,"a":null}"#,
    r#"{"a":[],"b":2,"a":3}"#,
    r#"{"v":{"c":1,"c":2}}"#,
    r#"{"v":{"c":1,"d":2,"c":3}}"#,
    r#"{"v":[{"c":null,"c":1}]}"#,
    // the top level as an array of pairs
    r#"[]"#,
    r#"[["a",1],["b",2]]"#,
    r#"[["a",1];["b",2]]"#,
    r#"[["a",1],["a",2]]"#,
    r#"[["a",null],["a",2]]"#,
    r#"[[1,2]]"#,
    r#"[[-0,1]]"#,
    r#"[[1.50,1],[1e3,2],[01,3]]"#,
    r#"[[true,2]]"#,
    r#"[[true,1],[TRUE,2]]"#,
    r#"[[null,2]]"#,
    r#"[[,2]]"#,
    r#"[[a,1]]"#,
    r#"[['a',{"b":[1]}]]"#,
    r#"[["a",]]"#,
    r#"[["a"]]"#,
    r#"[["a",1,]]"#,
    r#"[["a",1,2]]"#,
    r#"[["a",1],]"#,
    r#"[,]"#,
    r#"[[]]"#,
    r#"[[{},1]]"#,
    r#"[[[1],1]]"#,
    r#"[1,2]"#,
    r#"[["a",1]"#,
    // what follows the top-level value
    r#"{"a":1}x"#,
    r#"{"a":1} {"b":2}"#,
    r#"{"a":1}}"#,
    r#"{"a":1}]"#,
    "{\"a\":1}\u{C}",
    "{\"a\":1}\u{FEFF}",
    // null, empty and prefixed documents
    "null",
    "NULL",
    "null x",
    "null}",
    "null]]]",
    "nullx",
    "nul",
    "/**/",
    "#x",
    "//x",
    "/* unterminated",
    "\u{FEFF}",
    "\u{FEFF}{\"a\":1}",
    "\u{FEFF}\u{FEFF}{}",
    " \u{FEFF}{}",
    ")]}'\n{\"a\":1}",
    ")]}'\n",
    " )]}'\n{}",
    "/**/)]}'\n{}",
    ")]}'\r\n{}",
    ")]}'{}",
    ")]}'\n)]}'\n{}",
    "",
    " ",
    "\t\r\n",
    "\u{B}",
    "\u{C}{\"a\":1}",
    "\u{0}",
    "\u{A0}",
    // not objects
    r#""str""#,
    "'str'",
    "1",
    "true",
    "str",
    "}",
    ",",
    "]",
    // malformed objects
    r#"{"a":1,}"#,
    r#"{,}"#,
    r#"{"a":1,,"b":2}"#,
    r#"{"a" 1}"#,
    r#"{"a":}"#,
    r#"{"a"}"#,
    r#"{a b:1}"#,
    r#"{"a":x y}"#,
    r#"{"a":x/y}"#,
    r#"{"a":x#y}"#,
    r#"{"a":x\y}"#,
    r#"{"a":1]"#,
    r#"{"a":,}"#,
    r#"{"a":]}"#,
    r#"{"a":;}"#,
    r#"{"a"::1}"#,
    r#"{"a":1"#,
    r#"{"a":"#,
    r#"{"a""#,
    r#"{"#,
    r#"{:1}"#,
    r#"{=1}"#,
    r#"{"a"=}"#,
];

#[test]
fn hand_picked_inputs_agree_with_nimbus() {
    assert!(CORPUS.len() >= 80);
    assert_all_agree(CORPUS);
}

#[test]
fn long_tokens_and_texts_agree_with_nimbus() {
    // Gson reads a number token of 1024 characters or more as a string.
    let texts: Vec<String> = [1022, 1023, 1024, 1025]
        .iter()
        .flat_map(|&n| {
            let digits = "1".repeat(n);
            [
                format!("{{\"a\":{digits}}}"),
                format!("{{\"a\":-{}}}", &digits[1..]),
                format!("{{\"a\":{}.5}}", &digits[2..]),
                format!("{{\"a\":1e{}}}", "0".repeat(n - 2)),
                format!("{{\"a\":[{digits}]}}"),
                format!("[[{digits},1]]"),
            ]
        })
        .collect();
    let mut all: Vec<&str> = texts.iter().map(String::as_str).collect();
    // Texts longer than Gson's buffer, with tokens across its edge.
    let long: Vec<String> = (1010..1030)
        .flat_map(|pad| {
            let spaces = " ".repeat(pad);
            [
                format!("{{\"a\":{spaces}12345,\"b\":-0.5e3}}"),
                format!("{{\"a\":{spaces}tRuE,\"b\":nullx}}"),
                format!("\u{FEFF}{{{spaces}\"a\":\"\\ud83d\\ude00\"}}"),
                format!("{{/*{spaces}*/\"a\":1}}"),
                format!("{{\"a\":[1,2]}}{spaces}"),
            ]
        })
        .chain([
            format!("{{\"a\":\"{}\\u00e9\"}}", "x".repeat(5000)),
            format!("{{\"a\":{}}}", "x".repeat(5000)),
            format!("{{{}:1}}", "k".repeat(3000)),
            format!("{{#{}\n\"a\":1}}", "c".repeat(3000)),
            format!("\u{FEFF}{{\"a\":\"{}\"}}", "\u{FEFF}".repeat(2000)),
        ])
        .collect();
    all.extend(long.iter().map(String::as_str));
    assert_all_agree(&all);
}

#[test]
fn nesting_agrees_with_nimbus_up_to_our_limit_and_only_we_refuse_beyond() {
    // `levels` objects and arrays, one in another.
    let nested = |levels: usize| {
        format!(
            "{}[]{}",
            "{\"a\":".repeat(levels - 1),
            "}".repeat(levels - 1)
        )
    };
    // In the pairs form, the outer array and the pair are two levels.
    let in_pair = |levels: usize| format!("[[\"a\",{}]]", nested(levels - 2));
    assert_all_agree(&[&nested(MAX_DEPTH), &in_pair(MAX_DEPTH)]);
    // The documented difference: Gson reads any depth.
    for beyond in [nested(MAX_DEPTH + 1), in_pair(MAX_DEPTH + 1)] {
        assert!(nimbus(&beyond).starts_with("accepts "));
        assert_eq!(gson::parse(&beyond).unwrap_err().kind, ErrorKind::TooDeep);
    }
}

/// Texts that mutations start from: plain JSON and Gson's lenient forms.
const SEEDS: &[&str] = &[
    r#"{"a":1}"#,
    r#"{"sub":"u1","exp":1700000000,"iat":1.5e9,"aud":["x","y"],"n":null,"t":true}"#,
    r#"{"alg":"RS256","kid":"k-1","typ":"JWT"}"#,
    r#"{"a":{"b":[1,-0.5,{"c":false}]},"d":"\u00e9\n"}"#,
    r#"{'a':'b',c:d;"e"=>NaN}"#,
    "{/*x*/\"a\":[1,,2;3],#y\n\"b\":TRUE}",
    r#"[["a",1],[2,"b"],[true,[]]]"#,
    ")]}'\n{\"a\":01}",
    "null",
    r#"{"a":null,"a":"\ud83d\ude00"}"#,
    r#"{"a":"x\'y\/z","b":'q"r'}"#,
    r#"{"a":9223372036854775807,"b":1e400,"c":-0}"#,
];

const ALPHABET: &[char] = &[
    '{', '}', '[', ']', ':', ',', ';', '=', '>', '\'', '"', '\\', '/', '#', '*', ')', 'a', 'e',
    'E', 'f', 'l', 'n', 'N', 'r', 's', 't', 'T', 'u', 'U', 'x', '0', '1', '9', '-', '+', '.', ' ',
    '\n', '\r', '\t', '\u{C}', '\u{0}', 'é', '\u{FEFF}', '😀',
];

/// Multi-character pieces that mutations insert: tokens, comments, escapes, separators.
const SNIPPETS: &[&str] = &[
    "/**/",
    "//c\n",
    "#c\r",
    "/*",
    "*/",
    "=>",
    ")]}'\n",
    "null",
    "NULL",
    "tRuE",
    "false",
    "NaN",
    "'x'",
    "\"y\"",
    "\\u00e9",
    "\\ud800",
    "\\udc00",
    "\\'",
    "\\\n",
    "1e400",
    "-0",
    "0.5",
    "01",
    "9223372036854775808",
    "922337203685477580800",
    "[]",
    "{}",
    "[,]",
    ",,",
    "\"a\":",
    "[\"k\",1]",
    ":null",
    "\u{FEFF}",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, String),
    Delete(Index),
    Replace(Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let piece = prop_oneof![
        3 => select(ALPHABET).prop_map(String::from),
        1 => select(SNIPPETS).prop_map(String::from),
    ];
    prop_oneof![
        (any::<Index>(), piece).prop_map(|(i, s)| Edit::Insert(i, s)),
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), select(ALPHABET)).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for edit in edits {
        match edit {
            Edit::Insert(i, piece) => {
                let at = i.index(chars.len() + 1);
                chars.splice(at..at, piece.chars());
            }
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i.index(chars.len()));
            }
            Edit::Replace(i, c) if !chars.is_empty() => {
                let at = i.index(chars.len());
                chars[at] = *c;
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(proptest_config(4000))]

    #[test]
    fn mutated_json_agrees_with_nimbus(
        seed in select(SEEDS),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let text = apply(seed, &edits);
        if let Some(failure) = disagreement(&text) {
            prop_assert!(false, "{}", failure);
        }
    }
}

proptest! {
    #![proptest_config(proptest_config(1000))]

    #[test]
    fn json_punctuation_soup_agrees_with_nimbus(
        text in prop::collection::vec(select(ALPHABET), 0..24)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
    ) {
        if let Some(failure) = disagreement(&text) {
            prop_assert!(false, "{}", failure);
        }
    }
}
