//! `iadvize-auth`: parse the command line, run the command, turn the result into an exit code.

mod cli;
mod commands;
mod memory;
mod output;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: memory::WipeOnFree = memory::WipeOnFree;

fn main() -> ExitCode {
    iadvize_auth::openssl_setup::setup();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", output::escape_untrusted(&format!("{err:#}")));
            ExitCode::from(commands::EXIT_UNUSABLE)
        }
    }
}
