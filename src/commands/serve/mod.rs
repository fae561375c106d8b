//! `serve`: a local token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal
//! page. Tokio lives here and nowhere else; the library stays synchronous and is called
//! through its rehearsal engine (`iadvize_auth::rehearsal`) alone.

mod http;
mod listener;
mod log;
mod policy;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use super::Outcome;
use super::input::{self, key_source, load_key};
use super::passphrase::KeyOptions;
use crate::cli::ServeArgs;
use anyhow::{Context, bail};
use iadvize_auth::rehearsal::{Brand, KeyRecord, Rehearsal, SetupError, Target};
use iadvize_auth::time;
use policy::{AccessToken, Policy, is_loopback, listen_address};
use serde_json::json;

pub(super) fn run(args: ServeArgs) -> anyhow::Result<Outcome> {
    let ttl = time::parse_duration(&args.ttl.ttl).context("--ttl")?;
    let listen = listen_address(&args.listen)?;
    check_listen(&args, listen)?;
    let access_token = args
        .access_token_file
        .as_deref()
        .map(AccessToken::read)
        .transpose()?;
    let policy = Policy::new(listen, &args.allow_host, &args.allow_origin, access_token)?;

    input::one_stdin_reader(&[
        ("--key -", input::is_stdin(args.key.as_deref())),
        (
            "--iadvize-key -",
            input::is_stdin(args.iadvize_key.as_deref()),
        ),
    ])?;
    let options = args.key_options();
    let brand = match &args.key {
        Some(path) => Brand::Own(load_key(&key_source(path), &options)?),
        None => Brand::generated().context("cannot generate a rehearsal brand key")?,
    };
    let target = target(&args, &options)?;
    let (rehearsal, notices) = Rehearsal::new(brand, target, ttl).map_err(|err| {
        let context = match (&err, &args.key) {
            (SetupError::Ttl(_), _) => format!("--ttl {}", args.ttl.ttl),
            (SetupError::Keys(_), Some(path)) => {
                format!("cannot mint with key {}", key_source(path))
            }
            (SetupError::Keys(_), None) => "cannot mint with the rehearsal brand key".to_string(),
        };
        anyhow::Error::new(err).context(context)
    })?;
    let keys = rehearsal.keys()?;
    warn_about_listen(&args, listen);
    // The notes name the recipient, which the banner shows.
    let warnings: Vec<String> = notices
        .iter()
        .filter(|notice| notice.is_warning())
        .map(ToString::to_string)
        .collect();
    crate::output::warn_all(&warnings);
    let app = Arc::new(http::App {
        rehearsal: Arc::new(rehearsal),
        policy,
        log: log::RequestLog::new(args.log),
        keys: serde_json::to_value(&keys)?,
        inspections: tokio::sync::Semaphore::new(http::INSPECTIONS_AT_ONCE),
    });

    let runtime = listener::runtime().context("cannot start the server's runtime")?;
    let served = runtime.block_on(async {
        // Signal handlers first: a stop sent right after the ready line is never missed.
        let stopped = stop_signal()?;
        let listener = bind(listen).await?;
        let address = listener
            .local_addr()
            .context("cannot read the listening address")?;
        announce(&args, address, &keys, app.policy.origins())?;
        let stop = async move {
            stopped.await;
            eprintln!("serve: stopping; requests in flight finish first");
        };
        listener::serve(listener, http::router(app), stop).await;
        eprintln!("serve: stopped");
        anyhow::Ok(())
    });
    listener::shut_down(runtime);
    served?;
    Ok(Outcome::Success)
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed when this is called.
#[cfg(unix)]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// `--production` only on loopback; off loopback, only with a bearer secret.
fn check_listen(args: &ServeArgs, listen: SocketAddr) -> anyhow::Result<()> {
    let loopback = is_loopback(listen);
    if args.production && !loopback {
        bail!(
            "--production is accepted only on a loopback address (127.0.0.1 or [::1]), not \
             --listen {listen}: anyone reaching the server could sign in to iAdvize as any user"
        );
    }
    if !loopback && args.access_token_file.is_none() {
        bail!(
            "--listen {listen} is not a loopback address: anyone who reaches it could mint \
             tokens for any user id; give --access-token-file FILE (a secret of at least 16 \
             characters), or listen on 127.0.0.1"
        );
    }
    Ok(())
}

/// Said once everything is known to be usable: an error is then the only line.
fn warn_about_listen(args: &ServeArgs, listen: SocketAddr) {
    if !is_loopback(listen) {
        eprintln!(
            "warning: listening on {listen}, off loopback: /token, /verify and /requests need \
             the access token, and the Host header must be one of --allow-host"
        );
    }
    if let (true, Some(key)) = (args.production, &args.key) {
        eprintln!(
            "warning: --production: tokens are encrypted to iAdvize's production key and signed \
             with {}; iAdvize accepts them for any user id this endpoint is asked for. Use it \
             for QA on a staging site, then stop the server",
            key_source(key)
        );
    }
}

/// Where tokens are encrypted to: iAdvize's production key, a stand-in read from a file, or
/// one generated for the run.
fn target(args: &ServeArgs, options: &KeyOptions) -> anyhow::Result<Target> {
    if args.production {
        return Ok(Target::Production);
    }
    let Some(path) = &args.iadvize_key else {
        return Target::generated().context("cannot generate a stand-in key pair");
    };
    let source = key_source(path);
    Target::standin(load_key(&source, options)?).map_err(|_| {
        anyhow::anyhow!(
            "--iadvize-key {source} is a public key: serve needs the stand-in's private key, to \
             open tokens at /verify (keygen wrote it as private-key.pem next to the public one)"
        )
    })
}

async fn bind(address: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await.map_err(|err| {
        let hint = match err.kind() {
            std::io::ErrorKind::AddrInUse => {
                "the port is taken: choose another --listen port, or port 0 for a free one"
            }
            std::io::ErrorKind::PermissionDenied => "ports under 1024 need privileges: use 8787",
            _ => "check the address is one of this machine's",
        };
        anyhow::anyhow!("cannot listen on {address}: {err}; {hint}")
    })
}

/// What runs where, on standard error; the ready line on standard output (unless it is a
/// terminal) or `--ready-file`.
fn announce(
    args: &ServeArgs,
    address: SocketAddr,
    keys: &iadvize_auth::rehearsal::Keys,
    origins: &[String],
) -> anyhow::Result<()> {
    // Listening on every interface: the URL names loopback, which a browser can open.
    let shown = match address.ip() {
        ip if !ip.is_unspecified() => address,
        std::net::IpAddr::V4(_) => SocketAddr::from(([127, 0, 0, 1], address.port())),
        std::net::IpAddr::V6(_) => {
            SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, address.port()))
        }
    };
    let url = format!("http://{shown}/");
    let brand_text = match &args.key {
        Some(path) => format!("{} (the brand's own)", key_source(path)),
        None => "rehearsal key generated for this run (iAdvize does not know it)".to_string(),
    };
    let recipient_text = match (&args.iadvize_key, args.production) {
        (_, true) => {
            "iAdvize's production key (built in): these tokens work in production".to_string()
        }
        (Some(path), false) => format!("stand-in {}", key_source(path)),
        (None, false) => "stand-in generated for this run".to_string(),
    };
    let key_line = |label: &str, text: &str, key: &KeyRecord| {
        eprintln!(
            "  {label:<15} {text} (SHA-256 {})",
            key.key.sha256_fingerprint
        );
    };
    eprintln!("serve: listening on {url}");
    eprintln!("  rehearsal page  {url}");
    eprintln!("  token endpoint  {url}token");
    eprintln!("  verifier        {url}verify");
    eprintln!("  inspector       {url}inspect");
    key_line("brand key", &brand_text, &keys.brand);
    key_line("recipient", &recipient_text, &keys.recipient);
    if !args.production {
        eprintln!("  nothing this server hands out works in production (public keys at {url}keys)");
    }
    if !origins.is_empty() {
        eprintln!("  allowed origins {}", origins.join(" "));
    }
    eprintln!("Ctrl-C stops the server.");
    let line = format!("{}\n", json!({ "event": "listening", "url": url }));
    match &args.ready_file {
        Some(path) => write_ready_file(path, &line),
        // A person reads the banner above; the line is for scripts.
        None if std::io::stdout().is_terminal() => Ok(()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(line.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write the ready line to standard output")
        }
    }
}

/// Written whole then renamed, so a script waiting for the file never reads half a line.
fn write_ready_file(path: &Path, line: &str) -> anyhow::Result<()> {
    let name = format!("--ready-file '{}'", path.display());
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write {name}"))?;
    file.write_all(line.as_bytes())
        .with_context(|| format!("cannot write {name}"))?;
    file.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {name}"))?;
    Ok(())
}
