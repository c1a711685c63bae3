//! `Mutex<T>`: Go's `sync.Mutex`, guard based, with Go's starvation mode.
//!
//! Algorithm (after Go's `sync/mutex.go`): one state word holds `LOCKED`,
//! `HAS_WAITERS` and `STARVING`.
//! - Normal mode: lock is one CAS `0 -> LOCKED` (no load first). Unlock with
//!   no waiters is one CAS `LOCKED -> 0`. Otherwise unlock clears `LOCKED`
//!   and wakes the oldest waiter, which competes with newcomers (barging
//!   keeps throughput high). A woken waiter that loses goes back to the
//!   *front* of the list. Both fast paths are inlined into the caller; the
//!   slow paths are cold and out of line.
//! - Starvation mode: a woken waiter that has waited over 1 ms sets
//!   `STARVING`. Then unlock hands the lock straight to the oldest waiter
//!   (`LOCKED` never clears) and newcomers queue at the back. The mode ends
//!   when the list empties or a grantee waited under 1 ms.
//!
//! Invariants: `HAS_WAITERS` and `STARVING` change only under the list lock;
//! `HAS_WAITERS` is set whenever the list is non-empty, so the unlock fast
//! path (which needs the word to be exactly `LOCKED`) never strands a waiter.
//! A dropped `Lock` future settles its node under the list lock: removed if
//! waiting, unlocked if granted, notification passed on if notified.

use super::waiter::{self, Node, WaitList, GRANTED, NOTIFIED, WAITING};
use crate::debug::hold::{self, Holder};
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Arc, UnsafeCell};
use crate::runtime::current::will_park_on;
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The lock is held.
const LOCKED: usize = 1;
/// The wait list is non-empty.
const HAS_WAITERS: usize = 2;
/// Unlock hands the lock to the oldest waiter.
const STARVING: usize = 4;
/// Spin rounds before parking (Go's `active_spin` is 4).
const SPINS: u32 = if cfg!(loom) { 0 } else { 4 };
/// Pauses per spin round (Go's `active_spin_cnt`, the argument of its
/// `procyield`).
const SPIN_PAUSES: u32 = 30;
/// How long a waiter waits before it asks for hand-off (Go's 1 ms; zero
/// under loom, so the models explore the hand-off path).
const STARVATION: Duration = if cfg!(loom) { Duration::ZERO } else { Duration::from_millis(1) };

/// A mutual-exclusion lock protecting a `T`: Go's `sync.Mutex`.
///
/// `lock().await` in a goroutine, `lock_blocking()` on a plain thread,
/// `try_lock()` never waits. The guard unlocks when dropped, so Go's
/// forgotten `Unlock` cannot happen.
///
/// ```
/// let m = std::sync::Arc::new(goro::sync::Mutex::new(0));
/// goro::block_on(async {
///     *m.lock().await += 1;
/// });
/// assert_eq!(*m.lock_blocking(), 1);
/// ```
pub struct Mutex<T> {
    /// `LOCKED | HAS_WAITERS | STARVING`.
    state: AtomicUsize,
    /// Parked lockers, oldest first.
    waiters: crate::loom::Mutex<WaitList>,
    /// The protected value.
    value: UnsafeCell<T>,
    /// The goroutine holding the lock, for the deadlock report.
    holder: Holder,
}

