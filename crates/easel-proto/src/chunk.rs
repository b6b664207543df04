//! Large updates as several frames: every frame Easel sends is at most [`MAX_FRAME_BYTES`].
//!
//! y-websocket has no size negotiation, and a whole board (100k elements is ~25 MiB) does not fit
//! in one message under any sane frame limit. So a large update (a sync step 2 answering an
//! empty state vector, a resync, an import) is cut into several v1 updates, each a valid update
//! of its own and at most `max` bytes, sent as update messages, the last one as the sync step 2
//! (stock Yjs clients mark themselves synced on step 2, so they are synced once they have it
//! all).
//!
//! The pieces go in an order a receiver integrates one at a time: every item comes after what
//! it depends on (its origin, its right origin, its parent, and its client's earlier clocks), so
//! nothing waits in the receiver's pending set (which the relay bounds) between two frames. The
//! delete set goes last. Structs are copied byte for byte; only section headers are written.
//! One struct bigger than `max` cannot be cut: [`split_update_v1`] then returns it alone in an
//! oversized piece and says so ([`Split::oversized`]), and the sender decides.

use crate::error::ProtoError;
use crate::reader::Reader;
use crate::validate::{self, Limits};
use crate::write;

/// The largest frame Easel sends: a relay's default `max_message_bytes` and the sync client's.
pub const MAX_FRAME_BYTES: usize = 1 << 20;
/// Room a sync message needs around its update (type, subtype, length prefix).
pub const FRAME_OVERHEAD: usize = 16;
/// The largest update piece that fits in a frame of [`MAX_FRAME_BYTES`].
pub const MAX_PIECE_BYTES: usize = MAX_FRAME_BYTES - FRAME_OVERHEAD;

