//! The rehearsal engine: everything `serve` does with tokens, one call per endpoint, so that the
//! server is HTTP and policy only. A [`Rehearsal`] holds the run's keys and its minting plan;
//! [`Rehearsal::token`] mints as `mint` does (with faults on purpose), [`Rehearsal::verify`]
//! judges as `inspect` does, for the stand-in that plays iAdvize, and [`Rehearsal::inspect`]
//! finds and judges every token in pasted text, as `inspect` does, for the inspector page.
//!
//! Nothing a rehearsal hands out works in production unless it was set up for production:
//! without a brand key of the user's own it signs with a key generated for the run; it encrypts
//! to a stand-in unless told [`Target::Production`]; with the user's own brand key it refuses
//! the faults that would hand out the brand-signed token in the clear; and what it shows of a
//! decrypted token never holds a signature.

use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::claims::{self, USER_ID_CLAIM, VisitorData};
use crate::inspect::{self, Findings, Kind, Names, Options, Report};
use crate::keys::{KeyError, KeyKind, LoadedKey, PublicKeyRecord, decode_key};
use crate::mint::{
    Fault, FaultError, FaultInfo, MintError, Notice, Plan, Recipient, Request, User,
};
use crate::verdict::{Acceptance, Answer, CheckId, Role, Status};

/// How the server's report names the keys.
const NAMES: Names<'static> = Names {
    decrypt_key: "the stand-in's private key",
    verify_key: "the brand's key",
    expect_jws: "an expectation of a signed token",
    standin_key: "this server's stand-in key",
};

/// How the inspector page's report names the keys: the page takes a brand key; it takes no
/// private key (the server holds a stand-in, and nobody outside iAdvize holds its production
/// key), so a token for another recipient is opened on the command line or not at all.
const PAGE_NAMES: Names<'static> = Names {
    decrypt_key: "a decryption key on the command line",
    verify_key: "a brand public key pasted on the page",
    expect_jws: "\"the brand's inner signed token (JWS)\" ticked",
    standin_key: "this server's stand-in key",
};

/// The inspector's input is at most this large: a HAR file of a whole session, as `inspect`
/// reads it.
pub const MAX_INSPECT_BYTES: usize = 64 * 1024 * 1024;
/// The inspector judges at most this many tokens of one input, and counts the others.
const MAX_JUDGED: usize = 200;

/// The brand key a rehearsal signs with.
#[derive(Debug)]
pub enum Brand {
    /// Generated for this run: iAdvize holds no key that verifies what it signs.
    Rehearsal(LoadedKey),
    /// The brand's own private key, whose public half iAdvize may hold.
    Own(LoadedKey),
}

impl Brand {
    /// A brand key made for this run.
    pub fn generated() -> Result<Brand, KeyError> {
        LoadedKey::generate(2048).map(Brand::Rehearsal)
    }
}

/// Where a rehearsal's tokens are encrypted to.
#[derive(Debug)]
pub enum Target {
    /// A stand-in's private key, which also opens them for [`Rehearsal::verify`].
    Standin(LoadedKey),
    /// iAdvize's production key: only iAdvize opens the tokens.
    Production,
}

impl Target {
    /// A stand-in key pair made for this run.
    pub fn generated() -> Result<Target, KeyError> {
        LoadedKey::generate(2048).map(Target::Standin)
    }

    /// A stand-in read from a file: it must be the private key, which opens the tokens.
    pub fn standin(key: LoadedKey) -> Result<Target, KeyError> {
        match key.kind() {
            KeyKind::Private => Ok(Target::Standin(key)),
            KeyKind::Public => Err(KeyError::NotPrivate),
        }
    }
}

/// Why a rehearsal cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The token lifetime breaks a rule.
    #[error(transparent)]
    Ttl(MintError),
    /// A key cannot be used.
    #[error(transparent)]
    Keys(MintError),
}

/// Why a request gets no token or no judgement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RehearsalError {
    /// The request breaks a rule: the message says which, naming the member.
    #[error("{0}")]
    Refused(String),
    /// This rehearsal cannot do that (judge production tokens): not the request's fault.
    #[error("{0}")]
    Unavailable(String),
    /// The engine failed (a JOSE or random number failure): not the caller's fault.
    #[error("{0}")]
    Failed(String),
}

