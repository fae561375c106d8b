//! Key inputs crafted to crash the tool, hang it or mislead its user: each is refused at once,
//! in one line that names what is wrong, by the real binary. The rows of docs/security.md's
//! bad-input matrix that concern key reading.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::*;
use base64::Engine as _;
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::{Decode, Encode, pem::LineEnding};
use pkcs8::pkcs5::pbes2;
use rsa::pkcs1::RsaPublicKeyRef;

const PASSPHRASE: &str = "correct horse";

/// A sandbox with the fixtures the commands below need.
fn sandbox() -> Sandbox {
    Sandbox::with_fixtures(&[
        "brand-private.pem",
        "brand-public.pem",
        "standin-iadvize-private.pem",
        "standin-iadvize-public.pem",
    ])
}

fn scrypt(cost: u64, r: u16, p: u16, key_length: Option<u16>) -> pbes2::Kdf {
    pbes2::Kdf::Scrypt(pbes2::ScryptParams {
        salt: pbes2::Salt::new(b"saltsaltsaltsalt").unwrap(),
        cost_parameter: cost,
        block_size: r,
        parallelization: p,
        key_length,
    })
}

fn pbkdf2(iterations: u32) -> pbes2::Kdf {
    pbes2::Kdf::Pbkdf2(pbes2::Pbkdf2Params {
        salt: pbes2::Salt::new(b"saltsaltsaltsalt").unwrap(),
        iteration_count: iterations,
        key_length: None,
        prf: pbes2::Pbkdf2Prf::HmacWithSha256,
    })
}

/// An encrypted PKCS#8 key (DER) with these derivation parameters and AES-256-CBC. With
/// `plaintext`, that is encrypted under [`PASSPHRASE`]; without, the content is 1,232 bytes
/// of 0x00, as in the crafted file that first crashed the tool.
fn encrypted_pkcs8(kdf: pbes2::Kdf, plaintext: Option<&[u8]>) -> Vec<u8> {
    let params = pbes2::Parameters {
        kdf,
        encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [1; 16] },
    };
    let data = match plaintext {
        Some(plain) => params.encrypt(PASSPHRASE, plain).unwrap(),
        None => vec![0; 1232],
    };
    pkcs8::EncryptedPrivateKeyInfoRef {
        encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params),
        encrypted_data: OctetStringRef::new(&data).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    pkcs8::der::pem::encode_string(label, LineEnding::LF, der).unwrap()
}

/// The DER inside a PEM fixture.
fn fixture_der(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(fixture_path(name)).unwrap();
    pkcs8::der::pem::decode_vec(text.as_bytes()).unwrap().1
}

/// The brand key's modulus, big-endian, shortest form.
fn brand_modulus() -> Vec<u8> {
    let spki = fixture_der("brand-public.pem");
    let info = pkcs8::SubjectPublicKeyInfoRef::from_der(&spki).unwrap();
    let bits = info.subject_public_key.as_bytes().unwrap();
    RsaPublicKeyRef::from_der(bits)
        .unwrap()
        .modulus
        .as_bytes()
        .to_vec()
}

