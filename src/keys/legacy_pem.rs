//! Legacy OpenSSL-encrypted PEM (RFC 1421 headers: `Proc-Type: 4,ENCRYPTED` and
//! `DEK-Info: AES-256-CBC,<IV>`), as `openssl rsa -aes256 -traditional`, `step crypto
//! keypair` and older tools write a PKCS#1 `RSA PRIVATE KEY`.
//!
//! OpenSSL decrypts it. Everything that does not depend on the passphrase is checked here
//! first (the headers, the cipher, the IV, the base64), so that a failure of OpenSSL's reading
//! means a wrong passphrase and is reported as one.

use base64::Engine as _;
use zeroize::Zeroizing;

use super::key::{KeyError, Passphrase};

/// The ciphers of `DEK-Info` read here, with their IV size: those OpenSSL 3 reads without its
/// legacy provider.
const CIPHERS: &[(&str, usize)] = &[
    ("AES-128-CBC", 16),
    ("AES-192-CBC", 16),
    ("AES-256-CBC", 16),
    ("DES-EDE3-CBC", 8),
];

const CONVERT: &str = "convert it with \
    `openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD.pem -out private-key.pem`";

/// The PKCS#1 DER of the private key in `block` (one whole PEM block, BEGIN to END line).
pub(super) fn decrypt(
    block: &[u8],
    label: &str,
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if label != "RSA PRIVATE KEY" {
        return Err(KeyError::Unsupported {
            found: format!("a PEM block labelled '{label}' with legacy encryption headers"),
            hint: CONVERT.into(),
        });
    }
    check_headers(block)?;
    let pass = passphrase()?;
    let rsa = openssl::rsa::Rsa::private_key_from_pem_passphrase(block, pass.expose())
        .map_err(|_| KeyError::WrongPassphrase)?;
    let der = rsa
        .private_key_to_der()
        .map_err(|_| KeyError::WrongPassphrase)?;
    Ok(Zeroizing::new(der))
}

fn check_headers(block: &[u8]) -> Result<(), KeyError> {
    let malformed = |detail: String| KeyError::Malformed {
        format: "legacy encrypted PEM",
        detail,
    };
    let text = std::str::from_utf8(block).map_err(|_| malformed("not UTF-8 text".into()))?;
    let mut lines = text.lines().skip(1).map(str::trim);
    let mut proc_type = None;
    let mut dek_info = None;
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("Proc-Type") => {
                proc_type = Some(value.trim());
            }
            Some((name, value)) if name.eq_ignore_ascii_case("DEK-Info") => {
                dek_info = Some(value.trim());
            }
            Some(_) => {}
            None => return Err(malformed("no blank line after the headers".into())),
        }
    }
    if proc_type != Some("4,ENCRYPTED") {
        return Err(malformed(format!(
            "Proc-Type is {:?}, not \"4,ENCRYPTED\"",
            proc_type.unwrap_or("missing")
        )));
    }
    let (cipher, iv) = dek_info
        .and_then(|info| info.split_once(','))
        .ok_or_else(|| malformed("no DEK-Info: CIPHER,IV header".into()))?;
    let Some((_, iv_bytes)) = CIPHERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(cipher.trim()))
    else {
        return Err(KeyError::Unsupported {
            found: format!("a legacy encrypted PEM key using {}", cipher.trim()),
            hint: format!(
                "{CONVERT} (OpenSSL 3 reads DES and other old ciphers only with \
                 `-provider legacy -provider default`)"
            ),
        });
    };
    let iv = iv.trim();
    if iv.len() != iv_bytes * 2 || !iv.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed(format!(
            "the DEK-Info IV is not {iv_bytes} bytes of hex"
        )));
    }
    let body: String = lines
        .take_while(|line| !line.starts_with("-----END "))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| malformed("the body is not valid base64".into()))?;
    Ok(())
}
