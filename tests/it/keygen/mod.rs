//! `keygen`: keys that openssl accepts, files that are never lost, passphrases never on argv.

mod crash;

use std::process::Command;

use crate::common::*;
use serde_json::Value;

fn keygen_json(sb: &Sandbox, extra: &[&str]) -> Value {
    let out = run(sb.cmd().arg("keygen").arg("--json").args(extra));
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).expect("keygen --json prints JSON")
}

#[test]
fn generated_key_passes_openssl_and_figures_match_independent_computation() {
    let sb = Sandbox::new();
    let report = keygen_json(&sb, &[]);
    let private = sb.join("iadvize-keys/private-key.pem");
    let public = sb.join("iadvize-keys/public-key.pem");

    let check = openssl(
        &[
            "pkey",
            "-in",
            "iadvize-keys/private-key.pem",
            "-check",
            "-noout",
        ],
        sb.path(),
    );
    assert!(String::from_utf8_lossy(&check).contains("valid"));
    let derived = openssl(
        &["pkey", "-in", "iadvize-keys/private-key.pem", "-pubout"],
        sb.path(),
    );
    assert_eq!(derived, std::fs::read(&public).unwrap(), "public half");
    let pem = std::fs::read_to_string(&private).unwrap();
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "PKCS#8: {pem:.40}"
    );
    let public_pem = std::fs::read_to_string(&public).unwrap();
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));

    assert_eq!(
        report["sha256_fingerprint"].as_str().unwrap(),
        openssl_fingerprint(&public, true)
    );
    let der = openssl(
        &[
            "pkey",
            "-pubin",
            "-in",
            "iadvize-keys/public-key.pem",
            "-outform",
            "DER",
        ],
        sb.path(),
    );
    let base64_line = openssl_base64(&sb, &der);
    assert_eq!(report["public_key_base64"].as_str().unwrap(), base64_line);
    assert_eq!(report["bits"], 2048);
    assert_eq!(report["encrypted"], false);
    assert_eq!(report["private_key_path"], "iadvize-keys/private-key.pem");
    assert_eq!(report["public_key_path"], "iadvize-keys/public-key.pem");
    assert_eq!(
        sorted_keys(&report),
        [
            "bits",
            "encrypted",
            "jwk_thumbprint",
            "openssh_fingerprint",
            "private_key_path",
            "public_key_base64",
            "public_key_path",
            "sha256_fingerprint"
        ]
    );
    let thumbprint = report["jwk_thumbprint"].as_str().unwrap();
    assert_eq!(thumbprint.len(), 43, "base64url SHA-256: {thumbprint}");
    // The OpenSSH form as pubkey gives it (which tests/it/pubkey checks against ssh-keygen).
    let pubkey = run(sb
        .cmd()
        .args(["pubkey", "iadvize-keys/public-key.pem", "--json"]));
    let pubkey: Value = serde_json::from_str(&stdout(&pubkey)).unwrap();
    assert_eq!(report["openssh_fingerprint"], pubkey["openssh_fingerprint"]);
    assert!(
        report["openssh_fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
}

fn openssl_base64(sb: &Sandbox, der: &[u8]) -> String {
    let file = sb.write(".der", der);
    let out = openssl(&["base64", "-A", "-in", file.to_str().unwrap()], sb.path());
    String::from_utf8(out).unwrap().trim().to_string()
}

#[test]
fn human_summary_labels_each_figure_and_names_the_next_step() {
    let sb = Sandbox::new();
    let out = run(sb.cmd().args(["keygen", "--out-dir", "k"]));
    assert_exit(&out, 0);
    let text = stdout(&out);
    for label in [
        "Public key (base64):",
        "SHA-256 fingerprint:",
        "OpenSSH fingerprint:  SHA256:",
        "JWK thumbprint:",
        "k/private-key.pem",
        "k/public-key.pem",
        "2048-bit",
        "Next step: send k/public-key.pem to your iAdvize contact",
    ] {
        assert!(text.contains(label), "missing {label:?} in:\n{text}");
    }
    assert!(
        !text.contains("PRIVATE KEY"),
        "never prints the private key"
    );
}

#[test]
fn files_are_private_and_never_replaced_without_force() {
    let sb = Sandbox::new();
    let first = keygen_json(&sb, &[]);
    let dir = sb.join("iadvize-keys");
    let private = dir.join("private-key.pem");
    let public = dir.join("public-key.pem");
    assert_eq!(mode_of(&private), 0o600);
    assert_eq!(mode_of(&public), 0o644);
    assert_eq!(mode_of(&dir), 0o700);
    let before = (
        std::fs::read(&private).unwrap(),
        std::fs::read(&public).unwrap(),
    );

    let again = run(sb.cmd().arg("keygen"));
    assert_refused(&again, &["already exists", "--force"]);
    assert_eq!(std::fs::read(&private).unwrap(), before.0);
    assert_eq!(std::fs::read(&public).unwrap(), before.1);

    let out = run(sb.cmd().args(["keygen", "--force", "--json"]));
    assert_exit(&out, 0);
    let replaced: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(replaced["sha256_fingerprint"], first["sha256_fingerprint"]);
    // The key destroyed is named, so that whoever replaced it by mistake knows which it was.
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "note: replaced the key pair in 'iadvize-keys' (--force); the old one, SHA-256 \
             fingerprint {}, JWK thumbprint {}, is gone: if iAdvize has its public key, send \
             them the new one",
            first["sha256_fingerprint"].as_str().unwrap(),
            first["jwk_thumbprint"].as_str().unwrap()
        )
    );
    assert_ne!(std::fs::read(&private).unwrap(), before.0);
    assert_eq!(mode_of(&private), 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
}

