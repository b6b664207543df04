//! The identity with the file store (the keychain backends are exercised for real by the CLI's
//! `tests/keyring.rs`, inside their own session keyring and D-Bus session).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use easel_core::{Easel, Error, KeyStoreKind, Store};

async fn easel(dir: &Path) -> Easel {
    let store = Store::open(&dir.join("easel.db")).await.unwrap();
    Easel::new(store).with_key_store(KeyStoreKind::File(dir.join("identity.key")))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Every form of `secret` a leak could take.
fn secret_forms(secret: &[u8; 32]) -> Vec<Vec<u8>> {
    vec![
        secret.to_vec(),
        URL_SAFE_NO_PAD.encode(secret).into_bytes(),
        STANDARD.encode(secret).into_bytes(),
        hex(secret).into_bytes(),
        hex(secret).to_uppercase().into_bytes(),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_file_store_creates_a_0600_key_that_round_trips_and_lands_in_users() {
    let dir = tempfile::tempdir().unwrap();
    let e = easel(dir.path()).await;
    let id = e.identity().await.unwrap();
    assert!(id.created);
    assert!(id.key_store.starts_with("file "), "{}", id.key_store);
    let path = dir.path().join("identity.key");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // No temporary file is left next to it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("identity"))
        .collect();
    assert_eq!(names, vec!["identity.key"]);

    let pk = id.public_key_b64();
    assert_eq!(pk.len(), 43);
    assert_eq!(id.user.public_key.as_deref(), Some(pk.as_str()));
    assert!(id.user.is_local);
    let local = e.local_user().await.unwrap();
    assert_eq!(local.public_key.as_deref(), Some(pk.as_str()));
    assert_eq!(local.id, id.user.id);
    // Cached: the same Arc for this Easel and its clones.
    assert!(std::sync::Arc::ptr_eq(
        &id,
        &e.clone().identity().await.unwrap()
    ));
    let secret = id.signing_key().to_bytes();
    e.close().await;
    drop(e);

    // A new process (a new Easel on the same store) loads the same key.
    let e2 = easel(dir.path()).await;
    let again = e2.identity().await.unwrap();
    assert!(!again.created);
    assert_eq!(again.signing_key().to_bytes(), secret);
    assert_eq!(again.verifying_key(), id.verifying_key());

    // The secret is nowhere in Debug.
    let dbg = format!("{again:?}");
    for form in secret_forms(&secret) {
        assert!(!contains(dbg.as_bytes(), &form), "{dbg}");
    }
    assert!(dbg.contains(&pk));
}

#[tokio::test]
async fn the_secret_never_reaches_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = easel(dir.path()).await;
    let id = e.identity().await.unwrap();
    let me = e.local_user().await.unwrap().id;
    // Some ordinary writes after the identity, so the WAL has content.
    let b = e.create_board(me, "B").await.unwrap();
    e.rename_board(me, b.id, "B2").await.unwrap();
    e.set_display_name("Ada").await.unwrap();
    let secret = id.signing_key().to_bytes();
    let mut checked = 0;
    for name in ["easel.db", "easel.db-wal", "easel.db-shm"] {
        let Ok(bytes) = std::fs::read(dir.path().join(name)) else {
            continue;
        };
        checked += 1;
        for form in secret_forms(&secret) {
            assert!(!contains(&bytes, &form), "{name} holds the secret");
        }
        if name == "easel.db-wal" {
            assert!(contains(&bytes, id.public_key_b64().as_bytes()) || bytes.is_empty());
        }
    }
    assert!(checked >= 2, "the db and its WAL exist");
    // While the file store does hold it (that is the point of the file).
    let file = std::fs::read(dir.path().join("identity.key")).unwrap();
    assert!(contains(&file, URL_SAFE_NO_PAD.encode(secret).as_bytes()));
}

#[tokio::test]
async fn a_key_file_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = easel(dir.path()).await;
    e.identity().await.unwrap();
    let path = dir.path().join("identity.key");
    for mode in [0o644, 0o640, 0o604, 0o660] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let err = easel(dir.path()).await.identity().await.unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::KeyStore(_)), "{msg}");
        assert!(msg.contains(&format!("mode {mode:04o}")), "{msg}");
        assert!(msg.contains("looser than 0600"), "{msg}");
    }
    // A file created loose from the start is refused too, before any key is recorded.
    let fresh = tempfile::tempdir().unwrap();
    let loose = fresh.path().join("identity.key");
    std::fs::write(&loose, format!("{}\n", URL_SAFE_NO_PAD.encode([7u8; 32]))).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = easel(fresh.path()).await;
    assert!(e.identity().await.is_err());
    assert_eq!(e.local_user().await.unwrap().public_key, None);
    // Tightened, it is adopted as this installation's key.
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o600)).unwrap();
    let id = easel(fresh.path()).await.identity().await.unwrap();
    assert!(!id.created);
    assert_eq!(id.signing_key().to_bytes(), [7u8; 32]);
}