/// What the token endpoint was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The user id the token is for.
    pub user_id: String,
    visitor_data: Option<VisitorData>,
    /// Defects on purpose, as `mint --fault` takes them.
    pub faults: Vec<Fault>,
}

/// A token, and what is worth knowing about it (a placeholder user id, a fault on purpose).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MintedToken {
    token: String,
    /// What is worth knowing about it, in sentences.
    pub notices: Vec<String>,
}

/// A token judged as the stand-in iAdvize judges it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The stand-in accepts it and it keeps iAdvize's rules.
    pub accepted: bool,
    /// The user id inside, when the token could be opened.
    pub user_id: Option<String>,
    /// The first failing check, for a log line.
    pub first_failure: Option<CheckId>,
    /// The verdict in one sentence, with its recipient.
    pub sentence: String,
    /// Why the stand-in refuses a token that iAdvize's JOSE library accepts, when it does: it
    /// is stricter on purpose, and the sentence speaks for the library.
    pub standin_note: Option<String>,
    /// The report, without any signature in it.
    pub report: Report,
}

/// The run's keys, public halves only, as `GET /keys` shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keys {
    /// The brand's key, which signs.
    pub brand: KeyRecord,
    /// The key tokens are encrypted to: a stand-in's, or iAdvize's production key.
    pub recipient: KeyRecord,
}

/// A public key and what it is to this rehearsal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyRecord {
    /// The key as every JSON output describes it.
    #[serde(flatten)]
    pub key: PublicKeyRecord,
    /// `BEGIN PUBLIC KEY` PEM.
    pem: String,
    /// The public JWK (`kty`, `n`, `e`).
    jwk: Value,
    /// Whether this is iAdvize's production key.
    is_iadvize_production: bool,
    /// Made for this run: nothing it signs or opens works in production.
    rehearsal: bool,
}

/// A fault the token endpoint takes, for a picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offered {
    #[serde(flatten)]
    info: FaultInfo,
    /// Why this rehearsal refuses it, if it does.
    refused: Option<String>,
}

/// What the inspector page sends: any text holding tokens, and what to judge them with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectRequest {
    /// A token, a log, JSON, a HAR file: every token in it is judged.
    pub text: String,
    /// The brand's public key (PEM, base64 DER or a JWK), to check the inner signature.
    pub brand_key: Option<String>,
    /// The text is the brand's inner signed token (JWS), taken before encryption.
    pub expect_jws: bool,
}

impl InspectRequest {
    /// The request of `POST /inspect`'s JSON body: `{"text": "…", "brandKey": "…", "expect":
    /// "jwe" | "token" | "jws"}` (`brandKey` and `expect` optional; `expect` in any case, as
    /// `inspect --expect` takes it, `token` another name for `jwe`).
    pub fn parse(body: &[u8]) -> Result<Self, RehearsalError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            text: String,
            #[serde(rename = "brandKey", default)]
            brand_key: Option<String>,
            #[serde(default)]
            expect: Option<String>,
        }
        let refused = |why: &dyn std::fmt::Display| {
            RehearsalError::Refused(format!(
                r#"the body must be {{"text": "…", "brandKey": "…", "expect": "jwe" or "jws"}} (brandKey and expect optional): {why}"#
            ))
        };
        if !body.trim_ascii_start().starts_with(b"{") {
            return Err(refused(&"it is not a JSON object"));
        }
        let body: Body = serde_json::from_slice(body).map_err(|e| refused(&e))?;
        let expect_jws = match body
            .expect
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("jwe" | "token") => false,
            Some("jws") => true,
            Some(_) => {
                let given: String = body.expect.unwrap_or_default().chars().take(40).collect();
                return Err(refused(&format_args!(
                    "expect {given:?} is neither \"jwe\" (the encrypted token iAdvize \
                     receives; \"token\" says the same) nor \"jws\" (the brand's inner signed \
                     token)"
                )));
            }
        };
        Ok(InspectRequest {
            text: body.text,
            brand_key: body.brand_key,
            expect_jws,
        })
    }
}

/// Every token found in a text, judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    /// The tokens, in order of first appearance, at most 200.
    pub tokens: Vec<Judged>,
    /// Tokens found beyond [`MAX_JUDGED`], not judged.
    not_judged: usize,
    /// The SHA-256 fingerprint of the pasted brand key, when one was given.
    brand_key_sha256: Option<String>,
    /// Why no token was found, when none was: a text without one is an answer, not an error.
    no_token: Option<String>,
}

