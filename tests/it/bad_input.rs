//! The bad-input matrix of docs/security.md: each row runs the real binary and checks the exit
//! code, a one-line message naming the input, no panic, and nothing left behind; every row's
//! exit code and whole message are kept in a snapshot (`snapshots/`), so that a changed message
//! is reviewed. Every output is also searched for the passphrase and the private key's bytes:
//! no error may leak them. Then what every verb does with too much input, with two inputs on
//! standard input, with a closed output, and with a cause said twice.

use std::process::{Command, Output};

use crate::common::*;
use base64::Engine as _;
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::{EncodePem, pem::LineEnding};
use pkcs8::pkcs5::pbes2;

const PASSPHRASE: &str = "s3cret-Passphrase-for-tests";

/// The uid tests use to meet permission checks that root would walk through.
const NOBODY: &str = "65534";

/// The command, run as `nobody` when the tests run as root (root ignores file modes).
fn as_unprivileged(sb: &Sandbox, args: &[&str]) -> Command {
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let mut cmd = if running_as_root() {
        set_mode(sb.path(), 0o755);
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"])
            .arg(bin);
        cmd
    } else {
        Command::new(bin)
    };
    cmd.args(args).current_dir(sb.path());
    cmd.env_remove("IADVIZE_AUTH_PASSPHRASE")
        .env_remove("IADVIZE_AUTH_KEY");
    cmd
}

struct Lab {
    sb: Sandbox,
    outputs: Vec<(String, Output)>,
    /// Each row's name, exit code and whole message, for the snapshot.
    messages: String,
}

impl Lab {
    fn new() -> Self {
        let sb = Sandbox::with_fixtures(&[
            "brand-private.pem",
            "brand-public.pem",
            "standin-iadvize-public.pem",
            "ec-private.pem",
            "ed25519-private.pem",
            "rsa1024-private.pem",
        ]);
        sb.write("pass.txt", format!("{PASSPHRASE}\n"));
        // Readable by others, as the usual umask leaves a new file (and warned about), whatever
        // the umask of the run: the messages are compared whole.
        set_mode(&sb.write("wrong.txt", "not-the-passphrase\n"), 0o644);
        openssl_encrypt_pkcs8(
            sb.path(),
            "brand-private.pem",
            "pass.txt",
            "encrypted.pem",
            false,
        );
        Lab {
            sb,
            outputs: Vec::new(),
            messages: String::new(),
        }
    }

