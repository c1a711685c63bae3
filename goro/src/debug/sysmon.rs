//! The monitor thread, Go's `sysmon`: finds workers stuck in one poll,
//! hands their processors' queued goroutines to other workers, reports the
//! culprit once, and runs the deadlock detector. Every loop also ticks the
//! clock that park timestamps read (`time::clock::tick`), so that parking
//! reads no clock.
//!
//! ## Blocking detection (Go's `retake`)
//!
//! Every `threshold / 2` (at least 1 ms, at most 10 ms) the monitor reads
//! each processor's scheduling tick (`Shared::sched_tick`, odd while a poll
//! runs). The same odd tick seen since at least `threshold` ago means one
//! poll has held the worker that long: the monitor calls
//! `Shared::handoff(p)` (queued goroutines and `runnext` to the global
//! queue, timers to the fallback timer thread, a sleeping worker woken), and
//! repeats it at every sample while the poll lasts, because the stuck poll
//! may wake more goroutines onto its `runnext`. The culprit is the goroutine
//! that processor's worker said it polls (`Processor::running`, stored
//! before the tick turns odd), reported once per
//! stuck poll, with id, name, spawn site and duration. A report can also
//! mean the OS did not run that worker thread for the threshold (an
//! overloaded machine); the hand-off is right in that case too.
//!
//! goro keeps one worker thread per processor, so the hand-off gives the
//! work to the *other* workers. When every processor is stuck (always so
//! with `procs(1)`), the runtime gets a rescue thread that runs the handed-off
//! goroutines until a processor makes progress again, as Go starts a new M
//! for a handed-off P (`runtime/scheduler/rescue.rs`).

use super::deadlock::Detector;
use crate::runtime::scheduler::{runtimes, Shared};
use std::collections::HashMap;
use std::panic::Location;
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// How often the deadlock detector runs.
const DEADLOCK_PERIOD: Duration = Duration::from_millis(100);

/// A worker found stuck in one poll.
#[derive(Clone, Debug)]
pub struct BlockingReport {
    /// The goroutine that held the worker (0 if unknown).
    pub goroutine: u64,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Where it was spawned, if known.
    pub spawned_at: Option<&'static Location<'static>>,
    /// The processor it held.
    pub processor: usize,
    /// How long the poll lasted (so far, if it still runs).
    pub blocked_for: Duration,
}

