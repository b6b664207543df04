//! Crash durability: a child process edits a board and reports each acknowledged edit; the test
//! kills it with SIGKILL at a random moment, reopens the store, and requires every acknowledged
//! edit to be there. `EASEL_CRASH_ITERATIONS` sets the number of kills (default 20);
//! `EASEL_CRASH_SEED` replays one run.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use easel_core::{Easel, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_edits_survive_sigkill() {
    let iterations: usize = std::env::var("EASEL_CRASH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("EASEL_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("crash test seed {seed} (replay with EASEL_CRASH_SEED={seed})");
    let mut rng = fastrand::Rng::with_seed(seed);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("easel.db");
    let board = {
        let easel = Easel::new(Store::open(&db).await.unwrap());
        let me = easel.local_user().await.unwrap();
        let b = easel.create_board(me.id, "Crash").await.unwrap().id;
        easel.close().await;
        b
    };

    let mut acked_total = Vec::new();
    for it in 0..iterations {
        let writers = 1 + rng.usize(0..3);
        let mut child = Command::new(env!("CARGO_BIN_EXE_easel-crash-child"))
            .args([
                db.to_str().unwrap(),
                &board.to_string(),
                &format!("it{it}"),
                &writers.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(id) = line.strip_prefix("ack ")
                    && tx.send(id.to_string()).is_err()
                {
                    break;
                }
            }
        });
        // Wait for the first acknowledgement (the child is up), then a random while more.
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("child acknowledged nothing");
        let mut acked = vec![first];
        let until = Instant::now() + Duration::from_millis(rng.u64(1..120));
        while let Ok(id) = rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            acked.push(id);
            if Instant::now() >= until {
                break;
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix.
        child.wait().unwrap();
        reader.join().unwrap();
        // Lines that were fully written before the kill were acknowledged too.
        acked.extend(rx.try_iter());
        acked_total.extend(acked);

        let easel = Easel::new(Store::open(&db).await.unwrap());
        let me = easel.local_user().await.unwrap();
        let s = easel.open_board(me.id, board).await.unwrap();
        let have: std::collections::HashSet<String> =
            s.elements().into_iter().map(|e| e.id).collect();
        let missing: Vec<&String> = acked_total
            .iter()
            .filter(|id| !have.contains(*id))
            .collect();
        assert!(
            missing.is_empty(),
            "seed {seed} iteration {it}: {} acknowledged edits lost, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        drop(s);
        easel.close().await;
    }
    println!(
        "{iterations} kills, {} acknowledged edits, none lost",
        acked_total.len()
    );
}
