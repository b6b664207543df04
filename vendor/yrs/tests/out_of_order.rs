//! Replicas that receive a client's blocks out of order (a later transaction before an earlier
//! one, or a server's diff that overlaps what they hold) integrate what depends on nothing behind
//! an integrated skip. Two bugs of 0.28.1 in that path, each reproduced here from the public API;
//! the scenarios were reduced from a randomized sync test (see PATCHES.md).

use std::sync::{Arc, Mutex};

use yrs::block::ClientID;
use yrs::updates::decoder::Decode;
use yrs::{Any, Doc, ReadTxn, StateVector, Transact, Update};

/// A GC range that straddles the start of what a replica already holds, arriving while the
/// replica has an integrated skip before it, must be cut at that start (`BlockSet::exclude`);
/// it used to stay whole, so `BlockStore::push` underflowed replacing the skip (a panic with
/// overflow checks, a skip of ~4 billion clocks without them).
#[test]
fn gc_range_straddling_known_clocks_fills_only_the_skip() {
    use yrs::types::ToJson;
    use yrs::{Map, MapPrelim};
    let client = ClientID::new(1);
    let a = Doc::with_client_id(1);
    let m = a.get_or_insert_map("m");
    {
        let mut txn = a.transact_mut();
        let nested = m.insert(&mut txn, "a", MapPrelim::default());
        for i in 0..30 {
            nested.insert(&mut txn, i.to_string(), i);
        }
    }
    // Deleting the nested map turns its 30 entries (clocks 1..31) into one GC range.
    m.remove(&mut a.transact_mut(), "a");
    m.insert(&mut a.transact_mut(), "b", 1);

    // `b` first learns a's clocks from 15 on (a skip over 0..15), then a's whole state.
    let mut from_15 = StateVector::default();
    from_15.set_max(client, 15);
    let tail = a.transact().encode_diff_v1(&from_15);
    let full = a
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let b = Doc::with_client_id(2);
    for update in [tail, full] {
        let mut txn = b.transact_mut();
        txn.apply_update(Update::decode_v1(&update).unwrap())
            .unwrap();
    }

    assert_eq!(b.transact().state_vector(), a.transact().state_vector());
    assert_eq!(
        b.transact()
            .encode_state_as_update_v1(&StateVector::default()),
        a.transact()
            .encode_state_as_update_v1(&StateVector::default())
    );
    let m = b.get_or_insert_map("m");
    assert_eq!(
        m.to_json(&b.transact()),
        Any::from_json(r#"{"b":1}"#).unwrap()
    );
}

/// A transaction that integrates a block past a gap (behind an integrated skip) must put that
/// block in its update event: the state vector stops where the gap starts, and the event used
/// to be encoded against it alone, so a replica rebuilt from its own update events (or a
/// server that stores and forwards them) lost the block for good.
#[test]
fn update_event_carries_blocks_integrated_past_a_gap() {
    use yrs::Map;
    use yrs::types::ToJson;
    let a = Doc::with_client_id(1);
    let m = a.get_or_insert_map("m");
    let updates = Arc::new(Mutex::new(Vec::new()));
    let sink = updates.clone();
    a.observe_update_v1("test", move |_, e| {
        sink.lock().unwrap().push(e.update.clone())
    })
    .unwrap();
    m.insert(&mut a.transact_mut(), "x", 1);
    m.insert(&mut a.transact_mut(), "y", 2);
    m.insert(&mut a.transact_mut(), "z", 3);
    let updates = updates.lock().unwrap().clone();
    assert_eq!(updates.len(), 3);

    // `b` gets a's third transaction first: it depends on nothing, so it is integrated
    // behind a skip over clocks 0..2.
    let b = Doc::with_client_id(2);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    b.observe_update_v1("test", move |_, e| {
        sink.lock().unwrap().push(e.update.clone())
    })
    .unwrap();
    b.transact_mut()
        .apply_update(Update::decode_v1(&updates[2]).unwrap())
        .unwrap();
    let m_b = b.get_or_insert_map("m");
    assert_eq!(
        m_b.to_json(&b.transact()),
        Any::from_json(r#"{"z":3}"#).unwrap()
    );

    // What b's update events carried rebuilds exactly b.
    let c = Doc::with_client_id(3);
    for e in events.lock().unwrap().iter() {
        c.transact_mut()
            .apply_update(Update::decode_v1(e).unwrap())
            .unwrap();
    }
    let m_c = c.get_or_insert_map("m");
    assert_eq!(m_c.to_json(&c.transact()), m_b.to_json(&b.transact()));

    // And once the gap is filled, the rebuilt replica converges with the others.
    for u in &updates[..2] {
        for d in [&b, &c] {
            d.transact_mut()
                .apply_update(Update::decode_v1(u).unwrap())
                .unwrap();
        }
    }
    let all = Any::from_json(r#"{"x":1,"y":2,"z":3}"#).unwrap();
    assert_eq!(m_b.to_json(&b.transact()), all);
    assert_eq!(m_c.to_json(&c.transact()), all);
}