/// An update cut into pieces.
#[derive(Debug, Default)]
pub struct Split {
    /// Valid v1 updates to apply in this order; applying all equals applying the original.
    pub pieces: Vec<Vec<u8>>,
    /// Size of the largest single struct, when it alone exceeds the cap (its piece is bigger
    /// than asked).
    pub oversized: Option<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Struct {
    start: usize,
    end: usize,
    len: u64,
    skip: bool,
    /// Origin, right origin, parent: (client, clock).
    deps: [Option<(u64, u64)>; 3],
}

struct Run {
    client: u64,
    first_clock: u64,
    structs: Vec<Struct>,
}

/// Reads the ids an item struct depends on from its header.
fn deps_of(bytes: &[u8]) -> Result<[Option<(u64, u64)>; 3], ProtoError> {
    const HAS_ORIGIN: u8 = 0b1000_0000;
    const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
    let mut r = Reader::new(bytes);
    let info = r.u8("struct info")?;
    let mut deps = [None; 3];
    if info & HAS_ORIGIN != 0 {
        deps[0] = Some((r.var_uint("origin")?, r.var_uint("origin")?));
    }
    if info & HAS_RIGHT_ORIGIN != 0 {
        deps[1] = Some((r.var_uint("right origin")?, r.var_uint("right origin")?));
    }
    if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 && r.var_uint("parent info")? == 0 {
        deps[2] = Some((r.var_uint("parent id")?, r.var_uint("parent id")?));
    }
    Ok(deps)
}

/// Cuts a v1 update into valid v1 updates of at most `max` bytes each (see the module docs).
/// An update that fits comes back whole. The update is validated first, as everything is.
pub fn split_update_v1(update: &[u8], max: usize) -> Result<Split, ProtoError> {
    let limits = Limits {
        max_message_bytes: usize::MAX,
        max_depth: 64,
        max_structs: usize::MAX,
    };
    validate::update_v1(update, &limits)?;
    if update.len() <= max {
        return Ok(Split {
            pieces: vec![update.to_vec()],
            oversized: None,
        });
    }
    let max = max.max(64);

    // Parse the struct section into runs, and find the delete set.
    let mut r = Reader::new(update);
    let clients = r.var_uint("client count")? as usize;
    let mut runs: Vec<Run> = Vec::with_capacity(clients);
    let mut summary = validate::UpdateSummary::default();
    for _ in 0..clients {
        let n = r.var_uint("struct count")? as usize;
        let client = r.var_uint("client id")?;
        let first_clock = r.var_uint("clock")?;
        let mut structs = Vec::with_capacity(n);
        for _ in 0..n {
            let start = r.offset();
            let info = update[start];
            let len = validate::struct_v1(&mut r, &limits, &mut summary)?;
            let end = r.offset();
            let skip = info == validate::REF_SKIP;
            let gc = info == validate::REF_GC;
            let deps = if skip || gc {
                [None; 3]
            } else {
                deps_of(&update[start..end])?
            };
            structs.push(Struct {
                start,
                end,
                len,
                skip,
                deps,
            });
        }
        runs.push(Run {
            client,
            first_clock,
            structs,
        });
    }
    let ds = &update[r.offset()..];

    // Order: every struct after its dependencies that this update holds.
    let index: std::collections::HashMap<u64, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.client, i))
        .collect();
    let mut cursor = vec![0usize; runs.len()];
    let mut reached: Vec<u64> = runs.iter().map(|r| r.first_clock).collect();
    let total: usize = runs.iter().map(|r| r.structs.len()).sum();
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(total);
    let satisfied = |dep: &Option<(u64, u64)>, reached: &[u64]| match dep {
        None => true,
        Some((c, k)) => match index.get(c) {
            None => true,
            Some(&j) => *k < runs[j].first_clock || *k < reached[j],
        },
    };
    while order.len() < total {
        let mut progressed = false;
        for i in 0..runs.len() {
            while cursor[i] < runs[i].structs.len() {
                let s = &runs[i].structs[cursor[i]];
                if !s.deps.iter().all(|d| satisfied(d, &reached)) {
                    break;
                }
                order.push((i, cursor[i]));
                reached[i] += s.len;
                cursor[i] += 1;
                progressed = true;
            }
        }
        if !progressed {
            // A dependency this update names but cannot satisfy (it is not in the update and
            // the receiver is assumed to lack it): take the next struct anyway; the receiver
            // keeps it pending exactly as it would have kept the whole update.
            let i = (0..runs.len())
                .find(|&i| cursor[i] < runs[i].structs.len())
                .expect("structs remain");
            order.push((i, cursor[i]));
            reached[i] += runs[i].structs[cursor[i]].len;
            cursor[i] += 1;
        }
    }

    // Pack into pieces. A piece has one section per client (yrs refuses a repeated client);
    // a client's structs in one piece are contiguous in clock, because they are taken in order.
    let mut out = Split::default();
    let mut piece = Piece::default();
    let mut clock_at: Vec<u64> = runs.iter().map(|r| r.first_clock).collect();
    for (i, k) in order {
        let s = runs[i].structs[k];
        let clock = clock_at[i];
        clock_at[i] += s.len;
        let size = s.end - s.start;
        if size + 32 > max {
            out.oversized = Some(out.oversized.unwrap_or(0).max(size));
        }
        if !piece.is_empty() && piece.size + size + 32 > max {
            out.pieces.push(piece.finish(update, &[0]));
            piece = Piece::default();
        }
        piece.add(runs[i].client, clock, s);
    }
    // The delete set goes last, with the last structs if it fits, else on its own.
    if piece.size + ds.len() + 8 <= max {
        out.pieces.push(piece.finish(update, ds));
    } else {
        if !piece.is_empty() {
            out.pieces.push(piece.finish(update, &[0]));
        }
        out.pieces.extend(split_delete_set(ds, max)?);
    }
    Ok(out)
}

/// The structs of one piece being built.
#[derive(Default)]
struct Piece {
    /// (client, first clock, structs) in first-seen order.
    sections: Vec<(u64, u64, Vec<Struct>)>,
    at: std::collections::HashMap<u64, usize>,
    size: usize,
}

impl Piece {
    fn is_empty(&self) -> bool {
        self.sections.iter().all(|(_, _, v)| v.is_empty())
    }

    fn add(&mut self, client: u64, clock: u64, s: Struct) {
        match self.at.get(&client) {
            Some(&j) => self.sections[j].2.push(s),
            None => {
                // A section never starts with a skip: it starts after it.
                if s.skip {
                    return;
                }
                self.at.insert(client, self.sections.len());
                self.sections.push((client, clock, vec![s]));
                self.size += 24;
            }
        }
        self.size += s.end - s.start;
    }

