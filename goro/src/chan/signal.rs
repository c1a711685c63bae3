//! The done token and wake-up of one waiting operation: Go's `sudog.g` plus
//! the per-select `selectDone` flag.
//!
//! A [`Decision`] is created when an operation (a single send or receive, or
//! a whole `select!`) has to wait. It starts at [`WAITING`] and moves exactly
//! once, by compare-and-swap:
//!
//! - to `case + FIRST_CASE` by the counterpart that completes case `case`
//!   (a sender, a receiver, or `close`), or by the waiter itself when one of
//!   its future cases is ready;
//! - to [`ABORTED`] by the waiter when it gives up (timeout, drop, or a case
//!   found ready while registering).
//!
//! Invariant: whoever wins the CAS owns the decision; every other party that
//! holds an entry for this operation must treat the entry as stale. This is
//! the token that makes "exactly one case completes" true (see `README.md`).
//!
//! Two owners, two homes for the waker:
//! - a select's [`Signal`] is shared by cases queued on several channels, so
//!   its waker has a lock of its own, and a counterpart wakes it through a
//!   reference to the signal taken before its claim;
//! - a lone operation's [`Lone`] is queued on one channel only, so that
//!   channel's lock guards its waker: the counterpart takes the waker
//!   *before* its claim and touches the op no more once the claim lands,
//!   which lets the waiter own and free the op with no reference count.

use super::lock::Locked;
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Arc, UnsafeCell};
use std::task::{RawWaker, RawWakerVTable, Waker};

/// Nobody has decided yet.
const WAITING: usize = 0;
/// The waiter gave up; no case completed.
const ABORTED: usize = 1;
/// `state - FIRST_CASE` is the index of the case that completed.
const FIRST_CASE: usize = 2;

/// The decision word of a waiting operation.
#[derive(Debug)]
pub(crate) struct Decision(AtomicUsize);

impl Decision {
    /// Undecided.
    fn new() -> Self {
        Decision(AtomicUsize::new(WAITING))
    }

