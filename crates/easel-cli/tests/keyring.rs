//! `easel identity` against real key stores, no mocks:
//! - the kernel's keyutils, inside a fresh session keyring (`keyctl session -`) and without D-Bus;
//! - the Secret Service: gnome-keyring in its own D-Bus session (`dbus-run-session`), with the
//!   session keyring made read-only so nothing else can serve;
//! - neither: both unavailable, where the CLI must say that no key store works;
//! - the opt-in file store.
//!
//! The tools (keyutils, gnome-keyring, dbus, libsecret-tools) are in `./dev`'s APT_PACKAGES; a
//! missing one fails these tests rather than skipping them. Every child runs in its own process
//! group and is killed after [`LIMIT`].

mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(90);

/// Session keyring permissions that let its possessor view, read and search it but not add to
/// it: the kernel keyutils store then fails its probe.
const READ_ONLY_KEYRING: &str = "keyctl setperm @s 0x0b0b0000";

/// Starts gnome-keyring's Secret Service on the current D-Bus session with a fresh login
/// keyring unlocked by a password on stdin, and waits until it owns its bus name.
const START_GNOME_KEYRING: &str = r#"
echo not-a-real-password | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >gk.out 2>gk.err &
gk=$!
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'; do
    i=$((i+1)); [ "$i" -gt 200 ] && { echo "gnome-keyring did not start" >&2; exit 97; }
    sleep 0.05
