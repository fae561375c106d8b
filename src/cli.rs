//! Command-line definition. Doc comments here are the `--help` text, the man page and the
//! shell completions; nothing else in the program sees these types.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  success (inspect: the recipient its verdict names accepts the token)
  1  inspect: the token is rejected, or breaks iAdvize's rules; pubkey --expect-fingerprint: the
     key is not the one expected
  2  bad usage, or input that cannot be used (missing file, not a key, wrong passphrase)
  3  inspect: cannot tell (what decides was not checked, or the key given does not open the
     token)

Environment:
  IADVIZE_AUTH_PASSPHRASE  passphrase of encrypted keys without a passphrase file (for CI; see
                           docs/security.md)
  IADVIZE_AUTH_KEY         path of the brand's private key, when --key is not given (mint, serve)
  NO_COLOR                 disables colour in human output

Examples:
  iadvize-auth keygen
  iadvize-auth pubkey iadvize-keys/public-key.pem --expect-fingerprint 19e64264
  iadvize-auth mint --key iadvize-keys/private-key.pem --user-id customer-8812
  iadvize-auth inspect @token.txt --decrypt-key standin-private.pem";

/// The heading of the options that name keys and how to open them.
const KEYS: &str = "Key options";

/// Keys, tokens and diagnostics for iAdvize Authenticated Messaging.
///
/// A brand's backend signs a claims set with its own RSA key (JWS, RS256), encrypts that JWS to
/// iAdvize's public key (JWE, RSA-OAEP-256 + A256GCM), and the page hands the token to iAdvize.
/// This tool makes the brand's key pair, mints tokens for testing, and inspects failing ones.
#[derive(Debug, Parser)]
#[command(
    name = "iadvize-auth",
    version,
    propagate_version = true,
    after_help = AFTER_HELP,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per run")]
