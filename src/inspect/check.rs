//! The checks: typed ids with stable names, their outcomes, and the collector that makes sure
//! every check is reported exactly once.

use serde::Serialize;

/// The layer of the token a check reads, in the order the inspector reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layer {
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

            pub(super) fn layer(self) -> Layer {
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

/// What iAdvize's Java stack (Nimbus JOSE+JWT on its documented decrypt-then-verify path)
/// does with a token that has this problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum JavaStack {
    /// The library refuses the token for this reason: it fails at iAdvize now.
    #[serde(rename = "rejects")]
    Rejects,
    /// The library lets it through although iAdvize's rules are broken: it works by accident.
    #[serde(rename = "accepts")]
    Accepts,
    /// Not a question for the library (a pass, a skip, or a rule only iAdvize's application
    /// enforces).
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl JavaStack {
    /// The report's words for it.
    pub fn describe(self) -> Option<&'static str> {
        match self {
            JavaStack::Rejects => Some("iAdvize's Java library rejects this: it fails now"),
            JavaStack::Accepts => Some(
                "iAdvize's Java library lets this through today: it works by accident, fix it before it breaks",
            ),
            JavaStack::NotApplicable => None,
        }
    }
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

/// One check's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    pub message: String,
    /// What to change; `null` when there is nothing to change.
    pub hint: Option<String>,
    pub java_stack: JavaStack,
    /// For a check skipped because a key was not given: which key would run it.
    #[serde(skip)]
    pub needs: Option<NeededKey>,
}

/// The checks as they are filled in; anything left unset is reported as skipped.
#[derive(Debug)]
pub(super) struct Checks {
    slots: Vec<Option<Check>>,
}

impl Checks {
    pub(super) fn new() -> Self {
        Checks {
            slots: vec![None; CheckId::ALL.len()],
        }
    }

    fn set(&mut self, check: Check) {
        let index = check.id as usize;
        self.slots[index] = Some(check);
    }

    fn judged(
        &mut self,
        id: CheckId,
        status: Status,
        message: impl Into<String>,
        hint: Option<String>,
        java_stack: JavaStack,
    ) {
        self.set(Check {
            id,
            status,
            message: message.into(),
            hint,
            java_stack,
            needs: None,
        });
    }

    pub(super) fn pass(&mut self, id: CheckId, message: impl Into<String>) {
        self.judged(id, Status::Pass, message, None, JavaStack::NotApplicable);
    }

    pub(super) fn fail(
        &mut self,
        id: CheckId,
        message: impl Into<String>,
        hint: impl Into<String>,
        java: JavaStack,
    ) {
        self.judged(id, Status::Fail, message, Some(hint.into()), java);
    }

    pub(super) fn warn(
        &mut self,
        id: CheckId,
        message: impl Into<String>,
        hint: impl Into<String>,
        java: JavaStack,
    ) {
        self.judged(id, Status::Warn, message, Some(hint.into()), java);
    }

    /// Marks `id` as skipped, saying why, unless it is already set.
    pub(super) fn skip(&mut self, id: CheckId, reason: &str) {
        self.skip_for(id, reason, None);
    }

    /// Marks `id` as skipped for want of a key, unless it is already set.
    pub(super) fn skip_needing(&mut self, id: CheckId, reason: &str, key: NeededKey) {
        self.skip_for(id, reason, Some(key));
    }

    fn skip_for(&mut self, id: CheckId, reason: &str, needs: Option<NeededKey>) {
        if self.slots[id as usize].is_none() {
            self.set(Check {
                id,
                status: Status::Skip,
                message: reason.to_string(),
                hint: None,
                java_stack: JavaStack::NotApplicable,
                needs,
            });
        }
    }

    /// Marks every unset check of `layer` as skipped, saying why.
    pub(super) fn skip_layer(&mut self, layer: Layer, reason: &str) {
        self.skip_layer_for(layer, reason, None);
    }

    /// Marks every unset check of `layer` as skipped for want of `key`.
    pub(super) fn skip_layer_needing(&mut self, layer: Layer, reason: &str, key: NeededKey) {
        self.skip_layer_for(layer, reason, Some(key));
    }

    fn skip_layer_for(&mut self, layer: Layer, reason: &str, needs: Option<NeededKey>) {
        for id in CheckId::ALL.iter().filter(|id| id.layer() == layer) {
            self.skip_for(*id, reason, needs);
        }
    }

    /// Every check in report order, those never reached marked so.
    pub(super) fn finish(mut self) -> Vec<Check> {
        for id in CheckId::ALL {
            self.skip(*id, "not reached");
        }
        self.slots.into_iter().flatten().collect()
    }
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

    #[test]
    fn every_check_is_reported_once_and_the_first_word_stands() {
        let mut checks = Checks::new();
        checks.fail(CheckId::JweAlg, "bad", "fix", JavaStack::Rejects);
        checks.skip_layer(Layer::Jwe, "later");
        checks.skip_layer_needing(Layer::Claims, "no key", NeededKey::Decryption);
        let all = checks.finish();
        assert_eq!(all.len(), CheckId::ALL.len());
        let alg = &all[CheckId::JweAlg as usize];
        assert_eq!((alg.status, alg.message.as_str()), (Status::Fail, "bad"));
        assert_eq!(all[CheckId::JweIv as usize].message, "later");
        assert_eq!(
            all[CheckId::ClaimsExp as usize].needs,
            Some(NeededKey::Decryption)
        );
        assert_eq!(all[CheckId::TokenFormat as usize].message, "not reached");
    }
}
