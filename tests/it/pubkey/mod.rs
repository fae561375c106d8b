//! `pubkey`: every accepted format gives the same key; everything else a clear refusal.

mod existing_keys;
mod hostile_keys;

use crate::common::*;
use serde_json::{Value, json};

fn pubkey_json(sb: &Sandbox, args: &[&str]) -> Value {
    let out = run(sb.cmd().arg("pubkey").args(args).arg("--json"));
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn one_key_in_every_format_gives_the_same_fingerprint() {
    let sb = Sandbox::new();
    sb.fixture("brand-private.pem");
    sb.write("pass.txt", "s3cret passphrase\n");
    let expected = openssl_fingerprint(&sb.join("brand-private.pem"), false);
    let o = |args: &[&str]| openssl(args, sb.path());

    o(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "brand-private.pem",
        "-outform",
        "DER",
        "-out",
        "pkcs8.der",
    ]);
    o(&[
        "rsa",
        "-in",
        "brand-private.pem",
        "-traditional",
        "-out",
        "pkcs1.pem",
    ]);
    o(&[
        "rsa",
        "-in",
        "brand-private.pem",
        "-traditional",
        "-outform",
        "DER",
        "-out",
        "pkcs1.der",
    ]);
    o(&[
        "pkey",
        "-in",
        "brand-private.pem",
        "-pubout",
        "-out",
        "spki.pem",
    ]);
    o(&[
        "pkey",
        "-in",
        "brand-private.pem",
        "-pubout",
        "-outform",
        "DER",
        "-out",
        "spki.der",
    ]);
    o(&[
        "rsa",
        "-in",
        "brand-private.pem",
        "-RSAPublicKey_out",
        "-out",
        "pkcs1-public.pem",
    ]);
    o(&[
        "rsa",
        "-in",
        "brand-private.pem",
        "-RSAPublicKey_out",
        "-outform",
        "DER",
        "-out",
        "pkcs1-public.der",
    ]);
    openssl_encrypt_pkcs8(sb.path(), "brand-private.pem", "pass.txt", "enc.pem", false);
    openssl_encrypt_pkcs8(sb.path(), "brand-private.pem", "pass.txt", "enc.der", true);
    let spki_der = std::fs::read(sb.join("spki.der")).unwrap();
    let line = String::from_utf8(o(&["base64", "-A", "-in", "spki.der"])).unwrap();
    sb.write("spki.b64", format!("{}\n", line.trim()));
    let wrapped = String::from_utf8(o(&["base64", "-in", "spki.der"])).unwrap();
    assert!(wrapped.lines().count() > 2);
    sb.write("spki-wrapped.b64", wrapped);
    set_mode(
        &sb.write("private.jwk", node_jwk(&sb, "brand-private.pem", true)),
        0o600,
    );
    sb.write("public.jwk", node_jwk(&sb, "spki.pem", false));
    // Older tools: PBES2 with an HMAC-SHA-1 PRF, or with 3DES (OpenSSL 1.0, Java keytool).
    for (out, extra) in [
        ("enc-sha1-prf.pem", ["-v2prf", "hmacWithSHA1"]),
        ("enc-des3.pem", ["-v2", "des3"]),
    ] {
        let mut args = vec![
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "file:pass.txt",
            "-in",
            "brand-private.pem",
            "-out",
            out,
        ];
        args.extend(extra);
        o(&args);
    }
    // The line iAdvize publishes, but in the URL-safe alphabet without padding, and a PEM
    // preceded by a byte-order mark (as some Windows editors save it).
    sb.write(
        "spki-url.b64",
        line.trim()
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('='),
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(std::fs::read(sb.join("spki.pem")).unwrap());
    sb.write("bom.pem", bom);
    sb.write(
        "padded.pem",
        format!(
            "\n\n  {}  \n\n",
            std::fs::read_to_string(sb.join("spki.pem")).unwrap()
        ),
    );

    let cases = [
        ("brand-private.pem", "pkcs8-pem", "private"),
        ("pkcs8.der", "pkcs8-der", "private"),
        ("pkcs1.pem", "pkcs1-pem", "private"),
        ("pkcs1.der", "pkcs1-der", "private"),
        ("spki.pem", "spki-pem", "public"),
        ("spki.der", "spki-der", "public"),
        ("pkcs1-public.pem", "pkcs1-pem", "public"),
        ("pkcs1-public.der", "pkcs1-der", "public"),
        ("enc.pem", "encrypted-pkcs8-pem", "private"),
        ("enc.der", "encrypted-pkcs8-der", "private"),
        ("spki.b64", "spki-base64", "public"),
        ("spki-wrapped.b64", "spki-base64", "public"),
        ("private.jwk", "jwk", "private"),
        ("public.jwk", "jwk", "public"),
        ("padded.pem", "spki-pem", "public"),
        ("enc-sha1-prf.pem", "encrypted-pkcs8-pem", "private"),
        ("enc-des3.pem", "encrypted-pkcs8-pem", "private"),
        ("spki-url.b64", "spki-base64", "public"),
        ("bom.pem", "spki-pem", "public"),
    ];
    for (file, format, kind) in cases {
        let info = pubkey_json(&sb, &[file, "--passphrase-file", "pass.txt"]);
        assert_eq!(info["sha256_fingerprint"], expected.as_str(), "{file}");
        assert_eq!(info["source_format"], format, "{file}");
        assert_eq!(info["kind"], kind, "{file}");
        assert_eq!(info["bits"], 2048, "{file}");
        assert_eq!(info["public_exponent"], 65537, "{file}");
        assert_eq!(info["is_iadvize_production"], false, "{file}");
        assert_eq!(info["warnings"], serde_json::json!([]), "{file}");
    }

    // The same through standard input.
    let out = run_with_stdin(sb.cmd().args(["pubkey", "-", "--json"]), &spki_der);
    assert_exit(&out, 0);
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["sha256_fingerprint"], expected.as_str());

    // Output formats: PEM equals openssl's, DER equals openssl's, base64 one line.
    let out = run(sb.cmd().args(["pubkey", "pkcs1.der"]));
    assert_exit(&out, 0);
    assert_eq!(out.stdout, std::fs::read(sb.join("spki.pem")).unwrap());
    let out = run(sb.cmd().args(["pubkey", "pkcs1.der", "--format", "der"]));
    assert_eq!(out.stdout, spki_der);
    let out = run(sb
        .cmd()
        .args(["pubkey", "private.jwk", "--format", "base64"]));
    assert_eq!(stdout(&out), format!("{}\n", line.trim()));
    let out = run(sb
        .cmd()
        .args(["pubkey", "brand-private.pem", "--format", "jwk"]));
    let jwk: Value = serde_json::from_slice(&out.stdout).unwrap();
    let node: Value = serde_json::from_str(&node_jwk(&sb, "spki.pem", false)).unwrap();
    assert_eq!(jwk["n"], node["n"]);
    assert_eq!(jwk["e"], node["e"]);
    assert_eq!(jwk["kty"], "RSA");
    assert!(
        stderr(&out).contains(&expected),
        "stderr names the fingerprint"
    );
}

