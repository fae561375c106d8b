//! Who may talk to the server: the Host names it answers to (against DNS rebinding), the web
//! origins allowed to call it from a browser (CORS), and the bearer secret required off
//! loopback. Parsed once from the command line, then asked about every request.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use super::super::input;
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A secret shorter than this is refused: it could be guessed.
const MIN_SECRET_CHARS: usize = 16;
const MAX_SECRET_FILE_BYTES: usize = 64 * 1024;

/// The bearer secret of `--access-token-file`. `Debug` never shows it.
pub(super) struct AccessToken {
    sha256: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl AccessToken {
    /// Reads the first line of `path`: at least 16 characters, surrounding whitespace removed.
    pub(super) fn read(path: &Path) -> anyhow::Result<Self> {
        let name = format!("--access-token-file '{}'", path.display());
        let what = format!("access token file '{}'", path.display());
        let bytes = input::read_secret_file(path, &what, MAX_SECRET_FILE_BYTES)
            .with_context(|| format!("cannot read {name}"))?;
        let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let secret = first.trim_ascii();
        if secret.len() < MIN_SECRET_CHARS {
            bail!(
                "{name}: the secret on its first line is shorter than {MIN_SECRET_CHARS} \
                 characters; make one with `openssl rand -hex 32 > {}`",
                path.display()
            );
        }
        Ok(AccessToken {
            sha256: Zeroizing::new(Sha256::digest(secret).to_vec()),
        })
    }

    /// Compares in constant time: both sides are hashed to the same length first.
    pub(super) fn matches(&self, given: &[u8]) -> bool {
        let given = Sha256::digest(given);
        openssl::memcmp::eq(&self.sha256, &given)
    }
}

/// What the server accepts, from `--listen`, `--allow-host`, `--allow-origin` and
/// `--access-token-file`.
#[derive(Debug)]
pub(super) struct Policy {
    /// Lowercase host names or IP literals accepted besides the loopback ones.
    hosts: Vec<String>,
    /// Normalised origins (`scheme://host[:port]`, default port left out).
    origins: Vec<String>,
    pub access_token: Option<AccessToken>,
}

impl Policy {
    pub(super) fn new(
        listen: SocketAddr,
        allow_hosts: &[String],
        allow_origins: &[String],
        access_token: Option<AccessToken>,
    ) -> anyhow::Result<Self> {
        let mut hosts = allow_hosts
            .iter()
            .map(|host| parse_host(host))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // The address itself, when the server listens on one: an IP literal cannot be rebound.
        if !listen.ip().is_unspecified() {
            hosts.push(host_name_of(listen.ip()));
        }
        let origins = allow_origins
            .iter()
            .map(|origin| parse_origin(origin))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Policy {
            hosts,
            origins,
            access_token,
        })
    }

    pub(super) fn origins(&self) -> &[String] {
        &self.origins
    }

    /// A `Host` header naming a loopback name or address, or an allowed name, with any port.
    pub(super) fn host_allowed(&self, host_header: &str) -> bool {
        let Some(name) = host_without_port(host_header) else {
            return false;
        };
        let name = name.to_ascii_lowercase();
        is_loopback_name(&name) || self.hosts.contains(&name)
    }

    /// An `Origin` header of the page itself (same origin as `host_header`) or an allowed one.
    pub(super) fn origin_allowed(&self, origin: &str, host_header: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        origin == format!("http://{}", host_header.to_ascii_lowercase()) || self.listed(&origin)
    }

    /// Is this origin one of `--allow-origin`?
    pub(super) fn listed(&self, origin: &str) -> bool {
        normalise_origin(&origin.to_ascii_lowercase())
            .is_some_and(|origin| self.origins.contains(&origin))
    }
}

/// Is this the loopback interface: 127.0.0.0/8 or ::1?
/// The address `--listen` names: an IP address and a port (`127.0.0.1:8787`, `[::1]:8787`), or
/// `localhost:PORT`, taken as 127.0.0.1 (the one host name the server itself counts as
/// loopback). Other names are refused: an address is what is bound, and a name's addresses may
/// be anything.
pub(super) fn listen_address(given: &str) -> anyhow::Result<SocketAddr> {
    if let Ok(address) = given.parse() {
        return Ok(address);
    }
    let name = format!("--listen {given:?}");
    let Some((host, port)) = given.rsplit_once(':') else {
        if given.parse::<u16>().is_ok() {
            bail!("{name}: give an address and a port, e.g. 127.0.0.1:{given}");
        }
        if given.parse::<IpAddr>().is_ok() {
            bail!("{name}: add a port, e.g. {given}:8787 (port 0 picks a free one)");
        }
        bail!("{name}: give an address and a port, e.g. 127.0.0.1:8787");
    };
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        bail!("{name}: an IPv6 address takes brackets before its port, e.g. [{host}]:{port}");
    }
    let Ok(port) = port.parse::<u16>() else {
        bail!("{name}: the port {port:?} is not a number from 0 to 65535 (0 picks a free one)");
    };
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    bail!(
        "{name}: give an IP address, not a host name: 127.0.0.1:{port} for this machine only \
         (localhost:{port} says the same), or 0.0.0.0:{port} for every interface"
    )
}

