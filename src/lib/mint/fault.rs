//! Faulty tokens on purpose, for testing a page's failure path: each [`Fault`] is a defect seen
//! in real integrations, made the way the brand's backend that had it made it — a wrong
//! algorithm by really encrypting or signing with it, a wrong key with a key of nobody's,
//! padded base64 as a hand-rolled encoder writes it (the tag and signature computed over those
//! bytes). `faulty.rs` makes them; only the two text defects (`truncated`, `quoted`) edit the
//! finished text, because that is how they happen: after the token was made.
//!
//! Each fault says what it is, what the backend did, which `inspect` check catches it, and what
//! iAdvize's Java stack (Nimbus JOSE+JWT on iAdvize's documented path) does with it, citing the
//! code that decides. The test suite checks every declaration against `inspect` and against the
//! real Nimbus.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::claims::{USER_ID_CLAIM, VISITOR_DATA_CLAIM};
use crate::text::java_length;
use crate::verdict::{Acceptance, CheckId, Status};

macro_rules! faults {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A defect to put in a token on purpose. The names are stable: scripts depend on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $($(#[$doc])* $variant,)*
        }

        impl Fault {
            /// Every fault, in the order `--list-faults` shows them (layer by layer, from the
            /// claims out to the text).
            pub const ALL: &[Fault] = &[$(Fault::$variant,)*];

            /// The stable name, e.g. `jwe-rsa1_5`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)*
                }
            }
        }
    };
}

faults! {
    /// `exp` an hour in the past (`iat` an hour and the lifetime before).
    Expired = "expired",
    /// `iat` and `nbf` an hour in the future.
    NotYetValid = "not-yet-valid",
    /// `exp` in milliseconds: thousands of years ahead.
    ExpMillis = "exp-millis",
    /// No `exp`: the token never expires.
    NoExp = "no-exp",
    /// `exp` 30 days after `iat`, where iAdvize recommends a minute.
    LongLived = "long-lived",
    /// No `https://iadvize.com/userId` claim.
    NoUserId = "no-user-id",
    /// The user id is an empty string.
    EmptyUserId = "empty-user-id",
    /// The user id is 256 characters, one more than iAdvize allows.
    UserIdTooLong = "user-id-too-long",
    /// The user id in a claim named `userId`, without the iAdvize prefix.
    UnprefixedUserId = "unprefixed-user-id",
    /// The user id in `sub`, not in `https://iadvize.com/userId`.
    UserIdAsSub = "user-id-as-sub",
    /// The user id as a JSON number, not a string (the id given must be digits).
    UserIdNumber = "user-id-number",
    /// Visitor data with `zipCode` as a JSON number.
    VisitorDataNotString = "visitor-data-not-string",
    /// The inner token signed with HMAC (`HS256`) and a shared secret.
    JwsHs256 = "jws-hs256",
    /// The inner token unsecured: `alg` `none` and an empty signature.
    JwsNone = "jws-none",
    /// The inner token signed with `RS512`, not `RS256`.
    JwsRs512 = "jws-rs512",
    /// Signed with a freshly generated key, not the brand's registered one.
    WrongSigner = "wrong-signer",
    /// A signature over other bytes than the payload sent.
    BadSignature = "bad-signature",
    /// The claims encrypted without being signed.
    Unsigned = "unsigned",
    /// The content key wrapped with `RSA-OAEP` (SHA-1), not `RSA-OAEP-256`.
    JweRsaOaep = "jwe-rsa-oaep",
    /// The content key wrapped with `RSA1_5` (PKCS#1 v1.5), not `RSA-OAEP-256`.
    JweRsa1_5 = "jwe-rsa1_5",
    /// The content encrypted with `A128GCM`, not `A256GCM`.
    JweA128Gcm = "jwe-a128gcm",
    /// The content encrypted with `A256CBC-HS512`, not `A256GCM`.
    JweA256CbcHs512 = "jwe-a256cbc-hs512",
    /// No `cty` in the JWE's header.
    NoCty = "no-cty",
    /// Encrypted to a freshly generated key, not to iAdvize's (or the stand-in's).
    WrongRecipient = "wrong-recipient",
    /// The signed token alone, not encrypted.
    PlainJws = "plain-jws",
    /// The JWE encrypted again: its content is a JWE, not the signed token.
    DoubleEncrypted = "double-encrypted",
    /// The JWE in JSON serialisation (a JSON object), not compact.
    JsonSerialized = "json-serialized",
    /// Every part in base64url with `=` padding, the tag and the signature computed over those
    /// bytes.
    PaddedBase64 = "padded-base64",
    /// The first half of the token's text: cut short.
    Truncated = "truncated",
    /// The token wrapped in double quotes.
    Quoted = "quoted",
}

