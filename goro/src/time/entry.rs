//! One pending timer: a deadline, a waker slot, and whether it fired or was
//! cancelled. Shared (`Arc`) by the `Sleep` that owns it and the heap that
//! will fire it.
//!
//! A cancelled entry stays in its heap until it comes up or the heap sweeps
//! (Go's lazy timer deletion); it just no longer wakes anybody.

use crate::loom::atomic::{AtomicU8, Ordering};
use crate::runtime::goroutine::atomic_waker::AtomicWaker;
use std::task::Waker;

/// Waiting for its deadline.
const PENDING: u8 = 0;
/// The heap fired it.
const FIRED: u8 = 1;
/// Its `Sleep` was dropped first.
const CANCELLED: u8 = 2;

/// Timers registered and neither fired nor cancelled, in every runtime: the
/// deadlock detector's "something will still wake up" counter.
static ACTIVE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Timers pending now, process-wide.
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) fn active_timers() -> usize {
    ACTIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// A registered timer.
pub(crate) struct Entry {
    /// When it fires, in clock nanos.
    pub(crate) deadline: u64,
    /// `PENDING`, `FIRED` or `CANCELLED`.
    state: AtomicU8,
    /// Whom to wake.
    waker: AtomicWaker,
}

impl Entry {
    /// A pending entry for `deadline`.
    pub(crate) fn new(deadline: u64) -> Self {
        ACTIVE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Entry { deadline, state: AtomicU8::new(PENDING), waker: AtomicWaker::new() }
    }

    /// Sets whom to wake.
    pub(crate) fn register(&self, waker: &Waker) {
        self.waker.register(waker);
    }

    /// Whether it fired (Acquire: pairs with `fire`).
    pub(crate) fn fired(&self) -> bool {
        self.state.load(Ordering::Acquire) == FIRED
    }

    /// Whether it was cancelled.
    pub(crate) fn cancelled(&self) -> bool {
        self.state.load(Ordering::Relaxed) == CANCELLED
    }

    /// Its deadline passed: mark it fired and take its waker, unless it was
    /// cancelled.
    pub(crate) fn fire(&self) -> Option<Waker> {
        // AcqRel: publish FIRED before the wake; see a racing cancel.
        let won = self.state.compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire);
        won.ok().and_then(|_| {
            ACTIVE.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            self.waker.take()
        })
    }

    /// Its heap is going away (runtime shutdown): cancel it and wake its
    /// `Sleep`, which re-registers wherever it is polled next.
    pub(crate) fn abandon(&self) {
        self.cancel();
        self.waker.wake();
    }

    /// Its `Sleep` is gone.
    pub(crate) fn cancel(&self) {
        let won =
            self.state.compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Relaxed);
        if won.is_ok() {
            ACTIVE.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("deadline", &self.deadline).finish_non_exhaustive()
    }
}