// SAFETY: the lock gives one guard at a time access to `value`, so sharing a
// Mutex moves `T` between threads but never shares it.
unsafe impl<T: Send> Sync for Mutex<T> {}
// SAFETY: owning a Mutex is owning a T.
unsafe impl<T: Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            state: AtomicUsize::new(0),
            waiters: crate::loom::Mutex::new(WaitList::new()),
            value: UnsafeCell::new(value),
            holder: Holder::new(),
        }
    }

    /// Locks, waiting in a goroutine (or any async task) while it is held.
    ///
    /// Cancel safe: dropping the future before it completes never leaks the
    /// lock or a hand-off.
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock { mutex: self, node: None, at: Location::caller() }
    }

    /// Locks, blocking this plain thread while it is held.
    #[track_caller]
    pub fn lock_blocking(&self) -> MutexGuard<'_, T> {
        if let Some(g) = self.try_lock() {
            return g;
        }
        crate::runtime::current::block_on_thread(self.lock())
    }

    /// Locks if the lock is free now (and not promised to a waiter).
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.try_acquire().then(|| MutexGuard::new(self))
    }

    /// The value, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no guard exists.
        self.value.with_mut(|p| unsafe { &mut *p })
    }

    /// One CAS on the fast path (Go's `CompareAndSwap(0, mutexLocked)`,
    /// with no load before it: a load would fetch the line shared, and the
    /// CAS then fetch it again exclusive); fails in starvation mode.
    #[inline]
    fn try_acquire(&self) -> bool {
        // Acquire: the previous holder's writes become visible.
        match self.state.compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => true,
            Err(s) => self.try_acquire_slow(s),
        }
    }

    /// `try_acquire` when the word was not 0: waiters may be queued while
    /// the lock is free (normal mode lets us barge ahead of them).
    #[cold]
    fn try_acquire_slow(&self, mut s: usize) -> bool {
        loop {
            if s & (LOCKED | STARVING) != 0 {
                return false;
            }
            // Acquire: the previous holder's writes become visible.
            match self.state.compare_exchange_weak(
                s,
                s | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(a) => s = a,
            }
        }
    }

    /// Go's active spinning: a few short busy waits before parking pay off
    /// when critical sections are tiny and another processor holds the lock.
    /// As Go's: `SPINS` rounds of `SPIN_PAUSES` pauses, a CAS only when the
    /// word shows the lock free (earlier rounds grew 30 << i pauses: longer
    /// than Go's, and measured no faster).
    #[cold]
    #[cfg_attr(loom, allow(clippy::reversed_empty_ranges))] // `SPINS` is 0 under loom
    fn spin(&self) -> bool {
        for _ in 0..SPINS {
            for _ in 0..SPIN_PAUSES {
                std::hint::spin_loop();
            }
            let s = self.state.load(Ordering::Relaxed);
            if s & (HAS_WAITERS | STARVING) != 0 {
                return false; // others queue already: do not barge ahead by spinning
            }
            if s & LOCKED == 0 && self.try_acquire() {
                return true;
            }
        }
        false
    }

    /// Unlocks: one CAS when no one waits.
    ///
    /// Not Go's `fetch_sub`: clearing `LOCKED` before the list lock is
    /// taken would open a window in which a barger takes the lock while a
    /// waiter turns on `STARVING` (goro's cancellable waiters also clear
    /// it), and the hand-off would then grant a held lock. On x86 the CAS
    /// costs about the same as Go's `XADD` (measured: 17.0 vs 16.5 ns per
    /// lock/unlock pair), so the simpler protocol stays.
    #[inline]
    fn unlock(&self) {
        // Release: publishes the critical section to the next holder.
        if self.state.compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed).is_err() {
            self.unlock_slow();
        }
    }

    /// Unlocks with waiters: hand off (starving) or wake the oldest (normal).
    #[cold]
    #[inline(never)]
    fn unlock_slow(&self) {
        let mut list = waiter::lock(&self.waiters);
        let waker = if self.state.load(Ordering::Relaxed) & STARVING != 0 {
            self.hand_off(&mut list)
        } else {
            self.state.fetch_and(!LOCKED, Ordering::Release); // publishes the section
            let e = list.pop_front();
            self.sync_waiters_bit(&list);
            e.map(|e| e.settle(NOTIFIED))
        };
        drop(list);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Starvation mode: gives the still-held lock to the oldest waiter.
    fn hand_off(&self, list: &mut WaitList) -> Option<std::task::Waker> {
        let Some(e) = list.pop_front() else {
            self.state.fetch_and(!(LOCKED | STARVING), Ordering::Release); // publishes
            return None;
        };
        if list.is_empty() || e.node.since.elapsed() < STARVATION {
            self.state.fetch_and(!STARVING, Ordering::Relaxed);
        }
        self.sync_waiters_bit(list);
        Some(e.settle(GRANTED))
    }

    /// Makes `HAS_WAITERS` match the list (called under the list lock).
    fn sync_waiters_bit(&self, list: &WaitList) {
        if list.is_empty() {
            self.state.fetch_and(!(HAS_WAITERS | STARVING), Ordering::Relaxed);
        } else {
            self.state.fetch_or(HAS_WAITERS, Ordering::Relaxed);
        }
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let locked = self.state.load(Ordering::Relaxed) & LOCKED != 0;
        f.debug_struct("Mutex").field("locked", &locked).finish_non_exhaustive()
    }
}

