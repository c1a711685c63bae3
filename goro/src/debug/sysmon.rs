//! The monitor thread, Go's `sysmon`: finds workers stuck in one poll,
//! hands their processors' queued goroutines to other workers, reports the
//! culprit once, wakes a worker for a backlogged run queue
//! (`Shared::wake_for_queued`), and runs the deadlock detector. Every loop
//! also ticks the clock that park timestamps read (`time::clock::tick`), so
//! that parking reads no clock.
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
//! before the tick turns odd), reported once per stuck poll, with id, name,
//! spawn site and duration. A worker thread that the OS left waiting for a
//! CPU looks the same; the monitor tells the two apart by the thread's OS
//! state and CPU time (`schedstat.rs`) and blames the goroutine unless,
//! since the poll was first seen still running, the OS kept its thread off
//! the CPU (Linux; elsewhere every stuck poll is blamed). The hand-off
//! happens in both cases.
//!
//! goro keeps one worker thread per processor, so the hand-off gives the
//! work to the *other* workers. When every processor is stuck (always so
//! with `procs(1)`), the runtime gets a rescue thread that runs the handed-off
//! goroutines until a processor makes progress again, as Go starts a new M
//! for a handed-off P (`runtime/scheduler/rescue.rs`).

use super::deadlock::Detector;
use super::schedstat::Sample;
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
    /// The goroutine of this poll, once found stuck (handed off).
    stuck: Option<Culprit>,
    /// The index of this stuck poll's report, once made.
    report: Option<usize>,
    /// When the judgement window opened, and the worker thread's OS state
    /// then (`schedstat.rs`): at the first sample that saw this poll still
    /// running; the window runs from there to the latest sample.
    window: Option<(Instant, Sample)>,
}

impl Watch {
    /// Tick `tick`, first seen `now`.
    fn new(tick: u64, now: Instant) -> Self {
        Watch { tick, since: now, stuck: None, report: None, window: None }
    }
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
        for rt in runtimes() {
            if let Some(t) = threshold {
                watch_runtime(&rt, t, &mut watches);
            }
            rt.wake_for_queued(); // work left queued by wake-ups (worker.rs `push_local`)
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
        let w = watches.entry((rt.id(), p)).or_insert(Watch::new(tick, now));
        if w.tick != tick {
            finish(rt, p, w, now);
            *w = Watch::new(tick, now);
            continue;
        }
        if tick % 2 == 0 {
            continue;
        }
        let over = now - w.since >= threshold;
        // The OS is asked (two small file reads) only while it matters: the
        // same poll seen twice opens the window; past the threshold, each
        // sample until a report is made judges it.
        let os = if w.window.is_none() || (over && w.report.is_none()) {
            os_sample(rt, p)
        } else {
            None
        };
        if w.window.is_none() {
            w.window = os.map(|s| (now, s));
        }
        if over {
            stuck += 1;
            rt.handoff(p);
            let culprit = w.stuck.get_or_insert_with(|| handed_off(rt, p));
            if w.report.is_none() && blame(w.window, os, now, threshold) {
                w.report = report(culprit, p, now - w.since);
            }
        }
    }
    rt.set_all_stuck(stuck == rt.procs());
}

/// What the OS says about processor `p`'s worker thread now (`None` where
/// unknown).
fn os_sample(rt: &Shared, p: usize) -> Option<Sample> {
    #[cfg(feature = "diagnostics")]
    return super::schedstat::sample(rt.os_thread(p));
    #[cfg(not(feature = "diagnostics"))]
    {
        let _ = (rt, p);
        None
    }
}

/// Whether to blame the goroutine for its stuck poll now, given the window
/// and the thread's OS state `now_os` at `now` (`schedstat.rs`): yes if
/// nothing is known, if the thread is blocked in a call, or if the OS let
/// it run (at least half of `threshold` in all, an eighth of the window).
fn blame(
    window: Option<(Instant, Sample)>,
    now_os: Option<Sample>,
    now: Instant,
    threshold: Duration,
) -> bool {
    let (Some((opened, then)), Some(now_os)) = (window, now_os) else { return true };
    let span = now.saturating_duration_since(opened);
    !super::schedstat::held_up_by_os(then, now_os, span, threshold / 2)
}

/// The poll on processor `p` ended: a report gets its full duration; a
/// stuck poll not yet blamed is judged over its whole window.
fn finish(rt: &Shared, p: usize, w: &mut Watch, now: Instant) {
    if let (Some(culprit), None) = (&w.stuck, w.report) {
        // What the thread does now is not the ended poll's doing: judge by
        // its CPU time alone.
        let os = os_sample(rt, p).map(|s| Sample { runnable: true, ..s });
        let threshold = super::config::blocking_threshold().unwrap_or_default();
        if blame(w.window, os, now, threshold) {
            w.report = report(culprit, p, now - w.since);
        }
    }
    if let Some(i) = w.report {
        if let Some(r) = REPORTS.lock().unwrap_or_else(|e| e.into_inner()).get_mut(i) {
            r.blocked_for = now - w.since;
        }
    }
}

/// The goroutine of a stuck poll, identified while it still runs (a report
/// may come after it finished).
struct Culprit {
    /// Its id (0 if unknown).
    g: u64,
    /// Its name, if any.
    name: Option<String>,
    /// Where it was spawned, if known.
    spawned_at: Option<&'static Location<'static>>,
}

/// Processor `p` of `rt` was found stuck and handed off: counts it, traces
/// it, and identifies the goroutine it polls.
fn handed_off(rt: &Shared, p: usize) -> Culprit {
    HANDOFFS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let g = culprit(rt, p);
    crate::trace::event::handoff(p, g);
    let (name, spawned_at) = identify(g);
    Culprit { g, name, spawned_at }
}

/// Reports `c`, stuck on processor `p` for `so_far`; returns the report's
/// index. With `diagnostics` on, every odd tick has its goroutine (stored
/// before the tick), so a culprit of 0 would be a worker that never polled:
/// handed off, not reported. Without them the culprit is unknown (0) and
/// reported as such.
fn report(c: &Culprit, p: usize, so_far: Duration) -> Option<usize> {
    if c.g == 0 && cfg!(feature = "diagnostics") {
        return None;
    }
    let (goroutine, name, spawned_at) = (c.g, c.name.clone(), c.spawned_at);
    let r = BlockingReport { goroutine, name, spawned_at, processor: p, blocked_for: so_far };
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
