//! Keys people already have, made by the tools that make them: a legacy encrypted PEM from
//! `openssl rsa -traditional`, OpenSSH public keys from `ssh-keygen`, a JWK Set of several
//! keys. Each must give the fingerprint `openssl pkey -pubout` gives for the same key, and be
//! usable by every verb that reads a key.

use super::pubkey_json;
use crate::common::*;
use serde_json::Value;

const PASS: &str = "legacy passphrase 1";

fn ssh_keygen(sb: &Sandbox, args: &[&str]) -> Vec<u8> {
    tool("ssh-keygen", args, sb.path())
}

/// A key exported as a JWK by Node's own crypto module, with a `kid`.
fn jwk_with_kid(sb: &Sandbox, pem: &str, private: bool, kid: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(&node_jwk(sb, pem, private)).expect("JWK");
    jwk["kid"] = kid.into();
    jwk
}

/// The status of the `jws.signature` check in an `inspect --json` report.
fn signature_status(out: &std::process::Output) -> Value {
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "jws.signature")
        .expect("a signature check")["status"]
        .clone()
}

#[test]
fn a_legacy_encrypted_pem_from_openssl_traditional_is_read() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "standin-iadvize-private.pem"]);
    sb.write("pass.txt", format!("{PASS}\n"));
    sb.write("wrong.txt", "not it\n");
    let expected = openssl_fingerprint(&sb.join("brand-private.pem"), false);
    for (cipher, file) in [("-aes256", "legacy-aes.pem"), ("-des3", "legacy-3des.pem")] {
        openssl(
            &[
                "rsa",
                "-in",
                "brand-private.pem",
                cipher,
                "-traditional",
                "-passout",
                "file:pass.txt",
                "-out",
                file,
            ],
            sb.path(),
        );
        set_mode(&sb.join(file), 0o600);
        let text = std::fs::read_to_string(sb.join(file)).unwrap();
        assert!(text.contains("Proc-Type: 4,ENCRYPTED"), "{text}");

        let info = pubkey_json(&sb, &[file, "--passphrase-file", "pass.txt"]);
        assert_eq!(info["sha256_fingerprint"], expected.as_str(), "{file}");
        assert_eq!(info["source_format"], "legacy-encrypted-pem", "{file}");
        assert_eq!(info["kind"], "private", "{file}");

        let out = run(sb
            .cmd()
            .args(["pubkey", file, "--passphrase-file", "wrong.txt"]));
        assert_refused(&out, &[file, "wrong passphrase"]);
        let out = run(sb.cmd().args(["pubkey", file]));
        assert_refused(&out, &[file, "needs a passphrase", "--passphrase-file"]);
    }

    // It signs: a token minted with it verifies against the original key's public half.
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "legacy-aes.pem",
        "--key-passphrase-file",
        "pass.txt",
        "--iadvize-key",
        "standin-iadvize-private.pem",
        "--user-id",
        "customer-1",
    ]));
    assert_exit(&out, 0);
    sb.write("token.txt", stdout(&out));
    let out = run(sb.cmd().args([
        "inspect",
        "@token.txt",
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "brand-private.pem",
        "--json",
    ]));
    assert_exit(&out, 0);
    assert_eq!(signature_status(&out), "pass");
}

#[test]
fn an_unsupported_legacy_cipher_is_refused_with_how_to_convert() {
    let sb = Sandbox::new();
    let pem = std::fs::read_to_string(fixture_path("brand-private.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    sb.write(
        "des.pem",
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
             DEK-Info: DES-CBC,0011223344556677\n\n{body}\n-----END RSA PRIVATE KEY-----\n"
        ),
    );
    sb.write("pass.txt", "whatever\n");
    let out = run(sb
        .cmd()
        .args(["pubkey", "des.pem", "--passphrase-file", "pass.txt"]));
    assert_refused(&out, &["des.pem", "DES-CBC", "openssl pkcs8 -topk8"]);
}

