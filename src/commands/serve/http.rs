//! The endpoints. Each handler parses its request, calls the engine, and maps the result to a
//! status code and a JSON body; every error is `{"error": "…"}` with a 4xx (or 500).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, RawQuery, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use iadvize_auth::time;
use serde_json::{Value, json};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::log::{Noted, RequestLog};
use super::policy::Policy;
use iadvize_auth::rehearsal::{
    InspectRequest, MAX_INSPECT_BYTES, Rehearsal, RehearsalError, TokenRequest,
};

/// Request bodies over this are refused (413), but on `POST /inspect`.
pub(super) const MAX_BODY_BYTES: usize = 64 * 1024;
/// `POST /inspect`'s bodies may be as large as the files `inspect` reads (a HAR file).
pub(super) const MAX_INSPECT_BODY_BYTES: usize = MAX_INSPECT_BYTES;
/// Inspections judged at once; others wait their turn before their body is read, so that at
/// most this many large bodies are held.
pub(super) const INSPECTIONS_AT_ONCE: usize = 2;
/// A whole request, body included, must be read and answered within this (408).
pub(super) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// iAdvize's activation statuses and the reason it gives for any refused token.
const SUCCESS: &str = "authentication-success";
const FAILURE: &str = "authentication-failure";
const SERVER_ERROR_REASON: &str = "Failed to fetch authentication with a server error";
/// Marks the diagnosis as this tool's: iAdvize only ever says `SERVER_ERROR_REASON`.
const DIAGNOSIS_SOURCE: &str = "iadvize-auth inspect (not iAdvize's words)";

/// Endpoints that mint, open or list: they need the bearer secret when one is configured.
const PROTECTED: &[&str] = &["/token", "/verify", "/requests"];

/// Whether a request needs the bearer secret: the endpoints that mint, open or list, and the
/// inspector's judging (its page is free to load, as the rehearsal page is).
fn needs_secret(method: &Method, path: &str) -> bool {
    PROTECTED.contains(&path) || (path == "/inspect" && method == Method::POST)
}

const INDEX_HTML: &str = include_str!("assets/index.html");
const PAGE_JS: &str = include_str!("assets/page.js");
const PAGE_CSS: &str = include_str!("assets/page.css");
const STANDIN_JS: &str = include_str!("assets/standin.js");
const BOXED_HTML: &str = include_str!("assets/boxed.html");
const BOXED_JS: &str = include_str!("assets/boxed.js");
const INSPECT_HTML: &str = include_str!("assets/inspect.html");
const INSPECT_JS: &str = include_str!("assets/inspect.js");
/// The HTTP API's description, committed as docs/openapi.json.
pub(super) const OPENAPI_JSON: &str = include_str!("../../../docs/openapi.json");

/// Everything the handlers share.
#[derive(Debug)]
pub(super) struct App {
    pub rehearsal: Arc<Rehearsal>,
    pub policy: Policy,
    pub log: RequestLog,
    /// The answer of `GET /keys`, made at start.
    pub keys: Value,
    /// Turns of `POST /inspect` ([`INSPECTIONS_AT_ONCE`]).
    pub inspections: tokio::sync::Semaphore,
}

impl App {
    /// Runs `work` bounded to a fraction of a millisecond (an honest token: one signature)
    /// on the runtime's thread that serves the connection, one per core: handing it to a
    /// blocking thread and back cost a tenth more CPU time per token (docs/performance.md).
    /// An error when the work panicked.
    fn crypto<T>(&self, work: impl FnOnce() -> T) -> Result<T, ()> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|_| ())
    }

    /// Runs `work` that may take longer (a faulty token's plan, a verification, an inspection
    /// of many tokens) on the runtime's blocking threads, one per core, so that connections
    /// are served meanwhile.
    async fn long_crypto<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ()> {
        tokio::task::spawn_blocking(work).await.map_err(|_| ())
    }
}

