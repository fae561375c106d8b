//! The plan: a request checked once, then any number of tokens.

use serde::Serialize;
use serde_json::{Map, Value};

use super::batch::{self, Spread};
use super::error::{BatchError, KeyRole, MintError};
use super::fault::{Fault, Faults};
use super::faulty::FaultyMaker;
use super::input::{Batch, Row, User};
use super::jose::TokenMaker;
use crate::claims::{
    self, LONG_LIFETIME_SECONDS, USER_ID_CLAIM, UserIdWarning, VISITOR_DATA_CLAIM, VisitorData,
};
use crate::keys::LoadedKey;
use crate::time;

/// A token meant to live more than a year is a mistake, not a test.
const MAX_TTL_SECONDS: u64 = 366 * 86_400;

/// What to mint: everything that is the same for every token of a run.
#[derive(Debug)]
pub struct Request {
    /// The brand's private key, which signs.
    pub signing_key: LoadedKey,
    /// Whom the tokens are encrypted to.
    pub recipient: Recipient,
    /// Lifetime in seconds: `exp` = `iat` + `ttl`.
    pub ttl: u64,
    /// The `iss` claim.
    pub issuer: Option<String>,
    /// Visitor details for every token (a row's own fields are set over them).
    pub visitor_data: Option<VisitorData>,
    /// Further claims, each a registered JWT claim or prefixed with `https://iadvize.com/`.
    pub extra_claims: Map<String, Value>,
    /// Defects to put in every token on purpose (none for a token iAdvize should accept).
    pub faults: Vec<Fault>,
    /// A key of nobody's, for the faults that need one (`wrong-signer` signs with it,
    /// `wrong-recipient` encrypts to it); generated for the plan when `None`.
    pub stranger: Option<LoadedKey>,
}

/// Whom the token is encrypted to.
#[derive(Debug)]
pub enum Recipient {
    /// iAdvize's production key, built in: only iAdvize can open the token.
    IadvizeProduction,
    /// A key that plays iAdvize's role in a rehearsal (its public or private half).
    Key(LoadedKey),
    /// Nobody: the inner signed token alone, for debugging (iAdvize needs it encrypted).
    SignOnly,
}

/// What is worth knowing about a plan before it mints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Tokens go to iAdvize's production key (this is its SHA-256 fingerprint).
    ProductionRecipient {
        /// The key's SHA-256 fingerprint.
        sha256: String,
    },
    /// Tokens go to a stand-in's key (this is its SHA-256 fingerprint): rehearsal tokens.
    StandinRecipient {
        /// The key's SHA-256 fingerprint.
        sha256: String,
    },
    /// The recipient is the brand's own key, which iAdvize does not hold.
    RecipientIsSigningKey,
    /// A lifetime past an hour.
    LongLifetime {
        /// The lifetime, in seconds.
        ttl: u64,
    },
    /// Something noticed while reading a key (small size, loose file mode …).
    Key {
        /// Which key.
        role: KeyRole,
        /// What was noticed.
        warning: String,
    },
    /// The tokens are faulty on purpose, with this fault.
    Faulty(Fault),
}

impl Notice {
    /// A warning (something is probably wrong) rather than a note.
    pub fn is_warning(&self) -> bool {
        !matches!(
            self,
            Notice::ProductionRecipient { .. } | Notice::StandinRecipient { .. }
        )
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::ProductionRecipient { sha256 } => write!(
                f,
                "encrypting to iAdvize's production key (built in, SHA-256 {sha256}): only \
                 iAdvize can open this token"
            ),
            Notice::StandinRecipient { sha256 } => write!(
                f,
                "encrypting to a stand-in (SHA-256 {}…): a rehearsal token, which iAdvize's \
                 production service cannot open",
                sha256.get(..8).unwrap_or(sha256)
            ),
            Notice::RecipientIsSigningKey => f.write_str(
                "the token is encrypted to the brand's own key; iAdvize cannot decrypt it. \
                 Encrypt to iAdvize's key (the default) or to a stand-in key",
            ),
            Notice::LongLifetime { ttl } => write!(
                f,
                "a token lifetime of {} is longer than 1 hour; iAdvize recommends 1 minute, and \
                 a leaked token stays usable for its whole lifetime",
                time::human_span(*ttl)
            ),
            Notice::Key { warning, .. } => f.write_str(warning),
            Notice::Faulty(fault) => {
                let info = fault.info();
                let verb = match info.status {
                    crate::verdict::Status::Warn => "warns",
                    _ => "fails",
                };
                let iadvize = match info.iadvize {
                    crate::verdict::Acceptance::Rejects => "rejects it",
                    _ => "accepts it",
                };
                write!(
                    f,
                    "faulty token on purpose ({fault}): {}; inspect's {} check {verb}, and \
                     iAdvize's Java library {iadvize}",
                    info.what, info.check
                )
            }
        }
    }
}

