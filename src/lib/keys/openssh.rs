//! OpenSSH public keys: the one-line form of `id_rsa.pub` and `authorized_keys`
//! (`ssh-rsa AAAA… comment`), and the RFC 4716 block `ssh-keygen -e` writes
//! (`---- BEGIN SSH2 PUBLIC KEY ----`).
//!
//! Both carry the same RFC 4253 §6.6 blob: `string "ssh-rsa"`, `mpint e`, `mpint n`, each a
//! 32-bit big-endian length and that many bytes. Reading it is framing, not cryptography.

use base64::Engine as _;

use super::key::{KeyError, LoadedKey, Material, SourceFormat, public_from_be};

const RSA: &str = "ssh-rsa";
pub(super) const SSH2_BEGIN: &[u8] = b"---- BEGIN SSH2 PUBLIC KEY ----";
const SSH2_END: &[u8] = b"---- END SSH2 PUBLIC KEY ----";
const FORMAT: &str = "OpenSSH public key";

/// The key of an OpenSSH public key line, when `text` is one; `None` when it is not OpenSSH.
///
/// Blank lines and `#` comments are skipped, as in `authorized_keys`; options before the key
/// type (`from="…" ssh-rsa AAAA…`) are allowed; exactly one key line must remain.
pub(super) fn decode_line(text: &[u8]) -> Option<Result<LoadedKey, KeyError>> {
    let text = std::str::from_utf8(text).ok()?;
    let lines: Vec<Option<(&str, &str)>> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(key_fields)
        .collect();
    let (kind, blob) = (*lines.first()?)?;
    if lines.len() > 1 {
        let found = match lines.iter().all(Option::is_some) {
            true => format!("{} OpenSSH public key lines", lines.len()),
            false => "an OpenSSH public key line followed by other text".to_string(),
        };
        return Some(Err(KeyError::Unsupported {
            found,
            hint: "keep only the line of the key to use".into(),
        }));
    }
    Some(match kind {
        RSA => base64_blob(blob).and_then(|blob| decode_blob(&blob, SourceFormat::OpenSsh)),
        other => Err(not_rsa(other)),
    })
}

/// The key type and base64 blob of a line: the first field that names an SSH key type and
/// is followed by another.
fn key_fields(line: &str) -> Option<(&str, &str)> {
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    fields
        .windows(2)
        .find(|pair| is_key_type(pair[0]))
        .map(|pair| (pair[0], pair[1]))
}

fn is_key_type(field: &str) -> bool {
    matches!(field, RSA | "ssh-ed25519" | "ssh-dss")
        || field.starts_with("ecdsa-sha2-")
        || field.starts_with("sk-")
        || field.ends_with("-cert-v01@openssh.com")
}

fn not_rsa(kind: &str) -> KeyError {
    let name = match kind {
        "ssh-ed25519" => "Ed25519".to_string(),
        "ssh-dss" => "DSA".to_string(),
        RSA => "RSA".to_string(),
        other => other.to_string(),
    };
    if kind.ends_with("-cert-v01@openssh.com") {
        return KeyError::Unsupported {
            found: "an OpenSSH certificate".into(),
            hint: "give the public key it certifies (the .pub file next to it)".into(),
        };
    }
    KeyError::NotRsa {
        found: format!("an OpenSSH {name} public key"),
    }
}

/// The key of an RFC 4716 block (`ssh-keygen -e`); `text` starts with its BEGIN line.
pub(super) fn decode_ssh2_block(text: &[u8]) -> Result<LoadedKey, KeyError> {
    let malformed = |detail: &str| KeyError::Malformed {
        format: "SSH2 public key",
        detail: detail.into(),
    };
    let text = std::str::from_utf8(text).map_err(|_| malformed("not UTF-8 text"))?;
    let mut body = String::new();
    let mut in_header = false;
    let mut ended = false;
    for line in text.lines().skip(1).map(str::trim) {
        if line.as_bytes() == SSH2_END {
            ended = true;
            break;
        }
        // A header is `Tag: value`; a value ending in `\` continues on the next line.
        if in_header || line.contains(':') {
            in_header = line.ends_with('\\');
            continue;
        }
        body.push_str(line);
    }
    if !ended {
        return Err(malformed("no '---- END SSH2 PUBLIC KEY ----' line"));
    }
    let blob = base64_blob(&body)?;
    decode_blob(&blob, SourceFormat::Ssh2)
}

fn base64_blob(text: &str) -> Result<Vec<u8>, KeyError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    GeneralPurpose::new(&base64::alphabet::STANDARD, config)
        .decode(text)
        .map_err(|_| KeyError::Malformed {
            format: FORMAT,
            detail: "the key is not valid base64".into(),
        })
}