#[test]
fn builtin_iadvize_key_has_the_published_values() {
    let sb = Sandbox::new();
    let info = pubkey_json(&sb, &["--iadvize"]);
    assert_eq!(
        info["sha256_fingerprint"],
        "20b1ebc3cd86286c9891186a8af48a9979e1f3e2ca460e40af85b0a6bbf7445a"
    );
    assert_eq!(
        info["jwk_thumbprint"],
        "QspNamaz04P1Fh1DKF1IUvMLLiYJHmQhECR3ue0eJGU"
    );
    assert_eq!(info["source_format"], "builtin");
    assert_eq!(info["is_iadvize_production"], true);
    assert_eq!(info["kind"], "public");
    assert_eq!(info["bits"], 2048);
    let out = run(sb.cmd().args(["pubkey", "--iadvize", "--format", "base64"]));
    assert_eq!(
        stdout(&out).trim(),
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1KdAzuUa5rOXgLHavoDRYoNXzwWz/pFhgGypYFbvV8DNjB93XK2AzKTwW+vxT7RYl4f+sKLdEi3dJYgPt2hquhTNmFxAzRvTuolUOKr1XNx7QbDj+7cfLVDYjmds/ydNtyHi8TUHSvfzs8SGXO5E5H13llmayPEslHKShG0cLIDcLNr6hJcfv9fvOZqQlLQ4Bx7to/66IHke9zY+1oidrUdFGzxXG+RGK81mIMuXj6N2EGJ7YYcQqXJfBJnWFlSGCQNttw5Rfj00eZbkMRO3XohhNqGIiBG2tejSjfB53UpiHdbzni+tyB72R5aaq4d+gkkgaOVYn/Or2fArOH2FUQIDAQAB"
    );
    // The same key read from a file is recognised as the production key.
    let pem = sb.write(
        "iadvize.pem",
        run(sb.cmd().args(["pubkey", "--iadvize"])).stdout,
    );
    assert_eq!(
        openssl_fingerprint(&pem, true),
        info["sha256_fingerprint"].as_str().unwrap()
    );
    let again = pubkey_json(&sb, &["iadvize.pem"]);
    assert_eq!(again["is_iadvize_production"], true);
}

