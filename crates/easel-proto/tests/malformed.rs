//! Hand-built malformed inputs: each must be refused with the right error, without panicking.

use easel_proto::{Limits, Message, ProtoError, decode, message, validate};

/// An update with one item in root array "a" whose content is `inner` (an Any content body:
/// count followed by values), with an empty delete set.
fn update_with_any_content(values: &[u8], count: u8) -> Vec<u8> {
    // 1 client section: 1 struct, client 7, clock 0; info 8 = Any content, no origins;
    // parent info 1 = named root "a".
    let mut b = vec![1, 1, 7, 0, 8, 1, 1, b'a', count];
    b.extend_from_slice(values);
    b.push(0);
    b
}

/// Builds an `Any` array nested `depth` deep around a null.
fn deep_any(depth: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(depth * 2 + 1);
    for _ in 0..depth {
        v.extend([117, 1]);
    }
    v.push(126);
    v
}

fn run_on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the validator must not overflow a 2 MiB stack")
}

#[test]
fn a_well_formed_any_update_is_accepted() {
    let u = update_with_any_content(&deep_any(10), 1);
    let s = validate::update_v1(&u, &Limits::default()).unwrap();
    assert_eq!(s.structs, 1);
    let m = decode(&message::encode_update(&u), &Limits::default()).unwrap();
    assert!(matches!(m, Message::Update(_)));
}

#[test]
fn any_nested_100k_deep_is_refused_on_a_2mib_stack() {
    let err = run_on_small_stack(|| {
        let any = deep_any(100_000);
        let direct = validate::any(&any, &Limits::default()).unwrap_err();
        let update = update_with_any_content(&any, 1);
        let via_message = decode(&message::encode_update(&update), &Limits::default()).unwrap_err();
        (direct, via_message)
    });
    assert!(matches!(err.0, ProtoError::TooDeep { limit: 64, .. }));
    assert!(matches!(err.1, ProtoError::TooDeep { limit: 64, .. }));
}

#[test]
fn json_nested_100k_deep_in_awareness_is_refused_on_a_2mib_stack() {
    let err = run_on_small_stack(|| {
        let state = "[".repeat(100_000);
        let mut payload = vec![1, 5, 1];
        // Var-string length of 100,000 as a varuint.
        payload.extend([0xa0, 0x8d, 0x06]);
        payload.extend(state.as_bytes());
        decode(&message::encode_awareness(&payload), &Limits::default()).unwrap_err()
    });
    assert!(matches!(
        err,
        ProtoError::InvalidJson {
            reason: "nested too deeply",
            ..
        }
    ));
}

#[test]
fn truncated_varints_are_refused() {
    // Outer type with the continuation bit set and nothing after it.
    assert!(matches!(
        decode(&[0x80], &Limits::default()),
        Err(ProtoError::UnexpectedEnd { offset: 1, .. })
    ));
    // A sync step 1 whose state vector clock is cut off.
    assert!(matches!(
        decode(&[0, 0, 3, 1, 5, 0x80], &Limits::default()),
        Err(ProtoError::UnexpectedEnd { offset: 6, .. })
    ));
}

#[test]
fn huge_varints_are_refused() {
    assert!(matches!(
        decode(&[0xff; 16], &Limits::default()),
        Err(ProtoError::VarIntTooLong { offset: 0 })
    ));
    // 2^53 exactly is one more than lib0 can represent.
    assert!(matches!(
        decode(
            &[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10],
            &Limits::default()
        ),
        Err(ProtoError::OutOfRange { .. })
    ));
    // A clock above what yrs can add to safely.
    let mut sv = vec![1, 1];
    sv.extend([0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert!(matches!(
        validate::state_vector_v1(&sv, &Limits::default()),
        Err(ProtoError::OutOfRange {
            what: "state vector clock",
            ..
        })
    ));
}

#[test]
fn length_prefixes_past_the_end_are_refused() {
    // Sync update whose buffer claims 100 bytes but holds 2.
    assert!(matches!(
        decode(&[0, 2, 100, 0, 0], &Limits::default()),
        Err(ProtoError::LengthPastEnd {
            offset: 2,
            len: 100,
            remaining: 2,
            ..
        })
    ));
    // An item string claiming 50 bytes.
    let u = vec![1, 1, 7, 0, 4, 1, 1, b'a', 50, b'x', 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::LengthPastEnd {
            what: "string content",
            ..
        })
    ));
    // An Any array claiming more elements than bytes remain.
    let u = update_with_any_content(&[117, 0xff, 0x7f, 126], 1);
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::LengthPastEnd {
            what: "any array length",
            ..
        })
    ));
}

