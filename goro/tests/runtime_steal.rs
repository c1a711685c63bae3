//! Work stealing really spreads work: goroutines spawned from one goroutine
//! run on every processor, even with more processors than cores.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Burns CPU for about `d`, so that the spawner's worker stays busy and the
/// other workers must steal.
fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[test]
fn goroutines_spawned_from_one_goroutine_run_on_every_processor() {
    const PROCS: usize = 4;
    support::within(Duration::from_secs(60), || {
        let rt = goro::Runtime::builder().procs(PROCS).build().unwrap();
        let seen = Arc::new(Mutex::new(HashSet::new()));
        let spawner = {
            let seen = seen.clone();
            rt.go(async move {
                // Batches until every worker has run one (bounded by the
                // `within` limit); on 2 cores with 4 workers this takes a few.
                while seen.lock().unwrap().len() < PROCS {
                    let batch: Vec<_> = (0..64)
                        .map(|_| {
                            let seen = seen.clone();
                            goro::go(async move {
                                seen.lock().unwrap().insert(std::thread::current().id());
                                spin_for(Duration::from_micros(500));
                            })
                        })
                        .collect();
                    for h in batch {
                        h.await.unwrap();
                    }
                }
            })
        };
        spawner.join_blocking().unwrap();
        assert_eq!(seen.lock().unwrap().len(), PROCS);
    });
}

/// Goroutines that each compute in short bursts and yield with `yield_now`
/// (Go's `Gosched`) are independent work: they must end up on different
/// processors, however short their polls. Spawned from a plain thread, both
/// go to the global queue, and the first worker to look takes both in one
/// batch; it then switches between them every few microseconds. The other
/// worker must still take one, where a queue of partners woken by a running
/// goroutine would be left to its owner (runtime README, "Small queues
/// stay").
#[test]
fn goroutines_that_compute_and_yield_spread_over_the_processors() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    support::within(Duration::from_secs(60), || {
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        let split = Arc::new(AtomicBool::new(false));
        // The thread each goroutine last ran on (`thread_key`; 0 unset).
        let on: Arc<[AtomicUsize; 2]> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let hs: Vec<_> = (0..2)
            .map(|i| {
                let (split, on) = (split.clone(), on.clone());
                rt.go(async move {
                    while !split.load(Ordering::Relaxed) {
                        spin_for(Duration::from_micros(2));
                        let here = thread_key();
                        on[i].store(here, Ordering::Relaxed);
                        let other = on[1 - i].load(Ordering::Relaxed);
                        if other != 0 && other != here {
                            split.store(true, Ordering::Relaxed);
                        }
                        goro::yield_now().await;
                    }
                })
            })
            .collect();
        for h in hs {
            h.join_blocking().unwrap();
        }
    });
}

/// A non-zero key for the calling thread.
fn thread_key() -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current().id().hash(&mut h);
    (h.finish() as usize) | 1
}

/// How many of the goroutines `ids` are parked (registry view).
#[cfg(feature = "diagnostics")]
fn parked_among(ids: &HashSet<u64>) -> usize {
    goro::debug::goroutines().iter().filter(|g| ids.contains(&g.id) && g.is_parked()).count()
}

/// Goroutines woken together by one goroutine (a `close`) run on every
/// processor. A wake-up queues the woken on the waker's processor without
/// waking another worker (partners exchanging messages stay on one core);
/// the monitor wakes one when that queue does not drain, so a broadcast
/// that woke more work than one worker gets through is still shared.
#[cfg(feature = "diagnostics")]
#[test]
fn goroutines_woken_together_run_on_every_processor() {
    use std::sync::atomic::{AtomicBool, Ordering};
    support::within(Duration::from_secs(60), || {
        // The blocking monitor would hand the closer's queue off after
        // 10 ms; with it off, only the backlog wake-up can share the work.
        let threshold = goro::debug::blocking_threshold().unwrap_or(Duration::ZERO);
        goro::debug::set_blocking_threshold(Duration::ZERO);
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        // The closer is a goroutine, so that its wake-ups come from a worker.
        let closer = rt.go(async move {
            let (tx, rx) = goro::chan::<()>(0);
            let closing = Arc::new(AtomicBool::new(true));
            let woken: Vec<_> = (0..64)
                .map(|_| {
                    let (rx, closing) = (rx.clone(), closing.clone());
                    goro::go(async move {
                        assert_eq!(rx.recv().await, None);
                        let beside_the_closer = closing.load(Ordering::Acquire);
                        spin_for(Duration::from_millis(1));
                        beside_the_closer
                    })
                })
                .collect();
            let ids: HashSet<u64> = woken.iter().map(|h| h.id()).collect();
            // Until all 64 wait on the channel, and once more; then the
            // other worker, with nothing to do, is asleep, as in a program
            // whose workers idle until a broadcast.
            while parked_among(&ids) < ids.len() {
                goro::time::sleep(Duration::from_millis(1)).await;
            }
            goro::time::sleep(Duration::from_millis(1)).await;
            spin_for(Duration::from_millis(2)); // the timer's wake-up woke a worker: let it sleep again
            tx.close(); // wakes all 64 onto this goroutine's processor
            spin_for(Duration::from_millis(50)); // and keeps that processor busy
            closing.store(false, Ordering::Release);
            let mut beside = 0;
            for h in woken {
                beside += usize::from(h.await.unwrap());
            }
            beside
        });
        let beside = closer.join_blocking().unwrap();
        goro::debug::set_blocking_threshold(threshold);
        assert!(beside > 0, "no woken goroutine ran while their waker held its worker");
    });
}

#[test]
fn procs_reports_the_builder_setting() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(3).build().unwrap();
        assert_eq!(rt.procs(), 3);
        assert_eq!(rt.block_on(async { goro::procs() }), 3);
        assert_eq!(rt.block_on(async { goro::go(async { goro::procs() }).await.unwrap() }), 3);
    });
}