/// A `PUBLIC KEY` PEM with this modulus and exponent, encoded as any tool would.
fn spki_pem(n: &[u8], e: &[u8]) -> String {
    let uint = |bytes| pkcs8::der::asn1::UintRef::new(bytes).unwrap();
    let rsa = RsaPublicKeyRef {
        modulus: uint(n),
        public_exponent: uint(e),
    }
    .to_der()
    .unwrap();
    let info = pkcs8::SubjectPublicKeyInfoRef {
        algorithm: pkcs8::spki::AlgorithmIdentifierRef {
            oid: pkcs8::der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1"),
            parameters: Some(pkcs8::der::asn1::AnyRef::NULL),
        },
        subject_public_key: pkcs8::der::asn1::BitStringRef::from_bytes(&rsa).unwrap(),
    };
    pem("PUBLIC KEY", &info.to_der().unwrap())
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Runs the command, failing the test if it takes longer than `limit`.
#[track_caller]
fn run_within(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    let out = run(cmd);
    let took = start.elapsed();
    assert!(took < limit, "took {took:?}, more than {limit:?}");
    out
}

/// Every command that reads a private key, reading `key` with the passphrase in the
/// environment.
fn commands_reading(sb: &Sandbox, key: &str) -> Vec<Command> {
    let token = rehearsal_token(sb, "customer-42");
    let args: [&[&str]; 4] = [
        &["pubkey", key],
        &["mint", "--key", key, "--user-id", "c"],
        &[
            "mint",
            "--key",
            "brand-private.pem",
            "--iadvize-key",
            key,
            "--user-id",
            "c",
        ],
        &["inspect", &token, "--decrypt-key", key],
    ];
    args.iter()
        .map(|args| {
            let mut cmd = sb.cmd();
            cmd.args(*args).env("IADVIZE_AUTH_PASSPHRASE", "x");
            cmd
        })
        .collect()
}

// Issue 16, item 1: scrypt N = 0 made the pkcs5 crate panic (exit 101), in every command.
#[test]
fn an_scrypt_cost_of_zero_is_refused_by_every_command_that_reads_a_key() {
    let sb = sandbox();
    let der = encrypted_pkcs8(scrypt(0, 8, 1, None), None);
    sb.write("n0.pem", pem("ENCRYPTED PRIVATE KEY", &der));
    sb.write("n0.der", &der);
    for key in ["n0.pem", "n0.der"] {
        for mut cmd in commands_reading(&sb, key) {
            let out = run(&mut cmd);
            assert_refused(&out, &[key, "scrypt N=0, r=8, p=1", "a power of two"]);
        }
    }
}

// Issue 16, item 1: each derivation parameter is checked before the pkcs5 crate derives
// anything, and the message names it.
#[test]
fn every_key_derivation_parameter_is_checked_before_it_is_used() {
    let sb = sandbox();
    let cases = [
        (
            scrypt(1, 8, 1, None),
            "N=1, r=8, p=1 (N must be a power of two",
        ),
        (
            scrypt(3 << 10, 8, 1, None),
            "N=3072, r=8, p=1 (N must be a power of two",
        ),
        (
            scrypt(1 << 10, 0, 1, None),
            "N=1024, r=0, p=1 (r and p must be at least 1",
        ),
        (
            scrypt(1 << 10, 8, 0, None),
            "N=1024, r=8, p=0 (r and p must be at least 1",
        ),
        (
            scrypt(1 << 10, 8, 1, Some(7)),
            "a key of 7 bytes (its cipher takes a key of 32 bytes",
        ),
        (pbkdf2(0), "0 PBKDF2 iterations (PBKDF2 needs at least 1"),
    ];
    for (kdf, needle) in cases {
        sb.write(
            "k.pem",
            pem("ENCRYPTED PRIVATE KEY", &encrypted_pkcs8(kdf, None)),
        );
        let out = run(sb
            .cmd()
            .args(["pubkey", "k.pem"])
            .env("IADVIZE_AUTH_PASSPHRASE", "x"));
        assert_refused(&out, &["k.pem", needle]);
    }
}

// Issue 16, item 13: scrypt at N = 2^20, r = 8 took 1 GiB and 8 s before the passphrase was
// judged; N = 2^19, p = 2 took 531 MB.
#[test]
fn scrypt_memory_is_capped_at_what_real_tools_write() {
    let sb = sandbox();
    for (kdf, named) in [
        (
            scrypt(1 << 20, 8, 1, None),
            "N=1048576, r=8, p=1 (1024 MiB of memory",
        ),
        (
            scrypt(1 << 19, 8, 2, None),
            "N=524288, r=8, p=2 (1024 MiB of memory",
        ),
        (
            scrypt(1 << 18, 8, 1, None),
            "N=262144, r=8, p=1 (256 MiB of memory",
        ),
    ] {
        sb.write(
            "costly.pem",
            pem("ENCRYPTED PRIVATE KEY", &encrypted_pkcs8(kdf, None)),
        );
        let mut cmd = sb.cmd();
        cmd.args(["pubkey", "costly.pem"])
            .env("IADVIZE_AUTH_PASSPHRASE", "x");
        let out = run_within(&mut cmd, Duration::from_secs(2));
        assert_refused(&out, &["costly.pem", named, "at most 128 MiB"]);
    }
    // The largest cost real tools write opens: the pkcs8 crate's N = 2^17, r = 8 before its
    // version 0.11 (OpenSSL writes N = 2^14).
    let plain = fixture_der("brand-private.pem");
    let der = encrypted_pkcs8(scrypt(1 << 17, 8, 1, None), Some(&plain));
    sb.write("at-the-cap.pem", pem("ENCRYPTED PRIVATE KEY", &der));
    let out = run(sb
        .cmd()
        .args(["pubkey", "at-the-cap.pem", "--format", "base64"])
        .env("IADVIZE_AUTH_PASSPHRASE", PASSPHRASE));
    assert_exit(&out, 0);
    let expected = run(sb
        .cmd()
        .args(["pubkey", "brand-public.pem", "--format", "base64"]));
    assert_eq!(
        stdout(&out).lines().next(),
        stdout(&expected).lines().next()
    );
}

// Issue 16, items 2 and 4: a private JWK whose "n" starts with 500 KB of zeros overflowed the
// stack (exit 134); a public one with 700 KB of zeros took 40 s or more (quadratic).
#[test]
fn jwk_numbers_padded_with_zeros_are_refused_before_any_arithmetic() {
    let sb = sandbox();
    let n = brand_modulus();
    let padded = |zeros: usize, value: &[u8]| {
        let mut bytes = vec![0; zeros];
        bytes.extend_from_slice(value);
        b64url(&bytes)
    };
    // The private members need not be right: the padding is refused before they are read.
    let private = serde_json::json!({
        "kty": "RSA", "n": padded(500_000, &n), "e": "AQAB",
        "d": b64url(&n[1..]), "p": b64url(&n[..128]), "q": b64url(&n[128..]),
    });
    sb.write("private.jwk", private.to_string());
    let public = serde_json::json!({ "kty": "RSA", "n": padded(700_000, &n), "e": "AQAB" });
    sb.write("public.jwk", public.to_string());
    let e_padded = serde_json::json!({ "kty": "RSA", "n": b64url(&n), "e": padded(1, &[1, 0, 1]) });
    sb.write("e.jwk", e_padded.to_string());
    let token = rehearsal_token(&sb, "customer-42");
    let runs: [(&[&str], &str); 5] = [
        (
            &["pubkey", "private.jwk"],
            "member \"n\" starts with 500000 zero bytes",
        ),
        (
            &["pubkey", "public.jwk"],
            "member \"n\" starts with 700000 zero bytes",
        ),
        (
            &[
                "mint",
                "--key",
                "brand-private.pem",
                "--iadvize-key",
                "public.jwk",
                "--user-id",
                "c",
            ],
            "member \"n\" starts with 700000 zero bytes",
        ),
        (
            &[
                "inspect",
                &token,
                "--decrypt-key",
                "standin-iadvize-private.pem",
                "--verify-key",
                "public.jwk",
            ],
            "member \"n\" starts with 700000 zero bytes",
        ),
        (
            &["pubkey", "e.jwk"],
            "member \"e\" starts with 1 zero byte,",
        ),
    ];
    for (args, needle) in runs {
        let out = run_within(sb.cmd().args(args), Duration::from_secs(3));
        assert_refused(&out, &[needle, "RFC 7518"]);
    }
}

// Issue 16, item 15: a passphrase file over its limit was "too large to be a key".
#[test]
fn inputs_over_their_limit_are_named_for_what_they_are() {
    let sb = sandbox();
    sb.write("pass.txt", format!("{PASSPHRASE}\n"));
    let plain = fixture_der("brand-private.pem");
    let der = encrypted_pkcs8(scrypt(1 << 10, 8, 1, None), Some(&plain));
    sb.write("encrypted.pem", pem("ENCRYPTED PRIVATE KEY", &der));
    sb.write("big-pass.txt", "p".repeat(100_000));
    let out = run(sb.cmd().args([
        "pubkey",
        "encrypted.pem",
        "--passphrase-file",
        "big-pass.txt",
    ]));
    let message = assert_refused(
        &out,
        &["passphrase file 'big-pass.txt'", "larger than 64 KiB"],
    );
    assert!(!message.contains("too large to be a key"), "{message}");
    // A key over its limit still is.
    sb.write("big.pem", "k".repeat(2 << 20));
    let out = run(sb.cmd().args(["pubkey", "big.pem"]));
    assert_refused(
        &out,
        &["'big.pem'", "larger than 1 MiB", "too large to be a key"],
    );
    // And the passphrase file is read as before.
    let out = run(sb
        .cmd()
        .args(["pubkey", "encrypted.pem", "--passphrase-file", "pass.txt"]));
    assert_exit(&out, 0);
}

// Issue 16, item 15: e = 1, e = 2 or an even modulus were "malformed … may be truncated".
#[test]
fn impossible_rsa_numbers_are_called_invalid_not_truncated() {
    let sb = sandbox();
    let n = brand_modulus();
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    let big_e = [1, 0, 0, 0, 0, 1];
    let cases: [(&str, &[u8], &[u8], &str); 5] = [
        (
            "e1",
            &n,
            &[1],
            "its public exponent is 1, and RSA needs an odd exponent of at least 3",
        ),
        (
            "e2",
            &n,
            &[2],
            "its public exponent is 2, and RSA needs an odd exponent of at least 3",
        ),
        ("e4", &n, &[4], "its public exponent is 4,"),
        ("even", &even, &[1, 0, 1], "its modulus is even"),
        (
            "big-e",
            &n,
            &big_e,
            "its public exponent is larger than 8589934591",
        ),
    ];
    for (name, n, e, needle) in cases {
        for (file, text) in [
            (format!("{name}.pem"), spki_pem(n, e)),
            (
                format!("{name}.jwk"),
                serde_json::json!({ "kty": "RSA", "n": b64url(n), "e": b64url(e) }).to_string(),
            ),
        ] {
            sb.write(&file, text);
            let out = run(sb.cmd().args(["pubkey", &file]));
            let message = assert_refused(&out, &[&file, "not a valid RSA key", needle]);
            assert!(!message.contains("truncated"), "{message}");
        }
    }
}

// Issue 16, item 15: a PEM whose base64 is one unwrapped line (OpenSSL and Python read it)
// was refused; so were 76-column lines.
#[test]
fn pem_base64_reads_at_any_line_width() {
    let sb = sandbox();
    for fixture in ["brand-public.pem", "brand-private.pem"] {
        let text = std::fs::read_to_string(fixture_path(fixture)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (begin, end) = (lines[0], lines[lines.len() - 1]);
        let body: String = lines[1..lines.len() - 1].concat();
        let wrap = |width: usize, eol: &str| -> String {
            let rows: Vec<&str> = body
                .as_bytes()
                .chunks(width)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            format!("{begin}{eol}{}{eol}{end}{eol}", rows.join(eol))
        };
        let expected = run(sb.cmd().args(["pubkey", fixture, "--format", "base64"]));
        assert_exit(&expected, 0);
        for (name, layout) in [
            ("one-line.pem", wrap(body.len(), "\n")),
            ("76-columns.pem", wrap(76, "\n")),
            ("crlf-40.pem", wrap(40, "\r\n")),
        ] {
            sb.write(name, &layout);
            set_mode(&sb.join(name), 0o600);
            let out = run(sb.cmd().args(["pubkey", name, "--format", "base64"]));
            assert_exit(&out, 0);
            assert_eq!(stdout(&out), stdout(&expected), "{fixture} as {name}");
        }
    }
    // What is not base64 is still refused, in one line.
    sb.write(
        "bad.pem",
        "-----BEGIN PUBLIC KEY-----\nMIIB!!\n-----END PUBLIC KEY-----\n",
    );
    let out = run(sb.cmd().args(["pubkey", "bad.pem"]));
    assert_refused(&out, &["bad.pem", "not valid base64"]);
}

/// A DER TLV (lengths up to 65,535 bytes).
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        Ok(byte) => out.extend([0x81, byte]),
        Err(_) => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(body);
    out
}

fn oid_der(arcs: &str) -> Vec<u8> {
    pkcs8::der::asn1::ObjectIdentifier::new_unwrap(arcs)
        .to_der()
        .unwrap()
}

// Found by the structured keys fuzz target: a PBES2 key encrypted with DES or 3DES whose IV
// is shorter than 8 bytes made the pkcs5 crate panic (exit 101) as soon as the file was
// read, before any passphrase was asked for.
#[test]
fn a_des_iv_of_the_wrong_length_is_refused() {
    let sb = sandbox();
    let kdf = tlv(
        0x30,
        &[
            oid_der("1.2.840.113549.1.5.12"),
            tlv(
                0x30,
                &[tlv(0x04, b"saltsaltsaltsalt"), tlv(0x02, &[8, 0])].concat(),
            ),
        ]
        .concat(),
    );
    for (cipher, iv_len) in [("1.2.840.113549.3.7", 6), ("1.3.14.3.2.7", 0)] {
        let cipher = tlv(
            0x30,
            &[oid_der(cipher), tlv(0x04, &vec![1; iv_len])].concat(),
        );
        let algorithm = tlv(
            0x30,
            &[
                oid_der("1.2.840.113549.1.5.13"),
                tlv(0x30, &[kdf.clone(), cipher].concat()),
            ]
            .concat(),
        );
        let der = tlv(0x30, &[algorithm, tlv(0x04, &[0; 1232])].concat());
        sb.write("des.pem", pem("ENCRYPTED PRIVATE KEY", &der));
        sb.write("des.der", &der);
        for key in ["des.pem", "des.der"] {
            for mut cmd in commands_reading(&sb, key) {
                let out = run(&mut cmd);
                let iv = format!("its DES or 3DES IV is {iv_len} bytes, and those ciphers take 8");
                assert_refused(&out, &[key, &iv]);
            }
        }
    }
}

/// A PEM's base64 body as one string, and the PEM rewrapped from changed DER.
fn pem_der(text: &str) -> Vec<u8> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

// Issue 23, item 5: a legacy encrypted PEM with a space after DEK-Info's comma, two DEK-Info
// lines or a body cut at a line boundary, and a PKCS#8 key damaged inside, were all reported as
// a wrong passphrase when the passphrase was right.
#[test]
fn a_damaged_encrypted_key_is_named_as_damage_not_as_a_wrong_passphrase() {
    let sb = sandbox();
    sb.write("pass.txt", format!("{PASSPHRASE}\n"));
    sb.write("wrong.txt", "not the passphrase\n");
    for (format, args) in [
        ("legacy.pem", &["rsa", "-aes256", "-traditional"][..]),
        ("pkcs8.pem", &["pkcs8", "-topk8", "-v2", "aes-256-cbc"]),
    ] {
        let mut all = args.to_vec();
        all.extend([
            "-in",
            "brand-private.pem",
            "-passout",
            "file:pass.txt",
            "-out",
            format,
        ]);
        openssl(&all, sb.path());
    }
    let legacy = std::fs::read_to_string(sb.join("legacy.pem")).unwrap();
    let lines: Vec<&str> = legacy.lines().collect();
    assert!(lines[2].starts_with("DEK-Info: AES-256-CBC,"), "{legacy}");
    let with_lines = |lines: &[&str]| lines.join("\n") + "\n";
    let mut spaced = lines.clone();
    let spaced_line = lines[2].replace(",", ", ");
    spaced[2] = &spaced_line;
    let other_iv = format!("DEK-Info: AES-256-CBC,{}", "0".repeat(32));
    let mut two_dek_infos = lines.clone();
    two_dek_infos.insert(2, &other_iv);
    let end = lines.len() - 1;
    let cut = [&lines[..end - 6], &lines[end..]].concat();
    let pkcs8 = std::fs::read_to_string(sb.join("pkcs8.pem")).unwrap();
    let der = pem_der(&pkcs8);
    let changed = |at: usize| {
        let mut der = der.clone();
        der[at] ^= 1;
        pem("ENCRYPTED PRIVATE KEY", &der)
    };
    // (file, contents, what the message says with the right passphrase, whether the wrong
    // passphrase is then named: not when the file is refused before any passphrase is tried)
    let cases: [(&str, String, &[&str], bool); 5] = [
        (
            "spaced.pem",
            with_lines(&spaced),
            &["line 3: DEK-Info has a space after its comma"],
            false,
        ),
        (
            "two-dek-infos.pem",
            with_lines(&two_dek_infos),
            &["line 4: a second DEK-Info header"],
            false,
        ),
        (
            "cut.pem",
            with_lines(&cut),
            &["the key inside is", "the end is missing"],
            true,
        ),
        (
            "pkcs8-middle.pem",
            changed(der.len() / 2),
            &["malformed", "damaged"],
            true,
        ),
        (
            "pkcs8-end.pem",
            changed(der.len() - 3),
            &["the end of the encrypted data is damaged"],
            true,
        ),
    ];
    for (file, contents, needles, wrong_named) in cases {
        sb.write(file, contents);
        set_mode(&sb.join(file), 0o600);
        let out = run(sb
            .cmd()
            .args(["pubkey", file, "--passphrase-file", "pass.txt"]));
        let message = assert_refused(&out, needles);
        assert!(message.contains(file), "{message}");
        assert!(!message.contains("wrong passphrase"), "{message}");
        let out = run(sb
            .cmd()
            .args(["pubkey", file, "--passphrase-file", "wrong.txt"]));
        let message = assert_refused(&out, &[file]);
        assert_eq!(
            message.contains("wrong passphrase"),
            wrong_named,
            "{message}"
        );
    }
    // Whole keys: the right passphrase opens them, another is named wrong.
    for file in ["legacy.pem", "pkcs8.pem"] {
        set_mode(&sb.join(file), 0o600);
        let out = run(sb
            .cmd()
            .args(["pubkey", file, "--passphrase-file", "pass.txt"]));
        assert_exit(&out, 0);
        let out = run(sb
            .cmd()
            .args(["pubkey", file, "--passphrase-file", "wrong.txt"]));
        assert_refused(&out, &[file, "wrong passphrase"]);
    }
}

// Issue 23, item 7: a PEM file of two different keys was read as its first key, silently.
#[test]
fn a_pem_file_of_several_different_keys_is_refused_naming_each() {
    let sb = Sandbox::with_fixtures(&[
        "brand-private.pem",
        "brand-public.pem",
        "other-private.pem",
        "standin-iadvize-private.pem",
    ]);
    let read = |name: &str| std::fs::read_to_string(sb.join(name)).unwrap();
    let brand = openssl_fingerprint(&sb.join("brand-private.pem"), false);
    let other = openssl_fingerprint(&sb.join("other-private.pem"), false);
    let two = read("brand-private.pem") + &read("other-private.pem");
    sb.write("two.pem", &two);
    set_mode(&sb.join("two.pem"), 0o600);
    let first_of_other = two.lines().count() - read("other-private.pem").lines().count() + 1;
    let listed = [
        format!("line 1: SHA-256 {brand}"),
        format!("line {first_of_other}: SHA-256 {other}"),
    ];
    let needles = ["'two.pem'", "holds 2 keys", &listed[0], &listed[1]];
    assert_refused(&run(sb.cmd().args(["pubkey", "two.pem"])), &needles);
    // Every command that reads a key, from a file or standard input.
    let out = run_with_stdin(sb.cmd().args(["pubkey", "-"]), two.as_bytes());
    assert_refused(&out, &["standard input", &listed[0], &listed[1]]);
    let out = run(sb.cmd().args([
        "mint",
        "--key",
        "two.pem",
        "--iadvize-key",
        "standin-iadvize-private.pem",
        "--user-id",
        "c-1",
    ]));
    assert_refused(&out, &["two.pem", "holds 2 keys"]);

    // Encrypted, under one passphrase: each is opened to name it.
    sb.write("pass.txt", format!("{PASSPHRASE}\n"));
    set_mode(&sb.join("pass.txt"), 0o600);
    for (key, out) in [
        ("brand-private.pem", "a.pem"),
        ("other-private.pem", "b.pem"),
    ] {
        openssl_encrypt_pkcs8(sb.path(), key, "pass.txt", out, false);
    }
    sb.write("two-encrypted.pem", read("a.pem") + &read("b.pem"));
    set_mode(&sb.join("two-encrypted.pem"), 0o600);
    let out = run(sb.cmd().args([
        "pubkey",
        "two-encrypted.pem",
        "--passphrase-file",
        "pass.txt",
    ]));
    assert_refused(&out, &["holds 2 keys", &brand, &other]);

    // A private key and its own public half are one key.
    sb.write(
        "pair.pem",
        read("brand-private.pem") + &read("brand-public.pem"),
    );
    set_mode(&sb.join("pair.pem"), 0o600);
    let out = run(sb.cmd().args(["pubkey", "pair.pem", "--json"]));
    assert_exit(&out, 0);
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["sha256_fingerprint"], brand.as_str());
}

