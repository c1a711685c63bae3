//! Timers: never early, deadline order, on workers (per-processor heaps) and
//! off them (the fallback timer thread), and `timeout`.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// A waker that logs which timer woke, when, then wakes the goroutine.
struct Recorder {
    /// Which sleep this waker belongs to.
    index: usize,
    /// `(index, woken at)` in wake order.
    log: Arc<Mutex<Vec<(usize, Instant)>>>,
    /// The goroutine waiting for the log to fill.
    owner: Mutex<Option<Waker>>,
}

impl Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.log.lock().unwrap().push((self.index, Instant::now()));
        if let Some(w) = self.owner.lock().unwrap().take() {
            w.wake();
        }
    }
}

/// Registers `sleeps` with recording wakers, then waits until all fired.
/// Returns the wake log.
async fn fire_all(mut sleeps: Vec<goro::time::Sleep>) -> Vec<(usize, Instant)> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let recorders: Vec<_> = (0..sleeps.len())
        .map(|index| Arc::new(Recorder { index, log: log.clone(), owner: Mutex::new(None) }))
        .collect();
    std::future::poll_fn(|cx| {
        for r in &recorders {
            *r.owner.lock().unwrap() = Some(cx.waker().clone());
        }
        if log.lock().unwrap().len() == sleeps.len() {
            return Poll::Ready(());
        }
        for (s, r) in sleeps.iter_mut().zip(&recorders) {
            let waker = Waker::from(r.clone());
            let _ = Pin::new(s).poll(&mut Context::from_waker(&waker));
        }
        Poll::Pending
    })
    .await;
    let log = log.lock().unwrap().clone();
    log
}

/// Deadlines 2..=40 ms from `base`, in a scrambled order.
fn scrambled_deadlines(base: Instant) -> Vec<Instant> {
    (0..20u64).map(|i| base + Duration::from_millis(2 + (i * 7) % 20 * 2)).collect()
}

/// Checks that `log` is in deadline order and that nothing fired early.
fn check_order(deadlines: &[Instant], log: &[(usize, Instant)]) {
    assert_eq!(log.len(), deadlines.len());
    for w in log.windows(2) {
        assert!(deadlines[w[0].0] <= deadlines[w[1].0], "fired out of deadline order: {log:?}");
    }
    for &(i, at) in log {
        assert!(at >= deadlines[i], "timer {i} fired early");
    }
}

#[goro::test]
async fn per_processor_timers_fire_in_deadline_order_never_early() {
    let log = goro::go(async {
        let deadlines = scrambled_deadlines(Instant::now());
        let sleeps = deadlines.iter().map(|&d| goro::time::sleep_until(d)).collect();
        (deadlines, fire_all(sleeps).await)
    });
    let (deadlines, log) = log.await.unwrap();
    check_order(&deadlines, &log);
}

#[test]
fn fallback_timers_fire_in_deadline_order_never_early() {
    support::within(Duration::from_secs(30), || {
        let deadlines = scrambled_deadlines(Instant::now());
        let sleeps = deadlines.iter().map(|&d| goro::time::sleep_until(d)).collect();
        // `run` polls on this plain thread: the sleeps go to the fallback
        // timer thread.
        let log = goro::run(fire_all(sleeps));
        check_order(&deadlines, &log);
    });
}

#[goro::test]
async fn sleeping_goroutines_wake_in_deadline_order() {
    let order = Arc::new(Mutex::new(Vec::new()));
    let base = Instant::now();
    let hs: Vec<_> = (0..6u64)
        .rev()
        .map(|i| {
            let order = order.clone();
            let at = base + Duration::from_millis(40 * (i + 1));
            goro::go(async move {
                goro::time::sleep_until(at).await;
                assert!(Instant::now() >= at, "woke early");
                order.lock().unwrap().push(i);
            })
        })
        .collect();
    for h in hs {
        h.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4, 5]);
}

#[goro::test]
async fn sleep_never_completes_early() {
    for ms in [0u64, 1, 3, 10, 25] {
        let start = Instant::now();
        goro::go(goro::time::sleep(Duration::from_millis(ms))).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(ms));
    }
}

#[goro::test]
async fn timeout_elapses_and_passes() {
    let start = Instant::now();
    let r = goro::time::timeout(Duration::from_millis(20), std::future::pending::<()>()).await;
    assert!(r.is_err());
    assert_eq!(r.unwrap_err().to_string(), "deadline has elapsed");
    assert!(start.elapsed() >= Duration::from_millis(20));
    let r = goro::time::timeout(Duration::from_secs(30), async { 9 }).await;
    assert_eq!(r, Ok(9));
}

#[goro::test]
async fn many_cancelled_timeouts_do_not_pile_up() {
    goro::go(async {
        for _ in 0..5000 {
            let r = goro::time::timeout(Duration::from_secs(3600), goro::yield_now()).await;
            assert!(r.is_ok());
        }
    })
    .await
    .unwrap();
}

#[test]
fn sleep_works_on_a_plain_thread() {
    support::within(Duration::from_secs(30), || {
        let start = Instant::now();
        goro::run(goro::time::sleep(Duration::from_millis(15)));
        assert!(start.elapsed() >= Duration::from_millis(15));
    });
}
