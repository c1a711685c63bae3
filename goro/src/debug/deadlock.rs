//! Whole-program deadlock detection: Go's `checkdead`, "fatal error: all
//! goroutines are asleep - deadlock!", exit status 2.
//!
//! ## The rule (sound: never a false positive)
//!
//! The monitor (`sysmon.rs`) takes a [`Sample`] every 100 ms. A sample
//! exists only when, at that moment:
//! 1. detection is on (`GORO_DEADLOCK`, [`super::set_deadlock_detection`]);
//! 2. every live goroutine is parked, at least one exists, and none waits
//!    for a signal or I/O (the outside world may deliver those);
//! 3. no runtime has a runnable or running goroutine, a pending timer, or a
//!    blocking-pool job running or queued; no timer is pending anywhere;
//! 4. at least one thread runs `block_on` (a main goroutine), and every
//!    other thread of the process is one of goro's own (`threads.rs`): no
//!    foreign thread exists that could hold a `Sender`, a lock, or be inside
//!    a `_blocking` call;
//! 5. every thread but the monitor sleeps in the kernel (Linux state `S`):
//!    none is between taking work off a counter and delivering its wake-up
//!    (a timer fired but its waker not yet called, a blocking job popped
//!    but not yet counted in flight), since such a thread is running or
//!    preempted (`R`), not asleep.
//!
//! If two samples in a row are equal (same goroutines, same park times,
//! same scheduling ticks, no spawn in between), the program is declared
//! dead. Why that is sound: under 2–5 the only threads are goro's, each of
//! which acts only on behalf of a running goroutine, a timer or a blocking
//! job; there are none, and no thread is midway through delivering one's
//! wake-up; so nothing can ever change state again. Taking
//! two equal samples rules out a wake in flight while the first was read:
//! any wake makes a goroutine runnable, runs it, and re-parks it with a new
//! park time, or leaves it runnable.
//!
//! The cost of soundness: a program with any foreign thread alive (a test
//! harness, a thread pool of another library) is never declared dead, and
//! detection needs Linux's `/proc` to list threads. Elsewhere (macOS, the
//! BSDs) the detector is compiled in but never samples: it stays silent,
//! [`super::deadlock_detection_supported`] says so, and the partial report
//! (`graph.rs`), which needs no thread list, still works.

use super::threads;
use super::view::{goroutines, State};
use crate::runtime::scheduler::runtimes;
use crate::runtime::WaitReason;

/// The facts two consecutive checks must agree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sample {
    /// `(id, park time)` of every goroutine.
    parked: Vec<(u64, std::time::Instant)>,
    /// Sum of every processor's scheduling tick.
    ticks: u64,
    /// Goroutines ever spawned.
    spawned: u64,
}

/// A sample, if the program looks dead right now.
pub(crate) fn sample() -> Option<Sample> {
    // Without a thread list no sample can ever pass: skip the registry walk.
    if !threads::CAN_LIST || !super::config::deadlock_detection() || !runtime_idle() {
        return None;
    }
    // The cheap rules first (a counter, a /proc listing of the threads): the
    // registry walk is O(goroutines) and a program may park millions.
    if threads::block_on_threads() == 0 {
        return None;
    }
    let census = threads::census()?;
    if census.foreign != 0 || census.awake != 0 {
        return None;
    }
    let parked = all_parked()?;
    let ticks =
        runtimes().iter().map(|rt| (0..rt.procs()).map(|p| rt.sched_tick(p)).sum::<u64>()).sum();
    Some(Sample { parked, ticks, spawned: crate::trace::buffer_totals().0 })
}

/// Rule 3: nothing queued, running, timed or in the blocking pool.
fn runtime_idle() -> bool {
    if crate::time::pending_timers() != 0 || crate::time::fallback_timers() != 0 {
        return false;
    }
    runtimes().iter().all(|rt| {
        let c = rt.counters();
        c.runnable + c.running + c.timers + c.blocking_in_flight + c.blocking_queued == 0
    })
}

/// Rule 2: every goroutine parked on something only goroutines can end.
fn all_parked() -> Option<Vec<(u64, std::time::Instant)>> {
    let gs = goroutines();
    let mut out = Vec::with_capacity(gs.len());
    for g in &gs {
        match g.state {
            State::Parked { reason: WaitReason::SignalWait | WaitReason::IoWait, .. } => {
                return None
            }
            State::Parked { since, .. } => out.push((g.id, since)),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The report Go prints, followed by the dump.
pub(crate) fn report() -> String {
    format!("fatal error: all goroutines are asleep - deadlock!\n\n{}", super::dump())
}

/// Tracks consecutive samples; the monitor calls [`Detector::check`].
#[derive(Default)]
pub(crate) struct Detector {
    /// The previous check's sample.
    last: Option<Sample>,
}

impl Detector {
    /// Takes a sample; if it equals the previous one, prints the report and
    /// exits with status 2.
    pub(crate) fn check(&mut self) {
        let now = sample();
        if now.is_some() && now == self.last {
            eprint!("{}", report());
            std::process::exit(2);
        }
        self.last = now;
    }
}
