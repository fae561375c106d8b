//! Passphrases: each key of `mint` and `inspect` gets its own source, `keygen` never writes a
//! key in the clear when a passphrase was given, and the terminal prompt asks again when the
//! two entries of a new passphrase differ. Prompts are answered on a real pseudo-terminal.

use std::process::Command;

use crate::common::terminal::on_terminal;
use crate::common::*;
use serde_json::Value;

/// A sandbox with the brand key encrypted under one passphrase (`brand.pem`, `brand-pass.txt`)
/// and the stand-in's private key under another (`standin.pem`, `standin-pass.txt`).
fn two_encrypted_keys() -> Sandbox {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "standin-iadvize-private.pem"]);
    sb.write("brand-pass.txt", "brand passphrase\n");
    sb.write("standin-pass.txt", "stand-in passphrase\n");
    openssl_encrypt_pkcs8(
        sb.path(),
        "brand-private.pem",
        "brand-pass.txt",
        "brand.pem",
        false,
    );
    openssl_encrypt_pkcs8(
        sb.path(),
        "standin-iadvize-private.pem",
        "standin-pass.txt",
        "standin.pem",
        false,
    );
    set_mode(&sb.join("brand.pem"), 0o600);
    set_mode(&sb.join("standin.pem"), 0o600);
    sb
}

/// `mint` with both encrypted keys of [`two_encrypted_keys`].
const MINT: &[&str] = &[
    "mint",
    "--key",
    "brand.pem",
    "--iadvize-key",
    "standin.pem",
    "--user-id",
    "customer-1",
];

fn mint(sb: &Sandbox, extra: &[&str]) -> std::process::Output {
    run(sb.cmd().args(MINT).args(extra))
}

#[test]
fn each_key_of_mint_and_inspect_has_its_own_passphrase_file() {
    let sb = two_encrypted_keys();
    let out = mint(
        &sb,
        &[
            "--key-passphrase-file",
            "brand-pass.txt",
            "--iadvize-key-passphrase-file",
            "standin-pass.txt",
        ],
    );
    assert_exit(&out, 0);
    let token = stdout(&out).trim().to_string();

    // A key's own file comes before --passphrase-file, which covers the other key.
    let out = mint(
        &sb,
        &[
            "--passphrase-file",
            "brand-pass.txt",
            "--iadvize-key-passphrase-file",
            "standin-pass.txt",
        ],
    );
    assert_exit(&out, 0);
    // One file for both keys cannot open the second: the error names that key.
    let out = mint(&sb, &["--passphrase-file", "brand-pass.txt"]);
    assert_refused(&out, &["'standin.pem'", "wrong passphrase"]);

    let out = run(sb.cmd().args([
        "inspect",
        &token,
        "--decrypt-key",
        "standin.pem",
        "--decrypt-key-passphrase-file",
        "standin-pass.txt",
        "--verify-key",
        "brand.pem",
        "--verify-key-passphrase-file",
        "brand-pass.txt",
        "--json",
    ]));
    assert_exit(&out, 0);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let out = run(sb.cmd().args([
        "inspect",
        &token,
        "--decrypt-key",
        "standin.pem",
        "--verify-key",
        "brand.pem",
        "--passphrase-file",
        "standin-pass.txt",
    ]));
    assert_refused(&out, &["'brand.pem'", "wrong passphrase"]);
}