pub(super) fn router(app: Arc<App>) -> Router {
    let listed = app.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|o| listed.policy.listed(o))
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .allow_private_network(true)
        .max_age(Duration::from_secs(600));
    let routes = Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route("/page.js", get(|| async { asset(JS, PAGE_JS) }))
        .route(
            "/page.css",
            get(|| async { asset("text/css; charset=utf-8", PAGE_CSS) }),
        )
        .route("/standin.js", get(|| async { asset(JS, STANDIN_JS) }))
        .route(
            "/boxed.html",
            get(|| async { asset("text/html; charset=utf-8", BOXED_HTML) }),
        )
        .route("/boxed.js", get(|| async { asset(JS, BOXED_JS) }))
        // Browsers ask for it; there is none.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/token", get(token_get).post(token_post))
        .route("/verify", post(verify))
        .route("/keys", get(keys))
        .route("/faults", get(faults))
        .route(
            "/healthz",
            get(|| async { json_response(StatusCode::OK, json!({"status": "ok"})) }),
        )
        .route("/requests", get(requests))
        .route(
            "/openapi.json",
            get(|| async { asset("application/json", OPENAPI_JSON) }),
        )
        .route("/inspect.js", get(|| async { asset(JS, INSPECT_JS) }))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "no such endpoint; GET / is the rehearsal page",
            )
        })
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .with_state(app.clone());
    // The inspector takes files: its own limit, on its route only.
    let inspector = Router::new()
        .route(
            "/inspect",
            get(|| async { asset("text/html; charset=utf-8", INSPECT_HTML) }).post(inspect),
        )
        .layer(DefaultBodyLimit::max(MAX_INSPECT_BODY_BYTES))
        .with_state(app.clone());
    let routes = routes.merge(inspector);
    // Around the whole router, so that the outer layers see every response as sent (the
    // `Allow` header of a 405 included), the first of them the outermost.
    let stack = ServiceBuilder::new()
        .layer(middleware::from_fn_with_state(app.clone(), log_request))
        .layer(middleware::map_response(json_errors))
        .layer(middleware::from_fn_with_state(app, guard))
        .layer(cors)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .service(routes);
    Router::new().fallback_service(stack)
}

const JS: &str = "text/javascript; charset=utf-8";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, json!({ "error": message.into() }))
}

fn with_note(mut response: Response, noted: Noted) -> Response {
    response.extensions_mut().insert(noted);
    response
}

/// `GET /token?userId=…&firstName=…&fault=…`: visitor data fields as their own parameters.
async fn token_get(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let request =
        query_pairs(query.as_deref()).and_then(|params| TokenRequest::parse(&params, None));
    mint(app, request).await
}

/// `POST /token`: `{"userId": "…", "visitorData": {…}, "fault": …}`, and the same parameters
/// as `GET` in the query string.
async fn token_post(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let request =
        query_pairs(query.as_deref()).and_then(|params| TokenRequest::parse(&params, Some(&body)));
    mint(app, request).await
}

/// A query string's parameters, as an HTML form encodes them (`+` a space, `%XX` a byte). A
/// parameter that is not UTF-8 once decoded is refused: decoded lossily, `userId=%FF` would
/// mint for the user id "\u{FFFD}".
fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, RehearsalError> {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8()
            .map(|text| text.into_owned())
    };
    let refused = |what: String| {
        RehearsalError::Refused(format!(
            "{what} is not UTF-8 once percent-decoded: percent-encode the text's UTF-8 bytes \
             (encodeURIComponent does)"
        ))
    };
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name).map_err(|_| refused("a parameter name".into()))?;
            let value = decode(value).map_err(|_| refused(format!("parameter {name:?}")))?;
            Ok((name, value))
        })
        .collect()
}

async fn mint(app: Arc<App>, request: Result<TokenRequest, RehearsalError>) -> Response {
    let request = match request {
        Ok(request) => request,
        Err(err) => return refused(err, None),
    };
    let user_id = request.user_id.clone();
    let minted = match request.faults.is_empty() {
        true => app.crypto(|| app.rehearsal.token(&request, time::now())),
        // A fault may plan with josekit, or make the key of nobody's: off this thread.
        false => {
            let rehearsal = app.rehearsal.clone();
            app.long_crypto(move || rehearsal.token(&request, time::now()))
                .await
        }
    };
    match minted {
        Ok(Ok(minted)) => with_note(
            json_response(StatusCode::OK, json!(minted)),
            Noted {
                user_id: Some(user_id),
                verdict: Some("minted"),
                cause: minted.notices.first().cloned(),
            },
        ),
        Ok(Err(err)) => refused(err, Some(user_id)),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "minting stopped unexpectedly",
        ),
    }
}

