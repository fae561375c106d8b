//! The Debian package: `cargo deb` packs the binary these tests run (Cargo.toml's
//! `[package.metadata.deb]`), and the package's file list and control fields are read back with
//! `dpkg-deb`. `scripts/package --check` (run by .ci/run) builds the release package, lints it,
//! installs it, checks it and removes it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::*;

/// The package made from the binary under test: `cargo deb` without building, from the profile
/// the binary was built with; made once per run, as two `cargo deb` at once share their
/// staging files.
fn package() -> &'static Path {
    static PACKAGE: OnceLock<PathBuf> = OnceLock::new();
    PACKAGE.get_or_init(make_package)
}

fn make_package() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_iadvize-auth"));
    let profile = match binary.parent().and_then(Path::file_name) {
        Some(dir) if dir == "debug" => "dev".to_string(),
        Some(dir) => dir.to_string_lossy().into_owned(),
        None => panic!("no profile folder above {}", binary.display()),
    };
    let deb = Path::new(env!("CARGO_TARGET_TMPDIR")).join("iadvize-auth-under-test.deb");
    let out = Command::new(env!("CARGO"))
        .args([
            "deb",
            "--no-build",
            "--strip",
            "--fast",
            "--profile",
            &profile,
        ])
        .arg("--output")
        .arg(&deb)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo deb failed (scripts/test installs cargo-deb): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    deb
}

fn dpkg_deb(args: &[&str], deb: &Path) -> String {
    let out = Command::new("dpkg-deb")
        .args(args)
        .arg(deb)
        .output()
        .expect("dpkg-deb runs");
    assert!(out.status.success(), "dpkg-deb {args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_package_puts_binary_man_pages_completions_and_docs_where_the_system_looks() {
    let sb = Sandbox::new();
    let deb = package();
    // `dpkg-deb -c`: mode, owner, size, date, time, path.
    let listing = dpkg_deb(&["--contents"], deb);
    let files: Vec<(&str, &str)> = listing
        .lines()
        .filter(|line| !line.starts_with('d'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let path = fields.last().expect("a path").trim_start_matches('.');
            (fields[0], path)
        })
        .collect();
    let mut expected = vec![
        ("-rwxr-xr-x", "/usr/bin/iadvize-auth".to_string()),
        (
            "-rw-r--r--",
            "/usr/share/bash-completion/completions/iadvize-auth".into(),
        ),
        (
            "-rw-r--r--",
            "/usr/share/zsh/vendor-completions/_iadvize-auth".into(),
        ),
        (
            "-rw-r--r--",
            "/usr/share/fish/vendor_completions.d/iadvize-auth.fish".into(),
        ),
        ("-rw-r--r--", "/usr/share/doc/iadvize-auth/README.md".into()),
        ("-rw-r--r--", "/usr/share/doc/iadvize-auth/copyright".into()),
        (
            "-rw-r--r--",
            "/usr/share/doc/iadvize-auth/changelog.Debian.gz".into(),
        ),
        (
            "-rw-r--r--",
            "/usr/share/lintian/overrides/iadvize-auth".into(),
        ),
        ("-rw-r--r--", "/usr/share/man/man1/iadvize-auth.1.gz".into()),
    ];
    for verb in VERBS {
        expected.push((
            "-rw-r--r--",
            format!("/usr/share/man/man1/iadvize-auth-{verb}.1.gz"),
        ));
    }
    let mut expected: Vec<(&str, &str)> = expected
        .iter()
        .map(|(mode, path)| (*mode, path.as_str()))
        .collect();
    expected.sort();
    let mut files = files;
    files.sort();
    assert_eq!(files, expected, "{listing}");

    // The man pages are the committed ones, gzipped; the completions are the committed files.
    let unpacked = sb.join("root");
    let out = Command::new("dpkg-deb")
        .arg("--extract")
        .arg(deb)
        .arg(&unpacked)
        .output()
        .expect("dpkg-deb runs");
    assert!(out.status.success());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read(unpacked.join("usr/share/man/man1/iadvize-auth-mint.1.gz")).unwrap();
    let mut roff = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&page[..]), &mut roff).unwrap();
    assert_eq!(
        roff,
        std::fs::read(root.join("docs/man/iadvize-auth-mint.1")).unwrap()
    );
    assert_eq!(
        std::fs::read(unpacked.join("usr/share/bash-completion/completions/iadvize-auth")).unwrap(),
        std::fs::read(root.join("completions/iadvize-auth.bash")).unwrap()
    );
    let installed = unpacked.join("usr/bin/iadvize-auth");
    let out = run(Command::new(&installed).arg("--version"));
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("iadvize-auth {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn the_package_says_what_it_is_and_needs() {
    let control = dpkg_deb(&["--field"], package());
    let field = |name: &str| {
        control
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} field in {control}"))
            .to_string()
    };
    assert_eq!(field("Package"), "iadvize-auth");
    assert_eq!(field("Version"), format!("{}-1", env!("CARGO_PKG_VERSION")));
    assert_eq!(field("Section"), "utils");
    // Found by dpkg-shlibdeps from the binary: the C library and OpenSSL.
    let depends = field("Depends");
    assert!(depends.contains("libc6"), "{depends}");
    assert!(depends.contains("libssl3"), "{depends}");
}

#[test]
fn the_debian_changelog_is_for_this_version() {
    let changelog =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("debian/changelog"))
            .unwrap();
    let first = changelog.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("iadvize-auth ({}-1) ", env!("CARGO_PKG_VERSION"))),
        "debian/changelog's first entry must be for the crate's version: {first}"
    );
}