/// How long `expired` is past its expiry, and how far ahead `not-yet-valid`'s clock runs.
const HOUR: i64 = 3600;
/// The lifetime of `long-lived`: a month.
const LONG_LIFETIME: i64 = 30 * 86_400;
/// The zip code `visitor-data-not-string` sends as a number when the row has none.
const ZIP_CODE: u64 = 44000;

/// What a fault is, for `--list-faults` and its `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaultInfo {
    /// The fault's stable name (`jwe-rsa1_5`).
    pub name: &'static str,
    /// What is wrong with the token.
    pub what: &'static str,
    /// What a brand's backend did to produce it.
    pub backend: &'static str,
    /// The `inspect` check that catches it.
    pub check: CheckId,
    /// That check's status on such a token: `fail`, or `warn` for a defect iAdvize only
    /// advises against.
    pub status: Status,
    /// The other checks such a token does not pass (fail or warn), when the defect shows in
    /// more than one place: a clock ahead puts both `iat` and `nbf` in the future.
    pub also: &'static [CheckId],
    /// What iAdvize's Java stack does with the token: `accepts` or `rejects`.
    pub iadvize: Acceptance,
    /// The Nimbus JOSE+JWT code that decides it (class and method), and how.
    nimbus: &'static str,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Fault {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Which part of the token a fault changes: two faults of one group cannot be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Times,
    UserId,
    VisitorData,
    Signature,
    KeyManagement,
    ContentEncryption,
    ContentType,
    Recipient,
    Layers,
    Serialisation,
    Text,
}

impl Group {
    /// Why two faults of this group cannot be combined.
    fn why(self) -> &'static str {
        match self {
            Group::Times => "both set the token's times",
            Group::UserId => "both change the user id",
            Group::VisitorData => "both change the visitor data",
            Group::Signature => "both change how the claims are signed",
            Group::KeyManagement => "both set the JWE's alg",
            Group::ContentEncryption => "both set the JWE's enc",
            Group::ContentType => "both set the JWE's cty",
            Group::Recipient => "both change the recipient",
            Group::Layers => "both change how the token is encrypted",
            Group::Serialisation => "both change how the token is serialised",
            Group::Text => "both change the finished text; give one",
        }
    }
}

/// Why a set of faults cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// No fault has this name.
    #[error("{name:?} is not a fault")]
    Unknown {
        /// The name given.
        name: String,
    },
    /// Two faults that change the same part of the token.
    #[error("faults {first} and {second} cannot be combined: {why}")]
    Conflict {
        /// The first fault asked for.
        first: Fault,
        /// The one it conflicts with.
        second: Fault,
        /// Why, in words (`both set the JWE's alg`).
        why: &'static str,
    },
    /// A fault of the encrypted token, asked for when only the signed token is minted.
    #[error(
        "fault {fault} is about the encrypted token, and only the signed one is minted: drop the \
         request to sign only"
    )]
    NeedsEncryption {
        /// The fault.
        fault: Fault,
    },
    /// A fault that sets a claim also given as an extra claim.
    #[error("fault {fault} sets claim {claim:?}, which is also given as an extra claim: drop one")]
    ClaimTaken {
        /// The fault.
        fault: Fault,
        /// The claim.
        claim: &'static str,
    },
    /// `user-id-number` for a user id that is not all digits.
    #[error(
        "fault user-id-number sends the user id as a JSON number, so it must be digits that a \
         number keeps as they are: no leading zero, at most 18446744073709551615 (e.g. 8812), \
         not {id:?}"
    )]
    NotANumber {
        /// The user id.
        id: String,
    },
}

impl Fault {
    /// The fault of this name.
    pub fn from_name(name: &str) -> Result<Fault, FaultError> {
        Fault::ALL
            .iter()
            .copied()
            .find(|fault| fault.as_str() == name)
            .ok_or_else(|| FaultError::Unknown { name: name.into() })
    }

