//! Ports of Go's `sync` tests (go/src/sync/*_test.go), each citing its source.

use goro::sync::{Cond, Mutex, Once, OnceLock, RwLock, WaitGroup};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

// Ported from go/src/sync/waitgroup_test.go: TestWaitGroup (testWaitGroup).
#[goro::test]
async fn wait_group_two_phases() {
    let n = 16;
    let (wg1, wg2) = (Arc::new(WaitGroup::new()), Arc::new(WaitGroup::new()));
    let exited = Arc::new(AtomicUsize::new(0));
    wg1.add(n);
    wg2.add(n);
    for _ in 0..n {
        let (wg1, wg2, exited) = (wg1.clone(), wg2.clone(), exited.clone());
        goro::go(async move {
            wg1.done();
            wg2.wait().await;
            exited.fetch_add(1, Ordering::SeqCst);
        });
    }
    wg1.wait().await;
    for i in 0..n {
        assert_eq!(exited.load(Ordering::SeqCst), 0, "WaitGroup released group too soon");
        let _ = i;
        wg2.done();
    }
    while exited.load(Ordering::SeqCst) != n as usize {
        goro::yield_now().await;
    }
}

// Ported from go/src/sync/waitgroup_test.go: TestWaitGroupMisuse.
#[test]
fn wait_group_negative_counter_panics() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    let err = std::panic::catch_unwind(|| wg.done()).unwrap_err();
    let msg = err.downcast_ref::<&str>().copied().unwrap_or_default();
    assert_eq!(msg, "goro::sync: negative WaitGroup counter");
}

// Ported from go/src/sync/waitgroup_test.go: TestWaitGroupGo (Go 1.25).
#[goro::test]
async fn wait_group_go() {
    let wg = WaitGroup::new();
    let n = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let n = n.clone();
        wg.go(async move {
            n.fetch_add(1, Ordering::SeqCst);
        });
    }
    wg.wait().await;
    assert_eq!(n.load(Ordering::SeqCst), 100);
}

// Ported from go/src/sync/mutex_test.go: TestMutex (HammerMutex).
#[goro::test]
async fn mutex_hammer() {
    let m = Arc::new(Mutex::new(0u64));
    let wg = WaitGroup::new();
    for i in 0..10 {
        let m = m.clone();
        wg.go(async move {
            for j in 0..1000 {
                if (i + j) % 3 == 0 {
                    if let Some(mut g) = m.try_lock() {
                        *g += 1;
                        continue;
                    }
                }
                *m.lock().await += 1;
            }
        });
    }
    wg.wait().await;
    assert_eq!(*m.lock().await, 10_000);
}

// Ported from go/src/sync/mutex_test.go: TestMutexFairness. One goroutine
// holds the lock almost always; another must still get it 10 times within
// 10 s thanks to starvation mode.
#[goro::test(timeout_secs = 30)]
async fn mutex_fairness() {
    let m = Arc::new(Mutex::new(()));
    let stop = Arc::new(AtomicBool::new(false));
    let hog = {
        let (m, stop) = (m.clone(), stop.clone());
        goro::go(async move {
            while !stop.load(Ordering::SeqCst) {
                let g = m.lock().await;
                let t = Instant::now();
                while t.elapsed() < Duration::from_micros(100) {
                    std::hint::spin_loop();
                }
                drop(g);
                goro::yield_now().await;
            }
        })
    };
    let starved = {
        let m = m.clone();
        goro::go(async move {
            for _ in 0..10 {
                goro::time::sleep(Duration::from_micros(100)).await;
                drop(m.lock().await);
            }
        })
    };
    let r = goro::time::timeout(Duration::from_secs(10), starved).await;
    stop.store(true, Ordering::SeqCst);
    hog.await.unwrap();
    assert!(r.is_ok(), "can't acquire Mutex in 10 seconds");
}

// Ported from go/src/sync/mutex_test.go: TestMutexMisuse has no analogue
// (guards make double unlock impossible); this checks lock_blocking from
// plain threads instead, as HammerMutex does with goroutines.
#[test]
fn mutex_blocking_threads() {
    support::within(Duration::from_secs(30), || {
        let m = Arc::new(Mutex::new(0u64));
        let ts: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || (0..10_000).for_each(|_| *m.lock_blocking() += 1))
            })
            .collect();
        ts.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(*m.lock_blocking(), 40_000);
    });
}

// Ported from go/src/sync/rwmutex_test.go: TestParallelReaders
// (doTestParallelReaders): every reader must hold the lock at once.
#[goro::test]
async fn rwmutex_parallel_readers() {
    let n = 4;
    let l = Arc::new(RwLock::new(()));
    let (held, release) = (Arc::new(WaitGroup::new()), Arc::new(WaitGroup::new()));
    held.add(n);
    release.add(1);
    let wg = WaitGroup::new();
    for _ in 0..n {
        let (l, held, release) = (l.clone(), held.clone(), release.clone());
        wg.go(async move {
            let _g = l.read().await;
            held.done();
            release.wait().await;
        });
    }
    held.wait().await;
    assert!(l.try_write().is_none());
    release.done();
    wg.wait().await;
    assert!(l.try_write().is_some());
}