/// The recipient of a plan's tokens, as the `--json` records describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RecipientInfo {
    sha256_fingerprint: String,
    is_iadvize_production: bool,
}

/// A checked request, ready to mint.
#[derive(Debug)]
pub struct Plan {
    maker: TokenMaker,
    /// With faults asked for, what makes the tokens instead of `maker`.
    faulty: Option<FaultyMaker>,
    ttl: u64,
    issuer: Option<String>,
    visitor_data: Option<VisitorData>,
    extra_claims: Map<String, Value>,
    /// None when only signing.
    recipient: Option<RecipientInfo>,
}

/// One token and what `mint --json` prints about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Minted<'p> {
    /// The compact JWE (or, when only signing, the compact JWS).
    pub token: String,
    pub(crate) user_id: String,
    /// `iat` as in the token: null when a fault left it out.
    issued_at: Option<i64>,
    /// `exp` as in the token (in milliseconds with the fault `exp-millis`): null without one.
    expires_at: Option<i64>,
    /// Null when only signing, as the next field: there is no recipient.
    recipient_sha256_fingerprint: Option<&'p str>,
    recipient_is_iadvize_production: Option<bool>,
    claims: Map<String, Value>,
    /// The faults put in the token on purpose; left out of the JSON record when none.
    #[serde(skip_serializing_if = "<[Fault]>::is_empty")]
    faults: &'p [Fault],
}

impl Plan {
    /// Checks the request once: keys, lifetime, visitor data, issuer, extra claims.
    pub fn new(request: Request) -> Result<(Plan, Vec<Notice>), MintError> {
        let ttl = check_ttl(request.ttl)?;
        if let Some(issuer) = &request.issuer {
            claims::check_issuer(issuer).map_err(MintError::Issuer)?;
        }
        claims::check_extra_claims(&request.extra_claims).map_err(MintError::ExtraClaim)?;
        let signing_key = &request.signing_key;
        let production;
        let recipient_key = match &request.recipient {
            Recipient::IadvizeProduction => {
                production = LoadedKey::iadvize_production();
                Some(&production)
            }
            Recipient::Key(key) => Some(key),
            Recipient::SignOnly => None,
        };
        let maker = TokenMaker::new(signing_key, recipient_key)?;
        let faults = Faults::new(
            &request.faults,
            recipient_key.is_some(),
            &request.extra_claims,
        )
        .map_err(MintError::Fault)?;
        let faulty = match faults.is_empty() {
            true => None,
            false => Some(FaultyMaker::new(
                faults,
                signing_key,
                recipient_key,
                request.stranger.as_ref(),
            )?),
        };

        let mut notices: Vec<Notice> = key_notices(KeyRole::Signing, signing_key);
        let mut recipient = None;
        if let Some(key) = recipient_key {
            let info = key.public_info().map_err(MintError::Key)?;
            let own = signing_key.public_info().map_err(MintError::Key)?;
            notices.extend(key_notices(KeyRole::Recipient, key));
            let sha256 = info.sha256_fingerprint.clone();
            if info.is_iadvize_production() {
                notices.push(Notice::ProductionRecipient { sha256 });
            } else if info.sha256_fingerprint == own.sha256_fingerprint {
                notices.push(Notice::RecipientIsSigningKey);
            } else {
                notices.push(Notice::StandinRecipient { sha256 });
            }
            recipient = Some(RecipientInfo {
                is_iadvize_production: info.is_iadvize_production(),
                sha256_fingerprint: info.sha256_fingerprint,
            });
        }
        if ttl > LONG_LIFETIME_SECONDS {
            notices.push(Notice::LongLifetime { ttl });
        }
        let faults = faulty.as_ref().map_or(&[][..], FaultyMaker::faults);
        notices.extend(faults.iter().copied().map(Notice::Faulty));
        let plan = Plan {
            maker,
            faulty,
            ttl,
            issuer: request.issuer,
            visitor_data: request.visitor_data,
            extra_claims: request.extra_claims,
            recipient,
        };
        Ok((plan, notices))
    }

