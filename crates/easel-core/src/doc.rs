//! The board document: one yrs `Doc` per board, readable by any Yjs client.
//!
//! Layout of the document (root types):
//! - `elements`: `Y.Map<elementId, Y.Map<field, value>>`. Fields are plain values (numbers,
//!   strings, booleans, arrays) except `text`, a `Y.Text` so two people can type into one label at
//!   once. Two groups of fields always change together and are stored as one value each:
//!   `geom = [x, y, width, height, angle]` (a move or resize is one coherent change; merging x
//!   from one user with width from another would give a shape neither drew) and
//!   `edited = [author, updatedAt]`. Every other field merges on its own, and a field equal to
//!   its default is left out. Both keep the item count per element low, which is what loading
//!   a 100k-element board costs.
//! - `meta`: `title`, `background`, `grid`.
//! - `files`: `Y.Map<fileId, {mime, size, width?, height?}>`: the images the board shows, by
//!   the hex SHA-256 of their bytes (an element's `fileId`). The bytes are not in the document:
//!   they live once per store beside it (`easel-log`'s `files`) and move between peers by that
//!   name, fetched when an element that shows them is drawn. Boards written by builds before
//!   this layout held the bytes here (`{mime, data}`); [`BoardDoc::migrate_files`] moves them
//!   out on first open.
//!
//! Every public operation is one yrs transaction with the local origin, validated in full before
//! the transaction opens, so a refused call leaves the document untouched. Local transactions
//! (and the undo manager's own) are collected as v1 updates in an outbox the store drains; updates
//! that arrive from elsewhere are applied with the remote origin and are never tracked by undo.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use yrs::types::ToJson;
use yrs::types::{EntryChange, Event, PathSegment};
use yrs::undo::Options as UndoOptions;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Any, DeepObservable, Doc, GetString, Map, MapPrelim, MapRef, OffsetKind, Options, Origin, Out,
    ReadTxn, StateVector, Text, TextPrelim, TextRef, Transact, TransactionMut, UndoManager, Update,
};

use crate::edit::{Applied, Edit, ElementChanges, ElementDiff, IdPatch, ZMove};
use crate::error::{Error, Result};
use crate::model::{
    Binding, BoardFile, BoardMeta, Element, ElementKind, ElementPatch, FileRef, Scene,
};
use crate::zorder;

/// Origin of transactions made through this API on this replica; the undo manager tracks only it.
pub const LOCAL_ORIGIN: &str = "easel:local";
/// Origin of updates applied from the store or the network.
pub const REMOTE_ORIGIN: &str = "easel:remote";
/// Origin of the one-time move of a board's image bytes out of its document: stored and synced
/// like a local edit, never undone.
pub const MIGRATE_ORIGIN: &str = "easel:migrate";

/// Where to move elements in the z-order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reorder {
    /// Above every other element.
    Front,
    /// Below every other element.
    Back,
    /// One step up: just above the next element that is not moved.
    Forward,
    /// One step down: just below the previous element that is not moved.
    Backward,
}

/// A board's live document with its undo history.
pub struct BoardDoc {
    doc: Doc,
    elements: MapRef,
    meta: MapRef,
    files: MapRef,
    undo: UndoManager,
    outbox: Outbox,
    /// Element ids yrs's events reported since [`Self::absorb`] last ran (the deep observer
    /// on `elements` fills it, for every transaction whatever its origin).
    observed: Arc<Mutex<ElementChanges>>,
    /// Absorbed changes not yet taken by [`Self::take_changes`].
    unreported: ElementChanges,
    refs: RefIndex,
    /// The top element's id and z key: `None` until looked for, `Some(None)` on an empty board.
    top: Option<Option<(String, String)>>,
}

/// The updates a document produces, split by origin: local transactions wait for the store to
/// take them; a remote update's effect is captured so the caller learns what it changed. Shared
/// by every document type (the board, its comments).
pub(crate) struct Outbox {
    /// v1 updates of local transactions not yet taken by the store, in order.
    local: Arc<Mutex<Vec<Vec<u8>>>>,
    /// What the last remote update actually changed (yrs encodes only integrated changes), so
    /// a duplicate delivery is neither stored nor forwarded again.
    remote_effect: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Where every update this document integrates is recorded, when someone asked for it.
    trace: Arc<Mutex<Option<UpdateTrace>>>,
}

/// What one entry of an [`UpdateTrace`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TraceKind {
    /// The whole document when recording started (or restarted after a reload): a replay
    /// starts a fresh document from it.
    State,
    /// A local transaction's update, as the document produced it.
    Local,
    /// Bytes applied from elsewhere (a sync peer, the store), as they were handed to yrs:
    /// recorded before yrs saw them, so an update that made yrs fail is the last entry.
    Remote,
}

/// One update a document integrated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TraceEntry {
    pub kind: TraceKind,
    /// The v1 update, base64 (standard alphabet) in JSON.
    #[serde(with = "base64_bytes")]
    pub update: Vec<u8>,
}

/// Every update a replica's document integrated, in order, for replaying a sync failure
/// without sockets ([`replay_trace`]). Shared: the recorder and its reader hold clones.
#[derive(Debug, Clone, Default)]
pub struct UpdateTrace(Arc<Mutex<Vec<TraceEntry>>>);

impl UpdateTrace {
    fn push(&self, kind: TraceKind, update: Vec<u8>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(TraceEntry { kind, update });
    }

