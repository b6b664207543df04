//! This installation's identity: an Ed25519 key pair made on first use, whose secret lives in
//! the OS keychain and whose public key is the local user's row in `users`.
//!
//! The secret never enters the database, a log or a plain file, unless the user opts in to the
//! file store (`EASEL_KEY_STORE=file`: `<data dir>/identity.key`, mode 0600), which the CLI and
//! the app then announce with [`KeyStoreKind::warning`].
//!
//! Key stores ([`KeyStoreKind::Keyring`]), tried in this order:
//! - Linux: the Secret Service (GNOME Keyring, KWallet; survives reboots), then the kernel's
//!   keyutils (the session and persistent keyrings; headless machines; forgotten at reboot).
//! - macOS: the login Keychain. Windows: the Credential Manager.
//!
//! keyring 3 built without a platform feature silently keeps nothing, so every backend is
//! probed before use (write an entry, read it back, delete it) and one that fails is reported,
//! never skipped quietly. When none works the caller gets [`Error::KeyStore`] naming each
//! backend's failure and the file store as the way out.
//!
//! The keychain entry is service `easel`, account `identity:<local user id>:<public key>`: two
//! stores on one machine never share an entry, and the account a secret is filed under is
//! known from the database row alone. Two processes creating the identity at once each file
//! their own entry; the one whose public key reaches the database first wins and the other
//! deletes its entry and loads the winner's.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::store::User;

/// The keychain service name every entry is filed under.
pub const KEYRING_SERVICE: &str = "easel";
/// The environment variable that picks the key store: `keyring` (default) or `file`.
pub const KEY_STORE_ENV: &str = "EASEL_KEY_STORE";
/// The file store's file name, next to the database.
pub const KEY_FILE_NAME: &str = "identity.key";
/// How long one key store may take to answer (a D-Bus call to a hung keyring daemon would
/// otherwise block forever).
const KEY_STORE_TIMEOUT: Duration = Duration::from_secs(20);

/// Where the identity's secret is kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KeyStoreKind {
    /// The OS keychain (see the module docs for the backends on each platform).
    #[default]
    Keyring,
    /// A plain file with mode 0600: only when the user opts in explicitly.
    File(PathBuf),
}

impl KeyStoreKind {
    /// The key store `EASEL_KEY_STORE` asks for: unset, empty or `keyring` is the OS keychain;
    /// `file` is `<data_dir>/identity.key`. Anything else is refused. The CLI and the desktop
    /// app both call this, so they follow one rule.
    pub fn from_env(data_dir: &Path) -> Result<KeyStoreKind> {
        Self::parse(std::env::var(KEY_STORE_ENV).ok().as_deref(), data_dir)
    }

    fn parse(value: Option<&str>, data_dir: &Path) -> Result<KeyStoreKind> {
        match value.map(str::trim) {
            None | Some("") | Some("keyring") => Ok(KeyStoreKind::Keyring),
            Some("file") => Ok(KeyStoreKind::File(data_dir.join(KEY_FILE_NAME))),
            Some(other) => Err(Error::invalid(
                KEY_STORE_ENV,
                format!("must be `keyring` or `file`, not {other:?}"),
            )),
        }
    }

    /// The line to show the user while this store is in use, if it needs saying (the file
    /// store does): `the identity secret is stored in a plain file <path> (0600) because
    /// EASEL_KEY_STORE=file`.
    pub fn warning(&self) -> Option<String> {
        match self {
            KeyStoreKind::Keyring => None,
            KeyStoreKind::File(p) => Some(format!(
                "the identity secret is stored in a plain file {} (0600) because {KEY_STORE_ENV}=file",
                p.display()
            )),
        }
    }
}

/// This installation's key pair and local user. The secret stays private: `Debug` prints the
/// public key only.
pub struct Identity {
    key: SigningKey,
    /// The local user (its `public_key` is this identity's), as of loading.
    pub user: User,
    /// Where the secret was found or put, for display: `Secret Service`, `kernel keyutils`,
    /// `macOS Keychain`, `Windows Credential Manager`, or `file <path>`.
    pub key_store: String,
    /// Whether this call made the key pair (first run).
    pub created: bool,
}