pub(crate) enum Command {
    Keygen(KeygenArgs),
    Pubkey(PubkeyArgs),
    Mint(MintArgs),
    #[command(visible_alias = "decode")]
    Inspect(InspectArgs),
    Serve(ServeArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

/// Generate the brand's RSA key pair: the private key signs tokens, the public key goes to iAdvize.
///
/// Writes DIR/private-key.pem (PKCS#8, mode 0600) and DIR/public-key.pem (`BEGIN PUBLIC KEY`),
/// the formats iAdvize's own openssl recipe produces, then prints the public key and its
/// fingerprints. Existing files are never replaced without --force.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth keygen
  iadvize-auth keygen --out-dir keys/prod --bits 3072 --encrypt
  IADVIZE_AUTH_PASSPHRASE=... iadvize-auth keygen --encrypt --json")]
pub(crate) struct KeygenArgs {
    /// Folder for the two key files; created with mode 0700 when missing.
    #[arg(long, value_name = "DIR", default_value = "iadvize-keys")]
    pub out_dir: PathBuf,

    /// RSA modulus size: 2048, 3072 or 4096 (2048 to 8192 accepted).
    #[arg(long, value_name = "N", default_value_t = 2048)]
    pub bits: usize,

    /// Encrypt the private key with a passphrase (PKCS#8 PBES2, scrypt + AES-256-CBC).
    ///
    /// The passphrase comes from --passphrase-file, else IADVIZE_AUTH_PASSPHRASE, else a
    /// prompt asked twice on the terminal (again when the two differ, up to three times). It is
    /// never taken as an argument value; without --encrypt, a passphrase given either way is
    /// refused.
    #[arg(long)]
    pub encrypt: bool,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Replace existing key files. Without it, nothing is overwritten.
    #[arg(long)]
    pub force: bool,

    /// Print one JSON object instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

/// The lifetime of the tokens made (`mint`, `serve`).
#[derive(Debug, Args)]
pub(crate) struct TtlArgs {
    /// Token lifetime: seconds, or 90s, 5m, 1h30m. iAdvize recommends 1 minute.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "60s",
        allow_hyphen_values = true
    )]
    pub ttl: String,
}

/// How to get the passphrase of an encrypted private key.
#[derive(Debug, Args)]
pub(crate) struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE (as `openssl -passin file:`).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

/// Print the public half of any RSA key, with its fingerprints.
///
/// Reads the key by content, whatever the file is called: PKCS#8 PEM or DER (also encrypted),
/// PKCS#1 PEM or DER (also legacy `Proc-Type: 4,ENCRYPTED` PEM), SubjectPublicKeyInfo PEM or
/// DER, the bare base64 line in which iAdvize publishes its key (also wrapped over several
/// lines), an RSA JWK (public or private) or a JWK Set, an OpenSSH `ssh-rsa` public key, or an
/// X.509 certificate (PEM or DER; its subject and validity are named). To check "is this the
/// key you sent iAdvize?", give the fingerprint you sent to --expect-fingerprint.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth pubkey iadvize-keys/private-key.pem
  iadvize-auth pubkey --iadvize --format base64
  iadvize-auth pubkey iadvize-keys/private-key.pem --expect-fingerprint 19e64264
  iadvize-auth pubkey ~/.ssh/id_rsa.pub --format fingerprint
  iadvize-auth pubkey brand-cert.pem --expect-fingerprint SHA256:f8184c90c16f
  iadvize-auth pubkey ~/.ssh/id_rsa.pub --json
  iadvize-auth pubkey jwks.json --kid brand-2026
  cat key.jwk | iadvize-auth pubkey - --json")]
pub(crate) struct PubkeyArgs {
    /// Key file, or `-` for standard input.
    #[arg(
        value_name = "KEY",
        required_unless_present = "iadvize",
        conflicts_with = "iadvize"
    )]
    pub key: Option<PathBuf>,

    /// Use iAdvize's production public key, built into this program.
    #[arg(long)]
    pub iadvize: bool,

    /// Which key of a JWK Set to read, by its kid (without it, a set of several keys is
    /// refused with the list of their kids).
    #[arg(long, value_name = "KID", conflicts_with = "iadvize")]
    pub kid: Option<String>,

    /// Output format of the public key.
    #[arg(long, value_enum, ignore_case = true, default_value_t = PubkeyFormat::Pem)]
    pub format: PubkeyFormat,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,

    /// Print one JSON object: kind, source format, size, fingerprints, warnings.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Check the key instead of printing it: exit 0 when one of its fingerprints starts with
    /// FINGERPRINT, 1 when none does, with one line saying which (with --json, the object
    /// says it in `expected_fingerprint`).
    ///
    /// Any of the three forms, 8 characters or more from its start: the SHA-256 fingerprint
    /// (hex, any case, colons allowed), the OpenSSH one (`SHA256:` and base64, as
    /// `ssh-keygen -lf` prints it, or the base64 alone) or the JWK thumbprint.
    #[arg(long, value_name = "FINGERPRINT", conflicts_with = "format")]
    pub expect_fingerprint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PubkeyFormat {
    /// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo), as `openssl rsa -pubout`.
    Pem,
    /// One bare base64 line of the DER, the form iAdvize publishes its key in.
    Base64,
    /// Public JWK (`kty`, `n`, `e`), with `kid` (its RFC 7638 thumbprint), `use` and `alg`
    /// (`sig` and RS256 for a brand's key; `enc` and RSA-OAEP-256 for iAdvize's).
    Jwk,
    /// One line: the size and the OpenSSH fingerprint (as `ssh-keygen -lf` prints them), the
    /// SHA-256 fingerprint of the DER public key (hex), the JWK thumbprint, and the key type.
    Fingerprint,
    /// Raw DER bytes (refused on a terminal: redirect to a file).
    Der,
}

/// Mint tokens exactly as a brand's backend must: a JWS signed with the brand's key (RS256),
/// encrypted to iAdvize's key (JWE, RSA-OAEP-256 + A256GCM).
///
/// Prints one token per line. By default the token is encrypted to iAdvize's production key
/// (built in), so only iAdvize can open it; for a rehearsal, encrypt to a stand-in key pair
/// with --iadvize-key and open the token with `inspect --decrypt-key`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth mint --key iadvize-keys/private-key.pem --user-id customer-8812
  iadvize-auth mint --key brand.pem --user-id c-1 --visitor firstName=Jane --visitor city=Nantes
  iadvize-auth mint --key brand.pem --user-ids ids.csv --iadvize-key standin-public.pem > tokens.txt
  iadvize-auth mint --key brand.pem --user-id c-1 --now 2026-12-01T10:00:00Z --jws
  iadvize-auth mint --key brand.pem --user-id c-1 --iadvize-key standin-public.pem --fault expired
  iadvize-auth mint --list-faults")]
