//! `goro::debug::deadlocks`: cycles of parked goroutines found while the
//! rest of the program runs (lock-order inversions, channel cycles, joins),
//! and no report for healthy programs (a ping-pong pair, waits on running
//! goroutines).
//!
//! Tests in this binary run in parallel and `deadlocks()` sees them all, so
//! each test looks only at the goroutines it spawned.
// Reads the registry, which the `diagnostics` feature provides.
#![cfg(feature = "diagnostics")]

use goro::debug::{deadlocks, Deadlock};
use goro::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Polls `deadlocks()` (yielding between calls) until one cycle is exactly
/// `ids` (sorted); fails after 20 s.
async fn cycle_of(ids: &[u64]) -> Deadlock {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(d) = deadlocks().into_iter().find(|d| d.ids() == ids) {
            return d;
        }
        assert!(Instant::now() < deadline, "no cycle {ids:?} reported");
        goro::yield_now().await;
    }
}

/// Goroutines that keep running: a counter loop, until `stop`.
fn busy(stop: &Arc<AtomicBool>, count: &Arc<AtomicU64>) -> goro::JoinHandle<()> {
    let (stop, count) = (stop.clone(), count.clone());
    goro::go(async move {
        while !stop.load(Ordering::Relaxed) {
            count.fetch_add(1, Ordering::Relaxed);
            goro::yield_now().await;
        }
    })
}

/// A ping-pong pair over two unbuffered channels, until `stop`; returns
/// both handles.
fn ping_pong(stop: &Arc<AtomicBool>) -> [goro::JoinHandle<()>; 2] {
    let (ping_tx, ping_rx) = goro::chan::<u64>(0);
    let (pong_tx, pong_rx) = goro::chan::<u64>(0);
    let stop = stop.clone();
    let a = goro::go(async move {
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            ping_tx.send(i).await.unwrap();
            i = pong_rx.recv().await.unwrap() + 1;
        }
    });
    let b = goro::go(async move {
        while let Some(v) = ping_rx.recv().await {
            if pong_tx.send(v).await.is_err() {
                break;
            }
        }
    });
    [a, b]
}

/// A goroutine that locks `first`, says so on `has`, waits until the other
/// holds its first lock (`other_has`), then locks `second`: two of these in
/// opposite orders deadlock.
fn lock_both(
    name: &str,
    [first, second]: [Arc<Mutex<()>>; 2],
    has: goro::chan::Sender<()>,
    other_has: goro::chan::Receiver<()>,
) -> goro::JoinHandle<()> {
    goro::go_named(name, async move {
        let _g1 = first.lock().await;
        has.send(()).await.unwrap();
        other_has.recv().await;
        let _g2 = second.lock().await; // the other holds it, waiting for ours
    })
}

#[goro::test(timeout_secs = 60)]
async fn a_lock_order_cycle_is_reported_while_others_run() {
    let (m1, m2) = (Arc::new(Mutex::new(())), Arc::new(Mutex::new(())));
    let (stop, count) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let spinner = busy(&stop, &count);
    let pair = ping_pong(&stop);
    let (a_has, a_has_rx) = goro::chan::<()>(1);
    let (b_has, b_has_rx) = goro::chan::<()>(1);
    let a = lock_both("a", [m1.clone(), m2.clone()], a_has, b_has_rx);
    let b = lock_both("b", [m2.clone(), m1.clone()], b_has, a_has_rx);
    let mut ids = [a.id(), b.id()];
    ids.sort_unstable();
    let before = count.load(Ordering::Relaxed);
    let d = cycle_of(&ids).await;

    let addr = |m: &Arc<Mutex<()>>| Arc::as_ptr(m) as u64;
    let edge_of = |w: u64| *d.edges.iter().find(|e| e.waiter == w).expect("an edge per member");
    assert_eq!((edge_of(a.id()).waits_for, edge_of(a.id()).object), (b.id(), addr(&m2)));
    assert_eq!((edge_of(b.id()).waits_for, edge_of(b.id()).object), (a.id(), addr(&m1)));
    let text = d.to_string();
    let line = format!(
        "\tgoroutine {} [sync.Mutex.Lock] waits for goroutine {} (holds sync.Mutex {:#x})",
        a.id(),
        b.id(),
        addr(&m2)
    );
    assert!(text.contains(&line), "{text}");
    assert!(text.contains("\tname: a\n") && text.contains("debug_partial_deadlock.rs"), "{text}");

    // The rest of the program ran meanwhile, and the ping-pong pair was
    // never reported.
    assert!(deadlocks().iter().all(|d| !d.ids().contains(&pair[0].id())));
    while count.load(Ordering::Relaxed) == before {
        goro::yield_now().await;
    }
    a.abort(); // drops A's guard of m1: B takes it and finishes
    assert!(a.await.unwrap_err().is_aborted());
    b.await.unwrap();
    stop.store(true, Ordering::Relaxed);
    spinner.await.unwrap();
    for h in pair {
        h.await.unwrap();
    }
}

