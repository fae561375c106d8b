//! A wrong passphrase told from a damaged key. Decrypted with the right passphrase, every
//! private key this tool reads starts as a DER `SEQUENCE` whose first member is the version,
//! `INTEGER 0` or `1` (PKCS#1's RSAPrivateKey, PKCS#8's PrivateKeyInfo and OneAsymmetricKey);
//! another passphrase gives noise, which starts so about once in 2^40. So the passphrase is
//! said to be wrong only when the decrypted key does not start so; a key that starts right but
//! is cut short, ends in bad padding or does not decode is damage, reported as such.

use openssl::hash::MessageDigest;
use openssl::symm::{Cipher, Crypter, Mode};
use pkcs8::EncryptedPrivateKeyInfoRef;
use pkcs8::pkcs5::{self, pbes2};
use zeroize::Zeroizing;

use super::key::KeyError;

/// Most memory OpenSSL's scrypt may use when a key is decrypted again to judge a failure; the
/// derivation parameters were checked against a smaller cap before the first attempt.
const SCRYPT_MAX_MEMORY: u64 = 1 << 30;

/// The DER of the key in an encrypted PKCS#8 structure, decrypted with `pass`: a wrong
/// passphrase and damage are told apart as above.
pub(super) fn open_pkcs8(
    info: &EncryptedPrivateKeyInfoRef<'_>,
    pass: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let scheme = &info.encryption_algorithm;
    let data = info.encrypted_data.as_bytes();
    let mut buffer = Zeroizing::new(data.to_vec());
    let length = match scheme.decrypt_in_place(pass, &mut buffer) {
        Ok(plain) => plain.len(),
        Err(pkcs5::Error::DecryptFailed) => return Err(decrypt_failed(scheme, pass, data)),
        Err(other) => {
            return Err(KeyError::Unsupported {
                found: format!(
                    "an encrypted PKCS#8 key whose encryption is not supported ({other})"
                ),
                hint: "re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW`"
                    .into(),
            });
        }
    };
    buffer.truncate(length);
    let Some(key_length) = sequence_length(&buffer) else {
        // Valid padding over noise: about one wrong passphrase in 256 decrypts so.
        return Err(KeyError::WrongPassphrase);
    };
    if key_length != buffer.len() {
        return Err(damaged(
            PKCS8,
            format!(
                "the key inside says it is {key_length} bytes long, and {} bytes decrypted",
                buffer.len()
            ),
        ));
    }
    Ok(buffer)
}

const PKCS8: &str = "encrypted PKCS#8";

pub(super) fn damaged(format: &'static str, detail: String) -> KeyError {
    KeyError::Malformed { format, detail }
}

/// The key in `plain`, a decryption whose padding (to `block_size`) is still on: its length,
/// or why there is none. `format` names the container in messages.
pub(super) fn key_in(
    mut plain: Zeroizing<Vec<u8>>,
    block_size: usize,
    format: &'static str,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let Some(length) = sequence_length(&plain) else {
        return Err(KeyError::WrongPassphrase);
    };
    if length > plain.len() {
        return Err(damaged(
            format,
            format!(
                "the key inside is {length} bytes long, and the encrypted data holds {}: the end \
                 is missing",
                plain.len()
            ),
        ));
    }
    let padding = &plain[length..];
    let pad = padding.len();
    if pad == 0 || pad > block_size || padding.iter().any(|b| usize::from(*b) != pad) {
        return Err(damaged(
            format,
            "the end of the encrypted data is damaged (the passphrase is right: the key's start \
             decrypts)"
                .into(),
        ));
    }
    plain.truncate(length);
    Ok(plain)
}

/// The length, header included, of the DER `SEQUENCE` at the start of `der` when it starts as
/// a private key does (`SEQUENCE { INTEGER 0 or 1, …`).
pub(super) fn sequence_length(der: &[u8]) -> Option<usize> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (length, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x83 => {
            let count = usize::from(first - 0x80);
            let bytes = rest.get(..count)?;
            let length = bytes
                .iter()
                .fold(0usize, |sum, byte| (sum << 8) | usize::from(*byte));
            (length, &rest[count..])
        }
        _ => return None,
    };
    let version = rest.get(..3)?;
    (version == [0x02, 0x01, 0x00] || version == [0x02, 0x01, 0x01])
        .then(|| der.len() - rest.len() + length)
}

/// Why a PBES2 key's padding, or its AES-GCM tag, was refused: decrypted again without the
/// padding check, the key's start tells. Without a way to (AES-GCM), the passphrase is taken as
/// wrong.
fn decrypt_failed(scheme: &pkcs5::EncryptionScheme, pass: &[u8], data: &[u8]) -> KeyError {
    let Some((params, cipher, iv)) = scheme
        .pbes2()
        .and_then(|params| cbc_cipher(params).map(|(cipher, iv)| (params, cipher, iv)))
    else {
        return KeyError::WrongPassphrase;
    };
    let block_size = cipher.block_size();
    if !data.len().is_multiple_of(block_size) {
        return damaged(
            PKCS8,
            format!(
                "the encrypted data is {} bytes, not a whole number of {block_size}-byte blocks",
                data.len()
            ),
        );
    }
    let raw = derive_key(params, pass, cipher.key_len())
        .and_then(|key| decrypt_unpadded(cipher, &key, iv, data));
    match raw.map(|raw| key_in(raw, block_size, PKCS8)) {
        Some(Ok(_)) => damaged(
            PKCS8,
            "it decrypts whole, yet its padding was refused".into(),
        ),
        Some(Err(err)) => err,
        None => KeyError::WrongPassphrase,
    }
}