/// The future returned by [`Mutex::lock`].
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T> {
    /// The mutex being locked.
    mutex: &'a Mutex<T>,
    /// Our wait-list node once we parked.
    node: Option<Arc<Node>>,
    /// The caller, for the goroutine's wait reason.
    at: &'static Location<'static>,
}

impl<'a, T> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = &mut *self;
        let m = this.mutex;
        if let Some(node) = &this.node {
            match node.state() {
                GRANTED => return this.ready(),
                NOTIFIED if m.try_acquire() => return this.ready(),
                _ => {}
            }
        } else if m.try_acquire() || m.spin() {
            return Poll::Ready(MutexGuard::new(m));
        }
        this.poll_slow(cx)
    }
}

impl<'a, T> Lock<'a, T> {
    /// Done: the guard, and no node left to clean up.
    fn ready(&mut self) -> Poll<MutexGuard<'a, T>> {
        self.node = None;
        Poll::Ready(MutexGuard::new(self.mutex))
    }

    /// Under the list lock: take the lock or (re)park.
    #[cold]
    #[inline(never)]
    fn poll_slow(&mut self, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let m = self.mutex;
        let mut list = waiter::lock(&m.waiters);
        match self.node.as_ref().map(|n| (n.state(), n)) {
            Some((GRANTED, _)) => {
                drop(list);
                return self.ready();
            }
            Some((WAITING, n)) => {
                // A spurious poll: still parked, just refresh the waker.
                list.update_waker(n, cx.waker());
                will_park_on(WaitReason::MutexLock, self.at, hold::on(m));
                return Poll::Pending;
            }
            _ => {}
        }
        m.state.fetch_or(HAS_WAITERS, Ordering::Relaxed);
        if m.try_acquire() {
            m.sync_waiters_bit(&list);
            drop(list);
            return self.ready();
        }
        self.park(&mut list, cx);
        will_park_on(WaitReason::MutexLock, self.at, hold::on(m));
        Poll::Pending
    }

    /// Parks: a fresh waiter at the back, a woken loser at the front (and
    /// into starvation mode once it has waited over 1 ms).
    fn park(&mut self, list: &mut WaitList, cx: &mut Context<'_>) {
        match &self.node {
            Some(n) => {
                if n.since.elapsed() > STARVATION {
                    self.mutex.state.fetch_or(STARVING, Ordering::Relaxed);
                }
                list.push_front(n, cx.waker());
            }
            None => {
                let n = Node::new(0);
                list.push_back(&n, cx.waker());
                self.node = Some(n);
            }
        }
    }
}

impl<T> Drop for Lock<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if let Some(node) = self.node.take() {
            self.settle_dropped(node);
        }
    }
}

impl<T> Lock<'_, T> {
    /// Dropped while parked: settle our node (see the file header).
    #[cold]
    #[inline(never)]
    fn settle_dropped(&self, node: Arc<Node>) {
        let m = self.mutex;
        let mut list = waiter::lock(&m.waiters);
        match node.state() {
            WAITING => {
                list.remove(&node);
                m.sync_waiters_bit(&list);
            }
            GRANTED => {
                drop(list);
                m.unlock();
            }
            _ => {
                // Notified but leaving: pass the wake-up on.
                let next = list.pop_front().map(|e| e.settle(NOTIFIED));
                m.sync_waiters_bit(&list);
                drop(list);
                next.into_iter().for_each(std::task::Waker::wake);
            }
        }
    }
}

/// Access to a locked [`Mutex`]'s value; unlocks when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T> {
    /// The locked mutex.
    mutex: &'a Mutex<T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// The guard of `mutex`, just locked by the running code.
    #[inline]
    fn new(mutex: &'a Mutex<T>) -> Self {
        mutex.holder.acquired(hold::object_id(mutex));
        MutexGuard { mutex }
    }

    /// Releases the lock without running the guard's Drop twice.
    pub(crate) fn unlock_into_mutex(self) -> &'a Mutex<T> {
        let m = self.mutex;
        std::mem::forget(self);
        m.holder.released(hold::object_id(m));
        m.unlock();
        m
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no `&mut T` exists.
        self.mutex.value.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock and is borrowed uniquely.
        self.mutex.value.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.mutex.holder.released(hold::object_id(self.mutex));
        self.mutex.unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