    /// The entries recorded so far, oldest first.
    pub fn entries(&self) -> Vec<TraceEntry> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Replays a trace on fresh documents, each entry in its own transaction as the replica applied
/// it; a [`TraceKind::State`] entry starts over from that state. Returns the final document,
/// or the first error, a panic inside yrs included ([`Error::Engine`]), with the entry's index.
pub fn replay_trace(entries: &[TraceEntry]) -> std::result::Result<Doc, (usize, Error)> {
    let mut doc = bare_doc();
    for (i, e) in entries.iter().enumerate() {
        if e.kind == TraceKind::State {
            doc = bare_doc();
        }
        let r = crate::error::guard_engine("replaying a trace", || {
            let update = Update::decode_v1(&e.update).map_err(|e| Error::Corrupt(e.to_string()))?;
            doc.transact_mut_with(Origin::from(REMOTE_ORIGIN))
                .apply_update(update)
                .map_err(|e| Error::Corrupt(e.to_string()))
        });
        r.map_err(|err| (i, err))?;
    }
    Ok(doc)
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

impl Outbox {
    /// Starts collecting `doc`'s updates.
    pub(crate) fn attach(doc: &Doc) -> Outbox {
        let local: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let remote_effect: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let trace: Arc<Mutex<Option<UpdateTrace>>> = Arc::default();
        let sink = local.clone();
        let remote_sink = remote_effect.clone();
        let trace_sink = trace.clone();
        let remote = Origin::from(REMOTE_ORIGIN);
        doc.observe_update_v1("easel:outbox", move |txn, e| {
            let target = if txn.origin() == Some(&remote) {
                &remote_sink
            } else {
                if let Some(t) = &*lock(&trace_sink) {
                    t.push(TraceKind::Local, e.update.clone());
                }
                &sink
            };
            lock(target).push(e.update.clone());
        })
        .expect("a new document has no open transaction");
        Outbox {
            local,
            remote_effect,
            trace,
        }
    }

    /// Records every update `doc` integrates from now on into `trace`, starting with its whole
    /// current state.
    pub(crate) fn record(&self, doc: &Doc, trace: UpdateTrace) {
        let state = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        trace.push(TraceKind::State, state);
        *lock(&self.trace) = Some(trace);
    }

    /// The trace being recorded, if any.
    pub(crate) fn trace(&self) -> Option<UpdateTrace> {
        lock(&self.trace).clone()
    }

    /// Takes the updates of local transactions made since the last call, oldest first.
    pub(crate) fn take_local(&self) -> Vec<Vec<u8>> {
        std::mem::take(&mut *lock(&self.local))
    }

    /// Applies `update` to `doc` with the remote origin and returns what it changed as one v1
    /// update, or `None` if `doc` already had all of it.
    pub(crate) fn apply_remote_effective(
        &self,
        doc: &Doc,
        update: &[u8],
    ) -> Result<Option<Vec<u8>>> {
        if let Some(t) = &*lock(&self.trace) {
            t.push(TraceKind::Remote, update.to_vec());
        }
        let update = Update::decode_v1(update).map_err(|e| Error::Corrupt(e.to_string()))?;
        lock(&self.remote_effect).clear();
        let applied = crate::error::guard_engine("applying a remote update", || {
            // yrs commits the transaction when it drops, even while a panic unwinds: the
            // observer may then have collected part of a failed update, which is thrown away
            // below and never stored or forwarded.
            let mut txn = doc.transact_mut_with(Origin::from(REMOTE_ORIGIN));
            txn.apply_update(update)
                .map_err(|e| Error::Corrupt(e.to_string()))
        });
        if let Err(e) = applied {
            lock(&self.remote_effect).clear();
            return Err(e);
        }
        let mut effect = std::mem::take(&mut *lock(&self.remote_effect));
        Ok(match effect.len() {
            0 => None,
            1 => effect.pop(),
            _ => Some(yrs::merge_updates_v1(&effect).map_err(|e| Error::Corrupt(e.to_string()))?),
        })
    }
}

/// Builds a document from stored updates, applied with the remote origin in one transaction
/// (before any observer is attached, so loading does not run them over the whole document).
pub(crate) fn doc_from_updates<'a>(updates: impl IntoIterator<Item = &'a [u8]>) -> Result<Doc> {
    let doc = bare_doc();
    crate::error::guard_engine("loading a document", || {
        let mut txn = doc.transact_mut_with(Origin::from(REMOTE_ORIGIN));
        for u in updates {
            let update = Update::decode_v1(u).map_err(|e| Error::Corrupt(e.to_string()))?;
            txn.apply_update(update)
                .map_err(|e| Error::Corrupt(e.to_string()))?;
        }
        Ok(())
    })?;
    Ok(doc)
}

/// Locks one of the outbox's buffers; a panic elsewhere (inside yrs, caught) never leaves them
/// unusable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Default for BoardDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl BoardDoc {
    /// An empty document with a fresh random client id.
    pub fn new() -> Self {
        Self::attach(bare_doc())
    }

    /// Wraps a yrs document: root types, the undo manager and the outbox observer. Loading
    /// applies stored updates before this, so the observers do not run over a whole board.
    fn attach(doc: Doc) -> Self {
        let elements = doc.get_or_insert_map("elements");
        let meta = doc.get_or_insert_map("meta");
        let files = doc.get_or_insert_map("files");
        let mut undo = UndoManager::with_options(UndoOptions {
            // One API call is one undo step; a gesture that spans calls is grouped by the caller
            // with `stop_capturing`-free batching in a single call.
            capture_timeout_millis: 0,
            ..UndoOptions::default()
        });
        undo.expand_scope(&doc, &elements);
        undo.expand_scope(&doc, &meta);
        undo.expand_scope(&doc, &files);
        undo.include_origin(Origin::from(LOCAL_ORIGIN));
        let outbox = Outbox::attach(&doc);
        let mut refs = RefIndex::default();
        {
            let txn = doc.transact();
            for (id, v) in elements.iter(&txn) {
                if let Out::YMap(m) = v {
                    refs.set(id, raw_refs(&txn, &m));
                }
            }
        }
        let observed: Arc<Mutex<ElementChanges>> = Arc::default();
        let sink = observed.clone();
        elements.observe_deep("easel:changes", move |txn, events| {
            let mut changes = lock(&sink);
            for event in events.iter() {
                let path = event.path();
                match path.front() {
                    Some(PathSegment::Key(id)) => {
                        changes.touched.insert(id.to_string());
                    }
                    Some(PathSegment::Index(_)) => {}
                    None => {
                        if let Event::Map(e) = event {
                            for (id, change) in e.keys(txn) {
                                if matches!(
                                    change,
                                    EntryChange::Inserted(_) | EntryChange::Updated(..)
                                ) {
                                    changes.inserted.insert(id.to_string());
                                }
                                changes.touched.insert(id.to_string());
                            }
                        }
                    }
                }
            }
        });
        BoardDoc {
            doc,
            elements,
            meta,
            files,
            undo,
            outbox,
            observed,
            unreported: ElementChanges::default(),
            refs,
            top: None,
        }
    }