pub(crate) struct MintArgs {
    /// The brand's private key (any format `pubkey` reads; `-` for standard input).
    #[arg(
        long,
        value_name = "PRIVATE_KEY",
        env = "IADVIZE_AUTH_KEY",
        hide_env_values = true,
        help_heading = KEYS,
        required_unless_present = "list_faults"
    )]
    pub key: Option<PathBuf>,

    /// Which key of the JWK Set given as --key to sign with, by its kid.
    #[arg(long, value_name = "KID", help_heading = KEYS)]
    pub key_kid: Option<String>,

    /// The passphrase of --key, from the first line of FILE (before --passphrase-file).
    #[arg(long, value_name = "FILE", help_heading = KEYS)]
    pub key_passphrase_file: Option<PathBuf>,

    /// Recipient key (public or private, any format). Default: iAdvize's production key.
    #[arg(long, value_name = "KEY", help_heading = KEYS)]
    pub iadvize_key: Option<PathBuf>,

    /// Which key of the JWK Set given as --iadvize-key to encrypt to, by its kid.
    #[arg(long, value_name = "KID", requires = "iadvize_key", help_heading = KEYS)]
    pub iadvize_key_kid: Option<String>,

    /// The passphrase of --iadvize-key, when it is an encrypted private key, from the first
    /// line of FILE (before --passphrase-file).
    #[arg(long, value_name = "FILE", requires = "iadvize_key", help_heading = KEYS)]
    pub iadvize_key_passphrase_file: Option<PathBuf>,

    /// The passphrase of every encrypted key without its own passphrase file, from the first
    /// line of FILE (as `openssl -passin file:`).
    #[arg(long, value_name = "FILE", help_heading = KEYS)]
    pub passphrase_file: Option<PathBuf>,

    /// The user id: unique and stable per person, at most 255 UTF-16 units as Java counts them
    /// (an ASCII character counts 1, an emoji 2); no control or invisible characters.
    #[arg(
        long,
        value_name = "ID",
        required_unless_present_any = ["user_ids", "list_faults"],
        conflicts_with = "user_ids",
        allow_hyphen_values = true
    )]
    pub user_id: Option<String>,

    /// Mint one token per user of FILE (`-` for standard input), in order: one user id per
    /// line, CSV (commas or semicolons), TSV or JSON Lines, recognised by content (see
    /// --input-format).
    ///
    /// CSV and TSV: a header row naming userId, any visitor data fields (firstName, email …)
    /// and optionally ttl, then one user per row; empty cells are left out. JSON Lines: one
    /// {"userId": …, "visitorData": {…}, "ttl": …} per line. A row's visitor data is set over
    /// --visitor-data, its ttl replaces --ttl. Blank lines, CRLF line ends and a byte order mark
    /// at the start are read as spreadsheets write them; a header row is never minted as a user. Every row is checked before any token is printed; an error
    /// names its line and column; an id on several rows is minted each time, with a warning.
    /// Rows are held in memory, about 120 bytes each; a batch is at most 1,000,000 rows and
    /// 256 MiB.
    #[arg(long, value_name = "FILE")]
    pub user_ids: Option<PathBuf>,

    /// How --user-ids FILE is written, when its content does not say it: a first line that
    /// starts with `{` is JSON Lines; one that names a column (userId, a visitor data field,
    /// ttl) is a header row, its cells separated by commas, semicolons or tabs, whichever
    /// separates the names; one with a comma, semicolon or tab but no column named is refused;
    /// anything else is one id per line.
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        value_name = "FORMAT",
        conflicts_with = "user_id"
    )]
    pub input_format: Option<InputFormat>,

    #[command(flatten)]
    pub ttl: TtlArgs,

    /// Sets the `iss` claim (at most 1 KiB).
    #[arg(long, value_name = "ISS")]
    pub issuer: Option<String>,

    /// Visitor details: a JSON object of string fields, inline or @FILE.
    ///
    /// Fields: firstName, lastName, address, city, zipCode, country, phoneNumber, email; each
    /// at most 1 KiB (1,024 bytes of UTF-8).
    #[arg(long, value_name = "JSON|@FILE")]
    pub visitor_data: Option<String>,

    /// Sets one visitor data field (repeatable); overrides --visitor-data.
    #[arg(long = "visitor", value_name = "FIELD=VALUE")]
    pub visitor: Vec<String>,

    /// Adds a claim whose value is JSON (repeatable), e.g. 'https://iadvize.com/plan="gold"'.
    ///
    /// The name must be a registered JWT claim (sub, aud, nbf, jti) or start with
    /// https://iadvize.com/. A registered claim keeps its type: sub and jti are strings, aud a
    /// string or a list of strings, nbf integer seconds. At most 8 KiB of JSON in all, nested at
    /// most 32 levels deep.
    #[arg(long = "claim", value_name = "NAME=JSON")]
    pub claim: Vec<String>,

    /// Issue the token at this time instead of now: UNIX seconds (1700000000), RFC 3339
    /// (2026-12-01T10:00:00Z), or relative to now (-1h, +5m, -1h30m). Fixed times give reproducible
    /// output.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub now: Option<String>,

    /// Make the token faulty on purpose, as a brand's backend got it wrong (repeatable: faults
    /// of different parts combine), to test a page's failure path. `--list-faults` lists them
    /// with the inspect check that catches each and what iAdvize does with it; stderr says the
    /// token is faulty.
    #[arg(
        long = "fault",
        value_name = "KIND",
        value_parser = PossibleValuesParser::new(fault_names()),
        hide_possible_values = true
    )]
    pub fault: Vec<String>,

    /// List the faults --fault makes: what each is, what a backend did to produce it, the
    /// inspect check that catches it, and whether iAdvize's Java library rejects or accepts it.
    #[arg(long, conflicts_with_all = ["user_id", "user_ids", "fault"])]
    pub list_faults: bool,

    /// Print the inner signed JWT instead of the encrypted token (debugging only: iAdvize
    /// needs the encrypted one).
    #[arg(long)]
    pub jws: bool,

    /// Print one JSON object per token (JSON Lines); with --list-faults, one array.
    #[arg(long)]
    pub json: bool,

    /// Threads for a batch (default: one per core); if the system starts fewer, the batch runs
    /// on those.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<NonZeroUsize>,
}