    /// Runs a row and checks it: `code`, and for exit 2 a single `error:` line naming `needle`.
    /// Its exit code and whole message go to the snapshot: standard error, and for a report
    /// (`--json`, exit 1) the message of each check that failed.
    fn row(
        &mut self,
        name: &str,
        cmd: &mut Command,
        stdin: Option<&[u8]>,
        code: i32,
        needle: &str,
    ) {
        let json = cmd.get_args().any(|arg| arg == "--json");
        let out = match stdin {
            Some(bytes) => run_with_stdin(cmd, bytes),
            None => run(cmd),
        };
        assert_eq!(out.status.code(), Some(code), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{name}: {err}");
        if code == 2 && json {
            // With --json, scripts read the error on stdout too: one JSON object.
            let error: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{name}: {e}: {}", stdout(&out)));
            assert!(
                error["error"].as_str().unwrap().contains(needle),
                "{name}: {error}"
            );
        } else if code == 2 {
            assert!(out.stdout.is_empty(), "{name}: stdout {}", stdout(&out));
        }
        if code == 2 {
            let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
            assert_eq!(errors.len(), 1, "{name}: {err}");
            assert!(
                errors[0].contains(needle),
                "{name}: {:?} not in {err}",
                needle
            );
        } else {
            assert!(
                stdout(&out).contains(needle) || err.contains(needle),
                "{name}: {needle:?} not in output"
            );
        }
        self.record(name, &out, json);
        self.outputs.push((name.to_string(), out));
    }

    fn record(&mut self, name: &str, out: &Output, json: bool) {
        let mut entry = format!("{name}: exit {}\n", out.status.code().unwrap_or(-1));
        let sandbox = self.sb.path().to_str().expect("a UTF-8 path");
        for line in stderr(out).lines() {
            entry.push_str(&format!("  {}\n", line.replace(sandbox, "[SANDBOX]")));
        }
        if json && out.status.code() == Some(1) {
            let report: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("a JSON report");
            for id in failing_checks(&report) {
                let message = check(&report, id)["message"].as_str().expect("a message");
                entry.push_str(&format!("  {id}: {message}\n"));
            }
        }
        self.messages.push_str(&entry);
        self.messages.push('\n');
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.sb.cmd();
        cmd.args(args);
        cmd
    }

    fn inspect_stdin(&mut self, name: &str, input: &[u8], code: i32, needle: &str) {
        let mut cmd = self.cmd(&["inspect", "-", "--json"]);
        self.row(name, &mut cmd, Some(input), code, needle);
    }

    fn pubkey_file(&mut self, name: &str, file: &str, code: i32, needle: &str) {
        let mut cmd = self.cmd(&["pubkey", file, "--passphrase-file", "wrong.txt"]);
        self.row(name, &mut cmd, None, code, needle);
    }

    /// No output of any row contains the passphrase or a piece of the private key.
    fn assert_no_secret_leaked(&self) {
        let pem = std::fs::read_to_string(self.sb.join("brand-private.pem")).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(&body)
            .unwrap();
        // The private exponent sits after the modulus and exponent: take key bytes from the
        // second half of the DER, in several encodings an error might print them in.
        let secret = &der[der.len() / 2..der.len() / 2 + 24];
        let needles = [
            PASSPHRASE.to_string(),
            body[body.len() / 2..body.len() / 2 + 32].to_string(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
        ];
        for (name, out) in &self.outputs {
            let text = format!("{}{}", stdout(out), stderr(out));
            for needle in &needles {
                assert!(
                    !text.contains(needle.as_str()),
                    "{name} leaked a secret: {text}"
                );
            }
        }
    }
}

/// An encrypted PKCS#8 PEM whose key derivation is `kdf`; the content is not a real key (the
/// cost must be refused before anything is decrypted).
fn encrypted_key_with_kdf(kdf: pbes2::Kdf) -> String {
    let scheme = pkcs8::pkcs5::EncryptionScheme::Pbes2(pbes2::Parameters {
        kdf,
        encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [9; 16] },
    });
    let data = [0x5a_u8; 1232];
    let info = pkcs8::EncryptedPrivateKeyInfoRef {
        encryption_algorithm: scheme,
        encrypted_data: OctetStringRef::new(&data).unwrap(),
    };
    info.to_pem(LineEnding::LF).unwrap()
}

#[test]
fn the_bad_input_matrix() {
    let mut lab = Lab::new();
    let valid = rehearsal_token(&lab.sb, "c");
    let parts: Vec<&str> = valid.split('.').collect();

    // Tokens.
    lab.inspect_stdin("empty stdin", b"", 2, "no token given");
    lab.inspect_stdin(
        "token with 6 parts",
        format!("{valid}.e30").as_bytes(),
        1,
        "6 parts",
    );
    lab.inspect_stdin("token with 2 parts", b"e30.e30", 1, "2 parts");
    lab.inspect_stdin(
        "invalid base64url",
        format!("{}.{}.!!.{}.{}", parts[0], parts[1], parts[3], parts[4]).as_bytes(),
        1,
        "base64url",
    );
    lab.inspect_stdin(
        "header that is JSON but not an object",
        format!(
            "WzEsMl0.{}.{}.{}.{}",
            parts[1], parts[2], parts[3], parts[4]
        )
        .as_bytes(),
        1,
        "JSON an array instead of an object",
    );
    let big_header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        r#"{{"alg":"RSA-OAEP-256","x":"{}"}}"#,
        "a".repeat(1024 * 1024)
    ));
    lab.inspect_stdin(
        "header of 1 MiB",
        format!("{big_header}.{}", parts[1..].join(".")).as_bytes(),
        1,
        "characters long",
    );
    lab.inspect_stdin(
        "non-UTF-8 bytes",
        b"\xff\xfe\xfd.\x80.\x81",
        1,
        "not valid JSON",
    );
    let mut cmd = lab.cmd(&["pubkey", "-"]);
    lab.row(
        "non-UTF-8 bytes as a key",
        &mut cmd,
        Some(b"\xff\xfe\x00\x01garbage"),
        2,
        "standard input",
    );

    // Key files.
    std::fs::create_dir(lab.sb.join("a-directory")).unwrap();
    lab.pubkey_file(
        "key file that is a directory",
        "a-directory",
        2,
        "a-directory",
    );
    lab.pubkey_file("missing key file", "missing.pem", 2, "missing.pem");
    lab.pubkey_file("EC key", "ec-private.pem", 2, "not an RSA key");
    lab.pubkey_file("Ed25519 key", "ed25519-private.pem", 2, "Ed25519");
    lab.pubkey_file("RSA 1024 on read", "rsa1024-private.pem", 0, "1024 bits");
    let mut cmd = lab.cmd(&["mint", "--key", "rsa1024-private.pem", "--user-id", "c"]);
    lab.row("RSA 1024 for signing", &mut cmd, None, 2, "1024 bits");
    lab.pubkey_file(
        "PKCS#8 with the wrong passphrase",
        "encrypted.pem",
        2,
        "wrong passphrase",
    );
    let mut cmd = lab.cmd(&[
        "mint",
        "--key",
        "encrypted.pem",
        "--user-id",
        "c",
        "--passphrase-file",
        "wrong.txt",
    ]);
    lab.row(
        "mint with the wrong passphrase",
        &mut cmd,
        None,
        2,
        "wrong passphrase",
    );
    let mut cmd = lab.cmd(&["pubkey", "encrypted.pem"]);
    cmd.env("IADVIZE_AUTH_PASSPHRASE", "also-wrong");
    lab.row(
        "wrong passphrase from the environment",
        &mut cmd,
        None,
        2,
        "wrong passphrase",
    );
    // Found by fuzzing: the key-derivation cost is read from the file, so a crafted key could
    // make the tool compute for hours or allocate gigabytes before the passphrase is judged.
    lab.sb.write(
        "pbkdf2-4-billion-rounds.pem",
        encrypted_key_with_kdf(pbes2::Kdf::Pbkdf2(pbes2::Pbkdf2Params {
            salt: pbes2::Salt::new([7; 16]).unwrap(),
            iteration_count: u32::MAX,
            key_length: None,
            prf: pbes2::Pbkdf2Prf::HmacWithSha256,
        })),
    );
    lab.pubkey_file(
        "encrypted PKCS#8 asking for 4 billion PBKDF2 rounds",
        "pbkdf2-4-billion-rounds.pem",
        2,
        "iterations",
    );
    lab.sb.write(
        "scrypt-64-gib.pem",
        encrypted_key_with_kdf(pbes2::Kdf::Scrypt(pbes2::ScryptParams {
            salt: pbes2::Salt::new([7; 16]).unwrap(),
            cost_parameter: 1 << 26,
            block_size: 8,
            parallelization: 1,
            key_length: None,
        })),
    );
    lab.pubkey_file(
        "encrypted PKCS#8 asking for 64 GiB of scrypt memory",
        "scrypt-64-gib.pem",
        2,
        "MiB of memory",
    );
    lab.sb.write("missing-n.jwk", r#"{"kty":"RSA","e":"AQAB"}"#);
    lab.pubkey_file(
        "JWK with missing members",
        "missing-n.jwk",
        2,
        "\"n\" is missing",
    );
    lab.sb
        .write("array.jwk", r#"[{"kty":"RSA","n":"AQAB","e":"AQAB"}]"#);
    lab.pubkey_file("JWK that is a JSON array", "array.jwk", 2, "JSON array");

    // Unreadable key file: as an unprivileged user, a mode 000 file cannot be opened.
    let locked = lab.sb.fixture("brand-public.pem");
    let locked_copy = lab.sb.join("locked.pem");
    std::fs::rename(&locked, &locked_copy).unwrap();
    set_mode(&locked_copy, 0o000);
    let mut cmd = as_unprivileged(&lab.sb, &["pubkey", "locked.pem"]);
    lab.row(
        "unreadable key file (mode 000)",
        &mut cmd,
        None,
        2,
        "locked.pem",
    );

    // Output files.
    std::fs::create_dir(lab.sb.join("keys")).unwrap();
    let target = lab.sb.write("elsewhere.txt", "untouched");
    std::os::unix::fs::symlink(&target, lab.sb.join("keys/private-key.pem")).unwrap();
    let mut cmd = lab.cmd(&["keygen", "--out-dir", "keys"]);
    lab.row(
        "symlink where the private key should go",
        &mut cmd,
        None,
        2,
        "keys/private-key.pem",
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert_eq!(std::fs::read_dir(lab.sb.join("keys")).unwrap().count(), 1);

    std::fs::create_dir(lab.sb.join("read-only")).unwrap();
    set_mode(&lab.sb.join("read-only"), 0o555);
    let mut cmd = as_unprivileged(&lab.sb, &["keygen", "--out-dir", "read-only"]);
    lab.row(
        "read-only output folder",
        &mut cmd,
        None,
        2,
        "read-only/private-key.pem",
    );
    assert_eq!(
        std::fs::read_dir(lab.sb.join("read-only")).unwrap().count(),
        0
    );

    lab.assert_no_secret_leaked();
    insta::assert_snapshot!(lab.messages);
}

#[test]
fn a_large_stdin_is_refused_after_reading_at_most_a_little_over_its_limit() {
    let sb = Sandbox::new();
    // inspect reads up to 64 MiB (HAR files are large), pubkey 1 MiB.
    for (args, total, limit) in [
        (&["inspect", "-"][..], 80, 64),
        (&["pubkey", "-"][..], 50, 1),
    ] {
        let mut child = sb
            .cmd()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let chunk = vec![b'A'; 64 * 1024];
            let mut written = 0usize;
            while written < total * 1024 * 1024 {
                if pipe.write_all(&chunk).is_err() {
                    break;
                }
                written += chunk.len();
            }
            written
        });
        let out = child.wait_with_output().unwrap();
        let written = writer.join().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("larger than"), "{}", stderr(&out));
        // The tool stops reading at the limit: the rest of the 50 MB was never taken in.
        assert!(
            written < (limit + 3) * 1024 * 1024,
            "{args:?}: {written} bytes were accepted"
        );
    }
}

