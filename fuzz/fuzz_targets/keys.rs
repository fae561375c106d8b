//! Key reading: every format `pubkey` accepts, on any bytes, and on keys built from generated
//! structure, so that mutations reach what random bytes rarely do:
//!
//! - encrypted PKCS#8 from generated PBES2 parameter sets: the KDF (PBKDF2 with each PRF, scrypt
//!   or an unknown OID), N, r, p, the iteration count, the key length, the cipher and its IV
//!   length, written as DER integers that may be zero, negative, huge or not minimal; the
//!   content is either filler or a real key encrypted under those parameters (so that
//!   decryption succeeds and the decrypted key, edited or not, is decoded);
//! - RSA JWKs whose members are the fixture keys' numbers, padded with zero bytes or not, in
//!   either base64 alphabet, padded or not, or numbers and values of other kinds; alone, in a
//!   JWK Set or an array;
//! - the fixture keys' DER, edited, as DER, bare base64 or PEM in many layouts (line width,
//!   one unwrapped line, CRLF, indentation, text before, legacy encryption headers, a wrong or
//!   missing END line).
//!
//! The passphrase `fuzz` is given when a generated key's derivation costs little (scrypt
//! 128·r·N·p at most 1 MiB, PBKDF2 at most 10,000 iterations); above that the parameters are
//! still checked, but nothing is derived, which keeps every execution short.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use base64::Engine as _;
use iadvize_auth::keys::{KeyError, Passphrase, decode_key};
use libfuzzer_sys::fuzz_target;
use pkcs8::der::Decode;
use pkcs8::pkcs5::pbes2;
use zeroize::Zeroizing;

const PASSPHRASE: &[u8] = b"fuzz";
/// The first byte of an input that describes a key instead of being one: no key file starts
/// with it, so the seeds of key files stay what they are.
const STRUCTURED: u8 = 0x01;
/// Most derivation work a generated key gets the passphrase for.
const MAX_SCRYPT_MEMORY: u64 = 1 << 20;
const MAX_PBKDF2_ITERATIONS: u64 = 10_000;

/// What a fuzzer input that starts with [`STRUCTURED`] describes; any other input is read
/// as the bytes of a key file.
#[derive(Arbitrary, Debug)]
enum Input {
    /// DER from a fixture or from generated PBES2 parameters, encoded one way or another.
    Der { der: DerSource, encoding: Encoding },
    /// An RSA JWK built from members.
    Jwk(JwkSpec),
}