    /// Checks one user against iAdvize's rules; `Ok` may carry a warning about the id.
    pub fn check_user(&self, user: &User) -> Result<Option<UserIdWarning>, MintError> {
        let warning = claims::validate_user_id(&user.id).map_err(MintError::UserId)?;
        if let Some(ttl) = user.ttl {
            check_ttl(ttl)?;
        }
        if let Some(faulty) = &self.faulty {
            faulty.check_user_id(&user.id).map_err(MintError::Fault)?;
        }
        Ok(warning)
    }

    /// Checks that tokens issued at `issued_at` (a fixed issue time) expire by the last time a
    /// date can be written, with the plan's lifetime or the longest of `rows`' own.
    pub fn check_issue_time(&self, issued_at: i64, rows: &[Row]) -> Result<(), MintError> {
        let ttl = rows
            .iter()
            .filter_map(|row| row.user.ttl)
            .fold(self.ttl, u64::max);
        let expires_at = i128::from(issued_at) + i128::from(ttl);
        match expires_at > i128::from(time::LAST_SECOND) {
            true => Err(MintError::ExpiresTooLate { expires_at }),
            false => Ok(()),
        }
    }

    /// Checks every row of a batch as read before anything is minted. Gives the warnings, at
    /// most `limit` of each sort in full (single ids, then ids on several lines), the rest
    /// counted; fails on the first invalid row, naming its line and column, and counting the
    /// invalid ones after it.
    pub fn check_batch(&self, batch: &Batch, limit: usize) -> Result<Vec<String>, BatchError> {
        batch::check(batch, limit, |user| self.check_user(user))
    }

