//! A loaded RSA key and what is said about keys: the key itself (public or private, with how
//! it was stored and what was noticed while reading it), its public half in the forms people
//! compare, passphrases, and the errors of reading and writing keys.

use std::fmt;

use base64::Engine as _;
use openssl::bn::BigNum;
use openssl::pkey::{PKey, Private, Public};
use pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::alg::Signature;
use rsa::pkcs1::RsaPublicKeyRef;

/// The smallest RSA modulus the `rsa` crate can represent at all; smaller keys are refused
/// outright, keys between this and 2048 bits are read with a warning.
const MIN_READABLE_BITS: usize = 1024;

/// Smallest modulus iAdvize accepts, and the smallest this tool signs or encrypts with.
pub(crate) const MIN_BITS: usize = 2048;
/// Largest modulus the `rsa` crate handles.
const MAX_BITS: usize = 8192;

/// What went wrong while reading, decoding, generating or writing a key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The input holds nothing, or only whitespace and a byte order mark.
    #[error("the input is empty")]
    Empty,
    /// More than [`read_limited`](super::read_limited) was allowed to read.
    #[error("larger than {}, more than a file of this kind holds", bytes_shown(*limit))]
    TooLarge {
        /// That limit, in bytes.
        limit: usize,
    },
    /// A key input over [`MAX_KEY_INPUT_BYTES`](super::MAX_KEY_INPUT_BYTES).
    #[error("larger than {}, too large to be a key", bytes_shown(*limit))]
    KeyTooLarge {
        /// That limit, in bytes.
        limit: usize,
    },
    /// The path names a folder.
    #[error("is a directory, not a key file")]
    IsDirectory,
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(std::io::Error),
    /// A key, but not an RSA key.
    #[error("not an RSA key: found {found}; iAdvize needs an RSA key")]
    NotRsa {
        /// What it is (`an EC key` …).
        found: String,
    },
    /// A kind of key file this tool does not read.
    #[error("found {found}, which this tool does not read: {hint}")]
    Unsupported {
        /// What it is (`an OpenSSH private key` …).
        found: String,
        /// How to turn it into something read, often the exact command.
        hint: String,
    },
    /// Not a key in any format this tool reads.
    #[error(
        "not a key: expected an RSA key as PEM, DER, base64 DER or a JWK (found {found}); \
         check that this is the key file"
    )]
    Unrecognised {
        /// What it looks like instead.
        found: String,
    },
    /// Recognised, but damaged or cut short.
    #[error("malformed {format}: {detail}; the file may be truncated or damaged")]
    Malformed {
        /// The format it was read as (`PEM`, `PKCS#1 PEM` …).
        format: &'static str,
        /// What is wrong in it.
        detail: String,
    },
    /// A JWK or JWK Set that is not a usable RSA key; what is wrong with it.
    #[error("malformed JWK: {0}")]
    Jwk(String),
    /// Numbers no RSA key has: an even modulus, an exponent below 3 or even.
    #[error("not a valid RSA key: {0}")]
    Invalid(String),
    /// A JWK Set of several keys, and no `kid` to choose one.
    #[error(
        "a JWK Set with {count} keys, told apart by their kid: {}",
        list_kids(kids)
    )]
    KidNeeded {
        /// How many keys it holds.
        count: usize,
        /// Their `kid`s, in order (`None` for a key without one).
        kids: Vec<Option<String>>,
    },
    /// No key of the JWK Set has the `kid` asked for.
    #[error(
        "no key with kid {kid:?} in the JWK Set, whose kids are {}",
        list_kids(kids)
    )]
    KidNotFound {
        /// The `kid` asked for.
        kid: String,
        /// The set's `kid`s, in order.
        kids: Vec<Option<String>>,
    },
    /// Several keys of the JWK Set have the `kid` asked for.
    #[error(
        "{count} keys of the JWK Set have kid {kid:?}, so it cannot choose one; keep one of \
         them in the file"
    )]
    KidAmbiguous {
        /// The `kid` asked for.
        kid: String,
        /// How many keys have it.
        count: usize,
    },
    /// A `kid` was asked for, but the key is not a JWK or JWK Set.
    #[error("kid {kid:?} was asked for, but only a JWK or JWK Set has key ids and this is neither")]
    KidNotApplicable {
        /// The `kid` asked for.
        kid: String,
    },
    /// An RSA key under 1024 bits, too small to read at all.
    #[error("the RSA key has {bits} bits; iAdvize needs at least {MIN_BITS}")]
    TooSmall {
        /// Its modulus size.
        bits: usize,
    },
    /// An RSA key over 8192 bits.
    #[error("the RSA key has {bits} bits; this tool handles at most {MAX_BITS}")]
    TooBig {
        /// Its modulus size.
        bits: usize,
    },
    /// The passphrase does not open the encrypted private key.
    #[error("wrong passphrase: the encrypted private key did not open")]
    WrongPassphrase,
    /// A file of several different keys.
    #[error(
        "holds {count} keys ({listed}); which one is meant cannot be guessed: keep only that \
         key in the file"
    )]
    SeveralKeys {
        /// How many it holds.
        count: usize,
        /// What they are, for the message.
        listed: String,
    },
    /// No usable passphrase (empty, or none could be had); why.
    #[error("{0}")]
    Passphrase(String),
    /// An expected fingerprint that cannot be compared; why, and what to give.
    #[error("{0}")]
    Fingerprint(String),
    /// A public key where a private key is needed.
    #[error("this is a public key, but a private key is needed here")]
    NotPrivate,
    /// A size for a new key outside 2048 to 8192 bits.
    #[error(
        "{bits} bits is out of range: iAdvize needs at least {MIN_BITS} and this tool makes at \
         most {MAX_BITS}; use 2048 (the default), 3072 or 4096"
    )]
    NewKeySize {
        /// The size asked for.
        bits: usize,
    },
    /// Generating a key failed; the `rsa` crate's message.
    #[error("key generation failed: {0}")]
    Generate(String),
    /// Writing the key in a format failed; the encoder's message.
    #[error("encoding the key failed: {0}")]
    Encode(String),
}

