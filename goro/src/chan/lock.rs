//! The channel lock: Go's `hchan.lock`, kept apart from the state it guards
//! so that one `select` can hold the locks of channels of different element
//! types at once (selectgo's `sellock`, see `README.md`).
//!
//! A [`Locked<S>`] is a non-generic [`ChanLock`] beside an
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
//! borrows it exclusively, so it cannot nest on the same guard; the lock
//! has at most one guard alive.

//!
//! ## The lock itself
//!
//! A spin lock: one word, taken with a swap, released with a plain release
//! store, and waited for by spinning (see [`SpinLock::lock_contended`]). It
//! never parks a
//! thread, so releasing it need not check for sleepers: an uncontended
//! channel operation costs one locked instruction instead of the two of a
//! futex mutex (whose unlock is a swap that must see waiters). Measured,
//! `seq` on an unbounded channel went from 24 to 18 ns per operation, and
//! the buffered workloads by about a quarter (`BENCHMARKS.md`).
//!
//! A spin lock is only right when nothing long runs under it, which is the
//! channel's rule already: no user code, no allocation-heavy work, values
//! dropped after unlocking, wake-ups after unlocking. The one exception is
//! a waiter's waker (`signal.rs`), cloned under the channel lock for a lone
//! operation and under its signal's lock of this kind for a select: a
//! waker's clone is the executor's code, a reference-count increment for
//! every executor we know of. Go's runtime lock spins first too
//! (`lock_futex.go`), then sleeps.
//!
//! A waiter tests the word four times one pause apart (most holds are a
//! few dozen instructions), then spins rounds of 64 to 191 pauses, the
//! length drawn at random so that waiters do not retry in step, and
//! yields its thread every 16th round, for a holder the OS preempted.
//! crossbeam's `Backoff::snooze`, which this replaced, yields on every
//! round once its doubling spin is done: with more threads than cores
//! (plain threads sharing a channel) the waiters then spent their time in
//! `sched_yield` and kept the holder's core busy with them; mpsc and mpmc
//! on unbounded and boundedN channels from plain threads took 1.7–2.1
//! times as long as with this loop, and goroutine workloads (one worker
//! per core) did not change (`BENCHMARKS.md`, "The channel lock's wait").
//!
//! Under loom the lock is loom's mutex (see [`Raw`]): the models check the protocols
//! built on the lock, and `spin_lock_excludes` checks the lock itself.

use crate::loom::atomic::{AtomicBool, Ordering};
use crate::loom::UnsafeCell;
use std::fmt;

/// One channel's lock, without the state: what a select sorts and holds.
pub struct ChanLock(Raw);

/// The lock word: a spin lock, or, under loom, a loom mutex (a spin lock's
/// every spin is a branch for loom, and the models would never finish:
/// loom gives up on spin loops even with its yield hints). The spin lock
/// is the textbook one (swap with Acquire, store with Release); its test
/// is `spin_lock_excludes` below.
#[cfg(not(loom))]
type Raw = SpinLock;
#[cfg(loom)]
type Raw = crate::loom::Mutex<()>;

impl ChanLock {
    /// An unlocked lock.
    fn new() -> Self {
        ChanLock(Raw::new(()))
    }

    /// Takes the lock (a panic under it cannot break the state: no user
    /// code runs under a channel lock, values are dropped after unlocking).
    #[inline]
    pub(crate) fn lock(&self) -> ChanGuard<'_> {
        #[cfg(not(loom))]
        {
            self.0.lock();
            ChanGuard { lock: self }
        }
        #[cfg(loom)]
        ChanGuard {
            lock: self,
            _held: self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// The lock's address: select's global lock order.
    pub(crate) fn addr(&self) -> usize {
        self as *const ChanLock as usize
    }
}

/// Tests a waiter makes one pause apart before it spins longer (see
/// [`SpinLock::lock_contended`]).
#[cfg_attr(loom, allow(dead_code))]
const QUICK_TRIES: u32 = 4;
/// Rounds a waiter spins between two yields of its thread.
#[cfg_attr(loom, allow(dead_code))]
const YIELD_EVERY: u32 = 16;

/// A spin lock: see the module header.
#[cfg_attr(loom, allow(dead_code))]
pub(crate) struct SpinLock(AtomicBool);

#[cfg_attr(loom, allow(dead_code))]
impl SpinLock {
    /// An unlocked lock (the argument is for `Raw::new`'s one signature).
    pub(crate) fn new(_: ()) -> Self {
        SpinLock(AtomicBool::new(false))
    }

