//! A connection's outgoing queue, shared by its room (which pushes) and its connection task
//! (which pops and writes). Bounded by frame count and by bytes; the room can drop its contents
//! wholesale to resync a slow client, or close it with a close code. It also knows whether the
//! answer to the connection's last sync request is still unsent, so a client that asks for the
//! whole document again and again without reading gets one answer in flight, not thousands.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use tokio_tungstenite::tungstenite::Bytes;

/// What the writer sends next.
#[derive(Debug)]
pub(crate) enum Out {
    Data(Bytes),
    Close(u16, String),
}

/// Result of [`ConnShared::push`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Push {
    Queued,
    Full,
    Closed,
}

struct State {
    buf: VecDeque<Bytes>,
    /// Bytes held by `buf`.
    bytes: usize,
    /// The frames answering the connection's sync request (by the addresses of their bytes)
    /// not yet handed to the socket: a large document goes as several frames.
    sync_reply: Vec<usize>,
    /// Their bytes. They do not count against `cap_bytes`: one answer is in flight at a time
    /// (the room drops a sync request while one is unsent), so they are bounded by the
    /// document, and a joiner downloading a board bigger than the cap is no slow consumer.
    sync_bytes: usize,
    close: Option<(u16, String)>,
    close_taken: bool,
    /// A frame sent just before the close frame (an auth message saying why).
    last_words: Option<Bytes>,
}

/// Per-connection state shared between its connection task and its room.
pub(crate) struct ConnShared {
    state: Mutex<State>,
    /// The connection task, woken when a frame is queued or a close requested.
    ready: AtomicWaker,
    /// Set once a close is requested.
    closing: AtomicBool,
    cap: usize,
    /// Most bytes queued before a push is refused (one frame larger than this still fits in a
    /// queue below it: a resync carries the whole document).
    cap_bytes: usize,
    started: Instant,
    last_seen_ms: AtomicU64,
    /// The relay's memory gauge, charged with this queue's bytes.
    memory: Option<std::sync::Arc<crate::Metrics>>,
}

impl ConnShared {
    pub(crate) fn new(cap: usize, cap_bytes: usize) -> Self {
        ConnShared {
            state: Mutex::new(State {
                buf: VecDeque::new(),
                bytes: 0,
                sync_reply: Vec::new(),
                sync_bytes: 0,
                close: None,
                close_taken: false,
                last_words: None,
            }),
            ready: AtomicWaker::new(),
            closing: AtomicBool::new(false),
            cap: cap.max(1),
            cap_bytes: cap_bytes.max(1),
            started: Instant::now(),
            last_seen_ms: AtomicU64::new(0),
            memory: None,
        }
    }

    /// Charges this queue's unsent bytes to `metrics.memory_bytes` (the relay's budget).
    pub(crate) fn charging(mut self, metrics: std::sync::Arc<crate::Metrics>) -> Self {
        self.memory = Some(metrics);
        self
    }