/// Say whether iAdvize accepts a token, what is wrong with it, and how to fix it.
///
/// Finds every token in what it is given — a bare token, a log, JSON, a HAR file saved from a
/// browser, an `Authorization:` header — and judges each one as iAdvize's Java library reads it.
/// The report opens with the verdict, which names the iAdvize it speaks for: iAdvize's
/// production service, or your stand-in when --decrypt-key is a rehearsal key (then it also
/// says that production cannot open the token). It accepts the token; accepts it but the token
/// breaks iAdvize's documented rules; rejects it; or cannot tell, naming what was not checked
/// and what to do next. Then what to fix, the details, and every check with its stable id
/// (token.format, jwe.alg, claims.exp …). Without keys only the public parts are checked (a
/// production token opens only with iAdvize's private key: judge the brand's inner signed
/// token with --expect jws); --decrypt-key opens a rehearsal token; --verify-key checks the
/// inner signature against the brand's registered key.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth inspect eyJhbGciOiJSU0EtT0FFUC0yNTYi...
  pbpaste | iadvize-auth inspect --json
  iadvize-auth inspect @session.har --brief
  iadvize-auth inspect @token.txt --decrypt-key standin-private.pem --verify-key brand-public.pem
  iadvize-auth inspect --expect jws --verify-key registered-public.pem @inner-jws.txt