// Issue 23, item 7: a passphrase file others could read got no warning; a key file does.
#[test]
fn a_passphrase_file_others_can_read_is_warned_about_as_a_key_file_is() {
    let sb = sandbox();
    sb.write("pass.txt", format!("{PASSPHRASE}\n"));
    openssl_encrypt_pkcs8(sb.path(), "brand-private.pem", "pass.txt", "enc.pem", false);
    set_mode(&sb.join("enc.pem"), 0o600);
    for (mode, warned) in [(0o644, true), (0o640, true), (0o600, false)] {
        set_mode(&sb.join("pass.txt"), mode);
        let out = run(sb
            .cmd()
            .args(["pubkey", "enc.pem", "--passphrase-file", "pass.txt"]));
        assert_exit(&out, 0);
        let warning = format!(
            "warning: passphrase file 'pass.txt' is readable by other users (mode {mode:03o}); \
             restrict it with `chmod 600`"
        );
        assert_eq!(stderr(&out).contains(&warning), warned, "{}", stderr(&out));
    }
    // The same words as for a key file.
    set_mode(&sb.join("enc.pem"), 0o644);
    let out = run(sb
        .cmd()
        .args(["pubkey", "enc.pem", "--passphrase-file", "pass.txt"]));
    assert!(
        stderr(&out).contains(
            "warning: private key file 'enc.pem' is readable by other users (mode 644); \
             restrict it with `chmod 600`"
        ),
        "{}",
        stderr(&out)
    );
    // keygen's passphrase file too.
    set_mode(&sb.join("pass.txt"), 0o644);
    let out = run(sb.cmd().args([
        "keygen",
        "--encrypt",
        "--passphrase-file",
        "pass.txt",
        "--out-dir",
        "new",
    ]));
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("warning: passphrase file 'pass.txt' is readable by other users"),
        "{}",
        stderr(&out)
    );
}

/// RSA keys outside 1024 to 8192 bits are refused before any arithmetic is done with them
/// (the cost of RSA grows with the cube of the size).
#[test]
fn rsa_keys_outside_1024_to_8192_bits_are_refused() {
    let sb = sandbox();
    for (bits, needles) in [
        (8200, &["has 8200 bits", "at most 8192"][..]),
        (1000, &["has 1000 bits", "at least 2048"]),
    ] {
        let n = vec![0xffu8; bits / 8];
        let file = format!("n{bits}.pem");
        sb.write(&file, spki_pem(&n, &[1, 0, 1]));
        let out = run_within(sb.cmd().args(["pubkey", &file]), Duration::from_secs(5));
        assert_refused(&out, needles);
    }
}
