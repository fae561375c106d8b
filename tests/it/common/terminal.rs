//! The tool on a real pseudo-terminal: prompts answered as a person types, and the width of
//! the window it runs in.

use std::process::Command;

use serde_json::Value;

use super::{Sandbox, assert_exit, run};

/// Runs the tool on a pseudo-terminal (its controlling terminal, so that the prompt reads from
/// it), answering each prompt in `answers` once it appears. Returns everything the terminal
/// showed (its line ends are `\r\n`) and the exit code, 100 columns wide.
pub(crate) fn on_terminal(sb: &Sandbox, args: &[&str], answers: &[(&str, &str)]) -> (String, i32) {
    on_terminal_sized(sb, args, answers, 100)
}

/// As [`on_terminal`], on a terminal `columns` wide.
pub(crate) fn on_terminal_sized(
    sb: &Sandbox,
    args: &[&str],
    answers: &[(&str, &str)],
    columns: u16,
) -> (String, i32) {
    const DRIVER: &str = r#"
import fcntl, json, os, pty, select, struct, sys, termios, time
argv, answers, columns = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    os.execv(argv[0], argv)
seen = b""
def read_more(deadline):
    global seen
    ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if not ready:
        return False
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b""
    seen += chunk
    return bool(chunk)
at = 0
for prompt, answer in answers:
    deadline = time.time() + 30
    while prompt.encode() not in seen[at:]:
        if not read_more(deadline):
            sys.stderr.write("no prompt %r; the terminal showed %r\n" % (prompt, seen))
            os.kill(pid, 9)
            sys.exit(90)
    at = seen.index(prompt.encode(), at) + len(prompt)
    # The prompt is written before echo is turned off: answer once the terminal hides input,
    # as a person typing after the prompt would be.
    while termios.tcgetattr(fd)[3] & termios.ECHO:
        if time.time() > deadline:
            sys.stderr.write("echo never turned off; the terminal showed %r\n" % seen)
            os.kill(pid, 9)
            sys.exit(91)
        time.sleep(0.005)
    os.write(fd, answer.encode() + b"\r")
deadline = time.time() + 60
while read_more(deadline):
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"seen": seen.decode("utf-8", "replace"), "code": os.waitstatus_to_exitcode(status)}))
"#;
    let bin = assert_cmd::cargo::cargo_bin("iadvize-auth");
    let mut argv = vec![bin.to_str().expect("utf-8 path").to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let answers: Vec<[&str; 2]> = answers.iter().map(|(p, a)| [*p, *a]).collect();
    let mut cmd = Command::new("python3");
    cmd.args(["-c", DRIVER])
        .arg(serde_json::to_string(&argv).unwrap())
        .arg(serde_json::to_string(&answers).unwrap())
        .arg(columns.to_string())
        .current_dir(sb.path())
        .env_remove("IADVIZE_AUTH_PASSPHRASE")
        .env_remove("IADVIZE_AUTH_KEY")
        .env("NO_COLOR", "1");
    let out = run(&mut cmd);
    assert_exit(&out, 0);
    let result: Value = serde_json::from_slice(&out.stdout).expect("driver JSON");
    (
        result["seen"].as_str().unwrap().to_string(),
        i32::try_from(result["code"].as_i64().unwrap()).unwrap(),
    )
}
