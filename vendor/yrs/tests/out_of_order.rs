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

/// The two updates (hex, in the order a client applied them) captured from the randomized sync
/// model where 0.28.1 panicked in `BlockStore::push` (`attempt to subtract with overflow`): a
/// relay's diff from clock 23 of a client, then that client's whole state, whose GC range 15..31
/// straddles clock 23. Applied in either order, the replicas must agree.
const CAPTURED_PUSH_UNDERFLOW: [&[&str]; 2] = [
    &[
        "0108c68cb18008170008270108656c656d656e747303653135012800c68cb180081f0178017b3fc9a1f29b1add67",
        "2700c68cb180081f0474657874020400c68cb1800821017484c68cb1800822023135c4c68cb1800822c68cb18008",
        "23026162000201c68cb1800802001f2702",
    ],
    &[
        "020f9396c8bc0e00270108656c656d656e74730265310121009396c8bc0e0001780127009396c8bc0e0004746578",
        "740204009396c8bc0e020174819396c8bc0e0301270108656c656d656e74730265350128009396c8bc0e05017801",
        "7b3fd518a4dd50621427009396c8bc0e0504746578740204009396c8bc0e070174849396c8bc0e080135a89396c8",
        "bc0e01017b3feea6ad3dade08028009396c8bc0e00067374726f6b6501770a23363135333332363136449396c8bc",
        "0e030161c19396c8bc0e0c9396c8bc0e0301c49396c8bc0e089396c8bc0e0904616261620dc68cb1800800210108",
        "656c656d656e7473026533010006210108656c656d656e7473026534010006210108656c656d656e747302653601",
        "0010270108656c656d656e747303653135012800c68cb180081f0178017b3fc9a1f29b1add672700c68cb180081f",
        "0474657874020400c68cb1800821017484c68cb1800822023135c4c68cb1800822c68cb1800823026162000203d4",
        "e6d921010005c68cb1800802001f27029396c8bc0e03010104010d01",
    ],
];

/// Captured likewise where a replica rebuilt from its own update events lost two map entries:
/// the second update's blocks land past a gap and were missing from its event.
const CAPTURED_LOST_BLOCKS: [&[&str]; 2] = [
    &[
        "011884f6e2ea0300270108656c656d656e747302653201210084f6e2ea0300017801270084f6e2ea030004746578",
        "7402040084f6e2ea030201748484f6e2ea03030132270108656c656d656e747302653401280084f6e2ea03050178",
        "017b3fd2515680a229dd270084f6e2ea0305047465787402040084f6e2ea030701748484f6e2ea03080134c484f6",
        "e2ea030384f6e2ea0304026162270108656c656d656e747302653601210084f6e2ea030c017801270084f6e2ea03",
        "0c047465787402040084f6e2ea030e027436a884f6e2ea0301017b3fd75cd10f2dc84b280084f6e2ea0300067374",
        "726f6b6501770a23363236303836313033270108656c656d656e747302653701280084f6e2ea03130178017b3fef",
        "4f6ebbe344f9270084f6e2ea0313047465787402010084f6e2ea031502c484f6e2ea030884f6e2ea0309026162a8",
        "84f6e2ea030d017b3fd07e7f3248b139280084f6e2ea030c067374726f6b6501770b233139363235393238303201",
        "84f6e2ea030301010d011602",
    ],
    &[
        "010284f6e2ea031ea884f6e2ea0314017b3fa6d262fe5069c1280084f6e2ea0313067374726f6b6501770b233134",
        "38343938373135340184f6e2ea03011401",
    ],
];

fn captured(parts: &[&str]) -> Vec<u8> {
    let hex: String = parts.concat();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Applies `updates` in order, each in its own transaction (as a sync client does), and returns
/// the document with every update event it emitted.
fn apply_each(updates: &[Vec<u8>]) -> (Doc, Vec<Vec<u8>>) {
    let doc = Doc::new();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    doc.observe_update_v1("test", move |_, e| {
        sink.lock().unwrap().push(e.update.clone())
    })
    .unwrap();
    for u in updates {
        doc.transact_mut()
            .apply_update(Update::decode_v1(u).unwrap())
            .unwrap();
    }
    let events = events.lock().unwrap().clone();
    (doc, events)
}

fn same(a: &Doc, b: &Doc) {
    use yrs::types::ToJson;
    assert_eq!(a.transact().state_vector(), b.transact().state_vector());
    let (ma, mb) = (
        a.get_or_insert_map("elements"),
        b.get_or_insert_map("elements"),
    );
    assert_eq!(ma.to_json(&a.transact()), mb.to_json(&b.transact()));
}

#[test]
fn captured_sequence_that_underflowed_in_push_converges() {
    let updates: Vec<Vec<u8>> = CAPTURED_PUSH_UNDERFLOW
        .iter()
        .map(|p| captured(p))
        .collect();
    let (in_order, _) = apply_each(&updates);
    let reversed: Vec<Vec<u8>> = updates.iter().rev().cloned().collect();
    let (causal, _) = apply_each(&reversed);
    same(&in_order, &causal);
}

#[test]
fn captured_sequence_whose_events_lost_blocks_rebuilds_from_them() {
    let updates: Vec<Vec<u8>> = CAPTURED_LOST_BLOCKS.iter().map(|p| captured(p)).collect();
    let (doc, events) = apply_each(&updates);
    let (rebuilt, _) = apply_each(&events);
    same(&doc, &rebuilt);
}
