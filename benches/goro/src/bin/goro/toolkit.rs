//! goro's toolkit behind issue 4's workloads (feature `goro-toolkit`),
//! written against API.md: `sync::Mutex`, `sync::WaitGroup` and
//! `context::with_cancel`, in the shapes of Go's program.

use bench_common::{
    Latch, CTX_FANOUT, CTX_NODES, FANOUT_N, MAP_KEYS, MAP_OPS, MAP_STORE_EVERY, MUTEX_INCREMENTS,
    THREADS,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs a toolkit workload: its time and `extra`.
pub async fn run(workload: &str, flavor: &str) -> (Duration, String) {
    match workload {
        "mutex_counter" => {
            let g = flavor.trim_start_matches('g').parse().expect("flavor gN");
            (mutex_counter(g).await, String::new())
        }
        "waitgroup_fanout" => (waitgroup_fanout().await, String::new()),
        "map_read_mostly" => (map_read_mostly().await, String::new()),
        "context_cancel_tree" => context_tree().await,
        _ => unreachable!("not a toolkit workload: {workload}"),
    }
}

async fn mutex_counter(g: usize) -> Duration {
    let m = Arc::new(goro::sync::Mutex::new(0usize));
    let wg = goro::sync::WaitGroup::new();
    let start = Instant::now();
    for _ in 0..g {
        let m = m.clone();
        wg.go(async move {
            for _ in 0..MUTEX_INCREMENTS / g {
                *m.lock().await += 1;
            }
        });
    }
    wg.wait().await;
    assert_eq!(*m.lock().await, MUTEX_INCREMENTS / g * g);
    start.elapsed()
}

/// `sync::Map` (on papaya): `MAP_KEYS` entries, `THREADS` goroutines, one
/// store in every `MAP_STORE_EVERY` operations, loads otherwise.
async fn map_read_mostly() -> Duration {
    let m = Arc::new(goro::sync::Map::new());
    for k in 0..MAP_KEYS {
        m.store(k, k);
    }
    let hits = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let wg = goro::sync::WaitGroup::new();
    for t in 0..THREADS as u64 {
        let (m, hits) = (m.clone(), hits.clone());
        wg.go(async move {
            let mut n = 0;
            for i in 0..MAP_OPS {
                let k = (i * 7919 + t) % MAP_KEYS;
                if i % MAP_STORE_EVERY == 0 {
                    m.store(k, i);
                } else if m.load(&k).is_some() {
                    n += 1;
                }
            }
            hits.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        });
    }
    wg.wait().await;
    assert!(hits.load(std::sync::atomic::Ordering::Relaxed) > 0);
    start.elapsed()
}

async fn waitgroup_fanout() -> Duration {
    let start = Instant::now();
    let wg = goro::sync::WaitGroup::new();
    for _ in 0..FANOUT_N {
        wg.go(async {});
    }
    wg.wait().await;
    start.elapsed()
}

async fn context_tree() -> (Duration, String) {
    let start = Instant::now();
    let mut ctxs = vec![goro::context::background()];
    let mut cancels = Vec::with_capacity(CTX_NODES);
    let (root, cancel) = goro::context::with_cancel(&ctxs[0]);
    ctxs[0] = root;
    cancels.push(cancel);
    for i in 1..CTX_NODES {
        let (c, cf) = goro::context::with_cancel(&ctxs[(i - 1) / CTX_FANOUT]);
        ctxs.push(c);
        cancels.push(cf);
    }
    let (parked, observed) = (Arc::new(Latch::new(CTX_NODES)), Arc::new(Latch::new(CTX_NODES)));
    for c in &ctxs {
        let (done, parked, observed) = (c.done(), parked.clone(), observed.clone());
        drop(goro::go(async move {
            parked.count_down();
            done.await;
            observed.count_down();
        }));
    }
    parked.wait().await;
    let cancel_at = Instant::now();
    cancels[0].cancel();
    observed.wait().await;
    drop(cancels);
    (start.elapsed(), format!("cancel_to_observed_s={:.6}", cancel_at.elapsed().as_secs_f64()))
}