    /// Claims the decision for `case`; false if it was already decided.
    #[inline]
    pub(crate) fn try_select(&self, case: usize) -> bool {
        // AcqRel: release the slot write made before the claim to the waiter,
        // and acquire the waiter's registration.
        self.0
            .compare_exchange(WAITING, FIRST_CASE + case, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Gives up waiting; false if a case was selected first.
    pub(crate) fn try_abort(&self) -> bool {
        // Acquire on failure: the winner's slot write must be visible to us.
        self.0.compare_exchange(WAITING, ABORTED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// The selected case, once decided (None while waiting or if aborted).
    #[inline]
    pub(crate) fn selected(&self) -> Option<usize> {
        let s = self.0.load(Ordering::Acquire); // pairs with try_select's release
        s.checked_sub(FIRST_CASE)
    }

    /// True while no one has decided.
    pub(crate) fn is_waiting(&self) -> bool {
        self.0.load(Ordering::Acquire) == WAITING // see the latest registration
    }

    /// Undecided again, for an owner that holds the only reference.
    fn reset(&self) {
        // Relaxed: the owner alone sees it; it reaches others only through
        // entries published under a channel lock.
        self.0.store(WAITING, Ordering::Relaxed);
    }
}

/// `slot` made to wake `waker`: left as it is if it already wakes the
/// same task (`will_wake`), else replaced; returns what it replaced.
fn rewaked(slot: &mut Option<Waker>, waker: &Waker) -> Option<Waker> {
    match slot {
        Some(old) if old.will_wake(waker) => None,
        _ => slot.replace(waker.clone()),
    }
}

/// A select's done token and the waker to call when it is decided.
pub struct Signal {
    /// The decision, shared by all the select's cases.
    state: Decision,
    /// Who to wake once `state` leaves `WAITING`; taken by the winner. Under
    /// the channel's kind of lock (`lock.rs`): a waker is cloned or taken
    /// under it and nothing else, and its release is a plain store.
    waker: Locked<Option<Waker>>,
}

impl std::fmt::Debug for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signal").field("state", &self.state).finish_non_exhaustive()
    }
}

impl Signal {
    /// A fresh undecided signal that will wake `waker`, to share (select).
    pub(crate) fn new(waker: &Waker) -> Arc<Self> {
        Arc::new(Signal { state: Decision::new(), waker: Locked::new(Some(waker.clone())) })
    }

    /// The decision.
    pub(crate) fn decision(&self) -> &Decision {
        &self.state
    }

    /// Makes a signal that nobody else references undecided again, waking
    /// `waker` (select's per-thread cache, `select/cache.rs`).
    pub(crate) fn rearm(&self, waker: &Waker) {
        self.state.reset(); // we hold the only reference
        let old = self.waker.with(|w| w.replace(waker.clone()));
        drop(old); // a waker's drop runs outside the lock
    }

    /// Drops the waker of a signal being put aside (select's cache), so
    /// that the cache keeps no goroutine alive.
    pub(crate) fn disarm(&self) {
        let old = self.waker.with(Option::take);
        drop(old);
    }

    /// Claims the signal for `case`; false if it was already decided.
    pub(crate) fn try_select(&self, case: usize) -> bool {
        self.state.try_select(case)
    }

    /// Gives up waiting; false if a case was selected first.
    pub(crate) fn try_abort(&self) -> bool {
        self.state.try_abort()
    }

    /// The selected case, once decided (None while waiting or if aborted).
    pub(crate) fn selected(&self) -> Option<usize> {
        self.state.selected()
    }

    /// True while no one has decided (the select cache's tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn is_waiting(&self) -> bool {
        self.state.is_waiting()
    }

    /// Makes the next wake-up go to `waker` (a re-poll may bring a new one).
    pub(crate) fn set_waker(&self, waker: &Waker) {
        let stale = self.waker.with(|w| rewaked(w, waker));
        drop(stale); // a waker's drop runs outside the lock
    }

    /// The selected case once decided; otherwise makes the next wake-up go
    /// to `waker` and checks again, so a decision made meanwhile is not
    /// missed (a queued operation's or a parked select's re-poll). A waiter
    /// woken by its decider, the usual re-poll, skips the waker's lock.
    #[inline]
    pub(crate) fn selected_or_wake(&self, waker: &Waker) -> Option<usize> {
        if let Some(k) = self.selected() {
            return Some(k);
        }
        self.set_waker(waker);
        self.selected()
    }

    /// Wakes the waiter; called once by whoever won [`Signal::try_select`].
    pub(crate) fn wake(&self) {
        let w = self.waker.with(Option::take);
        if let Some(w) = w {
            w.wake();
        }
    }

    /// A `Waker` that owns this reference and runs [`Signal::wake`]: what a
    /// counterpart that decided a select case keeps until it unlocks, so
    /// that a wake-up is one type for lone operations and selects.
    pub(crate) fn into_waker(this: Arc<Self>) -> Waker {
        let p = Arc::into_raw(this).cast::<()>();
        // SAFETY: `p` owns one count of an `Arc<Signal>` (`into_raw`), as
        // every function of `SIGNAL_WAKER` expects (see there).
        unsafe { Waker::from_raw(RawWaker::new(p, &SIGNAL_WAKER)) }
    }
}

/// The vtable of [`Signal::into_waker`]: the data pointer is an
/// `Arc<Signal>` from `Arc::into_raw`, owning one count. (std's `Wake`
/// needs `std::sync::Arc`; under loom the signal's `Arc` is loom's.)
static SIGNAL_WAKER: RawWakerVTable =
    RawWakerVTable::new(signal_clone, signal_wake, signal_wake_by_ref, signal_drop);

/// Clones a signal waker: one more count.
unsafe fn signal_clone(p: *const ()) -> RawWaker {
    // SAFETY: `p` owns a count (the vtable's contract), so the signal is
    // alive; the new count is the clone's.
    unsafe { Arc::increment_strong_count(p.cast::<Signal>()) };
    RawWaker::new(p, &SIGNAL_WAKER)
}

/// Wakes a signal waker, consuming its count.
unsafe fn signal_wake(p: *const ()) {
    // SAFETY: `p` owns a count, which this consumes.
    unsafe { Arc::from_raw(p.cast::<Signal>()) }.wake();
}

/// Wakes a signal waker, keeping its count.
unsafe fn signal_wake_by_ref(p: *const ()) {
    // SAFETY: `p` owns a count, so the signal is alive for this call.
    unsafe { &*p.cast::<Signal>() }.wake();
}

/// Drops a signal waker's count.
unsafe fn signal_drop(p: *const ()) {
    // SAFETY: `p` owns a count, which this releases.
    drop(unsafe { Arc::from_raw(p.cast::<Signal>()) });
}

/// A lone send's or receive's done token: its decision and its waker,
/// which the lock of the one channel where it waits guards (see the
/// module docs).
pub(crate) struct Lone {
    /// The decision (case 0 only).
    state: Decision,
    /// Who to wake (none while a thread watches the decision itself): set
    /// by the waiter, taken by the counterpart before its claim, both
    /// under the channel lock only.
    waker: UnsafeCell<Option<Waker>>,
}

impl Lone {
    /// A fresh undecided token that will wake `waker`; with `None`, its
    /// waiter watches the decision itself until it sets one (a plain
    /// thread's first wait, `park.rs`).
    pub(crate) fn new(waker: Option<&Waker>) -> Self {
        Lone { state: Decision::new(), waker: UnsafeCell::new(waker.cloned()) }
    }