Exit codes, as the verdict says (several tokens: the worst, 1 over 3 over 0):
  0  the recipient the verdict names accepts the token, and it keeps iAdvize's rules
  1  the token is rejected, or a check failed (it breaks iAdvize's documented rules)
  2  the input or a key could not be used
  3  cannot tell: what decides was not checked, or --decrypt-key does not open the token")]
pub(crate) struct InspectArgs {
    /// The token, or text holding tokens; `-` or nothing reads standard input; `@FILE` reads a
    /// file (up to 64 MiB).
    #[arg(value_name = "TOKEN | - | @FILE")]
    pub token: Option<String>,

    /// Private key the JWE was encrypted to (any format), to open it.
    #[arg(long, value_name = "KEY", help_heading = KEYS)]
    pub decrypt_key: Option<PathBuf>,

    /// Which key of the JWK Set given as --decrypt-key to open the token with, by its kid.
    #[arg(long, value_name = "KID", requires = "decrypt_key", help_heading = KEYS)]
    pub decrypt_key_kid: Option<String>,

    /// The passphrase of --decrypt-key, from the first line of FILE (before
    /// --passphrase-file).
    #[arg(long, value_name = "FILE", requires = "decrypt_key", help_heading = KEYS)]
    pub decrypt_key_passphrase_file: Option<PathBuf>,

    /// The brand's public (or private) key, to verify the inner signature.
    #[arg(long, value_name = "KEY", help_heading = KEYS)]
    pub verify_key: Option<PathBuf>,

    /// Which key of the JWK Set given as --verify-key to verify with, by its kid.
    #[arg(long, value_name = "KID", requires = "verify_key", help_heading = KEYS)]
    pub verify_key_kid: Option<String>,

    /// The passphrase of --verify-key, when it is an encrypted private key, from the first
    /// line of FILE (before --passphrase-file).
    #[arg(long, value_name = "FILE", requires = "verify_key", help_heading = KEYS)]
    pub verify_key_passphrase_file: Option<PathBuf>,

    /// The passphrase of every encrypted key without its own passphrase file, from the first
    /// line of FILE (as `openssl -passin file:`).
    #[arg(long, value_name = "FILE", help_heading = KEYS)]
    pub passphrase_file: Option<PathBuf>,

    /// Judge times at this time instead of now: UNIX seconds, RFC 3339 or relative (-1h).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub now: Option<String>,

    /// Tolerance for the time checks (exp, iat, nbf): seconds, or 30s, 2m, 1h30m.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "0",
        allow_hyphen_values = true
    )]
    pub leeway: String,

    /// What the token should be: the encrypted token iAdvize receives (jwe), or the brand's
    /// inner signed token taken from its logs before encryption (jws).
    #[arg(long, value_enum, ignore_case = true, value_name = "KIND", default_value_t = Expect::Jwe)]
    pub expect: Expect,

    /// Print one JSON object per token, one per line (schema in docs/cli.md).
    #[arg(long)]
    pub json: bool,

    /// One line per token (its answer, where it was found, its first cause), then a summary:
    /// for a HAR file or a log of many tokens.
    #[arg(long, conflicts_with = "json")]
    pub brief: bool,

    /// Show tokens whole: the inner signed token, and tokens in the places they were found
    /// (shortened otherwise, so that a report can be shared).
    #[arg(long)]
    pub show_tokens: bool,

    /// Colour in the human report: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, ignore_case = true, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// How a file of users is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    /// Cells separated by commas, with a header row naming userId.
    Csv,
    /// Cells separated by semicolons (as Excel saves "CSV" where the comma is the decimal
    /// separator), with a header row naming userId.
    CsvSemicolon,
    /// Cells separated by tabs, with a header row naming userId.
    Tsv,
    /// JSON Lines: one {"userId": …} object per line.
    Jsonl,
    /// One user id per line.
    Lines,
}