#[test]
fn keys_that_are_not_rsa_are_refused_with_what_was_found() {
    let sb = Sandbox::new();
    for (name, found) in [
        ("ec-private.pem", "EC key"),
        ("ec-public.pem", "EC key"),
        ("ec-sec1-private.pem", "EC private key"),
        ("ed25519-private.pem", "Ed25519"),
        ("brand.csr.pem", "certificate signing request"),
    ] {
        let path = sb.fixture(name);
        let out = run(sb.cmd().arg("pubkey").arg(&path));
        assert_refused(&out, &[name, found]);
    }
    // The same in DER, which carries no label: what it is comes from its content.
    sb.fixture("brand-private.pem");
    let o = |args: &[&str]| openssl(args, sb.path());
    o(&[
        "ec",
        "-in",
        "ec-sec1-private.pem",
        "-outform",
        "DER",
        "-out",
        "ec-sec1.der",
    ]);
    o(&[
        "req",
        "-in",
        "brand.csr.pem",
        "-outform",
        "DER",
        "-out",
        "csr.der",
    ]);
    o(&[
        "req",
        "-x509",
        "-key",
        "ec-private.pem",
        "-subj",
        "/CN=brand",
        "-days",
        "1",
        "-outform",
        "DER",
        "-out",
        "ec-cert.der",
    ]);
    let ssh = sb.write(
        "id_ed25519.pub",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host\n",
    );
    for (name, found) in [
        ("ec-sec1.der", "not an RSA key: found an EC private key"),
        ("csr.der", "certificate signing request"),
        (
            "ec-cert.der",
            "not an RSA key: found a certificate of an EC key",
        ),
        (
            "id_ed25519.pub",
            "not an RSA key: found an OpenSSH Ed25519 public key",
        ),
    ] {
        let out = run(sb.cmd().arg("pubkey").arg(name));
        assert_refused(&out, &[name, found]);
    }
    assert!(ssh.exists());
    let ec_jwk = sb.write("ec.jwk", node_jwk(&sb, "ec-private.pem", true));
    let out = run(sb.cmd().arg("pubkey").arg(&ec_jwk));
    assert_refused(&out, &["ec.jwk", "not an RSA key", "EC JWK"]);
}