/// The CBC cipher of PBES2 parameters and its IV; `None` for AES-GCM.
fn cbc_cipher(params: &pbes2::Parameters) -> Option<(Cipher, &[u8])> {
    match &params.encryption {
        pbes2::EncryptionScheme::Aes128Cbc { iv } => Some((Cipher::aes_128_cbc(), iv)),
        pbes2::EncryptionScheme::Aes192Cbc { iv } => Some((Cipher::aes_192_cbc(), iv)),
        pbes2::EncryptionScheme::Aes256Cbc { iv } => Some((Cipher::aes_256_cbc(), iv)),
        pbes2::EncryptionScheme::DesEde3Cbc { iv } => Some((Cipher::des_ede3_cbc(), iv)),
        _ => None,
    }
}

/// The key PBES2 derives from the passphrase, with OpenSSL's PBKDF2 or scrypt.
fn derive_key(
    params: &pbes2::Parameters,
    pass: &[u8],
    length: usize,
) -> Option<Zeroizing<Vec<u8>>> {
    let mut key = Zeroizing::new(vec![0; length]);
    match &params.kdf {
        pbes2::Kdf::Pbkdf2(pbkdf2) => {
            let digest = match pbkdf2.prf {
                pbes2::Pbkdf2Prf::HmacWithSha1 => MessageDigest::sha1(),
                pbes2::Pbkdf2Prf::HmacWithSha224 => MessageDigest::sha224(),
                pbes2::Pbkdf2Prf::HmacWithSha256 => MessageDigest::sha256(),
                pbes2::Pbkdf2Prf::HmacWithSha384 => MessageDigest::sha384(),
                pbes2::Pbkdf2Prf::HmacWithSha512 => MessageDigest::sha512(),
                _ => return None,
            };
            let rounds = usize::try_from(pbkdf2.iteration_count).ok()?;
            openssl::pkcs5::pbkdf2_hmac(pass, pbkdf2.salt.as_bytes(), rounds, digest, &mut key)
                .ok()?;
        }
        pbes2::Kdf::Scrypt(scrypt) => {
            openssl::pkcs5::scrypt(
                pass,
                scrypt.salt.as_bytes(),
                scrypt.cost_parameter,
                u64::from(scrypt.block_size),
                u64::from(scrypt.parallelization),
                SCRYPT_MAX_MEMORY,
                &mut key,
            )
            .ok()?;
        }
        _ => return None,
    }
    Some(key)
}

/// `data` decrypted in CBC mode, its padding left on; `None` when it is not whole blocks.
pub(super) fn decrypt_unpadded(
    cipher: Cipher,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let mut crypter = Crypter::new(cipher, Mode::Decrypt, key, Some(iv)).ok()?;
    crypter.pad(false);
    let mut plain = Zeroizing::new(vec![0; data.len() + cipher.block_size()]);
    let mut written = crypter.update(data, &mut plain).ok()?;
    written += crypter.finalize(&mut plain[written..]).ok()?;
    plain.truncate(written);
    Some(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_private_key_header_counts_as_a_right_passphrase() {
        assert_eq!(
            sequence_length(&[0x30, 0x82, 0x04, 0xa4, 2, 1, 0, 2]),
            Some(0x4a8)
        );
        assert_eq!(sequence_length(&[0x30, 0x05, 2, 1, 1, 0, 0]), Some(7));
        for noise in [
            &[0x31, 0x82, 0x04, 0xa4, 2, 1, 0][..],
            &[0x30, 0x82, 0x04, 0xa4, 2, 1, 2],
            &[0x30, 0x84, 0, 0, 0, 1, 2, 1, 0],
            &[0x30, 0x82, 0x04],
            &[],
        ] {
            assert_eq!(sequence_length(noise), None, "{noise:?}");
        }
    }

    #[test]
    fn a_key_cut_short_or_badly_padded_is_damage_noise_is_a_wrong_passphrase() {
        let key = |bytes: &[u8]| Zeroizing::new(bytes.to_vec());
        let whole = [0x30, 0x05, 2, 1, 0, 4, 0, 3, 3, 3];
        assert_eq!(*key_in(key(&whole), 8, PKCS8).unwrap(), whole[..7]);
        let cut = [0x30, 0x10, 2, 1, 0, 4, 0, 1];
        assert!(matches!(
            key_in(key(&cut), 8, PKCS8),
            Err(KeyError::Malformed { .. })
        ));
        let badly_padded = [0x30, 0x05, 2, 1, 0, 4, 0, 3, 3, 2];
        assert!(matches!(
            key_in(key(&badly_padded), 8, PKCS8),
            Err(KeyError::Malformed { .. })
        ));
        let noise = [0x9c, 0x05, 2, 1, 0, 4, 0, 3, 3, 3];
        assert!(matches!(
            key_in(key(&noise), 8, PKCS8),
            Err(KeyError::WrongPassphrase)
        ));
    }
}
