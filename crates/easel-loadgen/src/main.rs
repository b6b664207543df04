//! `easel-loadgen`: the load generator of `bench/relay.sh`, and the pure forwarder it is
//! calibrated against.
//!
//! Every client is a normal y-websocket client as far as a server can tell: it sends sync step 1
//! with an empty state vector and answers the server's step 1 with an empty step 2. Senders send
//! pre-encoded, real Yjs updates (made with yrs before the clock starts: each sender's own doc
//! sets its key in a `Y.Map` to a buffer embedding a unique 8-byte marker) framed as sync-update
//! messages. Receivers never decode: they find markers by byte search and look up the send time
//! in a shared table. Everything runs on one thread (a current-thread runtime and a `LocalSet`),
//! so the generator costs at most one core.
//!
//! Each mode prints one `RESULT key=value ...` line for the script to parse.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Sync step 1 with an empty state vector.
const STEP1_EMPTY: [u8; 4] = [0, 0, 1, 0];
/// Sync step 2 carrying an empty update.
const STEP2_EMPTY: [u8; 5] = [0, 1, 2, 0, 0];
/// Precedes every marker inside an update's buffer value.
const MAGIC: &[u8; 4] = b"EZmk";

#[derive(Debug, Parser)]
#[command(name = "easel-loadgen", version)]
struct Args {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// A pure forwarder (no CRDT): answers sync step 1 with an empty step 2 and forwards every
    /// other frame to the rest of its room. The harness's ceiling.
    Forwarder {
        #[arg(long, default_value = "127.0.0.1:8790")]
        listen: SocketAddr,
    },
    /// Closed loop: every sender keeps `window` updates in flight; an update completes when
    /// every other client has it. Reports deliveries per second.
    Throughput {
        #[command(flatten)]
        load: Load,
        /// Updates in flight per sender.
        #[arg(long, default_value_t = 8)]
        window: usize,
    },
    /// Open loop: senders together send `rate` updates per second. Reports latency from send to
    /// each other client's receipt.
    Latency {
        #[command(flatten)]
        load: Load,
        /// Updates per second, over all senders.
        #[arg(long, default_value_t = 1000.0)]
        rate: f64,
    },
    /// Connects `clients` clients that then stay idle; reports the server's VmRSS before and
    /// after.
    Idle {
        /// WebSocket URL of the room.
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 500)]
        clients: usize,
        /// The server's process id (its /proc/<pid>/status is read).
        #[arg(long)]
        pid: u32,
        /// Wait after connecting before reading VmRSS.
        #[arg(long, default_value_t = 1000)]
        settle_ms: u64,
    },
}

