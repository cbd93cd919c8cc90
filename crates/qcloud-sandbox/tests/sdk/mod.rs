//! The official SDKs' side of the SDK tier: a virtual environment with the versions pinned in
//! `sdk/requirements.txt`, made once under the target directory (a lock directory keeps
//! parallel tests and test processes from racing), and the driver scripts of `sdk/` run in it
//! with a JSON plan on stdin and JSON results on stdout.
//!
//! Nothing here skips: without Python 3, its `venv` module, pip, or PyPI, the tests fail with
//! a message saying what to install.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use serde_json::Value;

/// How long another process may hold the lock before it is taken as abandoned.
const STALE_LOCK: Duration = Duration::from_secs(15 * 60);

/// The crate's `sdk/` directory: requirements and driver scripts.
pub fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk")
}

/// The Python of the virtual environment with the pinned SDKs, made on first use.
pub fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(prepare)
}

/// Runs `script` (in `sdk/`) with `plan` on stdin; its stdout as JSON.
pub fn run(script: &str, plan: &Value) -> Value {
    let mut child = Command::new(python())
        .arg(sdk_dir().join(script))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {script} with {}: {e}", python().display()));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(plan.to_string().as_bytes()).expect("the driver reads its plan");
    drop(stdin);
    let output = child.wait_with_output().expect("the driver ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{script} failed ({}):\n{}", output.status, text(&output));
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{}", text(&output)))
}

fn text(output: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Makes the virtual environment unless one with the same requirements is there.
fn prepare() -> PathBuf {
    let requirements = std::fs::read_to_string(sdk_dir().join("requirements.txt"))
        .expect("sdk/requirements.txt is readable");
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("official-sdk-venv");
    let python = venv.join("bin").join("python");
    let stamp = venv.join("installed-requirements.txt");
    let ready = || std::fs::read_to_string(&stamp).is_ok_and(|done| done == requirements);
    if ready() {
        return python;
    }
    let lock = Lock::take(&venv.with_extension("lock"));
    if !ready() {
        create(&venv, &requirements);
        std::fs::write(&stamp, &requirements).expect("the stamp is written");
    }
    drop(lock);
    python
}

fn create(venv: &Path, requirements: &str) {
    if venv.exists() {
        std::fs::remove_dir_all(venv).expect("an outdated virtual environment is removed");
    }
    let made = Command::new("python3").arg("-m").arg("venv").arg(venv).output();
    let made = match made {
        Ok(output) if output.status.success() => output,
        Ok(output) => missing(&format!("`python3 -m venv` failed:\n{}", text(&output))),
        Err(error) => missing(&format!("`python3` cannot be run: {error}")),
    };
    drop(made);
    let pip = Command::new(venv.join("bin").join("python"))
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r"])
        .arg(sdk_dir().join("requirements.txt"))
        .output();
    match pip {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!(
            "pip could not install the official SDKs of sdk/requirements.txt, which must be \
             reachable on PyPI:\n{requirements}\n{}",
            text(&output)
        ),
        Err(error) => missing(&format!("pip cannot be run: {error}")),
    }
}

fn missing(what: &str) -> ! {
    panic!(
        "the official SDK tests need Python 3 with its venv module and pip (Debian: apt-get \
         install python3 python3-venv python3-pip), and PyPI reachable: {what}"
    )
}

/// A directory held as a lock across threads and processes; removed on drop.
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path) -> Self {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("the target directory can be written");
        }
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => return Self(path.to_owned()),
                Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = std::fs::remove_dir(path);
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(error) => panic!("cannot take the lock {}: {error}", path.display()),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}
