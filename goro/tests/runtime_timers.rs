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

/// What `fire_all` saw: timers in the order their wakers ran, and sleeps
/// already over at a poll (their deadline passed before the sleep ever
/// registered a timer: a first poll that comes late on a loaded machine).
struct Fired {
    /// `(index, woken at)` in wake order.
    woken: Vec<(usize, Instant)>,
    /// `(index, seen ready at)` for sleeps that completed without a wake.
    ready: Vec<(usize, Instant)>,
}

/// Registers `sleeps` with recording wakers, then waits until every sleep
/// either woke its recorder or completed when polled.
async fn fire_all(mut sleeps: Vec<goro::time::Sleep>) -> Fired {
    let log = Arc::new(Mutex::new(Vec::new()));
    let recorders: Vec<_> = (0..sleeps.len())
        .map(|index| Arc::new(Recorder { index, log: log.clone(), owner: Mutex::new(None) }))
        .collect();
    let mut ready = Vec::new();
    std::future::poll_fn(|cx| {
        for r in &recorders {
            *r.owner.lock().unwrap() = Some(cx.waker().clone());
        }
        for (s, r) in sleeps.iter_mut().zip(&recorders) {
            let waker = Waker::from(r.clone());
            let done = Pin::new(s).poll(&mut Context::from_waker(&waker)).is_ready();
            if done && !ready.iter().any(|&(i, _)| i == r.index) {
                ready.push((r.index, Instant::now()));
            }
        }
        // A sleep may be seen over at a poll and its timer's wake logged a
        // moment later: count each sleep once.
        let woken = log.lock().unwrap().clone();
        let over = |i: usize| woken.iter().chain(&ready).any(|&(j, _)| i == j);
        if (0..sleeps.len()).all(over) {
            return Poll::Ready(());
        }
        Poll::Pending
    })
    .await;
    let woken = log.lock().unwrap().clone();
    ready.retain(|&(i, _)| !woken.iter().any(|&(j, _)| i == j));
    Fired { woken, ready }
}

/// Deadlines 2..=40 ms from `base`, in a scrambled order.
fn scrambled_deadlines(base: Instant) -> Vec<Instant> {
    (0..20u64).map(|i| base + Duration::from_millis(2 + (i * 7) % 20 * 2)).collect()
}

/// Checks that the timers fired in deadline order, that nothing completed
/// early, and that every sleep completed once.
fn check_order(deadlines: &[Instant], fired: &Fired) {
    assert_eq!(fired.woken.len() + fired.ready.len(), deadlines.len());
    for w in fired.woken.windows(2) {
        assert!(
            deadlines[w[0].0] <= deadlines[w[1].0],
            "fired out of deadline order: {:?}",
            fired.woken
        );
    }
    for &(i, at) in fired.woken.iter().chain(&fired.ready) {
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
        // `block_on` polls on this plain thread (`run` would poll on a
        // processor): the sleeps go to the fallback timer thread.
        let fired = goro::block_on(fire_all(sleeps));
        check_order(&deadlines, &fired);
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

/// Wakes a plain thread parked in `poll_on_this_thread`.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A minimal foreign executor: polls `fut` on this thread, parking between
/// polls. Nothing of goro's runtime is involved.
fn poll_on_this_thread<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

#[test]
fn sleep_and_timeout_work_under_a_foreign_executor() {
    support::within(Duration::from_secs(30), || {
        let start = Instant::now();
        poll_on_this_thread(goro::time::sleep(Duration::from_millis(15)));
        assert!(start.elapsed() >= Duration::from_millis(15));
        let r = poll_on_this_thread(goro::time::timeout(
            Duration::from_millis(5),
            std::future::pending::<()>(),
        ));
        assert!(r.is_err());
    });
}

#[test]
fn a_sleep_outlives_the_runtime_that_registered_it() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        let mut sleep = Box::pin(goro::time::sleep(Duration::from_millis(20)));
        // Registered on the runtime's processor by a poll on its worker...
        let sleep = rt
            .block_on(async move {
                goro::go(async move {
                    assert!(sleep
                        .as_mut()
                        .poll(&mut Context::from_waker(Waker::noop()))
                        .is_pending());
                    Some(sleep) // (not the bare future: clippy's async_yields_async)
                })
                .await
                .unwrap()
            })
            .unwrap();
        drop(rt);
        // ...it still completes after that runtime is gone.
        poll_on_this_thread(sleep);
    });
}
