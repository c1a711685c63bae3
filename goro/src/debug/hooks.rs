//! The calls the runtime makes into diagnostics, one per event, so that
//! runtime code stays one line per hook. Each is a few relaxed operations
//! on this thread's own counters plus the trace's one-load check; with the
//! `diagnostics` feature off they compile to nothing.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

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

/// A poll of goroutine `id` begins on this thread.
#[inline]
pub(crate) fn poll_begin(id: u64) {
    trace::event::run(id);
}

/// The poll of goroutine `id` ended; `parked` tells how. A poll that
/// finished (or panicked) drops any park record it left (a future that said
/// why it would wait, then completed after all): the next goroutine polled
/// on this thread must not be charged with it.
#[inline]
pub(crate) fn poll_end(id: u64, parked: Option<Option<crate::runtime::WaitReason>>) {
    match parked {
        Some(reason) => trace::event::park(id, reason),
        None => {
            let _ = crate::runtime::current::take_park_reason();
            trace::event::end(id)
        }
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
