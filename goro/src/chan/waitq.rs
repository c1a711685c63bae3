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

use super::signal::{Decision, Lone, Signal, Slot};
use crate::loom::Arc;
use std::collections::VecDeque;
use std::ptr::NonNull;
use std::task::Waker;

/// Where an operation's done token lives.
pub(crate) enum Token {
    /// A lone send or receive: the token is embedded, its waker under the
    /// channel lock (`signal.rs`, [`Lone`]).
    Own(Lone),
    /// A select: all its cases share one signal, which the select keeps in
    /// an `Arc` while any of its ops is queued (`select/case_op.rs`); a
    /// counterpart that claims it takes its own reference first.
    Shared(NonNull<Signal>),
}

/// The shared part of one waiting case: its token and its slot.
///
/// A lone send or receive owns its op (`core.rs`, `Waiter`), which its
/// queue entry only points to; a select case's op lives in its select's
/// one allocation of ops, which the queue entry only points to too (see
/// [`Entry`] and `select/arena.rs`).
pub(crate) struct Op<T> {
    /// The done token.
    token: Token,
    /// The value's destination (receiver) or source (sender).
    pub(crate) slot: Slot<T>,
}

// SAFETY: the token is a `Lone` (an atomic, and a waker that only the
// holder of the channel lock touches) or a pointer to a `Signal` (atomics
// and a locked waker) that is valid whenever it is read (see
// `Token::Shared`); the slot is `Sync` for `T: Send` by the slot rule, and
// moving an op moves at most a `T` and a `Waker` (`Send`).
unsafe impl<T: Send> Send for Op<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Op<T> {}

impl<T> Op<T> {
    /// A waiting lone operation holding `value`, that will wake `waker`
    /// (see [`Lone::new`]).
    pub(crate) fn new_lone(waker: Option<&Waker>, value: Option<T>) -> Self {
        Op { token: Token::Own(Lone::new(waker)), slot: Slot::new(value) }
    }

    /// A select case's op for `signal`, holding `value`, for the case to
    /// place where it will stay while queued (`select/case_op.rs`).
    pub(crate) fn for_case(signal: &Arc<Signal>, value: Option<T>) -> Self {
        // `Arc::as_ptr`, not `&**signal`: the pointer must be allowed to
        // reach the reference counts beside the signal, which
        // `shared_signal` updates (a pointer from a `&Signal` covers the
        // signal alone, and Miri flags the count's update through it).
        let ptr = NonNull::new(Arc::as_ptr(signal).cast_mut()).expect("an Arc is not null");
        Op { token: Token::Shared(ptr), slot: Slot::new(value) }
    }

    /// The decision. A select case's op must be queued (or popped by the
    /// caller under the lock): its select holds the signal then.
    #[inline]
    pub(crate) fn decision(&self) -> &Decision {
        match &self.token {
            Token::Own(l) => l.decision(),
            // SAFETY: the select keeps the signal alive while its op is
            // queued (`Token::Shared`), which is when queues read it.
            Token::Shared(s) => unsafe { s.as_ref() }.decision(),
        }
    }

    /// A lone op's token (`None` for a select case's).
    #[inline]
    pub(crate) fn as_lone(&self) -> Option<&Lone> {
        match &self.token {
            Token::Own(l) => Some(l),
            Token::Shared(_) => None,
        }
    }

    /// A new reference to a select case's signal, to wake it after the
    /// lock is released; `None` for a lone op.
    ///
    /// # Safety
    ///
    /// The op is queued, or popped by the caller, who holds the lock and
    /// has not decided its signal: its select still holds the signal.
    unsafe fn shared_signal(&self) -> Option<Arc<Signal>> {
        let Token::Shared(s) = self.token else { return None };
        // SAFETY: `s` came from `Arc::as_ptr` of the select's `Arc`, alive
        // by the caller's contract; a count taken now keeps it alive.
        unsafe {
            Arc::increment_strong_count(s.as_ptr());
            Some(Arc::from_raw(s.as_ptr()))
        }
    }
}

/// One waiting case in a queue: its op and its index in the waiter's select.
pub(crate) struct Entry<T> {
    /// The op, which the entry does not own. A lone op's waiter frees it
    /// only after it saw its decision made by a counterpart (who popped
    /// the entry and touches the op no more after its claim) or after it
    /// removed the entry under the channel lock (`core.rs`, `Waiter`). A
    /// select case's op lives in its select's arena: the select removes
    /// the entry under the channel lock before it frees or reuses the op,
    /// unless a counterpart popped it and decided the signal (then the
    /// counterpart's last access to the op precedes its claim, and it
    /// wakes through its own reference to the signal).
    /// Non-null, so that `Option<Entry<T>>` (a queue's `pop_front`) needs
    /// no extra word.
    op: NonNull<Op<T>>,
    /// The index of this case in the waiter's select (0 for a plain op).
    case: usize,
}