    fn group(self) -> Group {
        use Fault::*;
        match self {
            Expired | NotYetValid | ExpMillis | NoExp | LongLived => Group::Times,
            NoUserId | EmptyUserId | UserIdTooLong | UnprefixedUserId | UserIdAsSub
            | UserIdNumber => Group::UserId,
            VisitorDataNotString => Group::VisitorData,
            JwsHs256 | JwsNone | JwsRs512 | WrongSigner | BadSignature | Unsigned => {
                Group::Signature
            }
            JweRsaOaep | JweRsa1_5 => Group::KeyManagement,
            JweA128Gcm | JweA256CbcHs512 => Group::ContentEncryption,
            NoCty => Group::ContentType,
            WrongRecipient => Group::Recipient,
            PlainJws | DoubleEncrypted => Group::Layers,
            JsonSerialized | PaddedBase64 => Group::Serialisation,
            Truncated | Quoted => Group::Text,
        }
    }

    /// Whether the fault is about the JWE, so that it needs one.
    fn needs_encryption(self) -> bool {
        matches!(
            self.group(),
            Group::KeyManagement
                | Group::ContentEncryption
                | Group::ContentType
                | Group::Recipient
                | Group::Layers
        ) || self == Fault::Unsigned
    }

    /// Whether the token carries the brand-signed JWS unencrypted: whoever receives it can
    /// encrypt it to iAdvize's key and hold a token iAdvize accepts, for the user id it names.
    pub(crate) fn exposes_signed_token(self) -> bool {
        self == Fault::PlainJws
    }

