//! `pubkey`: the public half of any RSA key, in the form asked for, with its fingerprints.

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};
use iadvize_auth::keys::{ExpectedFingerprint, FingerprintMatch, KeySource, PublicKeyInfo};
use serde::Serialize;

use super::{Outcome, key_source, load_key};
use crate::cli::{PubkeyArgs, PubkeyFormat};
use crate::output;

/// `pubkey --json`.
#[derive(Serialize)]
struct PubkeyReport<'a> {
    kind: &'static str,
    source_format: &'static str,
    bits: usize,
    public_exponent: Option<u64>,
    public_key_base64: String,
    sha256_fingerprint: &'a str,
    jwk_thumbprint: &'a str,
    is_iadvize_production: bool,
    warnings: &'a [String],
}

pub fn run(args: PubkeyArgs) -> anyhow::Result<Outcome> {
    let source = match (&args.key, args.iadvize) {
        (_, true) => KeySource::Builtin,
        (Some(path), false) => key_source(path),
        (None, false) => bail!("give a key file, `-` for standard input, or --iadvize"),
    };
    let expected = match &args.expect_fingerprint {
        Some(text) => Some(
            ExpectedFingerprint::parse(text)
                .with_context(|| format!("--expect-fingerprint '{text}'"))?,
        ),
        None => None,
    };
    let key = load_key(&source, &args.key_options())?;
    let info = key.public_info()?;
    if let Some(expected) = expected {
        output::warn_all(key.warnings());
        return check_fingerprint(&expected, &info);
    }

    if args.json {
        output::print_json(&PubkeyReport {
            kind: key.kind().as_str(),
            source_format: key.format().name(),
            bits: key.bits(),
            public_exponent: key.public_exponent(),
            public_key_base64: info.base64(),
            sha256_fingerprint: &info.sha256_fingerprint,
            jwk_thumbprint: &info.jwk_thumbprint,
            is_iadvize_production: info.is_iadvize_production(),
            warnings: key.warnings(),
        })?;
        return Ok(Outcome::Success);
    }

    output::warn_all(key.warnings());
    let mut out = std::io::stdout().lock();
    match args.format {
        PubkeyFormat::Pem => out.write_all(info.pem()?.as_bytes())?,
        PubkeyFormat::Base64 => writeln!(out, "{}", info.base64())?,
        PubkeyFormat::Jwk => {
            serde_json::to_writer(&mut out, &info.jwk())?;
            writeln!(out)?;
        }
        PubkeyFormat::Der => {
            if std::io::stdout().is_terminal() {
                bail!("refusing to print binary DER on a terminal; redirect it: > public-key.der");
            }
            out.write_all(&info.spki_der)?;
        }
    }
    out.flush()?;
    drop(out);
    let production = if info.is_iadvize_production() {
        " (iAdvize production key)"
    } else {
        ""
    };
    eprintln!(
        "{}-bit RSA {} key{production}; SHA-256 fingerprint {}; JWK thumbprint {}",
        key.bits(),
        key.kind().as_str(),
        info.sha256_fingerprint,
        info.jwk_thumbprint
    );
    Ok(Outcome::Success)
}

/// `--expect-fingerprint`: one line on standard output, and the verdict as the exit code.
fn check_fingerprint(
    expected: &ExpectedFingerprint,
    info: &PublicKeyInfo,
) -> anyhow::Result<Outcome> {
    let given = expected.as_str();
    let (line, outcome) = match expected.compare(info) {
        FingerprintMatch::Sha256 => (
            format!(
                "match: SHA-256 fingerprint {} starts with {given}",
                info.sha256_fingerprint
            ),
            Outcome::Success,
        ),
        FingerprintMatch::JwkThumbprint => (
            format!(
                "match: JWK thumbprint {} starts with {given}",
                info.jwk_thumbprint
            ),
            Outcome::Success,
        ),
        FingerprintMatch::Neither => (
            format!(
                "MISMATCH: neither the SHA-256 fingerprint {} nor the JWK thumbprint {} \
                 starts with {given}",
                info.sha256_fingerprint, info.jwk_thumbprint
            ),
            Outcome::ChecksFailed,
        ),
    };
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(outcome)
}