pub(super) fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip().is_loopback()
}

fn is_loopback_name(name: &str) -> bool {
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn host_name_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// `name:port`, `[v6]:port`, or a bare name: the name part; `None` when malformed.
fn host_without_port(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        name
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return None,
            None => host,
        }
    };
    (!name.is_empty()).then_some(name)
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `--allow-host NAME`: a host name or IP address, without a port.
fn parse_host(text: &str) -> anyhow::Result<String> {
    let name = text.trim().to_ascii_lowercase();
    let bad = name.is_empty()
        || name.contains(['/', '*', ' ', '@'])
        || host_without_port(&name) != Some(name.as_str());
    if bad {
        bail!(
            "--allow-host {text:?}: expected a host name or IP address without port or \
             scheme, e.g. --allow-host qa-box.internal"
        );
    }
    Ok(name)
}

/// `--allow-origin URL`: `http(s)://host[:port]`, without a path; never `*`.
fn parse_origin(text: &str) -> anyhow::Result<String> {
    let lowered = text.trim().to_ascii_lowercase();
    let candidate = lowered.strip_suffix('/').unwrap_or(&lowered);
    match normalise_origin(candidate) {
        Some(origin) => Ok(origin),
        None if text.contains('*') => bail!(
            "--allow-origin {text:?}: '*' would let every web site mint tokens through this \
             server; name each origin, e.g. --allow-origin https://staging.example.com"
        ),
        None => bail!(
            "--allow-origin {text:?}: expected an origin, scheme and host with an optional \
             port and no path, e.g. --allow-origin https://staging.example.com"
        ),
    }
}

/// A lowercase origin with its default port left out, as browsers send it; `None` when it is
/// not `http(s)://host[:port]`.
fn normalise_origin(origin: &str) -> Option<String> {
    let (scheme, authority) = origin.split_once("://")?;
    let default_port = match scheme {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    if authority.contains(['/', '?', '#', '@', '*', ' ']) {
        return None;
    }
    host_without_port(authority)?;
    let authority = authority.strip_suffix(default_port).unwrap_or(authority);
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: &[&str], origins: &[&str]) -> Policy {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Policy::new(
            "127.0.0.1:8787".parse().unwrap(),
            &own(hosts),
            &own(origins),
            None,
        )
        .unwrap()
    }

    #[test]
    fn loopback_names_and_allowed_hosts_pass_others_do_not() {
        let p = policy(&["QA-Box"], &[]);
        for ok in [
            "localhost:8787",
            "LOCALHOST",
            "app.localhost:1",
            "127.0.0.1:8787",
            "127.1.2.3",
            "[::1]:8787",
            "qa-box:80",
        ] {
            assert!(p.host_allowed(ok), "{ok}");
        }
        for refused in [
            "evil.example:8787",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "",
            ":8787",
            "localhost:port",
            "[::1",
            "10.0.0.1:8787",
        ] {
            assert!(!p.host_allowed(refused), "{refused}");
        }
    }

    #[test]
    fn origins_are_normalised_and_star_is_refused() {
        let p = policy(
            &[],
            &["HTTPS://Staging.Example.com:443/", "http://localhost:3000"],
        );
        assert_eq!(
            p.origins(),
            ["https://staging.example.com", "http://localhost:3000"]
        );
        assert!(p.origin_allowed("https://staging.example.com", "127.0.0.1:8787"));
        assert!(p.origin_allowed("http://127.0.0.1:8787", "127.0.0.1:8787"));
        assert!(!p.origin_allowed("https://evil.example", "127.0.0.1:8787"));
        assert!(!p.origin_allowed("null", "127.0.0.1:8787"));
        for bad in [
            "*",
            "https://*.example.com",
            "https://x.example/path",
            "ftp://x",
            "x",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        assert!(
            parse_origin("*")
                .unwrap_err()
                .to_string()
                .contains("every web site")
        );
    }

    #[test]
    fn access_token_compares_whole_secrets_and_hides_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.txt");
        std::fs::write(&path, "0123456789abcdef-secret\nignored\n").unwrap();
        let token = AccessToken::read(&path).unwrap();
        assert!(token.matches(b"0123456789abcdef-secret"));
        assert!(!token.matches(b"0123456789abcdef-secre"));
        assert!(!token.matches(b""));
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        std::fs::write(&path, "short\n").unwrap();
        let err = AccessToken::read(&path).unwrap_err().to_string();
        assert!(err.contains("shorter than 16"), "{err}");
    }
}