    /// What the fault is, what made it, what catches it and what iAdvize does with it.
    pub fn info(self) -> FaultInfo {
        use Acceptance::{Accepts, Rejects};
        use CheckId as C;
        use Fault::*;
        let (what, backend, check, status, iadvize, nimbus): (
            &'static str,
            &'static str,
            CheckId,
            Status,
            Acceptance,
            &'static str,
        ) = match self {
            Expired => (
                "exp is an hour in the past (iat an hour and the lifetime before)",
                "served a token from a cache, or minted it long before the page used it",
                C::ClaimsExp,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.parse reads exp as a date; nothing on the path compares it with \
                 the clock (only DefaultJWTClaimsVerifier.verify would)",
            ),
            NotYetValid => (
                "iat and nbf an hour in the future",
                "ran on a server whose clock is an hour ahead (no NTP, or a time zone added to \
                 UTC seconds)",
                C::ClaimsNbf,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.parse reads nbf and iat as dates; nothing on the path compares \
                 them with the clock (only DefaultJWTClaimsVerifier.verify would)",
            ),
            ExpMillis => (
                "exp in milliseconds: thousands of years ahead",
                "wrote exp as JavaScript's Date.now() + 60000 (milliseconds, not seconds)",
                C::ClaimsExp,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.parse takes exp as seconds (JSONObjectUtils.getLong, times \
                 1000): a date in a far future, never compared",
            ),
            NoExp => (
                "no exp claim: the token never expires",
                "built the claims by hand and left out the lifetime",
                C::ClaimsExp,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.parse: exp is optional, and nothing on the path requires it",
            ),
            LongLived => (
                "exp 30 days after iat, where iAdvize recommends a minute",
                "set a long lifetime to avoid minting a token per page view",
                C::ClaimsLifetime,
                Status::Warn,
                Accepts,
                "JWTClaimsSet.parse reads exp; nothing on the path limits the lifetime",
            ),
            NoUserId => (
                "no https://iadvize.com/userId claim",
                "forgot the user id claim, or set it under another condition",
                C::ClaimsUserId,
                Status::Fail,
                Rejects,
                "JWTClaimsSet.getStringClaim(\"https://iadvize.com/userId\") returns null: no \
                 user to authenticate",
            ),
            EmptyUserId => (
                "the user id is an empty string",
                "read the user id from a session that had none (a logged-out visitor)",
                C::ClaimsUserId,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.getStringClaim returns \"\": the library does not look at the \
                 value",
            ),
            UserIdTooLong => (
                "the user id is 256 characters, one more than iAdvize allows",
                "made the id by joining several fields (tenant, e-mail, a hash)",
                C::ClaimsUserId,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.getStringClaim returns it whatever its length: the 255 limit is \
                 iAdvize's application rule",
            ),
            UnprefixedUserId => (
                "the user id is in a claim named userId, without the https://iadvize.com/ \
                 prefix",
                "named the claim as the documentation's prose does, not as its example",
                C::ClaimsUserId,
                Status::Fail,
                Rejects,
                "JWTClaimsSet.getStringClaim(\"https://iadvize.com/userId\") returns null: \
                 userId is another claim",
            ),
            UserIdAsSub => (
                "the user id is in sub, not in https://iadvize.com/userId",
                "used a JWT library's subject setter, as for other identity providers",
                C::ClaimsUserId,
                Status::Fail,
                Rejects,
                "JWTClaimsSet.getStringClaim(\"https://iadvize.com/userId\") returns null: the \
                 library does not fall back to sub",
            ),
            UserIdNumber => (
                "the user id is a JSON number (8812), not a string; the id given must be digits",
                "put the database's numeric id into the claims without converting it",
                C::ClaimsUserId,
                Status::Fail,
                Rejects,
                "JWTClaimsSet.getStringClaim throws ParseException: the claim is not a String \
                 (iAdvize reads the user id as a string)",
            ),
            VisitorDataNotString => (
                "visitor data with zipCode as a JSON number",
                "copied a numeric database column into the visitor data",
                C::ClaimsVisitorData,
                Status::Fail,
                Accepts,
                "JWTClaimsSet.parse keeps visitorData as a map without looking at its values: \
                 the types are iAdvize's application rule",
            ),
            JwsHs256 => (
                "the inner token is signed with HMAC (HS256) and a shared secret",
                "signed with a JWT library's default HS256 and a secret, as for its own sessions",
                C::JwsAlg,
                Status::Fail,
                Rejects,
                "RSASSAVerifier.verify (RSASSA.getSignerAndVerifier) throws JOSEException: \
                 unsupported JWS algorithm HS256",
            ),
            JwsNone => (
                "the inner token is unsecured: alg none and an empty signature",
                "turned signing off while debugging and shipped it",
                C::JwsAlg,
                Status::Fail,
                Rejects,
                "Payload.toSignedJWT returns null: SignedJWT.parse (JWSHeader.parse) refuses alg \
                 none as not a JWS header",
            ),
            JwsRs512 => (
                "the inner token is signed with RS512, not RS256",
                "picked the strongest RSA signature the library offers",
                C::JwsAlg,
                Status::Fail,
                Accepts,
                "RSASSAVerifier.verify supports every RSA signature (RSASSAProvider's \
                 SUPPORTED_ALGORITHMS): RS512 verifies",
            ),
            WrongSigner => (
                "signed with a freshly generated key, not the brand's registered one",
                "signed with a test key, or a new key never sent to iAdvize",
                C::JwsSignature,
                Status::Fail,
                Rejects,
                "RSASSAVerifier.verify returns false (java.security.Signature.verify)",
            ),
            BadSignature => (
                "the signature covers other bytes than the payload sent",
                "signed one serialisation of the claims and sent another (pretty-printed, or \
                 re-encoded by a framework)",
                C::JwsSignature,
                Status::Fail,
                Rejects,
                "RSASSAVerifier.verify returns false: it verifies over the signing input as \
                 received (JWSObject.getSigningInput)",
            ),
            Unsigned => (
                "the claims JSON encrypted without being signed",
                "skipped the signing step: encrypted the claims set itself",
                C::JwsFormat,
                Status::Fail,
                Rejects,
                "Payload.toSignedJWT returns null: SignedJWT.parse finds no compact JWS",
            ),
            JweRsaOaep => (
                "the JWE's key is wrapped with RSA-OAEP (SHA-1), not RSA-OAEP-256",
                "used the JOSE library's default RSA-OAEP",
                C::JweAlg,
                Status::Fail,
                Accepts,
                "RSADecrypter.decrypt supports RSA-OAEP (RSACryptoProvider's \
                 SUPPORTED_ALGORITHMS)",
            ),
            JweRsa1_5 => (
                "the JWE's key is wrapped with RSA1_5 (PKCS#1 v1.5), not RSA-OAEP-256",
                "followed an old tutorial's RSA1_5",
                C::JweAlg,
                Status::Fail,
                Accepts,
                "RSADecrypter.decrypt supports RSA1_5 (RSACryptoProvider's SUPPORTED_ALGORITHMS)",
            ),
            JweA128Gcm => (
                "the JWE's content is encrypted with A128GCM, not A256GCM",
                "used the JOSE library's default content encryption",
                C::JweEnc,
                Status::Fail,
                Accepts,
                "RSADecrypter.decrypt (ContentCryptoProvider.decrypt) supports every registered \
                 enc",
            ),
            JweA256CbcHs512 => (
                "the JWE's content is encrypted with A256CBC-HS512, not A256GCM",
                "picked AES-CBC with HMAC, as another integration needed",
                C::JweEnc,
                Status::Fail,
                Accepts,
                "RSADecrypter.decrypt (ContentCryptoProvider.decrypt) supports every registered \
                 enc",
            ),
            NoCty => (
                "the JWE header has no cty",
                "left out the content type RFC 7519 recommends for a nested token",
                C::JweCty,
                Status::Warn,
                Accepts,
                "JWEObject.getPayload().toSignedJWT parses the content whatever cty says",
            ),
            WrongRecipient => (
                "encrypted to a freshly generated key, not iAdvize's",
                "encrypted to a test key in production, or to the brand's own key",
                C::JweDecrypt,
                Status::Fail,
                Rejects,
                "RSADecrypter.decrypt (RSA_OAEP_SHA2.decryptCEK) throws JOSEException: the \
                 content key does not unwrap (padding error in decryption)",
            ),
            PlainJws => (
                "the signed token alone, not encrypted",
                "skipped the encryption step",
                C::TokenEncrypted,
                Status::Fail,
                Rejects,
                "JWEObject.parse throws ParseException: three parts where a JWE has five",
            ),
            DoubleEncrypted => (
                "the JWE encrypted again: its content is a JWE, not the signed token",
                "called the encryption step twice (once in a helper, once in the caller)",
                C::JwsFormat,
                Status::Fail,
                Rejects,
                "Payload.toSignedJWT returns null: SignedJWT.parse finds five parts where a JWS \
                 has three",
            ),
            JsonSerialized => (
                "the token in JWE JSON serialisation (a JSON object), not compact",
                "called the JOSE library's JSON serialisation (some libraries' default)",
                C::TokenFormat,
                Status::Fail,
                Rejects,
                "JWEObject.parse throws ParseException: JOSEObject.split finds no dot-separated \
                 parts",
            ),
            PaddedBase64 => (
                "every part base64url with '=' padding; the tag and signature computed over \
                 those bytes",
                "encoded the parts with a hand-rolled base64url that keeps the padding",
                C::TokenFormat,
                Status::Warn,
                Accepts,
                "Base64URL.decode skips the padding, and the AAD (AAD.compute) and signing input \
                 (JWSObject.getSigningInput) use the parts as received",
            ),
            Truncated => (
                "the first half of the token's text: cut short",
                "stored the token in a column too short for it, or logged a cut copy",
                C::TokenFormat,
                Status::Fail,
                Rejects,
                "JWEObject.parse (JOSEObject.split) throws ParseException: a part delimiter is \
                 missing",
            ),
            Quoted => (
                "the token wrapped in double quotes",
                "returned JSON.stringify(token), or a JSON string, where the bare text was due",
                C::TokenFormat,
                Status::Fail,
                Rejects,
                "RSADecrypter.decrypt (AESGCM.decrypt) throws JOSEException, tag mismatch: the \
                 quote is part of the header text the tag covers (AAD.compute)",
            ),
        };
        FaultInfo {
            name: self.as_str(),
            what,
            backend,
            check,
            status,
            also: self.also_caught_by(),
            iadvize,
            nimbus,
        }
    }

