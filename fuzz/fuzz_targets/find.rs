//! Token finding in text, structure-aware: logs, JSON documents and HAR files built from a
//! description (read with `arbitrary`) that puts real tokens, wrapped or not, among noise, or
//! raw bytes when the first byte is not 0x01. The finder must not panic, must keep its bounds,
//! and must find every token it was given where a reader would.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine as _;
use iadvize_auth::inspect::{
    self, MAX_PLACES, MAX_TOKEN_BYTES, MAX_TOKENS, Names, Options, TokenSpans,
};
use iadvize_auth::verdict::CheckId;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Real tokens: a JWE (encrypted to tests/fixtures' stand-in key, signed by the brand key)
/// and a JWS.
const TOKENS: [&str; 2] = [
    "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwiY3R5IjoiSldUIn0.c55jaPilI3bRzy-3RFma6zPwY2wj2lJmlWDOiPQ8ZPci7PosTMWgaUZeowT0HVD3d6Q6HMr2Dm7rAnwGM16--VqQBGb_7NFGrNCNtUXPOGEGxlAg3--Utkh4xXdUpxXI24uTdhkkmFXlqye8CXjLn09IT-oTiTP8jhYspUQGQ-dGUWNnRnuC1H2Pi0dVnag6rROCZk1ssltxYljDUeORjgM6Cml0WJW9yjTck9nXx4P_bzs3hVF7dsF6Asiqh_BQo6bkQ3lFfF-owQhELiNuFcHE83DdHYUzhrWPPw_Jk7uTwa1T2NkzfExs8VfT6wB1E27xPc_mRi5BgvTbzNuQ5Q.Ha8wtn-WKVWmekix.Ln4A5SMJEAXwXfB020RC0F47vTN1DTuyCIERg3rGEABbbSs-gKbGAn32fNWPpbJTASxmEjRf7bqFYYQiXuRz9oeTmFzgKP7AMLr_ln2cFY62WX6GpN88uaijDnf2QdphjWCG3XD-ps7Bihce45qRW70vwWXDw803Adwp9THaNbbOuu39OXNkUFBrsadTWxwnrJXaYPKA3AloPHuExdEwHwUHZevcgsGQL3cgjJxdjPCkCeW-fUtZqIzbpC8KAqRKiE4hkuFKIjMSOqeEmQvBAsOmo--JGHeQ2tPs0NcwE3TWWRYjtCod7RiBj5QbjQhYfi2qg1Tqn2jToJgW1WYU-a066rbPjzcEDV4Kq6fWBAxQuHEd7VizPIH6KgUAdTv9WyEx6X92wJbaROVOtVgW8q0XVkmKCyu6JnipuKq5fjjahZLv2kM_T6v70GO16mFhjKiGnsd3XoLVc0R_TVkmsljnE3Ygy6y0eFyG0niOr3grdug2lDbqXdBQ-zraLuKVQ8JcQVcL_hHZ7BHoxbcYrfH2h8abP1OlbY1ey15pwGYduAZ9cWpfcWgpaeVj2HuvSnH7e2_ZBhflAnc4xQbPonCpuIJTZeXIzm3XNLhV.wAPUFddyVEzETqRpXvwODg",
    "eyJhbGciOiJSUzI1NiJ9.eyJodHRwczovL2lhZHZpemUuY29tL3VzZXJJZCI6ImN1c3RvbWVyLTg4MTIiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDA2MCwiaXNzIjoiaHR0cHM6Ly9icmFuZC5leGFtcGxlIiwiaHR0cHM6Ly9pYWR2aXplLmNvbS92aXNpdG9yRGF0YSI6eyJmaXJzdE5hbWUiOiJKYW5lIiwiY2l0eSI6Ik5hbnRlcyJ9fQ.Ka0bYEY2onMUlWZks0F1ulInA0oPgBaZlILgCqPfgOKdD-9xauk1KFngragWfM12rWeYgzkhKSuWMm6UfOfRo1TuA5GFQDedSDyCtn46o-e_B8H8vtb2dWn1w_iY7cIrKmYEJXAOo-NhvjOS3pI8LaNTfTbjrr4C1yOMKlUwBgY968Svv7XExyq-TKdK_ZnpYzSUzzHbsko3NP1b65_vsgsPFZWUlxAxbfK8WWW8WO2x2ds-0aLzgZ_EXEU891OjBNadRhGEUNcvAeVtLFkKOMaXV5z4dr1Zc69HcyvbqcbUMMUolSTTHTduLd72b021UzOYYEAgZeagb8VfULuBow",
];

/// What may be written around a token.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Wrap {
    None,
    Quotes(u8),
    EscapedQuotes,
    Bearer(bool),
    PythonBytes(bool),
    PercentQuotes,
    PercentDots,
}

