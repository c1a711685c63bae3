//! A processor's local run queue: Go's `p.runq`, a bounded lock-free ring
//! with one owner (the worker holding the processor) and many stealers.
//!
//! ## Algorithm
//!
//! `CAP` slots (256, as in Go), indexed by free-running `u32` positions.
//! `tail` is written only by the owner. `head` packs two positions:
//! `real`, the next slot the owner pops, and `steal`, the first slot a
//! stealer may still be copying out. Without a steal in flight the two are
//! equal.
//!
//! - push (owner): write slot `tail`, then publish `tail + 1` (Release). When
//!   the ring is full, move half of it, plus the new goroutine, to the global
//!   queue in one batch (Go's `runqputslow`).
//! - pop (owner): CAS `real` forward (and `steal` with it when no steal is in
//!   flight).
//! - steal (another worker, into its own empty queue): CAS `real` forward by
//!   half the length, leaving `steal` behind as a claim; copy the claimed slots
//!   out; then CAS `steal` up to `real`, releasing the claim.
//!
//! ## Invariants
//!
//! - Slots in `[steal, tail)` are initialised; slots outside are free.
//! - The owner writes a slot only when `tail - steal < CAP`, so it never
//!   overwrites a slot a stealer is still copying.
//! - At most one steal is in flight per queue (a stealer that sees
//!   `steal != real` gives up), which is what lets `steal` be one number.
//! - A slot is read by exactly one party: the one whose CAS moved `real`
//!   past it.
//!
//! The packed-head idea is the one in tokio's `multi_thread/queue.rs`; Go's
//! `runqgrab` instead copies first and CASes after, which relies on Go's
//! racy-read tolerance that Rust does not have.

use crate::loom::atomic::{AtomicU32, AtomicU64, Ordering};
use crate::loom::UnsafeCell;
use std::mem::MaybeUninit;

/// Slots per local queue (Go's 256; four under loom so models finish).
pub(crate) const CAP: usize = crate::loom::model_size(256, 4);
/// `CAP - 1`, for masking positions into slots.
const MASK: u32 = CAP as u32 - 1;

/// Where goroutines go when a local queue overflows: the global queue.
pub(crate) trait Overflow<T> {
    /// Takes `batch`, in order.
    fn push_batch(&self, batch: impl Iterator<Item = T>);
}

/// A bounded single-owner, multi-stealer ring.
pub(crate) struct Queue<T> {
    /// Packed `(steal, real)`: see the module header.
    head: AtomicU64,
    /// One past the last pushed position; written by the owner only.
    tail: AtomicU32,
    /// The ring.
    buf: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

// SAFETY: values move between threads through the ring, so T: Send is
// required and enough; slot access is serialised by the protocol above.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: as for Send; shared access only goes through the atomics and the
// claimed-slot discipline of the module header.
unsafe impl<T: Send> Sync for Queue<T> {}

/// Packs `(steal, real)` into one word.
fn pack(steal: u32, real: u32) -> u64 {
    (u64::from(steal) << 32) | u64::from(real)
}

/// Splits a packed head into `(steal, real)`.
fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}