    /// The checks besides [`FaultInfo::check`] that a token with this fault does not pass.
    fn also_caught_by(self) -> &'static [CheckId] {
        match self {
            Fault::NotYetValid => &[CheckId::ClaimsIat],
            // The user id is missing where iAdvize reads it, and a claim named like it lacks
            // the prefix (a warning, whatever the fault's own check says).
            Fault::UnprefixedUserId => &[CheckId::ClaimsPrefix],
            // No RS256 signature to verify.
            Fault::JwsHs256 | Fault::JwsNone => &[CheckId::JwsSignature],
            _ => &[],
        }
    }
}

/// A checked set of faults, in [`Fault::ALL`] order, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Faults(Vec<Fault>);

impl Faults {
    /// Checks that `faults` combine: at most one per part of the token, none about the JWE when
    /// nothing is `encrypted`, no claim given twice.
    pub(super) fn new(
        faults: &[Fault],
        encrypted: bool,
        extra_claims: &Map<String, Value>,
    ) -> Result<Self, FaultError> {
        let mut list = faults.to_vec();
        list.sort_unstable();
        list.dedup();
        for (i, &first) in list.iter().enumerate() {
            for &second in &list[i + 1..] {
                let why = if first.group() == second.group() {
                    Some(first.group().why())
                } else if second == Fault::PlainJws && first.needs_encryption() {
                    Some("plain-jws makes no JWE for the other to change")
                } else {
                    None
                };
                if let Some(why) = why {
                    return Err(FaultError::Conflict { first, second, why });
                }
            }
            if !encrypted && first.needs_encryption() {
                return Err(FaultError::NeedsEncryption { fault: first });
            }
            let claim = match first {
                Fault::UnprefixedUserId => Some("userId"),
                Fault::UserIdAsSub => Some("sub"),
                Fault::NotYetValid => Some("nbf"),
                _ => None,
            };
            if let Some(claim) = claim.filter(|claim| extra_claims.contains_key(*claim)) {
                return Err(FaultError::ClaimTaken {
                    fault: first,
                    claim,
                });
            }
        }
        Ok(Faults(list))
    }

