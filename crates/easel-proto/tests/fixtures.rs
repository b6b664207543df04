//! The yrs crash reproducers from `shared/fixtures/yrs-malformed` must all get a clean error.

use easel_proto::{Limits, ProtoError, decode, message, validate};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/yrs-malformed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"))
}

fn show(name: &str, how: &str, err: &ProtoError) {
    // Printed so `cargo test -- --nocapture` documents how each fixture is refused.
    println!("{name} ({how}): {err}");
}

#[test]
fn awareness_msg_abort_is_refused() {
    // The file is already a whole y-websocket awareness message: type 1, a 5-byte buffer
    // holding a client count of 2^32 - 1.
    let bytes = fixture("awareness_msg_abort.bin");
    assert_eq!(bytes[0], 1, "expected an awareness message");
    let err = decode(&bytes, &Limits::default()).unwrap_err();
    show("awareness_msg_abort.bin", "message", &err);
    assert!(matches!(
        err,
        ProtoError::LengthPastEnd {
            what: "awareness client count",
            ..
        }
    ));
}

#[test]
fn idset_oom_is_refused() {
    let bytes = fixture("idset_oom_v1.bin");
    let err = validate::update_v1(&bytes, &Limits::default()).unwrap_err();
    show("idset_oom_v1.bin", "raw update", &err);
    assert!(matches!(err, ProtoError::LengthPastEnd { .. }));
    let err = decode(&message::encode_update(&bytes), &Limits::default()).unwrap_err();
    show("idset_oom_v1.bin", "as sync update message", &err);
    assert!(matches!(err, ProtoError::LengthPastEnd { .. }));
    // Handed to `decode` bare, its first byte reads as a sync message with an unknown or
    // malformed body; whatever it is, it must be an error.
    let err = decode(&bytes, &Limits::default()).unwrap_err();
    show("idset_oom_v1.bin", "bare message", &err);
}

#[test]
fn utf8_segv_is_refused() {
    let bytes = fixture("utf8_segv_v1.bin");
    let err = validate::update_v1(&bytes, &Limits::default()).unwrap_err();
    show("utf8_segv_v1.bin", "raw update", &err);
    let err = decode(&message::encode_sync_step2(&bytes), &Limits::default()).unwrap_err();
    show("utf8_segv_v1.bin", "as sync step 2 message", &err);
    let err = decode(&bytes, &Limits::default()).unwrap_err();
    show("utf8_segv_v1.bin", "bare message", &err);
}

#[test]
fn v2_readusize_panic_is_refused() {
    let bytes = fixture("v2_readusize_panic.bin");
    assert_eq!(
        validate::update_v2(&bytes, &Limits::default()),
        Err(ProtoError::UpdateV2Unsupported)
    );
    show(
        "v2_readusize_panic.bin",
        "as v2 update",
        &ProtoError::UpdateV2Unsupported,
    );
    let err = validate::update_v1(&bytes, &Limits::default()).unwrap_err();
    show("v2_readusize_panic.bin", "as v1 update", &err);
    let err = decode(&bytes, &Limits::default()).unwrap_err();
    show("v2_readusize_panic.bin", "bare message", &err);
    assert!(matches!(
        err,
        ProtoError::UnknownTag {
            what: "message type",
            tag: 44,
            ..
        }
    ));
    let err = decode(&message::encode_update(&bytes), &Limits::default()).unwrap_err();
    show("v2_readusize_panic.bin", "as sync update message", &err);
}