#[goro::test(timeout_secs = 60)]
async fn a_channel_cycle_is_reported() {
    // A receives on c1, whose only sender B last used; B receives on c2,
    // whose only sender A last used.
    let (tx1, rx1) = goro::chan::<u32>(1);
    let (tx2, rx2) = goro::chan::<u32>(1);
    let a = goro::go(async move {
        tx2.send(1).await.unwrap();
        rx1.recv().await;
        rx1.recv().await // B never sends again
    });
    let b = goro::go(async move {
        tx1.send(1).await.unwrap();
        rx2.recv().await;
        rx2.recv().await // A never sends again
    });
    let mut ids = [a.id(), b.id()];
    ids.sort_unstable();
    let d = cycle_of(&ids).await;
    let text = d.to_string();
    let line = format!(
        "\tgoroutine {} [chan receive] waits for goroutine {} (last sender on chan 0x",
        a.id(),
        b.id()
    );
    assert!(text.contains(&line), "{text}");
    a.abort(); // drops tx2: c2 closes and B's receive ends
    assert!(a.await.unwrap_err().is_aborted());
    assert_eq!(b.await.unwrap(), None);
}

#[goro::test(timeout_secs = 60)]
async fn a_join_under_a_lock_the_child_needs_is_a_cycle() {
    let m = Arc::new(Mutex::new(0));
    let (done, done_rx) = goro::chan::<()>(0);
    let (child_id, child_id_rx) = goro::chan::<u64>(1);
    let parent = goro::go(async move {
        let _g = m.lock().await;
        let m2 = m.clone();
        let child = goro::go(async move {
            *m2.lock().await += 1; // held by the parent, which joins us
            drop(done);
        });
        child_id.send(child.id()).await.unwrap();
        child.await.unwrap();
    });
    let child = child_id_rx.recv().await.unwrap();
    let mut ids = [parent.id(), child];
    ids.sort_unstable();
    let text = cycle_of(&ids).await.to_string();
    let join = format!("\tgoroutine {} [join] waits for goroutine {child} (joins it)", parent.id());
    assert!(text.contains(&join), "{text}");
    parent.abort(); // drops the guard (and the handle): the child finishes
    assert!(parent.await.unwrap_err().is_aborted());
    assert_eq!(done_rx.recv().await, None);
}

#[goro::test(timeout_secs = 60)]
async fn healthy_programs_are_not_reported() {
    let stop = Arc::new(AtomicBool::new(false));
    let pair = ping_pong(&stop);
    // A receiver whose only sender keeps running (yielding, never sending),
    // and a locker whose lock's holder keeps running.
    let (tx, rx) = goro::chan::<()>(0);
    let receiver = goro::go(async move { rx.recv().await });
    let m = Arc::new(Mutex::new(()));
    let (held, held_rx) = goro::chan::<()>(1);
    let (stop2, m2) = (stop.clone(), m.clone());
    let holder = goro::go(async move {
        let _g = m2.lock().await;
        held.send(()).await.unwrap();
        while !stop2.load(Ordering::Relaxed) {
            goro::yield_now().await;
        }
        drop(tx);
    });
    held_rx.recv().await;
    let m3 = m.clone();
    let locker = goro::go(async move { drop(m3.lock().await) });
    let ours = [pair[0].id(), pair[1].id(), receiver.id(), holder.id(), locker.id()];
    let deadline = Instant::now() + Duration::from_millis(500);
    let mut calls = 0;
    while Instant::now() < deadline {
        for d in deadlocks() {
            assert!(d.ids().iter().all(|id| !ours.contains(id)), "false report:\n{d}");
        }
        calls += 1;
        goro::yield_now().await;
    }
    assert!(calls > 10, "{calls}");
    stop.store(true, Ordering::Relaxed);
    for h in pair {
        h.await.unwrap();
    }
    holder.await.unwrap();
    assert_eq!(receiver.await.unwrap(), None);
    locker.await.unwrap();
}
