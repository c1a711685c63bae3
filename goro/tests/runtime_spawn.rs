//! Spawning, joining, nesting, aborting and counting goroutines.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[goro::test]
async fn spawn_and_join() {
    let hs: Vec<_> = (0..100u64).map(|i| goro::go(async move { i * 2 })).collect();
    let mut sum = 0;
    for h in hs {
        sum += h.await.unwrap();
    }
    assert_eq!(sum, 2 * (0..100).sum::<u64>());
}

/// A tree of goroutines, each spawning its children and summing them.
fn tree(depth: u32) -> goro::JoinHandle<u64> {
    goro::go(async move {
        if depth == 0 {
            return 1;
        }
        let (a, b) = (tree(depth - 1), tree(depth - 1));
        a.await.unwrap() + b.await.unwrap()
    })
}

#[goro::test]
async fn nested_spawns() {
    assert_eq!(tree(12).await.unwrap(), 1 << 12);
}

#[test]
fn join_blocking_from_plain_thread() {
    support::within(Duration::from_secs(30), || {
        let h = goro::go(async {
            goro::yield_now().await;
            5
        });
        assert_eq!(h.join_blocking().unwrap(), 5);
    });
}

#[goro::test(timeout_secs = 60)]
async fn a_million_goroutines() {
    const N: usize = 1_000_000;
    let start = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..N)
        .map(|_| {
            let done = done.clone();
            goro::go(async move {
                done.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(done.load(Ordering::Relaxed), N);
    // Generous: about a second on a loaded 2-core machine in release mode.
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
}

#[goro::test]
async fn abort_a_parked_goroutine() {
    let dropped = Arc::new(AtomicUsize::new(0));
    struct OnDrop(Arc<AtomicUsize>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let guard = OnDrop(dropped.clone());
    let h = goro::go(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    goro::yield_now().await;
    h.abort();
    let err = h.await.unwrap_err();
    assert!(err.is_aborted(), "{err:?}");
    assert_eq!(dropped.load(Ordering::SeqCst), 1, "the future is dropped on abort");
}

#[goro::test]
async fn abort_after_finish_keeps_the_value() {
    let h = goro::go(async { 3 });
    while !h.is_finished() {
        goro::yield_now().await;
    }
    h.abort();
    assert_eq!(h.await.unwrap(), 3);
}

#[goro::test]
async fn handled_panic_yields_join_error_with_payload() {
    let h = goro::go(async {
        if true {
            panic!("boom {}", 7);
        }
    });
    let err = h.await.unwrap_err();
    assert!(err.is_panic());
    assert_eq!(err.panic_message(), Some("boom 7"));
    assert_eq!(err.to_string(), "goroutine panicked: boom 7");
    // The worker survived: more goroutines still run.
    assert_eq!(goro::go(async { 1 }).await.unwrap(), 1);
}

#[test]
fn num_goroutine_counts_live_goroutines() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        rt.block_on(async {
            assert_eq!(goro::num_goroutine(), 1, "main counts, as in Go");
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let rx = Arc::new(std::sync::Mutex::new(rx));
            let hs: Vec<_> = (0..10)
                .map(|_| {
                    let rx = rx.clone();
                    goro::blocking(move || rx.lock().unwrap().recv().ok())
                })
                .map(|b| goro::go(async move { b.await.unwrap() }))
                .collect();
            assert_eq!(goro::num_goroutine(), 11);
            for _ in 0..10 {
                tx.send(()).unwrap();
            }
            for h in hs {
                h.await.unwrap();
            }
            assert_eq!(goro::num_goroutine(), 1);
        });
        assert_eq!(rt.block_on(async { goro::num_goroutine() }), 1);
    });
}

#[test]
fn yield_now_alternates_on_one_processor() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let spawn = |name: char| {
            let log = log.clone();
            rt.go(async move {
                for _ in 0..5 {
                    log.lock().unwrap().push(name);
                    goro::yield_now().await;
                }
            })
        };
        let (a, b) = (spawn('a'), spawn('b'));
        rt.block_on(async {
            a.await.unwrap();
            b.await.unwrap();
        });
        let log: String = log.lock().unwrap().iter().collect();
        assert_eq!(log, "ababababab");
    });
}

// Shutdown finds parked goroutines through the registry, which the
// measurement-only build without `diagnostics` leaves out (registry.rs).
#[cfg(feature = "diagnostics")]
#[test]
fn dropping_a_runtime_drops_its_parked_goroutines() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        let dropped = Arc::new(AtomicUsize::new(0));
        struct OnDrop(Arc<AtomicUsize>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let hs: Vec<_> = (0..10)
            .map(|_| {
                let guard = OnDrop(dropped.clone());
                rt.go(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await;
                })
            })
            .collect();
        rt.block_on(goro::yield_now());
        drop(rt);
        assert_eq!(dropped.load(Ordering::SeqCst), 10);
        for h in hs {
            assert!(h.join_blocking().unwrap_err().is_aborted());
        }
    });
}

/// Two goroutines handing a message back and forth keep waking each other
/// into `runnext`; a third goroutine queued behind them must still run.
#[test]
fn runnext_ping_pong_does_not_starve_the_local_queue() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        let ran = rt.block_on(async {
            goro::go(async {
                let (to_b, from_a) = goro::chan::<u32>(0);
                let (to_a, from_b) = goro::chan::<u32>(0);
                let ponger = goro::go(async move {
                    while let Some(v) = from_a.recv().await {
                        if to_a.send(v).await.is_err() {
                            break;
                        }
                    }
                });
                let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let starving = {
                    let flag = flag.clone();
                    goro::go(async move { flag.store(true, Ordering::SeqCst) })
                };
                let mut rounds = 0;
                while !flag.load(Ordering::SeqCst) && rounds < 100_000 {
                    to_b.send(rounds).await.unwrap();
                    assert_eq!(from_b.recv().await, Some(rounds));
                    rounds += 1;
                }
                drop(to_b);
                ponger.await.unwrap();
                starving.await.unwrap();
                flag.load(Ordering::SeqCst) && rounds < 100_000
            })
            .await
            .unwrap()
        });
        assert!(ran, "the queued goroutine starved behind the ping-pong");
    });
}

/// A detached goroutine's output whose destructor panics: the panic is
/// reported, and the single worker lives on.
#[test]
fn a_panicking_output_destructor_does_not_kill_the_worker() {
    support::within(Duration::from_secs(30), || {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("bomb");
            }
        }
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.block_on(async {
            drop(goro::go(async { Bomb }));
            for _ in 0..10 {
                goro::yield_now().await;
            }
            assert_eq!(goro::go(async { 1 }).await.unwrap(), 1);
        });
    });
}