/// A byte count for a message: `64 KiB (65536 bytes)`.
fn bytes_shown(count: usize) -> String {
    match count {
        c if c >= 1 << 20 && c % (1 << 20) == 0 => format!("{} MiB ({c} bytes)", c >> 20),
        c if c >= 1 << 10 && c % (1 << 10) == 0 => format!("{} KiB ({c} bytes)", c >> 10),
        c => format!("{c} bytes"),
    }
}

/// The kids of a JWK Set's keys for a message: `"a", "b", (none)`.
fn list_kids(kids: &[Option<String>]) -> String {
    kids.iter()
        .map(|kid| match kid {
            Some(kid) => format!("{kid:?}"),
            None => "(none)".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A passphrase for an encrypted private key. Zeroized on drop; `Debug` does not show it.
pub struct Passphrase(Zeroizing<Vec<u8>>);

impl Passphrase {
    /// Wraps passphrase bytes; an empty passphrase is refused.
    pub fn new(bytes: Zeroizing<Vec<u8>>) -> Result<Self, KeyError> {
        if bytes.is_empty() {
            return Err(KeyError::Passphrase("the passphrase is empty".into()));
        }
        Ok(Passphrase(bytes))
    }

    /// The passphrase bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Private or public.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A private key, which also holds its public half.
    Private,
    /// A public key.
    Public,
}

impl KeyKind {
    /// `private` or `public`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Private => "private",
            KeyKind::Public => "public",
        }
    }
}

/// The ASN.1 structure a key was stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// PKCS#8 `PrivateKeyInfo`, unencrypted.
    Pkcs8,
    /// PKCS#8 `EncryptedPrivateKeyInfo`, opened with a passphrase.
    EncryptedPkcs8,
    /// PKCS#1 `RSAPrivateKey` or `RSAPublicKey`.
    Pkcs1,
    /// X.509 `SubjectPublicKeyInfo`.
    Spki,
}

/// How the ASN.1 structure was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// PEM: base64 between `-----BEGIN` and `-----END` lines.
    Pem,
    /// DER bytes.
    Der,
    /// DER in base64, without PEM's lines (as some consoles show a key).
    Base64,
}

/// Where a key's bytes came from, as reported by `pubkey --json` (`source_format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// An ASN.1 structure, encoded.
    Encoded(Container, Encoding),
    /// PKCS#1 PEM encrypted with OpenSSL's legacy `Proc-Type: 4,ENCRYPTED` headers.
    LegacyEncryptedPem,
    /// A JWK, alone or in a JWK Set.
    Jwk,
    /// One `ssh-rsa AAAA…` line, as in `id_rsa.pub` or `authorized_keys`.
    OpenSsh,
    /// An RFC 4716 `---- BEGIN SSH2 PUBLIC KEY ----` block, as `ssh-keygen -e` writes it.
    Ssh2,
    /// The public key of an X.509 certificate ([`LoadedKey::certificate`] says which).
    Certificate(Encoding),
    /// iAdvize's production public key, built in.
    Builtin,
    /// Made by [`LoadedKey::generate`].
    Generated,
}

impl SourceFormat {
    /// The stable name used in JSON output, e.g. `pkcs8-pem` or `spki-base64`.
    pub fn name(self) -> &'static str {
        use Container::*;
        use Encoding::*;
        match self {
            SourceFormat::Encoded(Pkcs8, Pem) => "pkcs8-pem",
            SourceFormat::Encoded(Pkcs8, Der) => "pkcs8-der",
            SourceFormat::Encoded(Pkcs8, Base64) => "pkcs8-base64",
            SourceFormat::Encoded(EncryptedPkcs8, Pem) => "encrypted-pkcs8-pem",
            SourceFormat::Encoded(EncryptedPkcs8, Der) => "encrypted-pkcs8-der",
            SourceFormat::Encoded(EncryptedPkcs8, Base64) => "encrypted-pkcs8-base64",
            SourceFormat::Encoded(Pkcs1, Pem) => "pkcs1-pem",
            SourceFormat::Encoded(Pkcs1, Der) => "pkcs1-der",
            SourceFormat::Encoded(Pkcs1, Base64) => "pkcs1-base64",
            SourceFormat::Encoded(Spki, Pem) => "spki-pem",
            SourceFormat::Encoded(Spki, Der) => "spki-der",
            SourceFormat::Encoded(Spki, Base64) => "spki-base64",
            SourceFormat::LegacyEncryptedPem => "legacy-encrypted-pem",
            SourceFormat::Jwk => "jwk",
            SourceFormat::OpenSsh => "openssh",
            SourceFormat::Ssh2 => "ssh2-pem",
            SourceFormat::Certificate(Encoding::Pem) => "x509-pem",
            SourceFormat::Certificate(Encoding::Der) => "x509-der",
            SourceFormat::Certificate(Encoding::Base64) => "x509-base64",
            SourceFormat::Builtin => "builtin",
            SourceFormat::Generated => "generated",
        }
    }
}