impl Wrap {
    fn around(self, token: &str) -> String {
        match self {
            Wrap::None => token.to_string(),
            Wrap::Quotes(which) => {
                let q = ['"', '\'', '`'][usize::from(which % 3)];
                format!("{q}{token}{q}")
            }
            Wrap::EscapedQuotes => format!("\\\"{token}\\\""),
            Wrap::Bearer(upper) => format!("{} {token}", if upper { "BEARER" } else { "Bearer" }),
            Wrap::PythonBytes(double) => {
                let q = if double { '"' } else { '\'' };
                format!("b{q}{token}{q}")
            }
            Wrap::PercentQuotes => format!("%22{token}%22"),
            Wrap::PercentDots => token.replace('.', "%2E"),
        }
    }
}

/// A token: a real one (which the finder must find), or a real one edited (which it may).
#[derive(Arbitrary, Debug)]
struct Tok {
    which: u8,
    wraps: Vec<Wrap>,
    edits: Vec<(u16, u8)>,
}

impl Tok {
    fn real(&self) -> &'static str {
        TOKENS[usize::from(self.which) % TOKENS.len()]
    }

    /// The text, and whether the real token is in it unedited.
    fn text(&self) -> (String, bool) {
        let mut token = self.real().to_string();
        for (at, byte) in self.edits.iter().take(4) {
            let at = usize::from(*at) % (token.len() + 1);
            if token.is_char_boundary(at) {
                token.insert(at, char::from(*byte));
            }
        }
        let mut text = token.clone();
        for wrap in self.wraps.iter().take(4) {
            text = wrap.around(&text);
        }
        (text, self.edits.is_empty())
    }
}

/// A line of a log: words, a token, words.
#[derive(Arbitrary, Debug)]
struct Line {
    before: String,
    token: Option<Tok>,
    after: String,
}

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Number(f64),
    Text(String),
    Token(Tok),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// A JSON document inside a string.
    Nested(Box<Json>),
}

impl Json {
    /// The JSON value, `depth` levels down, inside `nested` JSON strings.
    fn value(&self, tokens: &mut Vec<&'static str>, depth: usize, nested: usize) -> Value {
        if depth > 40 {
            return Value::Null;
        }
        match self {
            Json::Null => Value::Null,
            Json::Number(n) => json!(n),
            Json::Text(text) => json!(text),
            Json::Token(tok) => {
                let (text, clean) = tok.text();
                if clean {
                    tokens.push(tok.real());
                }
                json!(text)
            }
            Json::Array(items) => items
                .iter()
                .map(|item| item.value(tokens, depth + 1, nested))
                .collect(),
            Json::Object(members) => {
                // A name once: a later member of the same name would replace the first.
                let mut object = serde_json::Map::new();
                for (name, member) in members {
                    if !object.contains_key(name) {
                        object.insert(name.clone(), member.value(tokens, depth + 1, nested));
                    }
                }
                Value::Object(object)
            }
            // Each level escapes the one inside again: a few levels only.
            Json::Nested(inner) if nested < 5 => {
                json!(inner.value(tokens, depth + 1, nested + 1).to_string())
            }
            Json::Nested(_) => Value::Null,
        }
    }
}

/// A HAR entry: tokens in the fields where they travel.
#[derive(Arbitrary, Debug)]
struct Entry {
    method: String,
    url: Line,
    query: Vec<(String, Option<Tok>)>,
    headers: Vec<(String, Option<Tok>)>,
    post: Option<Json>,
    body: Option<(Json, bool)>,
    /// Copies of the URL's text in other fields (a URL shared by many places).
    shared: u8,
}

#[derive(Arbitrary, Debug)]
enum Doc {
    Log(Vec<Line>),
    Json(Json),
    Har(Vec<Entry>),
}

/// The text of a line; the real tokens in it, unedited, with a separator on each side.
fn line_text(line: &Line, tokens: &mut Vec<&'static str>) -> String {
    let Some(tok) = &line.token else {
        return format!("{}{}", line.before, line.after);
    };
    let (text, clean) = tok.text();
    let separated = |c: Option<char>| c.is_none_or(|c| c == ' ');
    if clean && separated(line.before.chars().last()) && separated(line.after.chars().next()) {
        tokens.push(tok.real());
    }
    format!("{}{text}{}", line.before, line.after)
}

