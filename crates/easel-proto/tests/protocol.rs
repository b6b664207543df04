//! Sans-I/O protocol tests: peers exchanging bytes converge, awareness merges by clock, and a
//! read-only connection can sync and receive but not write.

use easel_proto::{Outgoing, Peer, ProtoError, WritePolicy, message};
use yrs::types::ToJson;
use yrs::updates::encoder::Encode;
use yrs::{Any, Doc, Map, ReadTxn, Transact};

/// Delivers messages between two peers until neither has anything left to say. Broadcasts are
/// what a server would forward to others; with two peers there is nobody else, so they are
/// dropped here.
fn pump(a: &mut Peer, b: &mut Peer, mut to_b: Vec<Vec<u8>>, mut to_a: Vec<Vec<u8>>) {
    for _ in 0..100 {
        if to_a.is_empty() && to_b.is_empty() {
            return;
        }
        let mut next_a = Vec::new();
        let mut next_b = Vec::new();
        for m in to_b.drain(..) {
            for out in b.handle(&m).expect("b handles") {
                if let Outgoing::Reply(r) = out {
                    next_a.push(r);
                }
            }
        }
        for m in to_a.drain(..) {
            for out in a.handle(&m).expect("a handles") {
                if let Outgoing::Reply(r) = out {
                    next_b.push(r);
                }
            }
        }
        to_a = next_a;
        to_b = next_b;
    }
    panic!("peers did not go quiet");
}

fn edit(peer: &Peer, key: &str, value: &str) -> Vec<u8> {
    let map = peer.doc().get_or_insert_map("board");
    let mut txn = peer.doc().transact_mut();
    map.insert(&mut txn, key, value);
    txn.encode_update_v1()
}

fn map_json(peer: &Peer) -> Any {
    let map = peer.doc().get_or_insert_map("board");
    let txn = peer.doc().transact();
    map.to_json(&txn)
}

fn state_vector(peer: &Peer) -> Vec<u8> {
    peer.doc().transact().state_vector().encode_v1()
}

#[test]
fn two_peers_converge_through_sync_and_updates() {
    let mut a = Peer::new(Doc::with_client_id(1));
    let mut b = Peer::new(Doc::with_client_id(2));
    edit(&a, "a1", "from a");
    edit(&a, "shared", "a's value");
    edit(&b, "b1", "from b");
    edit(&b, "shared", "b's value");

    let (start_a, start_b) = (a.start(), b.start());
    pump(&mut a, &mut b, start_a, start_b);
    assert_eq!(state_vector(&a), state_vector(&b));
    assert_eq!(map_json(&a), map_json(&b));
    let shown = format!("{:?}", map_json(&a));
    assert!(shown.contains("from a") && shown.contains("from b"));

    // Incremental updates after the initial sync travel as sync-update messages.
    let u = edit(&a, "later", "x");
    let out = b.handle(&message::encode_update(&u)).unwrap();
    assert!(matches!(&out[..], [Outgoing::DocUpdated { update, .. }] if *update == u));
    assert_eq!(state_vector(&a), state_vector(&b));
    assert_eq!(map_json(&a), map_json(&b));
}

#[test]
fn sync_step1_is_answered_with_the_missing_diff() {
    let mut server = Peer::new(Doc::with_client_id(10));
    edit(&server, "k", "v");
    let client = Peer::new(Doc::with_client_id(11));
    let out = server.handle(&client.start()[0]).unwrap();
    let [Outgoing::Reply(reply)] = &out[..] else {
        panic!("expected one reply, got {out:?}");
    };
    assert_eq!(reply[..2], [0, 1], "a sync step 2");
}