    /// A document built from stored updates (a snapshot, then the tail), applied as remote so
    /// nothing loaded is undoable or sent back out. Each passes `easel-proto`'s validating
    /// decoder first, like bytes from the network: a damaged database (a bad disk, another
    /// tool's writes) is an [`Error::Corrupt`] naming what is wrong, never a crash of yrs (some
    /// malformed input aborts it, which nothing can catch: `fixtures/yrs-malformed`).
    pub fn from_updates<'a>(updates: impl IntoIterator<Item = &'a [u8]>) -> Result<Self> {
        let updates: Vec<&[u8]> = updates.into_iter().collect();
        for (i, u) in updates.iter().enumerate() {
            validate_stored(u).map_err(|e| match e {
                Error::Corrupt(why) => Error::Corrupt(format!("stored update {i}: {why}")),
                other => other,
            })?;
        }
        Ok(Self::attach(doc_from_updates(updates)?))
    }

    /// Applies an update that came from elsewhere (another replica, the store). The caller must
    /// have validated bytes that came from the network (see the sync layer).
    pub fn apply_remote(&self, update: &[u8]) -> Result<()> {
        self.apply_remote_effective(update).map(drop)
    }

    /// Like [`Self::apply_remote`], and returns what the update changed here as one v1 update,
    /// or `None` if this replica already had all of it.
    pub fn apply_remote_effective(&self, update: &[u8]) -> Result<Option<Vec<u8>>> {
        self.outbox.apply_remote_effective(&self.doc, update)
    }

    /// Takes the updates of local transactions made since the last call, oldest first.
    pub fn take_updates(&self) -> Vec<Vec<u8>> {
        self.outbox.take_local()
    }

    /// Records every update this document integrates from now on (see [`UpdateTrace`]).
    pub fn record_trace(&self, trace: UpdateTrace) {
        self.outbox.record(&self.doc, trace);
    }

    /// The trace this document records into, if any.
    pub fn trace(&self) -> Option<UpdateTrace> {
        self.outbox.trace()
    }

    /// The whole document as one v1 update.
    pub fn encode_state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    /// The document's state vector, v1-encoded.
    pub fn state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }

    /// What a replica with state vector `sv` lacks, as one v1 update.
    pub fn encode_diff(&self, sv: &[u8]) -> Result<Vec<u8>> {
        let sv = StateVector::decode_v1(sv).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(self.doc.transact().encode_diff_v1(&sv))
    }

    /// The underlying yrs document, for the sync layer.
    pub fn ydoc(&self) -> &Doc {
        &self.doc
    }

    fn local(&self) -> TransactionMut<'_> {
        self.doc.transact_mut_with(Origin::from(LOCAL_ORIGIN))
    }

    // ----- reading -----

    /// All elements in drawing order. Entries a foreign client wrote that do not form a valid
    /// element are skipped: the canvas cannot draw them, and they stay in the document untouched.
    pub fn elements(&self) -> Vec<Element> {
        let txn = self.doc.transact();
        let mut out: Vec<Element> = self
            .elements
            .iter(&txn)
            .filter_map(|(id, v)| match v {
                Out::YMap(m) => read_element(&txn, id, &m),
                _ => None,
            })
            .collect();
        sort_by_z(&mut out);
        out
    }

    pub fn element(&self, id: &str) -> Option<Element> {
        let txn = self.doc.transact();
        match self.elements.get(&txn, id) {
            Some(Out::YMap(m)) => read_element(&txn, id, &m),
            _ => None,
        }
    }

    pub fn element_count(&self) -> usize {
        self.elements.len(&self.doc.transact()) as usize
    }

    pub fn meta(&self) -> BoardMeta {
        let txn = self.doc.transact();
        let mut meta = BoardMeta::new("Untitled");
        if let Some(t) = get_str(&txn, &self.meta, "title") {
            meta.title = t;
        }
        if let Some(b) = get_str(&txn, &self.meta, "background") {
            meta.background = b;
        }
        meta.grid = get_num(&txn, &self.meta, "grid");
        meta
    }

    /// The board's reference to a file, if it has one.
    pub fn file_ref(&self, id: &str) -> Option<FileRef> {
        let txn = self.doc.transact();
        read_ref(id, self.files.get(&txn, id)?)
    }

    /// Every file the board references, by id.
    pub fn file_refs(&self) -> Vec<FileRef> {
        let txn = self.doc.transact();
        let mut refs: Vec<FileRef> = self
            .files
            .iter(&txn)
            .filter_map(|(id, v)| read_ref(id, v))
            .collect();
        refs.sort_by(|a, b| a.id.cmp(&b.id));
        refs
    }

    /// The ids of the files the elements show now.
    pub fn shown_files(&self) -> HashSet<String> {
        let txn = self.doc.transact();
        let mut ids = HashSet::new();
        for (_, v) in self.elements.iter(&txn) {
            if let Out::YMap(m) = v
                && let Some(f) = get_str(&txn, &m, "fileId")
            {
                ids.insert(f);
            }
        }
        ids
    }

    /// One file whose bytes are still inside the document (the layout of older builds).
    pub fn legacy_file(&self, id: &str) -> Option<BoardFile> {
        let txn = self.doc.transact();
        read_legacy(id, self.files.get(&txn, id)?)
    }

    /// Files whose bytes are still inside the document (the layout of older builds).
    pub fn legacy_files(&self) -> Vec<BoardFile> {
        let txn = self.doc.transact();
        let mut files: Vec<BoardFile> = self
            .files
            .iter(&txn)
            .filter_map(|(id, v)| read_legacy(id, v))
            .collect();
        files.sort_by(|a, b| a.id.cmp(&b.id));
        files
    }

    /// Replaces every file entry that holds bytes with a reference, in one transaction that
    /// is stored and synced but never undone. The caller stores the bytes first
    /// ([`Self::legacy_files`]). Returns how many entries changed.
    pub fn migrate_files(&mut self) -> usize {
        let legacy = self.legacy_files();
        if legacy.is_empty() {
            return 0;
        }
        let mut txn = self.doc.transact_mut_with(Origin::from(MIGRATE_ORIGIN));
        for f in &legacy {
            self.files
                .insert(&mut txn, f.id.as_str(), ref_any(&f.reference()));
        }
        legacy.len()
    }

    /// Everything in the document as plain values, without file bytes (they are not in the
    /// document: `BoardSession::scene_for_export` adds them from the store).
    pub fn scene(&self) -> Scene {
        Scene {
            meta: self.meta(),
            elements: self.elements(),
            files: Vec::new(),
        }
    }

    /// The document as JSON, the way a Yjs client's `toJSON()` would see it.
    pub fn to_json(&self) -> serde_json::Value {
        let txn = self.doc.transact();
        let any = Any::from(HashMap::from([
            ("elements".to_string(), self.elements.to_json(&txn)),
            ("meta".to_string(), self.meta.to_json(&txn)),
        ]));
        serde_json::to_value(&any).unwrap_or(serde_json::Value::Null)
    }

    // ----- writing -----

    /// Adds an element. An empty `z` puts it on top. `author` and `updated_at` are set here.
    pub fn add(&mut self, actor: &str, el: Element) -> Result<Element> {
        self.add_checked(actor, vec![el], false)
            .map(|mut v| v.remove(0))
    }

    /// Adds many elements in one transaction (one undo step). Elements without a z key go on
    /// top, in the order given. Refuses an id that exists (or repeats) and references to
    /// elements or files that do not exist.
    pub fn add_many(&mut self, actor: &str, els: Vec<Element>) -> Result<Vec<Element>> {
        self.add_checked(actor, els, true)
    }

    /// The strict add: every element is checked here (errors name `elements[i].field` when
    /// `indexed`, the bare field otherwise) before the lenient [`Self::apply_edits`] runs.
    fn add_checked(
        &mut self,
        actor: &str,
        els: Vec<Element>,
        indexed: bool,
    ) -> Result<Vec<Element>> {
        let mut ids = HashSet::new();
        for (i, el) in els.iter().enumerate() {
            let at = |e: Error| {
                if indexed {
                    e.at(format!("elements[{i}]"))
                } else {
                    e
                }
            };
            let mut checked = el.clone();
            if checked.z.is_empty() {
                checked.z = "a0".into(); // Any valid key: the real one is given on apply.
            }
            checked.validate().map_err(at)?;
            if !ids.insert(el.id.as_str()) || self.element_exists(&el.id) {
                return Err(Error::AlreadyExists {
                    what: "element",
                    id: el.id.clone(),
                });
            }
            self.check_refs(el, |id| ids.contains(id) || self.element_exists(id))
                .map_err(at)?;
        }
        let applied = self.apply_edits(actor, &[Edit::Add { elements: els }])?;
        Ok(applied.put)
    }

    /// Changes some fields of one element.
    pub fn update(&mut self, actor: &str, id: &str, patch: &ElementPatch) -> Result<Element> {
        self.update_many(actor, &[(id.to_string(), patch.clone())])
            .map(|mut v| v.remove(0))
    }

    /// Changes fields of several elements in one transaction (one undo step), e.g. a drag of a
    /// selection. All patches are validated before anything is written. Returns each element as
    /// it is now (unchanged ones included).
    pub fn update_many(
        &mut self,
        actor: &str,
        patches: &[(String, ElementPatch)],
    ) -> Result<Vec<Element>> {
        for (id, patch) in patches {
            let old = self
                .element(id)
                .ok_or_else(|| Error::not_found("element", id))?;
            let new = patch.apply_to(&old);
            new.validate()?;
            self.check_refs(&new, |id| self.element_exists(id))?;
        }
        let updates = patches
            .iter()
            .map(|(id, patch)| IdPatch {
                id: id.clone(),
                patch: patch.clone(),
            })
            .collect();
        self.apply_edits(actor, &[Edit::Update { updates }])?;
        patches
            .iter()
            .map(|(id, _)| {
                self.element(id)
                    .ok_or_else(|| Error::not_found("element", id))
            })
            .collect()
    }

    /// Deletes elements; arrows bound to them are unbound and frame members released, in the same
    /// transaction.
    pub fn delete(&mut self, actor: &str, ids: &[String]) -> Result<usize> {
        for id in ids {
            if !self.element_exists(id) {
                return Err(Error::not_found("element", id));
            }
        }
        self.apply_edits(actor, &[Edit::Delete { ids: ids.to_vec() }])?;
        Ok(ids.len())
    }

    /// Moves elements in the z-order, keeping their order among themselves.
    pub fn reorder(&mut self, actor: &str, ids: &[String], to: Reorder) -> Result<()> {
        let all = self.elements();
        let moving: HashSet<&str> = ids.iter().map(String::as_str).collect();
        for id in ids {
            if !all.iter().any(|e| &e.id == id) {
                return Err(Error::not_found("element", id));
            }
        }
        let selected: Vec<&Element> = all
            .iter()
            .filter(|e| moving.contains(e.id.as_str()))
            .collect();
        let rest: Vec<&Element> = all
            .iter()
            .filter(|e| !moving.contains(e.id.as_str()))
            .collect();
        // Bounds (lower, upper) of the slot the moved block goes into, among the other elements.
        let slot: Option<(Option<&str>, Option<&str>)> = match to {
            Reorder::Front => Some((rest.last().map(|e| e.z.as_str()), None)),
            Reorder::Back => Some((None, rest.first().map(|e| e.z.as_str()))),
            Reorder::Forward => {
                let top = all.iter().rposition(|e| moving.contains(e.id.as_str()));
                let next = top.and_then(|t| {
                    all[t + 1..]
                        .iter()
                        .position(|e| !moving.contains(e.id.as_str()))
                        .map(|p| t + 1 + p)
                });
                next.map(|n| {
                    let above = all[n + 1..]
                        .iter()
                        .find(|e| !moving.contains(e.id.as_str()));
                    (Some(all[n].z.as_str()), above.map(|e| e.z.as_str()))
                })
            }
            Reorder::Backward => {
                let bottom = all.iter().position(|e| moving.contains(e.id.as_str()));
                let prev = bottom.and_then(|b| {
                    all[..b]
                        .iter()
                        .rposition(|e| !moving.contains(e.id.as_str()))
                });
                prev.map(|p| {
                    let below = all[..p]
                        .iter()
                        .rev()
                        .find(|e| !moving.contains(e.id.as_str()));
                    (below.map(|e| e.z.as_str()), Some(all[p].z.as_str()))
                })
            }
        };
        let Some((lo, hi)) = slot else {
            return Ok(()); // Already at the edge: nothing to do, and nothing to undo.
        };
        let keys = keys_in_slot(lo, hi, selected.len());
        let moves = selected
            .into_iter()
            .zip(keys)
            .map(|(el, z)| ZMove {
                id: el.id.clone(),
                z,
            })
            .collect();
        self.apply_edits(actor, &[Edit::Reorder { moves }])?;
        Ok(())
    }

    /// Puts elements into a new group (the outermost of their groups) and returns its id.
    pub fn group(&mut self, actor: &str, ids: &[String]) -> Result<String> {
        if ids.len() < 2 {
            return Err(Error::invalid("ids", "a group needs at least two elements"));
        }
        for id in ids {
            if !self.element_exists(id) {
                return Err(Error::not_found("element", id));
            }
        }
        let group_id = Element::new_id();
        self.apply_edits(
            actor,
            &[Edit::Group {
                ids: ids.to_vec(),
                group_id: group_id.clone(),
            }],
        )?;
        Ok(group_id)
    }

    /// Dissolves a group; its elements stay where they are. Returns how many elements it held.
    pub fn ungroup(&mut self, actor: &str, group_id: &str) -> Result<usize> {
        let ids: Vec<String> = self
            .elements()
            .into_iter()
            .filter(|e| e.group_ids.iter().any(|g| g == group_id))
            .map(|e| e.id)
            .collect();
        if ids.is_empty() {
            return Err(Error::not_found("group", group_id));
        }
        let n = ids.len();
        self.apply_edits(
            actor,
            &[Edit::Ungroup {
                ids,
                group_id: group_id.to_string(),
            }],
        )?;
        Ok(n)
    }

    /// Replaces an element's text. Only the changed span is written to the `Y.Text`, so a
    /// collaborator typing elsewhere in the same text keeps their edit.
    pub fn set_text(&mut self, actor: &str, id: &str, text: &str) -> Result<Element> {
        if !self.element_exists(id) {
            return Err(Error::not_found("element", id));
        }
        self.apply_edits(
            actor,
            &[Edit::SetText {
                id: id.to_string(),
                text: text.to_string(),
            }],
        )?;
        self.element(id)
            .ok_or_else(|| Error::not_found("element", id))
    }

    /// Applies a batch of edits in one transaction (one undo step) and returns what it wrote.
    /// Costs what the batch touches: each named element is read once, validated, and only its
    /// changed fields are written; the board's size does not enter. Lenient about ids, as a
    /// concurrent delete requires (see [`Edit`]); everything is validated before the
    /// transaction opens, so a refused batch changes nothing.
    pub fn apply_edits(&mut self, actor: &str, edits: &[Edit]) -> Result<Applied> {
        self.absorb();
        let mut plan = Plan::default();
        for (i, edit) in edits.iter().enumerate() {
            let at = |e: Error| e.at(format!("edits[{i}]"));
            match edit {
                Edit::Add { elements } => {
                    let missing = elements.iter().filter(|e| e.z.is_empty()).count();
                    let mut keys = if missing > 0 {
                        let top = plan.top.clone().or_else(|| self.top_key());
                        zorder::keys_after(top.as_deref(), missing).into_iter()
                    } else {
                        Vec::new().into_iter()
                    };
                    for el in elements {
                        let mut el = el.clone();
                        if el.z.is_empty() {
                            el.z = keys.next().expect("one key per element without one");
                        }
                        plan.cur(self, &el.id.clone());
                        plan.put(el);
                    }
                }
                Edit::Update { updates } => {
                    for u in updates {
                        if let Some(el) = plan.cur(self, &u.id) {
                            plan.put(u.patch.apply_to(&el));
                        }
                    }
                }
                Edit::Delete { ids } => {
                    for id in ids {
                        if plan.cur(self, id).is_some() {
                            plan.remove(id);
                        }
                    }
                }
                Edit::Reorder { moves } => {
                    for m in moves {
                        if let Some(mut el) = plan.cur(self, &m.id) {
                            el.z = m.z.clone();
                            plan.put(el);
                        }
                    }
                }
                Edit::Group { ids, group_id } => {
                    crate::model::validate_id("groupId", group_id).map_err(at)?;
                    for id in ids {
                        if let Some(mut el) = plan.cur(self, id)
                            && !el.group_ids.contains(group_id)
                        {
                            el.group_ids.push(group_id.clone());
                            plan.put(el);
                        }
                    }
                }
                Edit::Ungroup { ids, group_id } => {
                    for id in ids {
                        if let Some(mut el) = plan.cur(self, id)
                            && el.group_ids.contains(group_id)
                        {
                            el.group_ids.retain(|g| g != group_id);
                            plan.put(el);
                        }
                    }
                }
                Edit::SetText { id, text } => {
                    if let Some(mut el) = plan.cur(self, id) {
                        el.text = text.clone();
                        plan.put(el);
                    }
                }
            }
        }
        self.release_dependents(&mut plan);

        // Validate and stamp what actually changes; nothing is written yet.
        let mut writes: Vec<(Option<Element>, Option<Element>)> = Vec::new();
        let mut txn_files: Option<HashSet<String>> = None;
        for id in &plan.order {
            let before = plan.before.get(id).cloned().flatten();
            let after = plan.next.get(id).cloned().flatten();
            match (before, after) {
                (None, None) => {} // Added and deleted within the batch.
                (Some(old), None) => writes.push((Some(old), None)),
                (before, Some(mut new)) => {
                    if let Some(old) = &before {
                        let mut same = old.clone();
                        same.author.clone_from(&new.author);
                        same.updated_at = new.updated_at;
                        if same == new {
                            continue;
                        }
                    }
                    stamp(&mut new, actor);
                    new.validate()
                        .map_err(|e| e.at(format!("element {id:?}")))?;
                    if let Some(f) = &new.file_id {
                        let known = txn_files.get_or_insert_with(HashSet::new);
                        if !known.contains(f) {
                            if !self.files.contains_key(&self.doc.transact(), f) {
                                return Err(Error::invalid(
                                    format!("element {id:?}.fileId"),
                                    format!("file {f:?} is not in this board"),
                                ));
                            }
                            known.insert(f.clone());
                        }
                    }
                    writes.push((before, Some(new)));
                }
            }
        }

        let mut applied = Applied::default();
        if writes.is_empty() {
            return Ok(applied);
        }
        let mut txn = self.local();
        for (old, new) in writes {
            match (old, new) {
                (Some(old), None) => {
                    self.elements.remove(&mut txn, &old.id);
                    applied.removed.push(old.id);
                }
                (old, Some(new)) => {
                    let existing = match self.elements.get(&txn, &new.id) {
                        Some(Out::YMap(map)) => Some(map),
                        _ => None,
                    };
                    match (old, existing) {
                        (Some(old), Some(map)) if old.kind == new.kind => {
                            write_element(&mut txn, &map, &new, Some(&old));
                        }
                        _ => {
                            let map = self.elements.insert(
                                &mut txn,
                                new.id.as_str(),
                                MapPrelim::default(),
                            );
                            write_element(&mut txn, &map, &new, None);
                        }
                    }
                    applied.put.push(new);
                }
                (None, None) => {}
            }
        }
        Ok(applied)
    }

    /// Adds to `plan` the unbinding of arrows bound to elements it deletes and the release of
    /// their frames' members, found through the reference index (not a scan of the board).
    fn release_dependents(&self, plan: &mut Plan) {
        let gone: HashSet<String> = plan
            .next
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(id, _)| id.clone())
            .collect();
        if gone.is_empty() {
            return;
        }
        let mut dependents: Vec<String> = Vec::new();
        for id in &gone {
            if let Some(referrers) = self.refs.by_target.get(id) {
                dependents.extend(referrers.iter().cloned());
            }
        }
        // Elements written in this batch may reference what it deletes, too.
        dependents.extend(
            plan.next
                .iter()
                .filter_map(|(id, v)| v.as_ref().map(|e| (id, e)))
                .filter(|(_, e)| refs_of(e).iter().any(|r| gone.contains(r)))
                .map(|(id, _)| id.clone()),
        );
        dependents.sort();
        dependents.dedup();
        for id in dependents {
            if gone.contains(&id) {
                continue;
            }
            let Some(mut el) = plan.cur(self, &id) else {
                continue;
            };
            let hit = |b: &Option<Binding>| b.as_ref().is_some_and(|b| gone.contains(&b.element));
            let mut changed = false;
            if hit(&el.start) {
                el.start = None;
                changed = true;
            }
            if hit(&el.end) {
                el.end = None;
                changed = true;
            }
            if el.frame_id.as_ref().is_some_and(|f| gone.contains(f)) {
                el.frame_id = None;
                changed = true;
            }
            if changed {
                plan.put(el);
            }
        }
    }

    /// Adds a reference to a file (whose bytes the caller keeps beside the document); adding
    /// the same file again is a no-op. Returns the reference.
    pub fn add_file(&mut self, file: &BoardFile) -> Result<FileRef> {
        file.validate()?;
        if file.id != crate::model::content_id(&file.data) {
            return Err(Error::invalid(
                "fileId",
                "a file's id must be the SHA-256 of its bytes",
            ));
        }
        let r = file.reference();
        self.add_file_ref(&r)?;
        Ok(r)
    }

    /// Adds a reference to a file; a no-op when the board has one (with or without bytes).
    pub fn add_file_ref(&mut self, r: &FileRef) -> Result<()> {
        r.validate()?;
        let mut txn = self.local();
        if !self.files.contains_key(&txn, &r.id) {
            self.files.insert(&mut txn, r.id.as_str(), ref_any(r));
        }
        Ok(())
    }

    pub fn set_meta(&mut self, meta: &BoardMeta) -> Result<()> {
        meta.validate()?;
        let old = self.meta();
        let mut txn = self.local();
        if old.title != meta.title {
            self.meta.insert(&mut txn, "title", meta.title.as_str());
        }
        if old.background != meta.background {
            self.meta
                .insert(&mut txn, "background", meta.background.as_str());
        }
        if old.grid != meta.grid {
            match meta.grid {
                Some(g) => {
                    self.meta.insert(&mut txn, "grid", g);
                }
                None => {
                    self.meta.remove(&mut txn, "grid");
                }
            }
        }
        Ok(())
    }

    /// Makes the document's content equal to `scene` as one new change on top of the current
    /// state (one undo step). Used to restore history: the restore syncs like any edit, and undo
    /// takes it back. The title is not touched; it belongs to the board record.
    /// `refs` are files the scene's elements may show beside `scene.files` (a snapshot's
    /// references: its bytes are in the store).
    pub fn replace_content(&mut self, actor: &str, scene: &Scene, refs: &[FileRef]) -> Result<()> {
        let mut check = scene.clone();
        for r in refs {
            r.validate()?;
        }
        // The scene's elements may show the referenced files too (their bytes are elsewhere).
        for r in refs {
            if !check.files.iter().any(|f| f.id == r.id) {
                check.files.push(BoardFile {
                    id: r.id.clone(),
                    mime: r.mime.clone(),
                    data: Vec::new(),
                });
            }
        }
        check.validate()?;
        for f in &scene.files {
            if f.id != crate::model::content_id(&f.data) {
                return Err(Error::invalid(
                    "fileId",
                    "a file's id must be the SHA-256 of its bytes",
                ));
            }
        }
        let mut new_refs: Vec<FileRef> = scene.files.iter().map(BoardFile::reference).collect();
        new_refs.extend(refs.iter().cloned());
        let current: HashMap<String, Element> = self
            .elements()
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let target: HashSet<&str> = scene.elements.iter().map(|e| e.id.as_str()).collect();
        let old_meta = self.meta();
        let mut txn = self.local();
        for id in current.keys() {
            if !target.contains(id.as_str()) {
                self.elements.remove(&mut txn, id);
            }
        }
        for el in &scene.elements {
            let mut el = el.clone();
            stamp(&mut el, actor);
            match (current.get(&el.id), self.elements.get(&txn, &el.id)) {
                (Some(old), Some(Out::YMap(map))) => {
                    let mut old_cmp = old.clone();
                    old_cmp.author = el.author.clone();
                    old_cmp.updated_at = el.updated_at;
                    if old_cmp != el {
                        write_element(&mut txn, &map, &el, Some(old));
                    }
                }
                _ => {
                    let map = self
                        .elements
                        .insert(&mut txn, el.id.as_str(), MapPrelim::default());
                    write_element(&mut txn, &map, &el, None);
                }
            }
        }
        for r in &new_refs {
            if !self.files.contains_key(&txn, &r.id) {
                self.files.insert(&mut txn, r.id.as_str(), ref_any(r));
            }
        }
        if old_meta.background != scene.meta.background {
            self.meta
                .insert(&mut txn, "background", scene.meta.background.as_str());
        }
        if old_meta.grid != scene.meta.grid {
            match scene.meta.grid {
                Some(g) => {
                    self.meta.insert(&mut txn, "grid", g);
                }
                None => {
                    self.meta.remove(&mut txn, "grid");
                }
            }
        }
        Ok(())
    }

    /// Fills an empty document from a scene (an import), in one transaction. Elements keep the
    /// order given; those without z keys get fresh ones.
    pub fn load_scene(&mut self, actor: &str, scene: &Scene) -> Result<()> {
        scene.validate()?;
        if self.element_count() != 0 {
            return Err(Error::invalid("scene", "load_scene needs an empty board"));
        }
        let mut elements = scene.elements.clone();
        if elements.iter().any(|e| e.z.is_empty()) {
            for (e, k) in elements
                .iter_mut()
                .zip(zorder::keys_after(None, scene.elements.len()))
            {
                e.z = k;
            }
        }
        self.set_meta(&scene.meta)?;
        for f in &scene.files {
            self.add_file(f)?;
        }
        let mut txn = self.local();
        for el in &elements {
            let mut el = el.clone();
            if el.author.is_empty() {
                el.author = actor.to_string();
            }
            let map = self
                .elements
                .insert(&mut txn, el.id.as_str(), MapPrelim::default());
            write_element(&mut txn, &map, &el, None);
        }
        Ok(())
    }

    // ----- undo -----

    /// Undoes this replica's last change. Changes that came from others are never undone.
    pub fn undo(&mut self) -> bool {
        self.undo.undo_blocking()
    }

    pub fn redo(&mut self) -> bool {
        self.undo.redo_blocking()
    }

    pub fn can_undo(&self) -> bool {
        self.undo.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.undo.can_redo()
    }

    /// Forgets the undo history (after loading, say).
    pub fn clear_undo(&mut self) {
        self.undo.clear_all();
    }

    // ----- helpers -----

    fn element_exists(&self, id: &str) -> bool {
        self.elements.contains_key(&self.doc.transact(), id)
    }

    /// The highest z key on the board. Cached: found by one scan, then kept by
    /// [`Self::absorb`] from what transactions touch (a scan again only after the top element
    /// itself changed).
    fn top_key(&mut self) -> Option<String> {
        self.absorb();
        if let Some(top) = &self.top {
            return top.as_ref().map(|(_, z)| z.clone());
        }
        let txn = self.doc.transact();
        let top = self
            .elements
            .iter(&txn)
            .filter_map(|(id, v)| match v {
                Out::YMap(m) => get_str(&txn, &m, "z").map(|z| (id.to_string(), z)),
                _ => None,
            })
            .filter(|(_, z)| !z.is_empty() && zorder::validate_key(z).is_ok())
            .max_by(|a, b| a.1.cmp(&b.1));
        drop(txn);
        let key = top.as_ref().map(|(_, z)| z.clone());
        self.top = Some(top);
        key
    }

    /// Brings the caches (the reference index, the top key) up to date with what transactions
    /// touched since the last call, and keeps those ids for [`Self::take_changes`].
    fn absorb(&mut self) {
        let fresh = std::mem::take(&mut *lock(&self.observed));
        if fresh.is_empty() {
            return;
        }
        let txn = self.doc.transact();
        for id in &fresh.touched {
            let map = match self.elements.get(&txn, id) {
                Some(Out::YMap(m)) => Some(m),
                _ => None,
            };
            let refs = map.as_ref().map(|m| raw_refs(&txn, m)).unwrap_or_default();
            self.refs.set(id, refs);
            if let Some(Some((top_id, top_z))) = &self.top {
                if top_id == id {
                    self.top = None; // The top element moved or went: find it again when asked.
                } else if let Some(z) = map.as_ref().and_then(|m| get_str(&txn, m, "z"))
                    && z > *top_z
                    && zorder::validate_key(&z).is_ok()
                {
                    self.top = Some(Some((id.clone(), z)));
                }
            } else if let Some(None) = &self.top
                && map.is_some()
            {
                self.top = None; // The board was empty.
            }
        }
        drop(txn);
        self.unreported.merge(&fresh);
    }

    /// The element ids changed since the last call (by this replica's edits, undo/redo, or
    /// updates from elsewhere), as yrs's events reported them.
    pub fn take_changes(&mut self) -> ElementChanges {
        self.absorb();
        std::mem::take(&mut self.unreported)
    }

    /// Reads what `changes` names: the elements there now (inserted ones as added) and the ids
    /// that are gone. With `changes.everything`, every element, as updated (the reader drops
    /// what it holds beyond them).
    pub fn diff_for(&self, changes: &ElementChanges) -> ElementDiff {
        let mut diff = ElementDiff::default();
        if changes.everything {
            diff.updated = self.elements();
            return diff;
        }
        let txn = self.doc.transact();
        for id in &changes.touched {
            let el = match self.elements.get(&txn, id) {
                Some(Out::YMap(m)) => read_element(&txn, id, &m),
                _ => None,
            };
            match el {
                Some(el) if changes.inserted.contains(id) => diff.added.push(el),
                Some(el) => diff.updated.push(el),
                None => diff.removed.push(id.clone()),
            }
        }
        diff
    }

    /// References to other elements must point at elements that exist when written (`exists`
    /// says which do), so a strict local edit never creates a dangling binding (a remote delete
    /// may still leave one, which readers tolerate).
    fn check_refs(&self, el: &Element, exists: impl Fn(&str) -> bool) -> Result<()> {
        for (field, b) in [("start", &el.start), ("end", &el.end)] {
            if let Some(b) = b
                && !exists(&b.element)
            {
                return Err(Error::invalid(
                    field,
                    format!("bound element {:?} does not exist", b.element),
                ));
            }
        }
        if let Some(f) = &el.frame_id
            && !exists(f)
        {
            return Err(Error::invalid(
                "frameId",
                format!("frame {f:?} does not exist"),
            ));
        }
        if let Some(f) = &el.file_id
            && !self.files.contains_key(&self.doc.transact(), f)
        {
            return Err(Error::invalid(
                "fileId",
                format!("file {f:?} is not in this board"),
            ));
        }
        Ok(())
    }
}