#[test]
fn unusable_input_is_refused_in_one_line_naming_it() {
    let sb = Sandbox::new();
    let pem = std::fs::read_to_string(sb.fixture("brand-public.pem")).unwrap();
    let truncated = sb.write("truncated.pem", &pem[..pem.len() / 2]);
    let body_cut = sb.write("cut.pem", pem.replacen(&pem[40..120], "", 1));
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (sb.write("zero.pem", ""), "the input is empty"),
        (sb.write("blank.pem", "\n \n"), "the input is empty"),
        (truncated, "malformed"),
        (body_cut, "malformed"),
        (sb.write("garbage.bin", &garbage), "not a key"),
        (sb.write("text.txt", "just some words\n"), "not a key"),
        (
            sb.write("ssh-rsa.pub", "ssh-rsa AAAAB3NzaC1yc2E user@host\n"),
            "malformed OpenSSH public key",
        ),
        (sb.write("array.jwk", "[{\"kty\":\"RSA\"}]"), "JSON array"),
        (
            sb.write("missing.jwk", "{\"kty\":\"RSA\",\"e\":\"AQAB\"}"),
            "\"n\" is missing",
        ),
        (sb.write("bad.json", "{\"kty\":"), "not valid JSON"),
        (sb.join("does-not-exist.pem"), "No such file"),
        (sb.path().to_path_buf(), "directory"),
    ];
    for (path, needle) in cases {
        let out = run(sb.cmd().arg("pubkey").arg(&path));
        let named = format!("cannot use key '{}'", path.display());
        assert_refused(&out, &[named.as_str(), needle]);
    }
    let out = run_with_stdin(sb.cmd().args(["pubkey", "-"]), b"");
    assert_refused(&out, &["standard input", "empty"]);
}

#[test]
fn small_keys_are_read_with_a_warning() {
    let sb = Sandbox::new();
    let key = sb.fixture("rsa1024-private.pem");
    let out = run(sb.cmd().arg("pubkey").arg(&key).arg("--json"));
    assert_exit(&out, 0);
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["bits"], 1024);
    let warnings = info["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("1024 bits")),
        "{warnings:?}"
    );
    let out = run(sb.cmd().arg("pubkey").arg(&key));
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("warning:"), "{}", stderr(&out));
}

#[test]
fn a_private_key_readable_by_others_is_warned_about() {
    let sb = Sandbox::new();
    let key = sb.fixture("brand-private.pem");
    set_mode(&key, 0o644);
    let out = run(sb.cmd().arg("pubkey").arg(&key));
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    set_mode(&key, 0o600);
    let out = run(sb.cmd().arg("pubkey").arg(&key));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn der_is_not_printed_on_a_terminal_and_usage_errors_exit_2() {
    let sb = Sandbox::new();
    let out = run(sb.cmd().arg("pubkey"));
    assert_exit(&out, 2);
    let out = run(sb.cmd().args(["pubkey", "--iadvize", "x.pem"]));
    assert_exit(&out, 2);
}

#[test]
fn keys_encrypted_in_legacy_schemes_are_refused_with_how_to_re_encrypt() {
    let sb = Sandbox::new();
    sb.fixture("brand-private.pem");
    sb.write("pass.txt", "s3cret passphrase\n");
    openssl(
        &[
            "pkcs8",
            "-topk8",
            "-v1",
            "PBE-SHA1-3DES",
            "-passout",
            "file:pass.txt",
            "-in",
            "brand-private.pem",
            "-out",
            "pkcs12-3des.pem",
        ],
        sb.path(),
    );
    let out = run(sb
        .cmd()
        .args(["pubkey", "pkcs12-3des.pem", "--passphrase-file", "pass.txt"]));
    assert_refused(
        &out,
        &[
            "'pkcs12-3des.pem'",
            "legacy PKCS#12 scheme",
            "openssl pkcs8 -topk8 -v2 aes-256-cbc",
        ],
    );
}

#[test]
fn an_rsa_pss_key_is_read_with_a_warning_about_its_fingerprint() {
    let sb = Sandbox::new();
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA-PSS",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "pss.pem",
        ],
        sb.path(),
    );
    set_mode(&sb.join("pss.pem"), 0o600);
    let info = pubkey_json(&sb, &["pss.pem"]);
    assert_eq!(info["bits"], 2048);
    let warnings = info["warnings"].to_string();
    assert!(warnings.contains("RSASSA-PSS"), "{warnings}");
    assert!(warnings.contains("fingerprint differs"), "{warnings}");
}

