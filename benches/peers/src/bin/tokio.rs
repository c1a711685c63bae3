//! The tokio peer: its multi-thread runtime (issue 2's workloads), its sync
//! primitives and tokio_util's CancellationToken (issue 4's), and
//! tokio::sync::mpsc on the channel workloads (issue 3's).
//!
//! Equivalences, chosen to match Go's programs in ../go:
//! - `spawn_join_1m`: `tokio::spawn` each, then await every JoinHandle.
//! - `park_1m`: tasks park on the neutral `Gate` (Go: a channel, closed).
//! - `waitgroup_fanout`: tokio has no WaitGroup; a count-down `Latch`
//!   (atomic counter + one waker, cheaper than JoinSet) stands in.
//! - `mutex_counter`: `tokio::sync::Mutex` (Go: `sync.Mutex`).
//! - `context_cancel_tree`: `CancellationToken::child_token` per node.
//! - `map_read_mostly`: `dashmap::DashMap` (tokio has no map; dashmap is the
//!   candidate goro's `sync::Map` did not pick, so this row is that choice's
//!   benchmark).
//! - channels: mpsc is single-consumer and has no rendezvous flavor, so
//!   `mpmc`, `select_both` and `unbuffered` are n/a; select is `tokio::select!`.

// The AsyncChan futures must be Send; the explicit `impl Future + Send`
// form states it where `async fn` would leave it implicit.
#![allow(clippy::manual_async_fn)]

use bench_common::async_chan::{self, AsyncChan, Task};
use bench_common::op::{op, Either};
use bench_common::*;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn main() {
    let case = Case::from_args("tokio");
    let procs1 = case.flavor == "procs1";
    let rt = runtime(procs1);
    // The workload's main body is a task on a worker, as goro's and Go's are.
    let case = Arc::new(case);
    let body = {
        let case = case.clone();
        async move { dispatch(&case).await }
    };
    match rt.block_on(async move { tokio::spawn(body).await.unwrap() }) {
        Ok((d, extra)) => case.report(d, &extra),
        Err(why) => case.not_offered(why),
    }
}

/// The multi-thread runtime, with one worker for the `procs1` flavor.
fn runtime(procs1: bool) -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if procs1 {
        b.worker_threads(1);
    }
    b.enable_all().build().unwrap()
}

/// Runs the case: its time and `extra`, or why it is n/a.
async fn dispatch(case: &Case) -> Result<(Duration, String), &'static str> {
    let plain = |d: Duration| (d, String::new());
    match case.workload.as_str() {
        "spawn_join_1m" => Ok(plain(spawn_join().await)),
        "park_1m" => Ok(park().await),
        "yield_pingpong" => Ok(plain(yield_pingpong().await)),
        "yield_compute" => Ok(plain(yield_compute().await)),
        "mutex_counter" => Ok(plain(mutex_counter(goroutines(&case.flavor)).await)),
        "waitgroup_fanout" => Ok(plain(waitgroup_fanout().await)),
        "map_read_mostly" => Ok(plain(map_read_mostly().await)),
        "context_cancel_tree" => Ok(context_tree().await),
        w => async_chan::run::<Mpsc>(w, Flavor::parse(&case.flavor), spawn).await.map(plain),
    }
}

/// `DashMap`: `MAP_KEYS` entries, `THREADS` tasks, one insert in every
/// `MAP_STORE_EVERY` operations, gets otherwise (as Go's and goro's).
async fn map_read_mostly() -> Duration {
    let m = Arc::new(dashmap::DashMap::new());
    for k in 0..MAP_KEYS {
        m.insert(k, k);
    }
    let start = Instant::now();
    let hs: Vec<_> = (0..THREADS as u64)
        .map(|t| {
            let m = m.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                for i in 0..MAP_OPS {
                    let k = (i * 7919 + t) % MAP_KEYS;
                    if i % MAP_STORE_EVERY == 0 {
                        m.insert(k, i);
                    } else if m.get(&k).is_some() {
                        n += 1;
                    }
                }
                n
            })
        })
        .collect();
    let mut hits = 0;
    for h in hs {
        hits += h.await.unwrap();
    }
    assert!(hits > 0);
    start.elapsed()
}

/// `g2` → 2, `g100` → 100.
fn goroutines(flavor: &str) -> usize {
    flavor.trim_start_matches('g').parse().expect("flavor gN")
}

fn spawn(t: Task) -> Task {
    let h = tokio::spawn(t);
    Box::pin(async move { h.await.unwrap() })
}

async fn spawn_join() -> Duration {
    let start = Instant::now();
    let hs: Vec<_> = (0..SPAWN_N).map(|i| tokio::spawn(async move { i })).collect();
    for h in hs {
        std::hint::black_box(h.await.unwrap());
    }
    start.elapsed()
}

async fn park() -> (Duration, String) {
    let baseline = rss_kib();
    let start = Instant::now();
    let (gate, parked, done) =
        (Arc::new(Gate::default()), Arc::new(Latch::new(PARK_N)), Arc::new(Latch::new(PARK_N)));
    for _ in 0..PARK_N {
        let (gate, parked, done) = (gate.clone(), parked.clone(), done.clone());
        tokio::spawn(async move {
            parked.count_down();
            gate.wait().await;
            done.count_down();
        });
    }
    parked.wait().await;
    let with_parked = rss_kib();
    gate.open();
    done.wait().await;
    (start.elapsed(), park_extra(baseline, with_parked, PARK_N))
}

