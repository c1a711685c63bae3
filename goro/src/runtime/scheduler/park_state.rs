//! The wake-up word both of goro's parkers share: a worker's
//! (`scheduler/park.rs`, asleep on a condition variable) and a plain
//! thread's (`chan/park.rs`, asleep in `thread::park`). std's thread-parker
//! protocol one level up, so that each parker can watch the word before it
//! sleeps and a wake-up that finds its owner awake costs one swap.
//!
//! States: `EMPTY` (nothing pending, owner awake), `NOTIFIED` (a wake-up is
//! pending), `PARKED` (the owner sleeps, or is about to).
//!
//! Invariants:
//! - only the owner moves the word out of `NOTIFIED` or into `PARKED`; a
//!   waker only swaps in `NOTIFIED`, and must wake the owner's sleep if the
//!   swap saw `PARKED`;
//! - the owner leaves `NOTIFIED` with a swap (or a compare-exchange), never
//!   a store: another wake-up may land on a pending one until the owner
//!   leaves it, and a store could erase that newer wake-up unread, while
//!   the owner's Acquire would pair only with the older one. Both parkers
//!   once had that lost wake-up (`loom_*_stale_*` models in their files).

use crate::loom::atomic::{AtomicU8, Ordering};

/// Nothing pending, the owner awake.
const EMPTY: u8 = 0;
/// A wake-up is pending.
const NOTIFIED: u8 = 1;
/// The owner sleeps (or is about to).
const PARKED: u8 = 2;

/// A parker's wake-up word (module docs).
pub(crate) struct ParkState(AtomicU8);

impl ParkState {
    /// Nothing pending.
    #[inline]
    pub(crate) fn new() -> Self {
        ParkState(AtomicU8::new(EMPTY))
    }

    /// The owner consumes a pending wake-up, if there is one: a look, and
    /// only if one is pending the swap that takes it.
    #[inline]
    pub(crate) fn try_consume(&self) -> bool {
        // Relaxed: only a look; `consume` synchronizes.
        if self.0.load(Ordering::Relaxed) == NOTIFIED {
            self.consume();
            return true;
        }
        false
    }

    /// The owner is about to sleep: true if it moved the word to `PARKED`;
    /// false if a wake-up was pending, which it then consumed.
    #[inline]
    pub(crate) fn try_park(&self) -> bool {
        // Relaxed on success: parking consumes nothing.
        let parked = self.0.compare_exchange(EMPTY, PARKED, Ordering::Relaxed, Ordering::Relaxed);
        if parked.is_err() {
            self.consume(); // the only other state the owner can find
        }
        parked.is_ok()
    }

    /// After a sleep: true if a wake-up came, which the owner consumed
    /// (the word is then `EMPTY`); false on a spurious return (still
    /// `PARKED`).
    #[inline]
    pub(crate) fn woken(&self) -> bool {
        // Acquire: see what the waker published before its wake-up.
        self.0.compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed).is_ok()
    }

    /// The owner gives up sleeping (a deadline): back to `EMPTY`,
    /// consuming a wake-up that raced in.
    #[inline]
    pub(crate) fn leave_parked(&self) {
        // Acquire: as in `woken`, if a wake-up came.
        self.0.swap(EMPTY, Ordering::Acquire);
    }

    /// A waker marks a wake-up: true if the owner sleeps, and the caller
    /// must then wake its sleep.
    #[inline]
    pub(crate) fn notify(&self) -> bool {
        // Release: publishes the waker's writes to the owner's Acquire.
        self.0.swap(NOTIFIED, Ordering::Release) == PARKED
    }

    /// The owner takes the pending wake-up. A swap, not a store (module
    /// invariants): it reads the newest wake-up and pairs with it.
    #[inline]
    fn consume(&self) {
        let was = self.0.swap(EMPTY, Ordering::Acquire);
        debug_assert_eq!(was, NOTIFIED, "goro::runtime: only the owner leaves NOTIFIED");
    }
}
