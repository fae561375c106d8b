//! A check's result, and the collector that makes sure every check is reported exactly once.

use serde::Serialize;

use crate::verdict::{CheckId, JavaStack, Layer, NeededKey, Status};

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
        self.judged(id, Status::Pass, message, None, JavaStack::Accepts);
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
                java_stack: JavaStack::Unknown,
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