    pub(super) fn list(&self) -> &[Fault] {
        &self.0
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }

    /// Checks what a fault needs of a user: a numeric id for `user-id-number`.
    pub(super) fn check_user_id(&self, id: &str) -> Result<(), FaultError> {
        if self.has(Fault::UserIdNumber) && numeric_id(id).is_none() {
            return Err(FaultError::NotANumber { id: id.into() });
        }
        Ok(())
    }

    /// Puts the claims faults into honest claims issued at `issued_at` for `ttl` seconds.
    pub(super) fn apply_to_claims(
        &self,
        claims: &mut Map<String, Value>,
        issued_at: i64,
        ttl: i64,
    ) {
        let mut set = |name: &str, value: i64| {
            claims.insert(name.into(), Value::from(value));
        };
        for fault in &self.0 {
            match fault {
                Fault::Expired => {
                    let exp = issued_at.saturating_sub(HOUR);
                    set("iat", exp.saturating_sub(ttl));
                    set("exp", exp);
                }
                Fault::NotYetValid => {
                    let iat = issued_at.saturating_add(HOUR);
                    set("iat", iat);
                    set("exp", iat.saturating_add(ttl));
                    set("nbf", iat);
                }
                Fault::ExpMillis => set("exp", issued_at.saturating_add(ttl).saturating_mul(1000)),
                Fault::LongLived => set("exp", issued_at.saturating_add(LONG_LIFETIME)),
                _ => {}
            }
        }
        for fault in &self.0 {
            match fault {
                Fault::NoExp => {
                    claims.shift_remove("exp");
                }
                Fault::NoUserId => {
                    claims.shift_remove(USER_ID_CLAIM);
                }
                Fault::EmptyUserId => {
                    claims.insert(USER_ID_CLAIM.into(), Value::String(String::new()));
                }
                Fault::UserIdTooLong => {
                    if let Some(Value::String(id)) = claims.get_mut(USER_ID_CLAIM) {
                        while java_length(id) < 256 {
                            id.push('x');
                        }
                    }
                }
                Fault::UnprefixedUserId => rename(claims, USER_ID_CLAIM, "userId"),
                Fault::UserIdAsSub => rename(claims, USER_ID_CLAIM, "sub"),
                Fault::UserIdNumber => {
                    let number = claims
                        .get(USER_ID_CLAIM)
                        .and_then(Value::as_str)
                        .and_then(numeric_id);
                    if let Some(number) = number {
                        claims.insert(USER_ID_CLAIM.into(), Value::from(number));
                    }
                }
                Fault::VisitorDataNotString => {
                    let data = claims
                        .entry(VISITOR_DATA_CLAIM)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(fields) = data {
                        let zip = fields
                            .get("zipCode")
                            .and_then(Value::as_str)
                            .and_then(|zip| zip.parse::<u64>().ok())
                            .unwrap_or(ZIP_CODE);
                        fields.insert("zipCode".into(), Value::from(zip));
                    }
                }
                _ => {}
            }
        }
    }
}

/// The user id as the number `user-id-number` sends, when that number writes it back as it is:
/// digits, no leading zero (`0012` would come back as `12`), within 64 bits.
fn numeric_id(id: &str) -> Option<u64> {
    let kept = id.bytes().all(|b| b.is_ascii_digit()) && (id == "0" || !id.starts_with('0'));
    kept.then(|| id.parse().ok()).flatten()
}

