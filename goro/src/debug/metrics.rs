//! [`metrics`]: counters a program or an HTTP debug endpoint can export
//! (Go's `runtime.NumGoroutine`, `runtime/metrics`).

use crate::runtime::scheduler::runtimes;
use crate::runtime::WaitReason;
use std::collections::BTreeMap;

/// A snapshot of the runtime's counters, over every runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Goroutines spawned and not finished (Go's `NumGoroutine`, without
    /// `block_on` main goroutines).
    pub goroutines: usize,
    /// Goroutines spawned since the process started.
    pub spawned: u64,
    /// Goroutines in run queues.
    pub runnable: usize,
    /// Parked goroutines by wait reason (main goroutines included).
    pub parked: BTreeMap<WaitReason, usize>,
    /// Successful work steals.
    pub steals: u64,
    /// Processors handed off by the monitor because a poll blocked its worker.
    pub handoffs: u64,
    /// Processors, over every runtime.
    pub procs: usize,
    /// Blocking-pool threads alive.
    pub blocking_threads: usize,
    /// Blocking-pool jobs running.
    pub blocking_in_flight: usize,
    /// Timers pending.
    pub timers: usize,
}

/// The counters now. `goroutines`, `runnable`, `procs`, `blocking_*` and
/// `timers` work without the `diagnostics` feature; the rest need it.
pub fn metrics() -> Metrics {
    let mut m = Metrics::default();
    for rt in runtimes() {
        let c = rt.counters();
        m.goroutines += c.goroutines;
        m.runnable += c.runnable;
        m.procs += rt.procs();
        m.blocking_threads += rt.blocking.threads();
        m.blocking_in_flight += c.blocking_in_flight;
    }
    m.timers = crate::time::pending_timers();
    for g in super::goroutines() {
        if let Some(r) = g.wait_reason() {
            *m.parked.entry(r).or_default() += 1;
        }
    }
    (m.spawned, m.steals) = crate::trace::buffer_totals();
    m.handoffs = super::sysmon::handoffs();
    m
}
