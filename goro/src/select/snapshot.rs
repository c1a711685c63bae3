//! The poll pass of a non-blocking select (one with `default`): selectgo's
//! `sellock` + poll + `selunlock`, so that `default` is taken only if no
//! channel case was ready at one instant.
//!
//! 1. **lock order**: collect the [`ChanLock`] of every enabled channel
//!    case, sort by address, drop duplicates (a channel named by two cases
//!    is locked once), lock them in that order. Every party that holds more
//!    than one channel lock takes them in ascending address order, so no
//!    cycle of waits can form; every other channel operation holds one.
//! 2. **poll**: walk the cases in the select's random order and complete
//!    the first ready one, under its channel's guard. Nothing changes on
//!    any of these channels meanwhile, so "none ready" is a true snapshot.
//! 3. **unlock**: the chosen case releases every lock before it wakes the
//!    counterpart it decided (the channel core's rule: wake only after
//!    unlocking; [`Locks::wake_after_release`]), or the pass does.
//!
//! Future cases are user code and are never polled under channel locks;
//! the selector polls them around this pass (see `selector.rs`).

use super::case::CaseList;
use super::order::Order;
use crate::chan::{ChanGuard, ChanLock, Woken};

/// Items a [`Slots`] holds without allocating.
const INLINE: usize = 16;

/// `n` optional items: inline up to `INLINE`, else on the heap.
enum Slots<T> {
    /// Few items, on the stack.
    Inline([Option<T>; INLINE]),
    /// More items.
    Heap(Vec<Option<T>>),
}

impl<T> Slots<T> {
    /// `n` empty slots.
    fn new(n: usize) -> Self {
        if n <= INLINE {
            Slots::Inline(std::array::from_fn(|_| None))
        } else {
            Slots::Heap((0..n).map(|_| None).collect())
        }
    }

    /// All the slots.
    fn as_mut(&mut self) -> &mut [Option<T>] {
        match self {
            Slots::Inline(a) => a,
            Slots::Heap(v) => v,
        }
    }
}

/// The channel locks a select with `default` holds while its cases try
/// to complete ([`Case::try_locked`](super::Case::try_locked)): each
/// distinct channel's, taken in ascending address order.
pub struct Locks<'a> {
    /// The distinct locks, sorted by address (the first `len` are used).
    locks: Slots<&'a ChanLock>,
    /// `guards[j]` holds `locks[j]`.
    guards: Slots<ChanGuard<'a>>,
    /// The number of distinct locks.
    len: usize,
}

impl<'a> Locks<'a> {
    /// Locks the channels of every enabled channel case, each once, in
    /// ascending address order.
    fn lock_all<L: CaseList<'a> + ?Sized>(cases: &mut L) -> Self {
        let n = cases.len();
        let mut locks = Slots::new(n);
        let s = locks.as_mut();
        let mut len = 0;
        for i in 0..n {
            if let Some(l) = cases.case(i).chan_lock() {
                s[len] = Some(l);
                len += 1;
            }
        }
        s[..len].sort_unstable_by_key(|l| l.map(ChanLock::addr));
        len = dedup(&mut s[..len]);
        let mut guards = Slots::new(len);
        let g = guards.as_mut();
        for (slot, lock) in g.iter_mut().zip(s[..len].iter().flatten()) {
            *slot = Some(lock.lock());
        }
        Locks { locks, guards, len }
    }

    /// The guard of `lock`, which must be one of the held locks.
    pub(crate) fn guard(&mut self, lock: &ChanLock) -> &mut ChanGuard<'a> {
        let j = self.locks.as_mut()[..self.len]
            .binary_search_by_key(&lock.addr(), |l| l.map_or(0, ChanLock::addr))
            .expect("goro::select: a case's channel is not locked");
        self.guards.as_mut()[j].as_mut().expect("goro::select: a held lock has its guard")
    }

    /// Wakes `wake`, if any, after releasing every lock (no guard is
    /// reachable after that); the chosen case's last step.
    pub(crate) fn wake_after_release(&mut self, wake: Option<Woken>) {
        let Some(w) = wake else { return };
        for g in self.guards.as_mut() {
            drop(g.take());
        }
        w.wake();
    }
}

impl std::fmt::Debug for Locks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locks").field("held", &self.len).finish()
    }
}

/// Removes adjacent duplicates (by address) from sorted `s`; returns the
/// new length.
fn dedup(s: &mut [Option<&ChanLock>]) -> usize {
    let mut len = 0;
    for j in 0..s.len() {
        if len == 0 || s[j].map(ChanLock::addr) != s[len - 1].map(ChanLock::addr) {
            s[len] = s[j];
            len += 1;
        }
    }
    len
}

/// Polls every channel case of `cases` in `order` under all their locks at
/// once; completes and returns the first ready one, whose counterpart is
/// woken after the locks are released.
pub(crate) fn poll_channels<'a, L: CaseList<'a> + ?Sized>(
    cases: &mut L,
    order: &mut Order,
) -> Option<usize> {
    let mut locks = Locks::lock_all(cases);
    let chosen = order.iter().find(|&i| cases.case(i).try_locked(&mut locks));
    drop(locks); // unlock every channel still held
    chosen
}
