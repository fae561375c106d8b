//! The committed completion scripts complete what a user types: each test loads the file from
//! completions/ into the real shell, sets up the words of a command line as the shell would
//! after a Tab, calls the completion function and reads the candidates back. bash is always
//! there; the zsh tests run where zsh is installed and say so where it is not.

use std::path::Path;
use std::process::Command;

use crate::common::*;

fn committed(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

/// What bash offers for the last of `words` (an empty last word: the cursor after a space),
/// through the function `complete -p iadvize-auth` names, as bash would call it on Tab.
fn bash_candidates(words: &[&str]) -> Vec<String> {
    // An empty folder: file-name candidates, if any were offered, would be none.
    bash_candidates_in(&Sandbox::new(), words)
}

/// The same, in the folder of `sb`.
fn bash_candidates_in(sb: &Sandbox, words: &[&str]) -> Vec<String> {
    let script = r#"
source "$1" || exit 1
shift
spec=$(complete -p iadvize-auth) || exit 1
fn=$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<<"$spec")
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
"$fn" iadvize-auth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-c", script, "bash"])
        .arg(committed("iadvize-auth.bash"))
        .arg("iadvize-auth")
        .args(words)
        .current_dir(sb.path());
    let out = run(&mut cmd);
    assert_exit(&out, 0);
    let mut candidates: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    candidates.sort();
    candidates
}

/// The long options `VERB --help` lists, sorted.
fn long_options_in_help(verb: &str) -> Vec<String> {
    let sb = Sandbox::new();
    let out = run(sb.cmd().args([verb, "--help"]));
    assert_exit(&out, 0);
    let mut options: Vec<String> = stdout(&out)
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| {
            l.split([',', ' ', '='])
                .find(|w| w.starts_with("--"))
                .map(str::to_string)
        })
        .collect();
    options.sort();
    options.dedup();
    options
}

fn sorted(words: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    words.sort();
    words
}

#[test]
fn bash_completes_the_options_of_the_verb_typed() {
    for verb in ["mint", "inspect", "pubkey", "keygen"] {
        let offered = bash_candidates(&[verb, "--"]);
        let help = long_options_in_help(verb);
        assert!(help.len() > 3, "{verb} --help lists options: {help:?}");
        assert_eq!(
            offered, help,
            "`{verb} --<Tab>` offers {verb}'s long options"
        );
    }
    let offered = bash_candidates(&["mint", "--user-"]);
    assert_eq!(offered, sorted(&["--user-id", "--user-ids"]));
}

#[test]
fn bash_completes_the_values_of_an_option() {
    assert_eq!(
        bash_candidates(&["pubkey", "--format", ""]),
        sorted(&["pem", "base64", "jwk", "der", "fingerprint"])
    );
    assert_eq!(bash_candidates(&["pubkey", "--format", "b"]), ["base64"]);
    assert_eq!(
        bash_candidates(&["inspect", "--expect", ""]),
        sorted(&["jwe", "jws"])
    );
}

#[test]
fn bash_completes_the_verbs_man_has_pages_for() {
    // With the options (-h, --help …) that bash offers for an empty word anywhere.
    let verbs: Vec<String> = bash_candidates(&["man", ""])
        .into_iter()
        .filter(|word| !word.starts_with('-'))
        .collect();
    assert_eq!(verbs, sorted(VERBS));
    assert_eq!(bash_candidates(&["man", "m"]), sorted(&["man", "mint"]));
}

#[test]
fn bash_completes_the_file_after_an_at_sign() {
    let sb = Sandbox::new();
    sb.write("token.txt", "eyJ");
    sb.write("other.log", "");
    std::fs::create_dir(sb.join("tokens")).unwrap();
    sb.write("tokens/session.har", "{}");
    for verb in ["inspect", "decode"] {
        assert_eq!(
            bash_candidates_in(&sb, &[verb, "@t"]),
            sorted(&["@token.txt", "@tokens/"]),
            "{verb}"
        );
        assert_eq!(
            bash_candidates_in(&sb, &[verb, "--json", "@tokens/"]),
            ["@tokens/session.har"]
        );
    }
    assert_eq!(
        bash_candidates_in(&sb, &["inspect", "@"]),
        sorted(&["@other.log", "@token.txt", "@tokens/"])
    );
    // Elsewhere an `@` is no file name, and options still complete.
    assert!(bash_candidates_in(&sb, &["mint", "@t"]).is_empty());
    assert_eq!(bash_candidates_in(&sb, &["inspect", "--exp"]), ["--expect"]);
}