#[tokio::test]
async fn a_lost_or_foreign_secret_is_an_error_not_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("identity.key");
    let pk = easel(dir.path())
        .await
        .identity()
        .await
        .unwrap()
        .public_key_b64();

    std::fs::remove_file(&path).unwrap();
    let err = easel(dir.path()).await.identity().await.unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.kind(), "key_store");
    assert!(
        msg.contains(&pk) && msg.contains("will not make a new key"),
        "{msg}"
    );
    assert!(!path.exists(), "no new key file was made");

    // Someone else's key in the file does not pass for ours.
    let other = tempfile::tempdir().unwrap();
    easel(other.path()).await.identity().await.unwrap();
    std::fs::copy(other.path().join("identity.key"), &path).unwrap();
    let msg = easel(dir.path())
        .await
        .identity()
        .await
        .unwrap_err()
        .to_string();
    assert!(msg.contains("belongs to public key"), "{msg}");
}

#[tokio::test]
async fn concurrent_first_uses_agree_on_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let a = easel(dir.path()).await;
    let b = easel(dir.path()).await;
    let c = a.clone();
    let (x, y, z) = tokio::join!(a.identity(), b.identity(), c.identity());
    let (x, y, z) = (x.unwrap(), y.unwrap(), z.unwrap());
    assert_eq!(x.public_key_b64(), y.public_key_b64());
    assert_eq!(x.public_key_b64(), z.public_key_b64());
    assert_eq!(
        a.local_user().await.unwrap().public_key.as_deref(),
        Some(x.public_key_b64().as_str())
    );
}

#[tokio::test]
async fn collaborators_are_remembered_by_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let e = easel(dir.path()).await;
    let me = e.identity().await.unwrap();
    let bob_key = easel_core::capability::generate_key().verifying_key();
    let bob_pk = URL_SAFE_NO_PAD.encode(bob_key.as_bytes());

    let bob = e.remember_user(&bob_pk, "Bob").await.unwrap();
    assert!(!bob.is_local);
    assert_eq!(bob.public_key.as_deref(), Some(bob_pk.as_str()));
    let renamed = e.remember_user(&bob_pk, "Robert").await.unwrap();
    assert_eq!(renamed.id, bob.id);
    assert_eq!(renamed.display_name, "Robert");
    assert_eq!(e.users().await.unwrap().len(), 2);

    let err = e
        .remember_user(&me.public_key_b64(), "Me again")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "invalid");
    for bad in ["", "not a key", "AAAA"] {
        assert_eq!(
            e.remember_user(bad, "X").await.unwrap_err().kind(),
            "invalid"
        );
    }
    // The display name of the local user changes; the key does not.
    let u = e.set_display_name("Ada").await.unwrap();
    assert_eq!(u.display_name, "Ada");
    let id = e.identity().await.unwrap();
    assert_eq!(id.user.display_name, "Ada");
    assert_eq!(id.public_key_b64(), me.public_key_b64());
}