    /// Takes the lock.
    #[inline]
    pub(crate) fn lock(&self) {
        if self.0.swap(true, Ordering::Acquire) {
            // Acquire: the previous holder's writes to the state.
            self.lock_contended();
        }
    }

    /// Waits for the lock: spin with backoff, then yield, until a swap wins.
    /// It tests before retrying the swap, so that waiters read the shared
    /// line instead of writing it.
    #[cold]
    fn lock_contended(&self) {
        let mut rounds = 0u32;
        loop {
            while self.0.load(Ordering::Relaxed) {
                // Relaxed: only a hint; the swap below decides.
                rounds += 1;
                if rounds <= QUICK_TRIES {
                    std::hint::spin_loop(); // most holds are a few dozen instructions
                } else if rounds % YIELD_EVERY == 0 {
                    std::thread::yield_now(); // a holder the OS preempted
                } else {
                    for _ in 0..64 + fastrand::usize(..128) {
                        std::hint::spin_loop(); // spread, so waiters do not retry in step
                    }
                }
            }
            if !self.0.swap(true, Ordering::Acquire) {
                return; // Acquire: as in `lock`
            }
        }
    }

    /// Releases the lock; the caller holds it.
    #[inline]
    pub(crate) fn unlock(&self) {
        self.0.store(false, Ordering::Release); // publishes our writes to the next holder
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
    /// Under loom, the loom mutex's guard.
    #[cfg(loom)]
    _held: crate::loom::MutexGuard<'a, ()>,
}

#[cfg(not(loom))]
impl Drop for ChanGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.lock.0.unlock(); // this guard is the holder
    }
}

impl fmt::Debug for ChanGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChanGuard").field("lock", &self.lock.addr()).finish()
    }
}

/// A channel's state `S` and the lock that guards it: `repr(C)`, the lock
/// word after the state, so that the words a holder writes at the state's
/// start are not on the lock's cache line (`core.rs`, `Chan`).
#[repr(C)]
pub(crate) struct Locked<S> {
    /// The state; reached only while `lock` is held (module invariant).
    state: UnsafeCell<S>,
    /// The lock.
    lock: ChanLock,
}

// SAFETY: as for `std::sync::Mutex<S>`: every access to `state` goes through
// `with` or `with_guard`, which run only while this thread holds `lock`, so
// sharing a `Locked` between threads never shares the state unsynchronised.
unsafe impl<S: Send> Sync for Locked<S> {}

impl<S> Locked<S> {
    /// Where the state starts, in bytes (the layout test in `core.rs`).
    #[cfg(all(test, not(loom)))]
    pub(crate) const STATE_OFFSET: usize = std::mem::offset_of!(Self, state);
    /// Where the lock word sits, in bytes (the layout test in `core.rs`).
    #[cfg(all(test, not(loom)))]
    pub(crate) const LOCK_OFFSET: usize = std::mem::offset_of!(Self, lock);

    /// `state` behind a fresh lock.
    pub(crate) fn new(state: S) -> Self {
        Locked { state: UnsafeCell::new(state), lock: ChanLock::new() }
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
    /// Panics if `guard` is another channel's. Inlined like [`Locked::with`]:
    /// a select's poll pass runs the channels' inlined fast paths through it.
    #[inline]
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Four threads add 1 to a plain counter 100,000 times each under the
    /// lock: a lost update (two holders at once) would show in the total.
    /// Under Miri, 500 times each, where its race detector checks the
    /// lock's orderings on every access to the counter.
    #[test]
    fn spin_lock_excludes() {
        const N: usize = if cfg!(miri) { 500 } else { 100_000 };
        let shared = Arc::new(Locked::new(0usize));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    for _ in 0..N {
                        shared.with(|n| *n += 1);
                    }
                })
            })
            .collect();
        // A lock that lost an unlock would hang the joins: fail instead.
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for t in threads {
                t.join().unwrap();
            }
            let _ = done.send(());
        });
        let limit = std::time::Duration::from_secs(30);
        finished.recv_timeout(limit).expect("goro::chan: the spin lock test hung");
        assert_eq!(shared.with(|n| *n), 4 * N);
    }
}
