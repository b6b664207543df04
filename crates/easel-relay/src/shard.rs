//! Shards: the relay's own threads, when it runs them ([`crate::Config::threads`]).
//!
//! Each shard is a single-threaded tokio runtime on its own thread. A room lives on the shard
//! its name hashes to, and a connection moves to its room's shard as soon as its request line
//! names the room, before the WebSocket handshake. So a room's task, its connections' readers
//! and writers, and every wake-up between them stay on one thread, as in a single-threaded
//! server (y-websocket, the bench's forwarder), instead of bouncing between the workers of a
//! work-stealing pool: on a closed-loop broadcast load those cross-thread wake-ups cost more
//! than the CRDT (see bench/README.md). Rooms spread over the shards, so many rooms use every
//! core. A connection's first steps (its TLS handshake, reading the request line) run on the
//! shards in turn; only the accept loop stays on the caller's runtime.

use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use tokio::runtime::Handle;
use tokio::sync::oneshot;

thread_local! {
    /// The shard this thread runs, if it is one.
    static CURRENT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Handles of the shards' runtimes: where a room lives, where a new connection starts.
#[derive(Clone)]
pub(crate) struct Homes {
    handles: Arc<[Handle]>,
    next: Arc<AtomicUsize>,
}

impl Homes {
    /// The shard that serves `room`.
    pub(crate) fn index_of(&self, room: &str) -> usize {
        // `DefaultHasher::new()` has fixed keys: a room maps to the same shard every time.
        let mut h = std::hash::DefaultHasher::new();
        room.hash(&mut h);
        (h.finish() % self.handles.len() as u64) as usize
    }

    /// The runtime of the shard that serves `room`.
    pub(crate) fn home(&self, room: &str) -> &Handle {
        &self.handles[self.index_of(room)]
    }

    /// The runtime of `room`'s shard when this thread is not it.
    pub(crate) fn elsewhere(&self, room: &str) -> Option<&Handle> {
        let i = self.index_of(room);
        (CURRENT.get() != Some(i)).then(|| &self.handles[i])
    }

    /// The shards in turn, for connections whose room is not known yet.
    pub(crate) fn next(&self) -> &Handle {
        &self.handles[self.next.fetch_add(1, Relaxed) % self.handles.len()]
    }
}

/// The shard threads; they stop when this is dropped or [`Shards::stop`] is awaited.
pub(crate) struct Shards {
    homes: Homes,
    stops: Vec<oneshot::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Shards {
    /// Starts `n` (at least one) shard threads.
    pub(crate) fn start(n: usize) -> std::io::Result<Shards> {
        let n = n.max(1);
        let mut handles = Vec::with_capacity(n);
        let mut stops = Vec::with_capacity(n);
        let mut threads = Vec::with_capacity(n);
        for i in 0..n {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            handles.push(rt.handle().clone());
            let (stop, stopped) = oneshot::channel::<()>();
            stops.push(stop);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("easel-relay-{i}"))
                    .spawn(move || {
                        CURRENT.set(Some(i));
                        // Runs the shard's tasks until told to stop; dropping the runtime then
                        // drops whatever is left on it.
                        let _ = rt.block_on(stopped);
                    })?,
            );
        }
        Ok(Shards {
            homes: Homes {
                handles: handles.into(),
                next: Arc::default(),
            },
            stops,
            threads,
        })
    }

    pub(crate) fn homes(&self) -> Homes {
        self.homes.clone()
    }

    /// Stops every shard and waits for their threads to end.
    pub(crate) async fn stop(mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
        let threads = std::mem::take(&mut self.threads);
        let _ = tokio::task::spawn_blocking(move || {
            for t in threads {
                let _ = t.join();
            }
        })
        .await;
    }
}

impl Drop for Shards {
    /// Tells the shards to stop without waiting for them (a drop may happen on any thread).
    fn drop(&mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rooms_map_to_stable_shards_and_tasks_run_there() {
        let shards = Shards::start(3).unwrap();
        let homes = shards.homes();
        let room = "2f1c7a4e-0d5b-4c53-9a43-1f0e6c1d2b3a";
        assert_eq!(homes.index_of(room), homes.index_of(room));
        // Rooms spread: 300 names land on every shard.
        let mut seen = [0usize; 3];
        for i in 0..300 {
            seen[homes.index_of(&format!("room-{i}"))] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
        // A task spawned on a room's home runs on that shard's thread, which then sees no
        // other home for it; this (test) thread is no shard.
        let want = homes.index_of(room);
        let h = homes.clone();
        let (on, elsewhere) = homes
            .home(room)
            .spawn(async move { (CURRENT.get(), h.elsewhere(room).is_some()) })
            .await
            .unwrap();
        assert_eq!(on, Some(want));
        assert!(!elsewhere);
        assert!(homes.elsewhere(room).is_some());
        shards.stop().await;
    }
}
