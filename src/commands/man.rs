//! `man`: manual pages from the command-line definition. clap_mangen renders NAME,
//! DESCRIPTION and the options; the rest is written here: a SYNOPSIS that shows each option's
//! value, the verbs of the overview (without `help`, which has no page), EXIT STATUS,
//! ENVIRONMENT, FILES, the examples of `--help` kept verbatim (no filling, no hyphenation, so
//! they can be pasted), and SEE ALSO.

use std::io::Write;

use clap::{Arg, ArgAction, CommandFactory};
use roff::{Roff, bold, roman};

use super::Outcome;
use crate::cli::{Cli, ManArgs};

/// The verbs that have a page, in the order the overview lists them.
pub(crate) const VERBS: &[&str] = &[
    "keygen",
    "pubkey",
    "mint",
    "inspect",
    "serve",
    "completions",
    "man",
];
/// The verbs a verb's page refers to.
const MAIN_VERBS: &[&str] = &["keygen", "pubkey", "mint", "inspect", "serve"];

/// A name and what it means: one entry of EXIT STATUS, ENVIRONMENT or FILES.
type Entry = (&'static str, &'static str);

const USAGE_ERROR: Entry = (
    "2",
    "Bad usage, or input that cannot be used; one line starting with error: says which input \
     and what to do.",
);
const INTERRUPTED: Entry = ("130", "Interrupted (Ctrl-C).");

const PASSPHRASE_ENV: Entry = (
    "IADVIZE_AUTH_PASSPHRASE",
    "The passphrase of every encrypted key that has no passphrase file of its own. Meant for CI \
     jobs: it is inherited by child processes and readable in /proc by the same user.",
);

/// What a page says beyond the command-line definition.
struct Facts {
    exit: &'static [Entry],
    environment: &'static [Entry],
    files: &'static [Entry],
}

fn facts(verb: Option<&str>) -> Facts {
    match verb {
        None => Facts {
            exit: &[
                (
                    "0",
                    "Success; inspect: the recipient its verdict names accepts the token.",
                ),
                (
                    "1",
                    "inspect: the token is rejected, or breaks iAdvize's documented rules; pubkey \
                     --expect-fingerprint: the key is not the one expected.",
                ),
                USAGE_ERROR,
                (
                    "3",
                    "inspect: cannot tell (what decides was not checked, or --decrypt-key does \
                     not open the token).",
                ),
                INTERRUPTED,
            ],
            environment: &[
                PASSPHRASE_ENV,
                (
                    "IADVIZE_AUTH_KEY",
                    "mint: the brand's private key, when --key is not given.",
                ),
                (
                    "NO_COLOR",
                    "inspect: set and not empty, no colour in the report.",
                ),
            ],
            files: &[(
                "iadvize-keys/",
                "The folder keygen writes the brand's key pair to by default.",
            )],
        },
        Some("keygen") => Facts {
            exit: &[
                ("0", "The key pair was written."),
                (
                    "2",
                    "Bad usage, or input that cannot be used: a key file already there (without \
                     --force), a passphrase given without --encrypt, a passphrase that cannot \
                     be read or whose two entries differed three times, a failed write. Nothing \
                     is left half-written.",
                ),
            ],
            environment: &[(
                "IADVIZE_AUTH_PASSPHRASE",
                "With --encrypt, the passphrase of the new key when --passphrase-file is not \
                 given. Refused without --encrypt.",
            )],
            files: &[
                (
                    "DIR/private-key.pem",
                    "The private key: PKCS#8 PEM, encrypted with --encrypt (scrypt, \
                     AES-256-CBC), mode 0600.",
                ),
                (
                    "DIR/public-key.pem",
                    "The public key to send to iAdvize: BEGIN PUBLIC KEY PEM, mode 0644.",
                ),
                (
                    "iadvize-keys/",
                    "The default DIR, created with mode 0700 when missing.",
                ),
            ],
        },
        Some("pubkey") => Facts {
            exit: &[
                (
                    "0",
                    "The public key was printed, or with --expect-fingerprint it matched.",
                ),
                (
                    "1",
                    "With --expect-fingerprint: neither fingerprint of the key starts with HEX.",
                ),
                USAGE_ERROR,
            ],
            environment: &[PASSPHRASE_ENV],
            files: &[],
        },
        Some("mint") => Facts {
            exit: &[
                (
                    "0",
                    "Every token was printed (a closed output pipe also ends quietly).",
                ),
                (
                    "2",
                    "Bad usage, or input that cannot be used: a key that cannot be read or \
                     opened, an invalid user id or claim. A batch is checked whole before the \
                     first token is printed.",
                ),
                INTERRUPTED,
            ],
            environment: &[
                (
                    "IADVIZE_AUTH_KEY",
                    "The brand's private key, when --key is not given.",
                ),
                PASSPHRASE_ENV,
            ],
            files: &[],
        },
        Some("inspect") => Facts {
            exit: &[
                (
                    "0",
                    "The recipient the verdict names accepts the token, and it keeps iAdvize's \
                     documented rules (warnings allowed).",
                ),
                (
                    "1",
                    "The token is rejected, or a check failed (it breaks iAdvize's documented \
                     rules).",
                ),
                USAGE_ERROR,
                (
                    "3",
                    "Cannot tell: what decides was not checked (no key to open the token or to \
                     verify its signature), or --decrypt-key does not open the token (it may be \
                     for production or for another stand-in). Of several tokens, the worst \
                     answer wins: 1 over 3 over 0.",
                ),
                INTERRUPTED,
            ],
            environment: &[
                PASSPHRASE_ENV,
                (
                    "NO_COLOR",
                    "Set and not empty: no colour in the report (--color always overrides it).",
                ),
            ],
            files: &[],
        },
        Some("serve") => Facts {
            exit: &[
                (
                    "0",
                    "Stopped by Ctrl-C or SIGTERM, after the requests in flight finished.",
                ),
                (
                    "2",
                    "Bad usage, or a server that cannot start: --production off loopback, a \
                     non-loopback --listen without --access-token-file, an address in use, a \
                     key that cannot be read or opened.",
                ),
            ],
            environment: &[
                (
                    "IADVIZE_AUTH_KEY",
                    "The brand's private key, when --key is not given.",
                ),
                PASSPHRASE_ENV,
            ],
            files: &[
                (
                    "--ready-file PATH",
                    "Written whole once the server listens: one JSON line with its URL.",
                ),
                (
                    "--access-token-file FILE",
                    "The bearer secret that requests must carry off loopback.",
                ),
            ],
        },
        Some("completions") => Facts {
            exit: &[("0", "The script was printed."), USAGE_ERROR],
            environment: &[],
            files: &[
                (
                    "~/.local/share/bash-completion/completions/iadvize-auth",
                    "Where bash-completion looks for the bash script of the current user.",
                ),
                (
                    "~/.zfunc/_iadvize-auth",
                    "The zsh script, in a folder of zsh's fpath: for ~/.zfunc, add \
                     fpath+=(~/.zfunc) before compinit in ~/.zshrc.",
                ),
                (
                    "~/.config/fish/completions/iadvize-auth.fish",
                    "Where fish looks for completions of the current user.",
                ),
            ],
        },
        Some(_) => Facts {
            exit: &[("0", "The page was printed."), USAGE_ERROR],
            environment: &[],
            files: &[(
                "~/.local/share/man/man1/",
                "Where man finds the pages of the current user.",
            )],
        },
    }
}