/// A refused request's answer, its reason noted for the log.
fn refused(err: RehearsalError, user_id: Option<String>) -> Response {
    let cause = err.to_string();
    let response = match err {
        RehearsalError::Refused(message) => error(StatusCode::BAD_REQUEST, message),
        RehearsalError::Unavailable(message) => error(StatusCode::CONFLICT, message),
        RehearsalError::Failed(message) => error(StatusCode::INTERNAL_SERVER_ERROR, message),
    };
    with_note(
        response,
        Noted {
            user_id,
            verdict: Some("refused"),
            cause: Some(cause),
        },
    )
}

/// `POST /verify`: the token as the body, or `{"token": "…"}`.
async fn verify(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let token = match token_from_body(&body, is_json(&headers)) {
        Ok(token) => token,
        Err(message) => return refused(RehearsalError::Refused(message), None),
    };
    // A token may inflate to a megabyte of claims: off this thread.
    let rehearsal = app.rehearsal.clone();
    let received = token.clone();
    let verified = app
        .long_crypto(move || rehearsal.verify(&received, time::now()))
        .await;
    let verified = match verified {
        Ok(Ok(verified)) => verified,
        Ok(Err(err)) => return refused(err, None),
        Err(_) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "verifying stopped unexpectedly",
            );
        }
    };
    let status = if verified.accepted { SUCCESS } else { FAILURE };
    let mut authentication = json!({
        "option": { "type": "SECURED_AUTHENTICATION", "token": token },
        "status": status,
    });
    if !verified.accepted {
        authentication["reason"] = SERVER_ERROR_REASON.into();
    }
    let body = json!({
        "authentication": authentication,
        "diagnosis": {
            "source": DIAGNOSIS_SOURCE,
            "sentence": verified.sentence,
            "first_failure": verified.first_failure,
            "standin_note": verified.standin_note,
            "report": verified.report,
            "verdict": verified.report.verdict,
        },
    });
    with_note(
        json_response(StatusCode::OK, body),
        Noted {
            user_id: verified.user_id,
            verdict: Some(status),
            cause: verified
                .first_failure
                .map(|id| format!("first failing check {id}")),
        },
    )
}

/// The token of `POST /verify`'s body: the `token` member of a JSON object that has one (the
/// wrapper `{"token": "…"}`), else the body itself. A JWE in JSON serialisation is a JSON object
/// too, without `token`: it is judged as the token it is, whatever the `Content-Type`. Sent as
/// `application/json` (`json`), the body must be JSON.
fn token_from_body(body: &[u8], json: bool) -> Result<String, String> {
    const SHAPE: &str = r#"send the token as the body (as text), or {"token": "…"}"#;
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8 text".to_string())?;
    let parsed = match json || text.trim_start().starts_with('{') {
        true => serde_json::from_str::<Value>(text),
        false => return Ok(text.to_string()),
    };
    match parsed {
        Ok(Value::Object(members)) => match members.get("token") {
            Some(Value::String(token)) if token.trim().is_empty() => {
                Err(format!("token is empty, or only whitespace; {SHAPE}"))
            }
            Some(Value::String(token)) => Ok(token.clone()),
            Some(_) => Err(format!("token must be a string; {SHAPE}")),
            None => Ok(text.to_string()),
        },
        Ok(_) => Ok(text.to_string()),
        Err(e) if json => Err(format!(
            "the body is sent as application/json but is not JSON ({e}); {SHAPE}"
        )),
        // Text that only starts like JSON: a (broken) token, judged.
        Err(_) => Ok(text.to_string()),
    }
}

