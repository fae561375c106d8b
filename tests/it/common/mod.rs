//! Shared helpers for the integration tests: they run the real binary in a temporary folder,
//! with the environment cleared of every variable the tool reads.

pub(crate) mod java;
pub(crate) mod library;
pub(crate) mod nimbus;
pub(crate) mod server;
pub(crate) mod terminal;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;

/// Variables the tool reads; a test sets them explicitly when it wants them.
const TOOL_ENV: &[&str] = &["IADVIZE_AUTH_PASSPHRASE", "IADVIZE_AUTH_KEY", "NO_COLOR"];

/// A temporary working folder with the fixtures copied in (private keys at mode 0600, as a
/// careful user keeps them; git does not record modes).
pub(crate) struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub(crate) fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A sandbox with these fixtures copied in.
    pub(crate) fn with_fixtures(names: &[&str]) -> Self {
        let sb = Sandbox::new();
        for name in names {
            sb.fixture(name);
        }
        sb
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Copies `tests/fixtures/NAME` into the sandbox and returns its path there.
    pub(crate) fn fixture(&self, name: &str) -> PathBuf {
        let to = self.join(name);
        std::fs::copy(fixture_path(name), &to).expect("copy fixture");
        set_mode(
            &to,
            if name.contains("private") {
                0o600
            } else {
                0o644
            },
        );
        to
    }

    pub(crate) fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let to = self.join(name);
        std::fs::write(&to, contents).expect("write file");
        to
    }

    /// The tool, run in this sandbox with a clean environment and no terminal on stdin.
    pub(crate) fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("iadvize-auth").expect("binary built");
        cmd.current_dir(self.path());
        for var in TOOL_ENV {
            cmd.env_remove(var);
        }
        cmd.stdin(std::process::Stdio::null());
        cmd
    }
}

/// The verbs, as `--help` lists them (man pages and the package have one for each).
pub(crate) const VERBS: &[&str] = &[
    "keygen",
    "pubkey",
    "mint",
    "inspect",
    "serve",
    "completions",
    "man",
];

pub(crate) fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Whether the tests run as root (who ignores file modes and may act as any user).
pub(crate) fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|me| me.uid() == 0)
}

pub(crate) fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

pub(crate) fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Runs a command with `stdin` bytes, failing the test if it does not finish in 60 s.
pub(crate) fn run_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut pipe = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // A writer thread, so a command that stops reading early cannot deadlock the test.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let output = wait_with_timeout(child, 60);
    let _ = writer.join();
    output
}

/// Runs a command with no stdin, failing the test if it does not finish in 60 s.
pub(crate) fn run(cmd: &mut Command) -> Output {
    use std::process::Stdio;
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    wait_with_timeout(child, 60)
}

