//! `iadvize-auth serve` as the tests run it: the real binary on a free loopback port, and a
//! minimal HTTP/1.1 client (one request per connection) that shows exactly what was sent back.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Sandbox;

/// `serve` with the brand fixture signing and the stand-in fixture as iAdvize.
pub(crate) const STANDIN_ARGS: &[&str] = &[
    "--key",
    "brand-private.pem",
    "--iadvize-key",
    "standin-iadvize-private.pem",
];

/// A running server; killed when dropped.
pub(crate) struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// `127.0.0.1:PORT`
    pub address: String,
    stderr: Arc<Mutex<String>>,
}

/// An HTTP answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): status {} {}", self.status, self.body))
    }

    /// Asserts a JSON error with this status whose message contains every needle.
    #[track_caller]
    pub(crate) fn assert_error(&self, status: u16, needles: &[&str]) -> String {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let message = self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error member: {}", self.body))
            .to_string();
        for needle in needles {
            assert!(message.contains(needle), "{needle:?} not in {message:?}");
        }
        message
    }
}

fn drain(pipe: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            into.lock().unwrap().push_str(&line);
            line.clear();
        }
    });
}

impl Server {
    /// Starts `serve ARGS --listen 127.0.0.1:0 --ready-file …` in the sandbox and waits for
    /// the ready line. `--listen` is added only when ARGS has none.
    pub(crate) fn start(sb: &Sandbox, args: &[&str]) -> Server {
        let ready = sb.join(&format!("ready-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&ready);
        let mut cmd = sb.cmd();
        cmd.arg("serve").args(args);
        if !args.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        cmd.arg("--ready-file").arg(&ready);
        Self::spawn(cmd, Some(ready))
    }

    /// Starts `serve ARGS --listen 127.0.0.1:0` and reads the ready line from its stdout.
    pub(crate) fn start_reading_stdout(sb: &Sandbox, args: &[&str]) -> Server {
        let mut cmd = sb.cmd();
        cmd.arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"]);
        Self::spawn(cmd, None)
    }

    fn spawn(mut cmd: std::process::Command, ready: Option<PathBuf>) -> Server {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stdout = Arc::new(Mutex::new(String::new()));
        drain(child.stderr.take().expect("stderr"), stderr.clone());
        drain(child.stdout.take().expect("stdout"), stdout.clone());
        let start = Instant::now();
        let line = loop {
            let text = match &ready {
                Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
                None => stdout.lock().unwrap().clone(),
            };
            if let Some(line) = text.lines().next().filter(|_| text.contains('\n')) {
                break line.to_string();
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "serve exited {status} before it was ready:\n{}",
                    stderr.lock().unwrap()
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "serve not ready after 60 s:\n{}",
                stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // The banner is written before the ready line, but the thread that drains stderr may
        // not have read all of it yet: wait for its last line.
        while !stderr.lock().unwrap().contains("Ctrl-C stops the server.")
            && start.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let ready: serde_json::Value = serde_json::from_str(&line).expect("ready line is JSON");
        assert_eq!(ready["event"], "listening", "{line}");
        let url = ready["url"].as_str().expect("url").to_string();
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server {
            child: Some(child),
            url,
            address,
            stderr,
        }
    }

    /// The server's resident memory in KiB (VmRSS), as the system counts it.
    pub(crate) fn resident_kib(&self) -> u64 {
        let pid = self.child.as_ref().expect("running").id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    pub(crate) fn post(&self, path: &str, body: &str) -> Reply {
        self.request("POST", path, &[], body.as_bytes())
    }

    /// One request on its own connection, `Host` set to the server's address unless given.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.address));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        let mut stream = self.connect();
        stream.write_all(head.as_bytes()).expect("send head");
        // A server that refuses a large body may close before reading it all.
        let _ = stream.write_all(body);
        read_reply(&mut stream)
    }

    pub(crate) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream
    }

    /// Sends SIGTERM and waits for the exit.
    pub(crate) fn stop(self) -> (ExitStatus, String) {
        let limit = Duration::from_secs(30);
        let (status, took, log) = self.stop_within(limit);
        let status = status
            .unwrap_or_else(|| panic!("serve did not stop within {took:?} of SIGTERM:\n{log}"));
        (status, log)
    }

    /// Sends SIGTERM and waits for the exit, `limit` at most (then kills it): the exit status
    /// (`None` when it had to be killed), how long it took, and the log.
    pub(crate) fn stop_within(mut self, limit: Duration) -> (Option<ExitStatus>, Duration, String) {
        let mut child = self.child.take().expect("running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = start.elapsed();
        // Let the reader threads take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        (status, took, self.stderr())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A client that sends `requests` pipelined on one connection and never reads the answers
/// (the rest of `requests`, once the server stops taking them, is never sent).
pub(crate) fn never_reading(address: &str, requests: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_nonblocking(true).expect("non-blocking");
    let mut sent = 0;
    while sent < requests.len() {
        match stream.write(&requests[sent..]) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    stream
}

/// Reads a whole `Connection: close` answer.
pub(crate) fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_reply(&raw)
}

pub(crate) fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete HTTP answer: {text:?}"));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Reads until the server closes the connection; what it sent, if anything, as text.
pub(crate) fn read_reply_or_close(stream: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}
