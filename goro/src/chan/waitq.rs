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
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Where an operation's done token lives.
pub(crate) enum Token {
    /// A lone send or receive: the signal is embedded, one allocation in all.
    Own(Signal),
    /// A select: all its cases share one signal, which the select keeps in
    /// an `Arc` while any of its ops is queued (`select/case_op.rs`); a
    /// counterpart that claims it takes its own reference first.
    Shared(NonNull<Signal>),
}

/// The shared part of one waiting case: its token and its slot.
///
/// A lone send or receive keeps its op in an `Arc` that its queue entry
/// shares (one allocation per wait); a select case's op lives in its
/// select's one allocation of ops, which the queue entry only points to
/// (see [`Entry`] and `select/arena.rs`).
pub(crate) struct Op<T> {
    /// The done token.
    token: Token,
    /// The value's destination (receiver) or source (sender).
    pub(crate) slot: Slot<T>,
}

// SAFETY: the token is a `Signal` (atomics and a locked waker: `Sync`) or
// a pointer to one that is valid whenever it is read (see `Token::Shared`);
// the slot is `Sync` for `T: Send` by the slot rule, and moving an op moves
// at most a `T`.
unsafe impl<T: Send> Send for Op<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Op<T> {}

impl<T> Op<T> {
    /// A waiting lone operation holding `value`, its signal embedded.
    pub(crate) fn new(token: Token, value: Option<T>) -> Arc<Self> {
        Arc::new(Op { token, slot: Slot::new(value) })
    }

    /// A select case's op for `signal`, holding `value`, for the case to
    /// place where it will stay while queued (`select/case_op.rs`).
    pub(crate) fn for_case(signal: &Arc<Signal>, value: Option<T>) -> Self {
        Op { token: Token::Shared(NonNull::from(&**signal)), slot: Slot::new(value) }
    }

