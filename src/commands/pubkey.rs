//! `pubkey`: the public half of any RSA key, in the form asked for, with its fingerprints.

use std::io::{IsTerminal, Write};

use anyhow::{Context, bail};
use iadvize_auth::keys::{
    Certificate, ExpectedFingerprint, FingerprintMatch, KeySource, LoadedKey, PublicKeyInfo,
    PublicKeyRecord,
};
use iadvize_auth::time;
use serde::Serialize;

use super::Outcome;
use super::input::{key_source, load_key};
use crate::cli::{PubkeyArgs, PubkeyFormat};
use crate::output;

/// `pubkey --json`.
#[derive(Serialize)]
struct PubkeyReport<'a> {
    kind: &'static str,
    source_format: &'static str,
    public_exponent: Option<u64>,
    #[serde(flatten)]
    key: PublicKeyRecord,
    is_iadvize_production: bool,
    /// Read from an X.509 certificate: what it says.
    certificate: Option<CertificateReport>,
    warnings: &'a [String],
    /// With `--expect-fingerprint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_fingerprint: Option<ExpectedReport<'a>>,
}

#[derive(Serialize)]
struct CertificateReport {
    subject: String,
    issuer: String,
    not_before: Option<String>,
    not_after: Option<String>,
}

/// `--expect-fingerprint` with `--json`: what was given, and which fingerprint it matched.
#[derive(Serialize)]
struct ExpectedReport<'a> {
    given: &'a str,
    matches: bool,
    /// `sha256`, `openssh` or `jwk_thumbprint`; null when none.
    matched: Option<&'static str>,
}

pub(super) fn run(args: PubkeyArgs) -> anyhow::Result<Outcome> {
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
    if args.json {
        return print_json(&key, &info, expected.as_ref());
    }
    output::warn_all(key.warnings());
    if let Some(certificate) = key.certificate() {
        eprintln!("{}", certificate_line(certificate));
    }
    if let Some(expected) = expected {
        return check_fingerprint(&expected, &info);
    }

    let mut out = std::io::stdout().lock();
    match args.format {
        PubkeyFormat::Pem => out.write_all(info.pem()?.as_bytes())?,
        PubkeyFormat::Base64 => writeln!(out, "{}", info.base64())?,
        PubkeyFormat::Jwk => {
            serde_json::to_writer(&mut out, &info.published_jwk())?;
            writeln!(out)?;
        }
        PubkeyFormat::Fingerprint => {
            writeln!(out, "{}", fingerprint_line(&key, &info))?;
            // The line says it all.
            return Ok(Outcome::Success);
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
        "{}-bit RSA {} key{production}; SHA-256 fingerprint {}; OpenSSH fingerprint {}; JWK \
         thumbprint {}",
        key.bits(),
        key.kind().as_str(),
        info.sha256_fingerprint,
        info.openssh_fingerprint,
        info.jwk_thumbprint
    );
    Ok(Outcome::Success)
}

/// `--json`, with `--expect-fingerprint`'s verdict in the object and as the exit code.
fn print_json(
    key: &LoadedKey,
    info: &PublicKeyInfo,
    expected: Option<&ExpectedFingerprint>,
) -> anyhow::Result<Outcome> {
    let matched = expected.map(|expected| expected.compare(info));
    output::print_json(&PubkeyReport {
        kind: key.kind().as_str(),
        source_format: key.format().name(),
        public_exponent: key.public_exponent(),
        key: key.record()?,
        is_iadvize_production: info.is_iadvize_production(),
        certificate: key.certificate().map(certificate_report),
        warnings: key.warnings(),
        expected_fingerprint: expected
            .zip(matched)
            .map(|(expected, matched)| ExpectedReport {
                given: expected.as_str(),
                matches: matched != FingerprintMatch::Neither,
                matched: matched.name(),
            }),
    })?;
    Ok(match matched {
        Some(FingerprintMatch::Neither) => Outcome::ChecksFailed,
        _ => Outcome::Success,
    })
}

/// `--expect-fingerprint`: one line on standard output, and the verdict as the exit code.
fn check_fingerprint(
    expected: &ExpectedFingerprint,
    info: &PublicKeyInfo,
) -> anyhow::Result<Outcome> {
    let typed = expected.typed();
    let matched = expected.compare(info);
    // What was compared, and what was typed when that differs (`SHA256:` before hex, colons).
    let compared = match expected.compared(matched) {
        Some(compared) if compared == typed => compared,
        Some(compared) => format!("{compared} (given as {typed})"),
        None => typed.to_string(),
    };
    let (line, outcome) = match matched {
        FingerprintMatch::Sha256 => (
            format!(
                "match: SHA-256 fingerprint {} starts with {compared}",
                info.sha256_fingerprint
            ),
            Outcome::Success,
        ),
        FingerprintMatch::OpenSsh => (
            format!(
                "match: OpenSSH fingerprint {} starts with {compared}",
                info.openssh_fingerprint
            ),
            Outcome::Success,
        ),
        FingerprintMatch::JwkThumbprint => (
            format!(
                "match: JWK thumbprint {} starts with {compared}",
                info.jwk_thumbprint
            ),
            Outcome::Success,
        ),
        FingerprintMatch::Neither => (
            format!(
                "MISMATCH: none of the SHA-256 fingerprint {}, the OpenSSH fingerprint {} and \
                 the JWK thumbprint {} starts with {compared}",
                info.sha256_fingerprint, info.openssh_fingerprint, info.jwk_thumbprint
            ),
            Outcome::ChecksFailed,
        ),
    };
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(outcome)
}

/// `--format fingerprint`: one line, the size and OpenSSH fingerprint first as `ssh-keygen -lf`
/// prints them, then the SHA-256 fingerprint of the DER public key, the JWK thumbprint, and
/// what the key is: `2048 SHA256:… 19e6…c734 QH0R…e5k (RSA public key)`.
fn fingerprint_line(key: &LoadedKey, info: &PublicKeyInfo) -> String {
    let production = match info.is_iadvize_production() {
        true => ", iAdvize production",
        false => "",
    };
    format!(
        "{} {} {} {} (RSA {} key{production})",
        key.bits(),
        info.openssh_fingerprint,
        info.sha256_fingerprint,
        info.jwk_thumbprint,
        key.kind().as_str()
    )
}

/// What a certificate says, on standard error: its names come from the file, escaped.
fn certificate_line(certificate: &Certificate) -> String {
    let date = |seconds| time::rfc3339(seconds).unwrap_or_else(|| seconds.to_string());
    format!(
        "from an X.509 certificate: subject {}, issuer {}, valid from {} to {}",
        output::escape_untrusted(&certificate.subject),
        output::escape_untrusted(&certificate.issuer),
        date(certificate.not_before),
        date(certificate.not_after)
    )
}

fn certificate_report(certificate: &Certificate) -> CertificateReport {
    CertificateReport {
        subject: certificate.subject.clone(),
        issuer: certificate.issuer.clone(),
        not_before: time::rfc3339(certificate.not_before),
        not_after: time::rfc3339(certificate.not_after),
    }
}
