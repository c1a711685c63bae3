//! A timer heap: the per-processor timers of Go's `p.timers`, and the
//! fallback timer thread's.
//!
//! ## Design
//!
//! A binary min-heap of `(deadline, seq)` behind a mutex that, for a
//! processor's heap, only its own worker takes on the hot path (inserting
//! from the goroutines it runs, firing from its scheduling loop), so the lock
//! is uncontended; other workers take it with `try_lock` only to fire timers
//! of a busy processor. The earliest deadline is mirrored in an atomic so
//! that "anything due?" and "how long may I sleep?" take no lock.
//!
//! ## Invariants
//!
//! - Entries fire in `(deadline, seq)` order: deadline order, and
//!   registration order among equal deadlines.
//! - An entry fires only when `now >= deadline`: never early.
//! - `next` is the minimum deadline in the heap, or `u64::MAX` when empty,
//!   whenever the lock is free.
//!
//! Cancelled entries are dropped lazily when they come up, and swept when the
//! heap has doubled since the last sweep, so a loop of abandoned timeouts
//! keeps memory bounded (amortised O(1) per insert).

use super::entry::Entry;
use crate::loom::atomic::{AtomicU64, Ordering};
use std::cmp::{Ordering as CmpOrdering, Reverse};
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

/// Heap size below which no sweep happens.
const MIN_SWEEP: usize = 1024;

/// One heap item.
struct Item {
    /// The entry's deadline (copied, for ordering without a deref).
    at: u64,
    /// Insertion order, to break deadline ties FIFO.
    seq: u64,
    /// The timer.
    entry: Arc<Entry>,
}

impl PartialEq for Item {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> CmpOrdering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// The locked part.
struct Inner {
    /// Pending timers, earliest on top.
    heap: BinaryHeap<Reverse<Item>>,
    /// Next insertion's sequence number.
    seq: u64,
    /// Sweep cancelled entries when the heap reaches this size.
    sweep_at: usize,
}

/// A set of timers.
pub(crate) struct TimerHeap {
    /// The heap.
    inner: Mutex<Inner>,
    /// Earliest deadline, `u64::MAX` if none; readable without the lock.
    next: AtomicU64,
}

impl TimerHeap {
    /// An empty heap.
    pub(crate) fn new() -> Self {
        let inner = Inner { heap: BinaryHeap::new(), seq: 0, sweep_at: MIN_SWEEP };
        TimerHeap { inner: Mutex::new(inner), next: AtomicU64::new(u64::MAX) }
    }

    /// Locks the heap (nothing panics under it).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The earliest deadline, if any (racy but never later than the truth
    /// once the inserting thread's lock is released).
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        let next = self.next.load(Ordering::Acquire); // pairs with the Release under the lock
        (next != u64::MAX).then_some(next)
    }

    /// Adds `entry`. Returns true if it became the earliest.
    pub(crate) fn insert(&self, entry: Arc<Entry>) -> bool {
        let mut inner = self.lock();
        if inner.heap.len() >= inner.sweep_at {
            inner.heap.retain(|Reverse(item)| !item.entry.cancelled());
            inner.sweep_at = (2 * inner.heap.len()).max(MIN_SWEEP);
        }
        let (at, seq) = (entry.deadline, inner.seq);
        inner.seq += 1;
        inner.heap.push(Reverse(Item { at, seq, entry }));
        let earliest = at < self.next.load(Ordering::Relaxed); // we hold the lock
        if earliest {
            self.next.store(at, Ordering::Release); // publishes the new minimum
        }
        earliest
    }

    /// Fires every entry due at `now`, in order, calling `wake` with each
    /// waker under the heap's lock, so that two threads firing the same heap
    /// cannot interleave their wake-ups out of deadline order. (Wakers only
    /// queue goroutines; none touches a timer heap.) Returns how many woke.
    pub(crate) fn fire(&self, now: u64, mut wake: impl FnMut(Waker)) -> usize {
        let mut inner = self.lock();
        let mut fired = 0;
        while inner.heap.peek().is_some_and(|Reverse(top)| top.at <= now) {
            let Some(Reverse(item)) = inner.heap.pop() else { break };
            if let Some(w) = item.entry.fire() {
                wake(w);
                fired += 1;
            }
        }
        let next = inner.heap.peek().map_or(u64::MAX, |Reverse(i)| i.at);
        self.next.store(next, Ordering::Release); // publishes the new minimum
        fired
    }

    /// Like `fire`, but gives up at once if another thread holds the heap.
    pub(crate) fn try_fire(&self, now: u64, wake: impl FnMut(Waker)) -> usize {
        if self.next.load(Ordering::Acquire) > now {
            return 0; // nothing due: no lock at all
        }
        match self.inner.try_lock() {
            Ok(guard) => drop(guard),
            Err(_) => return 0, // its owner is at it
        }
        self.fire(now, wake)
    }

    /// Pending entries, cancelled ones included (racy).
    pub(crate) fn len(&self) -> usize {
        self.lock().heap.len()
    }

    /// Moves every entry into `other` (a processor handing off its timers).
    pub(crate) fn move_into(&self, other: &TimerHeap) {
        let items = std::mem::take(&mut self.lock().heap);
        self.next.store(u64::MAX, Ordering::Release); // we are empty now
        for Reverse(item) in items.into_vec() {
            other.insert(item.entry);
        }
    }

    /// Drops every entry (shutdown): cancelled, never fired.
    pub(crate) fn clear(&self) {
        let items = std::mem::take(&mut self.lock().heap);
        self.next.store(u64::MAX, Ordering::Release); // we are empty now
        for Reverse(item) in items.into_vec() {
            item.entry.cancel();
        }
    }
}
