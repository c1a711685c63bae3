//! A waker slot that one party fills and another empties, without a lock:
//! the join handle's waker, and a timer's.
//!
//! ## Algorithm
//!
//! A small state word guards the cell: `REGISTERING` while the registering
//! side writes the waker, `WAKING` once the waking side has asked for it.
//! A wake that arrives during a registration sets `WAKING`; the registrar
//! notices when it tries to finish and wakes the new waker itself. So a
//! wake is never lost: either the waker sees the registered waker, or the
//! registrar sees the wake. The idea is the `AtomicWaker` of the
//! futures-rs project, rewritten here to keep dependencies few.
//!
//! Contract: at most one thread registers at a time (the owner of the
//! future); any number may wake.

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::UnsafeCell;
use std::task::Waker;

/// Nobody touches the cell.
const WAITING: usize = 0;
/// The registrar is writing the cell.
const REGISTERING: usize = 0b01;
/// A waker has taken, or is taking, the cell.
const WAKING: usize = 0b10;

/// A slot for the waker of whoever waits.
pub(crate) struct AtomicWaker {
    /// `WAITING`, `REGISTERING`, `WAKING`, or both of the last two.
    state: AtomicUsize,
    /// The registered waker; accessed by whoever moved `state` off `WAITING`.
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cell is only touched by the party that won the state word, so
// sharing the slot is sound; Waker is Send + Sync.
unsafe impl Sync for AtomicWaker {}
// SAFETY: Waker is Send.
unsafe impl Send for AtomicWaker {}

impl AtomicWaker {
    /// An empty slot.
    pub(crate) fn new() -> Self {
        AtomicWaker { state: AtomicUsize::new(WAITING), waker: UnsafeCell::new(None) }
    }

    /// Stores `waker` to be woken by the next [`wake`](Self::wake). If a
    /// wake races with this call, `waker` is woken at once.
    pub(crate) fn register(&self, waker: &Waker) {
        // Acquire: see the previous registrar's and waker's cell writes.
        match self.state.compare_exchange(
            WAITING,
            REGISTERING,
            Ordering::Acquire,
            Ordering::Acquire,
        ) {
            Ok(_) => self.finish_register(waker),
            Err(WAKING) => waker.wake_by_ref(), // a wake is in progress: it may miss us
            Err(_) => {}                        // concurrent registrars: contract broken, stay safe
        }
    }

    /// Writes the cell, then leaves `REGISTERING`, handling a racing wake.
    fn finish_register(&self, waker: &Waker) {
        // SAFETY: we own the cell while REGISTERING is ours.
        self.waker.with_mut(|cell| unsafe {
            match &mut *cell {
                Some(old) if old.will_wake(waker) => {}
                slot => *slot = Some(waker.clone()),
            }
        });
        // AcqRel: publish the cell write; on failure acquire the waker's state.
        let done =
            self.state.compare_exchange(REGISTERING, WAITING, Ordering::AcqRel, Ordering::Acquire);
        if done.is_err() {
            // A wake came in (state is REGISTERING | WAKING): it could not take
            // the cell, so we take it and wake it ourselves.
            // SAFETY: still ours: the waker side backs off while REGISTERING is set.
            let w = self.waker.with_mut(|cell| unsafe { (*cell).take() });
            self.state.swap(WAITING, Ordering::AcqRel); // releases the cell for the next round
            if let Some(w) = w {
                w.wake();
            }
        }
    }

    /// Takes the registered waker, if no registration is in progress.
    pub(crate) fn take(&self) -> Option<Waker> {
        // AcqRel: acquire the registrar's cell write; publish our claim.
        match self.state.fetch_or(WAKING, Ordering::AcqRel) {
            WAITING => {
                // SAFETY: we moved the state off WAITING, so the cell is ours.
                let w = self.waker.with_mut(|cell| unsafe { (*cell).take() });
                self.state.fetch_and(!WAKING, Ordering::Release); // hands the cell back
                w
            }
            _ => None, // the registrar will see WAKING and wake; or another waker is at it
        }
    }

    /// Wakes the registered waker, if any.
    pub(crate) fn wake(&self) {
        if let Some(w) = self.take() {
            w.wake();
        }
    }
}

impl std::fmt::Debug for AtomicWaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AtomicWaker")
    }
}
