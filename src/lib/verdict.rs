//! The words every judgement of a token is made of, shared by the inspector (which judges) and
//! by minting's faults (which declare how they will be judged): the checks and their stable ids,
//! the layer each reads, a check's status, what iAdvize's Java stack does about it, the key a
//! skipped check needed, and the two answers of a verdict.
//!
//! This module imports nothing of the crate: judging and minting both stand on it.

use serde::Serialize;

/// The layer of the token a check reads, in the order the inspector reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    /// The text: is it a compact token at all, and of which kind.
    Token,
    /// The outer encrypted token.
    Jwe,
    /// The inner signed token.
    Jws,
    /// The claims set.
    Claims,
}

macro_rules! check_ids {
    ($($(#[$doc:meta])* $variant:ident = $name:literal in $layer:ident,)*) => {
        /// Every check, in the order the report lists them. The names are stable: scripts
        /// depend on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId {
            $($(#[$doc])* $variant,)*
        }

        impl CheckId {
            /// Every check, in report order.
            pub const ALL: &[CheckId] = &[$(CheckId::$variant,)*];

            /// The stable name, e.g. `jwe.alg`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $name,)*
                }
            }

            pub(crate) fn layer(self) -> Layer {
                match self {
                    $(CheckId::$variant => Layer::$layer,)*
                }
            }
        }
    };
}

check_ids! {
    /// The text is one compact JWE or JWS as Nimbus splits it, with no noise in what the
    /// encryption or the signature authenticates, and its header strict JSON.
    TokenFormat = "token.format" in Token,
    /// The token is encrypted (a JWE), as iAdvize needs; when the signed token alone is expected,
    /// that it is one.
    TokenEncrypted = "token.encrypted" in Token,
    /// The JWE's protected header is at most 20,000 characters, counted as Java counts them.
    JweHeaderSize = "jwe.header_size" in Jwe,
    /// The JWE's `alg` is `RSA-OAEP-256`.
    JweAlg = "jwe.alg" in Jwe,
    /// The JWE's `enc` is `A256GCM`.
    JweEnc = "jwe.enc" in Jwe,
    /// The JWE's `cty` is `JWT` (a warning when it is missing).
    JweCty = "jwe.cty" in Jwe,
    /// The JWE's header has no `crit`.
    JweCrit = "jwe.crit" in Jwe,
    /// The initialisation vector has the length its `enc` needs.
    JweIv = "jwe.iv" in Jwe,
    /// The authentication tag has its `enc`'s length: the token was not cut short.
    JweTag = "jwe.tag" in Jwe,
    /// The private key given opens the JWE, and its content can be read.
    JweDecrypt = "jwe.decrypt" in Jwe,
    /// The JWE's content is a compact JWS, its header strict JSON and at most 20,000 characters.
    JwsFormat = "jws.format" in Jws,
    /// The signed token's `alg` is `RS256`.
    JwsAlg = "jws.alg" in Jws,
    /// The signed token's header has no `crit`.
    JwsCrit = "jws.crit" in Jws,
    /// The signature verifies with the brand's key, of at least 2048 bits.
    JwsSignature = "jws.signature" in Jws,
    /// The claims are one strict JSON object, each registered claim of its registered type.
    ClaimsJson = "claims.json" in Claims,
    /// `https://iadvize.com/userId` is there: a string iAdvize takes as one person's id.
    ClaimsUserId = "claims.user_id" in Claims,
    /// `exp` is there, in seconds, and not past.
    ClaimsExp = "claims.exp" in Claims,
    /// `exp` is at most an hour after `iat` (a warning only).
    ClaimsLifetime = "claims.lifetime" in Claims,
    /// `iat`, in seconds, is not in the future.
    ClaimsIat = "claims.iat" in Claims,
    /// `nbf`, when there, is in seconds and not in the future.
    ClaimsNbf = "claims.nbf" in Claims,
    /// Custom claims carry the `https://iadvize.com/` prefix (a warning only).
    ClaimsPrefix = "claims.prefix" in Claims,
    /// `https://iadvize.com/visitorData`, when there, is an object of the string fields iAdvize
    /// documents.
    ClaimsVisitorData = "claims.visitor_data" in Claims,
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The token does what the check asks.
    Pass,
    /// Worth changing, but no documented rule is broken.
    Warn,
    /// The token breaks iAdvize's documented rules.
    Fail,
    /// Not run: a key it needs was not given, or an earlier layer could not be read.
    Skip,
}

/// What iAdvize's Java stack (Nimbus JOSE+JWT 9.x on its documented path: `JWEObject.parse`,
/// `RSADecrypter`, `toSignedJWT`, `RSASSAVerifier`, `getJWTClaimsSet`, then the user id read
/// with `getStringClaim`) does with what a check looked at. A check that passes is accepted;
/// one that was skipped is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JavaStack {
    /// The library refuses the token for this reason: it fails at iAdvize now.
    Rejects,
    /// The library lets it through (for a failed check: although iAdvize's documented rules
    /// are broken).
    Accepts,
    /// Not known: the check did not run.
    Unknown,
}

/// The key a skipped check needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeededKey {
    /// The private key the token was encrypted to (iAdvize's, or a stand-in's).
    Decryption,
    /// The brand's public key, registered at iAdvize.
    Verification,
}

