//! The words every judgement of a token is made of, shared by the inspector (which judges) and
//! by minting's faults (which declare how they will be judged): the checks and their stable ids,
//! the layer each reads, a check's status, what iAdvize's Java stack does about it, the key a
//! skipped check needed, and the two answers of a verdict.
//!
//! This module imports nothing of the crate: judging and minting both stand on it.

use serde::Serialize;

/// The layer of the token a check reads, in the order the inspector reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
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
    ($($variant:ident = $name:literal in $layer:ident,)*) => {
        /// Every check, in the order the report lists them. The names are stable: scripts
        /// depend on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId {
            $($variant,)*
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

            pub fn layer(self) -> Layer {
                match self {
                    $(CheckId::$variant => Layer::$layer,)*
                }
            }
        }
    };
}

check_ids! {
    TokenFormat = "token.format" in Token,
    TokenEncrypted = "token.encrypted" in Token,
    JweHeaderSize = "jwe.header_size" in Jwe,
    JweAlg = "jwe.alg" in Jwe,
    JweEnc = "jwe.enc" in Jwe,
    JweCty = "jwe.cty" in Jwe,
    JweCrit = "jwe.crit" in Jwe,
    JweIv = "jwe.iv" in Jwe,
    JweTag = "jwe.tag" in Jwe,
    JweDecrypt = "jwe.decrypt" in Jwe,
    JwsFormat = "jws.format" in Jws,
    JwsAlg = "jws.alg" in Jws,
    JwsCrit = "jws.crit" in Jws,
    JwsSignature = "jws.signature" in Jws,
    ClaimsJson = "claims.json" in Claims,
    ClaimsUserId = "claims.user_id" in Claims,
    ClaimsExp = "claims.exp" in Claims,
    ClaimsLifetime = "claims.lifetime" in Claims,
    ClaimsIat = "claims.iat" in Claims,
    ClaimsNbf = "claims.nbf" in Claims,
    ClaimsPrefix = "claims.prefix" in Claims,
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
    Pass,
    Warn,
    Fail,
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
    Accepts,
    Rejects,
    /// Something that decides it was not checked (see [`Verdict::unchecked`]).
    #[default]
    Unknown,
}

/// Whether the token keeps iAdvize's documented rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rules {
    Pass,
    Fail,
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
    pub subject: Subject,
    pub iadvize: Acceptance,
    pub production: Acceptance,
    pub recipient: Recipient,
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
    pub check: CheckId,
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
