//! A board's comments: a second yrs `Doc` per board, synced in the room `<board>/comments`, so a
//! server can let a COMMENT-level collaborator write this document and nothing else without
//! parsing either.
//!
//! Layout (Yjs-compatible; a stock Yjs client reads it with `doc.getMap("threads")`):
//! - `threads`: `Y.Map<threadId, Y.Map>`, one entry per thread, with the fields
//!   - `anchor`: a plain object `{element?: string, x: number, y: number}`. `element` is the id
//!     of the board element the thread is pinned to; `x`, `y` is a point on the board, the
//!     thread's place when it has no element and its fallback once the element is deleted.
//!     Written once, when the thread is created.
//!   - `createdBy`: the creating user's id; `createdAt`: Unix milliseconds.
//!   - `resolved`: boolean; `resolvedBy`, `resolvedAt`: who resolved it and when (removed on
//!     reopen). Each is its own key, so a concurrent resolve and reopen settle by yrs' usual
//!     last-writer-wins on one key, the same on every replica.
//!   - `messages`: `Y.Array<Y.Map>`, in thread order (concurrent replies interleave the same
//!     way everywhere). Each message map holds `id`, `author` (user id), `authorName`, `text`
//!     (a plain string: a message is edited by its author only, so it never needs character
//!     merging), `createdAt`, and once changed `editedAt`, and `deleted: true` (its `text` is
//!     then removed; the entry stays so the thread keeps its shape).
//!
//! Ids are UUIDs. Entries a foreign client wrote that do not have this shape are skipped when
//! reading and left untouched. As in [`crate::doc`], every operation is validated in full and then
//! runs as one transaction with the local origin; local updates collect in an outbox the store
//! drains. Bytes from elsewhere pass `easel-proto`'s bounded validating decoder before yrs sees
//! them (yrs aborts on some malformed input).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use yrs::types::ToJson;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Any, Array, ArrayPrelim, ArrayRef, Doc, Map, MapPrelim, MapRef, Origin, Out, ReadTxn,
    StateVector, Transact, TransactionMut,
};

use crate::doc::{
    LOCAL_ORIGIN, Outbox, UpdateTrace, any_f64, bare_doc, doc_from_updates, now_ms, out_bool,
    out_num, out_str,
};
use crate::error::{Error, Result};

/// Longest message, in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest element id an anchor may name, in characters.
const MAX_ELEMENT_ID_CHARS: usize = 256;
/// Longest author name stored, in characters.
const MAX_NAME_CHARS: usize = 200;

/// Largest stored or received update the comments document accepts: far above any real thread
/// list, and a bound for the validating decoder.
const MAX_UPDATE_BYTES: usize = 64 << 20;

/// Where a thread sits on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    /// The element the thread is pinned to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// A point on the board: the thread's place, or its fallback once the element is gone.
    pub x: f64,
    pub y: f64,
}

impl Anchor {
    pub fn at(x: f64, y: f64) -> Self {
        Anchor {
            element: None,
            x,
            y,
        }
    }

    pub fn element(id: impl Into<String>, x: f64, y: f64) -> Self {
        Anchor {
            element: Some(id.into()),
            x,
            y,
        }
    }

    pub fn validate(&self) -> Result<()> {
        for (field, v) in [("anchor.x", self.x), ("anchor.y", self.y)] {
            if !v.is_finite() {
                return Err(Error::invalid(field, format!("{v} is not a finite number")));
            }
        }
        if let Some(e) = &self.element {
            let n = e.chars().count();
            if n == 0 || n > MAX_ELEMENT_ID_CHARS {
                return Err(Error::invalid(
                    "anchor.element",
                    format!("an element id must be 1 to {MAX_ELEMENT_ID_CHARS} characters"),
                ));
            }
        }
        Ok(())
    }
}

/// One message of a thread, as plain values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub id: String,
    /// The author's user id.
    pub author: String,
    pub author_name: String,
    /// Empty once deleted.
    pub text: String,
    /// Unix milliseconds.
    pub created_at: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<f64>,
    #[serde(default)]
    pub deleted: bool,
}

