//! Java test harnesses (tests/java/*.java): compiled with `javac` once per version of their
//! source and classpath into target/java/<hash>/, then run as one long-lived JVM that answers
//! one line per request line.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Debian's Gson 2.10, which Nimbus JOSE+JWT reads JSON with.
pub(crate) const GSON_JAR: &str = "/usr/share/java/gson.jar";
const INSTALL: &str =
    "install Java and Gson: apt-get install default-jdk-headless libgoogle-gson-java";

/// A running harness.
pub(crate) struct JavaHarness {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl JavaHarness {
    /// Compiles tests/java/CLASS.java against `classpath` (Gson is always on it) and starts it.
    pub(crate) fn start(class: &str, classpath: &[&Path]) -> Self {
        let mut jars: Vec<&Path> = vec![Path::new(GSON_JAR)];
        jars.extend_from_slice(classpath);
        let classes = compile(class, &jars);
        let mut path = std::env::join_paths(&jars).expect("classpath");
        path.push(":");
        path.push(&classes);
        let mut child = Command::new("java")
            .arg("-cp")
            .arg(path)
            .arg(class)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run java: {e}; {INSTALL}"));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        JavaHarness {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one request line, returns the answer line without its line break.
    pub(crate) fn ask(&mut self, request: &str) -> String {
        assert!(!request.contains('\n'), "a request is one line");
        writeln!(self.stdin, "{request}").expect("write to the Java harness");
        self.stdin.flush().expect("flush the Java harness");
        let mut answer = String::new();
        self.stdout
            .read_line(&mut answer)
            .expect("read from the Java harness");
        assert!(
            !answer.is_empty(),
            "the Java harness stopped answering ({:?})",
            self.child.try_wait()
        );
        answer.trim_end_matches('\n').to_owned()
    }
}

fn require_tool(tool: &str) {
    let works = Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(works, "`{tool} -version` does not run: {INSTALL}");
}

/// FNV-1a, to name the compiled harness after what it was built from.
fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}; {INSTALL}", path.display()))
}

/// Compiles tests/java/CLASS.java once per version of it and of the jars into
/// target/java/<hash>/; safe when several test processes start at once.
fn compile(class: &str, jars: &[&Path]) -> PathBuf {
    require_tool("java");
    require_tool("javac");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join(format!("tests/java/{class}.java"));
    let mut hash = fnv1a(&read(&source), 0xcbf2_9ce4_8422_2325);
    for jar in jars {
        hash = fnv1a(&read(jar), hash);
    }
    let java_dir = root.join("target/java");
    let classes = java_dir.join(format!("{hash:016x}"));
    let class_file = format!("{class}.class");
    if classes.join(&class_file).is_file() {
        return classes;
    }
    std::fs::create_dir_all(&java_dir).expect("create target/java");
    let build = tempfile::tempdir_in(&java_dir).expect("temp dir in target/java");
    let out = Command::new("javac")
        .args(["-encoding", "UTF-8", "-cp"])
        .arg(std::env::join_paths(jars).expect("classpath"))
        .arg("-d")
        .arg(build.path())
        .arg(&source)
        .output()
        .expect("javac runs");
    assert!(
        out.status.success(),
        "javac failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another process may have renamed its build into place first: the same class either way.
    if std::fs::rename(build.path(), &classes).is_err() {
        assert!(
            classes.join(&class_file).is_file(),
            "cannot move the build to {classes:?}"
        );
    }
    classes
}