/// Every report so far.
static REPORTS: Mutex<Vec<BlockingReport>> = Mutex::new(Vec::new());
/// Processors handed off so far (one per stuck poll).
static HANDOFFS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The blocking reports so far, oldest first.
pub fn blocking_reports() -> Vec<BlockingReport> {
    REPORTS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Stuck polls handed off so far.
pub(crate) fn handoffs() -> u64 {
    HANDOFFS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Starts the monitor thread, once per process.
pub(crate) fn ensure_started() {
    static START: Once = Once::new();
    START.call_once(|| {
        let spawned = std::thread::Builder::new().name("goro-sysmon".into()).spawn(run);
        if let Err(e) = spawned {
            eprintln!("goro::debug: cannot start the monitor thread: {e}");
        }
    });
}

/// One processor's last sample.
struct Watch {
    /// The tick read.
    tick: u64,
    /// When that tick was first seen.
    since: Instant,
    /// The index of this stuck poll's report, once made.
    report: Option<usize>,
}

/// The monitor's loop.
fn run() {
    let mut watches: HashMap<(u64, usize), Watch> = HashMap::new();
    let mut detector = Detector::default();
    let mut last_deadlock_check = Instant::now();
    loop {
        crate::time::clock::tick(); // the park timestamps' clock
        let threshold = super::config::blocking_threshold();
        let period = threshold.map_or(Duration::from_millis(10), |t| t / 2);
        std::thread::sleep(period.clamp(Duration::from_millis(1), Duration::from_millis(10)));
        crate::time::clock::tick();
        if let Some(t) = threshold {
            for rt in runtimes() {
                watch_runtime(&rt, t, &mut watches);
            }
        }
        if last_deadlock_check.elapsed() >= DEADLOCK_PERIOD {
            last_deadlock_check = Instant::now();
            detector.check();
            // Frees the memory registry entries pin for goroutines freed
            // since (only when enough were: registry.rs).
            crate::runtime::goroutine::registry::sweep_if_worthwhile();
        }
    }
}

/// Samples every processor of `rt`; if every one is stuck, the runtime
/// gets a rescue thread (Go's `startm` for a handed-off P).
fn watch_runtime(
    rt: &Arc<Shared>,
    threshold: Duration,
    watches: &mut HashMap<(u64, usize), Watch>,
) {
    let now = Instant::now();
    let mut stuck = 0;
    for p in 0..rt.procs() {
        let tick = rt.sched_tick(p);
        let w = watches.entry((rt.id(), p)).or_insert(Watch { tick, since: now, report: None });
        if w.tick != tick {
            finish(w, now);
            *w = Watch { tick, since: now, report: None };
            continue;
        }
        if tick % 2 == 1 && now - w.since >= threshold {
            stuck += 1;
            rt.handoff(p);
            if w.report.is_none() {
                w.report = report(rt, p, now - w.since);
            }
        }
    }
    rt.set_all_stuck(stuck == rt.procs());
}

/// A stuck poll ended: record its full duration.
fn finish(w: &Watch, now: Instant) {
    if let Some(i) = w.report {
        if let Some(r) = REPORTS.lock().unwrap_or_else(|e| e.into_inner()).get_mut(i) {
            r.blocked_for = now - w.since;
        }
    }
}

/// Reports the goroutine stuck on processor `p` of `rt`; returns the
/// report's index. With `diagnostics` on, a stuck tick with no goroutine
/// polled is the worker's own bookkeeping held up by the OS (an overloaded
/// machine), not a goroutine's fault: handed off, but not reported.
fn report(rt: &Shared, p: usize, so_far: Duration) -> Option<usize> {
    HANDOFFS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let g = culprit(rt, p);
    crate::trace::event::handoff(p, g);
    if g == 0 && cfg!(feature = "diagnostics") {
        return None;
    }
    let (name, spawned_at) = identify(g);
    let r = BlockingReport { goroutine: g, name, spawned_at, processor: p, blocked_for: so_far };
    eprintln!("{}", describe(&r));
    let mut reports = REPORTS.lock().unwrap_or_else(|e| e.into_inner());
    reports.push(r);
    Some(reports.len() - 1)
}

/// Goroutine `g`'s name and spawn site, if it is listed. One registry
/// lookup, not a snapshot: a worker is typically stuck while its goroutine
/// spawns a great many others (a million in `park_1m`), and copying out
/// every record to find one took the monitor's core for tens of ms.
fn identify(g: u64) -> (Option<String>, Option<&'static Location<'static>>) {
    let mut found = (None, None);
    crate::runtime::goroutine::registry::with_goroutine(g, |m| {
        found = (m.name(), Some(m.spawned_at));
    });
    found
}

/// The goroutine processor `p` of runtime `rt` is polling (0: unknown
/// without the diagnostics feature).
fn culprit(rt: &Shared, p: usize) -> u64 {
    #[cfg(feature = "diagnostics")]
    return rt.running(p);
    #[cfg(not(feature = "diagnostics"))]
    {
        let _ = (rt, p);
        0
    }
}

/// The one-line report.
fn describe(r: &BlockingReport) -> String {
    if r.goroutine == 0 {
        return format!(
            "goro: a goroutine (unknown without the diagnostics feature) has blocked worker {} \
             for {:?} in one poll; its queued goroutines were handed to other workers",
            r.processor, r.blocked_for
        );
    }
    let name = r.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
    let site = r.spawned_at.map(|s| format!(", spawned at {s},")).unwrap_or_default();
    format!(
        "goro: goroutine {}{name}{site} has blocked worker {} for {:?} in one poll; its queued \
         goroutines were handed to other workers (use goro::blocking for blocking calls)",
        r.goroutine, r.processor, r.blocked_for
    )
}