/// A thread with its messages, as plain values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    pub id: String,
    pub anchor: Anchor,
    /// The creating user's id.
    pub created_by: String,
    pub created_at: f64,
    pub resolved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<f64>,
    pub messages: Vec<Comment>,
}

/// Who is writing: the user's id and the name shown beside their messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub id: String,
    pub name: String,
}

impl Author {
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Author {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// A board's live comments document.
pub struct CommentsDoc {
    doc: Doc,
    threads: MapRef,
    outbox: Outbox,
}

impl Default for CommentsDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl CommentsDoc {
    /// An empty comments document with a fresh random client id.
    pub fn new() -> Self {
        Self::attach(bare_doc())
    }

    fn attach(doc: Doc) -> Self {
        let threads = doc.get_or_insert_map("threads");
        let outbox = Outbox::attach(&doc);
        CommentsDoc {
            doc,
            threads,
            outbox,
        }
    }

    /// A document built from stored updates (a snapshot, then the tail). Each passes the
    /// validating decoder first, like bytes from the network.
    pub fn from_updates<'a>(updates: impl IntoIterator<Item = &'a [u8]>) -> Result<Self> {
        let updates: Vec<&[u8]> = updates.into_iter().collect();
        for u in &updates {
            validate_update(u)?;
        }
        Ok(Self::attach(doc_from_updates(updates)?))
    }

    /// Applies an update that came from elsewhere (a peer, the store), after validating it.
    pub fn apply_remote(&self, update: &[u8]) -> Result<()> {
        self.apply_remote_effective(update).map(drop)
    }

    /// Like [`Self::apply_remote`], and returns what the update changed here as one v1 update,
    /// or `None` if this replica already had all of it.
    pub fn apply_remote_effective(&self, update: &[u8]) -> Result<Option<Vec<u8>>> {
        validate_update(update)?;
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

    /// What a replica with state vector `sv` lacks, as one v1 update. `sv` is validated first.
    pub fn encode_diff(&self, sv: &[u8]) -> Result<Vec<u8>> {
        easel_proto::validate::state_vector_v1(sv, &limits())
            .map_err(|e| Error::Corrupt(format!("state vector: {e}")))?;
        let sv = StateVector::decode_v1(sv).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(self.doc.transact().encode_diff_v1(&sv))
    }

    /// The underlying yrs document, for the sync layer.
    pub fn ydoc(&self) -> &Doc {
        &self.doc
    }

    /// The document as JSON, the way a Yjs client's `toJSON()` would see it.
    pub fn to_json(&self) -> serde_json::Value {
        let txn = self.doc.transact();
        let any = Any::from(HashMap::from([(
            "threads".to_string(),
            self.threads.to_json(&txn),
        )]));
        serde_json::to_value(&any).unwrap_or(serde_json::Value::Null)
    }

    fn local(&self) -> TransactionMut<'_> {
        self.doc.transact_mut_with(Origin::from(LOCAL_ORIGIN))
    }

    // ----- reading -----

    /// Every readable thread, oldest first (ties broken by id, so every replica lists the same).
    pub fn threads(&self) -> Vec<Thread> {
        let txn = self.doc.transact();
        let mut out: Vec<Thread> = self
            .threads
            .iter(&txn)
            .filter_map(|(id, v)| match v {
                Out::YMap(m) => read_thread(&txn, id, &m),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| {
            a.created_at
                .total_cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    pub fn thread(&self, id: &str) -> Option<Thread> {
        let txn = self.doc.transact();
        match self.threads.get(&txn, id) {
            Some(Out::YMap(m)) => read_thread(&txn, id, &m),
            _ => None,
        }
    }

    pub fn thread_count(&self) -> usize {
        self.threads.len(&self.doc.transact()) as usize
    }

    // ----- writing -----

    /// Starts a thread at `anchor` with its first message. Returns the new thread.
    pub fn add_thread(&mut self, author: &Author, anchor: &Anchor, text: &str) -> Result<Thread> {
        anchor.validate()?;
        validate_text(text)?;
        let name = clean_name(&author.name, &author.id);
        let thread_id = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        {
            let mut txn = self.local();
            let t = self
                .threads
                .insert(&mut txn, thread_id.as_str(), MapPrelim::default());
            t.insert(&mut txn, "anchor", anchor_any(anchor));
            t.insert(&mut txn, "createdBy", author.id.as_str());
            t.insert(&mut txn, "createdAt", now);
            t.insert(&mut txn, "resolved", false);
            let messages = t.insert(&mut txn, "messages", ArrayPrelim::default());
            push_message(&mut txn, &messages, &author.id, &name, text, now);
        }
        Ok(self.thread(&thread_id).expect("just written"))
    }

    /// Appends a reply to a thread (resolved or not). Returns the new message.
    pub fn reply(&mut self, author: &Author, thread_id: &str, text: &str) -> Result<Comment> {
        validate_text(text)?;
        let name = clean_name(&author.name, &author.id);
        let messages = {
            let txn = self.doc.transact();
            match self.threads.get(&txn, thread_id) {
                Some(Out::YMap(t)) if read_thread(&txn, thread_id, &t).is_some() => {
                    match t.get(&txn, "messages") {
                        Some(Out::YArray(a)) => a,
                        _ => return Err(Error::not_found("thread", thread_id)),
                    }
                }
                _ => return Err(Error::not_found("thread", thread_id)),
            }
        };
        let id = {
            let mut txn = self.local();
            push_message(&mut txn, &messages, &author.id, &name, text, now_ms())
        };
        Ok(self.find_message(&id).expect("just written").1)
    }

    /// Replaces the text of one of `actor`'s own messages. Returns the message as it now is.
    pub fn edit(&mut self, actor: &str, message_id: &str, text: &str) -> Result<Comment> {
        validate_text(text)?;
        let map = self.own_message(actor, message_id, "edit")?;
        {
            let mut txn = self.local();
            map.insert(&mut txn, "text", text);
            map.insert(&mut txn, "editedAt", now_ms());
        }
        Ok(self.find_message(message_id).expect("still there").1)
    }

    /// Deletes one of `actor`'s own messages: its text goes, a tombstone stays in the thread.
    pub fn delete(&mut self, actor: &str, message_id: &str) -> Result<Comment> {
        let map = self.own_message(actor, message_id, "delete")?;
        {
            let mut txn = self.local();
            map.remove(&mut txn, "text");
            map.insert(&mut txn, "deleted", true);
            map.insert(&mut txn, "editedAt", now_ms());
        }
        Ok(self.find_message(message_id).expect("still there").1)
    }

    /// Marks a thread resolved by `actor`. Returns false, writing nothing, when it already was.
    pub fn resolve(&mut self, actor: &str, thread_id: &str) -> Result<bool> {
        self.set_resolved(actor, thread_id, true)
    }

    /// Reopens a resolved thread. Returns false, writing nothing, when it was open.
    pub fn reopen(&mut self, actor: &str, thread_id: &str) -> Result<bool> {
        self.set_resolved(actor, thread_id, false)
    }

    fn set_resolved(&mut self, actor: &str, thread_id: &str, resolved: bool) -> Result<bool> {
        let (map, thread) = {
            let txn = self.doc.transact();
            match self.threads.get(&txn, thread_id) {
                Some(Out::YMap(t)) => match read_thread(&txn, thread_id, &t) {
                    Some(thread) => (t, thread),
                    None => return Err(Error::not_found("thread", thread_id)),
                },
                _ => return Err(Error::not_found("thread", thread_id)),
            }
        };
        if thread.resolved == resolved {
            return Ok(false);
        }
        let mut txn = self.local();
        map.insert(&mut txn, "resolved", resolved);
        if resolved {
            map.insert(&mut txn, "resolvedBy", actor);
            map.insert(&mut txn, "resolvedAt", now_ms());
        } else {
            map.remove(&mut txn, "resolvedBy");
            map.remove(&mut txn, "resolvedAt");
        }
        Ok(true)
    }

    /// The thread id and the message with `message_id`, wherever it is.
    pub fn find_message(&self, message_id: &str) -> Option<(String, Comment)> {
        self.threads().into_iter().find_map(|t| {
            let id = t.id;
            t.messages
                .into_iter()
                .find(|m| m.id == message_id)
                .map(|m| (id, m))
        })
    }

    /// The map of a live message `actor` wrote, or the typed refusal.
    fn own_message(&self, actor: &str, message_id: &str, action: &'static str) -> Result<MapRef> {
        let txn = self.doc.transact();
        for (_, t) in self.threads.iter(&txn) {
            let Out::YMap(t) = t else { continue };
            let Some(Out::YArray(messages)) = t.get(&txn, "messages") else {
                continue;
            };
            for m in messages.iter(&txn) {
                let Out::YMap(m) = m else { continue };
                let Some(c) = read_message(&txn, &m) else {
                    continue;
                };
                if c.id != message_id {
                    continue;
                }
                if c.author != actor {
                    return Err(Error::NotAuthor {
                        what: "comment",
                        id: message_id.to_string(),
                        action,
                    });
                }
                if c.deleted {
                    return Err(Error::invalid(
                        "comment",
                        format!("comment {message_id} is deleted"),
                    ));
                }
                return Ok(m);
            }
        }
        Err(Error::not_found("comment", message_id))
    }
}

fn limits() -> easel_proto::Limits {
    easel_proto::Limits {
        max_message_bytes: MAX_UPDATE_BYTES,
        ..easel_proto::Limits::default()
    }
}

/// Runs `bytes` through `easel-proto`'s bounded validator, so yrs never sees malformed input.
fn validate_update(bytes: &[u8]) -> Result<()> {
    easel_proto::validate::update_v1(bytes, &limits())
        .map(drop)
        .map_err(|e| Error::Corrupt(format!("comments update: {e}")))
}

/// A message's text: not blank, at most [`MAX_TEXT_CHARS`] characters.
pub fn validate_text(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid("text", "a comment cannot be empty"));
    }
    let n = text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(Error::too_large("text", n, MAX_TEXT_CHARS));
    }
    Ok(())
}

fn clean_name(name: &str, fallback: &str) -> String {
    let n: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let n = n.trim();
    if n.is_empty() {
        fallback.to_string()
    } else {
        n.to_string()
    }
}

fn anchor_any(a: &Anchor) -> Any {
    let mut m = HashMap::from([
        ("x".to_string(), Any::from(a.x)),
        ("y".to_string(), Any::from(a.y)),
    ]);
    if let Some(e) = &a.element {
        m.insert("element".to_string(), Any::from(e.clone()));
    }
    Any::from(m)
}

/// Appends a message map to `messages`; returns its id.
fn push_message(
    txn: &mut TransactionMut,
    messages: &ArrayRef,
    author: &str,
    name: &str,
    text: &str,
    now: f64,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let m = messages.push_back(txn, MapPrelim::default());
    m.insert(txn, "id", id.as_str());
    m.insert(txn, "author", author);
    m.insert(txn, "authorName", name);
    m.insert(txn, "text", text);
    m.insert(txn, "createdAt", now);
    id
}

fn read_anchor(v: &Out) -> Option<Anchor> {
    let Out::Any(Any::Map(m)) = v else {
        return None;
    };
    let anchor = Anchor {
        element: match m.get("element") {
            Some(Any::String(s)) => Some(s.to_string()),
            _ => None,
        },
        x: m.get("x").and_then(any_f64)?,
        y: m.get("y").and_then(any_f64)?,
    };
    anchor.validate().ok()?;
    Some(anchor)
}

fn read_thread<T: ReadTxn>(txn: &T, id: &str, m: &MapRef) -> Option<Thread> {
    let mut thread = Thread {
        id: id.to_string(),
        anchor: read_anchor(&m.get(txn, "anchor")?)?,
        created_by: String::new(),
        created_at: 0.0,
        resolved: false,
        resolved_by: None,
        resolved_at: None,
        messages: Vec::new(),
    };
    for (key, v) in m.iter(txn) {
        match key {
            "createdBy" => thread.created_by = out_str(txn, &v).unwrap_or_default(),
            "createdAt" => thread.created_at = out_num(&v).unwrap_or(0.0),
            "resolved" => thread.resolved = out_bool(&v).unwrap_or(false),
            "resolvedBy" => thread.resolved_by = out_str(txn, &v),
            "resolvedAt" => thread.resolved_at = out_num(&v),
            "messages" => {
                if let Out::YArray(a) = v {
                    thread.messages = a
                        .iter(txn)
                        .filter_map(|m| match m {
                            Out::YMap(m) => read_message(txn, &m),
                            _ => None,
                        })
                        .collect();
                }
            }
            _ => {} // A field from a newer build or another client: left alone.
        }
    }
    Some(thread)
}

fn read_message<T: ReadTxn>(txn: &T, m: &MapRef) -> Option<Comment> {
    let mut c = Comment {
        id: String::new(),
        author: String::new(),
        author_name: String::new(),
        text: String::new(),
        created_at: 0.0,
        edited_at: None,
        deleted: false,
    };
    for (key, v) in m.iter(txn) {
        match key {
            "id" => c.id = out_str(txn, &v)?,
            "author" => c.author = out_str(txn, &v)?,
            "authorName" => c.author_name = out_str(txn, &v).unwrap_or_default(),
            "text" => c.text = out_str(txn, &v).unwrap_or_default(),
            "createdAt" => c.created_at = out_num(&v).unwrap_or(0.0),
            "editedAt" => c.edited_at = out_num(&v),
            "deleted" => c.deleted = out_bool(&v).unwrap_or(false),
            _ => {}
        }
    }
    if c.id.is_empty() || c.author.is_empty() {
        return None;
    }
    if c.deleted {
        c.text.clear();
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Author {
        Author::new("alice-id", "Alice")
    }

    fn bob() -> Author {
        Author::new("bob-id", "Bob")
    }

    /// Exchanges everything between two documents, both ways.
    fn merge(a: &CommentsDoc, b: &CommentsDoc) {
        let to_b = a.encode_diff(&b.state_vector()).unwrap();
        let to_a = b.encode_diff(&a.state_vector()).unwrap();
        b.apply_remote(&to_b).unwrap();
        a.apply_remote(&to_a).unwrap();
    }

    #[test]
    fn add_reply_edit_delete_resolve_reopen() {
        let mut d = CommentsDoc::new();
        let t = d
            .add_thread(
                &alice(),
                &Anchor::element("el1", 10.0, -5.0),
                "Is this right?",
            )
            .unwrap();
        assert_eq!(t.anchor.element.as_deref(), Some("el1"));
        assert_eq!((t.anchor.x, t.anchor.y), (10.0, -5.0));
        assert_eq!(t.created_by, "alice-id");
        assert!(!t.resolved);
        assert_eq!(t.messages.len(), 1);
        assert_eq!(t.messages[0].author_name, "Alice");
        assert_eq!(t.messages[0].text, "Is this right?");
        assert_eq!(d.take_updates().len(), 1, "one op, one transaction");

        let r = d.reply(&bob(), &t.id, "Yes").unwrap();
        assert_eq!(r.author, "bob-id");
        assert_eq!(d.take_updates().len(), 1);

        let e = d.edit("bob-id", &r.id, "Yes, it is").unwrap();
        assert_eq!(e.text, "Yes, it is");
        assert!(e.edited_at.is_some());

        let gone = d.delete("bob-id", &r.id).unwrap();
        assert!(gone.deleted);
        assert_eq!(gone.text, "");
        let th = d.thread(&t.id).unwrap();
        assert_eq!(th.messages.len(), 2, "a deleted message leaves a tombstone");
        assert!(th.messages[1].deleted);

        assert!(d.resolve("bob-id", &t.id).unwrap());
        assert!(!d.resolve("bob-id", &t.id).unwrap(), "already resolved");
        let th = d.thread(&t.id).unwrap();
        assert!(th.resolved);
        assert_eq!(th.resolved_by.as_deref(), Some("bob-id"));
        d.take_updates();
        assert!(!d.resolve("alice-id", &t.id).unwrap());
        assert!(d.take_updates().is_empty(), "a no-op writes nothing");

        assert!(d.reopen("alice-id", &t.id).unwrap());
        let th = d.thread(&t.id).unwrap();
        assert!(!th.resolved && th.resolved_by.is_none() && th.resolved_at.is_none());

        // The layout a Yjs client sees.
        let j = d.to_json();
        let tj = &j["threads"][&t.id];
        assert_eq!(tj["anchor"]["element"], "el1");
        assert_eq!(tj["createdBy"], "alice-id");
        assert_eq!(tj["messages"][0]["authorName"], "Alice");
        assert_eq!(tj["messages"][1]["deleted"], true);
        assert!(tj["messages"][1].get("text").is_none());
    }

    #[test]
    fn threads_are_sorted_by_creation() {
        let mut d = CommentsDoc::new();
        let a = d
            .add_thread(&alice(), &Anchor::at(0.0, 0.0), "first")
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = d
            .add_thread(&bob(), &Anchor::at(1.0, 1.0), "second")
            .unwrap();
        let ids: Vec<String> = d.threads().into_iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![a.id, b.id]);
        assert_eq!(d.thread_count(), 2);
    }

    #[test]
    fn validation_refuses_before_writing() {
        let mut d = CommentsDoc::new();
        let ok = Anchor::at(0.0, 0.0);
        for bad in ["", "   \n", &"x".repeat(MAX_TEXT_CHARS + 1)] {
            assert!(d.add_thread(&alice(), &ok, bad).is_err(), "{bad:?}");
        }
        assert!(
            d.add_thread(&alice(), &ok, &"é".repeat(MAX_TEXT_CHARS))
                .is_ok()
        );
        for anchor in [
            Anchor::at(f64::NAN, 0.0),
            Anchor::at(0.0, f64::INFINITY),
            Anchor::element("", 0.0, 0.0),
        ] {
            match d.add_thread(&alice(), &anchor, "hi") {
                Err(Error::Invalid { field, .. }) => {
                    assert!(field.starts_with("anchor"), "{field}")
                }
                other => panic!("{anchor:?}: {other:?}"),
            }
        }
        match d.add_thread(&alice(), &ok, &"x".repeat(MAX_TEXT_CHARS + 1)) {
            Err(Error::TooLarge { field, .. }) => assert_eq!(field, "text"),
            other => panic!("{other:?}"),
        }
        d.take_updates();
        assert_eq!(d.thread_count(), 1);
        assert!(d.take_updates().is_empty());
    }

    #[test]
    fn unknown_ids_are_named() {
        let mut d = CommentsDoc::new();
        let t = d.add_thread(&alice(), &Anchor::at(0.0, 0.0), "hi").unwrap();
        let err = d.reply(&bob(), "nope", "x").unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { what: "thread", id } if id == "nope"),
            "{err:?}"
        );
        assert!(matches!(
            d.resolve("a", "nope"),
            Err(Error::NotFound { what: "thread", .. })
        ));
        assert!(matches!(
            d.reopen("a", "nope"),
            Err(Error::NotFound { what: "thread", .. })
        ));
        assert!(matches!(
            d.edit("alice-id", "m0", "x"),
            Err(Error::NotFound {
                what: "comment",
                ..
            })
        ));
        assert!(matches!(
            d.delete("alice-id", &t.id),
            Err(Error::NotFound {
                what: "comment",
                ..
            })
        ));
        assert_eq!(err.to_string(), "thread not found: nope");
    }