/// Hex as openssl prints a fingerprint: upper case, a colon between bytes.
fn with_colons(hex: &str) -> String {
    let pairs: Vec<&str> = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).unwrap())
        .collect();
    pairs.join(":").to_uppercase()
}

#[test]
fn expect_fingerprint_says_match_or_mismatch_in_one_line_and_exit_code() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "other-public.pem"]);
    let brand = openssl_fingerprint(&sb.join("brand-private.pem"), false);
    let info = pubkey_json(&sb, &["brand-private.pem"]);
    let thumbprint = info["jwk_thumbprint"].as_str().unwrap().to_string();
    let colons = with_colons(&brand[..16]);
    for given in [
        &brand[..8],
        &brand,
        &brand.to_uppercase(),
        &colons,
        &thumbprint,
        &thumbprint[..10],
    ] {
        let out =
            run(sb
                .cmd()
                .args(["pubkey", "brand-private.pem", "--expect-fingerprint", given]));
        assert_exit(&out, 0);
        let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
        assert_eq!(lines.len(), 1, "one line: {lines:?}");
        assert!(lines[0].starts_with("match: "), "{given}: {lines:?}");
        assert!(
            lines[0].contains(&brand) || lines[0].contains(&thumbprint),
            "names the full fingerprint: {lines:?}"
        );
    }
    // The other key, and the built-in one: a mismatch, exit 1, both fingerprints shown.
    for key in [&["other-public.pem"][..], &["--iadvize"][..]] {
        let out = run(sb
            .cmd()
            .arg("pubkey")
            .args(key)
            .args(["--expect-fingerprint", &brand[..12]]));
        assert_exit(&out, 1);
        let text = stdout(&out);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.starts_with("MISMATCH: "), "{text}");
        assert!(text.contains(&brand[..12]), "{text}");
    }
    // Too short to tell keys apart, or not a fingerprint at all: unusable input.
    for given in ["19e6", "not a fingerprint!"] {
        let out =
            run(sb
                .cmd()
                .args(["pubkey", "brand-private.pem", "--expect-fingerprint", given]));
        assert_refused(
            &out,
            &["--expect-fingerprint", given, "at least 8 characters"],
        );
    }
}

/// `pubkey ARGS --format fingerprint`: its one line, split in fields.
fn fingerprint_fields(sb: &Sandbox, args: &[&str]) -> Vec<String> {
    let out = run(sb
        .cmd()
        .arg("pubkey")
        .args(args)
        .args(["--format", "fingerprint"]));
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    text.split_whitespace().map(str::to_string).collect()
}