    /// Mints every row in order on `jobs` threads (`None`: one per core), each token turned
    /// into a line by `render` (on the minting thread) and handed to `write` (on this one), in
    /// input order. `now` fixes the issue time; without it, each block of tokens is issued at
    /// the current time.
    ///
    /// Worker `w` of `n` mints blocks `w`, `w + n` … and hands each to the writer, in pieces
    /// of about 32 KB of tokens, through its own small bounded channel; the writer reads the
    /// channels in turn. No thread waits at a barrier, and each worker holds a few pieces
    /// whatever the number of rows and the size of their tokens. Threads the system refuses to start are
    /// done without (at worst this thread mints alone), as [`Spread`] says.
    ///
    /// The first row that fails stops the batch with its error, after every line before it has
    /// been written: the lines written are then exactly the rows before it.
    pub fn mint_all<E>(
        &self,
        rows: &[Row],
        jobs: Option<usize>,
        now: Option<i64>,
        render: impl Fn(Minted<'_>) -> Result<String, E> + Sync,
        write: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<Spread, E>
    where
        E: From<MintError> + Send,
    {
        let line = |user: &User, issued_at| render(self.mint(user, issued_at)?);
        batch::mint_all(rows, jobs, now, line, write)
    }

    /// The claims of one token. `iat` and `exp` are integers, as iAdvize's example has them.
    fn claims_for(&self, user: &User, issued_at: i64) -> Map<String, Value> {
        let ttl = self.ttl_of(user);
        let mut claims = Map::new();
        claims.insert(USER_ID_CLAIM.into(), Value::String(user.id.clone()));
        claims.insert("iat".into(), Value::from(issued_at));
        claims.insert("exp".into(), Value::from(issued_at.saturating_add(ttl)));
        if let Some(issuer) = &self.issuer {
            claims.insert("iss".into(), Value::String(issuer.clone()));
        }
        let visitor = match (&self.visitor_data, &user.visitor_data) {
            (None, None) => None,
            (common, own) => {
                let mut data = common.as_ref().map(VisitorData::to_map).unwrap_or_default();
                for (field, value) in own.iter().flat_map(VisitorData::iter) {
                    data.insert(field.to_string(), Value::String(value.to_string()));
                }
                Some(data)
            }
        };
        if let Some(visitor) = visitor {
            claims.insert(VISITOR_DATA_CLAIM.into(), Value::Object(visitor));
        }
        for (name, value) in &self.extra_claims {
            claims.insert(name.clone(), value.clone());
        }
        claims
    }

    /// The lifetime of `user`'s token, in seconds.
    fn ttl_of(&self, user: &User) -> i64 {
        i64::try_from(user.ttl.unwrap_or(self.ttl)).unwrap_or(i64::MAX)
    }

    /// Mints the token of `user`, issued at `issued_at` (UNIX seconds).
    pub fn mint(&self, user: &User, issued_at: i64) -> Result<Minted<'_>, MintError> {
        self.check_user(user)?;
        let mut claims = self.claims_for(user, issued_at);
        let token = match &self.faulty {
            None => {
                let jws = self.maker.sign(&claims)?;
                match self.maker.encrypt(&jws) {
                    Some(jwe) => jwe?,
                    None => jws,
                }
            }
            Some(faulty) => {
                faulty.apply_to_claims(&mut claims, issued_at, self.ttl_of(user));
                faulty.make(&claims)?
            }
        };
        let time = |name: &str| claims.get(name).and_then(Value::as_i64);
        Ok(Minted {
            token,
            user_id: user.id.clone(),
            issued_at: time("iat"),
            expires_at: time("exp"),
            recipient_sha256_fingerprint: self
                .recipient
                .as_ref()
                .map(|r| r.sha256_fingerprint.as_str()),
            recipient_is_iadvize_production: self
                .recipient
                .as_ref()
                .map(|r| r.is_iadvize_production),
            faults: self.faulty.as_ref().map_or(&[], FaultyMaker::faults),
            claims,
        })
    }
}

fn key_notices(role: KeyRole, key: &LoadedKey) -> Vec<Notice> {
    key.warnings()
        .iter()
        .map(|warning| Notice::Key {
            role,
            warning: warning.clone(),
        })
        .collect()
}

fn check_ttl(ttl: u64) -> Result<u64, MintError> {
    match ttl {
        0 => Err(MintError::TtlZero),
        ttl if ttl > MAX_TTL_SECONDS => Err(MintError::TtlTooLong),
        ttl => Ok(ttl),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimError;

    fn plan(request: impl FnOnce(&mut Request)) -> Result<(Plan, Vec<Notice>), MintError> {
        let mut req = Request {
            signing_key: LoadedKey::generate(2048).unwrap(),
            recipient: Recipient::SignOnly,
            ttl: 60,
            issuer: Some("https://brand.example".into()),
            visitor_data: None,
            extra_claims: Map::new(),
            faults: Vec::new(),
            stranger: None,
        };
        request(&mut req);
        Plan::new(req)
    }

    #[test]
    fn claims_have_integer_times_and_rows_override() {
        let (plan, notices) = plan(|_| {}).unwrap();
        assert!(notices.is_empty(), "{notices:?}");
        let claims = plan.claims_for(&User::new("u-1"), 1_700_000_000);
        assert_eq!(
            serde_json::to_string(&claims).unwrap(),
            r#"{"https://iadvize.com/userId":"u-1","iat":1700000000,"exp":1700000060,"iss":"https://brand.example"}"#
        );
        let mut row = User::new("u-2");
        row.ttl = Some(5);
        row.visitor_data = Some(VisitorData::from_fields([("city", "Nantes")]).unwrap());
        let claims = plan.claims_for(&row, 10);
        assert_eq!(claims["exp"], 15);
        assert_eq!(claims[VISITOR_DATA_CLAIM]["city"], "Nantes");
    }

    #[test]
    fn requests_are_checked_once_and_say_what_is_wrong() {
        assert!(matches!(plan(|r| r.ttl = 0), Err(MintError::TtlZero)));
        assert!(matches!(
            plan(|r| r.ttl = MAX_TTL_SECONDS + 1),
            Err(MintError::TtlTooLong)
        ));
        let (_, notices) = plan(|r| r.ttl = 7200).unwrap();
        assert_eq!(notices, [Notice::LongLifetime { ttl: 7200 }]);
        assert!(notices[0].to_string().contains("2 h is longer than 1 hour"));
        let err = plan(|r| {
            r.extra_claims.insert("exp".into(), 1.into());
        })
        .unwrap_err();
        assert!(matches!(err, MintError::ExtraClaim(_)), "{err:?}");
        let (_, notices) = plan(|r| r.recipient = Recipient::IadvizeProduction).unwrap();
        assert!(matches!(&notices[..], [Notice::ProductionRecipient { .. }]));
    }

    #[test]
    fn each_user_is_checked_when_minted() {
        let (plan, _) = plan(|_| {}).unwrap();
        assert!(matches!(
            plan.mint(&User::new(" "), 0),
            Err(MintError::UserId(ClaimError::EmptyUserId))
        ));
        let minted = plan.mint(&User::new("c-1"), 1_700_000_000).unwrap();
        assert_eq!(minted.token.split('.').count(), 3, "signing only");
        assert_eq!(minted.expires_at, Some(1_700_000_060));
        assert_eq!(minted.recipient_sha256_fingerprint, None);
    }
}
