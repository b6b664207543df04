//! Shared helpers for the core's integration tests: each test gets its own real SQLite file in a
//! temporary directory.
#![allow(dead_code)]

use easel_core::store::User;
use easel_core::{Easel, Element, ElementKind, Store};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub easel: Easel,
    /// The store under `easel`, for tests that look below the permission layer (the shells
    /// cannot: `Easel::store` is the core's own).
    pub store: Store,
    pub owner: User,
}

impl Env {
    pub async fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("easel.db")).await.unwrap();
        let easel = Easel::new(store.clone());
        let owner = easel.local_user().await.unwrap();
        Env {
            dir,
            easel,
            store,
            owner,
        }
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("easel.db")
    }

    pub async fn user(&self, name: &str) -> User {
        self.easel.add_user(name).await.unwrap()
    }
}

pub fn rect(id: &str, x: f64, y: f64) -> Element {
    Element::new(id, ElementKind::Rectangle, x, y).with_size(100.0, 50.0)
}
