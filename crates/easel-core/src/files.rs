//! What an open board and its sync connections say to each other about image files.
//!
//! A board's document holds only references to its images (see [`crate::doc`]); the bytes live
//! in the store and move between peers by their SHA-256 name (`easel_proto::files`). When the
//! canvas (or an export) needs a file the store lacks, the session marks it *wanted*; every
//! sync connection of the board asks its server for what is wanted, stores what arrives after
//! checking it against its name, and announces the arrival, so the UI draws it in place of its
//! placeholder. A file pasted here is *offered*: each connection asks its server whether it
//! lacks it and uploads it if so.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

/// Shared by one open board and its sync connections; cheap to clone.
#[derive(Clone)]
pub struct FileChannel(Arc<Inner>);

struct Inner {
    state: Mutex<State>,
    /// Bumped when something is newly wanted or offered: each sync connection watches it.
    changed: watch::Sender<u64>,
    arrived: broadcast::Sender<String>,
}

#[derive(Default)]
struct State {
    wanted: BTreeSet<String>,
    offered: BTreeSet<String>,
}

impl Default for FileChannel {
    fn default() -> Self {
        FileChannel(Arc::new(Inner {
            state: Mutex::default(),
            changed: watch::channel(0).0,
            arrived: broadcast::channel(256).0,
        }))
    }
}

impl std::fmt::Debug for FileChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("FileChannel")
            .field("wanted", &s.wanted.len())
            .field("offered", &s.offered.len())
            .finish()
    }
}

impl FileChannel {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks the board's connections for a file this store lacks.
    pub fn want(&self, id: &str) {
        let mut s = self.lock();
        if s.wanted.insert(id.to_string()) {
            drop(s);
            self.0.changed.send_modify(|v| *v += 1);
        }
    }

    /// Offers a file pasted here to the board's servers.
    pub fn offer(&self, id: &str) {
        let mut s = self.lock();
        if s.offered.insert(id.to_string()) {
            drop(s);
            self.0.changed.send_modify(|v| *v += 1);
        }
    }

    /// The files wanted now.
    pub fn wanted(&self) -> Vec<String> {
        self.lock().wanted.iter().cloned().collect()
    }

    /// Takes the files offered since the last call (each connection also offers everything
    /// the board shows when it connects, so one taker is enough).
    pub(crate) fn take_offered(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().offered)
            .into_iter()
            .collect()
    }

    /// A receiver that changes whenever something is newly wanted or offered.
    pub(crate) fn watch(&self) -> watch::Receiver<u64> {
        self.0.changed.subscribe()
    }

    /// Records that a wanted file is now in the store, and tells the listeners.
    pub fn arrived(&self, id: &str) {
        self.lock().wanted.remove(id);
        let _ = self.0.arrived.send(id.to_string());
    }

    /// Hears every file that arrives from now on (by id).
    pub fn arrivals(&self) -> broadcast::Receiver<String> {
        self.0.arrived.subscribe()
    }
}