/// `POST /inspect`: `{"text": "…", "brandKey": "…", "expect": "jws"}` as `application/json`,
/// or the text itself as any other type; every token found in the text, judged. The text is
/// never logged: the log has the count of each answer.
async fn inspect(State(app): State<Arc<App>>, request: Request) -> Response {
    let Ok(_turn) = app.inspections.acquire().await else {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
    };
    let headers = request.headers().clone();
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than {} MiB, as large as inspect reads: give \
                     the part of the file that holds the token",
                    MAX_INSPECT_BODY_BYTES >> 20
                ),
            );
        }
        Err(rejection) => return error(rejection.status(), rejection.body_text()),
    };
    let request = match is_json(&headers) {
        true => match InspectRequest::parse(&body) {
            Ok(request) => request,
            Err(err) => return refused(err, None),
        },
        // Any other body is the text itself, as `curl --data-binary @app.log` sends it.
        false => InspectRequest {
            text: String::from_utf8_lossy(&body).into_owned(),
            ..InspectRequest::default()
        },
    };
    drop(body);
    let rehearsal = app.rehearsal.clone();
    let inspected = app
        .long_crypto(move || rehearsal.inspect(&request, time::now()))
        .await;
    match inspected {
        Ok(Ok(inspection)) => {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for judged in &inspection.tokens {
                match counts
                    .iter_mut()
                    .find(|(answer, _)| *answer == judged.answer)
                {
                    Some((_, n)) => *n += 1,
                    None => counts.push((judged.answer, 1)),
                }
            }
            let counts: Vec<String> = counts.iter().map(|(a, n)| format!("{n} {a}")).collect();
            with_note(
                json_response(StatusCode::OK, json!(inspection)),
                Noted {
                    user_id: None,
                    verdict: Some("inspected"),
                    cause: Some(format!(
                        "{} judged: {}",
                        iadvize_auth::text::plural(inspection.tokens.len(), "token"),
                        counts.join(", ")
                    )),
                },
            )
        }
        Ok(Err(err)) => refused(err, None),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "inspecting stopped unexpectedly",
        ),
    }
}

/// `GET /faults`: every fault `/token` takes, and why this server refuses any.
async fn faults(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, json!({ "faults": app.rehearsal.faults() }))
}

async fn keys(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, app.keys.clone())
}

async fn requests(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, json!({ "requests": app.log.entries() }))
}

/// Host (against DNS rebinding), then Origin (only this page's own, and `--allow-origin`),
/// then the bearer secret on the endpoints that need it. A header the guard cannot judge
/// (given twice, or not ASCII text) is refused, never taken as absent.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let Err(Refused(status, message, cause)) = judge(&app, &request) else {
        return next.run(request).await;
    };
    let mut response = error(status, message);
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    with_note(response, refusal(cause))
}

/// A request the guard refuses: the status and the message of its answer, and the cause the
/// log gives (what was refused, and what is allowed).
struct Refused(StatusCode, String, String);

impl Refused {
    /// A refusal whose message says it all, in the log too.
    fn said(status: StatusCode, message: String) -> Self {
        Refused(status, message.clone(), message)
    }
}

/// The guard's rules.
fn judge(app: &App, request: &Request) -> Result<(), Refused> {
    let headers = request.headers();
    let Some(host) = one_header(headers, &header::HOST, "Host")? else {
        return Err(Refused::said(
            StatusCode::BAD_REQUEST,
            "the request has no Host header".into(),
        ));
    };
    // A request in absolute form (`GET http://name/ HTTP/1.1`) names its host twice: both are
    // judged.
    let authority = request.uri().authority().map(|a| a.as_str());
    for name in std::iter::once(host).chain(authority) {
        if !app.policy.host_allowed(name) {
            return Err(Refused(
                StatusCode::FORBIDDEN,
                format!(
                    "Host {:?} is not allowed (a protection against DNS rebinding): reach this \
                     server as localhost or 127.0.0.1, or start serve with --allow-host NAME",
                    cut(name)
                ),
                host_cause(name),
            ));
        }
    }
    if let Some(origin) = one_header(headers, &header::ORIGIN, "Origin")?
        && !app.policy.origin_allowed(origin, host)
    {
        return Err(Refused(
            StatusCode::FORBIDDEN,
            format!(
                "origin {:?} may not call this server: start serve with --allow-origin {} to \
                 allow that page",
                cut(origin),
                cut(origin)
            ),
            origin_cause(&app.policy, origin, host),
        ));
    }
    let protected = needs_secret(request.method(), request.uri().path());
    if let (Some(secret), true) = (&app.policy.access_token, protected)
        && request.method() != Method::OPTIONS
    {
        let given = one_header(headers, &header::AUTHORIZATION, "Authorization")?
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim());
        if !given.is_some_and(|given| secret.matches(given.as_bytes())) {
            let cause = match given {
                None => "no bearer secret (Authorization: Bearer …)",
                Some(_) => "wrong bearer secret",
            };
            return Err(Refused(
                StatusCode::UNAUTHORIZED,
                "this endpoint needs the secret of --access-token-file, as \
                 `Authorization: Bearer SECRET`"
                    .into(),
                cause.into(),
            ));
        }
    }
    Ok(())
}

