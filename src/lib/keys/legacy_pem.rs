//! Legacy OpenSSL-encrypted PEM (RFC 1421 headers: `Proc-Type: 4,ENCRYPTED` and
//! `DEK-Info: AES-256-CBC,<IV>`), as `openssl rsa -aes256 -traditional`, `step crypto
//! keypair` and older tools write a PKCS#1 `RSA PRIVATE KEY`.
//!
//! Read as OpenSSL reads it (`EVP_BytesToKey` with MD5 and the IV's first 8 bytes as salt, then
//! the cipher in CBC mode), with OpenSSL's primitives. Everything that does not depend on the
//! passphrase is checked first, naming the line at fault (the headers, the cipher, the IV, the
//! base64, whole cipher blocks); then the decrypted key tells a wrong passphrase from damage: a
//! right passphrase always yields a DER `SEQUENCE` holding version 0 from the first byte on,
//! which another passphrase yields about once in 2^40. Only when it does not is the passphrase
//! said to be wrong; a key that starts right but is cut short or ends badly is damage.

use base64::Engine as _;
use openssl::hash::MessageDigest;
use openssl::symm::Cipher;
use zeroize::Zeroizing;

use super::damage;
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

/// What the headers and the body of a legacy encrypted PEM block say, checked.
struct Encrypted {
    cipher: Cipher,
    iv: Vec<u8>,
    body: Vec<u8>,
}

/// The PKCS#1 DER of the private key in `block` (one whole PEM block, BEGIN to END line), whose
/// BEGIN line is line `first_line` of the input.
pub(super) fn decrypt(
    block: &[u8],
    first_line: usize,
    label: &str,
    passphrase: &mut dyn FnMut() -> Result<Passphrase, KeyError>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if label != "RSA PRIVATE KEY" {
        return Err(KeyError::Unsupported {
            found: format!("a PEM block labelled '{label}' with legacy encryption headers"),
            hint: CONVERT.into(),
        });
    }
    let encrypted = read_block(block, first_line)?;
    let pass = passphrase()?;
    let plain = decrypt_cbc(&encrypted, pass.expose())?;
    damage::key_in(plain, encrypted.cipher.block_size(), FORMAT)
}

const FORMAT: &str = "legacy encrypted PEM";

fn damaged(detail: String) -> KeyError {
    damage::damaged(FORMAT, detail)
}

