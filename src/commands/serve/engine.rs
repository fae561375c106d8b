//! Every call `serve` makes into the library's minting and judging, in one place. The handlers
//! parse requests and map results to HTTP; the rules are the library's, applied here exactly
//! as `mint` and `inspect` apply them.

use iadvize_auth::claims::{self, ClaimsTemplate};
use iadvize_auth::inspect::{self, Options, input};
use iadvize_auth::keys::LoadedKey;
use iadvize_auth::token::TokenMaker;
use serde_json::Value;

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

/// The library's judgement of a token: `ok` when no check failed.
#[derive(Debug)]
pub struct Judged {
    pub ok: bool,
    /// The user id found inside, when the token could be opened.
    pub user_id: Option<String>,
    /// The `inspect --json` report, without the inner signed token (see [`Engine::judge`]).
    pub report: Value,
}

/// The keys and signer of one `serve` run, built once and shared by every request.
#[derive(Debug)]
pub struct Engine {
    maker: TokenMaker,
    ttl: u64,
    brand: LoadedKey,
    /// The stand-in iAdvize's private key, which opens tokens for /verify; `None` with
    /// `--production`, where only iAdvize can open them.
    standin: Option<LoadedKey>,
}

impl Engine {
    /// Prepares signing with `brand` (private) and encrypting to `standin` (private, which
    /// also opens the tokens), or to iAdvize's production key when there is no stand-in.
    pub fn new(brand: LoadedKey, standin: Option<LoadedKey>, ttl: u64) -> anyhow::Result<Self> {
        let maker = match &standin {
            Some(key) => TokenMaker::new(&brand, key)?,
            None => TokenMaker::new(&brand, &LoadedKey::iadvize_production())?,
        };
        Ok(Engine {
            maker,
            ttl,
            brand,
            standin,
        })
    }

    /// Can /verify open tokens (false with `--production`)?
    pub fn can_judge(&self) -> bool {
        self.standin.is_some()
    }

    /// A token for `user_id`, with `visitor_data` (a JSON object of string fields), issued at
    /// `now`: the same claim rules and claims as `mint`.
    pub fn mint(
        &self,
        user_id: &str,
        visitor_data: Option<&Value>,
        now: i64,
    ) -> Result<Minted, EngineError> {
        let warning = claims::check_user_id(user_id)
            .map_err(|e| EngineError::Refused(format!("userId: {e}")))?;
        let visitor_data = match visitor_data {
            None => None,
            Some(value) => {
                claims::check_visitor_data(value)
                    .map_err(|e| EngineError::Refused(format!("visitorData: {e}")))?;
                value.as_object().cloned()
            }
        };
        let template = ClaimsTemplate {
            issuer: None,
            visitor_data,
            extra: serde_json::Map::new(),
            ttl: self.ttl,
        };
        let minted = self
            .maker
            .mint(&template.claims_for(user_id, now))
            .map_err(|e| EngineError::Failed(e.to_string()))?;
        Ok(Minted {
            token: minted.jwe,
            warning,
        })
    }

    /// Opens `token` with the stand-in's key, verifies it with the brand's, and runs every
    /// check of `inspect` at `now`. The inner signed token is left out of the report: signed
    /// with the brand's key, it could be encrypted again to any recipient and replayed.
    pub fn judge(&self, token: &str, now: i64) -> Result<Judged, EngineError> {
        let clean = input::clean(token, true);
        if clean.token.is_empty() {
            return Err(EngineError::Refused(
                "no token: the body is empty, or only whitespace or quotes".into(),
            ));
        }
        let options = Options {
            decrypt_key: self.standin.as_ref(),
            verify_key: Some(&self.brand),
            now,
            leeway: 0,
            expect_jws: false,
        };
        let report =
            inspect::inspect(&clean, &options).map_err(|e| EngineError::Failed(e.to_string()))?;
        let user_id = report
            .jws
            .as_ref()
            .and_then(|jws| jws.claims.get(claims::USER_ID_CLAIM))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut json =
            serde_json::to_value(&report).map_err(|e| EngineError::Failed(e.to_string()))?;
        if let Some(jws) = json.get_mut("jws").and_then(Value::as_object_mut) {
            jws.remove("token");
        }
        Ok(Judged {
            ok: report.ok,
            user_id,
            report: json,
        })
    }
}