/// A batch of edits folded over the document before anything is written: each touched element's
/// state before the batch and after it (`None`: absent), in the order first touched.
#[derive(Default)]
struct Plan {
    before: HashMap<String, Option<Element>>,
    next: HashMap<String, Option<Element>>,
    order: Vec<String>,
    /// The highest z key the batch has given so far (for later adds without one).
    top: Option<String>,
}

impl Plan {
    /// The element as the batch has it so far (reading it from the document the first time).
    fn cur(&mut self, doc: &BoardDoc, id: &str) -> Option<Element> {
        if let Some(v) = self.next.get(id) {
            return v.clone();
        }
        let el = doc.element(id);
        self.before.insert(id.to_string(), el.clone());
        self.next.insert(id.to_string(), el.clone());
        self.order.push(id.to_string());
        el
    }

    /// Sets an element's state after the batch; `cur` must have been called for its id.
    fn put(&mut self, el: Element) {
        if self.top.as_ref().is_none_or(|t| el.z > *t) {
            self.top = Some(el.z.clone());
        }
        self.next.insert(el.id.clone(), Some(el));
    }

    fn remove(&mut self, id: &str) {
        self.next.insert(id.to_string(), None);
    }
}

/// Which elements reference which (arrow bindings, frame membership), kept from what
/// transactions touch, so a delete finds its dependents without reading the whole board.
#[derive(Default)]
struct RefIndex {
    /// target id -> ids of elements that reference it.
    by_target: HashMap<String, HashSet<String>>,
    /// id -> what it references (only elements that reference something).
    of: HashMap<String, Vec<String>>,
}