/// One token of an inspection: where it was found, its verdict, and the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judged {
    /// Where it was found, tokens in them shortened.
    places: Vec<String>,
    /// `accepted`, `rejected` or `cannot-tell`: the verdict line's answer.
    pub answer: &'static str,
    /// The verdict in one sentence, with its recipient.
    sentence: String,
    /// Which keys judged it, when that is not the obvious.
    notes: Vec<String>,
    /// The report, without any signature in it.
    report: Report,
}

/// The keys and plan of one rehearsal, built once and shared by every request.
#[derive(Debug)]
pub struct Rehearsal {
    /// The brand's private key, which signs.
    brand: LoadedKey,
    brand_is_own: bool,
    /// The stand-in's private key; `None` in production.
    standin: Option<LoadedKey>,
    /// The honest plan.
    plan: Plan,
    ttl: u64,
    /// The key of nobody's that `wrong-signer` and `wrong-recipient` use, made on first use.
    stranger: OnceLock<LoadedKey>,
}

impl Rehearsal {
    /// Plans signing with the brand key and encrypting to the target, for tokens of `ttl`
    /// seconds; gives what the plan noticed (key warnings, a production recipient).
    pub fn new(brand: Brand, target: Target, ttl: u64) -> Result<(Self, Vec<Notice>), SetupError> {
        let (brand, brand_is_own) = match brand {
            Brand::Rehearsal(key) => (key, false),
            Brand::Own(key) => (key, true),
        };
        let standin = match target {
            Target::Standin(key) => Some(key),
            Target::Production => None,
        };
        let (plan, notices) = Plan::new(plan_request(&brand, standin.as_ref(), ttl, Vec::new()))
            .map_err(|err| match err {
                MintError::TtlZero | MintError::TtlTooLong => SetupError::Ttl(err),
                other => SetupError::Keys(other),
            })?;
        let rehearsal = Rehearsal {
            brand,
            brand_is_own,
            standin,
            plan,
            ttl,
            stranger: OnceLock::new(),
        };
        Ok((rehearsal, notices))
    }

    /// The public halves of the brand's key and of the recipient's.
    pub fn keys(&self) -> Result<Keys, RehearsalError> {
        let production = LoadedKey::iadvize_production();
        let recipient = self.standin.as_ref().unwrap_or(&production);
        Ok(Keys {
            brand: record(&self.brand, !self.brand_is_own)?,
            recipient: record(recipient, false)?,
        })
    }

    /// Every fault, and why this rehearsal refuses any of them.
    pub fn faults(&self) -> Vec<Offered> {
        Fault::ALL
            .iter()
            .map(|fault| Offered {
                info: fault.info(),
                refused: self.refusal(*fault),
            })
            .collect()
    }

    /// Why this rehearsal will not make `fault`: a brand-signed token in the clear, with the
    /// brand's own key, would be a token iAdvize accepts once encrypted to its key.
    fn refusal(&self, fault: Fault) -> Option<String> {
        (self.brand_is_own && fault.exposes_signed_token()).then(|| {
            format!(
                "fault {fault} hands out the token signed with the brand's own key unencrypted: \
                 anyone who receives it can encrypt it to iAdvize's key and sign in as that user. \
                 Rehearse it with a brand key made for the run: start the server without the \
                 brand's own key"
            )
        })
    }

    /// The token of `request`, issued at `now`: `mint`'s plan, with the request's faults.
    pub fn token(&self, request: &TokenRequest, now: i64) -> Result<MintedToken, RehearsalError> {
        if let Some(why) = request.faults.iter().find_map(|f| self.refusal(*f)) {
            return Err(RehearsalError::Refused(why));
        }
        let user = User {
            id: request.user_id.clone(),
            visitor_data: request.visitor_data.clone(),
            ttl: None,
        };
        let faulty;
        let (plan, notices) = match request.faults.is_empty() {
            true => (&self.plan, Vec::new()),
            false => {
                let mut plan_request = plan_request(
                    &self.brand,
                    self.standin.as_ref(),
                    self.ttl,
                    request.faults.clone(),
                );
                if request
                    .faults
                    .iter()
                    .any(|f| matches!(f, Fault::WrongSigner | Fault::WrongRecipient))
                {
                    plan_request.stranger = Some(self.stranger()?.clone());
                }
                let (plan, notices) = Plan::new(plan_request).map_err(refused_or_failed)?;
                faulty = plan;
                let notices = notices
                    .iter()
                    .filter(|n| matches!(n, Notice::Faulty(_)))
                    .map(ToString::to_string)
                    .collect();
                (&faulty, notices)
            }
        };
        let warning = plan.check_user(&user).map_err(refused_or_failed)?;
        let minted = plan.mint(&user, now).map_err(refused_or_failed)?;
        let mut all = Vec::new();
        all.extend(warning.map(|w| w.message(&user.id)));
        all.extend(notices);
        Ok(MintedToken {
            token: minted.token,
            notices: all,
        })
    }

