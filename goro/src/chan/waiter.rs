//! `Waiter<T>`: the queued op of a lone send or receive, owned by its
//! future (Go's `sudog` of a plain `chansend` / `chanrecv`).
//!
//! The op is one allocation whose address sits in the channel's queue
//! (`waitq.rs`, `Entry`); it has no reference count. The waiter frees it
//! once it is *unlinked*, i.e. once no counterpart can reach it again:
//!
//! - its decision was seen made (Acquire): the decider popped the entry
//!   (a counterpart, or `close`, which drains the queue) and, having taken
//!   the waker before its claim, touches the op no more after it;
//! - or its abort won and its entry was then removed under the channel
//!   lock, so any counterpart that had popped it has left its critical
//!   section (`WaitQueue::remove_op`).
//!
//! A `Waiter` dropped before it is unlinked leaks its op rather than free
//! it under a counterpart (no path does: the futures abort first). The
//! slot is read through [`Waiter::take`] only once unlinked, which is
//! the slot rule's case 3 (`signal.rs`, `Slot`).

use super::lock::ChanLock;
use super::waitq::{Entry, Op};
use std::ptr::NonNull;
use std::task::Waker;

/// A lone operation's queued op, owned here.
pub(crate) struct Waiter<T> {
    /// The op, from `Box::into_raw`; freed by `drop` once unlinked.
    op: NonNull<Op<T>>,
    /// No counterpart can reach the op any more (module docs).
    unlinked: bool,
}

// SAFETY: a `Waiter` owns its op (a `Box` in all but aliasing), and
// `Op<T>` is `Send` and `Sync` for `T: Send`.
unsafe impl<T: Send> Send for Waiter<T> {}
// SAFETY: as above; `&Waiter` reads the op only through `&Op<T>`.
unsafe impl<T: Send> Sync for Waiter<T> {}

impl<T> Waiter<T> {
    /// A fresh waiter holding `value`, that will wake `waker`, with the
    /// entry to queue under the lock the caller holds.
    #[inline]
    pub(crate) fn new(waker: &Waker, value: Option<T>) -> (Self, Entry<T>) {
        let op = NonNull::from(Box::leak(Box::new(Op::new_lone(waker, value))));
        let w = Waiter { op, unlinked: false };
        // SAFETY: the op stays where it is until `drop`, which frees it only
        // once unlinked: its decision seen, or its entry removed (`new`'s
        // contract).
        let entry = unsafe { Entry::new(w.op(), 0) };
        (w, entry)
    }

    /// The op.
    #[inline]
    pub(crate) fn op(&self) -> &Op<T> {
        // SAFETY: owned and alive until `drop`.
        unsafe { self.op.as_ref() }
    }

    /// True once a counterpart or `close` decided the op (then unlinked).
    /// Otherwise makes sure that the op will wake `waker`, under the lock
    /// of the channel where it waits, and checks again, so that a decision
    /// made meanwhile is not missed. A waiter woken by its decider, the
    /// usual re-poll, takes no lock.
    #[inline]
    pub(crate) fn is_decided(&mut self, lock: &ChanLock, waker: &Waker) -> bool {
        if self.op().decision().selected().is_none() {
            self.rewake(lock, waker);
            if self.op().decision().selected().is_none() {
                return false;
            }
        }
        self.unlinked = true;
        true
    }

    /// Makes the op wake `waker` if it holds another (a re-poll from a new
    /// context, or a spurious one).
    #[inline(never)]
    fn rewake(&self, lock: &ChanLock, waker: &Waker) {
        let lone = self.op().as_lone().expect("goro::chan: a waiter's op is lone");
        let guard = lock.lock();
        // SAFETY: we hold the lock of the channel where the op waits.
        let old = unsafe { lone.put_waker(None) };
        let old = match old {
            Some(w) if w.will_wake(waker) => {
                // SAFETY: as above.
                unsafe { lone.put_waker(Some(w)) };
                None
            }
            // SAFETY: as above.
            _ => unsafe { lone.put_waker(Some(waker.clone())) },
        };
        drop(guard);
        drop(old); // a waker's drop runs outside the lock
    }

    /// Gives up: true if the abort won, and then `unregister` removed the
    /// entry (under the channel lock); false if a decision came first.
    /// Unlinked either way.
    pub(crate) fn abort(&mut self, unregister: impl FnOnce(&Op<T>)) -> bool {
        let aborted = self.op().decision().try_abort();
        if aborted {
            unregister(self.op());
        }
        self.unlinked = true;
        aborted
    }

    /// Takes the slot's value, once unlinked.
    pub(crate) fn take(&mut self) -> Option<T> {
        assert!(self.unlinked, "goro::chan: a queued waiter's slot read early");
        // SAFETY: slot rule 3: unlinked means the decision was seen with
        // Acquire (3a) or the entry was removed under the lock (3b).
        unsafe { self.op().slot.take() }
    }
}

impl<T> Drop for Waiter<T> {
    fn drop(&mut self) {
        if self.unlinked {
            // SAFETY: from `Box::leak` in `new`; unlinked, so no counterpart
            // can reach it any more (module docs).
            drop(unsafe { Box::from_raw(self.op.as_ptr()) });
        }
    }
}