fn wait_with_timeout(mut child: std::process::Child, seconds: u64) -> Output {
    use std::io::Read;
    use wait_timeout::ChildExt;
    // Drain both pipes while waiting, so a child with a lot to say never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = match child
        .wait_timeout(std::time::Duration::from_secs(seconds))
        .expect("wait")
    {
        Some(status) => status,
        None => {
            let _ = child.kill();
            panic!("command did not finish within {seconds} s (a hang)");
        }
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Standard error without the note `mint` gives on every run about its recipient (production
/// or a stand-in): what else it said.
pub(crate) fn stderr_besides_recipient_note(output: &Output) -> String {
    stderr(output)
        .lines()
        .filter(|line| !line.starts_with("note: encrypting to "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Asserts the exit code, showing stdout and stderr when it differs.
#[track_caller]
pub(crate) fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        stdout(output),
        stderr(output)
    );
}

/// Asserts a refusal: exit 2, nothing on stdout, one `error:` line on stderr that contains
/// every `needle`. Returns the message.
#[track_caller]
pub(crate) fn assert_refused(output: &Output, needles: &[&str]) -> String {
    assert_exit(output, 2);
    assert!(
        output.stdout.is_empty(),
        "stdout should be empty:\n{}",
        stdout(output)
    );
    let err = stderr(output);
    let error_lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "one error line expected:\n{err}");
    assert!(!err.contains("panicked"), "panic:\n{err}");
    for needle in needles {
        assert!(
            error_lines[0].contains(needle),
            "error should mention {needle:?}:\n{err}"
        );
    }
    error_lines[0].to_string()
}

/// A sandbox with the rehearsal's four keys: the brand's pair and the stand-in's pair.
pub(crate) fn rehearsal_sandbox() -> Sandbox {
    Sandbox::with_fixtures(&[
        "brand-private.pem",
        "brand-public.pem",
        "standin-iadvize-private.pem",
        "standin-iadvize-public.pem",
    ])
}

/// The check `id` of an `inspect --json` report.
pub(crate) fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .expect("a report's checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// The ids of the checks that failed in an `inspect --json` report, in report order.
pub(crate) fn failing_checks(report: &serde_json::Value) -> Vec<&str> {
    report["checks"]
        .as_array()
        .expect("a report's checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().expect("a check's id"))
        .collect()
}

/// The command `mint` signing with `brand-private.pem` and encrypting to the rehearsal
/// stand-in `standin-iadvize-public.pem` (both fixtures must be in the sandbox), for a test to
/// add its arguments and run.
pub(crate) fn rehearsal_mint_cmd(sb: &Sandbox) -> Command {
    let mut cmd = sb.cmd();
    cmd.args([
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "standin-iadvize-public.pem",
    ]);
    cmd
}

/// [`rehearsal_mint_cmd`] with `args`, run.
pub(crate) fn rehearsal_mint(sb: &Sandbox, args: &[&str]) -> Output {
    run(rehearsal_mint_cmd(sb).args(args))
}

/// A token for `user_id`, signed with `brand-private.pem` and encrypted to the rehearsal
/// stand-in `standin-iadvize-public.pem` (both fixtures must be in the sandbox).
pub(crate) fn rehearsal_token(sb: &Sandbox, user_id: &str) -> String {
    rehearsal_token_with(sb, "brand-private.pem", user_id, &[])
}

/// The same, signed with the sandbox's `signing_key`, with `more` arguments for `mint`.
pub(crate) fn rehearsal_token_with(
    sb: &Sandbox,
    signing_key: &str,
    user_id: &str,
    more: &[&str],
) -> String {
    let out = run(sb
        .cmd()
        .args(["mint", "--key", signing_key, "--iadvize-key"])
        .args(["standin-iadvize-public.pem", "--user-id", user_id])
        .args(more));
    assert_exit(&out, 0);
    stdout(&out).trim().to_string()
}

/// Runs `program` with arguments in `dir`, panicking with its stderr on failure; returns
/// stdout.
pub(crate) fn tool(program: &str, args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} is installed (scripts/test installs it): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `openssl` with arguments, panicking with its stderr on failure; returns stdout.
pub(crate) fn openssl(args: &[&str], dir: &Path) -> Vec<u8> {
    tool("openssl", args, dir)
}

/// Checks, with openssl, that keygen's encrypted private key in `sb`'s `iadvize-keys/` opens with
/// the passphrase of `pass.txt` and that its public half is the public key file written beside it.
pub(crate) fn assert_openssl_opens_keygen_pair(sb: &Sandbox) {
    let opened = openssl(
        &[
            "pkey",
            "-in",
            "iadvize-keys/private-key.pem",
            "-passin",
            "file:pass.txt",
            "-pubout",
        ],
        sb.path(),
    );
    assert_eq!(
        opened,
        std::fs::read(sb.join("iadvize-keys/public-key.pem")).unwrap()
    );
}

/// The member names of a JSON object, sorted: what a record's schema has.
pub(crate) fn sorted_keys(object: &serde_json::Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// Exports a PEM key in `sb` as a JWK with Node's own crypto module (independent of this tool).
pub(crate) fn node_jwk(sb: &Sandbox, pem: &str, private: bool) -> String {
    let script = format!(
        "const c=require('crypto');const fs=require('fs');\
         const k=c.create{kind}Key(fs.readFileSync('{pem}'));\
         process.stdout.write(JSON.stringify(k.export({{format:'jwk'}})));",
        kind = if private { "Private" } else { "Public" }
    );
    let out = tool("node", &["-e", &script], sb.path());
    String::from_utf8(out).expect("utf-8")
}

/// Encrypts the PKCS#8 key `key` (in `dir`) to `out` with openssl's PBES2 (PBKDF2 +
/// AES-256-CBC), as a brand's own tooling would, with the passphrase on the first line of
/// `pass_file`; DER instead of PEM with `der`.
pub(crate) fn openssl_encrypt_pkcs8(dir: &Path, key: &str, pass_file: &str, out: &str, der: bool) {
    let passout = format!("file:{pass_file}");
    let mut args = vec![
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        key,
        "-passout",
        &passout,
        "-out",
        out,
    ];
    if der {
        args.extend(["-outform", "DER"]);
    }
    openssl(&args, dir);
}

/// SHA-256 of a public key's DER, computed by openssl (an implementation independent of ours).
pub(crate) fn openssl_fingerprint(key_file: &Path, is_public: bool) -> String {
    let dir = key_file.parent().expect("parent");
    let key = key_file.to_str().expect("utf-8 path");
    let mut args = vec!["pkey", "-in", key, "-pubout", "-outform", "DER"];
    if is_public {
        args.insert(1, "-pubin");
    }
    let der = openssl(&args, dir);
    let out = dir.join(".fingerprint.der");
    std::fs::write(&out, der).expect("write der");
    let digest = openssl(
        &["dgst", "-sha256", "-r", out.to_str().expect("utf-8")],
        dir,
    );
    String::from_utf8_lossy(&digest)
        .split_whitespace()
        .next()
        .expect("digest")
        .to_string()
}

/// Installs the independent JOSE implementations once per test process (tests/interop/setup.sh)
/// and returns the folder they live in.
pub(crate) fn interop_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Command::new("bash")
            .arg(root.join("tests/interop/setup.sh"))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "tests/interop/setup.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        root.join("target/interop")
    })
}

fn interop_run(mut cmd: Command, stdin: &str) -> String {
    cmd.env("INTEROP_DIR", interop_dir());
    let out = run_with_stdin(&mut cmd, stdin.as_bytes());
    assert!(
        out.status.success(),
        "interop tool failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs `tests/interop/jwcrypto_tool.py` with python jwcrypto.
pub(crate) fn jwcrypto(args: &[&str], stdin: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(interop_dir().join("venv/bin/python"));
    cmd.arg(root.join("tests/interop/jwcrypto_tool.py"))
        .args(args);
    interop_run(cmd, stdin)
}

/// Runs `tests/interop/jose_tool.mjs` with node jose.
pub(crate) fn node_jose(args: &[&str], stdin: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new("node");
    cmd.arg(root.join("tests/interop/jose_tool.mjs")).args(args);
    interop_run(cmd, stdin)
}

/// Which independent implementation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Jose {
    Jwcrypto,
    NodeJose,
}

/// Decrypts and verifies tokens (one per line) with an independent implementation; one JSON
/// value per token: `{jwe_header, jws_header, claims, jws}` or `{error}`.
pub(crate) fn open_tokens(
    with: Jose,
    tokens: &str,
    decrypt_key: &Path,
    verify_key: &Path,
) -> Vec<serde_json::Value> {
    let args = [
        "open",
        "--decrypt-key",
        decrypt_key.to_str().expect("utf-8"),
        "--verify-key",
        verify_key.to_str().expect("utf-8"),
    ];
    let out = match with {
        Jose::Jwcrypto => jwcrypto(&args, tokens),
        Jose::NodeJose => node_jose(&args, tokens),
    };
    out.lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect()
}

/// Builds tokens with python jwcrypto from specs (see tests/interop/jwcrypto_tool.py).
pub(crate) fn make_tokens(specs: &serde_json::Value) -> Vec<String> {
    let out = jwcrypto(&["make"], &specs.to_string());
    serde_json::from_str(&out).expect("JSON array of tokens")
}