#[derive(Clone)]
pub(super) enum Material {
    Private(Box<rsa::PrivateKey>),
    Public(rsa::PublicKey),
}

/// An RSA key read from somewhere, with what was noticed while reading it.
///
/// `Debug` shows the format, kind and size, never key material. A clone is a second copy of
/// the key material, wiped when dropped as the first is.
#[derive(Clone)]
pub struct LoadedKey {
    format: SourceFormat,
    material: Material,
    warnings: Vec<String>,
    certificate: Option<Certificate>,
}

/// What an X.509 certificate says about the key it holds, for the reader to check that it is
/// the certificate meant. Its signature is not checked: only the key is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The subject's name, `CN=brand.example, O=Brand`, escaped of nothing: from a file, so
    /// escape it before it reaches a terminal.
    pub subject: String,
    /// The issuer's name, escaped of nothing as `subject` is.
    pub issuer: String,
    /// The validity period, in UNIX seconds.
    pub not_before: i64,
    /// The end of the validity period, in UNIX seconds.
    pub not_after: i64,
}

impl fmt::Debug for LoadedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedKey")
            .field("format", &self.format.name())
            .field("kind", &self.kind().as_str())
            .field("bits", &self.bits())
            .field("material", &"<redacted>")
            .finish()
    }
}

impl LoadedKey {
    pub(super) fn new(format: SourceFormat, material: Material) -> Self {
        // Every key read or made comes through here, just after the `rsa` crate built it; only a
        // private key leaves secrets behind.
        if matches!(material, Material::Private(_)) {
            wipe_stack_below();
        }
        let mut key = LoadedKey {
            format,
            material,
            warnings: Vec::new(),
            certificate: None,
        };
        let bits = key.bits();
        if bits < MIN_BITS {
            key.warnings.push(format!(
                "the RSA key has {bits} bits: iAdvize needs at least {MIN_BITS}, \
                 and this tool will not sign or encrypt with it"
            ));
        }
        let e = key.public_exponent();
        if e != Some(65537) {
            let shown = e.map_or_else(|| "a very large value".to_string(), |e| e.to_string());
            key.warnings.push(format!(
                "the public exponent is {shown}, not the usual 65537; some JOSE libraries refuse it"
            ));
        }
        key
    }

    /// A fresh key pair of `bits` bits (2048 to 8192) from the operating system's RNG.
    pub fn generate(bits: usize) -> Result<Self, KeyError> {
        Self::check_new_key_size(bits)?;
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Ok(LoadedKey::new(
            SourceFormat::Generated,
            Material::Private(Box::new(key)),
        ))
    }

    /// Whether a new key of `bits` bits may be made: iAdvize needs at least 2048, and the `rsa`
    /// crate handles at most 8192.
    pub fn check_new_key_size(bits: usize) -> Result<(), KeyError> {
        if (MIN_BITS..=MAX_BITS).contains(&bits) {
            return Ok(());
        }
        Err(KeyError::NewKeySize { bits })
    }

    /// How the key was stored where it was read.
    pub fn format(&self) -> SourceFormat {
        self.format
    }

    /// Private or public.
    pub fn kind(&self) -> KeyKind {
        match self.material {
            Material::Private(_) => KeyKind::Private,
            Material::Public(_) => KeyKind::Public,
        }
    }