impl RefIndex {
    fn set(&mut self, id: &str, refs: Vec<String>) {
        if let Some(old) = self.of.remove(id) {
            for t in old {
                if let Some(set) = self.by_target.get_mut(&t) {
                    set.remove(id);
                    if set.is_empty() {
                        self.by_target.remove(&t);
                    }
                }
            }
        }
        if refs.is_empty() {
            return;
        }
        for t in &refs {
            self.by_target
                .entry(t.clone())
                .or_default()
                .insert(id.to_string());
        }
        self.of.insert(id.to_string(), refs);
    }
}

/// The ids an element references.
fn refs_of(el: &Element) -> Vec<String> {
    let mut refs = Vec::new();
    for b in [&el.start, &el.end].into_iter().flatten() {
        refs.push(b.element.clone());
    }
    if let Some(f) = &el.frame_id {
        refs.push(f.clone());
    }
    refs
}

/// The ids an element map references, read from its three reference fields only.
fn raw_refs<T: ReadTxn>(txn: &T, m: &MapRef) -> Vec<String> {
    let mut refs = Vec::new();
    for key in ["start", "end"] {
        if let Some(b) = m.get(txn, key).as_ref().and_then(out_binding) {
            refs.push(b.element);
        }
    }
    if let Some(f) = get_str(txn, m, "frameId") {
        refs.push(f);
    }
    refs
}