#[derive(Debug, clap::Args)]
struct Load {
    /// WebSocket URL of the room.
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// The first `senders` clients send.
    #[arg(long, default_value_t = 5)]
    senders: usize,
    /// Updates over all senders.
    #[arg(long, default_value_t = 10_000)]
    updates: usize,
    /// Give up after this long without a delivery (the rest count as lost).
    #[arg(long, default_value_t = 10)]
    stall_secs: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        match args.mode {
            Mode::Forwarder { listen } => forwarder(listen).await,
            Mode::Throughput { load, window } => run_load(load, Pace::Window(window)).await,
            Mode::Latency { load, rate } => run_load(load, Pace::Rate(rate)).await,
            Mode::Idle {
                url,
                clients,
                pid,
                settle_ms,
            } => idle(&url, clients, pid, Duration::from_millis(settle_ms)).await,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Clients

/// Connects and completes the sync handshake: our step 1 answered by the server's step 2, the
/// server's step 1 answered by our empty step 2.
async fn connect(url: &str) -> anyhow::Result<Ws> {
    // TCP_NODELAY on the client side too: Nagle would hold a sender's next small frame until
    // the previous one is acknowledged, which shows up as latency of the server.
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    ws.send(Message::Binary(Bytes::from_static(&STEP1_EMPTY)))
        .await?;
    let (mut got_step1, mut got_step2) = (false, false);
    while !(got_step1 && got_step2) {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .context("handshake timed out")?
            .context("closed during the handshake")??;
        if let Message::Binary(b) = msg {
            if b.starts_with(&[0, 0]) {
                ws.send(Message::Binary(Bytes::from_static(&STEP2_EMPTY)))
                    .await?;
                got_step1 = true;
            } else if b.starts_with(&[0, 1]) {
                got_step2 = true;
            }
        }
    }
    Ok(ws)
}

async fn connect_all(url: &str, n: usize) -> anyhow::Result<Vec<Ws>> {
    let mut out: Vec<(usize, Ws)> = futures_util::stream::iter(0..n)
        .map(|i| async move { connect(url).await.map(|ws| (i, ws)) })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    out.sort_by_key(|(i, _)| *i);
    Ok(out.into_iter().map(|(_, ws)| ws).collect())
}

/// `8-byte marker = sender (u32 LE) + seq (u32 LE)`.
fn marker(sender: u32, seq: u32) -> [u8; 8] {
    let mut m = [0u8; 8];
    m[..4].copy_from_slice(&sender.to_le_bytes());
    m[4..].copy_from_slice(&seq.to_le_bytes());
    m
}

/// `count` sync-update frames from one sender's own doc: each sets `bench["k<sender>"]` to a
/// buffer `MAGIC + marker`, encoded v1 as the diff since the previous update.
fn sender_frames(sender: u32, count: usize) -> Vec<Bytes> {
    use yrs::{Any, Map, ReadTxn, Transact};
    let doc = yrs::Doc::with_client_id(1000 + sender as u64);
    let map = doc.get_or_insert_map("bench");
    let key = format!("k{sender}");
    let mut frames = Vec::with_capacity(count);
    for seq in 0..count as u32 {
        let before = doc.transact().state_vector();
        let mut value = MAGIC.to_vec();
        value.extend_from_slice(&marker(sender, seq));
        map.insert(
            &mut doc.transact_mut(),
            key.as_str(),
            Any::Buffer(value.into()),
        );
        let update = doc.transact().encode_state_as_update_v1(&before);
        let mut frame = vec![0u8, 2];
        write_varuint(&mut frame, update.len());
        frame.extend_from_slice(&update);
        frames.push(Bytes::from(frame));
    }
    frames
}

fn write_varuint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

enum Pace {
    Window(usize),
    Rate(f64),
}

/// What senders and receivers share (one thread: plain cells).
struct Shared {
    t0: Instant,
    /// Send time (ns since t0) per [sender][seq]; 0 = not sent.
    sent_at: Vec<Vec<Cell<u64>>>,
    /// Receivers still to get [sender][seq].
    remaining: Vec<Vec<Cell<u32>>>,
    /// One permit per completed update, per sender (closed loop only).
    window: Vec<Rc<Semaphore>>,
    closed_loop: bool,
    latencies_us: RefCell<Vec<u32>>,
    delivered: Cell<u64>,
    duplicates: Cell<u64>,
    last_delivery: Cell<Instant>,
    completed: Cell<u64>,
}

async fn run_load(load: Load, pace: Pace) -> anyhow::Result<()> {
    let Load {
        url,
        clients,
        senders,
        updates,
        stall_secs,
    } = load;
    if senders == 0 || senders > clients || clients < 2 {
        bail!("need 2 or more clients and 1..=clients senders");
    }
    let per_sender = updates.div_ceil(senders);
    let frames: Vec<Vec<Bytes>> = (0..senders as u32)
        .map(|s| sender_frames(s, per_sender))
        .collect();
    let frame_bytes = frames[0][per_sender / 2].len();
    let wss = connect_all(&url, clients).await?;
    let now = Instant::now();
    let shared = Rc::new(Shared {
        t0: now,
        sent_at: (0..senders)
            .map(|_| (0..per_sender).map(|_| Cell::new(0)).collect())
            .collect(),
        remaining: (0..senders)
            .map(|_| {
                (0..per_sender)
                    .map(|_| Cell::new(clients as u32 - 1))
                    .collect()
            })
            .collect(),
        window: (0..senders)
            .map(|_| {
                Rc::new(Semaphore::new(match pace {
                    Pace::Window(w) => w.max(1),
                    Pace::Rate(_) => Semaphore::MAX_PERMITS,
                }))
            })
            .collect(),
        closed_loop: matches!(pace, Pace::Window(_)),
        latencies_us: RefCell::new(Vec::with_capacity(updates * (clients - 1))),
        delivered: Cell::new(0),
        duplicates: Cell::new(0),
        last_delivery: Cell::new(now),
        completed: Cell::new(0),
    });
    let expected = (per_sender * senders * (clients - 1)) as u64;
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<()>();
    let mut readers = Vec::new();
    let mut sinks = Vec::new();
    for (i, ws) in wss.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        if i < senders {
            sinks.push(sink);
        }
        readers.push(tokio::task::spawn_local(reader(
            stream,
            i,
            shared.clone(),
            expected,
            done_tx.clone(),
        )));
    }
    let start = Instant::now();
    let mut sender_tasks = Vec::new();
    for (s, (sink, frames)) in sinks.into_iter().zip(frames).enumerate() {
        let shared = shared.clone();
        let interval = match pace {
            Pace::Rate(r) => Some(Duration::from_secs_f64(senders as f64 / r)),
            Pace::Window(_) => None,
        };
        // Paced senders are staggered evenly over one period.
        let offset = interval.map(|i| i.mul_f64(s as f64 / senders as f64));
        sender_tasks.push(tokio::task::spawn_local(sender(
            sink, s, frames, shared, interval, offset,
        )));
    }
    // Done when everything arrived, or nothing arrived for stall_secs.
    loop {
        tokio::select! {
            _ = done_rx.recv() => break,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if shared.last_delivery.get().elapsed() > Duration::from_secs(stall_secs)
                    && start.elapsed() > Duration::from_secs(stall_secs) {
                    break;
                }
            }
        }
    }
    let end = if shared.delivered.get() >= expected {
        shared.last_delivery.get()
    } else {
        Instant::now()
    };
    let secs = end.duration_since(start).as_secs_f64();
    for t in &sender_tasks {
        t.abort();
    }
    for t in &readers {
        t.abort();
    }
    let delivered = shared.delivered.get();
    let mut lat = shared.latencies_us.take();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        lat[i] as f64 / 1000.0
    };
    let mode = match pace {
        Pace::Window(_) => "throughput",
        Pace::Rate(_) => "latency",
    };
    println!(
        "RESULT mode={mode} clients={clients} senders={senders} updates={} frame_bytes={frame_bytes} \
         expected={expected} delivered={delivered} lost={} duplicates={} secs={secs:.3} \
         dps={:.0} ups={:.0} p50_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        per_sender * senders,
        expected.saturating_sub(delivered),
        shared.duplicates.get(),
        delivered as f64 / secs,
        shared.completed.get() as f64 / secs,
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
    Ok(())
}