    /// What was noticed while reading the key (small size, unusual exponent, loose file mode).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub(crate) fn push_warning(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    /// The certificate the key was read from, when it was.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    pub(super) fn set_certificate(&mut self, certificate: Certificate) {
        self.certificate = Some(certificate);
    }

    /// The public half as a key of its own, read from the same source.
    pub(crate) fn public_half(&self) -> LoadedKey {
        LoadedKey {
            format: self.format,
            material: Material::Public(self.public_key().clone()),
            warnings: self.warnings.clone(),
            certificate: self.certificate.clone(),
        }
    }

    /// The public half (the key itself for a public key).
    pub(crate) fn public_key(&self) -> &rsa::PublicKey {
        match &self.material {
            Material::Private(key) => key.as_public_key(),
            Material::Public(key) => key,
        }
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        modulus_bits(&self.public_key().n_bytes())
    }

    /// The public exponent, when it fits in 64 bits.
    pub fn public_exponent(&self) -> Option<u64> {
        let bytes = self.public_key().e_bytes();
        if bytes.len() > 8 {
            return None;
        }
        Some(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// The public half as DER SubjectPublicKeyInfo, with its fingerprints.
    pub fn public_info(&self) -> Result<PublicKeyInfo, KeyError> {
        let spki = self
            .public_key()
            .to_public_key_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        let key = self.public_key();
        Ok(PublicKeyInfo::new(
            spki.as_bytes().to_vec(),
            &key.n_bytes(),
            &key.e_bytes(),
        ))
    }

    /// The private key as PKCS#8 DER, for building signers and decrypters.
    pub fn private_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let key = self.private()?;
        let doc = key
            .to_pkcs8_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The private key as an OpenSSL key, built from its components, for signing with
    /// OpenSSL. Going through DER instead would run OpenSSL's generic key decoder, whose first
    /// use in a process costs more than the signature (keys of more than two primes, which
    /// have no such components, still do).
    pub(crate) fn openssl_private(&self) -> Result<openssl::rsa::Rsa<Private>, KeyError> {
        use rsa::traits::PrivateKeyParts;
        let key = self.private()?;
        let (Some(dp), Some(dq), Some(qinv), [p, q]) =
            (key.dp(), key.dq(), key.qinv(), key.primes())
        else {
            return PKey::private_key_from_der(&self.private_pkcs8_der()?)
                .and_then(|key| key.rsa())
                .map_err(openssl_error);
        };
        let secret = |value: &rsa::BoxedUint| Zeroizing::new(value.to_be_bytes());
        let bn = |bytes: &[u8]| BigNum::from_slice(bytes).map_err(openssl_error);
        let public = self.public_key();
        openssl::rsa::Rsa::from_private_components(
            bn(&public.n_bytes())?,
            bn(&public.e_bytes())?,
            bn(&secret(key.d()))?,
            bn(&secret(p.as_ref()))?,
            bn(&secret(q.as_ref()))?,
            bn(&secret(dp))?,
            bn(&secret(dq))?,
            bn(&secret(&qinv.retrieve()))?,
        )
        .map_err(openssl_error)
    }

    /// The public half as an OpenSSL key, built from its components (see
    /// [`LoadedKey::openssl_private`]).
    pub(crate) fn openssl_public(&self) -> Result<PKey<Public>, KeyError> {
        let public = self.public_key();
        let bn = |bytes: &[u8]| BigNum::from_slice(bytes).map_err(openssl_error);
        let rsa = openssl::rsa::Rsa::from_public_components(
            bn(&public.n_bytes())?,
            bn(&public.e_bytes())?,
        )
        .map_err(openssl_error)?;
        PKey::from_rsa(rsa).map_err(openssl_error)
    }

    /// The private key as PKCS#8 PEM, passphrase-encrypted (PBES2: scrypt + AES-256-CBC)
    /// when a passphrase is given.
    pub fn private_pkcs8_pem(
        &self,
        passphrase: Option<&Passphrase>,
    ) -> Result<Zeroizing<String>, KeyError> {
        let key = self.private()?;
        let pem = match passphrase {
            Some(pass) => key.to_pkcs8_encrypted_pem(pass.expose(), LineEnding::LF),
            None => key.to_pkcs8_pem(LineEnding::LF),
        };
        pem.map_err(|e| KeyError::Encode(e.to_string()))
    }

    /// Verifies a JWS RSA signature (RFC 7518 §3.3, §3.5: PSS with MGF1 and a salt as long as
    /// the hash) with the `rsa` crate, for keys under 2048 bits that the JOSE library refuses
    /// but iAdvize's Java library accepts.
    pub(crate) fn verify_jws_rsa(&self, alg: Signature, message: &[u8], signature: &[u8]) -> bool {
        use rsa::pkcs1v15::Pkcs1v15Sign;
        use rsa::pss::Pss;
        use sha2::{Sha384, Sha512};
        let key = self.public_key();
        let verified = match (alg.is_pss(), alg.hash_bits()) {
            (false, 256) => key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(message),
                signature,
            ),
            (false, 384) => key.verify(
                Pkcs1v15Sign::new::<Sha384>(),
                &Sha384::digest(message),
                signature,
            ),
            (false, _) => key.verify(
                Pkcs1v15Sign::new::<Sha512>(),
                &Sha512::digest(message),
                signature,
            ),
            (true, 256) => key.verify(Pss::<Sha256>::new(), &Sha256::digest(message), signature),
            (true, 384) => key.verify(Pss::<Sha384>::new(), &Sha384::digest(message), signature),
            (true, _) => key.verify(Pss::<Sha512>::new(), &Sha512::digest(message), signature),
        };
        verified.is_ok()
    }

    /// RSA-OAEP decryption with SHA-256 but MGF1-SHA-1: what Java's default
    /// `OAEPWithSHA-256AndMGF1Padding` produces, and not what RSA-OAEP-256 means. Used only to
    /// diagnose tokens made that way.
    pub(crate) fn decrypt_oaep_sha256_mgf1_sha1(
        &self,
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let key = self.private().ok()?;
        key.decrypt(
            rsa::Oaep::<Sha256, sha1::Sha1>::new_with_mgf_hash(),
            ciphertext,
        )
        .ok()
        .map(Zeroizing::new)
    }

    fn private(&self) -> Result<&rsa::PrivateKey, KeyError> {
        match &self.material {
            Material::Private(key) => Ok(key),
            Material::Public(_) => Err(KeyError::NotPrivate),
        }
    }
}

