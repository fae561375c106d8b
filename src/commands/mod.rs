//! One module per verb, each with one `run` entry point.

mod completions;
mod input;
mod inspect;
mod keygen;
pub(crate) mod man;
mod mint;
mod passphrase;
mod pubkey;
mod serve;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Exit code when a check failed (`inspect`).
pub(crate) const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code for bad usage or input that cannot be used; clap uses it for usage errors too.
pub(crate) const EXIT_UNUSABLE: u8 = 2;
/// Exit code when `inspect` cannot tell whether the token is accepted.
pub(crate) const EXIT_CANNOT_TELL: u8 = 3;

/// How a command that ran to the end went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    /// The command did its job and found a problem to report (exit 1).
    ChecksFailed,
    /// The command did its job and cannot tell (exit 3): `inspect` without the key that decides.
    CannotTell,
}

impl Outcome {
    pub(crate) fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::ChecksFailed => ExitCode::from(EXIT_CHECK_FAILED),
            Outcome::CannotTell => ExitCode::from(EXIT_CANNOT_TELL),
        }
    }
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let outcome = match cli.command {
        Command::Keygen(args) => keygen::run(args),
        Command::Pubkey(args) => pubkey::run(args),
        Command::Mint(args) => mint::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    passphrase::forget_passphrase_files();
    outcome
}