/// Renames claim `from` to `to`, where it was.
fn rename(claims: &mut Map<String, Value>, from: &str, to: &str) {
    *claims = std::mem::take(claims)
        .into_iter()
        .map(|(name, value)| match name == from {
            true => (to.to_string(), value),
            false => (name, value),
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_kebab_case_and_round_trip() {
        assert_eq!(Fault::ALL.len(), 30);
        for fault in Fault::ALL {
            let name = fault.as_str();
            assert_eq!(Fault::from_name(name), Ok(*fault));
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b)),
                "{name}"
            );
            assert_eq!(fault.info().name, name);
        }
        assert!(matches!(
            Fault::from_name("Expired"),
            Err(FaultError::Unknown { .. })
        ));
    }

    #[test]
    fn faults_of_one_part_of_the_token_do_not_combine() {
        let none = Map::new();
        let check = |faults: &[Fault]| Faults::new(faults, true, &none);
        assert!(check(&[Fault::Expired, Fault::JweRsaOaep, Fault::Quoted]).is_ok());
        assert_eq!(
            check(&[Fault::NoExp, Fault::Expired]),
            Err(FaultError::Conflict {
                first: Fault::Expired,
                second: Fault::NoExp,
                why: "both set the token's times"
            })
        );
        assert!(check(&[Fault::PlainJws, Fault::NoCty]).is_err());
        assert!(check(&[Fault::PlainJws, Fault::Unsigned]).is_err());
        assert!(check(&[Fault::PlainJws, Fault::JwsHs256]).is_ok());
        assert!(check(&[Fault::PaddedBase64, Fault::JsonSerialized]).is_err());
        assert_eq!(
            Faults::new(&[Fault::NoCty], false, &none),
            Err(FaultError::NeedsEncryption {
                fault: Fault::NoCty
            })
        );
        let mut sub = Map::new();
        sub.insert("sub".into(), "x".into());
        assert!(Faults::new(&[Fault::UserIdAsSub], true, &sub).is_err());
        let twice = check(&[Fault::Quoted, Fault::Quoted]).unwrap();
        assert_eq!(twice.list(), [Fault::Quoted]);
    }

    #[test]
    fn claims_faults_change_only_what_they_say() {
        let honest = || {
            let mut claims = Map::new();
            claims.insert(USER_ID_CLAIM.into(), "8812".into());
            claims.insert("iat".into(), 1000.into());
            claims.insert("exp".into(), 1060.into());
            claims
        };
        let faulty = |fault: Fault| {
            let mut claims = honest();
            Faults::new(&[fault], true, &Map::new())
                .unwrap()
                .apply_to_claims(&mut claims, 1000, 60);
            serde_json::to_string(&claims).unwrap()
        };
        let id = r#""https://iadvize.com/userId":"8812""#;
        assert_eq!(
            faulty(Fault::Expired),
            format!(r#"{{{id},"iat":-2660,"exp":-2600}}"#)
        );
        assert_eq!(
            faulty(Fault::NotYetValid),
            format!(r#"{{{id},"iat":4600,"exp":4660,"nbf":4600}}"#)
        );
        assert_eq!(
            faulty(Fault::ExpMillis),
            format!(r#"{{{id},"iat":1000,"exp":1060000}}"#)
        );
        assert_eq!(faulty(Fault::NoExp), format!(r#"{{{id},"iat":1000}}"#));
        assert_eq!(
            faulty(Fault::UnprefixedUserId),
            r#"{"userId":"8812","iat":1000,"exp":1060}"#
        );
        assert_eq!(
            faulty(Fault::UserIdNumber),
            r#"{"https://iadvize.com/userId":8812,"iat":1000,"exp":1060}"#
        );
        let long = faulty(Fault::UserIdTooLong);
        let claims: Map<String, Value> = serde_json::from_str(&long).unwrap();
        assert_eq!(java_length(claims[USER_ID_CLAIM].as_str().unwrap()), 256);
        assert!(faulty(Fault::VisitorDataNotString).contains(r#"{"zipCode":44000}"#));
        let faults = Faults::new(&[Fault::UserIdNumber], true, &Map::new()).unwrap();
        assert!(faults.check_user_id("8812").is_ok());
        assert!(faults.check_user_id("c-1").is_err());
        assert!(faults.check_user_id("+1").is_err());
    }
}
