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

use super::signal::{Signal, Slot};
use crate::loom::Arc;
use std::collections::VecDeque;

/// Where an operation's done token lives.
pub(crate) enum Token {
    /// A lone send or receive: the signal is embedded, one allocation in all.
    Own(Signal),
    /// A select: all its cases share one signal.
    Shared(Arc<Signal>),
}

/// The shared part of one waiting case: its token and its slot (one
/// allocation per waiting operation).
pub(crate) struct Op<T> {
    /// The done token.
    token: Token,
    /// The value's destination (receiver) or source (sender).
    pub(crate) slot: Slot<T>,
}

impl<T> Op<T> {
    /// A waiting case of `token` holding `value`.
    pub(crate) fn new(token: Token, value: Option<T>) -> Arc<Self> {
        Arc::new(Op { token, slot: Slot::new(value) })
    }

    /// The done token.
    pub(crate) fn signal(&self) -> &Signal {
        match &self.token {
            Token::Own(s) => s,
            Token::Shared(s) => s,
        }
    }
}

/// One waiting case in a queue: its op and its index in the waiter's select.
pub(crate) struct Entry<T> {
    /// Token and slot.
    pub(crate) op: Arc<Op<T>>,
    /// The index of this case in the waiter's select (0 for a plain op).
    pub(crate) case: usize,
}

impl<T> Entry<T> {
    /// True if this entry belongs to `signal`'s case `case`.
    fn is(&self, signal: &Signal, case: usize) -> bool {
        std::ptr::eq(self.op.signal(), signal) && self.case == case
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
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Queues a waiting case.
    pub(crate) fn push(&mut self, entry: Entry<T>) {
        self.entries.push_back(entry);
    }

    /// Removes `signal`'s case `case` if still queued.
    pub(crate) fn remove(&mut self, signal: &Signal, case: usize) {
        if let Some(i) = self.entries.iter().position(|e| e.is(signal, case)) {
            self.entries.remove(i);
        }
    }

    /// Hands `v` to the oldest live receiver; gives `v` back if there is none.
    /// On success returns the signal to wake once the lock is released.
    /// Inlined for the uncontended send, which finds the queue empty.
    #[inline]
    pub(crate) fn offer(&mut self, v: T) -> Result<Arc<Op<T>>, T> {
        if self.entries.is_empty() {
            return Err(v);
        }
        self.offer_queued(v)
    }

    /// [`WaitQueue::offer`] once some entry is queued.
    #[inline(never)]
    fn offer_queued(&mut self, mut v: T) -> Result<Arc<Op<T>>, T> {
        while let Some(e) = self.entries.pop_front() {
            // SAFETY: slot rule 2: we popped this entry and hold the
            // channel lock (`&mut self` is the locked state's queue).
            unsafe { e.op.slot.put(v) };
            if e.op.signal().try_select(e.case) {
                return Ok(e.op);
            }
            // SAFETY: as above; still inside the same critical section.
            v = unsafe { e.op.slot.take() }.expect("goro::chan: a lost offer keeps its value");
        }
        Err(v)
    }

    /// Takes the value of the oldest live sender, with the signal to wake.
    /// Inlined for the uncontended receive, which finds the queue empty.
    #[inline]
    pub(crate) fn take(&mut self) -> Option<(T, Arc<Op<T>>)> {
        if self.entries.is_empty() {
            return None;
        }
        self.take_queued()
    }

    /// [`WaitQueue::take`] once some entry is queued.
    #[inline(never)]
    fn take_queued(&mut self) -> Option<(T, Arc<Op<T>>)> {
        while let Some(e) = self.entries.pop_front() {
            // SAFETY: slot rule 2: we popped this entry and hold the
            // channel lock (`&mut self` is the locked state's queue).
            let Some(v) = (unsafe { e.op.slot.take() }) else { continue };
            if e.op.signal().try_select(e.case) {
                return Some((v, e.op));
            }
            // SAFETY: as above; still inside the same critical section.
            unsafe { e.op.slot.put(v) };
        }
        None
    }

    /// True if some undecided waiter other than `me` is queued.
    pub(crate) fn has_live_other(&self, me: &Signal) -> bool {
        self.entries.iter().any(|e| !std::ptr::eq(e.op.signal(), me) && e.op.signal().is_waiting())
    }

    /// Decides every queued waiter (on close), leaving slots as they are, and
    /// returns the signals to wake.
    pub(crate) fn decide_all(&mut self) -> Vec<Arc<Op<T>>> {
        self.entries.drain(..).filter(|e| e.op.signal().try_select(e.case)).map(|e| e.op).collect()
    }
}
