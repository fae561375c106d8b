//! `completions` and `man`: artefacts generated from the command-line definition.

use std::io::Write;

use clap::CommandFactory;

use clap_complete::Shell;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs, ManArgs};

/// The program's name, as shells see it.
const BIN: &str = "iadvize-auth";

pub fn run_completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
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

pub fn run_man(args: ManArgs) -> anyhow::Result<Outcome> {
    let top = Cli::command();
    let page = match &args.verb {
        None => clap_mangen::Man::new(top),
        Some(verb) => {
            let sub = top
                .find_subcommand(verb)
                .ok_or_else(|| anyhow::anyhow!("no verb named '{verb}'"))?
                .clone();
            let title = format!("iadvize-auth-{verb}");
            clap_mangen::Man::new(
                sub.name(title.clone())
                    .bin_name(format!("iadvize-auth {verb}")),
            )
            .title(title)
        }
    };
    let mut out = Vec::new();
    page.render(&mut out)?;
    std::io::stdout().lock().write_all(&out)?;
    Ok(Outcome::Success)
}