#[test]
fn force_over_unreadable_files_says_so_and_force_over_nothing_says_nothing() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.join("k")).unwrap();
    sb.write("k/public-key.pem", "not a key");
    let out = run(sb.cmd().args(["keygen", "--out-dir", "k", "--force"]));
    assert_exit(&out, 0);
    let note = stderr(&out);
    assert!(
        note.starts_with(
            "note: replaced the key files in 'k' (--force); which key they held cannot be said: \
             'k/public-key.pem': not a key"
        ),
        "{note}"
    );
    let out = run(sb.cmd().args(["keygen", "--out-dir", "fresh", "--force"]));
    assert_exit(&out, 0);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn a_folder_that_cannot_be_made_is_named_with_the_systems_reason() {
    let sb = Sandbox::new();
    let out = run(sb.cmd().args(["keygen", "--out-dir", "/proc/nope"]));
    let err = assert_refused(&out, &[]);
    assert_eq!(
        err.trim(),
        "error: cannot create folder '/proc/nope': No such file or directory"
    );
}

#[test]
fn only_the_public_file_existing_is_still_refused() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.join("k")).unwrap();
    sb.write("k/public-key.pem", "precious");
    let out = run(sb.cmd().args(["keygen", "--out-dir", "k"]));
    assert_refused(&out, &["public-key.pem", "already exists"]);
    assert!(!sb.join("k/private-key.pem").exists());
    assert_eq!(
        std::fs::read(sb.join("k/public-key.pem")).unwrap(),
        b"precious"
    );
}

#[test]
fn symlink_where_the_key_should_go_is_refused_and_not_followed() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.join("k")).unwrap();
    let target = sb.write("target", "do not touch");
    std::os::unix::fs::symlink(&target, sb.join("k/private-key.pem")).unwrap();
    let out = run(sb.cmd().args(["keygen", "--out-dir", "k"]));
    assert_refused(&out, &["private-key.pem", "already exists"]);
    assert_eq!(std::fs::read(&target).unwrap(), b"do not touch");
    assert!(!sb.join("k/public-key.pem").exists());
}

#[test]
fn bits_outside_the_accepted_range_are_refused() {
    let sb = Sandbox::new();
    for bits in ["1024", "2047", "8200", "0"] {
        let out = run(sb.cmd().args(["keygen", "--bits", bits]));
        assert_refused(&out, &["--bits"]);
    }
    assert!(!sb.join("iadvize-keys").exists(), "nothing created");
    let out = run(sb.cmd().args(["keygen", "--bits", "lots"]));
    assert_exit(&out, 2);
}

#[test]
fn larger_keys_have_the_size_asked_for() {
    let sb = Sandbox::new();
    let report = keygen_json(&sb, &["--bits", "3072"]);
    assert_eq!(report["bits"], 3072);
    let text = openssl(
        &[
            "pkey",
            "-in",
            "iadvize-keys/private-key.pem",
            "-text",
            "-noout",
        ],
        sb.path(),
    );
    assert!(String::from_utf8_lossy(&text).contains("3072 bit"));
}