    /// The done token. A select case's op must be queued (or popped by
    /// the caller under the lock): its select holds the signal then.
    pub(crate) fn signal(&self) -> &Signal {
        match &self.token {
            Token::Own(s) => s,
            // SAFETY: the select keeps the signal alive while its op is
            // queued (`Token::Shared`), which is when queues read it.
            Token::Shared(s) => unsafe { s.as_ref() },
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

/// Bit 0 of an entry's or a wake-up's pointer: set for a select case's op
/// (entry) or a select's signal (wake-up), clear for a lone op's `Arc`. Ops
/// and signals are word-aligned, so the bit is free; one tagged word keeps
/// an entry at two words and a wake-up at one, as when both were `Arc`s
/// (enums of the two cost the lone send and receive about 7 % of CPU).
const CASE: usize = 1;

/// One waiting case in a queue: its op and its index in the waiter's select.
pub(crate) struct Entry<T> {
    /// The op, [`CASE`]-tagged for a select case's. A lone op's entry owns
    /// one count of its `Arc` (`Arc::into_raw`). A select case's op lives
    /// in its select's arena, valid while queued: the select removes the
    /// entry under the channel lock before it frees or reuses the op,
    /// unless a counterpart popped it and decided the signal (then the
    /// counterpart's last access to the op precedes its claim, and it
    /// wakes through its own reference to the signal).
    /// Non-null, so that `Option<Entry<T>>` (a queue's `pop_front`) needs
    /// no extra word.
    op: NonNull<Op<T>>,
    /// The index of this case in the waiter's select (0 for a plain op).
    case: usize,
}

// SAFETY: an entry is a shared reference to an `Op<T>` (an `Arc` count, or
// a pointer that the owning case keeps valid while queued), used only
// under the channel lock; sending it to another thread moves `T`s through
// the slot, as `Arc<Op<T>>: Send` would for `T: Send`.
unsafe impl<T: Send> Send for Entry<T> {}

impl<T> Entry<T> {
    /// The entry of a lone send or receive (case 0), owning `op`'s count.
    #[inline]
    pub(crate) fn lone(op: Arc<Op<T>>) -> Self {
        let p = NonNull::from(&*op);
        let _ = Arc::into_raw(op); // the entry owns this count
        Entry { op: p, case: 0 }
    }

    /// The entry of select case `case`, whose op the case owns.
    ///
    /// # Safety
    ///
    /// `op` stays at its address and is not freed, moved or reused until
    /// the entry is removed under the channel lock ([`WaitQueue::remove_op`]),
    /// or until its owner saw its signal decided for `case` with Acquire
    /// (a counterpart popped the entry first).
    pub(crate) unsafe fn case(op: &Op<T>, case: usize) -> Self {
        Entry { op: NonNull::from(op).map_addr(|a| a | CASE), case }
    }

    /// True for a select case's op.
    #[inline]
    fn is_case(&self) -> bool {
        self.op.addr().get() & CASE != 0
    }

    /// The op's address, untagged.
    #[inline]
    fn ptr(&self) -> *const Op<T> {
        self.op.as_ptr().map_addr(|a| a & !CASE).cast_const()
    }

    /// The op.
    #[inline]
    fn op(&self) -> &Op<T> {
        // SAFETY: a lone op is kept alive by the count this entry owns; a
        // select case's op is valid while queued (`Entry::op`), and the
        // entry is in a queue or was just popped by this lock holder.
        unsafe { &*self.ptr() }
    }

    /// True if this entry points to `op`.
    fn is_op(&self, op: &Op<T>) -> bool {
        std::ptr::eq(self.ptr(), op)
    }

    /// Claims the signal for this case (the popper, under the lock); on
    /// success returns what wakes the waiter after unlocking, else the
    /// entry back. A select case's signal reference is taken before the
    /// claim: once the claim lands, the select may free or reuse its op.
    #[inline]
    fn try_select(self) -> Result<Woken<T>, Self> {
        if self.is_case() {
            return self.try_select_case();
        }
        if !self.op().signal().try_select(self.case) {
            return Err(self);
        }
        let op = std::mem::ManuallyDrop::new(self);
        Ok(Woken { ptr: NonNull::from(op.op()).cast(), _op: PhantomData }) // its count moves over
    }

    /// [`Entry::try_select`] for a select case's op.
    #[inline(never)]
    fn try_select_case(self) -> Result<Woken<T>, Self> {
        // SAFETY: popped by us under the lock, not yet claimed.
        let signal = unsafe { self.op().shared_signal() }.expect("goro::chan: a case op shares");
        if !self.op().signal().try_select(self.case) {
            return Err(self);
        }
        let ptr = NonNull::from(&*signal).cast::<()>().map_addr(|a| a | CASE);
        let _ = Arc::into_raw(signal); // its count moves into the `Woken`
        Ok(Woken { ptr, _op: PhantomData })
    }
}

impl<T> Drop for Entry<T> {
    fn drop(&mut self) {
        if !self.is_case() {
            // SAFETY: a lone entry owns one count of its op's `Arc` (`lone`).
            unsafe { Arc::decrement_strong_count(self.ptr()) };
        }
    }
}

/// A waiter a counterpart decided, to wake once the channel is unlocked:
/// a reference that keeps its signal alive until then. One tagged word:
/// a lone op's `Arc<Op<T>>` (the signal embedded), or, [`CASE`]-tagged, a
/// select's `Arc<Signal>`.
pub(crate) struct Woken<T> {
    /// The reference, from `Arc::into_raw`, tagged as above (non-null,
    /// so that `Option<Woken<T>>` is one word, as `Option<Arc<_>>` was).
    ptr: NonNull<()>,
    /// Owns an `Arc<Op<T>>` when untagged.
    _op: PhantomData<Arc<Op<T>>>,
}

// SAFETY: a `Woken` is an `Arc<Op<T>>` or an `Arc<Signal>`, which are
// `Send` and `Sync` for `T: Send`.
unsafe impl<T: Send> Send for Woken<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Woken<T> {}

impl<T> Woken<T> {
    /// Wakes the waiter, releasing the reference.
    #[inline]
    pub(crate) fn wake(self) {
        if self.ptr.addr().get() & CASE != 0 {
            return self.wake_case();
        }
        let me = std::mem::ManuallyDrop::new(self);
        // SAFETY: an untagged `Woken` owns an `Arc<Op<T>>` count.
        let op = unsafe { Arc::from_raw(me.ptr.as_ptr().cast::<Op<T>>()) };
        op.signal().wake();
    }

    /// The reference's address without its tag.
    fn untagged(&self) -> *const () {
        self.ptr.as_ptr().map_addr(|a| a & !CASE)
    }

    /// [`Woken::wake`] for a select's signal.
    #[inline(never)]
    fn wake_case(self) {
        let me = std::mem::ManuallyDrop::new(self);
        // SAFETY: a tagged `Woken` owns an `Arc<Signal>` count (above).
        let s = unsafe { Arc::from_raw(me.untagged().cast::<Signal>()) };
        s.wake();
    }
}

impl<T> Drop for Woken<T> {
    /// Releases the reference without waking (every path wakes a `Woken`;
    /// this only keeps a dropped one from leaking).
    fn drop(&mut self) {
        if self.ptr.addr().get() & CASE != 0 {
            // SAFETY: as in `wake`.
            drop(unsafe { Arc::from_raw(self.untagged().cast::<Signal>()) });
        } else {
            // SAFETY: as in `wake`.
            drop(unsafe { Arc::from_raw(self.ptr.as_ptr().cast::<Op<T>>()) });
        }
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

    /// Removes the entry of `op` (a lone operation's or a select case's)
    /// if still queued. It compares addresses and never reads the op. The
    /// front is tried first: a giving-up waiter's entry is usually its
    /// queue's oldest, and `pop_front` moves nothing.
    pub(crate) fn remove_op(&mut self, op: &Op<T>) {
        if self.entries.front().is_some_and(|e| e.is_op(op)) {
            self.entries.pop_front();
        } else if let Some(i) = self.entries.iter().position(|e| e.is_op(op)) {
            self.entries.remove(i);
        }
    }

    /// Hands `v` to the oldest live receiver; gives `v` back if there is none.
    /// On success returns the waiter to wake once the lock is released.
    /// Inlined for the uncontended send, which finds the queue empty.
    #[inline]
    pub(crate) fn offer(&mut self, v: T) -> Result<Woken<T>, T> {
        if self.entries.is_empty() {
            return Err(v);
        }
        self.offer_queued(v)
    }

    /// [`WaitQueue::offer`] once some entry is queued.
    #[inline(never)]
    fn offer_queued(&mut self, mut v: T) -> Result<Woken<T>, T> {
        while let Some(e) = self.entries.pop_front() {
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
    pub(crate) fn take(&mut self) -> Option<(T, Woken<T>)> {
        if self.entries.is_empty() {
            return None;
        }
        self.take_queued()
    }

    /// [`WaitQueue::take`] once some entry is queued.
    #[inline(never)]
    fn take_queued(&mut self) -> Option<(T, Woken<T>)> {
        while let Some(e) = self.entries.pop_front() {
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
    pub(crate) fn has_live_other(&self, me: &Signal) -> bool {
        self.entries
            .iter()
            .any(|e| !std::ptr::eq(e.op().signal(), me) && e.op().signal().is_waiting())
    }

    /// Decides every queued waiter (on close), leaving slots as they are, and
    /// returns the signals to wake.
    pub(crate) fn decide_all(&mut self) -> Vec<Woken<T>> {
        self.entries.drain(..).filter_map(|e| e.try_select().ok()).collect()
    }
}