/// What iAdvize's Java stack does with the token, on its documented path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Acceptance {
    /// It accepts the token.
    Accepts,
    /// It refuses the token.
    Rejects,
    /// Something that decides it was not checked (see [`Verdict::unchecked`]).
    #[default]
    Unknown,
}

/// Whether the token keeps iAdvize's documented rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rules {
    /// No check failed, and none was left unchecked.
    Pass,
    /// A check failed (other than the decryption of a token encrypted to another key).
    Fail,
    /// No check failed, but some were left unchecked for want of a key.
    #[default]
    Unknown,
}

/// Whom a token was judged for: the holder of the private key that opened it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// iAdvize's production service: the key is iAdvize's (its public half is built in).
    Production,
    /// A stand-in: any other key pair, playing iAdvize in a rehearsal.
    Standin,
    /// Nobody known: no private key given, or the one given does not open the token.
    #[default]
    Unknown,
}

/// The recipient a verdict speaks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// Who holds the key: iAdvize's production service, a stand-in, or nobody known.
    pub role: Role,
    /// The SHA-256 fingerprint of the recipient's public key, when it is known.
    pub sha256: Option<String>,
}

/// What a verdict is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The token as a page hands it to iAdvize.
    #[default]
    Token,
    /// The inner signed token (JWS) given alone, as the brand's backend signed it before
    /// encrypting: its verdict speaks of the signed token only, never of the token iAdvize
    /// receives.
    SignedToken,
}

/// A token's judgements, and what could not be checked for want of a key.
///
/// `iadvize` is what iAdvize's Java stack does holding the private key that was given (in a
/// rehearsal, the stand-in plays iAdvize): a token that key does not open is rejected there.
/// `production` is what iAdvize's production service does: a token opened by a stand-in's key
/// is encrypted to that stand-in, so production rejects it whatever else is right with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// What the verdict is about: the token iAdvize receives, or the inner signed token alone.
    pub subject: Subject,
    /// What iAdvize's Java stack does, holding the private key given.
    pub iadvize: Acceptance,
    /// What iAdvize's production service does.
    pub production: Acceptance,
    /// Whom `iadvize` speaks for: the holder of the key that opened the token.
    pub recipient: Recipient,
    /// Whether the token keeps iAdvize's documented rules.
    pub rules: Rules,
    /// The checks skipped because a key was not given, with the key each needs.
    pub unchecked: Vec<Unchecked>,
}

/// The answer a verdict gives in one word, which `inspect`'s exit status carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    /// The recipient the verdict names accepts the token, and it keeps iAdvize's rules.
    Accepted,
    /// Not known: what decides it was not checked, or the private key given does not open the
    /// token (it may be for production, or for another stand-in).
    CannotTell,
    /// The token is rejected, or breaks iAdvize's documented rules.
    Rejected,
}

impl Verdict {
    /// Whether iAdvize's JOSE library refuses the token — the recipient's, or production's for
    /// a token no key given opened — rather than the token only breaking iAdvize's documented
    /// rules.
    pub fn refused(&self) -> bool {
        let opened = self.recipient.role != Role::Unknown || self.subject == Subject::SignedToken;
        match opened {
            true => self.iadvize == Acceptance::Rejects,
            false => self.production == Acceptance::Rejects,
        }
    }

    /// The one-word answer. Of several tokens, the worst answer is the input's
    /// (`Rejected` over `CannotTell` over `Accepted`): compare with `max`.
    pub fn answer(&self) -> Answer {
        let opened = self.recipient.role != Role::Unknown || self.subject == Subject::SignedToken;
        if self.rules == Rules::Fail || (!opened && self.production == Acceptance::Rejects) {
            Answer::Rejected
        } else if opened && self.iadvize == Acceptance::Accepts && self.rules == Rules::Pass {
            Answer::Accepted
        } else {
            Answer::CannotTell
        }
    }
}

/// A check that a key would have run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Unchecked {
    /// The check skipped.
    pub check: CheckId,
    /// The key that would run it.
    pub needs: NeededKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_stable_names_in_report_order() {
        let names: Vec<&str> = CheckId::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(
            names,
            [
                "token.format",
                "token.encrypted",
                "jwe.header_size",
                "jwe.alg",
                "jwe.enc",
                "jwe.cty",
                "jwe.crit",
                "jwe.iv",
                "jwe.tag",
                "jwe.decrypt",
                "jws.format",
                "jws.alg",
                "jws.crit",
                "jws.signature",
                "claims.json",
                "claims.user_id",
                "claims.exp",
                "claims.lifetime",
                "claims.iat",
                "claims.nbf",
                "claims.prefix",
                "claims.visitor_data",
            ]
        );
        for (index, id) in CheckId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, index, "{id}: the slot index is the position");
            assert!(id.as_str().starts_with(match id.layer() {
                Layer::Token => "token.",
                Layer::Jwe => "jwe.",
                Layer::Jws => "jws.",
                Layer::Claims => "claims.",
            }));
        }
        assert_eq!(
            serde_json::to_string(&CheckId::JwsSignature).unwrap(),
            "\"jws.signature\""
        );
    }
}
