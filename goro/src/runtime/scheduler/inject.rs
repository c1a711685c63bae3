//! The global run queue: Go's `sched.runq`.
//!
//! Goroutines land here when they are spawned or woken off the runtime's
//! workers (a plain thread, the blocking pool, the fallback timer thread, a
//! `block_on` main goroutine), when a local queue overflows, and when a
//! processor's work is handed off. Workers take from it in batches (Go's
//! `globrunqget`) when their local queue is empty, and every 61st tick so
//! that it never starves.
//!
//! A mutex-protected deque is enough: every path that reaches it is already
//! a slow path or is amortised by batching. `len` is mirrored in an atomic so
//! that the hot "is it empty?" check takes no lock.

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::Mutex;
use std::collections::VecDeque;

/// A FIFO shared by all workers of one runtime.
pub(crate) struct Inject<T> {
    /// The goroutines, oldest first.
    queue: Mutex<VecDeque<T>>,
    /// `queue.len()`, readable without the lock.
    len: AtomicUsize,
}

impl<T> Inject<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        Inject { queue: Mutex::new(VecDeque::new()), len: AtomicUsize::new(0) }
    }

    /// Locks the deque, shrugging off poison (no code panics under the lock).
    fn lock(&self) -> crate::loom::MutexGuard<'_, VecDeque<T>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The number of queued goroutines (racy).
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire) // pairs with the Release stores under the lock
    }

    /// Whether nothing is queued (racy).
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one goroutine.
    pub(crate) fn push(&self, value: T) {
        let mut q = self.lock();
        q.push_back(value);
        self.len.store(q.len(), Ordering::Release); // publishes non-emptiness to lock-free readers
    }

    /// Appends a batch, in order, under one lock.
    pub(crate) fn push_all(&self, batch: impl Iterator<Item = T>) {
        let mut q = self.lock();
        q.extend(batch);
        self.len.store(q.len(), Ordering::Release); // as in push
    }

    /// Takes up to `max` goroutines, oldest first: the first is returned,
    /// the rest handed to `rest`, which runs under the lock and so must never
    /// push back here (callers collect the batch and queue it after).
    pub(crate) fn pop_batch(&self, max: usize, mut rest: impl FnMut(T)) -> Option<T> {
        if self.is_empty() {
            return None;
        }
        let mut q = self.lock();
        let first = q.pop_front();
        for _ in 1..max {
            match q.pop_front() {
                Some(v) => rest(v),
                None => break,
            }
        }
        self.len.store(q.len(), Ordering::Release); // as in push
        first
    }

    /// Takes everything (shutdown).
    pub(crate) fn drain(&self) -> VecDeque<T> {
        let mut q = self.lock();
        self.len.store(0, Ordering::Release); // as in push
        std::mem::take(&mut *q)
    }
}

impl<T> super::queue::Overflow<T> for Inject<T> {
    fn push_batch(&self, batch: impl Iterator<Item = T>) {
        self.push_all(batch);
    }
}