/// The one value of a header the guard judges (`shown` is its name in messages): none when
/// absent; refused (400) when it is given more than once, or is not ASCII text.
fn one_header<'a>(
    headers: &'a HeaderMap,
    name: &HeaderName,
    shown: &str,
) -> Result<Option<&'a str>, Refused> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let more = values.count();
    if more > 0 {
        return Err(Refused::said(
            StatusCode::BAD_REQUEST,
            format!(
                "the request has {} {shown} headers; a request has one at most",
                more + 1
            ),
        ));
    }
    value.to_str().map(Some).map_err(|_| {
        Refused::said(
            StatusCode::BAD_REQUEST,
            format!(
                "the {shown} header is not ASCII text (it holds bytes outside printable ASCII); \
                 a {shown} header never does"
            ),
        )
    })
}

/// What the log says of a request the guard refused.
fn refusal(cause: String) -> Noted {
    Noted {
        user_id: None,
        verdict: Some("refused"),
        cause: Some(cause),
    }
}

/// Why a Host was refused, and what is allowed.
fn host_cause(host: &str) -> String {
    format!(
        "Host {:?} refused: allowed are localhost, 127.0.0.1, [::1] (any port) and the names of \
         --allow-host",
        cut(host)
    )
}

/// Why an Origin was refused, what is allowed, and the loopback name mix-up when it is one:
/// `http://127.0.0.1:3000` and `http://localhost:3000` are two origins to a browser.
fn origin_cause(policy: &Policy, origin: &str, host: &str) -> String {
    let allowed = match policy.origins() {
        [] => "no --allow-origin".to_string(),
        origins => format!("--allow-origin {}", origins.join(" ")),
    };
    let mut cause = format!(
        "origin {:?} refused: allowed are this server's own pages (http://{}) and {allowed}",
        cut(origin),
        cut(host)
    );
    let lowered = origin.to_ascii_lowercase();
    const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];
    for name in LOOPBACK {
        let Some((scheme, rest)) = lowered.split_once("://") else {
            break;
        };
        let Some(port) = rest.strip_prefix(name) else {
            continue;
        };
        if let Some(twin) = LOOPBACK
            .iter()
            .find(|other| **other != name && policy.listed(&format!("{scheme}://{other}{port}")))
        {
            cause.push_str(&format!(
                "; {scheme}://{twin}{port} is allowed, but a browser treats {name} and {twin} \
                 as different origins: open the page as {scheme}://{twin}{port}, or add \
                 --allow-origin {}",
                cut(origin)
            ));
        }
        break;
    }
    cause
}

/// Whether the body is sent as `application/json`.
fn is_json(headers: &HeaderMap) -> bool {
    header_text(headers, &header::CONTENT_TYPE).is_some_and(|value| {
        let media = value.split(';').next().unwrap_or_default().trim();
        media.eq_ignore_ascii_case("application/json")
    })
}

fn header_text<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Untrusted header text quoted in an error, cut to a readable length.
fn cut(text: &str) -> String {
    text.chars().take(100).collect()
}

/// Gives every error response a JSON body: those of the router (404, 405), the body limit
/// (413), the timeout (408) and the extractors (400), which answer in plain text or nothing.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let allow = header_text(response.headers(), &header::ALLOW).map(str::to_string);
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is larger than {} KiB; a token request is a few hundred bytes",
            MAX_BODY_BYTES / 1024
        ),
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request was not received and answered within {} s",
            REQUEST_TIMEOUT.as_secs()
        ),
        StatusCode::METHOD_NOT_ALLOWED => format!(
            "method not allowed here; this endpoint answers {}",
            allow.as_deref().unwrap_or("other methods")
        ),
        _ if !text.is_empty() => String::from_utf8_lossy(&text).into_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_string(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, Body::from(json!({ "error": message }).to_string()))
}

async fn log_request(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    let noted = response
        .extensions()
        .get::<Noted>()
        .cloned()
        .unwrap_or_default();
    app.log.record(
        &method,
        &path,
        response.status().as_u16(),
        noted,
        start.elapsed(),
    );
    response
}