async fn sender(
    mut sink: SplitSink<Ws, Message>,
    s: usize,
    frames: Vec<Bytes>,
    shared: Rc<Shared>,
    interval: Option<Duration>,
    offset: Option<Duration>,
) -> anyhow::Result<()> {
    let mut ticker = match (interval, offset) {
        (Some(i), Some(o)) => {
            let mut t = tokio::time::interval_at(tokio::time::Instant::now() + o, i);
            t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            Some(t)
        }
        _ => None,
    };
    for (seq, frame) in frames.into_iter().enumerate() {
        match &mut ticker {
            Some(t) => {
                t.tick().await;
            }
            None => shared.window[s].acquire().await?.forget(),
        }
        let ns = shared.t0.elapsed().as_nanos() as u64;
        shared.sent_at[s][seq].set(ns.max(1));
        sink.send(Message::Binary(frame)).await?;
    }
    // Keep the connection open.
    std::future::pending::<()>().await;
    Ok(())
}

async fn reader(
    mut stream: SplitStream<Ws>,
    me: usize,
    shared: Rc<Shared>,
    expected: u64,
    done: mpsc::UnboundedSender<()>,
) {
    let finder = memchr::memmem::Finder::new(MAGIC);
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Binary(b) = msg else { continue };
        if !b.starts_with(&[0, 2]) {
            continue;
        }
        let now_ns = shared.t0.elapsed().as_nanos() as u64;
        for at in finder.find_iter(&b) {
            let Some(m) = b.get(at + 4..at + 12) else {
                continue;
            };
            let s = u32::from_le_bytes(m[..4].try_into().expect("4 bytes")) as usize;
            let seq = u32::from_le_bytes(m[4..].try_into().expect("4 bytes")) as usize;
            if s == me {
                // An echo of our own update (y-websocket sends updates back to their origin).
                continue;
            }
            let (Some(sent), Some(rem)) = (
                shared.sent_at.get(s).and_then(|v| v.get(seq)),
                shared.remaining.get(s).and_then(|v| v.get(seq)),
            ) else {
                continue;
            };
            if rem.get() == 0 || sent.get() == 0 {
                shared.duplicates.set(shared.duplicates.get() + 1);
                continue;
            }
            rem.set(rem.get() - 1);
            shared
                .latencies_us
                .borrow_mut()
                .push((now_ns.saturating_sub(sent.get()) / 1000) as u32);
            if rem.get() == 0 {
                shared.completed.set(shared.completed.get() + 1);
                if shared.closed_loop {
                    shared.window[s].add_permits(1);
                }
            }
            let d = shared.delivered.get() + 1;
            shared.delivered.set(d);
            if d == expected {
                let _ = done.send(());
            }
        }
        shared.last_delivery.set(Instant::now());
    }
}

