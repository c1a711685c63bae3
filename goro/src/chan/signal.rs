//! The done token and wake-up of one waiting operation: Go's `sudog.g` plus
//! the per-select `selectDone` flag, in one object shared by every case.
//!
//! A [`Signal`] is created when an operation (a single send or receive, or a
//! whole `select!`) has to wait. Its `state` starts at [`WAITING`] and moves
//! exactly once, by compare-and-swap:
//!
//! - to `case + FIRST_CASE` by the counterpart that completes case `case`
//!   (a sender, a receiver, or `close`), or by the waiter itself when one of
//!   its future cases is ready;
//! - to [`ABORTED`] by the waiter when it gives up (timeout, drop, or a case
//!   found ready while registering).
//!
//! Invariant: whoever wins the CAS owns the decision; every other party that
//! holds an entry for this signal must treat the entry as stale. This is the
//! token that makes "exactly one case completes" true (see `README.md`).

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Arc, Mutex};
use std::sync::PoisonError;
use std::task::Waker;

/// Nobody has decided yet.
const WAITING: usize = 0;
/// The waiter gave up; no case completed.
const ABORTED: usize = 1;
/// `state - FIRST_CASE` is the index of the case that completed.
const FIRST_CASE: usize = 2;

/// A waiting operation's done token and the waker to call when it is decided.
#[derive(Debug)]
pub struct Signal {
    /// `WAITING`, `ABORTED`, or `FIRST_CASE + case`.
    state: AtomicUsize,
    /// Who to wake once `state` leaves `WAITING`; taken by the winner.
    waker: Mutex<Option<Waker>>,
}

impl Signal {
    /// A fresh undecided signal that will wake `waker`.
    pub(crate) fn new(waker: &Waker) -> Arc<Self> {
        Arc::new(Signal {
            state: AtomicUsize::new(WAITING),
            waker: Mutex::new(Some(waker.clone())),
        })
    }

    /// Claims the signal for `case`; false if it was already decided.
    pub(crate) fn try_select(&self, case: usize) -> bool {
        // AcqRel: release the slot write made before the claim to the waiter,
        // and acquire the waiter's registration.
        self.state
            .compare_exchange(WAITING, FIRST_CASE + case, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Gives up waiting; false if a case was selected first.
    pub(crate) fn try_abort(&self) -> bool {
        // Acquire on failure: the winner's slot write must be visible to us.
        self.state.compare_exchange(WAITING, ABORTED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// The selected case, once decided (None while waiting or if aborted).
    pub(crate) fn selected(&self) -> Option<usize> {
        let s = self.state.load(Ordering::Acquire); // pairs with try_select's release
        s.checked_sub(FIRST_CASE)
    }

    /// True while no one has decided.
    pub(crate) fn is_waiting(&self) -> bool {
        self.state.load(Ordering::Acquire) == WAITING // see the latest registration
    }

    /// Makes the next wake-up go to `waker` (a re-poll may bring a new one).
    pub(crate) fn set_waker(&self, waker: &Waker) {
        let mut w = self.waker.lock().unwrap_or_else(PoisonError::into_inner);
        if !w.as_ref().is_some_and(|old| old.will_wake(waker)) {
            *w = Some(waker.clone());
        }
    }

    /// Wakes the waiter; called once by whoever won [`Signal::try_select`].
    pub(crate) fn wake(&self) {
        let w = self.waker.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(w) = w {
            w.wake();
        }
    }
}

/// Where a waiting case's value travels: the receiver's destination or the
/// sender's source (Go's `sudog.elem`).
///
/// Only two parties ever touch a slot: the counterpart that popped its entry
/// (under the channel lock), and the waiter after the signal was decided. The
/// mutex makes that safe without `unsafe`; it is never contended in practice.
pub(crate) type Slot<T> = Mutex<Option<T>>;

/// Takes the value out of a slot.
pub(crate) fn take<T>(slot: &Slot<T>) -> Option<T> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Puts a value into a slot, returning what was there.
pub(crate) fn put<T>(slot: &Slot<T>, v: T) -> Option<T> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).replace(v)
}