/// `ssh-keygen -lf FILE`: `2048 SHA256:… comment (RSA)`, in fields.
fn ssh_keygen_fingerprint(sb: &Sandbox, file: &str) -> Vec<String> {
    let text = String::from_utf8(tool("ssh-keygen", &["-lf", file], sb.path())).unwrap();
    text.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_fingerprint_line_has_ssh_keygens_sha256_form_and_the_others() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem"]);
    // A key as ssh-keygen makes it: its private key file and its `.pub` line.
    tool(
        "ssh-keygen",
        &[
            "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "qa@host", "-f", "id_rsa",
        ],
        sb.path(),
    );
    let ssh = ssh_keygen_fingerprint(&sb, "id_rsa.pub");
    assert_eq!(ssh[0], "2048");
    assert!(ssh[1].starts_with("SHA256:"), "{ssh:?}");
    for file in ["id_rsa.pub", "id_rsa"] {
        let ours = fingerprint_fields(&sb, &[file]);
        assert_eq!(ours[..2], ssh[..2], "{file}: size and OpenSSH fingerprint");
        let info = pubkey_json(&sb, &[file]);
        assert_eq!(ours[2], info["sha256_fingerprint"].as_str().unwrap());
        assert_eq!(ours[3], info["jwk_thumbprint"].as_str().unwrap());
        assert_eq!(info["openssh_fingerprint"].as_str().unwrap(), ssh[1]);
    }
    assert_eq!(
        fingerprint_fields(&sb, &["id_rsa"])[4..],
        ["(RSA", "private", "key)"]
    );
    // The brand's key, converted by ssh-keygen itself; and the SHA-256 hex is openssl's.
    sb.fixture("brand-public.pem");
    let converted = tool(
        "ssh-keygen",
        &["-i", "-m", "PKCS8", "-f", "brand-public.pem"],
        sb.path(),
    );
    sb.write("brand.pub", converted);
    let ssh = ssh_keygen_fingerprint(&sb, "brand.pub");
    let ours = fingerprint_fields(&sb, &["brand-private.pem"]);
    assert_eq!(ours[..2], ssh[..2]);
    assert_eq!(
        ours[2],
        openssl_fingerprint(&sb.join("brand-private.pem"), false)
    );
    let ours = fingerprint_fields(&sb, &["--iadvize"]);
    assert_eq!(
        ours[4..],
        ["(RSA", "public", "key,", "iAdvize", "production)"]
    );
}

#[test]
fn expect_fingerprint_takes_ssh_keygens_form_and_answers_in_json_too() {
    let sb = Sandbox::with_fixtures(&["other-public.pem"]);
    tool(
        "ssh-keygen",
        &["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", "id_rsa"],
        sb.path(),
    );
    let openssh = ssh_keygen_fingerprint(&sb, "id_rsa.pub")[1].clone();
    for given in [openssh.as_str(), &openssh[..15]] {
        let out = run(sb
            .cmd()
            .args(["pubkey", "id_rsa.pub", "--expect-fingerprint", given]));
        assert_exit(&out, 0);
        assert_eq!(
            stdout(&out).trim(),
            format!("match: OpenSSH fingerprint {openssh} starts with {given}")
        );
    }
    let lowercase = openssh.replace("SHA256:", "sha256:");
    let out = run(sb
        .cmd()
        .args(["pubkey", "id_rsa.pub", "--expect-fingerprint", &lowercase]));
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "match: OpenSSH fingerprint {openssh} starts with {openssh} (given as {lowercase})"
        )
    );
    let out = run(sb.cmd().args([
        "pubkey",
        "other-public.pem",
        "--expect-fingerprint",
        &openssh,
    ]));
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.starts_with("MISMATCH: none of "), "{text}");
    assert!(
        text.ends_with(&format!("starts with {openssh}\n")),
        "{text}"
    );

    // With --json: the key's object, and what the expectation matched; the exit code as without.
    let check = |key: &str, exit: i32| {
        let out = run(sb
            .cmd()
            .args(["pubkey", key, "--json", "--expect-fingerprint", &openssh]));
        assert_exit(&out, exit);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let matched = check("id_rsa.pub", 0);
    assert_eq!(matched["openssh_fingerprint"], openssh.as_str());
    assert_eq!(
        matched["expected_fingerprint"],
        json!({"given": openssh, "matches": true, "matched": "openssh"})
    );
    let other = check("other-public.pem", 1);
    assert_eq!(
        other["expected_fingerprint"],
        json!({"given": openssh, "matches": false, "matched": null})
    );
    // An MD5 fingerprint is refused, with the form to give.
    let out = run(sb.cmd().args([
        "pubkey",
        "id_rsa.pub",
        "--expect-fingerprint",
        "MD5:0f:cb:5e:2e:3a:0a:a8:7e:ce:bc:72:0f:f1:0c:54:28",
    ]));
    assert_refused(&out, &["MD5", "SHA256:…, as `ssh-keygen -lf` prints it"]);
}