#[test]
fn invalid_utf8_is_refused() {
    // String item content with a lone continuation byte.
    let u = vec![1, 1, 7, 0, 4, 1, 1, b'a', 2, 0xc3, 0x28, 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::InvalidUtf8 {
            offset: 8,
            what: "string content"
        })
    ));
    // Root type name.
    let u = vec![1, 1, 7, 0, 4, 1, 1, 0xff, 0, 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::InvalidUtf8 {
            what: "parent type name",
            ..
        })
    ));
    // Awareness state.
    let payload = [1, 1, 1, 2, 0xc0, 0x80];
    assert!(matches!(
        decode(&message::encode_awareness(&payload), &Limits::default()),
        Err(ProtoError::InvalidUtf8 { offset: 5, .. })
    ));
    // Permission denied reason.
    assert!(matches!(
        decode(&[2, 0, 1, 0xff], &Limits::default()),
        Err(ProtoError::InvalidUtf8 { .. })
    ));
}

#[test]
fn unknown_types_and_tags_are_refused() {
    for (bytes, what, tag) in [
        (vec![4u8], "message type", 4u64),
        (vec![0, 3, 0], "sync message type", 3),
        (vec![2, 1], "auth message type", 1),
    ] {
        match decode(&bytes, &Limits::default()) {
            Err(ProtoError::UnknownTag {
                what: w, tag: t, ..
            }) => {
                assert_eq!((w, t), (what, tag));
            }
            other => panic!("{bytes:?}: {other:?}"),
        }
    }
    // Content ref 11 does not exist.
    let u = vec![1, 1, 7, 0, 11, 1, 1, b'a', 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::UnknownTag {
            what: "struct content ref",
            tag: 11,
            ..
        })
    ));
    // Type ref 8 does not exist in Yjs.
    let u = vec![1, 1, 7, 0, 7, 1, 1, b'a', 8, 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::UnknownTag {
            what: "type ref",
            ..
        })
    ));
    // Parent info must be 0 or 1.
    let u = vec![1, 1, 7, 0, 1, 2, 1, 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::UnknownTag {
            what: "parent info",
            ..
        })
    ));
    // Any tag 115 does not exist.
    let u = update_with_any_content(&[115], 1);
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::UnknownTag {
            what: "any tag",
            ..
        })
    ));
}

#[test]
fn inconsistently_decoded_constructs_are_refused() {
    // Legacy JSON content: yrs reads one string more than the count says.
    let u = vec![1, 1, 7, 0, 2, 1, 1, b'a', 1, 1, b'1', 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::Unsupported { .. })
    ));
    // XmlHook: yrs does not read the hook name Yjs writes.
    let u = vec![1, 1, 7, 0, 7, 1, 1, b'a', 5, 1, b'h', 0];
    assert!(matches!(
        validate::update_v1(&u, &Limits::default()),
        Err(ProtoError::Unsupported { .. })
    ));
}

#[test]
fn trailing_bytes_are_refused() {
    assert!(matches!(
        decode(&[3, 0], &Limits::default()),
        Err(ProtoError::TrailingBytes {
            offset: 1,
            count: 1,
            ..
        })
    ));
    // Trailing bytes inside the update payload, after the delete set.
    assert!(matches!(
        decode(&message::encode_update(&[0, 0, 9]), &Limits::default()),
        Err(ProtoError::TrailingBytes {
            offset: 5,
            what: "update",
            ..
        })
    ));
    assert!(matches!(
        decode(&message::encode_sync_step1(&[0, 0]), &Limits::default()),
        Err(ProtoError::TrailingBytes { .. })
    ));
}

#[test]
fn size_and_struct_limits_apply() {
    let limits = Limits {
        max_message_bytes: 8,
        ..Limits::default()
    };
    assert!(matches!(
        decode(&[0u8; 9], &limits),
        Err(ProtoError::MessageTooLarge { len: 9, limit: 8 })
    ));
    let limits = Limits {
        max_structs: 1,
        ..Limits::default()
    };
    // Two GC structs for one client.
    let u = vec![1, 2, 7, 0, 0, 1, 0, 1, 0];
    assert!(matches!(
        validate::update_v1(&u, &limits),
        Err(ProtoError::TooManyStructs { limit: 1, .. })
    ));
    validate::update_v1(&u, &Limits::default()).unwrap();
}

#[test]
fn yrs_decodes_what_we_accept_from_hand_built_updates() {
    use yrs::updates::decoder::Decode;
    let cases = [
        update_with_any_content(&deep_any(63), 1),
        vec![1, 2, 7, 0, 0, 1, 0, 1, 0],
        vec![1, 1, 7, 0, 4, 1, 1, b'a', 2, b'h', b'i', 1, 7, 1, 0, 1],
    ];
    for u in cases {
        validate::update_v1(&u, &Limits::default()).unwrap();
        yrs::Update::decode_v1(&u).unwrap();
    }
}

/// Found by the `apply_update` fuzz target: an update listing client 2's structs twice, the
/// second run starting below the first. yrs underflows integrating it; the validator refuses it.
#[test]
fn a_client_listed_twice_in_one_update_is_refused() {
    let bytes = include_bytes!("fuzz-found/repeated_client.bin");
    let err = easel_proto::validate::update_v1(bytes, &easel_proto::Limits::default()).unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");
}