impl Identity {
    pub(crate) fn new(key: SigningKey, user: User, key_store: String, created: bool) -> Identity {
        Identity {
            key,
            user,
            key_store,
            created,
        }
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key as base64url without padding (as capabilities encode keys).
    pub fn public_key_b64(&self) -> String {
        encode_public_key(&self.verifying_key())
    }

    /// The same identity with a newer copy of the local user row.
    pub(crate) fn with_user(&self, user: User) -> Identity {
        Identity {
            key: self.key.clone(),
            user,
            key_store: self.key_store.clone(),
            created: self.created,
        }
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("public_key", &self.public_key_b64())
            .field("user", &self.user)
            .field("key_store", &self.key_store)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

pub fn encode_public_key(key: &VerifyingKey) -> String {
    URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// Parses a public key as [`Identity::public_key_b64`] writes it.
pub fn decode_public_key(b64: &str) -> Result<VerifyingKey> {
    let bytes = URL_SAFE_NO_PAD
        .decode(b64.trim())
        .map_err(|e| Error::invalid("public_key", format!("not base64url: {e}")))?;
    let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        Error::invalid(
            "public_key",
            format!("an Ed25519 key is 32 bytes, not {}", bytes.len()),
        )
    })?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| Error::invalid("public_key", "not a valid Ed25519 public key"))
}

fn encode_secret(key: &SigningKey) -> Zeroizing<String> {
    Zeroizing::new(URL_SAFE_NO_PAD.encode(key.as_bytes()))
}

fn decode_secret(s: &str, whence: &str) -> Result<SigningKey> {
    let bytes = Zeroizing::new(
        URL_SAFE_NO_PAD
            .decode(s.trim())
            .map_err(|_| Error::KeyStore(format!("{whence} holds a malformed secret")))?,
    );
    let seed: &[u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        Error::KeyStore(format!("{whence} holds a malformed secret (not 32 bytes)"))
    })?;
    Ok(SigningKey::from_bytes(seed))
}

/// The keychain account of the secret whose public key is `public_key`.
pub fn keyring_account(local_user: uuid::Uuid, public_key: &str) -> String {
    format!("identity:{local_user}:{public_key}")
}

// ----- key stores -----

/// One place a secret can be kept: a keychain backend. A seam for the probe logic's tests.
pub(crate) trait SecretBackend: Send + Sync {
    fn name(&self) -> &'static str;
    fn set(&self, account: &str, secret: &str) -> Result<(), String>;
    /// `Ok(None)`: the store works and has no such entry.
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, String>;
    /// `Ok(false)`: there was no such entry.
    fn delete(&self, account: &str) -> Result<bool, String>;
}

/// Writes a probe entry, reads it back and deletes it: a backend that passes keeps secrets.
pub(crate) fn probe(b: &dyn SecretBackend) -> Result<(), String> {
    let account = format!("probe:{}", uuid::Uuid::new_v4());
    let value = format!("probe-{}", uuid::Uuid::new_v4());
    b.set(&account, &value)
        .map_err(|e| format!("writing a probe entry failed: {e}"))?;
    let read = b.get(&account);
    let deleted = b.delete(&account);
    match read {
        Ok(Some(v)) if *v == value => {}
        Ok(Some(_)) => return Err("a probe entry read back with another value".into()),
        Ok(None) => return Err("a probe entry was written but not kept".into()),
        Err(e) => return Err(format!("reading a probe entry back failed: {e}")),
    }
    match deleted {
        Ok(true) => Ok(()),
        Ok(false) => Err("a probe entry vanished before it was deleted".into()),
        Err(e) => Err(format!("deleting a probe entry failed: {e}")),
    }
}