/// A public key as every JSON output describes it (`keygen --json`, `pubkey --json`, `serve`'s
/// `/keys`): its size and the forms people compare.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PublicKeyRecord {
    /// The modulus size in bits.
    pub bits: usize,
    /// The DER SubjectPublicKeyInfo in standard base64, one line: what iAdvize is sent.
    pub public_key_base64: String,
    /// SHA-256 of that DER, lowercase hex.
    pub sha256_fingerprint: String,
    /// The RFC 7638 JWK thumbprint, base64url.
    pub jwk_thumbprint: String,
    /// `SHA256:` and base64: what `ssh-keygen -l` prints for the same key.
    pub openssh_fingerprint: String,
}

impl LoadedKey {
    /// The key's public half as the JSON outputs describe it.
    pub fn record(&self) -> Result<PublicKeyRecord, KeyError> {
        let info = self.public_info()?;
        Ok(PublicKeyRecord {
            bits: self.bits(),
            public_key_base64: info.base64(),
            sha256_fingerprint: info.sha256_fingerprint,
            jwk_thumbprint: info.jwk_thumbprint,
            openssh_fingerprint: info.openssh_fingerprint,
        })
    }
}

/// The public half of a key in the forms people compare: DER, fingerprint, thumbprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyInfo {
    /// DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// SHA-256 of `spki_der`, lowercase hex.
    pub sha256_fingerprint: String,
    /// RFC 7638 JWK thumbprint (SHA-256), base64url without padding.
    pub jwk_thumbprint: String,
    /// `SHA256:` and the SHA-256 of the key's OpenSSH `ssh-rsa` encoding, base64 without
    /// padding: what `ssh-keygen -lf` prints for the same key.
    pub openssh_fingerprint: String,
    /// The public JWK members `n` and `e`, base64url.
    jwk_n: String,
    jwk_e: String,
}

impl PublicKeyInfo {
    fn new(spki_der: Vec<u8>, n: &[u8], e: &[u8]) -> Self {
        let b64url = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwk_n = b64url.encode(n);
        let jwk_e = b64url.encode(e);
        // RFC 7638 §3.2: required members only, lexicographic order, no whitespace. The
        // base64url alphabet needs no JSON escaping.
        let canonical = format!(r#"{{"e":"{jwk_e}","kty":"RSA","n":"{jwk_n}"}}"#);
        let jwk_thumbprint = b64url.encode(Sha256::digest(canonical.as_bytes()));
        let sha256_fingerprint = Sha256::digest(&spki_der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let openssh_fingerprint = format!(
            "{OPENSSH_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD
                .encode(Sha256::digest(super::openssh::rsa_blob(n, e)))
        );
        PublicKeyInfo {
            spki_der,
            sha256_fingerprint,
            jwk_thumbprint,
            openssh_fingerprint,
            jwk_n,
            jwk_e,
        }
    }

    /// The DER as one bare base64 line: the form in which iAdvize publishes its own key.
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.spki_der)
    }

    /// `-----BEGIN PUBLIC KEY-----` PEM, as `openssl rsa -pubout` writes it.
    pub fn pem(&self) -> Result<String, KeyError> {
        pkcs8::der::pem::encode_string("PUBLIC KEY", LineEnding::LF, &self.spki_der)
            .map_err(|e| KeyError::Encode(e.to_string()))
    }

    /// The public JWK (`kty`, `n`, `e`).
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({ "kty": "RSA", "n": self.jwk_n, "e": self.jwk_e })
    }

    /// The public JWK as a key set publishes it: with `kid` (the RFC 7638 thumbprint), `use`
    /// and `alg` — `sig` and `RS256` for a brand's signing key, `enc` and `RSA-OAEP-256` for
    /// iAdvize's production key, which tokens are encrypted to.
    pub fn published_jwk(&self) -> serde_json::Value {
        let (purpose, alg) = match self.is_iadvize_production() {
            true => ("enc", crate::alg::KeyManagement::IADVIZE.name()),
            false => ("sig", Signature::IADVIZE.name()),
        };
        serde_json::json!({
            "kty": "RSA",
            "n": self.jwk_n,
            "e": self.jwk_e,
            "kid": self.jwk_thumbprint,
            "use": purpose,
            "alg": alg,
        })
    }
}

/// What starts an OpenSSH fingerprint, as `ssh-keygen -l` prints it.
const OPENSSH_PREFIX: &str = "SHA256:";

/// A fingerprint a person expects a key to have, as typed or pasted, from its start: at least 8
/// hex characters of the SHA-256 fingerprint (any case, colons allowed), of the OpenSSH form
/// (`SHA256:` and base64, as `ssh-keygen -l` prints it, or that base64 alone), or of the JWK
/// thumbprint.
///
/// Text that could be more than one of them is compared with each: `1a2b3c4d` with the start of
/// all three, `SHA256:1a2b3c4d` with the OpenSSH fingerprint and the hex one (container tools
/// write hex digests after `sha256:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedFingerprint {
    /// As typed, trimmed.
    typed: String,
    /// As given, trimmed; colons dropped from a hex fingerprint.
    given: String,
    /// Lowercase, when `given` is all hex (after `sha256:` or alone).
    hex: Option<String>,
    /// The base64 after `SHA256:`, or the whole of base64 text without `-` or `_` (which only
    /// the JWK thumbprint's base64url has); `=` padding dropped.
    openssh: Option<String>,
    /// `given`, when it could be the start of a JWK thumbprint (base64url).
    thumbprint: Option<String>,
}