#[test]
fn encrypted_key_opens_with_openssl_and_pubkey_and_refuses_a_wrong_passphrase() {
    let sb = Sandbox::new();
    let pass = sb.write("pass.txt", "correct horse battery staple\n");
    let report = keygen_json(&sb, &["--encrypt", "--passphrase-file", "pass.txt"]);
    assert_eq!(report["encrypted"], true);
    let pem = std::fs::read_to_string(sb.join("iadvize-keys/private-key.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    assert_openssl_opens_keygen_pair(&sb);

    let out = run(sb.cmd().args([
        "pubkey",
        "iadvize-keys/private-key.pem",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ]));
    assert_exit(&out, 0);
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["source_format"], "encrypted-pkcs8-pem");
    assert_eq!(info["sha256_fingerprint"], report["sha256_fingerprint"]);

    sb.write("wrong.txt", "Tr0ub4dor&3\n");
    let out = run(sb.cmd().args([
        "pubkey",
        "iadvize-keys/private-key.pem",
        "--passphrase-file",
        "wrong.txt",
    ]));
    let message = assert_refused(&out, &["wrong passphrase", "private-key.pem"]);
    assert!(
        !message.contains("Tr0ub4dor"),
        "passphrase leaked: {message}"
    );
}

#[test]
fn passphrase_from_the_environment_and_never_a_hang_without_one() {
    let sb = Sandbox::new();
    let out = run(sb
        .cmd()
        .args(["keygen", "--encrypt", "--json"])
        .env("IADVIZE_AUTH_PASSPHRASE", "from the environment"));
    assert_exit(&out, 0);
    let opened = run(sb
        .cmd()
        .args(["pubkey", "iadvize-keys/private-key.pem"])
        .env("IADVIZE_AUTH_PASSPHRASE", "from the environment"));
    assert_exit(&opened, 0);

    // No terminal, no file, no variable: a clear error at once.
    let out = run(sb.cmd().args(["keygen", "--encrypt", "--out-dir", "other"]));
    assert_refused(
        &out,
        &["passphrase", "--passphrase-file", "IADVIZE_AUTH_PASSPHRASE"],
    );
    assert!(!sb.join("other").exists());
    let out = run(sb.cmd().args(["pubkey", "iadvize-keys/private-key.pem"]));
    assert_refused(&out, &["passphrase", "--passphrase-file"]);
}

#[test]
fn empty_passphrases_are_refused() {
    let sb = Sandbox::new();
    sb.write("empty.txt", "\n");
    let out = run(sb
        .cmd()
        .args(["keygen", "--encrypt", "--passphrase-file", "empty.txt"]));
    assert_refused(&out, &["empty"]);
    let out = run(sb
        .cmd()
        .args(["keygen", "--encrypt"])
        .env("IADVIZE_AUTH_PASSPHRASE", ""));
    assert_refused(&out, &["IADVIZE_AUTH_PASSPHRASE", "empty"]);
    assert!(!sb.join("iadvize-keys").exists());
}

#[test]
fn passphrase_is_not_accepted_as_an_argument_value() {
    // Debug of every type holding key material is covered by unit tests in src/lib/keys; here,
    // the passphrase cannot be given as an argument value at all.
    let sb = Sandbox::new();
    let out = run(sb
        .cmd()
        .args(["keygen", "--encrypt", "--passphrase", "secret"]));
    assert_exit(&out, 2);
    assert!(!sb.join("iadvize-keys").exists());
}

#[test]
fn read_only_output_folder_fails_cleanly() {
    let sb = Sandbox::new();
    let dir = sb.join("ro");
    std::fs::create_dir(&dir).unwrap();
    set_mode(&dir, 0o500);
    let out = run(sb.cmd().args(["keygen", "--out-dir", "ro"]));
    set_mode(&dir, 0o700);
    if running_as_root() {
        // root ignores folder permissions; the write succeeds and that is correct.
        assert_exit(&out, 0);
        return;
    }
    assert_refused(&out, &["ro/private-key.pem"]);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing left behind"
    );
}

/// A full disk, simulated with a file size limit. `trap '' XFSZ` makes the write fail with
/// EFBIG (as a full disk fails it with ENOSPC) instead of killing the process.
#[test]
fn a_full_disk_fails_cleanly_and_leaves_nothing_behind() {
    let sb = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; '{}' keygen --out-dir keys",
        bin.display()
    );
    let out = run(Command::new("bash")
        .args(["-c", &script])
        .current_dir(sb.path()));
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.starts_with("error: cannot write 'keys/"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let left: Vec<_> = std::fs::read_dir(sb.join("keys"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}
