//! The channel lock: Go's `hchan.lock`, kept apart from the state it guards
//! so that one `select` can hold the locks of channels of different element
//! types at once (selectgo's `sellock`, see `README.md`).
//!
//! A [`Locked<S>`] is a non-generic [`ChanLock`] (a `Mutex<()>`) beside an
//! `UnsafeCell<S>`. The state is reached through two doors only:
//!
//! - [`Locked::with`] takes the lock for the closure's run: every ordinary
//!   channel operation;
//! - [`Locked::with_guard`] runs the closure under a [`ChanGuard`] of this
//!   very lock that the caller already holds: select's snapshot, which
//!   locks all its channels in address order before it looks at any.
//!
//! Invariant: a `&mut S` exists only inside one of those closures, while a
//! guard of this lock is alive on this thread, and never two at a time.
//! `with` holds a fresh guard (a second `with` on the same lock blocks, it
//! never aliases); `with_guard` checks that the guard is of this lock and
//! borrows it exclusively, so it cannot nest on the same guard; a mutex
//! has at most one guard alive.

use crate::loom::{Mutex, MutexGuard, UnsafeCell};
use std::fmt;
use std::sync::PoisonError;

/// One channel's lock, without the state: what a select sorts and holds.
pub struct ChanLock(Mutex<()>);

impl ChanLock {
    /// Takes the lock (a panic under it cannot break the state: no user
    /// code runs under a channel lock, values are dropped after unlocking).
    #[inline]
    pub(crate) fn lock(&self) -> ChanGuard<'_> {
        ChanGuard { lock: self, _held: self.0.lock().unwrap_or_else(PoisonError::into_inner) }
    }

    /// The lock's address: select's global lock order.
    pub(crate) fn addr(&self) -> usize {
        self as *const ChanLock as usize
    }
}

impl fmt::Debug for ChanLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChanLock").finish_non_exhaustive()
    }
}

/// A held [`ChanLock`]; dropping it unlocks.
pub struct ChanGuard<'a> {
    /// The lock held, to check that a state is reached under its own lock.
    lock: &'a ChanLock,
    /// The mutex guard itself.
    _held: MutexGuard<'a, ()>,
}

impl fmt::Debug for ChanGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChanGuard").field("lock", &self.lock.addr()).finish()
    }
}

/// A channel's state `S` and the lock that guards it.
pub(crate) struct Locked<S> {
    /// The lock.
    lock: ChanLock,
    /// The state; reached only while `lock` is held (module invariant).
    state: UnsafeCell<S>,
}

// SAFETY: as for `std::sync::Mutex<S>`: every access to `state` goes through
// `with` or `with_guard`, which run only while this thread holds `lock`, so
// sharing a `Locked` between threads never shares the state unsynchronised.
unsafe impl<S: Send> Sync for Locked<S> {}

impl<S> Locked<S> {
    /// `state` behind a fresh lock.
    pub(crate) fn new(state: S) -> Self {
        Locked { lock: ChanLock(Mutex::new(())), state: UnsafeCell::new(state) }
    }

    /// The lock, for a select that locks several channels in order.
    pub(crate) fn lock(&self) -> &ChanLock {
        &self.lock
    }

    /// Runs `f` on the state under the lock.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        let _guard = self.lock.lock();
        // SAFETY: `_guard` holds this state's lock for the whole call, and
        // no other `&mut S` exists: every door to the state needs the lock
        // (module invariant), and `f` is never handed out beyond this call.
        self.state.with_mut(|p| f(unsafe { &mut *p }))
    }

    /// Runs `f` on the state under `guard`, which must hold this lock.
    ///
    /// Panics if `guard` is another channel's.
    pub(crate) fn with_guard<R>(
        &self,
        guard: &mut ChanGuard<'_>,
        f: impl FnOnce(&mut S) -> R,
    ) -> R {
        assert!(
            std::ptr::eq(guard.lock, &self.lock),
            "goro::chan: state reached under a foreign lock"
        );
        // SAFETY: `guard` is a live guard of this very lock (checked above),
        // so this thread holds it; it is borrowed exclusively for the call,
        // so no other `with_guard` on it runs inside `f`, and `with` would
        // block on the held lock instead of aliasing. Hence this is the only
        // `&mut S`.
        self.state.with_mut(|p| f(unsafe { &mut *p }))
    }
}