/// The names `--fault` takes, from the library's list.
fn fault_names() -> impl Iterator<Item = &'static str> {
    iadvize_auth::mint::Fault::ALL
        .iter()
        .map(|fault| fault.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Expect {
    /// The encrypted token (JWE) handed to iAdvize.
    Jwe,
    /// The inner signed token (JWS), before encryption.
    Jws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Serve a token endpoint, a stand-in iAdvize that verifies tokens, and a rehearsal page.
///
/// For QA and front-end developers before the brand's backend, or iAdvize's activation, exists:
/// POST /token mints a token as `mint` does (the same rules, errors as JSON); POST /verify opens
/// it as iAdvize would and answers the activation object the tag resolves, with a diagnosis;
/// GET / is a rehearsal page, and GET /standin.js a stand-in for iAdvize's tag that a brand's
/// page can load instead of the real one. Endpoints and JSON: docs/cli.md.
///
/// Nothing it hands out works in production unless --production is given: tokens are
/// encrypted to a stand-in key (--iadvize-key, or one generated for the run), and signed with a
/// brand key generated for the run unless --key gives the brand's own (then the faults that
/// would hand out the brand-signed token unencrypted are refused). Stop with Ctrl-C or SIGTERM
/// (exit 0).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth serve
  iadvize-auth serve --key brand-keys/private-key.pem
  iadvize-auth serve --key brand.pem --iadvize-key standin-private.pem --listen 127.0.0.1:0
  iadvize-auth serve --key brand.pem --production --allow-origin https://staging.example.com
  iadvize-auth serve --key brand.pem --listen 0.0.0.0:8787 --access-token-file secret.txt")]
pub(crate) struct ServeArgs {
    /// Address and port to listen on (localhost:PORT is 127.0.0.1:PORT); port 0 picks a free
    /// one. Anything but a loopback address needs --access-token-file.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8787")]
    pub listen: String,

    /// The brand's private key, which signs the tokens (any format `pubkey` reads). Default: a
    /// rehearsal brand key generated for the run, which iAdvize does not know (its public half
    /// at /keys). Needed with --production.
    #[arg(
        long,
        value_name = "PRIVATE_KEY",
        env = "IADVIZE_AUTH_KEY",
        hide_env_values = true
    )]
    pub key: Option<PathBuf>,

    /// The stand-in iAdvize's private key: tokens are encrypted to it and /verify opens them
    /// with it. Default: a key pair generated for this run (its public half at /keys).
    #[arg(long, value_name = "STANDIN_KEY", conflicts_with = "production")]
    pub iadvize_key: Option<PathBuf>,

    /// Encrypt to iAdvize's production key (built in), for QA on a staging site with the real
    /// tag: the tokens then sign in to iAdvize. Needs --key; only on a loopback address;
    /// /verify cannot open such tokens.
    #[arg(long, requires = "key")]
    pub production: bool,

    /// A web origin allowed to call this server from a browser (CORS), e.g.
    /// https://staging.example.com (repeatable; never `*`).
    #[arg(long, value_name = "URL")]
    pub allow_origin: Vec<String>,

    /// A host name accepted in the Host header besides localhost and loopback addresses
    /// (repeatable): the name the page uses to reach this server.
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,

    #[command(flatten)]
    pub ttl: TtlArgs,

    /// A secret (first line of FILE, at least 16 characters) that /token, /verify and /requests
    /// then require as `Authorization: Bearer SECRET`. Required off loopback.
    #[arg(long, value_name = "FILE")]
    pub access_token_file: Option<PathBuf>,

    /// Format of the request log on standard error: one line per request, never a token or a
    /// key.
    #[arg(long, value_enum, ignore_case = true, value_name = "FORMAT", default_value_t = LogFormat::Text)]
    pub log: LogFormat,

    /// Write the `{"event":"listening",...}` line to FILE instead of standard output, once the
    /// server accepts connections.
    #[arg(long, value_name = "PATH")]
    pub ready_file: Option<PathBuf>,

    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// One human-readable line per request.
    Text,
    /// One JSON object per request (JSON Lines).
    Json,
}

/// Print a shell completion script.
///
/// The scripts are also in the source tree, under completions/. Install the one for your shell
/// where it looks for completions (see the examples), then open a new shell.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth completions bash > ~/.local/share/bash-completion/completions/iadvize-auth
  iadvize-auth completions zsh > ~/.zfunc/_iadvize-auth
  iadvize-auth completions fish > ~/.config/fish/completions/iadvize-auth.fish")]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print a man page (roff) on standard output: the overview, or one verb's page.
///
/// The pages are also in the source tree, under docs/man/.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  iadvize-auth man mint | man -l -
  mkdir -p ~/.local/share/man/man1 && iadvize-auth man > ~/.local/share/man/man1/iadvize-auth.1
  iadvize-auth man keygen > ~/.local/share/man/man1/iadvize-auth-keygen.1")]
pub(crate) struct ManArgs {
    /// The verb whose page to print; none for the overview page.
    #[arg(
        value_name = "VERB",
        value_parser = PossibleValuesParser::new(crate::commands::man::VERBS)
    )]
    pub verb: Option<String>,
}
