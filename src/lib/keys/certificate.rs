//! X.509 certificates, as many teams store keys: the public key a certificate holds, read with
//! the certificate's subject, issuer and validity so that the reader can tell it is the one
//! meant. Only the key is read: the certificate's signature and chain are not checked.

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::x509::{X509, X509NameRef};

use super::decode::decode_spki;
use super::key::{Certificate, Encoding, KeyError, LoadedKey, SourceFormat, malformed};

const FORMAT: &str = "X.509 certificate";

/// The public key of the DER certificate `der`, with what the certificate says about it; a
/// warning when it is not valid today.
pub(super) fn decode(der: &[u8], encoding: Encoding) -> Result<LoadedKey, KeyError> {
    let certificate = X509::from_der(der).map_err(|e| malformed(FORMAT, e))?;
    let spki = certificate
        .public_key()
        .and_then(|key| key.public_key_to_der())
        .map_err(|e| malformed(FORMAT, e))?;
    let (material, _pss) = decode_spki(&spki).map_err(|err| match err {
        KeyError::NotRsa { found } => KeyError::NotRsa {
            found: format!("a certificate of {found}"),
        },
        other => other,
    })?;
    let about = Certificate {
        subject: name(certificate.subject_name()),
        issuer: name(certificate.issuer_name()),
        not_before: unix_seconds(certificate.not_before())?,
        not_after: unix_seconds(certificate.not_after())?,
    };
    let mut key = LoadedKey::new(SourceFormat::Certificate(encoding), material);
    let now = crate::time::now();
    let date = |seconds| crate::time::rfc3339(seconds).unwrap_or_else(|| seconds.to_string());
    if now > about.not_after {
        key.push_warning(format!(
            "the certificate expired on {}; its key is read all the same: check that it is \
             still the key in use",
            date(about.not_after)
        ));
    } else if now < about.not_before {
        key.push_warning(format!(
            "the certificate is valid only from {}; its key is read all the same",
            date(about.not_before)
        ));
    }
    key.set_certificate(about);
    Ok(key)
}

/// `CN=brand.example, O=Brand, C=FR`: the name's entries in the order the certificate holds
/// them, each as its short name and value.
fn name(name: &X509NameRef) -> String {
    name.entries()
        .map(|entry| {
            let field = entry.object().nid().short_name().unwrap_or("?");
            let value = entry
                .data()
                .to_string()
                .unwrap_or_else(|_| String::from_utf8_lossy(entry.data().as_slice()).into_owned());
            format!("{field}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn unix_seconds(time: &Asn1TimeRef) -> Result<i64, KeyError> {
    let epoch = Asn1Time::from_unix(0).map_err(|e| malformed(FORMAT, e))?;
    let since = epoch.diff(time).map_err(|e| malformed(FORMAT, e))?;
    Ok(i64::from(since.days) * 86_400 + i64::from(since.secs))
}

#[cfg(test)]
mod tests {
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::{X509Builder, X509NameBuilder};

    use super::*;

    /// A self-signed certificate valid from `not_before` to `not_after` (UNIX seconds).
    fn certificate(not_before: i64, not_after: i64) -> Vec<u8> {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "old.example").unwrap();
        let name = name.build();
        let mut builder = X509Builder::new().unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_issuer_name(&name).unwrap();
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&Asn1Time::from_unix(not_before).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::from_unix(not_after).unwrap())
            .unwrap();
        builder.sign(&key, MessageDigest::sha256()).unwrap();
        builder.build().to_der().unwrap()
    }

    #[test]
    fn a_certificate_out_of_its_validity_is_read_with_a_warning() {
        let now = crate::time::now();
        let expired = decode(&certificate(1_600_000_000, 1_700_000_000), Encoding::Der).unwrap();
        assert_eq!(
            expired.certificate(),
            Some(&Certificate {
                subject: "CN=old.example".into(),
                issuer: "CN=old.example".into(),
                not_before: 1_600_000_000,
                not_after: 1_700_000_000,
            })
        );
        assert_eq!(
            expired.warnings(),
            [
                "the certificate expired on 2023-11-14T22:13:20Z; its key is read all the same: \
              check that it is still the key in use"
            ]
        );
        let early = decode(&certificate(now + 86_400, now + 2 * 86_400), Encoding::Der).unwrap();
        assert!(early.warnings()[0].starts_with("the certificate is valid only from "));
        let current = decode(&certificate(now - 60, now + 86_400), Encoding::Der).unwrap();
        assert!(current.warnings().is_empty(), "{:?}", current.warnings());
    }
}