/// Runs a stored board update (a snapshot can hold a whole 100k-element board) through
/// `easel-proto`'s bounded validator: sizes are bounded by what the store holds, structure
/// (counts against bytes left, nesting depth, UTF-8, tags) as for network bytes.
pub(crate) fn validate_stored(bytes: &[u8]) -> Result<()> {
    let limits = easel_proto::Limits {
        max_message_bytes: usize::MAX,
        max_structs: usize::MAX,
        ..easel_proto::Limits::default()
    };
    easel_proto::validate::update_v1(bytes, &limits)
        .map(drop)
        .map_err(|e| Error::Corrupt(e.to_string()))
}

pub(crate) fn bare_doc() -> Doc {
    Doc::with_options(Options {
        // Yjs counts text positions in UTF-16 code units; so must we, to interoperate.
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    })
}

/// Keys for `n` elements strictly between `lo` and `hi`, ascending.
fn keys_in_slot(lo: Option<&str>, hi: Option<&str>, n: usize) -> Vec<String> {
    let mut keys = Vec::with_capacity(n);
    let mut prev = lo.map(str::to_string);
    for _ in 0..n {
        let k = zorder::key_between(prev.as_deref(), hi);
        keys.push(k.clone());
        prev = Some(k);
    }
    keys
}

/// Sorts elements into drawing order: ascending z key, ties broken by id so every replica draws
/// the same.
pub fn sort_by_z(els: &mut [Element]) {
    els.sort_by(|a, b| a.z.cmp(&b.z).then_with(|| a.id.cmp(&b.id)));
}