    /// The key of nobody's, made once.
    fn stranger(&self) -> Result<&LoadedKey, RehearsalError> {
        if let Some(key) = self.stranger.get() {
            return Ok(key);
        }
        let key = LoadedKey::generate(2048).map_err(failed)?;
        Ok(self.stranger.get_or_init(|| key))
    }

    /// Opens `token` with the stand-in's key, verifies it with the brand's, and runs every
    /// check of `inspect` at `now`, judged as the text the page passed on (noise included).
    pub fn verify(&self, token: &str, now: i64) -> Result<Verified, RehearsalError> {
        let Some(standin) = &self.standin else {
            return Err(RehearsalError::Unavailable(
                "this server encrypts to iAdvize's production key, which only iAdvize can open: \
                 test with the real tag, or restart the server with a stand-in"
                    .into(),
            ));
        };
        if token.trim().is_empty() {
            return Err(RehearsalError::Refused(
                "no token: the body is empty, or only whitespace".into(),
            ));
        }
        let options = Options {
            decrypt_key: Some(standin),
            verify_key: Some(&self.brand),
            verify_key_not_rsa: None,
            now,
            leeway: 0,
            expect_jws: false,
            names: NAMES,
        };
        let report = inspect::inspect(token, &options).map_err(failed)?;
        let user_id = report
            .jws
            .as_ref()
            .and_then(|jws| jws.claims.get(USER_ID_CLAIM))
            .and_then(Value::as_str)
            .map(str::to_string);
        let first_failure = report
            .checks
            .iter()
            .find(|c| c.status == Status::Fail)
            .map(|c| c.id);
        let report = report.without_signatures();
        let accepted = report.verdict.answer() == Answer::Accepted;
        let standin_note = (!accepted && report.verdict.iadvize == Acceptance::Accepts)
            .then(|| stricter_than_iadvize(first_failure));
        Ok(Verified {
            accepted,
            user_id,
            first_failure,
            sentence: inspect::verdict_sentence(&report, &NAMES),
            standin_note,
            report,
        })
    }

    /// Finds every token in `request.text` and judges each as `inspect` does, at `now`: the
    /// stand-in opens its own tokens (signed, unless a brand key is pasted, with this run's
    /// brand key); others are judged without a private key, as support judges a production
    /// token. Reports hold no signature: whoever reaches the page could otherwise re-encrypt
    /// a brand-signed token to iAdvize's key.
    pub fn inspect(
        &self,
        request: &InspectRequest,
        now: i64,
    ) -> Result<Inspection, RehearsalError> {
        let pasted = request
            .brand_key
            .as_deref()
            .filter(|key| !key.trim().is_empty())
            .map(brand_key_of)
            .transpose()?;
        let brand_key_sha256 = match &pasted {
            Some(Pasted::Rsa(key)) => Some(key.public_info().map_err(failed)?.sha256_fingerprint),
            _ => None,
        };
        let text = request.text.trim_start_matches('\u{FEFF}');
        let (found, none) = tokens_in(text)?;
        let mut tokens = Vec::with_capacity(found.tokens.len().min(MAX_JUDGED));
        for token in found.tokens.iter().take(MAX_JUDGED) {
            let (report, notes) =
                self.judge(&token.token, pasted.as_ref(), request.expect_jws, now)?;
            let report = report.without_signatures();
            tokens.push(Judged {
                places: token
                    .places
                    .iter()
                    .map(|place| place.shown(false))
                    .collect(),
                answer: match report.verdict.answer() {
                    Answer::Accepted => "accepted",
                    Answer::Rejected => "rejected",
                    Answer::CannotTell => "cannot-tell",
                },
                sentence: inspect::verdict_sentence(&report, &PAGE_NAMES),
                notes,
                report,
            });
        }
        Ok(Inspection {
            tokens,
            not_judged: (found.tokens.len() + found.not_kept).saturating_sub(MAX_JUDGED),
            brand_key_sha256,
            no_token: none.map(str::to_string),
        })
    }