pub(crate) fn run(args: ManArgs) -> anyhow::Result<Outcome> {
    let mut top = Cli::command();
    top.build();
    let verb = args.verb.as_deref();
    let (command, title) = match verb {
        None => (top, "iadvize-auth".to_string()),
        Some(verb) => {
            let sub = VERBS
                .contains(&verb)
                .then(|| top.find_subcommand(verb))
                .flatten()
                .ok_or_else(|| {
                    anyhow::anyhow!("no verb named '{verb}'; the verbs are {}", VERBS.join(", "))
                })?
                .clone();
            let title = format!("iadvize-auth-{verb}");
            let sub = sub
                .name(title.clone())
                .bin_name(format!("iadvize-auth {verb}"));
            (sub, title)
        }
    };
    let page = render(&command, &title, verb)?;
    std::io::stdout().lock().write_all(page.as_bytes())?;
    Ok(Outcome::Success)
}

fn render(command: &clap::Command, title: &str, verb: Option<&str>) -> anyhow::Result<String> {
    let man = clap_mangen::Man::new(command.clone());
    let generated = |render: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut out = Vec::new();
        render(&mut out).map(|()| String::from_utf8_lossy(&out).into_owned())
    };
    let facts = facts(verb);

    // The string definitions roff output starts with, then a title line with an empty date
    // (clap_mangen would drop the empty argument, shifting the source into its place).
    let mut page: String = generated(&|w| man.render_title(w))?
        .lines()
        .filter(|line| !line.starts_with(".TH"))
        .map(|line| format!("{line}\n"))
        .collect();
    page.push_str(&format!(
        ".TH {} 1 \"\" \"iadvize-auth {}\" \"User Commands\"\n",
        title.to_uppercase(),
        env!("CARGO_PKG_VERSION")
    ));
    // Left-aligned and never hyphenated: what is shown can be copied as it is.
    page.push_str(".ad l\n.nh\n");
    page.push_str(&body(&generated(&|w| man.render_name_section(w))?));
    page.push_str(&synopsis(command));
    page.push_str(&body(&generated(&|w| man.render_description_section(w))?));
    page.push_str(&body(&generated(&|w| man.render_options_section(w))?));
    let mut rest = Roff::new();
    if verb.is_none() {
        verbs(&mut rest, command);
    }
    entries(&mut rest, "EXIT STATUS", facts.exit);
    entries(&mut rest, "ENVIRONMENT", facts.environment);
    entries(&mut rest, "FILES", facts.files);
    examples(&mut rest, command);
    see_also(&mut rest, verb);
    page.push_str(&rest.to_roff());
    Ok(page)
}