fn stamp(el: &mut Element, actor: &str) {
    el.author = actor.to_string();
    el.updated_at = now_ms();
}

pub(crate) fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

// ----- field mapping -----

fn get_num<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<f64> {
    out_num(&map.get(txn, key)?)
}

fn get_str<T: ReadTxn>(txn: &T, map: &MapRef, key: &str) -> Option<String> {
    out_str(txn, &map.get(txn, key)?)
}

pub(crate) fn out_num(v: &Out) -> Option<f64> {
    match v {
        Out::Any(a) => any_f64(a),
        _ => None,
    }
}

pub(crate) fn out_str<T: ReadTxn>(txn: &T, v: &Out) -> Option<String> {
    match v {
        Out::Any(Any::String(s)) => Some(s.to_string()),
        Out::YText(t) => Some(t.get_string(txn)),
        _ => None,
    }
}

pub(crate) fn out_bool(v: &Out) -> Option<bool> {
    match v {
        Out::Any(Any::Bool(b)) => Some(*b),
        _ => None,
    }
}

pub(crate) fn any_f64(a: &Any) -> Option<f64> {
    match a {
        Any::Number(n) => n.as_f64().filter(|v| v.is_finite()),
        _ => None,
    }
}

fn out_numbers(v: &Out) -> Option<Vec<f64>> {
    match v {
        Out::Any(Any::Array(items)) => items.iter().map(any_f64).collect(),
        _ => None,
    }
}

fn out_points(v: &Out) -> Option<Vec<[f64; 2]>> {
    // Points are stored flat ([x0, y0, x1, y1, ...]): one array of numbers is far smaller on
    // the wire and on disk than an array of pairs.
    let flat = out_numbers(v)?;
    if flat.len() % 2 != 0 {
        return None;
    }
    Some(flat.chunks(2).map(|c| [c[0], c[1]]).collect())
}

