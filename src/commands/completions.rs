//! `completions`: shell completion scripts generated from the command-line definition.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs};

/// The program's name, as shells see it.
const BIN: &str = "iadvize-auth";

pub fn run(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, BIN, &mut out);
    if args.shell == Shell::Bash {
        out = bash_labels_as_dispatched(&String::from_utf8_lossy(&out)).into_bytes();
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(Outcome::Success)
}

/// clap_complete (up to 4.6.12 at least) writes the bash case labels of a hyphenated
/// program's verbs as `iadvize__subcmd__auth__subcmd__mint`, while the loop that reads the
/// command line arrives at `iadvize__auth__subcmd__mint` (clap-rs/clap#6421): no label
/// matches, so nothing completes after the verb. This spells the labels as the loop does, and
/// changes nothing once clap_complete does it itself.
fn bash_labels_as_dispatched(script: &str) -> String {
    script.replace(&BIN.replace('-', "__subcmd__"), &BIN.replace('-', "__"))
}
