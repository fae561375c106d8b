//! The endpoints. Each handler parses its request, calls the engine, and maps the result to a
//! status code and a JSON body; every error is `{"error": "…"}` with a 4xx (or 500).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use iadvize_auth::time;
use serde_json::{Map, Value, json};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::engine::{Engine, EngineError};
use super::log::{Noted, RequestLog};
use super::policy::Policy;
use serde_json::value::RawValue;

/// Request bodies over this are refused (413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// A whole request, body included, must be read and answered within this (408).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// iAdvize's activation statuses and the reason it gives for any refused token.
const SUCCESS: &str = "authentication-success";
const FAILURE: &str = "authentication-failure";
const SERVER_ERROR_REASON: &str = "Failed to fetch authentication with a server error";
/// Marks the diagnosis as this tool's: iAdvize only ever says `SERVER_ERROR_REASON`.
const DIAGNOSIS_SOURCE: &str = "iadvize-auth inspect (not iAdvize's words)";

/// Endpoints that mint, open or list: they need the bearer secret when one is configured.
const PROTECTED: &[&str] = &["/token", "/verify", "/requests"];

const INDEX_HTML: &str = include_str!("assets/index.html");
const PAGE_JS: &str = include_str!("assets/page.js");
const PAGE_CSS: &str = include_str!("assets/page.css");
const STANDIN_JS: &str = include_str!("assets/standin.js");
const BOXED_HTML: &str = include_str!("assets/boxed.html");
const BOXED_JS: &str = include_str!("assets/boxed.js");

/// Everything the handlers share.
#[derive(Debug)]
pub struct App {
    pub engine: Arc<Engine>,
    pub policy: Policy,
    pub log: RequestLog,
    /// The answer of `GET /keys`, made at start.
    pub keys: Value,
}

pub fn router(app: Arc<App>) -> Router {
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
        .route(
            "/healthz",
            get(|| async { json_response(StatusCode::OK, json!({"status": "ok"})) }),
        )
        .route("/requests", get(requests))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "no such endpoint; GET / is the rehearsal page",
            )
        })
        .with_state(app.clone());
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
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
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

fn engine_error(err: EngineError) -> Response {
    match err {
        EngineError::Refused(message) => error(StatusCode::BAD_REQUEST, message),
        EngineError::Failed(message) => error(StatusCode::INTERNAL_SERVER_ERROR, message),
    }
}

/// What `/token` was asked for.
struct TokenRequest {
    user_id: String,
    visitor_data: Option<Map<String, Value>>,
    /// `fault=KIND` (repeatable), as `mint --fault` takes it.
    faults: Vec<String>,
}

/// `POST /token`: `{"userId": "…", "visitorData": {…}}`.
async fn token_post(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match token_request_from_json(&app.engine, &body) {
        Ok(request) => mint(app, request).await,
        Err(err) => engine_error(err),
    }
}