    fn finish(mut self, update: &[u8], delete_set: &[u8]) -> Vec<u8> {
        for (_, _, v) in &mut self.sections {
            while v.last().is_some_and(|s| s.skip) {
                v.pop();
            }
        }
        self.sections.retain(|(_, _, v)| !v.is_empty());
        let mut out = Vec::with_capacity(self.size + delete_set.len() + 8);
        write::var_uint(&mut out, self.sections.len() as u64);
        for (client, clock, structs) in &self.sections {
            write::var_uint(&mut out, structs.len() as u64);
            write::var_uint(&mut out, *client);
            write::var_uint(&mut out, *clock);
            for s in structs {
                out.extend_from_slice(&update[s.start..s.end]);
            }
        }
        out.extend_from_slice(delete_set);
        out
    }
}

/// A delete set too big for one piece, as several updates with no structs.
fn split_delete_set(ds: &[u8], max: usize) -> Result<Vec<Vec<u8>>, ProtoError> {
    let mut r = Reader::new(ds);
    let clients = r.var_uint("delete set client count")?;
    let mut pieces = Vec::new();
    // (client, ranges) of the piece being built, and its size.
    let mut cur: Vec<(u64, Vec<(u64, u64)>)> = Vec::new();
    let mut size = 0usize;
    let flush = |cur: &mut Vec<(u64, Vec<(u64, u64)>)>, pieces: &mut Vec<Vec<u8>>| {
        if cur.is_empty() {
            return;
        }
        let mut out = vec![0u8];
        write::var_uint(&mut out, cur.len() as u64);
        for (client, ranges) in cur.drain(..) {
            write::var_uint(&mut out, client);
            write::var_uint(&mut out, ranges.len() as u64);
            for (clock, len) in ranges {
                write::var_uint(&mut out, clock);
                write::var_uint(&mut out, len);
            }
        }
        pieces.push(out);
    };
    for _ in 0..clients {
        let client = r.var_uint("delete set client id")?;
        let n = r.var_uint("delete set range count")?;
        cur.push((client, Vec::new()));
        size += 20;
        for _ in 0..n {
            let clock = r.var_uint("deleted clock")?;
            let len = r.var_uint("deleted length")?;
            if size + 20 > max {
                flush(&mut cur, &mut pieces);
                cur.push((client, Vec::new()));
                size = 20;
            }
            cur.last_mut().expect("a client").1.push((clock, len));
            size += 20;
        }
    }
    flush(&mut cur, &mut pieces);
    Ok(pieces)
}

/// The frames that carry `update` as a sync step 2, each at most [`MAX_FRAME_BYTES`] unless one
/// struct alone is bigger: update messages for all pieces but the last, the last as the step 2.
pub fn sync_step2_frames(update: &[u8]) -> Result<Vec<Vec<u8>>, ProtoError> {
    let split = split_update_v1(update, MAX_PIECE_BYTES)?;
    let n = split.pieces.len();
    Ok(split
        .pieces
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            if i + 1 == n {
                crate::message::encode_sync_step2(&p)
            } else {
                crate::message::encode_update(&p)
            }
        })
        .collect())
}