#[derive(Arbitrary, Debug)]
enum DerSource {
    Fixture { which: Fixture, edits: Vec<Edit> },
    Encrypted(EncryptedSpec),
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Fixture {
    BrandPkcs8,
    BrandPkcs1,
    BrandSpki,
    BrandPkcs1Public,
    Rsa1024Pkcs8,
    StandinPkcs8,
    EcPkcs8,
    Ed25519Pkcs8,
    ScryptPkcs8,
    Pbkdf2Pkcs8,
}

/// One byte of the DER replaced, `at` taken modulo its length.
#[derive(Arbitrary, Debug)]
struct Edit {
    at: u16,
    byte: u8,
}

#[derive(Arbitrary, Debug)]
struct EncryptedSpec {
    kdf: KdfSpec,
    cipher: Cipher,
    /// The IV's length; `None` for the cipher's own.
    iv_len: Option<u8>,
    content: Content,
}

#[derive(Arbitrary, Debug)]
enum KdfSpec {
    Pbkdf2 {
        salt_len: u8,
        iterations: DerInt,
        key_length: Option<DerInt>,
        prf: Prf,
    },
    Scrypt {
        salt_len: u8,
        n: DerInt,
        r: DerInt,
        p: DerInt,
        key_length: Option<DerInt>,
    },
    /// A KDF OID no one implements, with a parameter.
    Unknown(DerInt),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Prf {
    Default,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Unknown,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Cipher {
    Aes128Cbc,
    Aes192Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
    DesEde3Cbc,
    DesCbc,
    Unknown,
}

/// A DER INTEGER: a small value, a power of two, or any content bytes (which may be empty,
/// negative or not minimal).
#[derive(Arbitrary, Debug, Clone)]
enum DerInt {
    Small(u16),
    PowerOfTwo(u8),
    Value(u64),
    Content(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Content {
    Zeros(u16),
    Bytes(Vec<u8>),
    /// A fixture's PKCS#8 encrypted under the generated parameters, with `fuzz`, when the
    /// `pkcs5` crate can represent them and they cost little; edited before encryption.
    RealKey {
        which: Fixture,
        edits: Vec<Edit>,
    },
}

#[derive(Arbitrary, Debug)]
enum Encoding {
    Der,
    Base64 {
        url_safe: bool,
        width: u8,
        padded: bool,
    },
    Pem(PemLayout),
}

#[derive(Arbitrary, Debug)]
struct PemLayout {
    label: Label,
    /// Line width; 0 puts the base64 on one line.
    width: u8,
    crlf: bool,
    indent: bool,
    before: Before,
    end: End,
    legacy_headers: Option<LegacyHeaders>,
    another_block: bool,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Label {
    /// The label the DER calls for.
    Own,
    PrivateKey,
    EncryptedPrivateKey,
    RsaPrivateKey,
    RsaPublicKey,
    PublicKey,
    Certificate,
    OpenSshPrivateKey,
    Other,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Before {
    Nothing,
    ByteOrderMark,
    BagAttributes,
    Whitespace,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum End {
    Right,
    Missing,
    OtherLabel,
    NoNewline,
}

#[derive(Arbitrary, Debug)]
struct LegacyHeaders {
    proc_type: u8,
    cipher: u8,
    iv_hex_len: u8,
}

#[derive(Arbitrary, Debug)]
struct JwkSpec {
    kty: Kty,
    members: Vec<(Member, JwkValue)>,
    wrap: JwkWrap,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Kty {
    Rsa,
    Ec,
    Oct,
    Missing,
    NotAString,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Member {
    N,
    E,
    D,
    P,
    Q,
    Dp,
    Dq,
    Qi,
    Kid,
    Keys,
}

#[derive(Arbitrary, Debug)]
enum JwkValue {
    /// A number of a fixture key, with zero bytes before it and its base64 written one way or
    /// another.
    Number {
        key: NumberKey,
        part: Part,
        leading_zeros: u16,
        standard_alphabet: bool,
        padded: bool,
        edit: Option<Edit>,
    },
    Small(u64),
    Zeros(u16),
    Text(String),
    Integer(i64),
    Null,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum NumberKey {
    Brand,
    Rsa1024,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Part {
    N,
    E,
    D,
    P,
    Q,
    Dp,
    Dq,
    Qi,
}

#[derive(Arbitrary, Debug)]
enum JwkWrap {
    Key,
    Set { before: u8, after: u8 },
    Array,
}

fn pem_der(text: &str) -> Vec<u8> {
    match pkcs8::der::pem::decode_vec(text.as_bytes()) {
        Ok((_, der)) => der,
        Err(err) => panic!("fixture: {err}"),
    }
}

/// The fixtures' DER, and the generated encrypted keys' ones.
struct Fixtures {
    der: Vec<(Fixture, Vec<u8>)>,
    /// PKCS#1 numbers of the brand key and the 1024-bit key: n, e, d, p, q, dp, dq, qi.
    numbers: [[Vec<u8>; 8]; 2],
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let brand = pem_der(include_str!("../../tests/fixtures/brand-private.pem"));
        let rsa1024 = pem_der(include_str!("../../tests/fixtures/rsa1024-private.pem"));
        let pkcs1 = |pkcs8: &[u8]| match pkcs8::PrivateKeyInfoRef::from_der(pkcs8) {
            Ok(info) => info.private_key.as_bytes().to_vec(),
            Err(err) => panic!("fixture: {err}"),
        };
        let spki = pem_der(include_str!("../../tests/fixtures/brand-public.pem"));
        let spki_bits = match pkcs8::SubjectPublicKeyInfoRef::from_der(&spki) {
            Ok(info) => info
                .subject_public_key
                .as_bytes()
                .unwrap_or_default()
                .to_vec(),
            Err(err) => panic!("fixture: {err}"),
        };
        let numbers = |pkcs8: &[u8]| {
            let der = pkcs1(pkcs8);
            let key = match rsa::pkcs1::RsaPrivateKeyRef::from_der(&der) {
                Ok(key) => key,
                Err(err) => panic!("fixture: {err}"),
            };
            [
                key.modulus,
                key.public_exponent,
                key.private_exponent,
                key.prime1,
                key.prime2,
                key.exponent1,
                key.exponent2,
                key.coefficient,
            ]
            .map(|uint| uint.as_bytes().to_vec())
        };
        let encrypted = |kdf: pbes2::Kdf| {
            let params = pbes2::Parameters {
                kdf,
                encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: [7; 16] },
            };
            match encrypt(&params, &brand) {
                Some(der) => der,
                None => panic!("fixture: cannot encrypt"),
            }
        };
        let salt = || match pbes2::Salt::new([5; 16]) {
            Ok(salt) => salt,
            Err(err) => panic!("fixture: {err}"),
        };
        let der = vec![
            (Fixture::BrandPkcs8, brand.clone()),
            (Fixture::BrandPkcs1, pkcs1(&brand)),
            (Fixture::BrandSpki, spki),
            (Fixture::BrandPkcs1Public, spki_bits),
            (Fixture::Rsa1024Pkcs8, rsa1024.clone()),
            (
                Fixture::StandinPkcs8,
                pem_der(include_str!(
                    "../../tests/fixtures/standin-iadvize-private.pem"
                )),
            ),
            (
                Fixture::EcPkcs8,
                pem_der(include_str!("../../tests/fixtures/ec-private.pem")),
            ),
            (
                Fixture::Ed25519Pkcs8,
                pem_der(include_str!("../../tests/fixtures/ed25519-private.pem")),
            ),
            (
                Fixture::ScryptPkcs8,
                encrypted(pbes2::Kdf::Scrypt(pbes2::ScryptParams {
                    salt: salt(),
                    cost_parameter: 1 << 10,
                    block_size: 8,
                    parallelization: 1,
                    key_length: None,
                })),
            ),
            (
                Fixture::Pbkdf2Pkcs8,
                encrypted(pbes2::Kdf::Pbkdf2(pbes2::Pbkdf2Params {
                    salt: salt(),
                    iteration_count: 2048,
                    key_length: None,
                    prf: pbes2::Pbkdf2Prf::HmacWithSha256,
                })),
            ),
        ];
        Fixtures {
            der,
            numbers: [numbers(&brand), numbers(&rsa1024)],
        }
    })
}

fn fixture(which: Fixture) -> &'static [u8] {
    fixtures()
        .der
        .iter()
        .find(|(name, _)| *name == which)
        .map_or(&[][..], |(_, der)| der)
}

fn edited(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for edit in edits {
        if !out.is_empty() {
            let at = usize::from(edit.at) % out.len();
            out[at] = edit.byte;
        }
    }
    out
}

/// An EncryptedPrivateKeyInfo of `params` over `plain`, encrypted with the passphrase.
fn encrypt(params: &pbes2::Parameters, plain: &[u8]) -> Option<Vec<u8>> {
    use pkcs8::der::Encode;
    let data = params.encrypt(PASSPHRASE, plain).ok()?;
    pkcs8::EncryptedPrivateKeyInfoRef {
        encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params.clone()),
        encrypted_data: pkcs8::der::asn1::OctetStringRef::new(&data).ok()?,
    }
    .to_der()
    .ok()
}

// DER writing, by hand, so that any parameter can be written, valid or not.

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// The OID's DER, from its arcs.
fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for arc in &arcs[2..] {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            groups.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        body.extend(groups.iter().rev());
    }
    tlv(0x06, &body)
}

fn uint_der(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut body = bytes[skip..].to_vec();
    if body[0] & 0x80 != 0 {
        body.insert(0, 0);
    }
    tlv(0x02, &body)
}

impl DerInt {
    /// Its value, when it is one of those `pkcs5` can hold.
    fn value(&self) -> Option<u64> {
        match self {
            DerInt::Small(v) => Some(u64::from(*v)),
            DerInt::PowerOfTwo(log) => 1u64.checked_shl(u32::from(*log)),
            DerInt::Value(v) => Some(*v),
            DerInt::Content(_) => None,
        }
    }

    fn der(&self) -> Vec<u8> {
        match (self, self.value()) {
            (DerInt::Content(bytes), _) => tlv(0x02, bytes),
            (_, Some(value)) => uint_der(value),
            // 1 << 64 and more: a 9-byte integer.
            (_, None) => tlv(0x02, &[1, 0, 0, 0, 0, 0, 0, 0, 0]),
        }
    }
}

impl Cipher {
    fn oid(self) -> Vec<u8> {
        match self {
            Cipher::Aes128Cbc => oid(&[2, 16, 840, 1, 101, 3, 4, 1, 2]),
            Cipher::Aes192Cbc => oid(&[2, 16, 840, 1, 101, 3, 4, 1, 22]),
            Cipher::Aes256Cbc => oid(&[2, 16, 840, 1, 101, 3, 4, 1, 42]),
            Cipher::Aes128Gcm => oid(&[2, 16, 840, 1, 101, 3, 4, 1, 6]),
            Cipher::Aes256Gcm => oid(&[2, 16, 840, 1, 101, 3, 4, 1, 46]),
            Cipher::DesEde3Cbc => oid(&[1, 2, 840, 113549, 3, 7]),
            Cipher::DesCbc => oid(&[1, 3, 14, 3, 2, 7]),
            Cipher::Unknown => oid(&[1, 3, 6, 1, 4, 1, 99999, 1]),
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Cipher::Aes128Gcm | Cipher::Aes256Gcm => 12,
            Cipher::DesEde3Cbc | Cipher::DesCbc => 8,
            _ => 16,
        }
    }

    /// The `pkcs5` scheme for it, with this IV, when that crate has one.
    fn scheme(self, iv: &[u8]) -> Option<pbes2::EncryptionScheme> {
        Some(match self {
            Cipher::Aes128Cbc => pbes2::EncryptionScheme::Aes128Cbc {
                iv: iv.try_into().ok()?,
            },
            Cipher::Aes192Cbc => pbes2::EncryptionScheme::Aes192Cbc {
                iv: iv.try_into().ok()?,
            },
            Cipher::Aes256Cbc => pbes2::EncryptionScheme::Aes256Cbc {
                iv: iv.try_into().ok()?,
            },
            Cipher::Aes128Gcm => pbes2::EncryptionScheme::Aes128Gcm {
                nonce: iv.try_into().ok()?,
            },
            Cipher::Aes256Gcm => pbes2::EncryptionScheme::Aes256Gcm {
                nonce: iv.try_into().ok()?,
            },
            Cipher::DesEde3Cbc => pbes2::EncryptionScheme::DesEde3Cbc {
                iv: iv.try_into().ok()?,
            },
            Cipher::DesCbc | Cipher::Unknown => return None,
        })
    }
}

impl Prf {
    fn algorithm(self) -> Option<Vec<u8>> {
        let hmac = |last: u64| Some(seq(&[oid(&[1, 2, 840, 113549, 2, last]), vec![0x05, 0]]));
        match self {
            Prf::Default => None,
            Prf::Sha1 => hmac(7),
            Prf::Sha224 => hmac(8),
            Prf::Sha256 => hmac(9),
            Prf::Sha384 => hmac(10),
            Prf::Sha512 => hmac(11),
            Prf::Unknown => hmac(99),
        }
    }

    fn pkcs5(self) -> Option<pbes2::Pbkdf2Prf> {
        Some(match self {
            Prf::Default | Prf::Sha1 => pbes2::Pbkdf2Prf::HmacWithSha1,
            Prf::Sha224 => pbes2::Pbkdf2Prf::HmacWithSha224,
            Prf::Sha256 => pbes2::Pbkdf2Prf::HmacWithSha256,
            Prf::Sha384 => pbes2::Pbkdf2Prf::HmacWithSha384,
            Prf::Sha512 => pbes2::Pbkdf2Prf::HmacWithSha512,
            Prf::Unknown => return None,
        })
    }
}

impl EncryptedSpec {
    fn salt(&self) -> Vec<u8> {
        let len = match &self.kdf {
            KdfSpec::Pbkdf2 { salt_len, .. } | KdfSpec::Scrypt { salt_len, .. } => *salt_len,
            KdfSpec::Unknown(_) => 0,
        };
        vec![0x5a; usize::from(len % 40)]
    }

    fn iv(&self) -> Vec<u8> {
        vec![0x11; self.iv_len.map_or(self.cipher.iv_len(), usize::from)]
    }

    /// Whether the derivation costs little enough to be run.
    fn cheap(&self) -> bool {
        match &self.kdf {
            KdfSpec::Pbkdf2 { iterations, .. } => iterations
                .value()
                .is_some_and(|count| count <= MAX_PBKDF2_ITERATIONS),
            KdfSpec::Scrypt { n, r, p, .. } => {
                match (n.value(), r.value(), p.value()) {
                    (Some(n), Some(r), Some(p)) => n
                        .checked_mul(r)
                        .and_then(|v| v.checked_mul(p))
                        .and_then(|v| v.checked_mul(128))
                        .is_some_and(|memory| memory <= MAX_SCRYPT_MEMORY),
                    // Not a value pkcs5 reads: nothing is derived.
                    _ => true,
                }
            }
            KdfSpec::Unknown(_) => true,
        }
    }

    /// The `pkcs5` parameters of the same derivation and cipher, when that crate can hold
    /// them.
    fn pkcs5(&self) -> Option<pbes2::Parameters> {
        // `Salt::new` indexes past its 32-byte buffer instead of refusing a longer salt
        // (pkcs5 0.8.1); decoding one from DER is refused properly.
        let salt = self.salt();
        if salt.len() > pbes2::Salt::MAX_LEN {
            return None;
        }
        let salt = pbes2::Salt::new(salt).ok()?;
        let key_length = |len: &Option<DerInt>| match len {
            None => Some(None),
            Some(len) => len.value().and_then(|v| u16::try_from(v).ok()).map(Some),
        };
        let kdf = match &self.kdf {
            KdfSpec::Pbkdf2 {
                iterations,
                key_length: len,
                prf,
                ..
            } => pbes2::Kdf::Pbkdf2(pbes2::Pbkdf2Params {
                salt,
                iteration_count: u32::try_from(iterations.value()?).ok()?,
                key_length: key_length(len)?,
                prf: prf.pkcs5()?,
            }),
            KdfSpec::Scrypt {
                n,
                r,
                p,
                key_length: len,
                ..
            } => pbes2::Kdf::Scrypt(pbes2::ScryptParams {
                salt,
                cost_parameter: n.value()?,
                block_size: u16::try_from(r.value()?).ok()?,
                parallelization: u16::try_from(p.value()?).ok()?,
                key_length: key_length(len)?,
            }),
            KdfSpec::Unknown(_) => return None,
        };
        let encryption = self.cipher.scheme(&self.iv())?;
        // The `pkcs5` crate panics when it derives with some parameters it reads (scrypt
        // N = 0, a key length over 32 bytes): the key is encrypted only with parameters the
        // tool accepts, as it checks them before that crate derives anything.
        let usable = match &kdf {
            pbes2::Kdf::Pbkdf2(params) => {
                params.iteration_count >= 1
                    && params
                        .key_length
                        .is_none_or(|len| usize::from(len) == encryption.key_size())
            }
            pbes2::Kdf::Scrypt(params) => {
                params.cost_parameter >= 2
                    && params.cost_parameter.is_power_of_two()
                    && params.block_size >= 1
                    && params.parallelization >= 1
                    && params
                        .key_length
                        .is_none_or(|len| usize::from(len) == encryption.key_size())
            }
            _ => false,
        };
        usable.then_some(pbes2::Parameters { kdf, encryption })
    }

    fn der(&self) -> Vec<u8> {
        let salt = tlv(0x04, &self.salt());
        let kdf = match &self.kdf {
            KdfSpec::Pbkdf2 {
                iterations,
                key_length,
                prf,
                ..
            } => {
                let mut params = vec![salt, iterations.der()];
                params.extend(key_length.as_ref().map(DerInt::der));
                params.extend(prf.algorithm());
                seq(&[oid(&[1, 2, 840, 113549, 1, 5, 12]), seq(&params)])
            }
            KdfSpec::Scrypt {
                n,
                r,
                p,
                key_length,
                ..
            } => {
                let mut params = vec![salt, n.der(), r.der(), p.der()];
                params.extend(key_length.as_ref().map(DerInt::der));
                seq(&[oid(&[1, 3, 6, 1, 4, 1, 11591, 4, 11]), seq(&params)])
            }
            KdfSpec::Unknown(param) => seq(&[oid(&[1, 3, 6, 1, 4, 1, 99999, 2]), param.der()]),
        };
        let cipher = seq(&[self.cipher.oid(), tlv(0x04, &self.iv())]);
        let algorithm = seq(&[oid(&[1, 2, 840, 113549, 1, 5, 13]), seq(&[kdf, cipher])]);
        let real = match &self.content {
            Content::RealKey { which, edits } if self.cheap() => self
                .pkcs5()
                .and_then(|params| encrypt(&params, &edited(fixture(*which), edits))),
            _ => None,
        };
        match real {
            // The crate's own encoding of the same parameters; ours differs only in form.
            Some(der) => der,
            None => {
                let data = match &self.content {
                    Content::Zeros(len) => vec![0; usize::from(*len % 4096)],
                    Content::Bytes(bytes) => bytes.clone(),
                    Content::RealKey { .. } => vec![0x42; 1232],
                };
                seq(&[algorithm, tlv(0x04, &data)])
            }
        }
    }
}

fn b64(bytes: &[u8], url_safe: bool, padded: bool) -> String {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    match (url_safe, padded) {
        (true, true) => URL_SAFE.encode(bytes),
        (true, false) => URL_SAFE_NO_PAD.encode(bytes),
        (false, true) => STANDARD.encode(bytes),
        (false, false) => STANDARD_NO_PAD.encode(bytes),
    }
}

fn wrapped(text: &str, width: u8, eol: &str, indent: bool) -> String {
    let width = if width == 0 {
        text.len().max(1)
    } else {
        usize::from(width)
    };
    text.as_bytes()
        .chunks(width)
        .map(|chunk| {
            format!(
                "{}{}{eol}",
                if indent { "  " } else { "" },
                String::from_utf8_lossy(chunk)
            )
        })
        .collect()
}

fn own_label(source: &DerSource) -> &'static str {
    match source {
        DerSource::Encrypted(_) => "ENCRYPTED PRIVATE KEY",
        DerSource::Fixture { which, .. } => match which {
            Fixture::BrandPkcs1 => "RSA PRIVATE KEY",
            Fixture::BrandSpki => "PUBLIC KEY",
            Fixture::BrandPkcs1Public => "RSA PUBLIC KEY",
            Fixture::ScryptPkcs8 | Fixture::Pbkdf2Pkcs8 => "ENCRYPTED PRIVATE KEY",
            _ => "PRIVATE KEY",
        },
    }
}

fn pem(der: &[u8], own: &str, layout: &PemLayout) -> Vec<u8> {
    let label = match layout.label {
        Label::Own => own,
        Label::PrivateKey => "PRIVATE KEY",
        Label::EncryptedPrivateKey => "ENCRYPTED PRIVATE KEY",
        Label::RsaPrivateKey => "RSA PRIVATE KEY",
        Label::RsaPublicKey => "RSA PUBLIC KEY",
        Label::PublicKey => "PUBLIC KEY",
        Label::Certificate => "CERTIFICATE",
        Label::OpenSshPrivateKey => "OPENSSH PRIVATE KEY",
        Label::Other => "X",
    };
    let eol = if layout.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    match layout.before {
        Before::Nothing => {}
        Before::ByteOrderMark => out.push('\u{feff}'),
        Before::BagAttributes => {
            out.push_str(&format!("Bag Attributes{eol}    localKeyID: 01{eol}"))
        }
        Before::Whitespace => out.push_str(&format!("  {eol}\t{eol}")),
    }
    out.push_str(&format!("-----BEGIN {label}-----{eol}"));
    if let Some(headers) = &layout.legacy_headers {
        let proc_type = ["4,ENCRYPTED", "4,MIC-ONLY", ""][usize::from(headers.proc_type % 3)];
        let cipher = [
            "AES-256-CBC",
            "AES-128-CBC",
            "DES-EDE3-CBC",
            "DES-CBC",
            "BF-CBC",
        ][usize::from(headers.cipher % 5)];
        let iv = "A1".repeat(usize::from(headers.iv_hex_len % 40));
        out.push_str(&format!(
            "Proc-Type: {proc_type}{eol}DEK-Info: {cipher},{iv}{eol}{eol}"
        ));
    }
    out.push_str(&wrapped(
        &b64(der, false, true),
        layout.width,
        eol,
        layout.indent,
    ));
    match layout.end {
        End::Right => out.push_str(&format!("-----END {label}-----{eol}")),
        End::Missing => {}
        End::OtherLabel => out.push_str(&format!("-----END OTHER-----{eol}")),
        End::NoNewline => out.push_str(&format!("-----END {label}-----")),
    }
    if layout.another_block {
        out.push_str(&format!(
            "-----BEGIN PUBLIC KEY-----{eol}AAAA{eol}-----END PUBLIC KEY-----{eol}"
        ));
    }
    out.into_bytes()
}

fn number(value: &JwkValue) -> serde_json::Value {
    use serde_json::Value;
    match value {
        JwkValue::Number {
            key,
            part,
            leading_zeros,
            standard_alphabet,
            padded,
            edit,
        } => {
            let numbers = &fixtures().numbers[*key as usize];
            let mut bytes = vec![0; usize::from(*leading_zeros)];
            bytes.extend_from_slice(&numbers[*part as usize]);
            let bytes = edited(&bytes, edit.as_slice());
            Value::String(b64(&bytes, !standard_alphabet, *padded))
        }
        JwkValue::Small(v) => Value::String(b64(
            &v.to_be_bytes()[v.leading_zeros() as usize / 8..],
            true,
            false,
        )),
        JwkValue::Zeros(count) => Value::String(b64(&vec![0; usize::from(*count)], true, false)),
        JwkValue::Text(text) => Value::String(text.clone()),
        JwkValue::Integer(v) => Value::from(*v),
        JwkValue::Null => Value::Null,
    }
}

fn jwk(spec: &JwkSpec) -> Vec<u8> {
    use serde_json::{Map, Value};
    let mut key = Map::new();
    match spec.kty {
        Kty::Rsa => key.insert("kty".into(), "RSA".into()),
        Kty::Ec => key.insert("kty".into(), "EC".into()),
        Kty::Oct => key.insert("kty".into(), "oct".into()),
        Kty::Missing => None,
        Kty::NotAString => key.insert("kty".into(), Value::from(1)),
    };
    for (member, value) in &spec.members {
        let name = match member {
            Member::N => "n",
            Member::E => "e",
            Member::D => "d",
            Member::P => "p",
            Member::Q => "q",
            Member::Dp => "dp",
            Member::Dq => "dq",
            Member::Qi => "qi",
            Member::Kid => "kid",
            Member::Keys => "keys",
        };
        key.insert(name.into(), number(value));
    }
    let key = Value::Object(key);
    let value = match &spec.wrap {
        JwkWrap::Key => key,
        JwkWrap::Set { before, after } => {
            let other = |i: u8| serde_json::json!({ "kty": "RSA", "kid": i.to_string() });
            let mut keys: Vec<Value> = (0..before % 3).map(other).collect();
            keys.push(key);
            keys.extend((0..after % 3).map(|i| other(i + 3)));
            serde_json::json!({ "keys": keys })
        }
        JwkWrap::Array => Value::Array(vec![key]),
    };
    value.to_string().into_bytes()
}

/// The bytes of the key file `input` describes, and whether its derivation, if any, is cheap
/// enough to be run.
fn bytes_of(input: &Input) -> (Vec<u8>, bool) {
    match input {
        Input::Jwk(spec) => (jwk(spec), true),
        Input::Der { der, encoding } => {
            let (bytes, cheap) = match der {
                DerSource::Fixture { which, edits } => (edited(fixture(*which), edits), true),
                DerSource::Encrypted(spec) => (spec.der(), spec.cheap()),
            };
            let encoded = match encoding {
                Encoding::Der => bytes,
                Encoding::Base64 {
                    url_safe,
                    width,
                    padded,
                } => wrapped(&b64(&bytes, *url_safe, *padded), *width, "\n", false).into_bytes(),
                Encoding::Pem(layout) => pem(&bytes, own_label(der), layout),
            };
            (encoded, cheap)
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (bytes, cheap) = match data.split_first() {
        Some((&STRUCTURED, rest)) => {
            match Input::arbitrary_take_rest(arbitrary::Unstructured::new(rest)) {
                Ok(input) => bytes_of(&input),
                Err(_) => return,
            }
        }
        _ => (data.to_vec(), true),
    };
    let mut passphrase = || -> Result<Passphrase, KeyError> {
        if cheap {
            Passphrase::new(Zeroizing::new(PASSPHRASE.to_vec()))
        } else {
            Err(KeyError::Passphrase("over the fuzzing budget".into()))
        }
    };
    if let Ok(key) = decode_key(&bytes, &mut passphrase) {
        let _ = key.public_info();
        let _ = key.private_pkcs8_der();
    }
});