// The base64 of `ssh-keygen -l`'s fingerprint without its `SHA256:` was compared as OpenSSH's only
// when it held a `+` or `/`; and hex after `SHA256:` matched the hex fingerprint with a line
// claiming that fingerprint starts with `SHA256:…`.
#[test]
fn expect_fingerprint_takes_the_openssh_base64_alone_and_says_what_it_compared() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem", "other-public.pem"]);
    let fields = fingerprint_fields(&sb, &["brand-private.pem"]);
    let (openssh, hex, thumbprint) = (&fields[1], &fields[2], &fields[3]);
    let expect = |key: &str, given: &str, exit: i32| {
        let out = run(sb
            .cmd()
            .args(["pubkey", key, "--expect-fingerprint", given]));
        assert_exit(&out, exit);
        stdout(&out).trim().to_string()
    };
    // Letters and digits only: could be OpenSSH's base64 or the thumbprint; either may match.
    let body = &openssh["SHA256:".len()..];
    let bare = &body[..12];
    assert!(bare.chars().all(|c| c.is_ascii_alphanumeric()), "{bare}");
    assert_eq!(
        expect("brand-private.pem", bare, 0),
        format!("match: OpenSSH fingerprint {openssh} starts with SHA256:{bare} (given as {bare})")
    );
    assert_eq!(
        expect("brand-private.pem", body, 0),
        format!("match: OpenSSH fingerprint {openssh} starts with SHA256:{body} (given as {body})")
    );
    assert_eq!(
        expect("brand-private.pem", &thumbprint[..12], 0),
        format!(
            "match: JWK thumbprint {thumbprint} starts with {}",
            &thumbprint[..12]
        )
    );
    let mismatch = expect("other-public.pem", bare, 1);
    assert!(mismatch.starts_with("MISMATCH: none of "), "{mismatch}");
    assert!(
        mismatch.ends_with(&format!("starts with {bare}")),
        "{mismatch}"
    );
    // Hex after `SHA256:` (as container tools write digests) is the hex fingerprint too; the
    // line says what was compared and what was typed.
    let digest = format!("SHA256:{}", &hex[..8]);
    assert_eq!(
        expect("brand-private.pem", &digest, 0),
        format!(
            "match: SHA-256 fingerprint {hex} starts with {} (given as {digest})",
            &hex[..8]
        )
    );
    let mismatch = expect("other-public.pem", &digest, 1);
    assert!(
        mismatch.ends_with(&format!("starts with {digest}")),
        "{mismatch}"
    );
    // Hex with colons, as openssl prints it.
    let colons = with_colons(&hex[..8]);
    assert_eq!(
        expect("brand-private.pem", &colons, 0),
        format!(
            "match: SHA-256 fingerprint {hex} starts with {} (given as {colons})",
            &hex[..8]
        )
    );
    // A whole digest as container tools write it: `sha256:` and the 64 hex digits.
    let digest = format!("sha256:{hex}");
    assert_eq!(
        expect("brand-private.pem", &digest, 0),
        format!("match: SHA-256 fingerprint {hex} starts with {hex} (given as {digest})")
    );
}