/// Checks the headers (`Proc-Type`, then `DEK-Info`, then a blank line, as OpenSSL requires
/// them) and the base64 body, line by line.
fn read_block(block: &[u8], first_line: usize) -> Result<Encrypted, KeyError> {
    let text =
        std::str::from_utf8(block).map_err(|_| damaged("the block is not UTF-8 text".into()))?;
    let mut lines = text
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .zip(first_line..)
        .skip(1);
    let mut header = |name: &str| -> Result<(&str, usize), KeyError> {
        let (line, number) = lines
            .next()
            .ok_or_else(|| damaged(format!("no {name} header")))?;
        let value = line
            .split_once(':')
            .filter(|(found, _)| found.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim_matches([' ', '\t']))
            .ok_or_else(|| {
                damaged(format!(
                    "line {number}: expected the {name} header, found {}",
                    shown_header(line)
                ))
            })?;
        Ok((value, number))
    };
    let (proc_type, number) = header("Proc-Type")?;
    if proc_type != "4,ENCRYPTED" {
        return Err(damaged(format!(
            "line {number}: Proc-Type is {proc_type:?}, not \"4,ENCRYPTED\""
        )));
    }
    let (dek_info, number) = header("DEK-Info")?;
    let (cipher_name, iv_hex) = dek_info.split_once(',').ok_or_else(|| {
        damaged(format!(
            "line {number}: DEK-Info has no comma; it reads `DEK-Info: CIPHER,IV` with the IV in hex"
        ))
    })?;
    let Some(&(_, iv_bytes)) = CIPHERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(cipher_name))
    else {
        return Err(unsupported_cipher(cipher_name));
    };
    if iv_hex.starts_with([' ', '\t']) {
        return Err(damaged(format!(
            "line {number}: DEK-Info has a space after its comma, which OpenSSL does not read \
             either; it reads `DEK-Info: {cipher_name},<IV in hex>`"
        )));
    }
    let iv = hex(iv_hex)
        .filter(|iv| iv.len() == iv_bytes)
        .ok_or_else(|| {
            damaged(format!(
                "line {number}: the DEK-Info IV is not {iv_bytes} bytes of hex ({} characters)",
                iv_hex.len()
            ))
        })?;
    let cipher = cipher_of(cipher_name).ok_or_else(|| unsupported_cipher(cipher_name))?;
    match lines.next() {
        Some(("", _)) => {}
        Some((line, number)) => {
            let what = match line.split_once(':') {
                Some((name, _))
                    if name.eq_ignore_ascii_case("DEK-Info")
                        || name.eq_ignore_ascii_case("Proc-Type") =>
                {
                    format!("a second {name} header")
                }
                _ => shown_header(line),
            };
            return Err(damaged(format!(
                "line {number}: {what} after the DEK-Info header, where a blank line must end \
                 the headers"
            )));
        }
        None => return Err(damaged("nothing after the DEK-Info header".into())),
    }
    let mut base64 = String::new();
    let mut padded = false;
    let mut last_line = first_line;
    for (line, number) in lines.take_while(|(line, _)| !line.starts_with("-----END ")) {
        last_line = number;
        let line = line.trim_matches([' ', '\t']);
        if let Some(bad) = line
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        {
            return Err(damaged(format!(
                "line {number}: the character {bad:?}, which base64 never holds"
            )));
        }
        if padded && !line.is_empty() || line.trim_end_matches('=').contains('=') {
            return Err(damaged(format!(
                "line {number}: base64 after its end ('=' ends the body)"
            )));
        }
        padded = line.ends_with('=');
        base64.push_str(line);
    }
    if base64.is_empty() {
        return Err(damaged("the encrypted body is empty".into()));
    }
    let body = base64::engine::general_purpose::STANDARD
        .decode(&base64)
        .map_err(|_| {
            damaged(format!(
                "the base64 body ends mid-way on line {last_line} ({} characters, not a multiple \
                 of 4): lines are missing or cut",
                base64.len()
            ))
        })?;
    let block_size = cipher.block_size();
    if !body.len().is_multiple_of(block_size) {
        return Err(damaged(format!(
            "the encrypted body is {} bytes, not a whole number of {block_size}-byte blocks: \
             lines are missing or cut",
            body.len()
        )));
    }
    Ok(Encrypted { cipher, iv, body })
}

/// A header line as quoted in a message: its name, or its start.
fn shown_header(line: &str) -> String {
    match line.split_once(':') {
        _ if line.is_empty() => "a blank line".into(),
        Some((name, _)) if name.len() <= 40 => format!("a {name:?} header"),
        _ => format!("{:?}", line.chars().take(20).collect::<String>()),
    }
}

fn unsupported_cipher(name: &str) -> KeyError {
    KeyError::Unsupported {
        found: format!("a legacy encrypted PEM key using {name}"),
        hint: format!(
            "{CONVERT} (OpenSSL 3 reads DES and other old ciphers only with \
             `-provider legacy -provider default`)"
        ),
    }
}

fn cipher_of(name: &str) -> Option<Cipher> {
    match name.to_ascii_uppercase().as_str() {
        "AES-128-CBC" => Some(Cipher::aes_128_cbc()),
        "AES-192-CBC" => Some(Cipher::aes_192_cbc()),
        "AES-256-CBC" => Some(Cipher::aes_256_cbc()),
        "DES-EDE3-CBC" => Some(Cipher::des_ede3_cbc()),
        _ => None,
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| {
            text.get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// The body decrypted, its padding still on: the key from the passphrase as `EVP_BytesToKey`
/// derives it (one round of MD5, the IV's first 8 bytes as salt).
fn decrypt_cbc(encrypted: &Encrypted, pass: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let failed = || KeyError::Unsupported {
        found: "a legacy encrypted PEM key that OpenSSL could not decrypt".into(),
        hint: CONVERT.into(),
    };
    let cipher = encrypted.cipher;
    let salt = encrypted.iv.get(..8).ok_or_else(failed)?;
    let derived = openssl::pkcs5::bytes_to_key(cipher, MessageDigest::md5(), pass, Some(salt), 1)
        .map_err(|_| failed())?;
    let key = Zeroizing::new(derived.key);
    damage::decrypt_unpadded(cipher, &key, &encrypted.iv, &encrypted.body).ok_or_else(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_pairs_of_digits_only() {
        assert_eq!(hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(hex("0a F"), None);
        assert_eq!(hex("abc"), None);
        assert_eq!(hex("zz"), None);
    }
}