/// Standard input can be read once: every verb that could read it twice refuses, naming both
/// inputs, before it reads anything; a verb with one such input reads it.
#[test]
fn every_verb_reads_standard_input_once() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "standin-iadvize-private.pem"]);
    let key = std::fs::read(sb.join("brand-private.pem")).unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["mint", "--key", "-", "--user-ids", "-"],
            "--key - and --user-ids - cannot both read standard input",
        ),
        (
            &[
                "mint",
                "--key",
                "-",
                "--user-ids",
                "-",
                "--iadvize-key",
                "-",
            ],
            "--key -, --user-ids - and --iadvize-key - cannot all read standard input",
        ),
        (
            &["inspect", "-", "--decrypt-key", "-"],
            "the text to inspect (-) and --decrypt-key - cannot both read standard input",
        ),
        (
            &["inspect", "--verify-key", "-"],
            "the text to inspect (-) and --verify-key - cannot both read standard input",
        ),
        (
            &[
                "decode",
                "eyJ.x.y",
                "--decrypt-key",
                "-",
                "--verify-key",
                "-",
            ],
            "--decrypt-key - and --verify-key - cannot both read standard input",
        ),
        (
            &["serve", "--key", "-", "--iadvize-key", "-"],
            "--key - and --iadvize-key - cannot both read standard input",
        ),
    ];
    for (args, message) in cases {
        let out = run_with_stdin(sb.cmd().args(args), &key);
        assert_refused(&out, &[message]);
    }
    // One reader: the key piped in is read.
    let out = run_with_stdin(sb.cmd().args(["pubkey", "-", "--format", "base64"]), &key);
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("MIIBIjAN"), "{}", stdout(&out));
}

