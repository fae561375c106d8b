//! Every call `serve` makes into the library's minting and judging, in one place. The handlers
//! parse requests and map results to HTTP; the rules are the library's: a [`Plan`] mints as
//! `mint` does, and `inspect`'s report and verdict judge as `inspect` does.

use iadvize_auth::claims::{self, USER_ID_CLAIM, VisitorData};
use iadvize_auth::inspect::{self, Names, Options};
use iadvize_auth::keys::{KeyError, LoadedKey, Passphrase, decode_key};
use iadvize_auth::verdict::Rules;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use iadvize_auth::mint::{Fault, MintError, Notice, Plan, Recipient, Request, User};
use serde_json::{Map, Value, json};

/// How the report names the keys: `serve` takes them as flags, or makes the stand-in's.
const NAMES: Names<'static> = Names {
    decrypt_key: "the stand-in's private key",
    verify_key: "the brand's key (--key)",
    expect_jws: "an expectation of a signed token",
};

/// What a handler needs to answer a refused request (400) or a failure of its own (500).
#[derive(Debug)]
pub enum EngineError {
    /// The request breaks a rule: the message says which, naming the member.
    Refused(String),
    /// The server could not do its job (a JOSE failure): not the caller's fault.
    Failed(String),
}

/// A token, and the library's warning about its user id (a placeholder id, for instance).
#[derive(Debug)]
pub struct Minted {
    pub token: String,
    pub warning: Option<String>,
}

/// The library's judgement of a token.
#[derive(Debug)]
pub struct Judged {
    /// No check failed, and nothing was left unchecked.
    pub ok: bool,
    /// The user id found inside, when the token could be opened.
    pub user_id: Option<String>,
    /// The `inspect --json` report, without the inner signed token (see [`Engine::judge`]).
    pub report: Value,
    /// The report's verdict: what iAdvize's Java stack does, whether the rules are kept.
    pub verdict: Value,
}

/// The plan and keys of one `serve` run, built once and shared by every request.
#[derive(Debug)]
pub struct Engine {
    plan: Plan,
    /// What a plan is made of, for the plans of `fault=KIND` requests.
    signing: LoadedKey,
    recipient: Option<LoadedKey>,
    ttl: u64,
    /// The plans made for faults, by the faults asked for (a few at most: QA asks for kinds).
    faulty: Mutex<HashMap<Vec<Fault>, Arc<Plan>>>,
    /// The public half of the brand's key, which verifies the inner signature.
    brand: LoadedKey,
    /// The stand-in iAdvize's private key, which opens tokens for /verify; `None` with
    /// `--production`, where only iAdvize can open them.
    standin: Option<LoadedKey>,
}

impl Engine {
    /// Plans signing with `brand` (private) and encrypting to `standin` (private, which also
    /// opens the tokens), or to iAdvize's production key when there is no stand-in.
    pub fn new(
        brand: LoadedKey,
        standin: Option<LoadedKey>,
        ttl: u64,
    ) -> Result<(Self, Vec<Notice>), MintError> {
        let brand_public = public_half(&brand).map_err(MintError::Key)?;
        let recipient = standin
            .as_ref()
            .map(public_half)
            .transpose()
            .map_err(MintError::Key)?;
        let signing = private_copy(&brand).map_err(MintError::Key)?;
        let (plan, notices) = plan(brand, recipient.as_ref(), ttl, Vec::new())?;
        let engine = Engine {
            plan,
            signing,
            recipient,
            ttl,
            faulty: Mutex::new(HashMap::new()),
            brand: brand_public,
            standin,
        };
        Ok((engine, notices))
    }

