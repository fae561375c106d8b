//! `completions`: shell completion scripts generated from the command-line definition.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Outcome;
use crate::cli::{Cli, CompletionsArgs};

/// The program's name, as shells see it.
const BIN: &str = "iadvize-auth";

pub(super) fn run(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, BIN, &mut out);
    if args.shell == Shell::Bash {
        let script = bash_labels_as_dispatched(&String::from_utf8_lossy(&out));
        out = bash_with_at_files(&script).into_bytes();
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

/// The function clap_complete names for the program, and the one that wraps it.
const BASH_FUNCTION: &str = "_iadvize__auth";
const BASH_WRAPPER: &str = "_iadvize__auth_at_files";

/// `inspect @FILE` reads FILE: after `@`, bash offers file names (a folder with its `/`), which
/// clap_complete cannot know. A function wraps the generated one and takes its place in the
/// `complete` lines.
fn bash_with_at_files(script: &str) -> String {
    let registered = format!("complete -F {BASH_FUNCTION} ");
    let mut out = script.replace(&registered, &format!("complete -F {BASH_WRAPPER} "));
    out.push_str(&format!(
        r#"
# `inspect @FILE` and `decode @FILE` read FILE: after the `@`, the file names.
{BASH_WRAPPER}() {{
    {BASH_FUNCTION} "$@"
    local cur="${{COMP_WORDS[COMP_CWORD]}}" word path
    [[ "$cur" == @* ]] || return 0
    for word in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$word" in
            inspect|decode)
                local IFS=$'
'
                COMPREPLY=()
                for path in $(compgen -f -- "${{cur#@}}"); do
                    if [[ -d "$path" ]]; then
                        COMPREPLY+=("@$path/")
                    else
                        COMPREPLY+=("@$path")
                    fi
                done
                if [[ ${{#COMPREPLY[@]}} -eq 1 && "${{COMPREPLY[0]}}" == */ ]]; then
                    compopt -o nospace 2>/dev/null || true
                fi
                return 0
                ;;
        esac
    done
}}
"#
    ));
    out
}
