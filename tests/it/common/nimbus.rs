//! iAdvize's own JOSE library as an oracle: the real Nimbus JOSE+JWT jar, outside the project in
//! `../shared/nimbus/` (or `$NIMBUS_DIR`), asked along iAdvize's decrypt → verify → user id path
//! by tests/java/NimbusVerdict.java.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use base64::Engine;

use super::java::JavaHarness;

/// What Nimbus does with a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NimbusVerdict {
    pub accepts: bool,
    /// For a rejection, the stage and the exception: `decrypt: com.nimbusds.jose.JOSEException:
    /// …`; empty when it accepts.
    pub detail: String,
}

/// The folder that holds the Nimbus jar.
fn nimbus_dir() -> PathBuf {
    match std::env::var_os("NIMBUS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nimbus"),
    }
}

/// The `nimbus-jose-jwt-*.jar` in the Nimbus folder, if there is one.
fn nimbus_jar() -> Option<PathBuf> {
    let mut jars: Vec<PathBuf> = std::fs::read_dir(nimbus_dir())
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("nimbus-jose-jwt-") && name.ends_with(".jar"))
        })
        .collect();
    jars.sort();
    jars.pop()
}

/// Whether the Nimbus jar is here. Where it is not, prints why the calling test is skipped
/// and returns false (the test then returns); under `CI=true` its absence fails the test.
pub(crate) fn nimbus_present() -> bool {
    if nimbus_jar().is_some() {
        return true;
    }
    let why = format!(
        "no nimbus-jose-jwt-*.jar in {} (set NIMBUS_DIR to the folder that has it)",
        nimbus_dir().display()
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true: {why}"
    );
    eprintln!("skipped: {why}");
    false
}

fn oracle() -> &'static Mutex<JavaHarness> {
    static ORACLE: OnceLock<Mutex<JavaHarness>> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let jar = nimbus_jar().expect("the Nimbus jar (check nimbus_present() first)");
        Mutex::new(JavaHarness::start("NimbusVerdict", &[&jar]))
    })
}

/// What Nimbus, along iAdvize's path, does with `token_text` (its exact bytes, read as UTF-8)
/// given the recipient's private key and the brand's public key (PEM files).
pub(crate) fn nimbus_verdict(
    token_text: &[u8],
    decrypt_key: &Path,
    verify_key: &Path,
) -> NimbusVerdict {
    let path = |key: &Path| {
        let text = key.to_str().expect("a UTF-8 key path");
        assert!(!text.contains(['\t', '\n', '\r']), "{text:?}");
        text.to_owned()
    };
    let request = format!(
        "{}\t{}\t{}",
        base64::engine::general_purpose::STANDARD.encode(token_text),
        path(decrypt_key),
        path(verify_key)
    );
    let answer = oracle()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .ask(&request);
    if answer == "accepts" {
        return NimbusVerdict {
            accepts: true,
            detail: String::new(),
        };
    }
    match answer.strip_prefix("rejects ") {
        Some(detail) => NimbusVerdict {
            accepts: false,
            detail: detail.to_owned(),
        },
        None => panic!("the Nimbus harness could not read the request: {answer}"),
    }
}