// Ported from go/src/sync/rwmutex_test.go: TestRWMutex (HammerRWMutex): an
// activity counter proves readers never overlap a writer.
#[goro::test]
async fn rwmutex_hammer() {
    let l = Arc::new(RwLock::new(()));
    let activity = Arc::new(AtomicI32::new(0));
    let wg = WaitGroup::new();
    for i in 0..10 {
        let (l, activity) = (l.clone(), activity.clone());
        wg.go(async move {
            for _ in 0..500 {
                if i % 3 == 0 {
                    let _g = l.write().await;
                    let n = activity.fetch_add(10000, Ordering::SeqCst);
                    assert_eq!(n, 0, "writer overlaps: {n}");
                    goro::yield_now().await;
                    activity.fetch_sub(10000, Ordering::SeqCst);
                } else {
                    let _g = l.read().await;
                    let n = activity.fetch_add(1, Ordering::SeqCst);
                    assert!(n < 10000, "reader overlaps a writer: {n}");
                    goro::yield_now().await;
                    activity.fetch_sub(1, Ordering::SeqCst);
                }
            }
        });
    }
    wg.wait().await;
}

// Ported from go/src/sync/rwmutex_test.go: TestRLocker's writer preference
// part: a waiting writer blocks new readers.
#[goro::test]
async fn rwmutex_writer_preference() {
    let l = Arc::new(RwLock::new(0));
    let r1 = l.read().await;
    let w = {
        let l = l.clone();
        goro::go(async move { *l.write().await = 1 })
    };
    while l.try_read().is_some() {
        goro::yield_now().await; // until the writer has queued
    }
    drop(r1);
    w.await.unwrap();
    assert_eq!(*l.read().await, 1);
}

// Ported from go/src/sync/once_test.go: TestOnce.
#[goro::test]
async fn once_runs_once() {
    let once = Arc::new(Once::new());
    let n = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    for _ in 0..10 {
        let (once, n) = (once.clone(), n.clone());
        wg.go(async move {
            once.call(|| {
                n.fetch_add(1, Ordering::SeqCst);
            })
            .await;
            assert_eq!(n.load(Ordering::SeqCst), 1, "once failed inside run");
        });
    }
    wg.wait().await;
    assert_eq!(n.load(Ordering::SeqCst), 1);
}

// Ported from go/src/sync/once_test.go: TestOncePanic. A panic counts as done.
#[test]
fn once_panic_counts_as_done() {
    let once = Once::new();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        once.call_blocking(|| panic!("failed"));
    }));
    assert!(r.is_err(), "Once.Do did not panic");
    once.call_blocking(|| panic!("Once.Do called twice"));
    assert!(once.is_completed());
}

// Ported from go/src/sync/oncefunc_test.go: TestOnceValue and
// TestOnceXGoexit/panic: the value is computed once; a panic repeats.
#[test]
fn once_lock_value_and_panic() {
    let calls = AtomicUsize::new(0);
    let v = OnceLock::new();
    for _ in 0..3 {
        assert_eq!(*v.get_or_init_blocking(|| calls.fetch_add(1, Ordering::SeqCst) + 42), 42);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let p: OnceLock<u8> = OnceLock::new();
    for _ in 0..2 {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            p.get_or_init_blocking(|| panic!("x"));
        }));
        assert!(r.is_err(), "OnceValue must panic on every call");
    }
}

// Ported from go/src/sync/cond_test.go: TestCondSignal.
#[goro::test]
async fn cond_signal() {
    let m = Arc::new(Mutex::new(0usize));
    let c = Arc::new(Cond::new());
    let n = 2usize;
    let running = Arc::new(WaitGroup::new());
    let awake = Arc::new(AtomicUsize::new(0));
    running.add(n as i64);
    for _ in 0..n {
        let (m, c, running, awake) = (m.clone(), c.clone(), running.clone(), awake.clone());
        goro::go(async move {
            let g = m.lock().await;
            running.done();
            let _g = c.wait(g).await;
            awake.fetch_add(1, Ordering::SeqCst);
        });
    }
    running.wait().await;
    for i in 0..n {
        drop(m.lock().await); // every waiter has queued before releasing the lock
        c.signal();
        while awake.load(Ordering::SeqCst) < i + 1 {
            goro::yield_now().await;
        }
        assert_eq!(awake.load(Ordering::SeqCst), i + 1, "too many goroutines awake");
    }
    c.signal();
}

// Ported from go/src/sync/cond_test.go: TestCondSignalOldest / TestCondFIFO:
// signal wakes waiters in the order they waited.
#[goro::test]
async fn cond_signal_fifo() {
    let m = Arc::new(Mutex::new(Vec::new()));
    let c = Arc::new(Cond::new());
    let queued = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    for i in 0..5 {
        while queued.load(Ordering::SeqCst) != i {
            goro::yield_now().await;
        }
        let (m2, c2, q2) = (m.clone(), c.clone(), queued.clone());
        wg.go(async move {
            let g = m2.lock().await;
            q2.fetch_add(1, Ordering::SeqCst);
            let mut g = c2.wait(g).await;
            g.push(i);
        });
        while queued.load(Ordering::SeqCst) != i + 1 {
            goro::yield_now().await;
        }
        drop(m.lock().await); // waiter i has queued on c
    }
    for i in 0..5 {
        c.signal();
        while m.lock().await.len() != i + 1 {
            goro::yield_now().await;
        }
    }
    wg.wait().await;
    assert_eq!(*m.lock().await, [0, 1, 2, 3, 4]);
}

// Ported from go/src/sync/cond_test.go: TestCondBroadcast.
#[goro::test]
async fn cond_broadcast() {
    let m = Arc::new(Mutex::new(()));
    let c = Arc::new(Cond::new());
    let running = Arc::new(WaitGroup::new());
    let wg = WaitGroup::new();
    running.add(10);
    for _ in 0..10 {
        let (m, c, running) = (m.clone(), c.clone(), running.clone());
        wg.go(async move {
            let g = m.lock().await;
            running.done();
            drop(c.wait(g).await);
        });
    }
    running.wait().await;
    drop(m.lock().await);
    c.broadcast();
    wg.wait().await;
}