    /// The faults of their names (`fault=KIND`, repeatable), as `mint --fault` takes them.
    pub fn faults(&self, names: &[String]) -> Result<Vec<Fault>, EngineError> {
        let mut faults = names
            .iter()
            .map(|name| Fault::from_name(name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| EngineError::Refused(format!("fault: {e}")))?;
        faults.sort_unstable();
        faults.dedup();
        Ok(faults)
    }

    /// The plan for these faults: the run's own without any, else one made (once) with them.
    fn plan_for(&self, faults: Vec<Fault>) -> Result<Arc<Plan>, EngineError> {
        let mut made = self
            .faulty
            .lock()
            .map_err(|_| EngineError::Failed("a minting thread failed".into()))?;
        if let Some(plan) = made.get(&faults) {
            return Ok(plan.clone());
        }
        let signing = private_copy(&self.signing).map_err(|e| failed(&e))?;
        let (plan, _) =
            plan(signing, self.recipient.as_ref(), self.ttl, faults.clone()).map_err(|err| {
                match err {
                    MintError::Fault(e) => EngineError::Refused(format!("fault: {e}")),
                    other => failed(&other),
                }
            })?;
        let plan = Arc::new(plan);
        made.insert(faults, plan.clone());
        Ok(plan)
    }

    /// Can /verify open tokens (false with `--production`)?
    pub fn can_judge(&self) -> bool {
        self.standin.is_some()
    }

    /// Visitor data given as JSON text, checked as `mint --visitor-data` checks it.
    pub fn visitor_data(&self, json: &[u8]) -> Result<Map<String, Value>, EngineError> {
        claims::parse_visitor_data(json)
            .map_err(|e| EngineError::Refused(format!("visitorData: {e}")))
    }

    /// A token for `user_id` with `visitor_data`, issued at `now`: the plan `mint` uses.
    pub fn mint(
        &self,
        user_id: &str,
        visitor_data: Option<Map<String, Value>>,
        faults: Vec<Fault>,
        now: i64,
    ) -> Result<Minted, EngineError> {
        let faulty;
        let plan = match faults.is_empty() {
            true => &self.plan,
            false => {
                faulty = self.plan_for(faults)?;
                &*faulty
            }
        };
        let visitor_data = visitor_data
            .as_ref()
            .map(VisitorData::from_map)
            .transpose()
            .map_err(|err| mint_error(MintError::VisitorData(err)))?;
        let user = User {
            id: user_id.to_string(),
            visitor_data,
            ttl: None,
        };
        let warning = plan.check_user(&user).map_err(mint_error)?;
        let minted = plan.mint(&user, now).map_err(mint_error)?;
        Ok(Minted {
            token: minted.token,
            warning: warning.map(|w| w.message(user_id)),
        })
    }

    /// Opens `token` with the stand-in's key, verifies it with the brand's, and runs every
    /// check of `inspect` at `now`. The inner signed token is left out of the report: signed
    /// with the brand's key, it could be encrypted again to any recipient and replayed.
    pub fn judge(&self, token: &str, now: i64) -> Result<Judged, EngineError> {
        // Judged as iAdvize would see the text the page passed on: noise included.
        if token.trim().is_empty() {
            return Err(EngineError::Refused(
                "no token: the body is empty, or only whitespace".into(),
            ));
        }
        let options = Options {
            decrypt_key: self.standin.as_ref(),
            verify_key: Some(&self.brand),
            now,
            leeway: 0,
            expect_jws: false,
            names: NAMES,
        };
        let report = inspect::inspect(token, &options).map_err(|e| failed(&e))?;
        let verdict = report.verdict();
        let user_id = report
            .jws
            .as_ref()
            .and_then(|jws| jws.claims.get(USER_ID_CLAIM))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut json = serde_json::to_value(&report).map_err(|e| failed(&e))?;
        if let Some(jws) = json.get_mut("jws").and_then(Value::as_object_mut) {
            jws.remove("token");
        }
        Ok(Judged {
            ok: verdict.rules == Rules::Pass,
            user_id,
            report: json,
            verdict: json!(verdict),
        })
    }
}

/// A rule of the request broken (400), or the server's own failure (500).
fn mint_error(err: MintError) -> EngineError {
    match err {
        MintError::UserId(e) => EngineError::Refused(format!("userId: {e}")),
        MintError::VisitorData(e) => EngineError::Refused(format!("visitorData: {e}")),
        other => failed(&other),
    }
}

/// The error and its causes, as one line.
fn failed(err: &dyn std::error::Error) -> EngineError {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    EngineError::Failed(text)
}

/// A plan signing with `signing`, encrypting to `recipient` (iAdvize's key without one).
fn plan(
    signing: LoadedKey,
    recipient: Option<&LoadedKey>,
    ttl: u64,
    faults: Vec<Fault>,
) -> Result<(Plan, Vec<Notice>), MintError> {
    let recipient = match recipient {
        Some(key) => Recipient::Key(public_half(key).map_err(MintError::Key)?),
        None => Recipient::IadvizeProduction,
    };
    Plan::new(Request {
        signing_key: signing,
        recipient,
        ttl,
        issuer: None,
        visitor_data: None,
        extra_claims: Map::new(),
        faults,
    })
}

/// A copy of a private key, read again from its PKCS#8 encoding.
fn private_copy(key: &LoadedKey) -> Result<LoadedKey, KeyError> {
    decode_key(&key.private_pkcs8_der()?, &mut no_passphrase)
}

/// The public half of `key`, as a key of its own.
fn public_half(key: &LoadedKey) -> Result<LoadedKey, KeyError> {
    let pem = key.public_info()?.pem()?;
    decode_key(pem.as_bytes(), &mut no_passphrase)
}

/// A key read from its own encoding is never encrypted: never called.
fn no_passphrase() -> Result<Passphrase, KeyError> {
    Err(KeyError::Passphrase(
        "a key read from its own encoding has no passphrase".into(),
    ))
}