#[test]
fn without_a_terminal_the_error_names_the_flags_for_that_key() {
    let sb = two_encrypted_keys();
    let out = mint(&sb, &["--key-passphrase-file", "brand-pass.txt"]);
    assert_refused(
        &out,
        &[
            "cannot use key 'standin.pem': it needs a passphrase and there is no terminal",
            "--iadvize-key-passphrase-file FILE (this key)",
            "--passphrase-file FILE (every key)",
            "IADVIZE_AUTH_PASSPHRASE",
        ],
    );
    // A key's passphrase file needs that key.
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "brand.pem",
        "--iadvize-key-passphrase-file",
        "standin-pass.txt",
        "--user-id",
        "c",
    ]));
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("--iadvize-key <KEY>"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn keygen_refuses_a_passphrase_from_the_environment_without_encrypt() {
    let sb = Sandbox::new();
    let out = run(sb
        .cmd()
        .args(["keygen"])
        .env("IADVIZE_AUTH_PASSPHRASE", "meant for the key"));
    assert_refused(
        &out,
        &["IADVIZE_AUTH_PASSPHRASE", "--encrypt", "unencrypted"],
    );
    assert!(!sb.join("iadvize-keys").exists(), "nothing written");
    // As --passphrase-file without --encrypt is.
    sb.write("pass.txt", "meant for the key\n");
    let out = run(sb.cmd().args(["keygen", "--passphrase-file", "pass.txt"]));
    assert_refused(&out, &["--passphrase-file", "--encrypt"]);
    assert!(!sb.join("iadvize-keys").exists(), "nothing written");
}

#[test]
fn a_new_passphrase_is_asked_again_when_the_two_entries_differ() {
    let sb = Sandbox::new();
    let (seen, code) = on_terminal(
        &sb,
        &["keygen", "--encrypt"],
        &[
            ("New passphrase for", "first try"),
            ("Repeat the passphrase", "first-try"),
            ("New passphrase for", "second try"),
            ("Repeat the passphrase", "second try"),
        ],
    );
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("differ; try again"), "{seen}");
    assert!(!seen.contains("second try"), "no echo: {seen}");
    sb.write("second.txt", "second try\n");
    let opened = openssl(
        &[
            "pkey",
            "-in",
            "iadvize-keys/private-key.pem",
            "-passin",
            "file:second.txt",
            "-pubout",
        ],
        sb.path(),
    );
    assert_eq!(
        opened,
        std::fs::read(sb.join("iadvize-keys/public-key.pem")).unwrap(),
        "the key is encrypted with the passphrase entered twice alike"
    );
}

#[test]
fn an_empty_new_passphrase_is_asked_again() {
    let sb = Sandbox::new();
    let (seen, code) = on_terminal(
        &sb,
        &["keygen", "--encrypt"],
        &[
            ("New passphrase for", ""),
            ("New passphrase for", "not empty"),
            ("Repeat the passphrase", "not empty"),
        ],
    );
    assert_eq!(code, 0, "{seen}");
    assert!(
        seen.contains("An empty passphrase protects nothing; type one, or leave out --encrypt."),
        "{seen}"
    );
    sb.write("pass.txt", "not empty\n");
    assert_openssl_opens_keygen_pair(&sb);
    // Empty every time: nothing written, and the message says why.
    let sb = Sandbox::new();
    let answers = [("New passphrase for", ""); 3];
    let (seen, code) = on_terminal(&sb, &["keygen", "--encrypt"], &answers);
    assert_eq!(code, 2, "{seen}");
    assert!(
        seen.contains("no passphrase was typed twice alike in 3 tries (an empty one is refused); nothing was written"),
        "{seen}"
    );
    assert!(!sb.join("iadvize-keys").exists());
}

#[test]
fn three_differing_entries_write_nothing() {
    let sb = Sandbox::new();
    let mut answers = Vec::new();
    for attempt in ["a1", "b2", "c3"] {
        answers.push(("New passphrase for", attempt));
        answers.push(("Repeat the passphrase", "something else"));
    }
    let (seen, code) = on_terminal(&sb, &["keygen", "--encrypt"], &answers);
    assert_eq!(code, 2, "{seen}");
    assert!(
        seen.contains("differed 3 times; nothing was written"),
        "{seen}"
    );
    assert_eq!(seen.matches("New passphrase for").count(), 3, "{seen}");
    assert!(!sb.join("iadvize-keys").exists());
}

#[test]
fn each_encrypted_key_is_asked_for_by_name_on_the_terminal() {
    let sb = two_encrypted_keys();
    let (seen, code) = on_terminal(
        &sb,
        MINT,
        &[
            ("Passphrase for key 'brand.pem'", "brand passphrase"),
            ("Passphrase for key 'standin.pem'", "stand-in passphrase"),
        ],
    );
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("eyJ"), "a token: {seen}");
}

/// Runs the tool on a pseudo-terminal that the driver keeps open, waits for `prompt` and for
/// echo to be turned off, types Ctrl-C, and returns what the terminal showed, how the process
/// ended (negative: killed by that signal) and whether echo and line editing were back on.
fn ctrl_c_at_prompt(sb: &Sandbox, args: &[&str], prompt: &str) -> Value {
    const DRIVER: &str = r#"
import fcntl, json, os, select, signal, subprocess, sys, termios, time
argv, prompt = json.loads(sys.argv[1]), sys.argv[2].encode()
master, slave = os.openpty()
def child_setup():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # As a terminal's shell starts a command: SIGINT ends it, even where this suite was
    # started in the background of a shell (which ignores SIGINT for what it starts so).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
child = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                         preexec_fn=child_setup)
seen = b""
def drain(timeout):
    global seen
    ready, _, _ = select.select([master], [], [], timeout)
    if ready:
        try:
            seen += os.read(master, 4096)
        except OSError:
            pass