#[test]
fn openssh_public_keys_from_ssh_keygen_are_read() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem"]);
    let expected = openssl_fingerprint(&sb.join("brand-private.pem"), false);
    let line = String::from_utf8(ssh_keygen(&sb, &["-y", "-f", "brand-private.pem"])).unwrap();
    assert!(line.starts_with("ssh-rsa AAAA"), "{line}");
    let key = line.trim();
    sb.write("bare.pub", format!("{key}\n"));
    sb.write("id_rsa.pub", format!("{key} brand@laptop\n"));
    sb.write(
        "authorized_keys",
        format!("# the brand's key\n\nfrom=\"10.0.0.1\",no-pty {key} brand@laptop\n"),
    );
    sb.write("rfc4716.pub", ssh_keygen(&sb, &["-e", "-f", "id_rsa.pub"]));
    sb.write(
        "pkcs8.pem",
        ssh_keygen(&sb, &["-e", "-m", "PKCS8", "-f", "id_rsa.pub"]),
    );
    for (file, format) in [
        ("bare.pub", "openssh"),
        ("id_rsa.pub", "openssh"),
        ("authorized_keys", "openssh"),
        ("rfc4716.pub", "ssh2-pem"),
        ("pkcs8.pem", "spki-pem"),
    ] {
        let info = pubkey_json(&sb, &[file]);
        assert_eq!(info["sha256_fingerprint"], expected.as_str(), "{file}");
        assert_eq!(info["source_format"], format, "{file}");
        assert_eq!(info["kind"], "public", "{file}");
        assert_eq!(info["bits"], 2048, "{file}");
    }

    // A signature check against the .pub file.
    sb.fixture("standin-iadvize-public.pem");
    sb.fixture("standin-iadvize-private.pem");
    let token = rehearsal_token(&sb, "customer-2");
    let out = run(sb.cmd().args([
        "inspect",
        &token,
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "id_rsa.pub",
    ]));
    assert_exit(&out, 0);

    // Two keys in one file, a damaged line, and a key that is not RSA: refused, each saying so.
    sb.write("two.pub", format!("{key} a\n{key} b\n"));
    let out = run(sb.cmd().args(["pubkey", "two.pub"]));
    assert_refused(&out, &["two.pub", "2 OpenSSH public key lines"]);
    let cut = &key[..key.len() / 2];
    sb.write("cut.pub", format!("{cut} brand@laptop\n"));
    let out = run(sb.cmd().args(["pubkey", "cut.pub"]));
    assert_refused(&out, &["cut.pub", "malformed OpenSSH public key"]);
    ssh_keygen(&sb, &["-t", "ed25519", "-N", "", "-q", "-f", "id_ed25519"]);
    let out = run(sb.cmd().args(["pubkey", "id_ed25519.pub"]));
    assert_refused(&out, &["id_ed25519.pub", "not an RSA key", "Ed25519"]);
}

#[test]
fn a_jwk_set_of_several_keys_is_read_by_kid() {
    let sb = Sandbox::with_fixtures(&[
        "brand-private.pem",
        "other-public.pem",
        "standin-iadvize-private.pem",
        "standin-iadvize-public.pem",
    ]);
    let brand = openssl_fingerprint(&sb.join("brand-private.pem"), false);
    let other = openssl_fingerprint(&sb.join("other-public.pem"), true);
    let set = serde_json::json!({ "keys": [
        jwk_with_kid(&sb, "brand-private.pem", true, "brand-2026"),
        jwk_with_kid(&sb, "other-public.pem", false, "brand-2025"),
    ]});
    let set_file = sb.write("jwks.json", set.to_string());
    set_mode(&set_file, 0o600);

    let info = pubkey_json(&sb, &["jwks.json", "--kid", "brand-2026"]);
    assert_eq!(info["sha256_fingerprint"], brand.as_str());
    assert_eq!(info["kind"], "private");
    let info = pubkey_json(&sb, &["jwks.json", "--kid", "brand-2025"]);
    assert_eq!(info["sha256_fingerprint"], other.as_str());
    assert_eq!(info["kind"], "public");

    // Without --kid, or with one the set does not hold: the kids are listed.
    let out = run(sb.cmd().args(["pubkey", "jwks.json"]));
    assert_refused(
        &out,
        &[
            "jwks.json",
            "2 keys",
            "\"brand-2026\", \"brand-2025\"",
            "--kid KID",
        ],
    );
    let out = run(sb
        .cmd()
        .args(["pubkey", "jwks.json", "--kid", "brand-2024"]));
    assert_refused(
        &out,
        &[
            "\"brand-2024\"",
            "\"brand-2026\", \"brand-2025\"",
            "--kid KID",
        ],
    );
    // A kid for a key that has none.
    let out = run(sb
        .cmd()
        .args(["pubkey", "brand-private.pem", "--kid", "brand-2026"]));
    assert_refused(&out, &["brand-private.pem", "drop --kid"]);

    // mint and inspect choose each of their keys from a set by kid.
    let mint = |extra: &[&str]| {
        run(sb
            .cmd()
            .args(["mint", "--key", "jwks.json", "--user-id", "customer-3"])
            .args(["--iadvize-key", "standin-iadvize-public.pem"])
            .args(extra))
    };
    assert_refused(&mint(&[]), &["jwks.json", "--key-kid KID"]);
    let out = mint(&["--key-kid", "brand-2026"]);
    assert_exit(&out, 0);
    let token = stdout(&out).trim().to_string();
    let inspect = |kid: &str| {
        run(sb.cmd().args([
            "inspect",
            &token,
            "--decrypt-key",
            "standin-iadvize-private.pem",
            "--verify-key",
            "jwks.json",
            "--verify-key-kid",
            kid,
            "--json",
        ]))
    };
    let right = inspect("brand-2026");
    assert_exit(&right, 0);
    assert_eq!(signature_status(&right), "pass");
    let wrong = inspect("brand-2025");
    assert_exit(&wrong, 1);
    assert_eq!(signature_status(&wrong), "fail");
    let out = run(sb
        .cmd()
        .args(["inspect", &token, "--verify-key", "jwks.json"]));
    assert_refused(&out, &["jwks.json", "--verify-key-kid KID"]);
}
