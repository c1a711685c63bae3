//! The calls the runtime makes into diagnostics, one per event, so that
//! runtime code stays one line per hook. Each is a few relaxed operations
//! on this thread's own counters plus the trace's one-load check; with the
//! `diagnostics` feature off they compile to nothing.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use crate::runtime::goroutine::meta::Meta;
use crate::trace;

/// A runtime started: start the monitor and the SIGQUIT handler.
pub(crate) fn runtime_started() {
    super::config::load_env();
    super::sysmon::ensure_started();
    super::sigquit::install();
}

/// The calling thread's kernel thread id (0 where unknown).
pub(crate) fn this_os_thread() -> i32 {
    super::schedstat::this_thread()
}

/// Goroutine `id` was spawned by `parent`.
#[inline]
pub(crate) fn spawned(id: u64, parent: u64) {
    trace::count_spawn();
    trace::event::spawn(id, parent);
}

/// A poll of goroutine `id` begins on this thread; returns whether a trace
/// records, read once for the poll's begin and end events.
#[inline]
pub(crate) fn poll_begin(id: u64) -> bool {
    let tracing = trace::recording();
    if tracing {
        trace::event::run(id);
    }
    tracing
}

/// The poll of goroutine `meta` ended with `Pending`. A poll that did not
/// say why (`current::will_park_on` records the park when it does) records
/// `Unknown`, unless `notified()` (a yield, or woken during the poll: it is
/// not parking).
#[inline]
pub(crate) fn parked(meta: &Meta, tracing: bool, notified: impl FnOnce() -> bool) {
    let said = crate::runtime::current::take_said();
    if !said && !notified() {
        meta.record_park_unknown();
    }
    if tracing {
        trace::event::park(meta.id, said.then(|| meta.park_reason()));
    }
}

/// The poll of goroutine `id` finished (or panicked). It drops any park
/// note it left (a future that said why it would wait, then completed after
/// all): the next goroutine polled on this thread must not inherit it.
#[inline]
pub(crate) fn finished(id: u64, tracing: bool) {
    let _ = crate::runtime::current::take_said();
    if tracing {
        trace::event::end(id);
    }
}

/// Goroutine `id` was woken.
#[inline]
pub(crate) fn woken(id: u64) {
    trace::event::unpark(id);
}

/// This worker stole from processor `victim`.
#[inline]
pub(crate) fn stole(victim: usize) {
    trace::event::steal(victim);
}