/// `YIELD_COMPUTE_GOROUTINES` tasks, each `YIELD_COMPUTE_ROUNDS` times
/// [`burn`] and `yield_now`.
async fn yield_compute() -> Duration {
    let start = Instant::now();
    let hs: Vec<_> = (0..YIELD_COMPUTE_GOROUTINES as u64)
        .map(|g| tokio::spawn(compute_and_yield(g, tokio::task::yield_now)))
        .collect();
    for h in hs {
        std::hint::black_box(h.await.unwrap());
    }
    start.elapsed()
}

async fn yield_pingpong() -> Duration {
    let turn = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let a = tokio::spawn(player(turn.clone(), 0));
    let b = tokio::spawn(player(turn, 1));
    a.await.unwrap();
    b.await.unwrap();
    start.elapsed()
}

/// Takes its turns (`2r + me`), yielding while it is the other's turn.
fn player(turn: Arc<AtomicUsize>, me: usize) -> impl Future<Output = ()> + Send {
    async move {
        for r in 0..YIELD_ROUNDS {
            while turn.load(Ordering::Acquire) != 2 * r + me {
                tokio::task::yield_now().await;
            }
            turn.store(2 * r + me + 1, Ordering::Release); // hands the turn over
        }
    }
}

async fn mutex_counter(g: usize) -> Duration {
    let m = Arc::new(tokio::sync::Mutex::new(0usize));
    let start = Instant::now();
    let hs: Vec<_> = (0..g)
        .map(|_| {
            let m = m.clone();
            tokio::spawn(async move {
                for _ in 0..MUTEX_INCREMENTS / g {
                    *m.lock().await += 1;
                }
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(*m.lock().await, MUTEX_INCREMENTS / g * g);
    start.elapsed()
}

async fn waitgroup_fanout() -> Duration {
    let start = Instant::now();
    let wg = Arc::new(Latch::new(FANOUT_N));
    for _ in 0..FANOUT_N {
        let wg = wg.clone();
        tokio::spawn(async move { wg.count_down() });
    }
    wg.wait().await;
    start.elapsed()
}

async fn context_tree() -> (Duration, String) {
    let start = Instant::now();
    let mut tokens = vec![tokio_util::sync::CancellationToken::new()];
    for i in 1..CTX_NODES {
        let child = tokens[(i - 1) / CTX_FANOUT].child_token();
        tokens.push(child);
    }
    let (parked, observed) = (Arc::new(Latch::new(CTX_NODES)), Arc::new(Latch::new(CTX_NODES)));
    for t in &tokens {
        let (t, parked, observed) = (t.clone(), parked.clone(), observed.clone());
        tokio::spawn(async move {
            let cancelled = t.cancelled();
            parked.count_down();
            cancelled.await;
            observed.count_down();
        });
    }
    parked.wait().await;
    let cancel_at = Instant::now();
    tokens[0].cancel();
    observed.wait().await;
    (start.elapsed(), format!("cancel_to_observed_s={:.6}", cancel_at.elapsed().as_secs_f64()))
}

/// tokio::sync::mpsc behind the channel workloads.
struct Mpsc;

/// A sender of either flavor.
#[derive(Clone)]
enum Tx {
    /// `mpsc::channel(cap)`.
    Bounded(mpsc::Sender<Msg>),
    /// `mpsc::unbounded_channel()`.
    Unbounded(mpsc::UnboundedSender<Msg>),
}

/// A receiver of either flavor.
enum Rx {
    /// `mpsc::channel(cap)`.
    Bounded(mpsc::Receiver<Msg>),
    /// `mpsc::unbounded_channel()`.
    Unbounded(mpsc::UnboundedReceiver<Msg>),
}

impl Rx {
    async fn recv(&mut self) -> Option<Msg> {
        match self {
            Rx::Bounded(r) => r.recv().await,
            Rx::Unbounded(r) => r.recv().await,
        }
    }
}

impl AsyncChan for Mpsc {
    type Tx = Tx;
    type Rx = Rx;
    const SELECT: bool = true;

    fn make(flavor: Flavor) -> Option<(Tx, Rx)> {
        match flavor.cap() {
            Some(0) => None,
            Some(n) => mpsc::channel(n).pipe(|(t, r)| Some((Tx::Bounded(t), Rx::Bounded(r)))),
            None => {
                mpsc::unbounded_channel().pipe(|(t, r)| Some((Tx::Unbounded(t), Rx::Unbounded(r))))
            }
        }
    }

    fn clone_rx(_: &Rx) -> Option<Rx> {
        None
    }

    fn send(tx: &Tx, v: Msg) -> impl Future<Output = ()> + Send + '_ {
        op(match tx {
            Tx::Bounded(t) => Either::Left { f: t.send(v) },
            Tx::Unbounded(t) => Either::Right { f: std::future::ready(t.send(v)) },
        })
    }

    fn recv(rx: &mut Rx) -> impl Future<Output = ()> + Send + '_ {
        op(match rx {
            Rx::Bounded(r) => Either::Left { f: r.recv() },
            Rx::Unbounded(r) => Either::Right { f: r.recv() },
        })
    }

    fn select4(rxs: &mut [Rx; 4]) -> impl Future<Output = ()> + Send + '_ {
        async move {
            let [a, b, c, d] = rxs;
            let v = tokio::select! {
                v = a.recv() => v,
                v = b.recv() => v,
                v = c.recv() => v,
                v = d.recv() => v,
            };
            v.unwrap();
        }
    }
}

/// `x.pipe(f)` is `f(x)`: keeps the constructors above on one line.
trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}
