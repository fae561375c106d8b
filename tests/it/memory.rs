//! Key material in memory: each command that reads or makes a private key is run under gdb to
//! its last system call (`exit_group`), its memory is dumped there with `gcore`, and the dump
//! is searched for the key's secret numbers (d, p, q and the CRT values), big-endian as DER and
//! OpenSSL's text hold them, and little-endian as big-integer libraries hold them in memory.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// The secret numbers of the RSA private key in `pem`, big-endian, by name, as OpenSSL reads
/// them (independently of this tool).
fn secret_numbers(dir: &Path, pem: &str) -> Vec<(String, Vec<u8>)> {
    let text = String::from_utf8(openssl(&["rsa", "-in", pem, "-noout", "-text"], dir)).unwrap();
    let mut numbers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_suffix(':').filter(|n| !n.starts_with(' ')) {
            numbers.push((name.to_string(), String::new()));
        } else if line.starts_with(' ')
            && let Some((_, hex)) = numbers.last_mut()
        {
            hex.extend(line.trim().chars().filter(|c| *c != ':'));
        } else {
            numbers.push((String::new(), String::new()));
        }
    }
    let secret = [
        "privateExponent",
        "prime1",
        "prime2",
        "exponent1",
        "exponent2",
        "coefficient",
    ];
    let found: Vec<(String, Vec<u8>)> = numbers
        .into_iter()
        .filter(|(name, _)| secret.contains(&name.as_str()))
        .map(|(name, hex)| {
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .skip_while(|b| *b == 0)
                .collect();
            (name, bytes)
        })
        .collect();
    assert_eq!(found.len(), secret.len(), "openssl's text:\n{text}");
    found
}

/// Runs `iadvize-auth ARGS` in the sandbox under gdb, stops it at `exit_group` (after every
/// destructor has run) and returns its memory as `gcore` dumps it: the dump's memory segments,
/// without its notes, which hold the registers (on a machine with AVX-512 the last vector
/// instructions can leave a piece of a key in one: not memory, and gone with the process).
fn memory_at_exit(sb: &Sandbox, args: &[&str]) -> Vec<u8> {
    let core = sb.join("core");
    let _ = std::fs::remove_file(&core);
    let out = Command::new("gdb")
        .args(["-q", "-batch", "-nx"])
        .args([
            "-ex",
            "set pagination off",
            "-ex",
            "set startup-with-shell off",
        ])
        .args(["-ex", "catch syscall exit_group", "-ex", "run"])
        .args(["-ex", &format!("gcore {}", core.display()), "-ex", "kill"])
        .arg("--args")
        .arg(assert_cmd::cargo::cargo_bin("iadvize-auth"))
        .args(args)
        .current_dir(sb.path())
        .env_remove("IADVIZE_AUTH_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("gdb runs (scripts/test installs it)");
    let dump = std::fs::read(&core).unwrap_or_else(|e| {
        panic!(
            "no core dump ({e}); gdb said:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // readelf's program headers: "LOAD <offset> <vaddr> <paddr> <filesz> ...", in hex.
    let headers = tool("readelf", &["-lW", core.to_str().unwrap()], sb.path());
    let mut memory = Vec::new();
    for line in String::from_utf8(headers).unwrap().lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.first() != Some(&"LOAD") {
            continue;
        }
        let hex = |i: usize| usize::from_str_radix(fields[i].trim_start_matches("0x"), 16).unwrap();
        let (offset, size) = (hex(1), hex(4));
        memory.extend_from_slice(&dump[offset..offset + size]);
    }
    memory
}

/// Every 16-byte piece of every secret number, in either byte order, that `memory` holds.
fn secrets_in(memory: &[u8], numbers: &[(String, Vec<u8>)]) -> Vec<String> {
    const PIECE: usize = 16;
    let mut found = Vec::new();
    for (name, big_endian) in numbers {
        let little_endian: Vec<u8> = big_endian.iter().rev().copied().collect();
        for (order, bytes) in [
            ("big-endian", big_endian),
            ("little-endian", &little_endian),
        ] {
            let pieces = bytes
                .chunks_exact(PIECE)
                .filter(|piece| memchr::memmem::find(memory, piece).is_some())
                .count();
            if pieces > 0 {
                found.push(format!(
                    "{name} ({order}): {pieces} of its {} pieces",
                    bytes.len() / PIECE
                ));
            }
        }
    }
    found
}

#[track_caller]
fn assert_no_secret_left(sb: &Sandbox, key: &str, args: &[&str]) {
    let memory = memory_at_exit(sb, args);
    assert!(
        memory.len() > 1_000_000,
        "a whole process: {} bytes",
        memory.len()
    );
    let numbers = secret_numbers(sb.path(), key);
    let found = secrets_in(&memory, &numbers);
    assert!(
        found.is_empty(),
        "`{}` left in memory at exit: {found:#?}",
        args.join(" ")
    );
}

#[test]
fn the_search_finds_a_key_that_is_in_memory() {
    // The oracle itself: openssl holding the key when it exits.
    let sb = rehearsal_sandbox();
    let numbers = secret_numbers(sb.path(), "brand-private.pem");
    let pem = std::fs::read(sb.join("brand-private.pem")).unwrap();
    let der = openssl(
        &["pkey", "-in", "brand-private.pem", "-outform", "DER"],
        sb.path(),
    );
    let mut memory = vec![0u8; 4096];
    memory.extend_from_slice(&pem);
    memory.extend_from_slice(&der);
    let found = secrets_in(&memory, &numbers);
    assert_eq!(
        found.len(),
        6,
        "every number, big-endian, in the DER: {found:#?}"
    );
}

#[test]
fn mint_leaves_no_key_material_in_memory() {
    let sb = rehearsal_sandbox();
    set_mode(&sb.join("brand-private.pem"), 0o600);
    let args = [
        "mint",
        "--key",
        "brand-private.pem",
        "--iadvize-key",
        "standin-iadvize-public.pem",
        "--user-id",
        "customer-1",
    ];
    assert_no_secret_left(&sb, "brand-private.pem", &args);
}

#[test]
fn pubkey_leaves_no_key_material_in_memory() {
    let sb = rehearsal_sandbox();
    set_mode(&sb.join("brand-private.pem"), 0o600);
    assert_no_secret_left(&sb, "brand-private.pem", &["pubkey", "brand-private.pem"]);
}

#[test]
fn inspect_leaves_no_key_material_in_memory() {
    let sb = rehearsal_sandbox();
    set_mode(&sb.join("standin-iadvize-private.pem"), 0o600);
    let token = rehearsal_token(&sb, "customer-1");
    sb.write("token.txt", &token);
    let args = [
        "inspect",
        "--decrypt-key",
        "standin-iadvize-private.pem",
        "--verify-key",
        "brand-public.pem",
        "token.txt",
    ];
    assert_no_secret_left(&sb, "standin-iadvize-private.pem", &args);
}

#[test]
fn keygen_leaves_no_key_material_in_memory() {
    let sb = Sandbox::new();
    let memory = memory_at_exit(&sb, &["keygen", "--out-dir", "k"]);
    let numbers = secret_numbers(sb.path(), "k/private-key.pem");
    let found = secrets_in(&memory, &numbers);
    assert!(
        found.is_empty(),
        "keygen left in memory at exit: {found:#?}"
    );
}