fn out_strings(v: &Out) -> Option<Vec<String>> {
    match v {
        Out::Any(Any::Array(items)) => items
            .iter()
            .map(|a| match a {
                Any::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn out_binding(v: &Out) -> Option<Binding> {
    match v {
        Out::Any(Any::Map(m)) => {
            let element = match m.get("element")? {
                Any::String(s) => s.to_string(),
                _ => return None,
            };
            Some(Binding {
                element,
                focus: m.get("focus").and_then(any_f64).unwrap_or(0.0),
                gap: m.get("gap").and_then(any_f64).unwrap_or(0.0),
                side: match m.get("side") {
                    Some(Any::String(s)) => Some(s.to_string()),
                    _ => None,
                },
            })
        }
        _ => None,
    }
}

/// Reads one element map in a single pass over its entries. A field whose value has the wrong
/// type reads as its default; a missing or malformed kind or geometry makes the entry unreadable.
fn read_element<T: ReadTxn>(txn: &T, id: &str, m: &MapRef) -> Option<Element> {
    let kind: ElementKind = get_str(txn, m, "kind")?.parse().ok()?;
    let mut e = Element::new(id, kind, 0.0, 0.0);
    let mut has_geom = false;
    for (key, v) in m.iter(txn) {
        match key {
            "geom" => {
                let [x, y, width, height, angle] = out_numbers(&v)?[..] else {
                    return None;
                };
                (e.x, e.y, e.width, e.height, e.angle) = (x, y, width, height, angle);
                has_geom = true;
            }
            "edited" => {
                if let Out::Any(Any::Array(edited)) = &v
                    && let [Any::String(author), Any::Number(at)] = &edited[..]
                {
                    e.author = author.to_string();
                    e.updated_at = at.as_f64().unwrap_or(0.0);
                }
            }
            "stroke" => set(&mut e.stroke, out_str(txn, &v)),
            "fill" => set(&mut e.fill, out_str(txn, &v)),
            "fillStyle" => set(&mut e.fill_style, out_str(txn, &v)),
            "strokeWidth" => set(&mut e.stroke_width, out_num(&v)),
            "strokeStyle" => set(&mut e.stroke_style, out_str(txn, &v)),
            "roughness" => set(&mut e.roughness, out_num(&v)),
            "seed" => set(&mut e.seed, out_num(&v).and_then(seed_of)),
            "rounded" => set(&mut e.rounded, out_bool(&v)),
            "opacity" => set(&mut e.opacity, out_num(&v)),
            "z" => set(&mut e.z, out_str(txn, &v)),
            "points" => set(&mut e.points, out_points(&v)),
            "pressures" => set(&mut e.pressures, out_numbers(&v)),
            "text" => set(&mut e.text, out_str(txn, &v)),
            "fontSize" => set(&mut e.font_size, out_num(&v)),
            "fontFamily" => set(&mut e.font_family, out_str(txn, &v)),
            "textAlign" => set(&mut e.text_align, out_str(txn, &v)),
            "verticalAlign" => set(&mut e.vertical_align, out_str(txn, &v)),
            "start" => e.start = out_binding(&v),
            "end" => e.end = out_binding(&v),
            "startArrowhead" => e.start_arrowhead = out_str(txn, &v),
            "endArrowhead" => e.end_arrowhead = out_str(txn, &v),
            "elbowed" => set(&mut e.elbowed, out_bool(&v)),
            "groupIds" => set(&mut e.group_ids, out_strings(&v)),
            "frameId" => e.frame_id = out_str(txn, &v),
            "locked" => set(&mut e.locked, out_bool(&v)),
            "link" => e.link = out_str(txn, &v),
            "fileId" => e.file_id = out_str(txn, &v),
            "name" => e.name = out_str(txn, &v),
            _ => {} // A field from a newer build or another client: left alone.
        }
    }
    if !has_geom {
        return None;
    }
    e.validate().ok()?;
    Some(e)
}

/// A stored seed: a whole number that fits in a u32, else unreadable (the default then).
fn seed_of(n: f64) -> Option<u32> {
    (n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
}

fn set<T>(field: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *field = v;
    }
}

fn ref_any(r: &FileRef) -> Any {
    let mut m = HashMap::from([
        ("mime".to_string(), Any::from(r.mime.clone())),
        ("size".to_string(), Any::from(r.size as f64)),
    ]);
    if let (Some(w), Some(h)) = (r.width, r.height) {
        m.insert("width".to_string(), Any::from(f64::from(w)));
        m.insert("height".to_string(), Any::from(f64::from(h)));
    }
    Any::from(m)
}

/// A file entry as a reference: the current layout, or an older entry that still holds its
/// bytes (described from them).
fn read_ref(id: &str, v: Out) -> Option<FileRef> {
    if let Some(legacy) = read_legacy(id, v.clone()) {
        return Some(legacy.reference());
    }
    let Out::Any(Any::Map(m)) = v else {
        return None;
    };
    let mime = match m.get("mime")? {
        Any::String(s) => s.to_string(),
        _ => return None,
    };
    let num = |k: &str| {
        let n = any_f64(m.get(k)?)?;
        (n.fract() == 0.0 && (0.0..=9.0e15).contains(&n)).then_some(n as u64)
    };
    let r = FileRef {
        id: id.to_string(),
        mime,
        size: num("size")?,
        width: num("width").and_then(|w| u32::try_from(w).ok()),
        height: num("height").and_then(|h| u32::try_from(h).ok()),
    };
    r.validate().ok()?;
    Some(r)
}

/// An entry of the older layout, `{mime, data}`, with the bytes inside the document.
fn read_legacy(id: &str, v: Out) -> Option<BoardFile> {
    let Out::Any(Any::Map(m)) = v else {
        return None;
    };
    let mime = match m.get("mime")? {
        Any::String(s) => s.to_string(),
        _ => return None,
    };
    let data = match m.get("data")? {
        Any::Buffer(b) => b.to_vec(),
        _ => return None,
    };
    Some(BoardFile {
        id: id.to_string(),
        mime,
        data,
    })
}

fn binding_any(b: &Binding) -> Any {
    let mut m = HashMap::from([
        ("element".to_string(), Any::from(b.element.clone())),
        ("focus".to_string(), Any::from(b.focus)),
        ("gap".to_string(), Any::from(b.gap)),
    ]);
    if let Some(side) = &b.side {
        m.insert("side".to_string(), Any::from(side.clone()));
    }
    Any::from(m)
}

fn strings_any(v: &[String]) -> Any {
    Any::Array(v.iter().map(|s| Any::from(s.clone())).collect())
}

fn numbers_any(v: impl Iterator<Item = f64>) -> Any {
    Any::Array(v.map(Any::from).collect())
}

/// Writes `el` into `map`. With `old`, only fields that differ are written (so concurrent edits
/// of different fields of one element merge); without, a fresh map gets every field that is not
/// at its default.
fn write_element(txn: &mut TransactionMut, map: &MapRef, el: &Element, old: Option<&Element>) {
    // For a fresh map the baseline is an element with default fields, so only non-default
    // fields are written (the kind, geometry and authorship always are).
    let defaults = Element::new(el.id.clone(), el.kind, el.x, el.y);
    let base = old.unwrap_or(&defaults);
    if old.is_none() {
        map.insert(txn, "kind", el.kind.as_str());
    }
    let geom = |e: &Element| [e.x, e.y, e.width, e.height, e.angle];
    if old.is_none() || geom(el) != geom(base) {
        map.insert(txn, "geom", numbers_any(geom(el).into_iter()));
    }
    if old.is_none() || el.author != base.author || el.updated_at != base.updated_at {
        let edited = Any::Array(Arc::from([
            Any::from(el.author.clone()),
            Any::from(el.updated_at),
        ]));
        map.insert(txn, "edited", edited);
    }
    macro_rules! scalar {
        ($($field:ident => $key:literal),* $(,)?) => {$(
            if el.$field != base.$field {
                map.insert(txn, $key, el.$field.clone());
            }
        )*};
    }
    scalar!(
        stroke => "stroke", fill => "fill", fill_style => "fillStyle",
        stroke_width => "strokeWidth", stroke_style => "strokeStyle", roughness => "roughness",
        rounded => "rounded", opacity => "opacity", z => "z", font_size => "fontSize",
        font_family => "fontFamily", text_align => "textAlign",
        vertical_align => "verticalAlign", locked => "locked", elbowed => "elbowed",
    );
    if el.seed != base.seed {
        map.insert(txn, "seed", f64::from(el.seed));
    }
    macro_rules! optional {
        ($($field:ident => $key:literal : $conv:expr),* $(,)?) => {$(
            if el.$field != base.$field {
                match &el.$field {
                    Some(v) => { map.insert(txn, $key, $conv(v)); }
                    None => { map.remove(txn, $key); }
                }
            }
        )*};
    }
    optional!(
        start => "start": binding_any,
        end => "end": binding_any,
        start_arrowhead => "startArrowhead": |s: &String| Any::from(s.clone()),
        end_arrowhead => "endArrowhead": |s: &String| Any::from(s.clone()),
        frame_id => "frameId": |s: &String| Any::from(s.clone()),
        link => "link": |s: &String| Any::from(s.clone()),
        file_id => "fileId": |s: &String| Any::from(s.clone()),
        name => "name": |s: &String| Any::from(s.clone()),
    );
    if el.points != base.points {
        if el.points.is_empty() {
            map.remove(txn, "points");
        } else {
            map.insert(
                txn,
                "points",
                numbers_any(el.points.iter().flatten().copied()),
            );
        }
    }
    if el.pressures != base.pressures {
        if el.pressures.is_empty() {
            map.remove(txn, "pressures");
        } else {
            map.insert(txn, "pressures", numbers_any(el.pressures.iter().copied()));
        }
    }
    if el.group_ids != base.group_ids {
        if el.group_ids.is_empty() {
            map.remove(txn, "groupIds");
        } else {
            map.insert(txn, "groupIds", strings_any(&el.group_ids));
        }
    }
    if el.text != base.text {
        match map.get(txn, "text") {
            Some(Out::YText(t)) => splice_text(txn, &t, &base.text, &el.text),
            _ => {
                map.insert(txn, "text", TextPrelim::new(el.text.as_str()));
            }
        }
    }
}

/// Rewrites `text` from `old` to `new` by replacing only the span between their common prefix
/// and common suffix. Positions are UTF-16 code units, as Yjs counts them.
fn splice_text(txn: &mut TransactionMut, text: &TextRef, old: &str, new: &str) {
    let current = text.get_string(txn);
    // The document may have moved on since `old` was read within this process; diff against
    // what is there now.
    let old = if current == old {
        old
    } else {
        current.as_str()
    };
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let old_rest = &old[prefix..];
    let new_rest = &new[prefix..];
    let suffix: usize = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let removed = &old_rest[..old_rest.len() - suffix];
    let inserted = &new_rest[..new_rest.len() - suffix];
    let at = utf16_len(&old[..prefix]);
    if !removed.is_empty() {
        text.remove_range(txn, at, utf16_len(removed));
    }
    if !inserted.is_empty() {
        text.insert(txn, at, inserted);
    }
}

fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}
