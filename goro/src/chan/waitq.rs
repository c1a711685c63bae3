//! A channel's queue of waiting senders or receivers: Go's `waitq` of
//! `sudog`s.
//!
//! Entries are pushed by waiters that registered and popped by counterparts,
//! always under the channel lock. An entry is live while its signal is
//! undecided; a popped entry whose signal was already decided (its select
//! completed elsewhere, or its waiter gave up) is stale and dropped, as Go's
//! `dequeue` skips sudogs whose `selectDone` it loses.
//!
//! Handing a value over follows the slot rule of `README.md`: write the slot,
//! then claim the signal; on a lost claim, take the value back. So a value is
//! either in the winner's slot or back in the counterpart's hands, never both.

use super::signal::{self, Signal, Slot};
use crate::loom::Arc;
use std::collections::VecDeque;

/// One waiting case: who waits, for which of its cases, and where its value is.
pub(crate) struct Entry<T> {
    /// The waiter's done token, shared by all its cases.
    pub(crate) signal: Arc<Signal>,
    /// The index of this case in the waiter's select (0 for a plain op).
    pub(crate) case: usize,
    /// The value's destination (receiver) or source (sender).
    pub(crate) slot: Arc<Slot<T>>,
}

impl<T> Entry<T> {
    /// True if this entry belongs to `signal`'s case `case`.
    fn is(&self, signal: &Arc<Signal>, case: usize) -> bool {
        Arc::ptr_eq(&self.signal, signal) && self.case == case
    }
}

/// FIFO of waiting cases, oldest first (Go's fairness between waiters).
pub(crate) struct WaitQueue<T> {
    /// The entries, oldest at the front.
    entries: VecDeque<Entry<T>>,
}

impl<T> WaitQueue<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        WaitQueue { entries: VecDeque::new() }
    }

    /// True if no entry is queued (stale ones included).
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Queues a waiting case.
    pub(crate) fn push(&mut self, entry: Entry<T>) {
        self.entries.push_back(entry);
    }

    /// Removes `signal`'s case `case` if still queued.
    pub(crate) fn remove(&mut self, signal: &Arc<Signal>, case: usize) {
        if let Some(i) = self.entries.iter().position(|e| e.is(signal, case)) {
            self.entries.remove(i);
        }
    }

    /// Hands `v` to the oldest live receiver; gives `v` back if there is none.
    /// On success returns the signal to wake once the lock is released.
    pub(crate) fn offer(&mut self, mut v: T) -> Result<Arc<Signal>, T> {
        while let Some(e) = self.entries.pop_front() {
            signal::put(&e.slot, v);
            if e.signal.try_select(e.case) {
                return Ok(e.signal);
            }
            v = signal::take(&e.slot).expect("goro::chan: a lost offer keeps its value");
        }
        Err(v)
    }

    /// Takes the value of the oldest live sender, with the signal to wake.
    pub(crate) fn take(&mut self) -> Option<(T, Arc<Signal>)> {
        while let Some(e) = self.entries.pop_front() {
            let Some(v) = signal::take(&e.slot) else { continue };
            if e.signal.try_select(e.case) {
                return Some((v, e.signal));
            }
            signal::put(&e.slot, v);
        }
        None
    }

    /// True if some undecided waiter other than `me` is queued.
    pub(crate) fn has_live_other(&self, me: &Arc<Signal>) -> bool {
        self.entries.iter().any(|e| !Arc::ptr_eq(&e.signal, me) && e.signal.is_waiting())
    }

    /// Decides every queued waiter (on close), leaving slots as they are, and
    /// returns the signals to wake.
    pub(crate) fn decide_all(&mut self) -> Vec<Arc<Signal>> {
        self.entries.drain(..).filter(|e| e.signal.try_select(e.case)).map(|e| e.signal).collect()
    }
}