#[test]
fn bash_completes_the_verbs() {
    assert_eq!(bash_candidates(&["m"]), sorted(&["man", "mint"]));
    let all = bash_candidates(&[""]);
    for verb in ["keygen", "pubkey", "mint", "inspect", "completions", "man"] {
        assert!(all.contains(&verb.to_string()), "{verb} in {all:?}");
    }
}

/// Drives an interactive `zsh -f` on a pseudo-terminal (zsh's own zpty module): loads
/// compinit with the folder of the committed `_iadvize-auth` first on fpath, types the words
/// and a Tab, and prints each candidate zsh's completion system adds (a `compadd` wrapper
/// records them between markers that `compprefuncs` and `comppostfuncs` print).
const ZSH_DRIVER: &str = r#"
dir=$1; shift
zmodload zsh/zpty || exit 3
zpty shell zsh -f -i
setup=(
  "PROMPT=''; RPROMPT=''"
  "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
  "bindkey '^I' complete-word"
  "zstyle ':completion:*' list-grouped false"
  "zstyle ':completion:*' insert-tab false"
  "begin_marker() { print -r -- CANDIDATES-BEGIN }; end_marker() { print -r -- CANDIDATES-END }"
  "compprefuncs=(begin_marker); comppostfuncs=(end_marker)"
  'compadd() { if [[ ${(j: :)@} == *(-O|-A|-D)* ]]; then builtin compadd "$@"; return; fi; local -a found; builtin compadd -A found "$@"; local w; for w in $found; do print -r -- "CANDIDATE:$w"; done; }'
  "print -r -- SETUP-DONE"
)
for line in $setup; do zpty -w shell $line; done
out=''
while zpty -r shell chunk; do out+=$chunk; [[ $out == *SETUP-DONE$'\r\n'* ]] && break; done
zpty -w -n shell "${(j: :)@}"$'\t'
out=''
while zpty -r shell chunk; do out+=$chunk; [[ $out == *CANDIDATES-END* ]] && break; done
print -r -- ${out//$'\r'/} | sed -n 's/^CANDIDATE://p'
zpty -d shell
"#;

fn zsh_installed() -> bool {
    let found = Command::new("zsh")
        .args(["-f", "-c", "true"])
        .output()
        .is_ok();
    if !found {
        eprintln!("zsh is not installed: the zsh completion tests check nothing here");
    }
    found
}

/// What zsh offers for the last of `words` (empty: the cursor after a space).
fn zsh_candidates(words: &[&str]) -> Vec<String> {
    let empty = Sandbox::new();
    let mut cmd = Command::new("zsh");
    cmd.args(["-f", "-c", ZSH_DRIVER, "zsh"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions"))
        .arg("iadvize-auth")
        .args(words)
        .current_dir(empty.path())
        .env("TERM", "dumb");
    let out = run(&mut cmd);
    assert_exit(&out, 0);
    let mut candidates: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    candidates.sort();
    candidates.dedup();
    candidates
}

#[test]
fn zsh_completes_the_options_and_values_of_the_verb_typed() {
    if !zsh_installed() {
        return;
    }
    for verb in ["mint", "inspect", "pubkey"] {
        assert_eq!(
            zsh_candidates(&[verb, "--"]),
            long_options_in_help(verb),
            "`{verb} --<Tab>` offers {verb}'s long options"
        );
    }
    assert_eq!(
        zsh_candidates(&["pubkey", "--format", ""]),
        sorted(&["pem", "base64", "jwk", "der", "fingerprint"])
    );
    assert_eq!(zsh_candidates(&["m"]), sorted(&["man", "mint"]));
}