// ---------------------------------------------------------------------------------------------
// Idle connections

fn vm_rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS line")
}

async fn idle(url: &str, clients: usize, pid: u32, settle: Duration) -> anyhow::Result<()> {
    tokio::time::sleep(settle).await;
    let before = vm_rss_kb(pid)?;
    let wss = connect_all(url, clients).await?;
    // Keep reading (and answering pings) while settling.
    let readers: Vec<_> = wss
        .into_iter()
        .map(|ws| {
            tokio::task::spawn_local(async move {
                let mut ws = ws;
                while let Some(Ok(_)) = ws.next().await {}
            })
        })
        .collect();
    tokio::time::sleep(settle).await;
    let after = vm_rss_kb(pid)?;
    let per_conn = (after as f64 - before as f64) * 1024.0 / clients as f64;
    println!(
        "RESULT mode=idle clients={clients} rss_before_kb={before} rss_after_kb={after} \
         per_conn_bytes={per_conn:.0}"
    );
    for r in readers {
        r.abort();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The forwarder

type RoomMembers = Rc<RefCell<Vec<(u64, mpsc::UnboundedSender<Bytes>)>>>;

async fn forwarder(listen: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    println!("forwarder listening on {listen}");
    let rooms: Rc<RefCell<HashMap<String, RoomMembers>>> = Rc::default();
    let mut next_id = 0u64;
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        next_id += 1;
        tokio::task::spawn_local(forward_conn(tcp, next_id, rooms.clone()));
    }
}

async fn forward_conn(tcp: TcpStream, id: u64, rooms: Rc<RefCell<HashMap<String, RoomMembers>>>) {
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
    let mut path = String::new();
    // The callback's signature is tungstenite's; its error type is not ours to box.
    #[allow(clippy::result_large_err)]
    let cb = |req: &Request, resp: Response| {
        path = req.uri().path().to_owned();
        Ok(resp)
    };
    // The relay's buffer sizes, so idle memory compares.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(8 * 1024);
    let Ok(ws) = tokio_tungstenite::accept_hdr_async_with_config(tcp, cb, Some(config)).await
    else {
        return;
    };
    let members = rooms.borrow_mut().entry(path.clone()).or_default().clone();
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    members.borrow_mut().push((id, tx.clone()));
    let (mut sink, mut stream) = ws.split();
    let writer = tokio::task::spawn_local(async move {
        // Writes whatever has queued, then flushes once.
        while let Some(first) = rx.recv().await {
            if sink.feed(Message::Binary(first)).await.is_err() {
                return;
            }
            while let Ok(more) = rx.try_recv() {
                if sink.feed(Message::Binary(more)).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    let _ = tx.send(Bytes::from_static(&STEP1_EMPTY));
    while let Some(Ok(msg)) = stream.next().await {
        let b = match msg {
            Message::Binary(b) => b,
            Message::Close(_) => break,
            _ => continue,
        };
        if b.starts_with(&[0, 0]) {
            let _ = tx.send(Bytes::from_static(&STEP2_EMPTY));
        } else if b.starts_with(&[0, 1]) {
            // A handshake step 2 (there is no document to apply it to).
        } else {
            for (other, otx) in members.borrow().iter() {
                if *other != id {
                    let _ = otx.send(b.clone());
                }
            }
        }
    }
    members.borrow_mut().retain(|(o, _)| *o != id);
    if members.borrow().is_empty() {
        rooms.borrow_mut().remove(&path);
    }
    drop(tx);
    let _ = writer.await;
}
