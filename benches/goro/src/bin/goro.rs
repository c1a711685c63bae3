//! goro under test, in goroutines: the runtime workloads (issue 2), the
//! channel workloads (issue 3, feature `goro-chan`) and the toolkit
//! workloads (issue 4, feature `goro-toolkit`).
//!
//! Built three times from this one file: as `goro` (goro's default
//! features, the diagnostics registry on), as `goro-nodiag` (without them)
//! and as `goro-nomonitor` (default features, the blocking monitor switched
//! off at start), for issue 5's overhead comparisons. The binary reports
//! itself under its own name.
//!
//! Equivalences with Go's program (../../go):
//! - `spawn_join_1m`: `goro::go` each, then await every JoinHandle.
//! - `park_1m`: goroutines park on the neutral `Gate` every Rust peer uses
//!   (Go parks them on a channel that it then closes).
//! - `yield_pingpong`: `goro::yield_now` is Go's `runtime.Gosched`.
//! - `yield_compute`: goroutines that each compute and `yield_now`.
//! - toolkit: goro's `sync::Mutex`, `sync::WaitGroup::go` (Go's `wg.Go`)
//!   and `context::with_cancel`, the same calls as Go's program.

// The AsyncChan futures must be Send; the explicit `impl Future + Send`
// form states it where `async fn` would leave it implicit.
#![allow(clippy::manual_async_fn)]

#[cfg(feature = "goro-chan")]
#[path = "goro/chan.rs"]
mod chan;
#[cfg(feature = "goro-toolkit")]
#[path = "goro/toolkit.rs"]
mod toolkit;

use bench_common::*;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let case = Arc::new(Case::from_args(env!("CARGO_BIN_NAME")));
    if env!("CARGO_BIN_NAME") == "goro-nomonitor" {
        // Issue 5's comparison: the same build with the monitor off.
        goro::debug::set_blocking_threshold(Duration::ZERO);
    }
    // The body is the main goroutine, on a processor, as Go's main is.
    let main = {
        let case = case.clone();
        async move { dispatch(&case).await }
    };
    let result = if case.flavor == "procs1" {
        let rt = goro::Runtime::builder().procs(1).build().expect("runtime");
        rt.run(main)
    } else {
        goro::run(main)
    };
    match result {
        Ok((d, extra)) => case.report(d, &extra),
        Err(why) => case.not_offered(why),
    }
}

/// Runs the case: its time and `extra`, or why it is n/a.
async fn dispatch(case: &Case) -> Result<(Duration, String), &'static str> {
    let plain = |d: Duration| (d, String::new());
    match case.workload.as_str() {
        "spawn_join_1m" => Ok(plain(spawn_join().await)),
        "park_1m" => Ok(park().await),
        "yield_pingpong" => Ok(plain(yield_pingpong().await)),
        "yield_compute" => Ok(plain(yield_compute().await)),
        "mutex_counter" | "waitgroup_fanout" | "context_cancel_tree" | "map_read_mostly" => {
            toolkit(case).await
        }
        w => channels(w, &case.flavor).await.map(plain),
    }
}

#[cfg(feature = "goro-toolkit")]
async fn toolkit(case: &Case) -> Result<(Duration, String), &'static str> {
    Ok(toolkit::run(&case.workload, &case.flavor).await)
}

#[cfg(not(feature = "goro-toolkit"))]
async fn toolkit(_: &Case) -> Result<(Duration, String), &'static str> {
    Err("not built: enable feature goro-toolkit")
}

#[cfg(feature = "goro-chan")]
async fn channels(workload: &str, flavor: &str) -> Result<Duration, &'static str> {
    let spawn = chan::spawn;
    bench_common::async_chan::run::<chan::GoroChan>(workload, Flavor::parse(flavor), spawn).await
}

#[cfg(not(feature = "goro-chan"))]
async fn channels(_: &str, _: &str) -> Result<Duration, &'static str> {
    Err("not built: enable feature goro-chan")
}

async fn spawn_join() -> Duration {
    let start = Instant::now();
    let hs: Vec<_> = (0..SPAWN_N).map(|i| goro::go(async move { i })).collect();
    for h in hs {
        std::hint::black_box(h.await.unwrap());
    }
    start.elapsed()
}

async fn park() -> (Duration, String) {
    let baseline = rss_kib();
    let start = Instant::now();
    let gate = Arc::new(Gate::default());
    let (parked, done) = (Arc::new(Latch::new(PARK_N)), Arc::new(Latch::new(PARK_N)));
    for _ in 0..PARK_N {
        let (gate, parked, done) = (gate.clone(), parked.clone(), done.clone());
        drop(goro::go(async move {
            parked.count_down();
            gate.wait().await;
            done.count_down();
        }));
    }
    parked.wait().await;
    let with_parked = rss_kib();
    gate.open();
    done.wait().await;
    (start.elapsed(), park_extra(baseline, with_parked, PARK_N))
}

/// `YIELD_COMPUTE_GOROUTINES` goroutines, each `YIELD_COMPUTE_ROUNDS` times
/// [`burn`] and `yield_now`: independent work that should use every core.
async fn yield_compute() -> Duration {
    let start = Instant::now();
    let hs: Vec<_> = (0..YIELD_COMPUTE_GOROUTINES as u64)
        .map(|g| goro::go(compute_and_yield(g, goro::yield_now)))
        .collect();
    for h in hs {
        std::hint::black_box(h.await.unwrap());
    }
    start.elapsed()
}

async fn yield_pingpong() -> Duration {
    let turn = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let a = goro::go(player(turn.clone(), 0));
    let b = goro::go(player(turn, 1));
    a.await.unwrap();
    b.await.unwrap();
    start.elapsed()
}

/// Takes its turns (`2r + me`), yielding while it is the other's turn.
fn player(turn: Arc<AtomicUsize>, me: usize) -> impl Future<Output = ()> + Send {
    async move {
        for r in 0..YIELD_ROUNDS {
            while turn.load(Ordering::Acquire) != 2 * r + me {
                goro::yield_now().await;
            }
            turn.store(2 * r + me + 1, Ordering::Release); // hands the turn over
        }
    }
}