    /// Moves the memory gauge by the change of this queue's bytes.
    fn charge(&self, before: usize, after: usize) {
        if let Some(m) = &self.memory {
            if after > before {
                crate::Metrics::add(&m.memory_bytes, (after - before) as u64);
            } else if before > after {
                crate::Metrics::sub(&m.memory_bytes, (before - after) as u64);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a frame unless the queue is full or closing.
    pub(crate) fn push(&self, frame: Bytes) -> Push {
        let mut s = self.lock();
        if s.close.is_some() {
            return Push::Closed;
        }
        if s.buf.len() >= self.cap || s.bytes.saturating_sub(s.sync_bytes) >= self.cap_bytes {
            return Push::Full;
        }
        let before = s.bytes;
        s.bytes += frame.len();
        self.charge(before, s.bytes);
        s.buf.push_back(frame);
        drop(s);
        self.ready.wake();
        Push::Queued
    }

    /// Queues all of one turn's `frames` (draining it), unless closing or the queue already
    /// holds `cap` frames unsent from earlier turns (then nothing is queued: the room resyncs
    /// the connection, which covers them). A turn may carry more than `cap` frames (many
    /// writers, many cursors at once): a client that keeps up, whose queue was drained since
    /// the last turn, gets them all, so the queue holds at most `cap` plus one turn.
    pub(crate) fn push_all(&self, frames: &mut Vec<Bytes>) -> Push {
        let mut s = self.lock();
        if s.close.is_some() {
            return Push::Closed;
        }
        if s.buf.len() >= self.cap || s.bytes.saturating_sub(s.sync_bytes) >= self.cap_bytes {
            return Push::Full;
        }
        let before = s.bytes;
        s.bytes += frames.iter().map(Bytes::len).sum::<usize>();
        self.charge(before, s.bytes);
        s.buf.extend(frames.drain(..));
        drop(s);
        self.ready.wake();
        Push::Queued
    }

    /// Drops everything queued and queues `frames` instead (they may exceed the cap).
    pub(crate) fn reset_with(&self, frames: impl IntoIterator<Item = Bytes>) {
        let mut s = self.lock();
        if s.close.is_some() {
            return;
        }
        s.buf.clear();
        s.buf.extend(frames);
        let before = s.bytes;
        s.bytes = s.buf.iter().map(Bytes::len).sum();
        self.charge(before, s.bytes);
        s.sync_reply.clear();
        s.sync_bytes = 0;
        drop(s);
        self.ready.wake();
    }

    /// Drops everything queued and asks the writer to send a close frame; the first close wins.
    pub(crate) fn close(&self, code: u16, reason: &str) {
        let mut s = self.lock();
        if s.close.is_some() {
            return;
        }
        s.buf.clear();
        let before = s.bytes;
        s.bytes = 0;
        self.charge(before, s.bytes);
        s.sync_reply.clear();
        s.sync_bytes = 0;
        s.close = Some((code, truncate_reason(reason)));
        drop(s);
        self.closing
            .store(true, std::sync::atomic::Ordering::Release);
        self.ready.wake();
    }

    /// Like [`ConnShared::close`], sending `frame` (an auth message with the reason) first.
    pub(crate) fn close_with(&self, frame: Bytes, code: u16, reason: &str) {
        let mut s = self.lock();
        if s.close.is_some() {
            return;
        }
        s.last_words = Some(frame);
        drop(s);
        self.close(code, reason);
    }

    /// Notes `reply` as (one frame of) the answer to the connection's sync request, unsent
    /// until the writer takes it (see [`Self::sync_reply_pending`]).
    pub(crate) fn set_sync_reply(&self, reply: &Bytes) {
        let mut s = self.lock();
        s.sync_reply.push(reply.as_ptr() as usize);
        s.sync_bytes += reply.len();
    }

    /// Whether the answer to the connection's last sync request is still waiting to be sent.
    pub(crate) fn sync_reply_pending(&self) -> bool {
        !self.lock().sync_reply.is_empty()
    }

    /// Bytes queued and not yet handed to the socket.
    pub(crate) fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Whether a close was requested.
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The next frame to write, or `Pending` (the task is woken when one is queued). Once a
    /// close is requested: the auth message saying why (if any), then the close, once; then
    /// `Pending` for good.
    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Out> {
        let mut s = self.lock();
        if let Some((code, reason)) = s.close.clone() {
            if let Some(last) = s.last_words.take() {
                return Poll::Ready(Out::Data(last));
            }
            if !s.close_taken {
                s.close_taken = true;
                return Poll::Ready(Out::Close(code, reason));
            }
        } else if let Some(b) = s.buf.pop_front() {
            let before = s.bytes;
            s.bytes -= b.len();
            self.charge(before, s.bytes);
            let at = b.as_ptr() as usize;
            if let Some(i) = s.sync_reply.iter().position(|p| *p == at) {
                s.sync_reply.swap_remove(i);
                s.sync_bytes = s.sync_bytes.saturating_sub(b.len());
            }
            return Poll::Ready(Out::Data(b));
        }
        // Registered under the lock: a push after it takes the lock after us, then wakes us.
        self.ready.register(cx.waker());
        Poll::Pending
    }

    /// The requested close, skipping anything still to send before it (for a socket that does
    /// not take more): once.
    pub(crate) fn take_close(&self) -> Option<(u16, String)> {
        let mut s = self.lock();
        if s.close_taken {
            return None;
        }
        let close = s.close.clone()?;
        s.last_words = None;
        s.close_taken = true;
        Some(close)
    }

    /// [`ConnShared::poll_next`] as a future.
    #[cfg(test)]
    pub(crate) async fn next(&self) -> Out {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Records that the peer sent something (any frame, including a pong).
    pub(crate) fn seen(&self) {
        self.last_seen_ms
            .store(self.started.elapsed().as_millis() as u64, Relaxed);
    }

    /// Time since the peer last sent something.
    pub(crate) fn silent_for(&self) -> std::time::Duration {
        let last = self.last_seen_ms.load(Relaxed);
        self.started
            .elapsed()
            .saturating_sub(std::time::Duration::from_millis(last))
    }
}

/// A close reason fits in 123 bytes (a control frame's 125 minus the code); cut at a character
/// boundary.
pub(crate) fn truncate_reason(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

impl Drop for ConnShared {
    fn drop(&mut self) {
        let left = self.lock().bytes;
        self.charge(left, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_cut_at_char_boundaries() {
        assert_eq!(truncate_reason("short"), "short");
        let long = "é".repeat(100);
        let cut = truncate_reason(&long);
        assert!(cut.len() <= 123);
        assert_eq!(cut.len() % 2, 0);
    }

    #[tokio::test]
    async fn full_reset_close() {
        let q = ConnShared::new(2, 1 << 20);
        assert_eq!(q.push(Bytes::from_static(b"a")), Push::Queued);
        assert_eq!(q.push(Bytes::from_static(b"b")), Push::Queued);
        assert_eq!(q.push(Bytes::from_static(b"c")), Push::Full);
        // A turn bigger than the cap fits in a queue that is not full...
        let mut turn = vec![Bytes::from_static(b"t"); 5];
        let q2 = ConnShared::new(2, 1 << 20);
        assert_eq!(q2.push_all(&mut turn), Push::Queued);
        assert!(turn.is_empty());
        // ...and the next turn finds it full until the writer drains it.
        let mut next = vec![Bytes::from_static(b"u")];
        assert_eq!(q2.push_all(&mut next), Push::Full);
        for _ in 0..5 {
            assert!(matches!(q2.next().await, Out::Data(b) if &b[..] == b"t"));
        }
        assert_eq!(q2.push_all(&mut next), Push::Queued);
        q.reset_with([Bytes::from_static(b"x")]);
        assert!(matches!(q.next().await, Out::Data(b) if &b[..] == b"x"));
        q.push(Bytes::from_static(b"y"));
        q.close(1013, "slow consumer");
        assert!(q.is_closing());
        assert_eq!(q.push(Bytes::from_static(b"z")), Push::Closed);
        assert!(matches!(q.next().await, Out::Close(1013, _)));
        assert_eq!(q.take_close(), None, "the close is handed out once");
        let q3 = ConnShared::new(2, 1 << 20);
        q3.close_with(Bytes::from_static(b"why"), 1008, "revoked");
        assert_eq!(q3.take_close(), Some((1008, "revoked".into())));
        assert_eq!(q3.take_close(), None);
    }

    #[tokio::test]
    async fn bytes_bound_the_queue_and_the_sync_reply_is_tracked_until_sent() {
        let q = ConnShared::new(1000, 100);
        let big = Bytes::from(vec![7u8; 150]);
        // One frame over the byte cap fits in an empty queue (a resync is the whole document)...
        assert_eq!(q.push(big.clone()), Push::Queued);
        assert_eq!(q.queued_bytes(), 150);
        // ...and nothing more fits until it is written.
        assert_eq!(q.push(Bytes::from_static(b"x")), Push::Full);
        assert_eq!(q.push_all(&mut vec![Bytes::from_static(b"y")]), Push::Full);
        q.set_sync_reply(&big);
        assert!(q.sync_reply_pending());
        assert!(matches!(q.next().await, Out::Data(b) if b.len() == 150));
        assert!(!q.sync_reply_pending(), "handed to the socket");
        assert_eq!(q.queued_bytes(), 0);
        assert_eq!(q.push(Bytes::from_static(b"x")), Push::Queued);
        q.set_sync_reply(&Bytes::from_static(b"r"));
        q.reset_with([Bytes::from_static(b"state")]);
        assert!(!q.sync_reply_pending(), "a resync answers everything");
        assert_eq!(q.queued_bytes(), 5);
    }
}