    /// One token's report, and notes on the keys that judged it.
    fn judge(
        &self,
        token: &str,
        pasted: Option<&Pasted>,
        expect_jws: bool,
        now: i64,
    ) -> Result<(Report, Vec<String>), RehearsalError> {
        let not_rsa = match pasted {
            Some(Pasted::NotRsa(found)) => Some(found.as_str()),
            _ => None,
        };
        let run = |decrypt_key: Option<&LoadedKey>, verify_key: Option<&LoadedKey>| {
            let options = Options {
                decrypt_key,
                verify_key,
                verify_key_not_rsa: not_rsa,
                now,
                leeway: 0,
                expect_jws,
                names: PAGE_NAMES,
            };
            inspect::inspect(token, &options).map_err(failed)
        };
        let pasted_key = match pasted {
            Some(Pasted::Rsa(key)) => Some(key),
            _ => None,
        };
        let report = run(self.standin.as_ref(), pasted_key)?;
        let mut notes = Vec::new();
        let Some(standin) = &self.standin else {
            return Ok((report, notes));
        };
        let standin_sha256 = standin.public_info().map_err(failed)?.sha256_fingerprint;
        let short = standin_sha256.get(..8).unwrap_or_default();
        if report.kind == Kind::Jwe && report.verdict.recipient.role == Role::Unknown {
            // Not this run's token: judged as a production token is, without its key.
            let to = match report.jwe.as_ref().map(|jwe| jwe.encrypted_key_bytes * 8) {
                Some(2048) => "iAdvize's production key or to another key pair".to_string(),
                Some(bits) => format!("another key pair (a {bits}-bit key, not iAdvize's)"),
                None => "another key pair".to_string(),
            };
            notes.push(format!(
                "This server's stand-in key (SHA-256 {short}…) does not open this token: it is \
                 encrypted to {to}, so it is judged without a private key."
            ));
            return Ok((run(None, pasted_key)?, notes));
        }
        if report.verdict.recipient.role == Role::Standin && pasted.is_none() {
            let brand = self.brand.public_info().map_err(failed)?.sha256_fingerprint;
            notes.push(format!(
                "Opened with this server's stand-in key (SHA-256 {short}…); the inner signature \
                 is checked with this server's brand key (SHA-256 {}…), since no brand key is \
                 pasted.",
                brand.get(..8).unwrap_or_default()
            ));
            return Ok((run(Some(standin), Some(&self.brand))?, notes));
        }
        if report.verdict.recipient.role == Role::Standin {
            notes.push(format!(
                "Opened with this server's stand-in key (SHA-256 {short}…)."
            ));
        }
        Ok((report, notes))
    }
}

/// Why the stand-in refuses a token that iAdvize's JOSE library accepts: it is stricter on
/// purpose, and names the first check the token fails.
fn stricter_than_iadvize(first_failure: Option<CheckId>) -> String {
    let broken = match first_failure {
        Some(id) => format!(", and this one breaks them (first failing check {id})"),
        None => String::new(),
    };
    format!(
        "the stand-in refuses it: it answers authentication-success only for tokens that keep \
         iAdvize's documented rules{broken}, although iAdvize's JOSE library would let it through"
    )
}

/// The tokens of an inspector's text (one line that holds none is judged as one anyway);
/// when there is none, why.
fn tokens_in(text: &str) -> Result<(Findings, Option<&'static str>), RehearsalError> {
    if text.len() > MAX_INSPECT_BYTES {
        return Err(RehearsalError::Refused(format!(
            "the text is larger than {} MiB: give the part of it that holds the token",
            MAX_INSPECT_BYTES >> 20
        )));
    }
    let found = inspect::find(text);
    let why = match (found.tokens.is_empty(), found.empty) {
        (false, _) => None,
        (true, true) => Some("no text: paste a token, a log, JSON or a HAR file, or drop a file"),
        (true, false) if !found.too_long.is_empty() => Some(
            "the token-shaped text is too long to be judged (a token is a few kilobytes): give \
             the token alone",
        ),
        (true, false) => Some(
            "no token found: a token starts with eyJ and has its parts separated by dots (five \
             for the encrypted token iAdvize receives)",
        ),
    };
    Ok((found, why))
}