/// Which fingerprint of a key an [`ExpectedFingerprint`] matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FingerprintMatch {
    /// The SHA-256 fingerprint of the public key (its DER `SubjectPublicKeyInfo`), in hex.
    Sha256,
    /// The OpenSSH fingerprint (`SHA256:` and base64).
    OpenSsh,
    /// The RFC 7638 JWK thumbprint.
    JwkThumbprint,
    /// None of them: another key.
    Neither,
}

impl FingerprintMatch {
    /// The stable name in JSON output: `sha256`, `openssh`, `jwk_thumbprint`; `None` for
    /// [`FingerprintMatch::Neither`].
    pub fn name(self) -> Option<&'static str> {
        match self {
            FingerprintMatch::Sha256 => Some("sha256"),
            FingerprintMatch::OpenSsh => Some("openssh"),
            FingerprintMatch::JwkThumbprint => Some("jwk_thumbprint"),
            FingerprintMatch::Neither => None,
        }
    }
}

/// Fewer characters than this could match another key by chance too easily.
const MIN_FINGERPRINT_PREFIX: usize = 8;

impl ExpectedFingerprint {
    /// Reads a fingerprint, or its first characters (at least 8), as people copy it: hex with or
    /// without colons, `SHA256:` and base64, or a JWK thumbprint. MD5 fingerprints are refused.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim();
        let fail = |why: &str| {
            KeyError::Fingerprint(format!(
                "{why}; give at least {MIN_FINGERPRINT_PREFIX} characters of the SHA-256 \
                 fingerprint (hex, colons allowed), of the OpenSSH one (SHA256:…, as \
                 `ssh-keygen -lf` prints it) or of the JWK thumbprint"
            ))
        };
        let is_base64 = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
        let is_b64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let (scheme, rest) = match trimmed.split_once(':') {
            Some((scheme, rest)) if scheme.chars().all(|c| c.is_ascii_alphanumeric()) => {
                (Some(scheme), rest)
            }
            _ => (None, trimmed),
        };
        match scheme {
            Some(scheme) if scheme.eq_ignore_ascii_case("sha256") => {
                let body = rest.trim_end_matches('=');
                if body.chars().count() < MIN_FINGERPRINT_PREFIX {
                    return Err(fail("too short to tell keys apart"));
                }
                // `sha256:` before hex, as container tools write digests, is the same hex
                // (64 digits whole, longer than any OpenSSH fingerprint).
                let hex = (body.len() <= 64 && body.chars().all(|c| c.is_ascii_hexdigit()))
                    .then(|| body.to_ascii_lowercase());
                let openssh =
                    (body.len() <= 43 && body.chars().all(is_base64)).then(|| body.to_string());
                if hex.is_none() && openssh.is_none() {
                    return Err(fail("not an OpenSSH SHA256: fingerprint"));
                }
                return Ok(ExpectedFingerprint {
                    typed: trimmed.to_string(),
                    given: trimmed.to_string(),
                    hex,
                    openssh,
                    thumbprint: None,
                });
            }
            Some(scheme) if scheme.eq_ignore_ascii_case("md5") => {
                return Err(fail(
                    "an MD5 fingerprint (`ssh-keygen -E md5`) says too little to compare",
                ));
            }
            _ => {}
        }
        let given: String = trimmed.chars().filter(|c| *c != ':').collect();
        if given.chars().count() < MIN_FINGERPRINT_PREFIX {
            return Err(fail("too short to tell keys apart"));
        }
        let hex = given
            .chars()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| given.to_ascii_lowercase());
        if hex.as_ref().is_some_and(|hex| hex.len() > 64) {
            return Err(fail(
                "longer than a SHA-256 fingerprint (64 hex characters)",
            ));
        }
        // Colons belong to hex fingerprints only.
        let thumbprint = (given == trimmed && given.chars().all(is_b64url) && given.len() <= 43)
            .then(|| given.clone());
        let bare = given.trim_end_matches('=');
        let openssh = (given == trimmed && bare.chars().all(is_base64) && bare.len() <= 43)
            .then(|| bare.to_string());
        if hex.is_none() && thumbprint.is_none() && openssh.is_none() {
            return Err(fail(
                "neither hex, an OpenSSH fingerprint nor a JWK thumbprint",
            ));
        }
        Ok(ExpectedFingerprint {
            typed: trimmed.to_string(),
            given,
            hex,
            openssh,
            thumbprint,
        })
    }

    /// As given (a hex fingerprint without its colons).
    pub fn as_str(&self) -> &str {
        &self.given
    }

    /// As typed (trimmed).
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// What was compared with the fingerprint `matched` names: the lowercase hex, `SHA256:` and
    /// the base64 of an OpenSSH one, or the thumbprint; `None` for
    /// [`FingerprintMatch::Neither`] or a form this expectation was not read as.
    pub fn compared(&self, matched: FingerprintMatch) -> Option<String> {
        match matched {
            FingerprintMatch::Sha256 => self.hex.clone(),
            FingerprintMatch::OpenSsh => self
                .openssh
                .as_ref()
                .map(|body| format!("{OPENSSH_PREFIX}{body}")),
            FingerprintMatch::JwkThumbprint => self.thumbprint.clone(),
            FingerprintMatch::Neither => None,
        }
    }

    /// Which of `info`'s fingerprints starts with this one.
    pub fn compare(&self, info: &PublicKeyInfo) -> FingerprintMatch {
        let openssh_body = info
            .openssh_fingerprint
            .strip_prefix(OPENSSH_PREFIX)
            .unwrap_or_default();
        if let Some(hex) = &self.hex
            && info.sha256_fingerprint.starts_with(hex.as_str())
        {
            FingerprintMatch::Sha256
        } else if let Some(body) = &self.openssh
            && openssh_body.starts_with(body.as_str())
        {
            FingerprintMatch::OpenSsh
        } else if let Some(thumbprint) = &self.thumbprint
            && info.jwk_thumbprint.starts_with(thumbprint.as_str())
        {
            FingerprintMatch::JwkThumbprint
        } else {
            FingerprintMatch::Neither
        }
    }
}