/// The platform's keychain backends, most durable first.
pub(crate) fn keyring_backends() -> Vec<Arc<dyn SecretBackend>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn SecretBackend>> = Vec::new();
    #[cfg(target_os = "linux")]
    {
        v.push(Arc::new(native::Native::SecretService));
        v.push(Arc::new(native::Native::Keyutils));
    }
    #[cfg(any(target_os = "macos", target_os = "windows"))]
    v.push(Arc::new(native::Native::Platform));
    v
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod native {
    use keyring::{Entry, Error as KErr};
    use zeroize::Zeroizing;

    use super::KEYRING_SERVICE;

    /// A keyring 3 credential store, always built explicitly: its default store is a mock that
    /// keeps nothing on a platform whose feature is missing.
    pub(crate) enum Native {
        #[cfg(target_os = "linux")]
        SecretService,
        #[cfg(target_os = "linux")]
        Keyutils,
        #[cfg(any(target_os = "macos", target_os = "windows"))]
        Platform,
    }

    impl Native {
        fn entry(&self, account: &str) -> Result<Entry, String> {
            let credential: Box<keyring::Credential> = match self {
                #[cfg(target_os = "linux")]
                Native::SecretService => Box::new(
                    keyring::secret_service::SsCredential::new_with_target(
                        None,
                        KEYRING_SERVICE,
                        account,
                    )
                    .map_err(|e| e.to_string())?,
                ),
                #[cfg(target_os = "linux")]
                Native::Keyutils => Box::new(
                    keyring::keyutils::KeyutilsCredential::new_with_target(
                        None,
                        KEYRING_SERVICE,
                        account,
                    )
                    .map_err(|e| e.to_string())?,
                ),
                #[cfg(target_os = "macos")]
                Native::Platform => Box::new(
                    keyring::macos::MacCredential::new_with_target(None, KEYRING_SERVICE, account)
                        .map_err(|e| e.to_string())?,
                ),
                #[cfg(target_os = "windows")]
                Native::Platform => Box::new(
                    keyring::windows::WinCredential::new_with_target(
                        None,
                        KEYRING_SERVICE,
                        account,
                    )
                    .map_err(|e| e.to_string())?,
                ),
            };
            Ok(Entry::new_with_credential(credential))
        }
    }

    impl super::SecretBackend for Native {
        fn name(&self) -> &'static str {
            match self {
                #[cfg(target_os = "linux")]
                Native::SecretService => "Secret Service",
                #[cfg(target_os = "linux")]
                Native::Keyutils => "kernel keyutils",
                #[cfg(target_os = "macos")]
                Native::Platform => "macOS Keychain",
                #[cfg(target_os = "windows")]
                Native::Platform => "Windows Credential Manager",
            }
        }

        fn set(&self, account: &str, secret: &str) -> Result<(), String> {
            match self.entry(account)?.set_password(secret) {
                Ok(()) => Ok(()),
                // keyutils reports a keyring it may not write to (EACCES) as "no entry".
                Err(KErr::NoEntry) => {
                    Err("refused (permission denied, or no keyring to write to)".into())
                }
                Err(e) => Err(e.to_string()),
            }
        }

        fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, String> {
            match self.entry(account)?.get_password() {
                Ok(s) => Ok(Some(Zeroizing::new(s))),
                Err(KErr::NoEntry) => Ok(None),
                Err(e) => Err(e.to_string()),
            }
        }

        fn delete(&self, account: &str) -> Result<bool, String> {
            match self.entry(account)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(KErr::NoEntry) => Ok(false),
                Err(e) => Err(e.to_string()),
            }
        }
    }
}

/// What the keychain gave back.
pub(crate) struct Found {
    pub key: SigningKey,
    pub backend: &'static str,
    pub created: bool,
}