#[test]
fn awareness_merges_by_clock_and_removes_on_null() {
    let mut a = Peer::new(Doc::with_client_id(1));
    let mut b = Peer::new(Doc::with_client_id(2));

    // y-protocols starts every client at clock 0 with an empty state and ignores a new
    // client's clock 0, so a peer's first published state is clock 1 and counts.
    let first = a.set_local_awareness(Some(r#"{"user":"ann"}"#)).unwrap();
    let out = b.handle(&first).unwrap();
    let [Outgoing::AwarenessChanged { change, broadcast }] = &out[..] else {
        panic!("expected a change, got {out:?}");
    };
    assert_eq!(change.added, vec![1]);
    assert_eq!(*broadcast, first);
    let second = a
        .set_local_awareness(Some(r#"{"user":"ann","x":1}"#))
        .unwrap();
    let out = b.handle(&second).unwrap();
    assert!(
        matches!(&out[..], [Outgoing::AwarenessChanged { change, .. }] if change.updated == vec![1])
    );
    assert_eq!(b.awareness().state(1), Some(r#"{"user":"ann","x":1}"#));

    // A stale (lower-clock) message changes nothing.
    assert!(b.handle(&first).unwrap().is_empty());
    assert_eq!(b.awareness().clock(1), Some(2));

    let third = a
        .set_local_awareness(Some(r#"{"user":"ann","x":2}"#))
        .unwrap();
    let out = b.handle(&third).unwrap();
    assert!(
        matches!(&out[..], [Outgoing::AwarenessChanged { change, .. }] if change.updated == vec![1])
    );

    // Null state removes the client, but its clock is remembered.
    let gone = a.set_local_awareness(None).unwrap();
    let out = b.handle(&gone).unwrap();
    assert!(
        matches!(&out[..], [Outgoing::AwarenessChanged { change, .. }] if change.removed == vec![1])
    );
    assert_eq!(b.awareness().state(1), None);
    assert_eq!(b.awareness().clock(1), Some(4));
    assert!(
        b.handle(&third).unwrap().is_empty(),
        "older state must not resurrect"
    );
}

#[test]
fn equal_clock_null_removes_and_own_removal_is_outbid() {
    let mut a = Peer::new(Doc::with_client_id(1));
    let mut b = Peer::new(Doc::with_client_id(2));
    a.set_local_awareness(Some("{}")).unwrap();
    let live = a.set_local_awareness(Some(r#"{"n":1}"#)).unwrap();
    b.handle(&live).unwrap();

    // Removal at the same clock (what y-protocols sends on timeout) wins.
    let payload = [1, 1, 2, 4, b'n', b'u', b'l', b'l'];
    let out = b.handle(&message::encode_awareness(&payload)).unwrap();
    assert!(
        matches!(&out[..], [Outgoing::AwarenessChanged { change, .. }] if change.removed == vec![1])
    );

    // Telling `a` that `a` itself is gone makes it bump its clock and keep its state.
    let payload = [1, 1, 5, 4, b'n', b'u', b'l', b'l'];
    a.handle(&message::encode_awareness(&payload)).unwrap();
    assert_eq!(a.awareness().local_state(), Some(r#"{"n":1}"#));
    assert_eq!(a.awareness().clock(1), Some(6));
}

#[test]
fn query_awareness_replies_with_all_states() {
    let mut a = Peer::new(Doc::with_client_id(1));
    a.set_local_awareness(Some(r#"{"me":true}"#)).unwrap();
    let out = a.handle(&message::encode_query_awareness()).unwrap();
    let [Outgoing::Reply(reply)] = &out[..] else {
        panic!("expected a reply");
    };
    let easel_proto::Message::Awareness(p) = easel_proto::decode(reply, a.limits()).unwrap() else {
        panic!("expected awareness");
    };
    assert_eq!(p.entries().len(), 1);
    assert_eq!(p.entries()[0].state.as_deref(), Some(r#"{"me":true}"#));
    // `start` includes the local awareness state after sync step 1.
    assert_eq!(a.start().len(), 2);
}

#[test]
fn read_only_connection_can_sync_and_receive_but_not_write() {
    let mut server = Peer::new(Doc::with_client_id(100));
    edit(&server, "title", "board");
    let mut viewer = Peer::new(Doc::with_client_id(200));

    // The viewer's step 1 is answered; its empty step 2 (nothing to contribute) is fine.
    let out = server
        .handle_with_policy(WritePolicy::ReadOnly, &viewer.start()[0])
        .unwrap();
    let [Outgoing::Reply(step2)] = &out[..] else {
        panic!("expected step 2");
    };
    let server_step1 = server.start().remove(0);
    let viewer_reply = viewer.handle(&server_step1).unwrap();
    let [Outgoing::Reply(viewer_step2)] = &viewer_reply[..] else {
        panic!("expected step 2 from viewer");
    };
    assert!(
        server
            .handle_with_policy(WritePolicy::ReadOnly, viewer_step2)
            .unwrap()
            .is_empty()
    );

    // Receiving: the viewer applies the server's state.
    viewer.handle(step2).unwrap();
    assert_eq!(map_json(&viewer), map_json(&server));

    // Writing: refused, and the document is unchanged.
    let before = state_vector(&server);
    let u = edit(&viewer, "title", "defaced");
    for bytes in [message::encode_update(&u), message::encode_sync_step2(&u)] {
        assert_eq!(
            server.handle_with_policy(WritePolicy::ReadOnly, &bytes),
            Err(ProtoError::WriteDenied)
        );
    }
    assert_eq!(state_vector(&server), before);
    // The server answers with y-protocols' permission-denied auth message, which the client
    // surfaces.
    let denied = message::encode_permission_denied("permission denied");
    let out = viewer.handle(&denied).unwrap();
    assert_eq!(
        out,
        vec![Outgoing::PermissionDenied {
            reason: "permission denied".into()
        }]
    );

    // Awareness from a read-only connection is still accepted (presence is not a write).
    viewer.set_local_awareness(Some("{}")).unwrap();
    let aw = viewer
        .set_local_awareness(Some(r#"{"cursor":[1,2]}"#))
        .unwrap();
    assert_eq!(
        server
            .handle_with_policy(WritePolicy::ReadOnly, &aw)
            .unwrap()
            .len(),
        1
    );

    // The peer-wide policy applies to `handle`.
    server.set_write_policy(WritePolicy::ReadOnly);
    assert_eq!(
        server.handle(&message::encode_update(&u)),
        Err(ProtoError::WriteDenied)
    );
}

#[test]
fn malformed_messages_leave_the_peer_usable() {
    let mut a = Peer::new(Doc::with_client_id(1));
    for bad in [
        &[0x80u8][..],
        &[9],
        &[0, 2, 3, 1, 1],
        &[1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f],
    ] {
        assert!(a.handle(bad).is_err());
    }
    let b = Peer::new(Doc::with_client_id(2));
    let u = edit(&b, "k", "v");
    a.handle(&message::encode_update(&u)).unwrap();
    assert_eq!(map_json(&a), map_json(&b));
}