/// A piece rendered by clap_mangen without the string definitions each piece starts with
/// (the title piece keeps them for the whole page).
fn body(piece: &str) -> String {
    piece
        .lines()
        .filter(|line| !line.starts_with(".ie \\n(.g .ds Aq") && !line.starts_with(".el .ds Aq"))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// `iadvize-auth mint --key PRIVATE_KEY [--key-kid KID] … [--json]`: every option with its
/// value, in the order of --help, required ones without brackets, repeatable ones with `...`.
/// Written as roff directly, so that an option and its value are joined by unbreakable spaces.
fn synopsis(command: &clap::Command) -> String {
    let name = command.get_bin_name().unwrap_or_else(|| command.get_name());
    let mut line = format!("\\fB{}\\fR", escape(name));
    let shown = command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set())
        .filter(|arg| !matches!(arg.get_action(), ArgAction::Help | ArgAction::Version));
    for arg in shown {
        let value = value_name(arg).map(|v| format!("\\fI{}\\fR", escape(&v)));
        let mut item = match (arg.get_long(), value) {
            (Some(long), Some(value)) => format!("\\fB\\-\\-{}\\fR\\ {value}", escape(long)),
            (Some(long), None) => format!("\\fB\\-\\-{}\\fR", escape(long)),
            (None, value) => value.unwrap_or_default(),
        };
        if !arg.is_required_set() {
            item = format!("[{item}]");
        }
        if matches!(arg.get_action(), ArgAction::Append) {
            item.push_str("...");
        }
        line.push(' ');
        line.push_str(&item);
    }
    if command.has_subcommands() {
        line.push_str(" \\fIVERB\\fR [\\fIOPTIONS\\fR]");
    }
    format!(".SH SYNOPSIS\n{line}\n")
}

/// Text for a roff line: backslashes and hyphens escaped (a line never starts with `.` here).
fn escape(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// The value an option takes, or the name of a positional argument; none for a flag.
fn value_name(arg: &Arg) -> Option<String> {
    if !arg.get_action().takes_values() {
        return None;
    }
    Some(match arg.get_value_names() {
        Some(names) => names
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    })
}

/// The overview's list of verbs, each with its page.
fn verbs(roff: &mut Roff, command: &clap::Command) {
    roff.control("SH", ["VERBS"]);
    for verb in VERBS {
        let Some(sub) = command.find_subcommand(verb) else {
            continue;
        };
        roff.control("TP", []);
        roff.text([bold(*verb), roman(format!(" (iadvize-auth-{verb}(1))"))]);
        if let Some(about) = sub.get_about() {
            roff.text([roman(about.to_string())]);
        }
    }
}

fn entries(roff: &mut Roff, heading: &str, entries: &[Entry]) {
    if entries.is_empty() {
        return;
    }
    roff.control("SH", [heading]);
    for (name, meaning) in entries {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*meaning)]);
    }
}

/// The command lines under `Examples:` in the command's after-help text, shown as they are.
fn examples(roff: &mut Roff, command: &clap::Command) {
    let after = command
        .get_after_help()
        .map(|text| text.to_string())
        .unwrap_or_default();
    let lines: Vec<&str> = after
        .lines()
        .skip_while(|line| line.trim() != "Examples:")
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .map(str::trim)
        .collect();
    if lines.is_empty() {
        return;
    }
    roff.control("SH", ["EXAMPLES"]);
    roff.control("RS", ["4"]);
    roff.control("nf", []);
    for line in lines {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff.control("RE", []);
}

fn see_also(roff: &mut Roff, verb: Option<&str>) {
    let pages: Vec<String> = match verb {
        None => VERBS
            .iter()
            .map(|v| format!("iadvize-auth-{v}(1)"))
            .collect(),
        Some(verb) => std::iter::once("iadvize-auth(1)".to_string())
            .chain(
                MAIN_VERBS
                    .iter()
                    .filter(|other| **other != verb)
                    .map(|other| format!("iadvize-auth-{other}(1)")),
            )
            .collect(),
    };
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(pages.join(", "))]);
    roff.control("PP", []);
    roff.text([roman(
        "The guide (docs/guide.md) and the command-line reference (docs/cli.md) in the \
         iadvize-auth sources.",
    )]);
}