fn openssl_error(err: openssl::error::ErrorStack) -> KeyError {
    KeyError::Encode(err.to_string())
}

/// Overwrites the 64 KiB of stack below the caller's frame: where the `rsa` crate's big-integer
/// arithmetic, checking a key it has just built (`n = p·q`), left copies of its primes in
/// fixed-size arrays that nothing wipes.
#[inline(never)]
fn wipe_stack_below() {
    use zeroize::Zeroize;
    // In words rather than bytes: one volatile write each, an eighth of the instructions.
    let mut area = [0u64; 64 * 1024 / 8];
    area.zeroize();
    std::hint::black_box(&area);
}

/// Bit length of a big-endian unsigned integer.
fn modulus_bits(be: &[u8]) -> usize {
    let skip = be.iter().take_while(|b| **b == 0).count();
    match be.get(skip) {
        None => 0,
        Some(first) => (be.len() - skip) * 8 - first.leading_zeros() as usize,
    }
}

pub(super) fn malformed(format: &'static str, err: impl std::fmt::Display) -> KeyError {
    KeyError::Malformed {
        format,
        detail: err.to_string(),
    }
}

/// An RSA public key from its big-endian modulus and public exponent.
pub(super) fn public_from_be(n: &[u8], e: &[u8]) -> Result<rsa::PublicKey, KeyError> {
    let uint =
        |bytes| pkcs8::der::asn1::UintRef::new(bytes).map_err(|e| malformed("RSA public key", e));
    public_from_pkcs1(RsaPublicKeyRef {
        modulus: uint(n)?,
        public_exponent: uint(e)?,
    })
}

pub(super) fn public_from_pkcs1(public: RsaPublicKeyRef<'_>) -> Result<rsa::PublicKey, KeyError> {
    check_public_numbers(public.modulus.as_bytes(), public.public_exponent.as_bytes())?;
    rsa::PublicKey::try_from(public).map_err(|e| malformed("RSA public key", e))
}

/// Largest public exponent read: the `rsa` crate's limit, as a huge exponent makes every
/// signature check slow.
const MAX_PUBLIC_EXPONENT: u64 = (1 << 33) - 1;

/// Checks a key's modulus and public exponent (big-endian) before any arithmetic is done with
/// them, in time linear in their length: the size, then what every RSA key satisfies. A
/// damaged file fails its decoding before this; these numbers were encoded whole.
pub(super) fn check_public_numbers(n: &[u8], e: &[u8]) -> Result<(), KeyError> {
    check_size(modulus_bits(n))?;
    const NEVER_MADE: &str = "no RSA tool makes such a key, so check where this one came from";
    if n.last().is_some_and(|low| low & 1 == 0) {
        return Err(KeyError::Invalid(format!(
            "its modulus is even, and an RSA modulus is a product of two odd primes; {NEVER_MADE}"
        )));
    }
    let e = &e[e.iter().take_while(|b| **b == 0).count()..];
    let value = (e.len() <= 8).then(|| e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)));
    match value {
        Some(e) if e < 3 || e % 2 == 0 => Err(KeyError::Invalid(format!(
            "its public exponent is {e}, and RSA needs an odd exponent of at least 3 \
             (usually 65537); {NEVER_MADE}"
        ))),
        Some(e) if e <= MAX_PUBLIC_EXPONENT => Ok(()),
        _ => Err(KeyError::Invalid(format!(
            "its public exponent is larger than {MAX_PUBLIC_EXPONENT}, the largest this tool \
             reads; make a key with the usual 65537 (`iadvize-auth keygen` does)"
        ))),
    }
}