// SAFETY: an entry is a shared reference to an `Op<T>` that its owner
// keeps valid while queued, used only under the channel lock; sending it
// to another thread moves `T`s through the slot, as `&Op<T>: Send` would
// for `T: Send`.
unsafe impl<T: Send> Send for Entry<T> {}

impl<T> Entry<T> {
    /// The entry of queued op `op`, as case `case` of its waiter.
    ///
    /// # Safety
    ///
    /// `op` stays at its address and is not freed, moved or reused until
    /// the entry is removed under the channel lock ([`WaitQueue::remove_op`]),
    /// or until its owner saw its decision made for `case` with Acquire
    /// (a counterpart popped the entry first).
    #[inline]
    pub(crate) unsafe fn new(op: &Op<T>, case: usize) -> Self {
        Entry { op: NonNull::from(op), case }
    }

    /// The op.
    #[inline]
    fn op(&self) -> &Op<T> {
        // SAFETY: the op is valid while queued (`Entry::op`), and the entry
        // is in a queue or was just popped by this lock holder.
        unsafe { self.op.as_ref() }
    }

    /// True if this entry points to `op`.
    fn is_op(&self, op: &Op<T>) -> bool {
        std::ptr::eq(self.op.as_ptr(), op)
    }

    /// Claims the op's decision for this case (the popper, under the
    /// lock); on success returns what wakes the waiter after unlocking,
    /// else the entry back. Nothing of the op is touched once the claim
    /// lands: a lone op's waker is taken before it (and put back if the
    /// claim is lost), a select's signal reference too.
    #[inline]
    fn try_select(self) -> Result<Woken, Self> {
        let Some(lone) = self.op().as_lone() else { return self.try_select_case() };
        // SAFETY: we hold the channel lock where the op waits.
        let waker = unsafe { lone.put_waker(None) };
        if lone.decision().try_select(self.case) {
            // No waker: its thread watches the decision (`park.rs`); `noop`
            // keeps the wake-up a plain `Waker` (two words, as an `Option`).
            return Ok(Woken(waker.unwrap_or_else(|| Waker::noop().clone())));
        }
        // SAFETY: as above; the lost claim leaves the waker to its owner.
        unsafe { lone.put_waker(waker) };
        Err(self)
    }

    /// [`Entry::try_select`] for a select case's op.
    #[inline(never)]
    fn try_select_case(self) -> Result<Woken, Self> {
        // SAFETY: popped by us under the lock, not yet claimed.
        let signal = unsafe { self.op().shared_signal() }.expect("goro::chan: a case op shares");
        if !signal.try_select(self.case) {
            return Err(self);
        }
        Ok(Woken(Signal::into_waker(signal)))
    }
}

/// A waiter a counterpart decided, to wake once the channel is unlocked:
/// a lone op's waker (taken from the op before the claim), or a waker
/// owning a reference to a select's signal ([`Signal::into_waker`]).
#[must_use = "a decided waiter must be woken"]
pub(crate) struct Woken(Waker);

impl Woken {
    /// Wakes the waiter.
    #[inline]
    pub(crate) fn wake(self) {
        self.0.wake();
    }
}

/// FIFO of waiting cases, oldest first (Go's fairness between waiters).
///
/// The oldest entry is kept inline, next to the rest of the channel's
/// state, and only the others in a `VecDeque`: the usual queue holds one
/// waiter, and its counterpart then reads the entry from the line it
/// took with the lock instead of from the deque's buffer, which the
/// waiter wrote last. Invariant: `rest` is empty while `head` is `None`.
pub(crate) struct WaitQueue<T> {
    /// The oldest entry.
    head: Option<Entry<T>>,
    /// The others, oldest at the front.
    rest: VecDeque<Entry<T>>,
}

impl<T> WaitQueue<T> {
    /// An empty queue.
    pub(crate) fn new() -> Self {
        WaitQueue { head: None, rest: VecDeque::new() }
    }

    /// True if no entry is queued (stale ones included).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Queues a waiting case.
    pub(crate) fn push(&mut self, entry: Entry<T>) {
        if self.head.is_none() {
            self.head = Some(entry);
        } else {
            self.rest.push_back(entry);
        }
    }

    /// Takes the oldest entry.
    #[inline]
    fn pop_front(&mut self) -> Option<Entry<T>> {
        let e = self.head.take()?;
        if !self.rest.is_empty() {
            self.head = self.rest.pop_front();
        }
        Some(e)
    }

    /// The entries, oldest first.
    fn iter(&self) -> impl Iterator<Item = &Entry<T>> {
        self.head.iter().chain(self.rest.iter())
    }

    /// Removes the entry of `op` (a lone operation's or a select case's)
    /// if still queued. It compares addresses and never reads the op. The
    /// front is tried first: a giving-up waiter's entry is usually its
    /// queue's oldest.
    pub(crate) fn remove_op(&mut self, op: &Op<T>) {
        if self.head.as_ref().is_some_and(|e| e.is_op(op)) {
            self.pop_front();
        } else if let Some(i) = self.rest.iter().position(|e| e.is_op(op)) {
            self.rest.remove(i);
        }
    }

