//! `completions` and `man`: artefacts generated from the command-line definition.

use std::io::Write;

use clap::CommandFactory;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs, ManArgs};

pub fn run_completions(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "iadvize-auth", &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(Outcome::Success)
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