def lflag():
    return termios.tcgetattr(slave)[3]
deadline = time.time() + 30
while (prompt not in seen or lflag() & termios.ECHO) and time.time() < deadline:
    drain(0.05)
echo_off_at_prompt = not lflag() & termios.ECHO
os.write(master, b"\x03")
try:
    code = child.wait(timeout=30)
except subprocess.TimeoutExpired:
    child.kill()
    code = "hang"
drain(0.2)
print(json.dumps({"seen": seen.decode("utf-8", "replace"), "code": code,
                  "echo_off_at_prompt": echo_off_at_prompt,
                  "echo": bool(lflag() & termios.ECHO), "icanon": bool(lflag() & termios.ICANON)}))
"#;
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let mut argv = vec![bin.to_str().expect("utf-8 path").to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let mut cmd = Command::new("python3");
    cmd.args(["-c", DRIVER])
        .arg(serde_json::to_string(&argv).unwrap())
        .arg(prompt)
        .current_dir(sb.path())
        .env_remove("IADVIZE_AUTH_PASSPHRASE")
        .env_remove("IADVIZE_AUTH_KEY");
    let out = run(&mut cmd);
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).expect("driver JSON")
}

#[test]
fn ctrl_c_at_the_passphrase_prompt_gives_the_terminal_back_with_echo() {
    let sb = two_encrypted_keys();
    for (args, prompt) in [
        (&["keygen", "--encrypt"][..], "New passphrase for"),
        (
            &["pubkey", "brand.pem"][..],
            "Passphrase for key 'brand.pem'",
        ),
    ] {
        let result = ctrl_c_at_prompt(&sb, args, prompt);
        assert_eq!(result["echo_off_at_prompt"], true, "{args:?}: {result}");
        // Ended by the interrupt, as Ctrl-C ends any command.
        assert_eq!(result["code"], -2, "{args:?}: {result}");
        assert_eq!(result["echo"], true, "{args:?}: echo left off: {result}");
        assert_eq!(
            result["icanon"], true,
            "{args:?}: line editing left off: {result}"
        );
    }
    assert!(!sb.join("iadvize-keys").exists(), "nothing written");
}

#[test]
fn one_passphrase_file_that_can_be_read_only_once_serves_every_key() {
    let sb = two_encrypted_keys();
    openssl_encrypt_pkcs8(
        sb.path(),
        "standin-iadvize-private.pem",
        "brand-pass.txt",
        "standin-same.pem",
        false,
    );
    set_mode(&sb.join("standin-same.pem"), 0o600);
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    // `<(…)` is a pipe: the second key would read nothing from it.
    let script = format!(
        "{bin} mint --key brand.pem --iadvize-key standin-same.pem --user-id c-1 \
         --passphrase-file <(cat brand-pass.txt) > token.txt && \
         {bin} inspect @token.txt --decrypt-key standin-same.pem --verify-key brand.pem \
         --passphrase-file <(cat brand-pass.txt)",
        bin = bin.display()
    );
    let out = run(Command::new("bash")
        .args(["-c", &script])
        .current_dir(sb.path())
        .env_remove("IADVIZE_AUTH_PASSPHRASE"));
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("accepts this token as iAdvize would"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_named_pipe_is_read_when_its_writer_comes() {
    let sb = two_encrypted_keys();
    let made = Command::new("mkfifo")
        .arg(sb.join("pass.fifo"))
        .status()
        .unwrap();
    assert!(made.success());
    // The tool waits for the writer, as every Unix program opening a FIFO does.
    let writer = {
        let fifo = sb.join("pass.fifo");
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(500));
            std::fs::write(fifo, "brand passphrase\n").unwrap();
        })
    };
    let out = run(sb
        .cmd()
        .args(["pubkey", "brand.pem", "--passphrase-file", "pass.fifo"]));
    writer.join().unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("BEGIN PUBLIC KEY"),
        "{}",
        stdout(&out)
    );
}
