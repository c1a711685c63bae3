//! Cancel safety of goro::sync: dropping a pending wait never leaks the
//! lock, a hand-off, a permit or a signal; plus the other primitives'
//! behaviour from plain threads and in other places Go's tests do not reach.

use goro::sync::{Cond, Map, Mutex, RwLock, Semaphore, WaitGroup};
use goro::time::timeout;
use std::sync::Arc;
use std::time::Duration;

mod support;

/// Long enough that a pending future has surely parked; only used as a
/// timeout that is expected to expire (never as synchronisation).
const SHORT: Duration = Duration::from_millis(5);

#[goro::test]
async fn dropped_mutex_lock_leaks_nothing() {
    let m = Mutex::new(0);
    let g = m.lock().await;
    assert!(timeout(SHORT, m.lock()).await.is_err(), "the lock is held");
    drop(g);
    *m.try_lock().expect("no stale waiter may hold or block the lock") += 1;
    assert_eq!(*m.lock().await, 1);
}

#[goro::test]
async fn mutex_handoff_to_dropped_waiter_is_passed_on() {
    // Many waiters time out while the lock is held and handed around; the
    // lock must end up free.
    let m = Arc::new(Mutex::new(0u32));
    let wg = WaitGroup::new();
    for i in 0..50u64 {
        let m = m.clone();
        wg.go(async move {
            for _ in 0..20 {
                if let Ok(mut g) = timeout(Duration::from_micros(50 + i), m.lock()).await {
                    *g += 1;
                    goro::yield_now().await;
                }
            }
        });
    }
    wg.wait().await;
    assert!(m.try_lock().is_some(), "the lock leaked");
}

#[goro::test]
async fn dropped_rwlock_writer_admits_readers() {
    let l = RwLock::new(());
    let r = l.read().await;
    // A waiting writer blocks new readers...
    let mut w = Box::pin(l.write());
    assert!(timeout(SHORT, &mut w).await.is_err());
    assert!(l.try_read().is_none(), "writer preference");
    // ...until it gives up.
    drop(w);
    assert!(l.try_read().is_some(), "the cancelled writer still blocks readers");
    drop(r);
    assert!(l.try_write().is_some());
}

#[goro::test]
async fn cond_signal_to_dropped_waiter_is_passed_on() {
    let m = Arc::new(Mutex::new(false));
    let c = Arc::new(Cond::new());
    let g = m.lock().await;
    let mut first = Box::pin(c.wait(g));
    assert!(timeout(SHORT, &mut first).await.is_err(), "first waiter parks");
    let second = {
        let (m, c) = (m.clone(), c.clone());
        goro::go(async move {
            let mut g = m.lock().await;
            *g = true; // "I am about to wait"
            drop(c.wait(g).await);
        })
    };
    // The flag is set under the lock and the lock is released only inside
    // `wait`, after queueing: once we see it free with the flag, it queued.
    loop {
        if let Some(g) = m.try_lock() {
            if *g {
                break;
            }
        }
        goro::yield_now().await;
    }
    c.signal(); // goes to `first`, the oldest...
    drop(first); // ...which leaves without using it: it must pass it on.
    timeout(Duration::from_secs(10), second).await.expect("the signal was lost").unwrap();
}

#[test]
fn semaphore_and_waitgroup_on_threads() {
    support::within(Duration::from_secs(30), || {
        let sem = Arc::new(Semaphore::new(2));
        let wg = Arc::new(WaitGroup::new());
        wg.add(4);
        for _ in 0..4 {
            let (sem, wg) = (sem.clone(), wg.clone());
            std::thread::spawn(move || {
                let permit = sem.acquire_blocking(1).unwrap();
                drop(permit); // before done(): the wait must see it returned
                wg.done();
            });
        }
        wg.wait_blocking();
        assert_eq!(sem.available(), 2);
    });
}

#[test]
fn map_go_names() {
    let m = Arc::new(Map::new());
    let ts: Vec<_> = (0..4)
        .map(|t| {
            let m = m.clone();
            std::thread::spawn(move || (0..1000).for_each(|i| m.store(t * 1000 + i, i)))
        })
        .collect();
    ts.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(m.len(), 4000);
    assert_eq!(m.swap(5, 50), Some(5));
    assert!(!m.compare_and_swap(5, &5, 6));
    assert!(m.compare_and_delete(&5, &50));
    m.delete(&6);
    let mut n = 0;
    m.range(|_, _| {
        n += 1;
        n < 10
    });
    assert_eq!(n, 10, "range stops when f returns false");
    m.clear();
    assert!(m.is_empty());
}

/// A value that counts the live copies of itself.
struct Counted(Arc<std::sync::atomic::AtomicUsize>);

impl Counted {
    fn new(live: &Arc<std::sync::atomic::AtomicUsize>) -> Counted {
        live.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Counted(live.clone())
    }
}

impl Clone for Counted {
    fn clone(&self) -> Counted {
        Counted::new(&self.0)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

// Replaced and deleted values are reclaimed in batches (512 per thread, or
// one per CPU if more; `sync/map.rs`): memory stays bounded however often
// one key is overwritten, and dropping the map drops every value.
#[test]
fn map_reclaims_replaced_values_in_batches() {
    let live = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let m = Map::new();
    for i in 0..20_000 {
        m.store(i % 10, Counted::new(&live));
        if i % 1000 == 999 {
            m.delete(&(i % 10));
        }
    }
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let bound = 10 + 2 * 512.max(cpus); // the map's ten, a full batch and one filling
    let now = live.load(std::sync::atomic::Ordering::Relaxed);
    assert!(now <= bound, "{now} values alive after 20,000 stores (bound {bound})");
    let m2 = Map::with_hasher(std::hash::RandomState::new());
    m2.store("k", Counted::new(&live));
    assert!(m2.load(&"k").is_some());
    drop((m, m2));
    assert_eq!(live.load(std::sync::atomic::Ordering::Relaxed), 0, "dropping the maps drops all");
}