    /// Hands `v` to the oldest live receiver; gives `v` back if there is none.
    /// On success returns the waiter to wake once the lock is released.
    /// Inlined for the uncontended send, which finds the queue empty.
    #[inline]
    pub(crate) fn offer(&mut self, v: T) -> Result<Woken, T> {
        if self.is_empty() {
            return Err(v);
        }
        self.offer_queued(v)
    }

    /// [`WaitQueue::offer`] once some entry is queued.
    #[inline(never)]
    fn offer_queued(&mut self, mut v: T) -> Result<Woken, T> {
        while let Some(e) = self.pop_front() {
            // SAFETY: slot rule 2: we popped this entry and hold the
            // channel lock (`&mut self` is the locked state's queue).
            unsafe { e.op().slot.put(v) };
            let e = match e.try_select() {
                Ok(w) => return Ok(w),
                Err(e) => e,
            };
            // SAFETY: as above; still inside the same critical section.
            v = unsafe { e.op().slot.take() }.expect("goro::chan: a lost offer keeps its value");
        }
        Err(v)
    }

    /// Takes the value of the oldest live sender, with the waiter to wake.
    /// Inlined for the uncontended receive, which finds the queue empty.
    #[inline]
    pub(crate) fn take(&mut self) -> Option<(T, Woken)> {
        if self.is_empty() {
            return None;
        }
        self.take_queued()
    }

    /// [`WaitQueue::take`] once some entry is queued.
    #[inline(never)]
    fn take_queued(&mut self) -> Option<(T, Woken)> {
        while let Some(e) = self.pop_front() {
            // SAFETY: slot rule 2: we popped this entry and hold the
            // channel lock (`&mut self` is the locked state's queue).
            let Some(v) = (unsafe { e.op().slot.take() }) else { continue };
            let e = match e.try_select() {
                Ok(w) => return Some((v, w)),
                Err(e) => e,
            };
            // SAFETY: as above; still inside the same critical section.
            unsafe { e.op().slot.put(v) };
        }
        None
    }

    /// True if some undecided waiter other than `me` is queued.
    pub(crate) fn has_live_other(&self, me: &Decision) -> bool {
        self.iter().any(|e| !std::ptr::eq(e.op().decision(), me) && e.op().decision().is_waiting())
    }

    /// Decides every queued waiter (on close), leaving slots as they are, and
    /// returns the signals to wake.
    pub(crate) fn decide_all(&mut self) -> Vec<Woken> {
        let all = self.head.take().into_iter().chain(self.rest.drain(..));
        all.filter_map(|e| e.try_select().ok()).collect()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// Lone ops holding `0..n`, none with a waker.
    fn ops(n: u32) -> Vec<Op<u32>> {
        (0..n).map(|i| Op::new_lone(None, Some(i))).collect()
    }

    /// A queue of `ops`' entries, oldest first.
    fn queue(ops: &[Op<u32>]) -> WaitQueue<u32> {
        let mut q = WaitQueue::new();
        // SAFETY: the ops are the test's and stay in place until it ends,
        // after the queue is done with them.
        ops.iter().for_each(|op| q.push(unsafe { Entry::new(op, 0) }));
        q
    }

    /// The oldest waiting sender's value, its waiter woken.
    fn take(q: &mut WaitQueue<u32>) -> Option<u32> {
        q.take().map(|(v, w)| {
            w.wake();
            v
        })
    }

    /// Values come out oldest first, across the inline head and the rest,
    /// and a queue emptied fills its head again.
    #[test]
    fn take_is_fifo_across_head_and_rest() {
        let ops = ops(4);
        let mut q = queue(&ops[..3]);
        assert_eq!(take(&mut q), Some(0));
        // SAFETY: as in `queue`.
        q.push(unsafe { Entry::new(&ops[3], 0) });
        let rest: Vec<u32> = std::iter::from_fn(|| take(&mut q)).collect();
        assert_eq!(rest, [1, 2, 3]);
        assert!(q.is_empty());
        let again = self::ops(1);
        let mut q = queue(&again);
        assert_eq!(take(&mut q), Some(0));
    }

    /// Removing the head makes the next oldest the head; removing from
    /// the rest keeps the order of the others.
    #[test]
    fn removing_the_head_promotes_the_next_oldest() {
        let ops = ops(4);
        let mut q = queue(&ops);
        q.remove_op(&ops[0]);
        q.remove_op(&ops[2]);
        assert_eq!(take(&mut q), Some(1));
        assert_eq!(take(&mut q), Some(3));
        assert!(q.is_empty() && take(&mut q).is_none());
    }

    /// Close's `decide_all` decides the head and the rest alike.
    #[test]
    fn decide_all_takes_head_and_rest() {
        let ops = ops(3);
        let mut q = queue(&ops);
        let woken = q.decide_all();
        assert_eq!(woken.len(), 3);
        woken.into_iter().for_each(Woken::wake);
        assert!(q.is_empty());
        assert!(ops.iter().all(|op| op.decision().selected() == Some(0)));
    }
}
