//! Edits a board as fast as it can and prints `ack <element id>` after each edit's transaction
//! has committed. The crash test kills this process at a random moment and then checks that
//! every printed edit is in the store. Usage: easel-crash-child DB BOARD_ID PREFIX WRITERS

use std::io::Write;

use easel_core::{Easel, Element, ElementKind, Store};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, board, prefix, writers] = &args[..] else {
        eprintln!("usage: easel-crash-child DB BOARD_ID PREFIX WRITERS");
        std::process::exit(2);
    };
    let board: uuid::Uuid = board.parse().expect("board id");
    let writers: usize = writers.parse().expect("writer count");
    let store = Store::open(std::path::Path::new(db))
        .await
        .expect("open store");
    let easel = Easel::new(store);
    let me = easel.local_user().await.expect("local user");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    for w in 0..writers {
        let easel = easel.clone();
        let tx = tx.clone();
        let prefix = prefix.clone();
        tokio::spawn(async move {
            let mut s = easel.open_board(me.id, board).await.expect("open board");
            // Bounded, so a child that is never killed still ends.
            for i in 0..200_000 {
                let id = format!("{prefix}-{w}-{i}");
                let el = Element::new(id.clone(), ElementKind::Rectangle, i as f64, w as f64)
                    .with_size(10.0, 10.0);
                s.add(el).await.expect("add");
                if tx.send(id).is_err() {
                    return;
                }
            }
        });
    }
    drop(tx);
    let mut out = std::io::stdout().lock();
    while let Some(id) = rx.recv().await {
        writeln!(out, "ack {id}").expect("stdout");
        out.flush().expect("flush");
    }
}