/// The frames that carry `update` as update messages, each at most [`MAX_FRAME_BYTES`] unless
/// one struct alone is bigger.
pub fn update_frames(update: &[u8]) -> Result<Vec<Vec<u8>>, ProtoError> {
    Ok(split_update_v1(update, MAX_PIECE_BYTES)?
        .pieces
        .into_iter()
        .map(|p| crate::message::encode_update(&p))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::{
        Doc, GetString, Map, MapPrelim, ReadTxn, StateVector, Text, TextPrelim, Transact, Update,
    };

    /// Several clients editing concurrently, exchanging only some of their updates, with
    /// nested maps, texts and deletions: a document whose items depend on each other across
    /// clients in every way.
    fn tangled_doc(seed: u64, steps: usize) -> Doc {
        let mut rng = fastrand::Rng::with_seed(seed);
        let docs: Vec<Doc> = (1..=4)
            .map(|c| Doc::with_client_id(c * 1000 + seed))
            .collect();
        for step in 0..steps {
            let d = &docs[rng.usize(0..docs.len())];
            let root = d.get_or_insert_map("elements");
            let mut txn = d.transact_mut();
            let mut keys: Vec<String> = root.keys(&txn).map(str::to_owned).collect();
            // Sorted, so the same seed makes the same edits whatever the map's order.
            keys.sort();
            match rng.u8(0..5) {
                0 | 1 => {
                    let id = format!("e{step}");
                    let el = root.insert(&mut txn, id, MapPrelim::default());
                    el.insert(&mut txn, "x", rng.f64());
                    el.insert(&mut txn, "kind", "rect");
                    el.insert(
                        &mut txn,
                        "text",
                        TextPrelim::new("hello ".repeat(rng.usize(0..20))),
                    );
                }
                2 if !keys.is_empty() => {
                    let k = &keys[rng.usize(0..keys.len())];
                    if let Some(yrs::Out::YMap(el)) = root.get(&txn, k) {
                        el.insert(&mut txn, "x", rng.f64());
                        if let Some(yrs::Out::YText(t)) = el.get(&txn, "text") {
                            let len = t.len(&txn);
                            t.insert(&mut txn, rng.u32(0..=len), "typed");
                            if len > 4 {
                                t.remove_range(&mut txn, 1, 3);
                            }
                        }
                    }
                }
                3 if !keys.is_empty() => {
                    let k = &keys[rng.usize(0..keys.len())];
                    root.remove(&mut txn, k);
                }
                _ => {}
            }
            drop(txn);
            // Now and then two clients exchange what they have.
            if rng.u8(0..4) == 0 {
                let a = &docs[rng.usize(0..docs.len())];
                let b = &docs[rng.usize(0..docs.len())];
                let u = a.transact().encode_diff_v1(&b.transact().state_vector());
                b.transact_mut()
                    .apply_update(Update::decode_v1(&u).unwrap())
                    .unwrap();
            }
        }
        let all = Doc::with_client_id(1);
        for d in &docs {
            let u = d
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            all.transact_mut()
                .apply_update(Update::decode_v1(&u).unwrap())
                .unwrap();
        }
        all
    }

    fn content(doc: &Doc) -> String {
        let root = doc.get_or_insert_map("elements");
        let txn = doc.transact();
        let mut out: Vec<String> = root
            .iter(&txn)
            .map(|(k, v)| match v {
                yrs::Out::YMap(m) => {
                    let text = match m.get(&txn, "text") {
                        Some(yrs::Out::YText(t)) => t.get_string(&txn),
                        _ => String::new(),
                    };
                    format!("{k}: {:?} {text}", m.get(&txn, "x"))
                }
                other => format!("{k}: {other:?}"),
            })
            .collect();
        out.sort();
        out.join("\n")
    }

    #[test]
    fn pieces_apply_one_by_one_without_waiting_and_equal_the_whole() {
        for seed in 0..12u64 {
            let doc = tangled_doc(seed, 300);
            let full = doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            for max in [200usize, 1000, 5000] {
                let split = split_update_v1(&full, max).unwrap();
                assert!(split.pieces.len() > 1 || full.len() <= max);
                let fresh = Doc::with_client_id(2);
                for (i, p) in split.pieces.iter().enumerate() {
                    if split.oversized.is_none() {
                        assert!(
                            p.len() <= max,
                            "seed {seed} max {max}: piece {i} is {} bytes",
                            p.len()
                        );
                    }
                    validate::update_v1(p, &Limits::default()).unwrap();
                    let mut txn = fresh.transact_mut();
                    txn.apply_update(Update::decode_v1(p).unwrap()).unwrap();
                    assert!(
                        txn.store().pending_update().is_none(),
                        "seed {seed} max {max}: piece {i} of {} left structs waiting",
                        split.pieces.len()
                    );
                }
                assert_eq!(content(&fresh), content(&doc), "seed {seed} max {max}");
                assert_eq!(
                    fresh.transact().state_vector(),
                    doc.transact().state_vector(),
                    "seed {seed} max {max}"
                );
                // Deletions arrived too: the re-encoded states are equal.
                let again = fresh
                    .transact()
                    .encode_state_as_update_v1(&StateVector::default());
                let a = Doc::with_client_id(3);
                a.transact_mut()
                    .apply_update(Update::decode_v1(&again).unwrap())
                    .unwrap();
                assert_eq!(content(&a), content(&doc));
            }
        }
    }

    #[test]
    fn a_diff_against_a_peer_splits_too() {
        let doc = tangled_doc(99, 400);
        let old = tangled_doc(99, 150);
        // What a peer holding part of the document lacks.
        let peer = Doc::with_client_id(5);
        let u = old
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        peer.transact_mut()
            .apply_update(Update::decode_v1(&u).unwrap())
            .unwrap();
        let diff = doc
            .transact()
            .encode_diff_v1(&peer.transact().state_vector());
        let whole = Doc::with_client_id(6);
        whole
            .transact_mut()
            .apply_update(Update::decode_v1(&u).unwrap())
            .unwrap();
        whole
            .transact_mut()
            .apply_update(Update::decode_v1(&diff).unwrap())
            .unwrap();
        assert_eq!(content(&whole), content(&doc), "the diff itself");
        let split = split_update_v1(&diff, 300).unwrap();
        for p in &split.pieces {
            peer.transact_mut()
                .apply_update(Update::decode_v1(p).unwrap())
                .unwrap();
        }
        assert_eq!(content(&peer), content(&doc));
    }

    #[test]
    fn small_updates_come_back_whole_and_one_huge_struct_is_reported() {
        let doc = Doc::with_client_id(7);
        let m = doc.get_or_insert_map("files");
        m.insert(&mut doc.transact_mut(), "small", "x");
        let u = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let split = split_update_v1(&u, 1000).unwrap();
        assert_eq!(split.pieces, vec![u]);
        assert!(split.oversized.is_none());

        m.insert(&mut doc.transact_mut(), "photo", "b".repeat(5000));
        m.insert(&mut doc.transact_mut(), "after", "y");
        let u = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let split = split_update_v1(&u, 1000).unwrap();
        assert!(split.oversized.unwrap() > 5000);
        let fresh = Doc::with_client_id(8);
        for p in &split.pieces {
            fresh
                .transact_mut()
                .apply_update(Update::decode_v1(p).unwrap())
                .unwrap();
        }
        let fm = fresh.get_or_insert_map("files");
        assert_eq!(fm.len(&fresh.transact()), 3);
    }

    #[test]
    fn a_large_delete_set_is_cut_too() {
        let doc = Doc::with_client_id(9);
        let t = doc.get_or_insert_text("t");
        for i in 0..3000u32 {
            t.insert(&mut doc.transact_mut(), i, "a");
        }
        // Every other character deleted: thousands of separate ranges.
        for i in (0..1500u32).rev() {
            t.remove_range(&mut doc.transact_mut(), i * 2, 1);
        }
        let u = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let split = split_update_v1(&u, 500).unwrap();
        assert!(split.pieces.len() > 3);
        let fresh = Doc::with_client_id(10);
        for p in &split.pieces {
            assert!(p.len() <= 500, "{}", p.len());
            fresh
                .transact_mut()
                .apply_update(Update::decode_v1(p).unwrap())
                .unwrap();
        }
        let ft = fresh.get_or_insert_text("t");
        assert_eq!(
            ft.get_string(&fresh.transact()),
            t.get_string(&doc.transact())
        );
    }

    #[test]
    fn frames_fit_the_cap_and_end_with_the_step_2() {
        let doc = tangled_doc(3, 3000);
        let full = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        let frames = sync_step2_frames(&full).unwrap();
        for f in &frames {
            assert!(f.len() <= MAX_FRAME_BYTES);
        }
        let last = frames.last().unwrap();
        assert!(matches!(
            crate::message::decode(last, &Limits::default()).unwrap(),
            crate::Message::SyncStep2(_)
        ));
        for f in &frames[..frames.len() - 1] {
            assert!(matches!(
                crate::message::decode(f, &Limits::default()).unwrap(),
                crate::Message::Update(_)
            ));
        }
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        assert!(split_update_v1(&[5, 1, 2], 100).is_err());
        assert!(split_update_v1(&[], 100).is_err());
    }
}
