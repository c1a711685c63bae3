//! The monitor (Go's sysmon): a goroutine that blocks its worker in one poll
//! (a `std::thread::sleep`, a spin loop) is reported once, and its
//! processor's other goroutines are handed to another worker, so 1,000
//! goroutines' timers are not delayed by more than threshold + slack, with
//! one processor too (the rescue thread runs them).
//! (goro's stealing and its firing of busy processors' timers already save
//! those; the third test builds the case only the hand-off saves, and fails
//! with `GORO_BLOCKING_THRESHOLD_MS=5000`.)
// Reads the registry and the hooks, which the `diagnostics` feature provides.
#![cfg(feature = "diagnostics")]

mod support;

use std::future::Future;
use std::time::{Duration, Instant};

/// Slack for scheduling on a loaded 2-core machine; without the hand-off
/// the delay would be most of the blocker's second.
const SLACK: Duration = Duration::from_millis(300);

/// Runs 1,000 timers beside `blocker` on two processors and returns the
/// worst lateness.
fn worst_lateness(name: &'static str, blocker: fn()) -> (Duration, u64) {
    worst_lateness_on(2, name, blocker)
}

/// Runs 1,000 timers beside `blocker` on `procs` processors and returns
/// the worst lateness.
fn worst_lateness_on(procs: usize, name: &'static str, blocker: fn()) -> (Duration, u64) {
    let rt = goro::Runtime::builder().procs(procs).build().unwrap();
    rt.block_on(async move {
        let deadline = Instant::now() + Duration::from_millis(200);
        let timers: Vec<_> = (0..1000)
            .map(|_| {
                goro::go(async move {
                    goro::time::sleep_until(deadline).await;
                    Instant::now().saturating_duration_since(deadline)
                })
            })
            .collect();
        let b = goro::go_named(name, async move { blocker() });
        let id = b.id();
        let mut worst = Duration::ZERO;
        for t in timers {
            worst = worst.max(t.await.unwrap());
        }
        b.await.unwrap();
        (worst, id)
    })
}

/// Checks the report of goroutine `id`.
fn assert_reported(id: u64, name: &str) {
    let reports: Vec<_> =
        goro::debug::blocking_reports().into_iter().filter(|r| r.goroutine == id).collect();
    assert_eq!(reports.len(), 1, "reported once: {reports:?}");
    let r = &reports[0];
    assert_eq!(r.name.as_deref(), Some(name));
    assert!(r.spawned_at.is_some_and(|s| s.file().ends_with("debug_sysmon.rs")), "{r:?}");
    assert!(r.blocked_for >= goro::debug::blocking_threshold().unwrap(), "{r:?}");
    assert!(goro::debug::metrics().handoffs >= 1);
}

#[test]
fn a_sleeping_goroutine_does_not_delay_a_thousand_timers() {
    support::within(Duration::from_secs(60), || {
        let (worst, id) = worst_lateness("sleeper", || std::thread::sleep(Duration::from_secs(1)));
        let limit = goro::debug::blocking_threshold().unwrap() + SLACK;
        assert!(worst < limit, "a timer was {worst:?} late (limit {limit:?})");
        assert_reported(id, "sleeper");
    });
}

/// With one processor there is no other worker to hand the work to: the
/// rescue thread (Go's new M for a handed-off P) runs it.
#[test]
fn with_one_processor_a_sleeping_goroutine_does_not_delay_a_thousand_timers() {
    support::within(Duration::from_secs(60), || {
        let (worst, id) =
            worst_lateness_on(1, "lone-sleeper", || std::thread::sleep(Duration::from_secs(1)));
        let limit = goro::debug::blocking_threshold().unwrap() + SLACK;
        assert!(worst < limit, "a timer was {worst:?} late (limit {limit:?})");
        assert_reported(id, "lone-sleeper");
    });
}

#[test]
fn a_spinning_goroutine_does_not_delay_a_thousand_timers() {
    support::within(Duration::from_secs(60), || {
        let (worst, id) = worst_lateness("spinner", || {
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(1) {
                std::hint::spin_loop();
            }
        });
        let limit = goro::debug::blocking_threshold().unwrap() + SLACK;
        assert!(worst < limit, "a timer was {worst:?} late (limit {limit:?})");
        assert_reported(id, "spinner");
    });
}

/// Records when it is woken.
struct Stamp(std::sync::mpsc::Sender<Instant>);

impl std::task::Wake for Stamp {
    fn wake(self: std::sync::Arc<Self>) {
        let _ = self.0.send(Instant::now());
    }
}

#[test]
fn timers_of_a_blocked_processor_fire_on_time_through_the_hand_off() {
    // The case stealing cannot rescue: 1,000 timers registered on the
    // processor whose worker then blocks, while the other worker sleeps
    // with no timer of its own. Only the hand-off (timers to the fallback
    // thread) fires them before the blocker's second is over.
    support::within(Duration::from_secs(60), || {
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let deadline = Instant::now() + Duration::from_millis(200);
        let b = rt.go(async move {
            let waker = std::task::Waker::from(std::sync::Arc::new(Stamp(tx)));
            let mut cx = std::task::Context::from_waker(&waker);
            let mut sleeps: Vec<_> =
                (0..1000).map(|_| Box::pin(goro::time::sleep_until(deadline))).collect();
            for s in &mut sleeps {
                assert!(s.as_mut().poll(&mut cx).is_pending()); // registers on our processor
            }
            std::thread::sleep(Duration::from_secs(1)); // the blocking call
            drop(sleeps);
        });
        b.join_blocking().unwrap();
        let stamps: Vec<Instant> = rx.try_iter().collect();
        assert_eq!(stamps.len(), 1000, "every timer fired");
        let worst = stamps.iter().map(|t| t.saturating_duration_since(deadline)).max().unwrap();
        let limit = goro::debug::blocking_threshold().unwrap() + SLACK;
        assert!(worst < limit, "a timer was {worst:?} late (limit {limit:?})");
    });
}