    #[test]
    fn only_the_author_edits_or_deletes() {
        let mut d = CommentsDoc::new();
        let t = d
            .add_thread(&alice(), &Anchor::at(0.0, 0.0), "mine")
            .unwrap();
        let m = &t.messages[0].id;
        d.take_updates();
        for r in [
            d.edit("bob-id", m, "hijacked").map(drop),
            d.delete("bob-id", m).map(drop),
        ] {
            match r {
                Err(Error::NotAuthor { what, id, .. }) => {
                    assert_eq!((what, id.as_str()), ("comment", m.as_str()))
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(d.take_updates().is_empty());
        assert_eq!(d.thread(&t.id).unwrap().messages[0].text, "mine");
        d.delete("alice-id", m).unwrap();
        assert!(matches!(
            d.edit("alice-id", m, "back"),
            Err(Error::Invalid { .. })
        ));
    }

    #[test]
    fn concurrent_replies_and_resolves_converge() {
        let mut a = CommentsDoc::new();
        let mut b = CommentsDoc::new();
        let t = a
            .add_thread(&alice(), &Anchor::at(5.0, 5.0), "start")
            .unwrap();
        merge(&a, &b);
        // Both reply and both change the thread's state while apart.
        a.reply(&alice(), &t.id, "from a 1").unwrap();
        a.reply(&alice(), &t.id, "from a 2").unwrap();
        b.reply(&bob(), &t.id, "from b").unwrap();
        a.resolve("alice-id", &t.id).unwrap();
        b.resolve("bob-id", &t.id).unwrap();
        let t2 = b
            .add_thread(&bob(), &Anchor::at(1.0, 2.0), "other")
            .unwrap();
        merge(&a, &b);
        assert_eq!(a.threads(), b.threads());
        assert_eq!(a.to_json(), b.to_json());
        let th = a.thread(&t.id).unwrap();
        assert_eq!(th.messages.len(), 4);
        assert!(th.resolved);
        assert!(a.thread(&t2.id).is_some());
        // A reopen against a concurrent reply: both land.
        a.reopen("alice-id", &t.id).unwrap();
        b.reply(&bob(), &t.id, "late").unwrap();
        merge(&a, &b);
        assert_eq!(a.threads(), b.threads());
        let th = b.thread(&t.id).unwrap();
        assert!(!th.resolved);
        assert_eq!(th.messages.len(), 5);
    }

    #[test]
    fn state_round_trips_and_duplicates_change_nothing() {
        let mut a = CommentsDoc::new();
        let t = a.add_thread(&alice(), &Anchor::at(0.0, 0.0), "hi").unwrap();
        let updates = a.take_updates();
        let b = CommentsDoc::from_updates(updates.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(b.threads(), a.threads());
        let c = CommentsDoc::from_updates([a.encode_state().as_slice()]).unwrap();
        assert_eq!(c.thread(&t.id), a.thread(&t.id));
        assert!(c.apply_remote_effective(&updates[0]).unwrap().is_none());
    }

    #[test]
    fn garbage_is_refused_before_yrs_sees_it() {
        let d = CommentsDoc::new();
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0xff; 16],
            vec![1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f],
            b"not an update at all".to_vec(),
        ];
        // Updates that make yrs run out of memory or segfault (see the fixture's README).
        for name in ["idset_oom_v1.bin", "utf8_segv_v1.bin"] {
            let path = format!(
                "{}/../../fixtures/yrs-malformed/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            inputs.push(std::fs::read(path).unwrap());
        }
        for bytes in &inputs {
            assert!(
                matches!(d.apply_remote(bytes), Err(Error::Corrupt(_))),
                "{bytes:?}"
            );
            assert!(CommentsDoc::from_updates([bytes.as_slice()]).is_err());
        }
        assert!(matches!(
            d.encode_diff(&[0xff, 0xff]),
            Err(Error::Corrupt(_))
        ));
        assert_eq!(d.thread_count(), 0);
    }

    #[test]
    fn foreign_entries_are_skipped() {
        let d = CommentsDoc::new();
        {
            let mut txn = d.doc.transact_mut();
            d.threads.insert(&mut txn, "junk", "not a map");
            d.threads.insert(&mut txn, "noanchor", MapPrelim::default());
        }
        assert!(d.threads().is_empty());
    }
}