fn pair(name: &str, tok: &Option<Tok>, tokens: &mut Vec<&'static str>) -> Value {
    let value = match tok {
        Some(tok) => {
            let (text, clean) = tok.text();
            if clean {
                tokens.push(tok.real());
            }
            text
        }
        None => String::new(),
    };
    json!({"name": name, "value": value})
}

/// The document's text, and the real tokens the finder must find in it.
fn build(doc: &Doc) -> (String, Vec<&'static str>) {
    let mut tokens = Vec::new();
    let text = match doc {
        Doc::Log(lines) => {
            let lines: Vec<String> = lines
                .iter()
                .take(200)
                .map(|line| line_text(line, &mut tokens))
                .collect();
            lines.join("\n")
        }
        Doc::Json(json) => json.value(&mut tokens, 0, 0).to_string(),
        Doc::Har(entries) => {
            let entries: Vec<Value> = entries
                .iter()
                .take(20)
                .map(|entry| {
                    let url = line_text(&entry.url, &mut tokens);
                    let mut headers: Vec<Value> = entry
                        .headers
                        .iter()
                        .take(50)
                        .map(|(name, tok)| pair(name, tok, &mut tokens))
                        .collect();
                    for i in 0..entry.shared % 32 {
                        headers.push(json!({"name": format!("X-{i}"), "value": url}));
                    }
                    let query: Vec<Value> = entry
                        .query
                        .iter()
                        .take(50)
                        .map(|(name, tok)| pair(name, tok, &mut tokens))
                        .collect();
                    let mut request = json!({"method": entry.method, "url": url,
                        "queryString": query, "headers": headers});
                    if let Some(post) = &entry.post {
                        request["postData"] =
                            json!({"text": post.value(&mut tokens, 0, 0).to_string()});
                    }
                    let mut response = json!({"status": 200});
                    if let Some((body, encoded)) = &entry.body {
                        let text = body.value(&mut tokens, 0, 0).to_string();
                        response["content"] = if *encoded {
                            json!({"text": base64::engine::general_purpose::STANDARD.encode(text),
                                   "encoding": "base64"})
                        } else {
                            json!({ "text": text })
                        };
                    }
                    json!({"request": request, "response": response})
                })
                .collect();
            json!({"log": {"version": "1.2", "entries": entries}}).to_string()
        }
    };
    (text, tokens)
}

fuzz_target!(|data: &[u8]| {
    let (text, expected) = match data.split_first() {
        Some((1, rest)) => match Doc::arbitrary_take_rest(Unstructured::new(rest)) {
            Ok(doc) => build(&doc),
            Err(_) => return,
        },
        _ => (String::from_utf8_lossy(data).into_owned(), Vec::new()),
    };
    let found = inspect::find(&text);
    // Bounds.
    assert!(found.tokens.len() <= MAX_TOKENS);
    assert!(found.too_long.len() <= found.too_long_count);
    let mut seen = std::collections::HashSet::new();
    for token in &found.tokens {
        assert!(token.token.len() <= MAX_TOKEN_BYTES);
        assert!(seen.insert(token.token.clone()), "a token twice");
        assert!(!token.places.is_empty() && token.places.len() <= MAX_PLACES);
        assert!(token.places.len() <= token.place_count);
        let wrapped: usize = token.wrapped.iter().map(|w| w.count).sum();
        assert!(wrapped <= token.place_count);
    }
    // Every real token put where a reader would find it is found (a bare token with the
    // whitespace around it, or the words of its line when it is the only line).
    for token in expected {
        assert!(
            found.tokens.iter().any(|f| f
                .token
                .split_whitespace()
                .collect::<String>()
                .contains(token)),
            "not found: {token:.40} in {text}"
        );
    }
    // Spans are in order, inside the text, and start a token.
    let mut end = 0;
    for span in TokenSpans::anywhere(text.as_bytes()) {
        assert!(span.start >= end && span.end <= text.len());
        assert!(text[span.clone()].starts_with("eyJ"));
        end = span.end;
    }
    // The first tokens found are judged, without keys.
    let options = Options {
        decrypt_key: None,
        verify_key: None,
        verify_key_not_rsa: None,
        now: 1_700_000_000,
        leeway: 0,
        expect_jws: false,
        names: Names::default(),
    };
    for token in found.tokens.iter().take(3) {
        if let Ok(report) = inspect::inspect(&token.token, &options) {
            assert_eq!(report.checks.len(), CheckId::ALL.len());
        }
    }
});