/// Every kind of output into a pipe nobody reads (`… | head -0`, a closed consumer) ends
/// quietly with exit 0, JSON included.
#[test]
fn a_closed_stdout_ends_every_output_quietly() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "standin-iadvize-public.pem"]);
    let token = rehearsal_token(&sb, "c");
    let cases: [&[&str]; 6] = [
        &["pubkey", "--iadvize", "--json"],
        &["pubkey", "--iadvize", "--format", "jwk"],
        &["pubkey", "--iadvize"],
        &["keygen", "--json", "--out-dir", "closed-pipe-keys"],
        &["inspect", &token, "--json"],
        &["inspect", &token],
    ];
    for args in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sb
            .cmd()
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        // Without keys, inspect cannot tell (3): its verdict, not the closed pipe's.
        let expected = if args[0] == "inspect" { 3 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("error"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// An error says each cause once: no `wrong passphrase: wrong passphrase`, whatever verb reads
/// the key, and no message part repeated after the next colon.
#[test]
fn no_error_says_its_cause_twice() {
    let sb = Sandbox::with_fixtures(&[
        "brand-private.pem",
        "brand-public.pem",
        "rsa1024-private.pem",
    ]);
    sb.write("right.txt", "right passphrase\n");
    sb.write("wrong.txt", "wrong passphrase\n");
    openssl_encrypt_pkcs8(
        sb.path(),
        "brand-private.pem",
        "right.txt",
        "enc.pem",
        false,
    );
    let wrong = ["--passphrase-file", "wrong.txt"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            [&["mint", "--key", "enc.pem", "--user-id", "c"][..], &wrong].concat(),
            "wrong passphrase",
        ),
        (
            [
                &["inspect", "a.b.c", "--decrypt-key", "enc.pem"][..],
                &wrong,
            ]
            .concat(),
            "wrong passphrase",
        ),
        (
            [&["pubkey", "enc.pem"][..], &wrong].concat(),
            "wrong passphrase",
        ),
        (
            vec!["mint", "--key", "rsa1024-private.pem", "--user-id", "c"],
            "1024 bits",
        ),
        (
            vec!["inspect", "a.b.c", "--decrypt-key", "brand-public.pem"],
            "public key",
        ),
    ];
    for (args, cause) in cases {
        let out = run(sb.cmd().args(&args));
        let line = assert_refused(&out, &[cause]);
        assert_eq!(line.matches(cause).count(), 1, "{args:?}: {line}");
        let parts: Vec<&str> = line.trim().split(": ").collect();
        for pair in parts.windows(2) {
            assert_ne!(pair[0], pair[1], "{args:?}: {line}");
        }
    }
}