/// `string "ssh-rsa"`, `mpint e`, `mpint n`, and nothing after.
fn decode_blob(blob: &[u8], format: SourceFormat) -> Result<LoadedKey, KeyError> {
    let mut rest = blob;
    let kind = field(&mut rest, "key type")?;
    if kind != RSA.as_bytes() {
        return Err(not_rsa(&String::from_utf8_lossy(kind)));
    }
    let e = mpint(&mut rest, "e")?;
    let n = mpint(&mut rest, "n")?;
    if !rest.is_empty() {
        return Err(KeyError::Malformed {
            format: FORMAT,
            detail: format!("{} bytes after the modulus", rest.len()),
        });
    }
    Ok(LoadedKey::new(
        format,
        Material::Public(public_from_be(n, e)?),
    ))
}

/// The RFC 4253 blob of an RSA public key from its big-endian modulus and exponent, as
/// `ssh-keygen` writes it and hashes it for its `SHA256:` fingerprint.
pub(super) fn rsa_blob(n: &[u8], e: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(n.len() + e.len() + 32);
    put_field(&mut out, RSA.as_bytes());
    put_mpint(&mut out, e);
    put_mpint(&mut out, n);
    out
}

fn put_field(out: &mut Vec<u8>, value: &[u8]) {
    // Key parts are at most a few KiB: their length fits in 32 bits.
    let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
}

/// A non-negative mpint: no leading zero bytes, and one zero byte before a first byte whose
/// high bit is set (which would make it negative).
fn put_mpint(out: &mut Vec<u8>, be: &[u8]) {
    let be = &be[be.iter().take_while(|b| **b == 0).count()..];
    if be.first().is_some_and(|b| b & 0x80 != 0) {
        let mut padded = Vec::with_capacity(be.len() + 1);
        padded.push(0);
        padded.extend_from_slice(be);
        put_field(out, &padded);
    } else {
        put_field(out, be);
    }
}

/// One length-prefixed field.
fn field<'a>(rest: &mut &'a [u8], name: &str) -> Result<&'a [u8], KeyError> {
    let truncated = || KeyError::Malformed {
        format: FORMAT,
        detail: format!("the {name} field is cut short"),
    };
    let (len, after) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
    let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| truncated())?;
    if after.len() < len {
        return Err(truncated());
    }
    let (value, after) = after.split_at(len);
    *rest = after;
    Ok(value)
}

/// A non-negative mpint (two's complement, big-endian).
fn mpint<'a>(rest: &mut &'a [u8], name: &str) -> Result<&'a [u8], KeyError> {
    let value = field(rest, name)?;
    if value.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(KeyError::Malformed {
            format: FORMAT,
            detail: format!("{name} is negative"),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(parts: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        for part in parts {
            out.extend(u32::try_from(part.len()).unwrap().to_be_bytes());
            out.extend(*part);
        }
        out
    }

    #[test]
    fn truncated_and_trailing_blobs_are_malformed() {
        let err = decode_blob(&blob(&[b"ssh-rsa"])[..9], SourceFormat::OpenSsh).unwrap_err();
        assert!(err.to_string().contains("cut short"), "{err}");
        let mut long = blob(&[b"ssh-rsa", &[1, 0, 1], &[0x7f; 256]]);
        long.push(0);
        let err = decode_blob(&long, SourceFormat::OpenSsh).unwrap_err();
        assert!(err.to_string().contains("1 bytes after"), "{err}");
        let negative = blob(&[b"ssh-rsa", &[0x81], &[0x7f; 256]]);
        let err = decode_blob(&negative, SourceFormat::OpenSsh).unwrap_err();
        assert!(err.to_string().contains("e is negative"), "{err}");
    }

    #[test]
    fn rsa_blobs_are_written_as_they_are_read() {
        let (e, n) = ([1, 0, 1], [0xc5; 256]);
        let written = rsa_blob(&n, &e);
        // The modulus's high bit is set: a zero byte keeps the mpint positive.
        let mut padded = vec![0];
        padded.extend(n);
        assert_eq!(written, blob(&[b"ssh-rsa", &e, &padded]));
        assert_eq!(
            rsa_blob(&[0, 0, 0x7f], &[0, 3]),
            blob(&[b"ssh-rsa", &[3], &[0x7f]])
        );
        let key = decode_blob(&written, SourceFormat::OpenSsh);
        assert!(key.is_ok(), "read back: {key:?}");
    }

    #[test]
    fn a_blob_of_another_type_is_not_rsa() {
        let err =
            decode_blob(&blob(&[b"ssh-ed25519", &[0; 32]]), SourceFormat::OpenSsh).unwrap_err();
        assert!(matches!(err, KeyError::NotRsa { .. }), "{err}");
    }

    #[test]
    fn text_that_is_not_openssh_is_left_alone() {
        assert!(decode_line(b"hello world").is_none());
        assert!(decode_line(b"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA").is_none());
    }
}