/// Finds the secret of `expected` (the local user's recorded public key) in the first backend
/// that holds it, or, with no key recorded, makes a key pair and files it in the first backend
/// that works. Each backend is probed just before its first use, so a store that keeps nothing
/// is never trusted. Blocking: run it with [`off_thread`].
pub(crate) fn keyring_load_or_create(
    backends: &[Arc<dyn SecretBackend>],
    local_user: uuid::Uuid,
    expected: Option<&str>,
    file_hint: &Path,
) -> Result<Found> {
    let mut failures: Vec<String> = Vec::new();
    let mut any_works = false;
    for b in backends {
        if let Err(e) = probe(b.as_ref()) {
            failures.push(format!("{}: {e}", b.name()));
            continue;
        }
        any_works = true;
        let Some(pk) = expected else {
            return create_in(b.as_ref(), local_user);
        };
        match b.get(&keyring_account(local_user, pk)) {
            Ok(Some(secret)) => {
                let key = decode_secret(&secret, b.name())?;
                check_matches(&key, pk, b.name())?;
                return Ok(Found {
                    key,
                    backend: b.name(),
                    created: false,
                });
            }
            Ok(None) => failures.push(format!("{}: no entry", b.name())),
            Err(e) => failures.push(format!("{}: {e}", b.name())),
        }
    }
    if !any_works {
        let tried = if failures.is_empty() {
            "this platform has no supported keychain".to_string()
        } else {
            failures.join("; ")
        };
        return Err(Error::KeyStore(format!(
            "no OS key store works for the identity secret ({tried}). Start one (on Linux a \
             Secret Service such as gnome-keyring, or a kernel session keyring), or opt in to \
             keeping the secret in a plain file with {KEY_STORE_ENV}=file (it goes to {} with \
             mode 0600)",
            file_hint.display()
        )));
    }
    let pk = expected.unwrap_or_default();
    Err(Error::KeyStore(format!(
        "this installation's public key {pk} is recorded, but no key store holds its secret \
         (service {KEYRING_SERVICE:?}, account {:?}; {}). The keychain may have been cleared \
         (the kernel keyutils store forgets at reboot) or the secret is in another store \
         ({KEY_STORE_ENV}=file?). Easel will not make a new key: the boards the old key owns \
         would be orphaned",
        keyring_account(local_user, pk),
        failures.join("; ")
    )))
}

/// Makes a key pair and files its secret in `b`, reading it back to be sure.
fn create_in(b: &dyn SecretBackend, local_user: uuid::Uuid) -> Result<Found> {
    let key = crate::capability::generate_key();
    let account = keyring_account(local_user, &encode_public_key(&key.verifying_key()));
    let secret = encode_secret(&key);
    b.set(&account, &secret).map_err(|e| {
        Error::KeyStore(format!("storing the identity secret in {}: {e}", b.name()))
    })?;
    match b.get(&account) {
        Ok(Some(s)) if *s == *secret => Ok(Found {
            key,
            backend: b.name(),
            created: true,
        }),
        other => Err(Error::KeyStore(format!(
            "{} did not keep the identity secret just stored ({})",
            b.name(),
            match other {
                Err(e) => e,
                Ok(_) => "it read back different or missing".into(),
            }
        ))),
    }
}

/// Deletes the entry a creation that lost the race filed.
pub(crate) fn keyring_discard(
    backends: &[Arc<dyn SecretBackend>],
    backend: &str,
    account: &str,
) -> Result<()> {
    for b in backends.iter().filter(|b| b.name() == backend) {
        b.delete(account)
            .map_err(|e| Error::KeyStore(format!("{backend}: deleting {account:?}: {e}")))?;
    }
    Ok(())
}

fn check_matches(key: &SigningKey, expected: &str, whence: &str) -> Result<()> {
    let got = encode_public_key(&key.verifying_key());
    if got != expected {
        return Err(Error::KeyStore(format!(
            "the secret in {whence} belongs to public key {got}, but this installation's is \
             {expected}"
        )));
    }
    Ok(())
}

/// Runs a blocking key-store call on its own thread, giving up after [`KEY_STORE_TIMEOUT`] (the
/// thread is left to finish or die with the process; a keychain call cannot be cancelled).
pub(crate) async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("easel-keystore".into())
        .spawn(move || {
            let _ = tx.send(f());
        })?;
    match tokio::time::timeout(KEY_STORE_TIMEOUT, rx).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => Err(Error::KeyStore("the key store call panicked".into())),
        Err(_) => Err(Error::KeyStore(format!(
            "the key store did not answer within {}s (a locked keyring waiting for a password \
             prompt?)",
            KEY_STORE_TIMEOUT.as_secs()
        ))),
    }
}