/// A brand key pasted on the inspector page.
enum Pasted {
    Rsa(LoadedKey),
    /// Not an RSA key, as what it is (`an EC key`): a verdict (iAdvize verifies with an RSA
    /// key), not an unusable input, as for `inspect --verify-key`.
    NotRsa(String),
}

/// The brand key pasted on the inspector page: a public key, as PEM, base64 DER or a JWK.
fn brand_key_of(text: &str) -> Result<Pasted, RehearsalError> {
    let refused = |why: String| RehearsalError::Refused(format!("brandKey: {why}"));
    let decoded = decode_key(text.as_bytes(), &mut || {
        Err(KeyError::Passphrase(
            "an encrypted private key; paste the brand's public key instead".into(),
        ))
    });
    let key = match decoded {
        Ok(key) => key,
        Err(KeyError::NotRsa { found }) => return Ok(Pasted::NotRsa(found)),
        Err(err) => return Err(refused(err.to_string())),
    };
    match key.kind() {
        KeyKind::Public => Ok(Pasted::Rsa(key)),
        KeyKind::Private => Err(refused(
            "this is a private key; paste the brand's public key (iadvize-auth pubkey prints \
             it): a private key never needs to leave its file"
                .into(),
        )),
    }
}

impl TokenRequest {
    /// The request of a query string's parameters and, for `POST`, a JSON body
    /// (`{"userId": …, "visitorData": {…}, "fault": … }`); the same parameters either way:
    /// `userId`, `fault` (repeatable), and for visitor data `visitorData` (a JSON object) or
    /// its fields by name. A parameter given twice, or in both places, is refused.
    pub fn parse(query: &[(String, String)], body: Option<&[u8]>) -> Result<Self, RehearsalError> {
        let mut user_id: Option<String> = None;
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut visitor_data: Option<VisitorData> = None;
        let mut fault_names: Vec<String> = Vec::new();
        let twice = |name: &str| RehearsalError::Refused(format!("{name} is given more than once"));
        for (name, value) in query {
            match name.as_str() {
                "fault" => fault_names.push(value.clone()),
                "userId" if user_id.is_some() => return Err(twice("userId")),
                "userId" => user_id = Some(value.clone()),
                "visitorData" if visitor_data.is_some() => return Err(twice("visitorData")),
                "visitorData" => visitor_data = Some(visitor_data_of(value.as_bytes())?),
                _ if !claims::VISITOR_FIELDS.contains(&name.as_str()) => {
                    return Err(RehearsalError::Refused(format!(
                        "unknown parameter {name:?}: the token endpoint takes userId, fault, \
                         visitorData, and the visitor data fields ({})",
                        claims::VISITOR_FIELDS.join(", ")
                    )));
                }
                _ if fields.iter().any(|(f, _)| f == name) => return Err(twice(name)),
                _ => fields.push((name.clone(), value.clone())),
            }
        }
        if let Some(body) = body.filter(|b| !b.trim_ascii().is_empty()) {
            let body = Body::parse(body)?;
            if let Some(id) = body.user_id
                && user_id.replace(id).is_some()
            {
                return Err(twice("userId"));
            }
            if let Some(raw) = body.visitor_data.filter(|raw| raw.get() != "null") {
                if visitor_data.is_some() {
                    return Err(twice("visitorData"));
                }
                visitor_data = Some(visitor_data_of(raw.get().as_bytes())?);
            }
            match body.fault {
                None => {}
                Some(OneOrMore::One(name)) => fault_names.push(name),
                Some(OneOrMore::More(names)) => fault_names.extend(names),
            }
        }
        let user_id = user_id.ok_or_else(|| {
            RehearsalError::Refused(
                "userId is missing: give it as {\"userId\": \"…\"} in the body, or ?userId=…"
                    .into(),
            )
        })?;
        if !fields.is_empty() {
            let given =
                VisitorData::from_fields(fields.iter().map(|(f, v)| (f.as_str(), v.as_str())))
                    .map_err(|e| RehearsalError::Refused(format!("visitor data: {e}")))?;
            visitor_data = Some(match visitor_data {
                Some(data) => data.overlaid(&given),
                None => given,
            });
        }
        let mut faults = fault_names
            .iter()
            .map(|name| fault_named(name))
            .collect::<Result<Vec<_>, _>>()?;
        faults.sort_unstable();
        faults.dedup();
        Ok(TokenRequest {
            user_id,
            visitor_data,
            faults,
        })
    }
}

