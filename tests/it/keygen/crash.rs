//! Key files and crashes: `keygen` killed (SIGKILL) at each step that changes a name on disk or
//! flushes a file, with and without `--force`, leaves no temporary file and never a private key
//! without its own public key; and `--force` checks that both files can be replaced before it
//! replaces either. Steps are found and held with strace's syscall delay injection.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// The calls a kill is injected at: every change of a name in a folder, and every flush.
const STEPS: &[&str] = &[
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "unlink",
    "unlinkat",
    "mkdir",
    "mkdirat",
    "fsync",
    "fdatasync",
];

/// Runs `iadvize-auth ARGS` in the sandbox under strace, holds its `n`-th call of `syscall`
/// for a minute and kills the process with SIGKILL while it is held. Returns false when the
/// command made fewer such calls than that (it ran to the end).
fn killed_at(sb: &Sandbox, args: &[&str], syscall: &str, n: usize) -> bool {
    let log = sb.join(&format!("strace-{syscall}-{n}.log"));
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let mut strace = Command::new("strace")
        .args(["-f", "-qq", "--seccomp-bpf", "-o"])
        .arg(&log)
        .args(["-e", &format!("trace={syscall}")])
        .args([
            "-e",
            &format!("inject={syscall}:delay_enter=60000000:when={n}"),
        ])
        .arg(&bin)
        .args(args)
        .current_dir(sb.path())
        .env_remove("IADVIZE_AUTH_PASSPHRASE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strace runs (scripts/test installs it)");
    let deadline = Instant::now() + Duration::from_secs(50);
    let call = format!(" {syscall}(");
    loop {
        if let Some(status) = strace.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            strace
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            assert!(status.success(), "strace or keygen failed: {err}");
            let _ = std::fs::remove_file(&log);
            return false;
        }
        // strace writes a call's line when the call starts, before the delay.
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let calls: Vec<&str> = text.lines().filter(|line| line.contains(&call)).collect();
        if calls.len() >= n {
            let pid = calls[n - 1].split_whitespace().next().unwrap();
            let killed = Command::new("kill").args(["-KILL", pid]).status().unwrap();
            assert!(killed.success(), "kill {pid} at {syscall} {n}:\n{text}");
            // strace itself would sit out the delay: it goes too, and the killed process,
            // held in the call, never makes it.
            strace.kill().unwrap();
            strace.wait().unwrap();
            wait_until_dead(pid);
            let _ = std::fs::remove_file(&log);
            return true;
        }
        assert!(
            Instant::now() < deadline,
            "no {syscall} {n} in 50 s:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until process `pid` has ended (gone, or a zombie nobody reaps).
fn wait_until_dead(pid: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return,
            Ok(stat)
                if stat
                    .rsplit(')')
                    .next()
                    .is_some_and(|s| s.trim_start().starts_with('Z')) =>
            {
                return;
            }
            Ok(_) => {}
        }
        assert!(
            Instant::now() < deadline,
            "process {pid} still runs after SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kills `keygen ARGS` at each call of [`STEPS`] in turn, after `prepare` each time, and
/// checks what each crash left with `check` (given where it was killed). Returns how many
/// runs were killed.
fn kill_at_every_step(
    sb: &Sandbox,
    args: &[&str],
    mut prepare: impl FnMut(),
    mut check: impl FnMut(&str),
) -> usize {
    let mut kills = 0;
    for syscall in STEPS {
        for n in 1.. {
            prepare();
            if !killed_at(sb, args, syscall, n) {
                break;
            }
            kills += 1;
            check(&format!("{syscall} #{n}"));
        }
    }
    kills
}

/// The names in `dir` (none when it does not exist), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// What a crash may leave in `k`: nothing, the public key alone, or a whole matching pair —
/// never a temporary file, never a private key without its public key. Returns the names.
#[track_caller]
fn assert_crash_left_no_secret_and_no_mismatch(sb: &Sandbox, step: &str) -> Vec<String> {
    let dir = sb.join("k");
    let names = names(&dir);
    let pair = ["private-key.pem", "public-key.pem"];
    assert!(
        names.is_empty() || names == ["public-key.pem"] || names == pair,
        "killed at step {step}: the folder holds {names:?}"
    );
    if names == pair {
        let public_of_private =
            openssl(&["pkey", "-in", "k/private-key.pem", "-pubout"], sb.path());
        assert_eq!(
            public_of_private,
            std::fs::read(dir.join("public-key.pem")).unwrap(),
            "killed at step {step}: the public key is not the private key's"
        );
    }
    names
}

#[test]
fn keygen_killed_at_any_step_leaves_no_temporary_file_and_no_private_key_alone() {
    let sb = Sandbox::new();
    let mut outcomes = Vec::new();
    let kills = kill_at_every_step(
        &sb,
        &["keygen", "--out-dir", "k"],
        || {
            let _ = std::fs::remove_dir_all(sb.join("k"));
        },
        |step| {
            let left = assert_crash_left_no_secret_and_no_mismatch(&sb, step);
            if left == ["public-key.pem"] {
                // An interrupted run is recognised as one by the next.
                let again = run(sb.cmd().args(["keygen", "--out-dir", "k"]));
                assert_refused(
                    &again,
                    &[
                        "k/public-key.pem",
                        "without a private key beside it",
                        "--force",
                    ],
                );
            }
            outcomes.push(left);
        },
    );
    // Killed before the folder, before each file's name, and between the two names.
    assert!(kills >= 4, "{outcomes:?}");
    assert!(outcomes.iter().any(|left| left.is_empty()), "{outcomes:?}");
    assert!(
        outcomes.iter().any(|left| left == &["public-key.pem"]),
        "{outcomes:?}"
    );
}

#[test]
fn keygen_force_killed_at_any_step_never_leaves_a_mismatched_pair() {
    let sb = Sandbox::new();
    let old_public = std::cell::RefCell::new(Vec::new());
    let mut outcomes = Vec::new();
    let kills = kill_at_every_step(
        &sb,
        &["keygen", "--out-dir", "k", "--force"],
        || {
            // A pair to replace before each run.
            let _ = std::fs::remove_dir_all(sb.join("k"));
            assert_exit(&run(sb.cmd().args(["keygen", "--out-dir", "k"])), 0);
            *old_public.borrow_mut() = std::fs::read(sb.join("k/public-key.pem")).unwrap();
        },
        |step| {
            let left = assert_crash_left_no_secret_and_no_mismatch(&sb, step);
            let public = std::fs::read(sb.join("k/public-key.pem")).ok();
            outcomes.push((left, public.as_ref() == Some(&*old_public.borrow())));
        },
    );
    assert!(kills >= 4, "{outcomes:?}");
    // Killed before anything was replaced, and once the old private key was gone.
    let (pair, alone) = (2, 1);
    assert!(
        outcomes
            .iter()
            .any(|(left, old)| left.len() == pair && *old),
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|(left, old)| left.len() == alone && *old),
        "{outcomes:?}"
    );
}

/// The command as `uid` (with its own group), through setpriv; the tests run as root.
fn as_user(sb: &Sandbox, uid: u32, args: &[&str]) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", &uid.to_string(), "--regid", &uid.to_string()])
        .args(["--clear-groups", "--"])
        .arg(assert_cmd::cargo::cargo_bin("iadvize-auth"))
        .args(args)
        .current_dir(sb.path())
        .env_remove("IADVIZE_AUTH_PASSPHRASE");
    cmd
}

#[test]
fn force_checks_both_files_can_be_replaced_before_replacing_either() {
    if !running_as_root() {
        eprintln!("skipped: making another user's file needs root");
        return;
    }
    const ME: u32 = 65534;
    const SOMEONE_ELSE: u32 = 54321;
    let sb = Sandbox::new();
    set_mode(sb.path(), 0o755);
    // A shared folder, as /tmp is: anyone may create files, only owners remove them.
    let shared = sb.join("shared");
    std::fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    assert_exit(
        &run(&mut as_user(&sb, ME, &["keygen", "--out-dir", "shared"])),
        0,
    );
    let private_before = std::fs::read(shared.join("private-key.pem")).unwrap();
    // Another user's symlink where the public key is.
    std::fs::remove_file(shared.join("public-key.pem")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", shared.join("public-key.pem")).unwrap();
    std::os::unix::fs::lchown(
        shared.join("public-key.pem"),
        Some(SOMEONE_ELSE),
        Some(SOMEONE_ELSE),
    )
    .unwrap();

    let out = run(&mut as_user(
        &sb,
        ME,
        &["keygen", "--out-dir", "shared", "--force"],
    ));
    assert_refused(
        &out,
        &[
            "shared/public-key.pem",
            "cannot be replaced",
            "another user (uid 54321)",
            "nothing was written",
        ],
    );
    assert_eq!(
        std::fs::read(shared.join("private-key.pem")).unwrap(),
        private_before,
        "the private key was not replaced"
    );
    assert_eq!(
        names(&shared),
        ["private-key.pem", "public-key.pem"],
        "nothing else written"
    );
}