fn check_size(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_READABLE_BITS {
        Err(KeyError::TooSmall { bits })
    } else if bits > MAX_BITS {
        Err(KeyError::TooBig { bits })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::IADVIZE_PRODUCTION_SHA256;
    use crate::keys::builtin::IADVIZE_PRODUCTION_KEY_BASE64;

    #[test]
    fn builtin_key_has_the_published_fingerprints() {
        let key = LoadedKey::iadvize_production();
        let info = key.public_info().unwrap();
        assert_eq!(info.sha256_fingerprint, IADVIZE_PRODUCTION_SHA256);
        assert_eq!(
            info.jwk_thumbprint,
            "QspNamaz04P1Fh1DKF1IUvMLLiYJHmQhECR3ue0eJGU"
        );
        assert_eq!(info.base64(), IADVIZE_PRODUCTION_KEY_BASE64);
        assert_eq!(key.bits(), 2048);
        assert!(key.warnings().is_empty());
    }

    #[test]
    fn debug_never_shows_key_material() {
        let key = LoadedKey::generate(2048).unwrap();
        let der = key.private_pkcs8_der().unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der[..]);
        let shown = format!("{key:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains(&b64[40..80]), "{shown}");
        let pass = Passphrase::new(Zeroizing::new(b"hunter2-secret".to_vec())).unwrap();
        assert_eq!(format!("{pass:?}"), "Passphrase(<redacted>)");
    }

    #[test]
    fn openssl_keys_built_from_components_are_the_same_keys() {
        let key = LoadedKey::generate(2048).unwrap();
        let private = PKey::from_rsa(key.openssl_private().unwrap()).unwrap();
        // OpenSSL's PKCS#8 of the key it was handed equals ours: every component is the same.
        assert_eq!(
            private.private_key_to_pkcs8().unwrap(),
            key.private_pkcs8_der().unwrap().to_vec()
        );
        let public = key.openssl_public().unwrap();
        assert_eq!(
            public.public_key_to_der().unwrap(),
            key.public_info().unwrap().spki_der
        );
    }

    #[test]
    fn expected_fingerprints_match_by_prefix_case_and_colons_aside() {
        let info = LoadedKey::iadvize_production().public_info().unwrap();
        let compare = |text: &str| ExpectedFingerprint::parse(text).unwrap().compare(&info);
        assert_eq!(compare("20b1ebc3"), FingerprintMatch::Sha256);
        assert_eq!(compare("20:B1:EB:C3:CD"), FingerprintMatch::Sha256);
        assert_eq!(compare(IADVIZE_PRODUCTION_SHA256), FingerprintMatch::Sha256);
        assert_eq!(compare("QspNamaz04P1"), FingerprintMatch::JwkThumbprint);
        assert_eq!(
            compare("QspNamaz04P1Fh1DKF1IUvMLLiYJHmQhECR3ue0eJGU"),
            FingerprintMatch::JwkThumbprint
        );
        assert_eq!(compare("20b1ebc4"), FingerprintMatch::Neither);
        assert_eq!(compare("qspnamaz04p1"), FingerprintMatch::Neither);
        let openssh = info.openssh_fingerprint.clone();
        assert!(openssh.starts_with("SHA256:"), "{openssh}");
        assert_eq!(openssh.len(), 7 + 43, "{openssh}");
        assert_eq!(compare(&openssh), FingerprintMatch::OpenSsh);
        assert_eq!(compare(&openssh[..15]), FingerprintMatch::OpenSsh);
        assert_eq!(
            compare(&openssh.to_lowercase()[..15]),
            FingerprintMatch::Neither
        );
        assert_eq!(compare(&format!("{openssh}=")), FingerprintMatch::OpenSsh);
        assert_eq!(compare("sha256:20B1EBC3cd86"), FingerprintMatch::Sha256);
        // An OpenSSH fingerprint's body alone, whether or not a `+` or `/` says what it is.
        assert_eq!(compare(&openssh[7..15]), FingerprintMatch::OpenSsh);
        assert_eq!(compare(&openssh[7..]), FingerprintMatch::OpenSsh);
        if let Some(at) = openssh.find(['+', '/']) {
            assert_eq!(compare(&openssh[7..=at.max(15)]), FingerprintMatch::OpenSsh);
        }
        // What was compared, whatever form it was given in.
        let given = ExpectedFingerprint::parse(&openssh[7..15]).unwrap();
        assert_eq!(
            given.compared(FingerprintMatch::OpenSsh).as_deref(),
            Some(&openssh[..15])
        );
        // Whole, as container tools write a digest: 64 hex digits after `sha256:`.
        assert_eq!(
            compare(&format!("sha256:{IADVIZE_PRODUCTION_SHA256}")),
            FingerprintMatch::Sha256
        );
        let given = ExpectedFingerprint::parse("SHA256:20B1EBC3").unwrap();
        assert_eq!(given.typed(), "SHA256:20B1EBC3");
        assert_eq!(
            given.compared(FingerprintMatch::Sha256).as_deref(),
            Some("20b1ebc3")
        );
        assert_eq!(given.compared(FingerprintMatch::JwkThumbprint), None);
        for bad in [
            "20b1ebc",
            "",
            "20b1 ebc3 cd86",
            &"a".repeat(65),
            "20b1ebc3!",
            "SHA256:abc",
            "SHA256:!!!!!!!!!!",
            "MD5:0f:cb:5e:2e:3a:0a:a8:7e:ce:bc:72:0f:f1:0c:54:28",
            "QspNa:maz04P1",
        ] {
            assert!(ExpectedFingerprint::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn modulus_bits_counts_significant_bits() {
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x01, 0xff]), 9);
        assert_eq!(modulus_bits(&[]), 0);
    }
}