    /// The decision.
    #[inline]
    pub(crate) fn decision(&self) -> &Decision {
        &self.state
    }

    /// Makes the next wake-up go to `waker` (a re-poll may bring a new
    /// one), returning the waker it replaced, to drop after unlocking.
    ///
    /// # Safety
    ///
    /// As for [`Lone::put_waker`].
    pub(crate) unsafe fn set_waker(&self, waker: &Waker) -> Option<Waker> {
        // SAFETY: exclusive under the channel lock (the caller's contract).
        self.waker.with_mut(|p| rewaked(unsafe { &mut *p }, waker))
    }

    /// Replaces the waker, returning the old one (to drop after unlocking).
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the channel where this op waits (or
    /// waited: the waker is the channel lock's until the op is freed).
    pub(crate) unsafe fn put_waker(&self, w: Option<Waker>) -> Option<Waker> {
        // SAFETY: exclusive under the channel lock (the caller's contract).
        self.waker.with_mut(|p| unsafe { std::mem::replace(&mut *p, w) })
    }
}

/// Where a waiting case's value travels: the receiver's destination or the
/// sender's source (Go's `sudog.elem`).
///
/// No lock: the slot rule of `README.md` makes every access exclusive, as
/// Go's runtime relies on for `sudog.elem`. A slot is touched only
///
/// 1. by its creator, before its op is queued (published under the channel
///    lock);
/// 2. by the counterpart that popped its entry, inside that channel lock's
///    critical section. An entry is queued once and popped or removed
///    once, under the lock, so at most one counterpart ever holds it, and
///    it restores the slot before unlocking if it loses the claim;
/// 3. by the waiter, only (a) after it saw its signal decided with Acquire,
///    which pairs with the decider's AcqRel claim made after its last slot
///    access (a decider that is `close` touches no slot), or (b) after it
///    removed its own entry under the channel lock, so any counterpart that
///    popped the entry has left its critical section.
///
/// A slot of a select's case that another case won is never read, or read
/// under (b). The waiter's access is the last one.
pub(crate) struct Slot<T>(UnsafeCell<Option<T>>);

// SAFETY: the slot rule above serialises every access (each one
// happens-before the next through the channel lock or the signal's
// AcqRel/Acquire), so sharing the slot moves a `T` between threads and
// nothing else: `T: Send` suffices.
unsafe impl<T: Send> Sync for Slot<T> {}

impl<T> Slot<T> {
    /// A slot holding `value`, for its creator to queue.
    pub(crate) fn new(value: Option<T>) -> Self {
        Slot(UnsafeCell::new(value))
    }

    /// Takes the value out.
    ///
    /// # Safety
    ///
    /// The caller is one of the parties the slot rule (type docs) allows
    /// at this moment: the counterpart holding the popped entry under the
    /// channel lock, or the waiter after the decision or its own removal.
    pub(crate) unsafe fn take(&self) -> Option<T> {
        // SAFETY: exclusive by the caller's contract.
        self.0.with_mut(|p| unsafe { (*p).take() })
    }

    /// Puts a value in, returning what was there.
    ///
    /// # Safety
    ///
    /// As for [`Slot::take`].
    pub(crate) unsafe fn put(&self, v: T) -> Option<T> {
        // SAFETY: exclusive by the caller's contract.
        self.0.with_mut(|p| unsafe { (*p).replace(v) })
    }
}