impl<T> Queue<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        let buf = (0..CAP).map(|_| UnsafeCell::new(MaybeUninit::uninit())).collect();
        Queue { head: AtomicU64::new(0), tail: AtomicU32::new(0), buf }
    }

    /// The number of queued goroutines (racy; for counters and heuristics).
    pub(crate) fn len(&self) -> usize {
        let (_, real) = unpack(self.head.load(Ordering::Acquire)); // pairs with pops' AcqRel
        self.tail.load(Ordering::Acquire).wrapping_sub(real) as usize // pairs with push's Release
    }

    /// Whether nothing is queued (racy).
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes `value` into the slot of position `pos`.
    ///
    /// # Safety
    /// The caller owns that slot: it is outside `[steal, tail)`.
    unsafe fn write(&self, pos: u32, value: T) {
        // SAFETY: the caller guarantees exclusive access to this free slot.
        self.buf[(pos & MASK) as usize].with_mut(|p| unsafe { (*p).write(value) });
    }

    /// Moves the value out of the slot of position `pos`.
    ///
    /// # Safety
    /// The caller's CAS moved `real` past `pos`, so it alone owns the
    /// initialised value there.
    unsafe fn read(&self, pos: u32) -> T {
        // SAFETY: initialised (in [steal, tail) before the claim) and now ours.
        self.buf[(pos & MASK) as usize].with(|p| unsafe { (*p).assume_init_read() })
    }

    /// Pushes at the tail (owner only); overflows half the ring into
    /// `overflow`. Returns true if nothing was left to take before (the
    /// ring held nothing past the stealers' claim) or the value went to
    /// `overflow`: work other workers had no reason to look for.
    pub(crate) fn push(&self, mut value: T, overflow: &impl Overflow<T>) -> bool {
        loop {
            let (steal, real) = unpack(self.head.load(Ordering::Acquire)); // sees stealers' releases
            let tail = self.tail.load(Ordering::Relaxed); // only we write it
            if tail.wrapping_sub(steal) < CAP as u32 {
                // SAFETY: tail - steal < CAP, so slot `tail` is free and only the owner writes it.
                unsafe { self.write(tail, value) };
                self.tail.store(tail.wrapping_add(1), Ordering::Release); // publishes the slot
                return tail == real;
            }
            if steal != real {
                // A stealer is draining us: it will make room; do not wait.
                overflow.push_batch(std::iter::once(value));
                return true;
            }
            match self.push_overflow(value, real, overflow) {
                Ok(()) => return true,
                Err(v) => value = v,
            }
        }
    }

    /// Moves the older half of a full ring plus `value` to `overflow`, or
    /// hands `value` back if a pop or steal raced the claim.
    fn push_overflow(&self, value: T, real: u32, overflow: &impl Overflow<T>) -> Result<(), T> {
        let half = (CAP / 2) as u32;
        let next = real.wrapping_add(half);
        let claimed = self.head.compare_exchange(
            pack(real, real),
            pack(next, next),
            Ordering::AcqRel, // acquire the slots; release nothing yet
            Ordering::Relaxed,
        );
        if claimed.is_err() {
            return Err(value);
        }
        // SAFETY: our CAS moved both steal and real past [real, next): ours alone.
        let batch = (0..half).map(|i| unsafe { self.read(real.wrapping_add(i)) });
        overflow.push_batch(batch.chain(std::iter::once(value)));
        Ok(())
    }

    /// Pops from the head (owner only).
    pub(crate) fn pop(&self) -> Option<T> {
        let mut head = self.head.load(Ordering::Acquire); // sees stealers' claims
        loop {
            let (steal, real) = unpack(head);
            if real == self.tail.load(Ordering::Relaxed) {
                return None;
            }
            let next_real = real.wrapping_add(1);
            let next =
                if steal == real { pack(next_real, next_real) } else { pack(steal, next_real) };
            // AcqRel: acquire the slot from a racing stealer's release.
            match self.head.compare_exchange_weak(head, next, Ordering::AcqRel, Ordering::Acquire) {
                // SAFETY: our CAS moved real past `real`: the slot is ours.
                Ok(_) => return Some(unsafe { self.read(real) }),
                Err(actual) => head = actual,
            }
        }
    }

    /// Steals half of this queue into `dst` (the stealer's own queue) and
    /// returns one of the stolen goroutines to run now.
    ///
    /// Must be called by `dst`'s owner.
    pub(crate) fn steal_into(&self, dst: &Queue<T>) -> Option<T> {
        let dst_tail = dst.tail.load(Ordering::Relaxed); // dst is ours
        let (dst_steal, _) = unpack(dst.head.load(Ordering::Acquire)); // sees dst stealers' releases
        if dst_tail.wrapping_sub(dst_steal) > (CAP / 2) as u32 {
            return None; // no room for a half-ring batch
        }
        let (first, n) = self.claim_half()?;
        for i in 0..n - 1 {
            // SAFETY: [first, first+n) is claimed by us; dst slots past dst_tail
            // are free (checked above) and only dst's owner (us) writes them.
            unsafe { dst.write(dst_tail.wrapping_add(i), self.read(first.wrapping_add(i))) };
        }
        // SAFETY: the last claimed slot, ours as above.
        let last = unsafe { self.read(first.wrapping_add(n - 1)) };
        self.release_claim();
        if n > 1 {
            dst.tail.store(dst_tail.wrapping_add(n - 1), Ordering::Release); // publishes the copies
        }
        Some(last)
    }

    /// Claims the older half (rounded up) of the queue: moves `real`, keeps
    /// `steal`. Returns the first claimed position and the count.
    fn claim_half(&self) -> Option<(u32, u32)> {
        let mut head = self.head.load(Ordering::Acquire); // sees the owner's pops
        loop {
            let (steal, real) = unpack(head);
            if steal != real {
                return None; // another stealer is in flight
            }
            let tail = self.tail.load(Ordering::Acquire); // pairs with push's Release: slots written
            let n = tail.wrapping_sub(real);
            if n == 0 || n > CAP as u32 {
                return None; // empty, or a stale tail/head pair
            }
            let n = n - n / 2;
            let next = pack(steal, real.wrapping_add(n));
            // AcqRel: acquire the slots' contents; the claim itself is published.
            match self.head.compare_exchange_weak(head, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some((real, n)),
                Err(actual) => head = actual,
            }
        }
    }

    /// Ends a steal: moves `steal` up to `real`, freeing the copied slots.
    fn release_claim(&self) {
        let mut head = self.head.load(Ordering::Acquire);
        loop {
            let (_, real) = unpack(head);
            // AcqRel: release our reads of the slots before the owner reuses them.
            match self.head.compare_exchange_weak(
                head,
                pack(real, real),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => head = actual,
            }
        }
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// An overflow sink that records what it got.
    struct Sink(Mutex<Vec<usize>>);

    impl Overflow<usize> for Sink {
        fn push_batch(&self, batch: impl Iterator<Item = usize>) {
            self.0.lock().unwrap().extend(batch);
        }
    }

    #[test]
    fn fifo_and_overflow() {
        let q = Queue::new();
        let sink = Sink(Mutex::new(Vec::new()));
        for i in 0..CAP + 1 {
            q.push(i, &sink);
        }
        let spilled = sink.0.lock().unwrap().clone();
        assert_eq!(spilled.len(), CAP / 2 + 1);
        assert_eq!(&spilled[..CAP / 2], &(0..CAP / 2).collect::<Vec<_>>()[..]);
        let mut rest = Vec::new();
        while let Some(v) = q.pop() {
            rest.push(v);
        }
        assert_eq!(rest, (CAP / 2..CAP).collect::<Vec<_>>());
    }

    #[test]
    fn steal_takes_half() {
        let (a, b) = (Queue::new(), Queue::new());
        let sink = Sink(Mutex::new(Vec::new()));
        for i in 0..10 {
            a.push(i, &sink);
        }
        assert_eq!(a.steal_into(&b), Some(4));
        assert_eq!(b.len(), 4);
        assert_eq!(a.len(), 5);
        assert_eq!(a.pop(), Some(5));
        assert_eq!(b.pop(), Some(0));
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::*;
    use crate::loom::{thread, Arc, Mutex};

    /// Counts what overflowed.
    struct Sink(Mutex<Vec<usize>>);

    impl Overflow<usize> for Sink {
        fn push_batch(&self, batch: impl Iterator<Item = usize>) {
            self.0.lock().unwrap().extend(batch);
        }
    }

    /// The owner pushes past capacity and pops while a stealer steals: every
    /// value comes out exactly once.
    #[test]
    fn loom_queue_push_pop_steal() {
        loom::model(|| {
            let q = Arc::new(Queue::new());
            let sink = Arc::new(Sink(Mutex::new(Vec::new())));
            let stealer = {
                let q = q.clone();
                thread::spawn(move || {
                    let mine = Queue::new();
                    let mut got = Vec::new();
                    got.extend(q.steal_into(&mine));
                    while let Some(v) = mine.pop() {
                        got.push(v);
                    }
                    got
                })
            };
            let total = CAP + 1;
            let mut got = Vec::new();
            for i in 0..total {
                q.push(i, &*sink);
                if i % 2 == 1 {
                    got.extend(q.pop());
                }
            }
            got.extend(stealer.join().unwrap());
            while let Some(v) = q.pop() {
                got.push(v);
            }
            got.extend(sink.0.lock().unwrap().iter().copied());
            got.sort_unstable();
            assert_eq!(got, (0..total).collect::<Vec<_>>());
        });
    }

    /// Two stealers race on one queue while its owner keeps pushing (and
    /// so reuses slots): nothing is lost, duplicated, or overwritten while a
    /// stealer still reads it.
    #[test]
    fn loom_queue_two_stealers() {
        loom::model(|| {
            let q = Arc::new(Queue::new());
            let sink = Sink(Mutex::new(Vec::new()));
            for i in 0..3 {
                q.push(i, &sink);
            }
            let spawn_stealer = |q: Arc<Queue<usize>>| {
                thread::spawn(move || {
                    let mine = Queue::new();
                    let mut got: Vec<usize> = q.steal_into(&mine).into_iter().collect();
                    while let Some(v) = mine.pop() {
                        got.push(v);
                    }
                    got
                })
            };
            let (a, b) = (spawn_stealer(q.clone()), spawn_stealer(q.clone()));
            let mut got = q.pop().into_iter().collect::<Vec<_>>();
            for i in 3..6 {
                q.push(i, &sink);
            }
            got.extend(a.join().unwrap());
            got.extend(b.join().unwrap());
            while let Some(v) = q.pop() {
                got.push(v);
            }
            got.extend(sink.0.lock().unwrap().iter().copied());
            got.sort_unstable();
            assert_eq!(got, (0..6).collect::<Vec<_>>());
        });
    }
}
