//! The test harness shared by the CLI's end-to-end tests: an installation is a temporary
//! directory used as `EASEL_DATA_DIR` (and `HOME`), and commands run the real `easel` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

pub struct Install {
    pub dir: tempfile::TempDir,
    /// Extra environment for every command.
    pub env: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The `easel` command for the installation in `dir`. `EASEL_TEST_BIN` overrides the binary
/// cargo built, for worktrees that share one target directory (where another checkout's build
/// can replace `target/debug/easel` while a suite runs): copy the binary aside and point at it.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let bin = std::env::var_os("EASEL_TEST_BIN")
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_easel").into());
    let mut c = Command::new(bin);
    c.args(args)
        .env("EASEL_DATA_DIR", dir)
        .env("HOME", dir)
        .env("USER", "tester")
        .env_remove("XDG_DATA_HOME");
    c
}

impl Install {
    pub fn new() -> Install {
        Install {
            dir: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    /// An installation whose identity secret lives in `identity.key` (EASEL_KEY_STORE=file): a
    /// real key store that needs no keychain daemon, for tests about sharing rather than about
    /// the keychain (tests/keyring.rs covers the keychain backends).
    pub fn with_file_keys() -> Install {
        let mut i = Install::new();
        i.env.push(("EASEL_KEY_STORE".into(), "file".into()));
        i
    }

    /// The command for this installation, with its environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = command(self.dir.path(), args);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.cmd(args).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// Runs a command that must succeed quietly; returns stdout trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "easel {args:?} failed: {}\nstdout: {}",
            r.stderr, r.stdout
        );
        assert_eq!(r.stderr, "", "easel {args:?} wrote to stderr");
        r.stdout.trim().to_string()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let s = self.ok(&a);
        serde_json::from_str(&s).unwrap_or_else(|e| panic!("easel {args:?}: bad JSON {e}: {s}"))
    }

    /// Runs a command that must fail with `code` and exactly one `easel: ` line on stderr and
    /// nothing on stdout; returns that line.
    pub fn fail(&self, args: &[&str], code: i32) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "easel {args:?}: stderr {:?}, stdout {:?}",
            r.stderr, r.stdout
        );
        assert_eq!(r.stdout, "", "easel {args:?} wrote to stdout");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "easel {args:?}: stderr {:?}", r.stderr);
        assert!(lines[0].starts_with("easel: "), "{:?}", lines[0]);
        lines[0].to_string()
    }
}

/// A free port on 127.0.0.1 (released again, for a server to bind next).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Kills a background `easel serve` when dropped (also when a test fails half-way).
pub struct Serving(pub std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `easel serve --listen 127.0.0.1:<free port> EXTRA...` for `install` and waits until it
/// prints its URL; returns the guard, the `ws://` URL and the rest of its stdout, line by line.
pub fn serve(
    install: &Install,
    extra: &[&str],
) -> (Serving, String, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let listen = format!("127.0.0.1:{}", free_port());
    let mut args = vec!["serve", "--listen", &listen];
    args.extend_from_slice(extra);
    let mut child = install
        .cmd(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let serving = Serving(child);
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("serve printed its URL");
    let url = format!("ws://{listen}");
    assert!(first.contains(&url), "{first}");
    (serving, url, rx)
}