// ----- the file store -----

/// Reads the file store's secret: `Ok(None)` when the file does not exist. Refuses a file
/// that is not a regular file or whose mode lets anyone but the owner in.
pub(crate) fn file_load(path: &Path) -> Result<Option<SigningKey>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::KeyStore(format!("{}: {e}", path.display())));
        }
    };
    if !meta.file_type().is_file() {
        return Err(Error::KeyStore(format!(
            "{} is not a regular file; Easel keeps the identity secret only in a plain file \
             with mode 0600",
            path.display()
        )));
    }
    check_mode(path, &meta)?;
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| Error::KeyStore(format!("{}: {e}", path.display())))?,
    );
    decode_secret(&text, &path.display().to_string()).map(Some)
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::KeyStore(format!(
            "{} has mode {mode:04o}, looser than 0600: others may have read the identity \
             secret, so Easel refuses to use it (if only you could, `chmod 600` it)",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

/// Makes a key pair and writes its secret to `path` (mode 0600, created whole or not at all).
/// If another process got there first, its key is returned instead (`created` false).
pub(crate) fn file_create(path: &Path) -> Result<(SigningKey, bool)> {
    let err = |e: std::io::Error| Error::KeyStore(format!("{}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    let key = crate::capability::generate_key();
    let tmp = dir.join(format!(".{KEY_FILE_NAME}.{}.tmp", uuid::Uuid::new_v4()));
    let written = write_new_0600(&tmp, &encode_secret(&key));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    // A hard link fails if the name exists: the file appears whole, and only once.
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok((key, true))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let key = file_load(path)?.ok_or_else(|| {
                Error::KeyStore(format!("{} vanished while being created", path.display()))
            })?;
            Ok((key, false))
        }
        Err(e) => Err(err(e)),
    }
}

fn write_new_0600(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

pub(crate) fn file_check_matches(key: &SigningKey, expected: &str, path: &Path) -> Result<()> {
    check_matches(key, expected, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    /// A backend that keeps entries in memory, or one that fails like a missing daemon, or
    /// one that accepts writes and keeps nothing (keyring 3's mock store).
    #[derive(Default)]
    struct Fake {
        entries: Mutex<HashMap<String, String>>,
        broken: bool,
        forgetful: bool,
        writes: std::sync::atomic::AtomicUsize,
    }

    impl SecretBackend for Fake {
        fn name(&self) -> &'static str {
            match (self.broken, self.forgetful) {
                (true, _) => "broken",
                (_, true) => "forgetful",
                _ => "memory",
            }
        }
        fn set(&self, account: &str, secret: &str) -> Result<(), String> {
            self.writes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if self.broken {
                return Err("no daemon".into());
            }
            if !self.forgetful {
                let mut e = self.entries.lock().unwrap();
                e.insert(account.into(), secret.into());
            }
            Ok(())
        }
        fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, String> {
            if self.broken {
                return Err("no daemon".into());
            }
            let e = self.entries.lock().unwrap();
            Ok(e.get(account).cloned().map(Zeroizing::new))
        }
        fn delete(&self, account: &str) -> Result<bool, String> {
            if self.broken {
                return Err("no daemon".into());
            }
            Ok(self.entries.lock().unwrap().remove(account).is_some())
        }
    }

    fn fake(broken: bool, forgetful: bool) -> Arc<Fake> {
        Arc::new(Fake {
            broken,
            forgetful,
            ..Fake::default()
        })
    }

    #[test]
    fn no_working_backend_is_an_error_naming_each_and_the_file_store() {
        let backends: Vec<Arc<dyn SecretBackend>> = vec![fake(true, false), fake(false, true)];
        let user = uuid::Uuid::new_v4();
        let hint = Path::new("/data/identity.key");
        let Err(Error::KeyStore(msg)) = keyring_load_or_create(&backends, user, None, hint) else {
            panic!("expected a key store error");
        };
        assert!(
            msg.contains("broken: writing a probe entry failed: no daemon"),
            "{msg}"
        );
        assert!(
            msg.contains("forgetful: a probe entry was written but not kept"),
            "{msg}"
        );
        assert!(msg.contains("EASEL_KEY_STORE=file"), "{msg}");
        assert!(msg.contains("/data/identity.key"), "{msg}");
        let Err(e) = keyring_load_or_create(&[], user, None, hint) else {
            panic!("no backends must fail");
        };
        assert_eq!(e.kind(), "key_store");
    }

    #[test]
    fn creation_uses_the_first_working_backend_and_loading_finds_it_again() {
        let broken = fake(true, false);
        let memory = fake(false, false);
        let spare = fake(false, false);
        let backends: Vec<Arc<dyn SecretBackend>> = vec![broken, memory.clone(), spare.clone()];
        let user = uuid::Uuid::new_v4();
        let hint = Path::new("/x");
        let made = keyring_load_or_create(&backends, user, None, hint).unwrap();
        assert!(made.created);
        assert_eq!(made.backend, "memory");
        let pk = encode_public_key(&made.key.verifying_key());
        // Only the identity entry is left: the probes were deleted.
        let keys: Vec<String> = memory.entries.lock().unwrap().keys().cloned().collect();
        assert_eq!(keys, vec![keyring_account(user, &pk)]);
        // A later backend is not even probed once an earlier one serves.
        assert_eq!(spare.writes.load(std::sync::atomic::Ordering::Relaxed), 0);

        let again = keyring_load_or_create(&backends, user, Some(&pk), hint).unwrap();
        assert!(!again.created);
        assert_eq!(again.key.to_bytes(), made.key.to_bytes());

        // A wiped keychain is an error, not a new key.
        memory.entries.lock().unwrap().clear();
        let Err(Error::KeyStore(msg)) = keyring_load_or_create(&backends, user, Some(&pk), hint)
        else {
            panic!("a wiped keychain must fail");
        };
        assert!(msg.contains("will not make a new key"), "{msg}");
        assert!(msg.contains(&pk), "{msg}");
        assert!(memory.entries.lock().unwrap().is_empty());
    }

    #[test]
    fn a_secret_for_another_key_is_refused() {
        let memory = fake(false, false);
        let backends: Vec<Arc<dyn SecretBackend>> = vec![memory.clone()];
        let user = uuid::Uuid::new_v4();
        let pk = encode_public_key(&crate::capability::generate_key().verifying_key());
        let other = crate::capability::generate_key();
        memory
            .set(&keyring_account(user, &pk), &encode_secret(&other))
            .unwrap();
        let Err(Error::KeyStore(msg)) =
            keyring_load_or_create(&backends, user, Some(&pk), Path::new("/x"))
        else {
            panic!("a mismatched secret must fail");
        };
        assert!(msg.contains("belongs to public key"), "{msg}");
    }

    #[test]
    fn the_env_rule() {
        let dir = Path::new("/d");
        assert_eq!(
            KeyStoreKind::parse(None, dir).unwrap(),
            KeyStoreKind::Keyring
        );
        assert_eq!(
            KeyStoreKind::parse(Some("keyring"), dir).unwrap(),
            KeyStoreKind::Keyring
        );
        assert_eq!(
            KeyStoreKind::parse(Some("file"), dir).unwrap(),
            KeyStoreKind::File(dir.join("identity.key"))
        );
        assert!(KeyStoreKind::parse(Some("plain"), dir).is_err());
        assert!(KeyStoreKind::Keyring.warning().is_none());
        assert_eq!(
            KeyStoreKind::File(dir.join("identity.key"))
                .warning()
                .unwrap(),
            "the identity secret is stored in a plain file /d/identity.key (0600) because \
             EASEL_KEY_STORE=file"
        );
    }

    #[test]
    fn public_keys_decode_strictly() {
        let k = crate::capability::generate_key().verifying_key();
        assert_eq!(decode_public_key(&encode_public_key(&k)).unwrap(), k);
        for bad in ["", "!!", "AAAA", &URL_SAFE_NO_PAD.encode([0u8; 33])] {
            assert!(decode_public_key(bad).is_err(), "{bad}");
        }
    }
}