#[test]
fn jwk_output_carries_kid_use_and_alg() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem"]);
    let jwk = |args: &[&str]| {
        let out = run(sb.cmd().arg("pubkey").args(args).args(["--format", "jwk"]));
        assert_exit(&out, 0);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let brand = jwk(&["brand-private.pem"]);
    let info = pubkey_json(&sb, &["brand-private.pem"]);
    assert_eq!(brand["kid"], info["jwk_thumbprint"]);
    assert_eq!(
        (&brand["use"], &brand["alg"]),
        (&json!("sig"), &json!("RS256"))
    );
    assert_eq!(brand["kty"], "RSA");
    assert!(brand.get("d").is_none(), "public members only: {brand}");
    // The kid is the RFC 7638 thumbprint of the JWK printed, as python jwcrypto computes it.
    sb.write("brand.jwk", brand.to_string());
    let thumbprint: Value = serde_json::from_str(&jwcrypto(
        &["thumbprint", sb.join("brand.jwk").to_str().unwrap()],
        "",
    ))
    .unwrap();
    assert_eq!(brand["kid"], thumbprint["thumbprint"]);
    let iadvize = jwk(&["--iadvize"]);
    assert_eq!(
        (&iadvize["use"], &iadvize["alg"], &iadvize["kid"]),
        (
            &json!("enc"),
            &json!("RSA-OAEP-256"),
            &json!("QspNamaz04P1Fh1DKF1IUvMLLiYJHmQhECR3ue0eJGU")
        )
    );
    // Read back by this tool: the same key.
    let out = run(sb
        .cmd()
        .args(["pubkey", "brand.jwk", "--format", "fingerprint"]));
    assert_exit(&out, 0);
    assert!(stdout(&out).contains(info["sha256_fingerprint"].as_str().unwrap()));
}

#[test]
fn a_certificate_gives_the_fingerprints_of_its_key_and_names_subject_and_validity() {
    let sb = Sandbox::with_fixtures(&["brand-private.pem"]);
    let req = |out: &str, form: &str| {
        openssl(
            &[
                "req",
                "-x509",
                "-key",
                "brand-private.pem",
                "-subj",
                "/CN=brand.example/O=Brand SAS",
                "-days",
                "30",
                "-outform",
                form,
                "-out",
                out,
            ],
            sb.path(),
        );
    };
    req("brand-cert.pem", "PEM");
    req("brand-cert.der", "DER");
    let dates = String::from_utf8(openssl(
        &[
            "x509",
            "-noout",
            "-startdate",
            "-enddate",
            "-dateopt",
            "iso_8601",
            "-in",
            "brand-cert.pem",
        ],
        sb.path(),
    ))
    .unwrap();
    // `notBefore=2026-12-07 01:48:34Z`: RFC 3339 with a T.
    let date = |name: &str| {
        dates
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap()
            .replace(' ', "T")
    };
    let (not_before, not_after) = (date("notBefore"), date("notAfter"));
    let key = fingerprint_fields(&sb, &["brand-private.pem"]);
    for (file, format) in [
        ("brand-cert.pem", "x509-pem"),
        ("brand-cert.der", "x509-der"),
    ] {
        assert_eq!(fingerprint_fields(&sb, &[file])[..4], key[..4], "{file}");
        let info = pubkey_json(&sb, &[file]);
        assert_eq!(info["source_format"], format);
        assert_eq!(
            info["certificate"],
            json!({
                "subject": "CN=brand.example, O=Brand SAS",
                "issuer": "CN=brand.example, O=Brand SAS",
                "not_before": not_before,
                "not_after": not_after,
            })
        );
        let out = run(sb
            .cmd()
            .args(["pubkey", file, "--expect-fingerprint", &key[2][..12]]));
        assert_exit(&out, 0);
        assert_eq!(
            stderr(&out).trim(),
            format!(
                "from an X.509 certificate: subject CN=brand.example, O=Brand SAS, issuer \
                 CN=brand.example, O=Brand SAS, valid from {not_before} to {not_after}"
            )
        );
    }
    // The key is read whole: `openssl x509 -pubkey` gives the same public key.
    let pem = openssl(
        &["x509", "-pubkey", "-noout", "-in", "brand-cert.pem"],
        sb.path(),
    );
    let out = run(sb.cmd().args(["pubkey", "brand-cert.pem"]));
    assert_eq!(out.stdout, pem);
}