/// The fault of this name; for a name no fault has, the fault it differs from only in case or
/// in `_` for `-` (`EXPIRED`, `not_yet_valid`), suggested.
fn fault_named(name: &str) -> Result<Fault, RehearsalError> {
    Fault::from_name(name).map_err(|err| {
        let folded = |text: &str| text.to_ascii_lowercase().replace('_', "-");
        let near = Fault::ALL
            .iter()
            .find(|fault| folded(fault.as_str()) == folded(name));
        let suggestion = match near {
            Some(fault) => format!("; did you mean \"{fault}\"? GET /faults lists them"),
            None => "; GET /faults lists them".to_string(),
        };
        RehearsalError::Refused(format!("fault: {err}{suggestion}"))
    })
}

/// The body of `POST /token`; its visitor data kept as JSON text, for the claims rules to read
/// (they refuse a field given twice, which a JSON parser would silently keep once).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Body<'a> {
    #[serde(rename = "userId", default)]
    user_id: Option<String>,
    #[serde(rename = "visitorData", borrow, default)]
    visitor_data: Option<&'a serde_json::value::RawValue>,
    /// A fault's name, or a list of them.
    #[serde(default)]
    fault: Option<OneOrMore>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMore {
    One(String),
    More(Vec<String>),
}

impl<'a> Body<'a> {
    fn parse(body: &'a [u8]) -> Result<Self, RehearsalError> {
        let refused = |why: &dyn std::fmt::Display| {
            RehearsalError::Refused(format!(
                r#"the body must be {{"userId": "…", "visitorData": {{…}}, "fault": …}} (visitorData and fault optional): {why}"#
            ))
        };
        // serde would also read a struct from an array of its values.
        if !body.trim_ascii_start().starts_with(b"{") {
            return Err(refused(&"it is not a JSON object"));
        }
        serde_json::from_slice(body).map_err(|e| refused(&e))
    }
}

fn visitor_data_of(json: &[u8]) -> Result<VisitorData, RehearsalError> {
    claims::parse_visitor_data(json)
        .map_err(|e| RehearsalError::Refused(format!("visitorData: {e}")))
}

/// The plan request of a rehearsal: the brand key signs, the stand-in's public half (or
/// iAdvize's production key) receives.
fn plan_request(
    brand: &LoadedKey,
    standin: Option<&LoadedKey>,
    ttl: u64,
    faults: Vec<Fault>,
) -> Request {
    Request {
        signing_key: brand.clone(),
        recipient: match standin {
            Some(key) => Recipient::Key(key.public_half()),
            None => Recipient::IadvizeProduction,
        },
        ttl,
        issuer: None,
        visitor_data: None,
        extra_claims: Map::new(),
        faults,
        stranger: None,
    }
}

fn record(key: &LoadedKey, rehearsal: bool) -> Result<KeyRecord, RehearsalError> {
    let info = key.public_info().map_err(failed)?;
    Ok(KeyRecord {
        key: key.record().map_err(failed)?,
        pem: info.pem().map_err(failed)?,
        jwk: info.jwk(),
        is_iadvize_production: info.is_iadvize_production(),
        rehearsal,
    })
}

/// A rule of the request broken (the user id, the visitor data, the faults), or a failure.
fn refused_or_failed(err: MintError) -> RehearsalError {
    match err {
        MintError::UserId(e) => RehearsalError::Refused(format!("userId: {e}")),
        MintError::VisitorData(e) => RehearsalError::Refused(format!("visitorData: {e}")),
        // The input's name only where the message does not name the fault already.
        MintError::Fault(e @ FaultError::Unknown { .. }) => {
            RehearsalError::Refused(format!("fault: {e}"))
        }
        MintError::Fault(e) => RehearsalError::Refused(e.to_string()),
        other => failed(&other),
    }
}

/// The error and its causes, as one line.
fn failed(err: impl std::error::Error) -> RehearsalError {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    RehearsalError::Failed(text)
}