done
"#;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `argv` (a wrapper such as `keyctl session - sh -c SCRIPT`) for the installation in
/// `dir`, with `$EASEL` the binary and the working directory `dir`; fails the test if a tool is
/// missing or the run outlives [`LIMIT`].
fn run(dir: &Path, argv: &[&str], extra_env: &[(&str, &str)]) -> Out {
    let runtime = dir.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    let (stdout, stderr) = (dir.join("wrapper.out"), dir.join("wrapper.err"));
    let mut c = Command::new(argv[0]);
    c.args(&argv[1..])
        .current_dir(dir)
        .env("EASEL", env!("CARGO_BIN_EXE_easel"))
        .env("EASEL_DATA_DIR", dir)
        .env("HOME", dir)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("USER", "tester")
        .env_remove("XDG_DATA_HOME")
        .env_remove("EASEL_KEY_STORE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .process_group(0);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?}: {e}; install keyutils, gnome-keyring, dbus and libsecret-tools \
             (`./dev test` does)",
            argv[0]
        )
    });
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            // The whole group: the wrapper and whatever it started (a D-Bus daemon, say).
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!(
                "{argv:?} ran longer than {LIMIT:?}; stderr: {}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Out {
        code: status.code().unwrap_or(-1),
        stdout: std::fs::read_to_string(&stdout).unwrap(),
        stderr: std::fs::read_to_string(&stderr).unwrap(),
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json(dir: &Path, name: &str) -> Value {
    let s = read(dir, name);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{name}: {e}: {s:?}"))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The secret as stored (base64url of the 32-byte seed) checked against the public key the CLI
/// showed, then looked for in every form in each of `files` under `dir`.
fn check_secret(dir: &Path, stored: &str, public_key: &str, files: &[&str]) {
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(stored.trim())
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    assert_eq!(
        URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        public_key,
        "the stored secret is the shown public key's"
    );
    let forms = [
        seed.to_vec(),
        URL_SAFE_NO_PAD.encode(seed).into_bytes(),
        STANDARD.encode(seed).into_bytes(),
        hex(&seed).into_bytes(),
        hex(&seed).to_uppercase().into_bytes(),
    ];
    let mut seen = 0;
    for f in files {
        let Ok(bytes) = std::fs::read(dir.join(f)) else {
            continue;
        };
        seen += 1;
        for form in &forms {
            assert!(!contains(&bytes, form), "{f} holds the identity secret");
        }
    }
    assert!(seen >= 3, "too few of {files:?} exist to check");
}

/// The local user's row as `easel users list` shows it.
fn local_user(dir: &Path) -> Value {
    let out = common::command(dir, &["--json", "users", "list"])
        .output()
        .unwrap();
    let users: Value = serde_json::from_slice(&out.stdout).unwrap();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["is_local"] == true)
        .unwrap()
        .clone()
}

const TWO_RUNS: &str = r#"
"$EASEL" --json identity >out1.json 2>err1.txt; echo $? >rc1
"$EASEL" --json identity >out2.json 2>err2.txt; echo $? >rc2
"$EASEL" identity --name 'Ada L' >out-name.txt 2>err-name.txt; echo $? >rc-name
"#;

/// Checks what [`TWO_RUNS`] left and returns the public key.
fn check_two_runs(dir: &Path, backend: &str) -> String {
    for (rc, err) in [
        ("rc1", "err1.txt"),
        ("rc2", "err2.txt"),
        ("rc-name", "err-name.txt"),
    ] {
        assert_eq!(read(dir, rc).trim(), "0", "{rc}: {}", read(dir, err));
        assert_eq!(read(dir, err), "", "{err}");
    }
    let (first, second) = (json(dir, "out1.json"), json(dir, "out2.json"));
    assert_eq!(first["created"], true);
    assert_eq!(second["created"], false);
    assert_eq!(first["key_store"], backend);
    assert_eq!(second["key_store"], backend);
    let pk = first["public_key"].as_str().unwrap().to_string();
    assert_eq!(
        second["public_key"],
        pk.as_str(),
        "the second run reads the same key"
    );
    assert_eq!(pk.len(), 43);
    let named = read(dir, "out-name.txt");
    assert!(named.contains("Ada L") && named.contains(&pk), "{named}");
    assert!(!named.contains("created"), "{named}");
    let me = local_user(dir);
    assert_eq!(me["public_key"], pk.as_str());
    assert_eq!(me["display_name"], "Ada L");
    pk
}

const OUTPUTS: &[&str] = &[
    "easel.db",
    "easel.db-wal",
    "easel.db-shm",
    "out1.json",
    "out2.json",
    "err1.txt",
    "err2.txt",
    "out-name.txt",
    "out3.txt",
    "err3.txt",
    "wrapper.out",
    "wrapper.err",
];

#[test]
fn kernel_keyutils_keeps_the_identity() {
    let install = common::Install::new();
    let dir = install.dir.path();
    // No D-Bus: the Secret Service cannot serve, keyutils must.
    let script = format!(
        r#"{TWO_RUNS}
keyctl show @s >show.txt 2>&1
desc=$(sed -n 's/.* user: \(keyring-rs:identity:.*@easel\)$/\1/p' show.txt | head -n 1)
key=$(keyctl search @s user "$desc")
keyctl pipe "$key" >secret.txt
# A wiped keychain: the next run must refuse to make a new key.
keyctl invalidate "$key"
if keyctl search @s user "$desc" >/dev/null 2>&1; then echo present >gone.txt; else echo gone >gone.txt; fi
"$EASEL" identity >out3.txt 2>err3.txt; echo $? >rc3
"#
    );
    let out = run(dir, &["keyctl", "session", "-", "sh", "-c", &script], &[]);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    let pk = check_two_runs(dir, "kernel keyutils");

    // Exactly one easel entry is left in the keyring: the identity, filed under this store's
    // local user and key; the probes' entries were deleted.
    let show = read(dir, "show.txt");
    let user_id = local_user(dir)["id"].as_str().unwrap().to_string();
    let ours = format!("keyring-rs:identity:{user_id}:{pk}@easel");
    let easel_lines: Vec<&str> = show.lines().filter(|l| l.contains("@easel")).collect();
    assert!(!easel_lines.is_empty(), "{show}");
    assert!(easel_lines.iter().all(|l| l.ends_with(&ours)), "{show}");
    assert!(!show.contains("probe:"), "{show}");

    let secret = read(dir, "secret.txt");
    check_secret(dir, &secret, &pk, OUTPUTS);

    assert_eq!(read(dir, "gone.txt").trim(), "gone");
    assert_eq!(read(dir, "rc3").trim(), "1");
    let err = read(dir, "err3.txt");
    assert!(err.starts_with("easel: key store: "), "{err}");
    assert!(
        err.contains(&pk) && err.contains("will not make a new key"),
        "{err}"
    );
    assert!(err.contains("kernel keyutils: no entry"), "{err}");
    assert_eq!(local_user(dir)["public_key"], pk.as_str(), "the key stays");
}

#[test]
fn the_secret_service_keeps_the_identity() {
    let install = common::Install::new();
    let dir = install.dir.path();
    let script = format!(
        r#"{READ_ONLY_KEYRING}
{START_GNOME_KEYRING}
{TWO_RUNS}
# secret-tool prints the attributes on stderr.
secret-tool search --all service easel >ss.txt 2>&1
acct=$(sed -n 's/^attribute.username = //p' ss.txt | head -n 1)
secret-tool clear service easel username "$acct"
secret-tool search --all service easel >ss-after.txt 2>&1
"$EASEL" identity >out3.txt 2>err3.txt; echo $? >rc3
kill "$gk"; wait "$gk"
exit 0
"#
    );
    let out = run(
        dir,
        &[
            "dbus-run-session",
            "--",
            "keyctl",
            "session",
            "-",
            "sh",
            "-c",
            &script,
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    let pk = check_two_runs(dir, "Secret Service");

    // gnome-keyring holds exactly one easel item, ours; the probe items were deleted.
    let ss = read(dir, "ss.txt");
    let user_id = local_user(dir)["id"].as_str().unwrap().to_string();
    let items: Vec<&str> = ss
        .lines()
        .filter(|l| l.starts_with("attribute.username = "))
        .collect();
    assert_eq!(
        items,
        vec![format!("attribute.username = identity:{user_id}:{pk}").as_str()],
        "{ss}"
    );
    let secret = ss
        .lines()
        .find_map(|l| l.strip_prefix("secret = "))
        .unwrap_or_else(|| panic!("no secret in {ss}"));
    check_secret(dir, secret, &pk, OUTPUTS);

    assert!(!read(dir, "ss-after.txt").contains("identity:"));
    assert_eq!(read(dir, "rc3").trim(), "1");
    let err = read(dir, "err3.txt");
    assert!(err.contains("will not make a new key"), "{err}");
    assert!(err.contains("Secret Service: no entry"), "{err}");
}

#[test]
fn with_no_working_key_store_the_cli_says_so() {
    let install = common::Install::new();
    let dir = install.dir.path();
    // No D-Bus session (and no display to autolaunch one), and a session keyring nobody may
    // add to: neither backend can keep anything.
    let script = format!(
        r#"{READ_ONLY_KEYRING}
"$EASEL" identity >out3.txt 2>err3.txt; echo $? >rc3
"$EASEL" boards create 'No identity needed' >out1.json 2>err1.txt; echo $? >rc1
"#
    );
    let out = run(dir, &["keyctl", "session", "-", "sh", "-c", &script], &[]);
    assert_eq!(out.code, 0, "{} {}", out.stdout, out.stderr);
    assert_eq!(read(dir, "rc3").trim(), "1");
    assert_eq!(read(dir, "out3.txt"), "");
    let err = read(dir, "err3.txt");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("easel: key store: no OS key store works for the identity secret"),
        "{err}"
    );
    assert!(
        err.contains("Secret Service: writing a probe entry failed"),
        "{err}"
    );
    assert!(
        err.contains("kernel keyutils: writing a probe entry failed"),
        "{err}"
    );
    assert!(err.contains("EASEL_KEY_STORE=file"), "{err}");
    assert!(
        err.contains(&format!("{}", dir.join("identity.key").display())),
        "{err}"
    );
    assert!(!dir.join("identity.key").exists());
    // Nothing pretended: no key was recorded, and the rest of the CLI still works.
    assert_eq!(local_user(dir)["public_key"], Value::Null);
    assert_eq!(read(dir, "rc1").trim(), "0", "{}", read(dir, "err1.txt"));
}

#[test]
fn the_file_store_is_opt_in_0600_and_announced() {
    let install = common::Install::new();
    let dir = install.dir.path();
    let file = dir.join("identity.key");
    let warning = format!(
        "easel: warning: the identity secret is stored in a plain file {} (0600) because \
         EASEL_KEY_STORE=file\n",
        file.display()
    );
    let env = [("EASEL_KEY_STORE", "file")];
    let script = r#"
"$EASEL" --json identity >out1.json 2>err1.txt; echo $? >rc1
"$EASEL" --json identity --name 'Ada L' >out2.json 2>err2.txt; echo $? >rc2
"#;
    let out = run(dir, &["sh", "-c", script], &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read(dir, "rc1").trim(), "0", "{}", read(dir, "err1.txt"));
    assert_eq!(read(dir, "rc2").trim(), "0", "{}", read(dir, "err2.txt"));
    assert_eq!(read(dir, "err1.txt"), warning);
    assert_eq!(read(dir, "err2.txt"), warning);
    let (first, second) = (json(dir, "out1.json"), json(dir, "out2.json"));
    assert_eq!(first["created"], true);
    assert_eq!(second["created"], false);
    assert_eq!(first["key_store"], format!("file {}", file.display()));
    let pk = first["public_key"].as_str().unwrap();
    assert_eq!(second["public_key"], pk);
    assert_eq!(second["display_name"], "Ada L");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    check_secret(dir, &read(dir, "identity.key"), pk, OUTPUTS);
    assert_eq!(local_user(dir)["public_key"], pk);

    // Loosened, the file is refused with a reason; an unknown store name too.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(dir, &["sh", "-c", r#""$EASEL" identity"#], &env);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("has mode 0644, looser than 0600"),
        "{}",
        out.stderr
    );
    let out = run(
        dir,
        &["sh", "-c", r#""$EASEL" identity"#],
        &[("EASEL_KEY_STORE", "plaintext")],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("EASEL_KEY_STORE: must be `keyring` or `file`"),
        "{}",
        out.stderr
    );
}

#[test]
fn collaborators_are_remembered_by_public_key() {
    let install = common::Install::new();
    let bob = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let bob_pk = URL_SAFE_NO_PAD.encode(bob.verifying_key().as_bytes());
    let id = install.ok(&["users", "remember", &bob_pk, "Bob"]);
    let again = install.ok(&["users", "remember", &bob_pk, "Robert"]);
    assert_eq!(id, again);
    let users = install.json(&["users", "list"]);
    let bob_row = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["public_key"] == bob_pk.as_str())
        .unwrap();
    assert_eq!(bob_row["display_name"], "Robert");
    assert_eq!(bob_row["is_local"], false);
    let err = install.fail(&["users", "remember", "AAAA", "X"], 1);
    assert!(err.contains("public_key"), "{err}");
}