/// `GET /token?userId=…&firstName=…`: visitor data fields as their own parameters.
async fn token_get(
    State(app): State<Arc<App>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    match token_request_from_query(params) {
        Ok(request) => mint(app, request).await,
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

/// The body of `POST /token`; its visitor data is kept as JSON text, for the library to read
/// (it refuses a field given twice, which a JSON parser would silently keep once).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody<'a> {
    #[serde(rename = "userId")]
    user_id: String,
    #[serde(rename = "visitorData", borrow, default)]
    visitor_data: Option<&'a RawValue>,
    /// A fault's name, or a list of them.
    #[serde(default)]
    fault: Option<OneOrMore>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMore {
    One(String),
    More(Vec<String>),
}

fn token_request_from_json(engine: &Engine, body: &[u8]) -> Result<TokenRequest, EngineError> {
    let refused = |why: &dyn std::fmt::Display| {
        EngineError::Refused(format!(
            r#"the body must be {{"userId": "…", "visitorData": {{…}}, "fault": …}} (visitorData and fault optional): {why}"#
        ))
    };
    // serde would also read a struct from an array of its values.
    if !body.trim_ascii_start().starts_with(b"{") {
        return Err(refused(&"it is not a JSON object"));
    }
    let body: TokenBody<'_> = serde_json::from_slice(body).map_err(|e| refused(&e))?;
    let visitor_data = match body.visitor_data {
        Some(raw) if raw.get() != "null" => Some(engine.visitor_data(raw.get().as_bytes())?),
        _ => None,
    };
    let faults = match body.fault {
        None => Vec::new(),
        Some(OneOrMore::One(name)) => vec![name],
        Some(OneOrMore::More(names)) => names,
    };
    Ok(TokenRequest {
        user_id: body.user_id,
        visitor_data,
        faults,
    })
}

fn token_request_from_query(params: Vec<(String, String)>) -> Result<TokenRequest, String> {
    let mut user_id = None;
    let mut fields = Map::new();
    let mut faults = Vec::new();
    for (name, value) in params {
        if name == "fault" {
            faults.push(value);
            continue;
        }
        let repeated = if name == "userId" {
            user_id.replace(value).is_some()
        } else {
            fields.insert(name.clone(), Value::String(value)).is_some()
        };
        if repeated {
            return Err(format!("parameter {name:?} is given more than once"));
        }
    }
    let user_id = user_id.ok_or("userId is missing: GET /token?userId=ID")?;
    Ok(TokenRequest {
        user_id,
        visitor_data: (!fields.is_empty()).then_some(fields),
        faults,
    })
}

async fn mint(app: Arc<App>, request: TokenRequest) -> Response {
    let engine = app.engine.clone();
    let TokenRequest {
        user_id,
        visitor_data,
        faults,
    } = request;
    let id = user_id.clone();
    let minted = tokio::task::spawn_blocking(move || {
        let faults = engine.faults(&faults)?;
        engine.mint(&id, visitor_data, faults, time::now())
    })
    .await;
    let (response, verdict, warning) = match minted {
        Ok(Ok(minted)) => (
            json_response(StatusCode::OK, json!({ "token": minted.token })),
            "minted",
            minted.warning,
        ),
        Ok(Err(err)) => (engine_error(err), "refused", None),
        Err(_) => (
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "minting stopped unexpectedly",
            ),
            "refused",
            None,
        ),
    };
    with_note(
        response,
        Noted {
            user_id: Some(user_id),
            verdict: Some(verdict),
            warning,
        },
    )
}

/// `POST /verify`: the token as the body (text), or `{"token": "…"}`.
async fn verify(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let token = match token_from_body(&body) {
        Ok(token) => token,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    if !app.engine.can_judge() {
        return error(
            StatusCode::CONFLICT,
            "this server encrypts to iAdvize's production key (--production), which only \
             iAdvize can open: test with the real tag, or restart serve without --production",
        );
    }
    let engine = app.engine.clone();
    let received = token.clone();
    let judged = tokio::task::spawn_blocking(move || engine.judge(&received, time::now())).await;
    let judged = match judged {
        Ok(Ok(judged)) => judged,
        Ok(Err(err)) => return engine_error(err),
        Err(_) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "verifying stopped unexpectedly",
            );
        }
    };
    let mut authentication = json!({
        "option": { "type": "SECURED_AUTHENTICATION", "token": token },
        "status": if judged.ok { SUCCESS } else { FAILURE },
    });
    if !judged.ok {
        authentication["reason"] = SERVER_ERROR_REASON.into();
    }
    let body = json!({
        "authentication": authentication,
        "diagnosis": {
            "source": DIAGNOSIS_SOURCE,
            "report": judged.report,
            "verdict": judged.verdict,
        },
    });
    with_note(
        json_response(StatusCode::OK, body),
        Noted {
            user_id: judged.user_id,
            verdict: Some(if judged.ok { SUCCESS } else { FAILURE }),
            warning: None,
        },
    )
}

fn token_from_body(body: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8 text".to_string())?;
    if !text.trim_start().starts_with('{') {
        return Ok(text.to_string());
    }
    const SHAPE: &str = r#"send the token as the body, or {"token": "…"}"#;
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the body is not JSON ({e}); {SHAPE}"))?;
    match value.get("token") {
        Some(Value::String(token)) => Ok(token.clone()),
        Some(_) => Err(format!("token must be a string; {SHAPE}")),
        None => Err(format!("token is missing; {SHAPE}")),
    }
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
    let Err(Refused(status, message)) = judge(&app, &request) else {
        return next.run(request).await;
    };
    let mut response = error(status, message);
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// A request the guard refuses: the status and the message of its answer.
struct Refused(StatusCode, String);

/// The guard's rules.
fn judge(app: &App, request: &Request) -> Result<(), Refused> {
    let headers = request.headers();
    let Some(host) = one_header(headers, &header::HOST, "Host")? else {
        return Err(Refused(
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
        ));
    }
    let protected = PROTECTED.contains(&request.uri().path());
    if let (Some(secret), true) = (&app.policy.access_token, protected)
        && request.method() != Method::OPTIONS
    {
        let given = one_header(headers, &header::AUTHORIZATION, "Authorization")?
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim());
        if !given.is_some_and(|given| secret.matches(given.as_bytes())) {
            return Err(Refused(
                StatusCode::UNAUTHORIZED,
                "this endpoint needs the secret of --access-token-file, as \
                 `Authorization: Bearer SECRET`"
                    .into(),
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
        return Err(Refused(
            StatusCode::BAD_REQUEST,
            format!(
                "the request has {} {shown} headers; a request has one at most",
                more + 1
            ),
        ));
    }
    value.to_str().map(Some).map_err(|_| {
        Refused(
            StatusCode::BAD_REQUEST,
            format!(
                "the {shown} header is not ASCII text (it holds bytes outside printable ASCII); \
                 a {shown} header never does"
            ),
        )
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
