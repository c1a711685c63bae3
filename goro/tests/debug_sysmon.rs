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

/// Pins the calling thread to `cpu` (`None`: every CPU) and sets its policy.
#[cfg(target_os = "linux")]
fn pin(cpu: Option<usize>, policy: libc::c_int) {
    // SAFETY: a zeroed cpu_set_t is the empty set; CPU_SET writes in bounds
    // for any cpu below CPU_SETSIZE; both calls take pointers to locals.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for c in 0..libc::CPU_SETSIZE as usize {
            if cpu.is_none_or(|only| only == c) {
                libc::CPU_SET(c, &mut set);
            }
        }
        assert_eq!(libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set), 0);
        let param = libc::sched_param { sched_priority: 0 };
        assert_eq!(libc::sched_setscheduler(0, policy, &param), 0);
    }
}

/// The calling thread's time on a CPU and run-queue wait so far (Linux's
/// schedstat).
#[cfg(target_os = "linux")]
fn schedstat() -> (Duration, Duration) {
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).unwrap();
    let field =
        |i: usize| Duration::from_nanos(stat.split_whitespace().nth(i).unwrap().parse().unwrap());
    (field(0), field(1))
}

/// The first CPU this thread may run on.
#[cfg(target_os = "linux")]
fn first_allowed_cpu() -> usize {
    // SAFETY: sched_getaffinity fills the set it is given; CPU_ISSET reads
    // in bounds for any cpu below CPU_SETSIZE.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        assert_eq!(libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set), 0);
        (0..libc::CPU_SETSIZE as usize).find(|&c| libc::CPU_ISSET(c, &set)).unwrap()
    }
}

/// A poll that lasts long only because the OS does not run its worker (an
/// overloaded machine) is handed off but not blamed on its goroutine. A
/// busy thread holds one CPU for 400 ms; the goroutine demotes its worker
/// to `SCHED_IDLE` and moves it onto that CPU, where it barely runs, then
/// waits for the busy thread (a goroutine that got the CPU would be done
/// at once). The spinning and sleeping goroutines above are still blamed.
#[cfg(target_os = "linux")]
#[test]
fn a_goroutine_whose_worker_the_os_does_not_run_is_not_blamed() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    support::within(Duration::from_secs(30), || {
        let cpu = first_allowed_cpu();
        let (started, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (s, d) = (started.clone(), done.clone());
        let hog = std::thread::spawn(move || {
            pin(Some(cpu), libc::SCHED_OTHER);
            s.store(true, Ordering::Release);
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(400) {
                std::hint::spin_loop();
            }
            d.store(true, Ordering::Release);
        });
        while !started.load(Ordering::Acquire) {
            std::thread::yield_now();
        }
        let rt = goro::Runtime::builder().procs(2).build().unwrap();
        let (id, poll, waited) = rt.block_on(async move {
            let h = goro::go_named("starved", async move {
                let (start, (cpu0, wait0)) = (Instant::now(), schedstat());
                pin(None, libc::SCHED_IDLE);
                pin(Some(cpu), libc::SCHED_IDLE);
                while !done.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
                let (poll, (cpu, wait)) = (start.elapsed(), schedstat());
                pin(None, libc::SCHED_OTHER);
                (poll, cpu - cpu0, wait - wait0)
            });
            let id = h.id();
            let (poll, ran, waited) = h.await.unwrap();
            (id, poll, (ran, waited))
        });
        hog.join().unwrap();
        // The case was built: a long poll, mostly spent waiting for a CPU.
        assert!(poll >= Duration::from_millis(100), "{poll:?}");
        let (ran, waited) = waited;
        assert!(waited * 4 > poll * 3, "waited {waited:?} of {poll:?}");
        let blamed: Vec<_> =
            goro::debug::blocking_reports().into_iter().filter(|r| r.goroutine == id).collect();
        assert!(blamed.is_empty(), "ran {ran:?}, waited {waited:?}, poll {poll:?}: {blamed:?}");
    });
}
