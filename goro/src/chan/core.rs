//! The channel itself: Go's `hchan`, one lock around a buffer and two wait
//! queues.
//!
//! All three flavours share this code; they differ only in `cap`:
//! `0` is a rendezvous (the buffer stays empty and values pass from slot to
//! slot), `n` is a bounded ring of exactly `n`, and `usize::MAX` is unbounded.
//!
//! Invariants, under the lock (as in Go's `chan.go`):
//! - if `recvq` holds a live entry, `buf` is empty;
//! - if `sendq` holds a live entry, `buf` is full (`len >= cap`);
//! - once `closed`, nothing is pushed to either queue and both are empty;
//! - `buf` may exceed `cap` only by values handed back by cancelled
//!   receivers (see [`Chan::give_back`]), which go to its front.
//!
//! Wake-ups happen after the lock is released, and only when a waiter was
//! decided, so an operation that meets nobody wakes nobody.

use super::lock::{ChanGuard, ChanLock, Locked};
use super::waiter::Waiter;
use super::waitq::{Entry, Op, WaitQueue, Woken};
use crate::debug::hold::LastUsers;
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::Arc;
use crate::runtime::current::will_park_on;
use crate::runtime::goroutine::meta::WaitOn;
use crate::runtime::WaitReason;
use std::collections::VecDeque;
use std::panic::Location;
use std::task::Waker;

/// What a send did right now.
pub(crate) enum SendNow<T> {
    /// The value is in the buffer or in a receiver's hands.
    Sent,
    /// The buffer is full and no receiver waits.
    Full(T),
    /// The channel is closed or every receiver is gone.
    Closed(T),
}

/// What a receive did right now.
pub(crate) enum RecvNow<T> {
    /// A value.
    Value(T),
    /// Nothing buffered and no sender waits.
    Empty,
    /// Closed and drained.
    Closed,
}

/// The state the lock protects.
///
/// `repr(C)`, in this order: the buffer's header, which every buffered
/// operation writes, first; the flags, read by every operation, last, on
/// the lock's line (see [`Chan`]).
#[repr(C)]
struct State<T> {
    /// Buffered values, oldest first.
    buf: VecDeque<T>,
    /// Waiting receivers.
    recvq: WaitQueue<T>,
    /// Waiting senders.
    sendq: WaitQueue<T>,
    /// Closed by `close()` or by the last sender's drop.
    closed: bool,
    /// Every receiver is gone: sends fail.
    no_receivers: bool,
}

/// A channel shared by its senders and receivers.
///
/// `repr(C)`, and so is everything in it, for where the hot words sit:
///
/// - `users`, written on every operation, comes first, beside the
///   buffer's header, which every buffered operation writes too. Left to
///   the compiler, it landed beside `cap`, which both sides read on every
///   operation, and made that line bounce between them.
/// - The lock word ends the state ([`Locked`]), more than a cache line past
///   those written words, whatever the allocation's alignment. With the
///   lock on their line, `seq` and spsc/mpsc boundedN took 12–15 %
///   longer, at the same instruction count (`BENCHMARKS.md`, "The
///   lock's cache line"). A lock on a line of its own measured level with
///   this layout and costs a line per channel.
///   `the_lock_word_sits_a_line_past_what_its_holder_writes` checks this.
#[repr(C)]
pub(crate) struct Chan<T> {
    /// The last goroutine on each side, for the deadlock report.
    users: LastUsers,
    /// Buffer, flags and wait queues, behind the channel lock.
    state: Locked<State<T>>,
    /// Capacity: 0 rendezvous, `usize::MAX` unbounded.
    cap: usize,
    /// Live `Sender`s; the last one to go closes the channel.
    senders: AtomicUsize,
    /// Live `Receiver`s; the last one to go fails all sends.
    receivers: AtomicUsize,
    /// Run once, when the last `Receiver` goes: a timer channel's stop
    /// (`time::after`, `time::tick`). Read only then, so it sits past
    /// everything an operation touches.
    on_no_receivers: Option<ReceiversGone>,
}

/// What a channel runs when its last receiver is gone.
pub(crate) type ReceiversGone = Box<dyn Fn() + Send + Sync>;

impl<T> Chan<T> {
    /// A channel of capacity `cap` with the given handle counts.
    pub(crate) fn new(cap: usize, senders: usize) -> Arc<Self> {
        Self::with_hook(cap, senders, None)
    }

    /// [`Chan::new`], running `gone` once its last receiver is gone.
    pub(crate) fn with_hook(cap: usize, senders: usize, gone: Option<ReceiversGone>) -> Arc<Self> {
        let buf = VecDeque::with_capacity(if cap == usize::MAX { 0 } else { cap });
        let state = State {
            buf,
            closed: false,
            no_receivers: false,
            recvq: WaitQueue::new(),
            sendq: WaitQueue::new(),
        };
        Arc::new(Chan {
            state: Locked::new(state),
            cap,
            senders: AtomicUsize::new(senders),
            receivers: AtomicUsize::new(1),
            users: LastUsers::default(),
            on_no_receivers: gone,
        })
    }

    /// Runs `f` on the state under the channel lock.
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        self.state.with(f)
    }

    /// The channel lock, for select's snapshot.
    pub(crate) fn chan_lock(&self) -> &ChanLock {
        self.state.lock()
    }

    /// The capacity.
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// Values in the buffer.
    pub(crate) fn len(&self) -> usize {
        self.with(|st| st.buf.len())
    }

    /// True once closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.with(|st| st.closed)
    }

    /// Sends if possible without waiting: Go's `chansend` fast paths.
    #[inline]
    pub(crate) fn try_send(&self, v: T) -> SendNow<T> {
        let (now, wake) = self.with(|st| self.send_locked(st, v));
        wake_opt(wake);
        now
    }

    /// [`Chan::try_send`] under a lock the caller holds (select's snapshot);
    /// the waiter to wake is returned, to wake after unlocking.
    #[inline]
    pub(crate) fn try_send_held(&self, g: &mut ChanGuard<'_>, v: T) -> (SendNow<T>, Option<Woken>) {
        self.state.with_guard(g, |st| self.send_locked(st, v))
    }

    /// The send step under the lock; returns the waiter to wake, if any.
    /// Inlined: with an empty `recvq` it is a few loads and a `push_back`.
    #[inline]
    fn send_locked(&self, st: &mut State<T>, v: T) -> (SendNow<T>, Option<Woken>) {
        self.users.sent();
        // `|`, not `||`: the two adjacent flags are tested with one load.
        if st.closed | st.no_receivers {
            return (SendNow::Closed(v), None);
        }
        let v = match st.recvq.offer(v) {
            Ok(sig) => return (SendNow::Sent, Some(sig)),
            Err(v) => v,
        };
        if st.buf.len() < self.cap {
            st.buf.push_back(v);
            return (SendNow::Sent, None);
        }
        (SendNow::Full(v), None)
    }

    /// Receives if possible without waiting: Go's `chanrecv` fast paths.
    #[inline]
    pub(crate) fn try_recv(&self) -> RecvNow<T> {
        let (now, wake) = self.with(|st| self.recv_locked(st));
        wake_opt(wake);
        now
    }

    /// [`Chan::try_recv`] under a lock the caller holds (select's snapshot);
    /// the waiter to wake is returned, to wake after unlocking.
    #[inline]
    pub(crate) fn try_recv_held(&self, g: &mut ChanGuard<'_>) -> (RecvNow<T>, Option<Woken>) {
        self.state.with_guard(g, |st| self.recv_locked(st))
    }

    /// The receive step under the lock; returns the waiter to wake, if any.
    /// Inlined: with an empty `sendq` it is a `pop_front` and two tests.
    #[inline]
    fn recv_locked(&self, st: &mut State<T>) -> (RecvNow<T>, Option<Woken>) {
        self.users.received();
        if let Some(v) = st.buf.pop_front() {
            // A waiting sender's value moves into the freed place (Go's recv
            // on a full buffered channel). Testing `sendq` first keeps the
            // usual case, no sender waiting, free of the call.
            let refill = !st.sendq.is_empty() && st.buf.len() < self.cap;
            let wake = if refill { self.refill(st) } else { None };
            return (RecvNow::Value(v), wake);
        }
        if let Some((v, sig)) = st.sendq.take() {
            return (RecvNow::Value(v), Some(sig));
        }
        (if st.closed { RecvNow::Closed } else { RecvNow::Empty }, None)
    }

    /// Moves the oldest waiting sender's value into the buffer.
    #[inline(never)]
    fn refill(&self, st: &mut State<T>) -> Option<Woken> {
        let (v, sig) = st.sendq.take()?;
        st.buf.push_back(v);
        Some(sig)
    }

    /// Sends now, or queues a waiting send of `v` that will wake `waker`
    /// (none: see [`Waiter::new`]).
    #[inline]
    pub(crate) fn send_or_wait(
        &self,
        v: T,
        waker: Option<&Waker>,
    ) -> Result<SendNow<T>, Waiter<T>> {
        let r = self.with(|st| match self.send_locked(st, v) {
            (SendNow::Full(v), _) => Err(self.wait_locked(&mut st.sendq, Some(v), waker)),
            done => Ok(done),
        });
        r.map(|(now, wake)| {
            wake_opt(wake);
            now
        })
    }

    /// Receives now, or queues a waiting receive that will wake `waker`
    /// (none: see [`Waiter::new`]).
    #[inline]
    pub(crate) fn recv_or_wait(&self, waker: Option<&Waker>) -> Result<RecvNow<T>, Waiter<T>> {
        let r = self.with(|st| match self.recv_locked(st) {
            (RecvNow::Empty, _) => Err(self.wait_locked(&mut st.recvq, None, waker)),
            done => Ok(done),
        });
        r.map(|(now, wake)| {
            wake_opt(wake);
            now
        })
    }

    /// Queues a fresh single-case waiter holding `value` (out of line: the
    /// allocation is the slow path's).
    #[inline(never)]
    fn wait_locked(
        &self,
        q: &mut WaitQueue<T>,
        value: Option<T>,
        waker: Option<&Waker>,
    ) -> Waiter<T> {
        let (w, entry) = Waiter::new(waker, value);
        q.push(entry);
        w
    }

    /// select's register step for a receive case: queue `op` as case
    /// `case` of its signal, unless the receive could complete now (then
    /// false, nothing queued).
    ///
    /// # Safety
    ///
    /// As for [`Entry::new`]: `op` stays valid and in place until removed
    /// by [`Chan::unregister_recv`] or seen decided for `case`.
    pub(crate) unsafe fn register_recv(&self, op: &Op<T>, case: usize) -> bool {
        self.users.received();
        self.with(|st| {
            if !st.buf.is_empty() || st.closed || st.sendq.has_live_other(op.decision()) {
                return false;
            }
            // SAFETY: the caller's contract.
            st.recvq.push(unsafe { Entry::new(op, case) });
            true
        })
    }

    /// select's register step for a send case: queue `op`, whose slot holds
    /// the value, unless the send could complete now (then false).
    ///
    /// # Safety
    ///
    /// As for [`Chan::register_recv`], with [`Chan::unregister_send`].
    pub(crate) unsafe fn register_send(&self, op: &Op<T>, case: usize) -> bool {
        self.users.sent();
        self.with(|st| {
            let ready = st.closed || st.no_receivers || st.buf.len() < self.cap;
            if ready || st.recvq.has_live_other(op.decision()) {
                return false;
            }
            // SAFETY: the caller's contract.
            st.sendq.push(unsafe { Entry::new(op, case) });
            true
        })
    }

    /// Removes a waiting receive's `op` from the queue if still there: a
    /// lone receive's cancellation, a select's dequeue pass.
    pub(crate) fn unregister_recv(&self, op: &Op<T>) {
        self.with(|st| st.recvq.remove_op(op));
    }

    /// Removes a waiting send's `op` from the queue if still there.
    pub(crate) fn unregister_send(&self, op: &Op<T>) {
        self.with(|st| st.sendq.remove_op(op));
    }

    /// Returns a value that reached a receiver whose operation was then
    /// dropped: to another waiting receiver, else to the front of the buffer,
    /// so it is delivered exactly once and first.
    pub(crate) fn give_back(&self, v: T) {
        let wake = self.with(|st| match st.recvq.offer(v) {
            Ok(op) => Some(op),
            Err(v) => {
                st.buf.push_front(v);
                None
            }
        });
        wake_opt(wake);
    }

    /// Go's `close(ch)`: false if already closed. Wakes every waiter.
    pub(crate) fn close(&self) -> bool {
        let wake = self.with(|st| {
            if st.closed {
                return None;
            }
            st.closed = true;
            let mut wake = st.recvq.decide_all();
            wake.extend(st.sendq.decide_all());
            Some(wake)
        });
        let Some(wake) = wake else { return false };
        wake.into_iter().for_each(Woken::wake);
        true
    }

    /// Records the running goroutine's park on a receive here, at `at`
    /// (diagnostics), for a queued receive re-polled before its decision.
    /// Out of line and cold: inlined, its registers cost the usual re-poll,
    /// which finds the decision made, six instructions.
    #[cold]
    #[inline(never)]
    pub(crate) fn parks_receiving(&self, at: &'static Location<'static>) {
        will_park_on(WaitReason::ChanReceive, at, self.recv_wait());
    }

    /// Records the running goroutine's park on a send here, at `at`
    /// (as [`Chan::parks_receiving`]).
    #[cold]
    #[inline(never)]
    pub(crate) fn parks_sending(&self, at: &'static Location<'static>) {
        will_park_on(WaitReason::ChanSend, at, self.send_wait());
    }

    /// What a receiver parking here waits on (deadlock report).
    pub(crate) fn recv_wait(&self) -> WaitOn {
        self.users.recv_wait(self, self.senders.load(Ordering::Relaxed))
    }

    /// What a sender parking here waits on (deadlock report).
    pub(crate) fn send_wait(&self) -> WaitOn {
        self.users.send_wait(self, self.receivers.load(Ordering::Relaxed))
    }

    /// Counts one more sender.
    pub(crate) fn add_sender(&self) {
        self.senders.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one sender less; the last one closes the channel.
    pub(crate) fn drop_sender(&self) {
        if self.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            // AcqRel: the last drop sees every other sender's work.
            self.close();
        }
    }

    /// Counts one more receiver.
    pub(crate) fn add_receiver(&self) {
        self.receivers.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one receiver less; the last one fails every pending and future
    /// send and drops the buffered values nobody can receive any more.
    pub(crate) fn drop_receiver(&self) {
        if self.receivers.fetch_sub(1, Ordering::AcqRel) != 1 {
            // AcqRel: the last drop sees every other receiver's work.
            return;
        }
        let (wake, buf) = self.with(|st| {
            st.no_receivers = true;
            (st.sendq.decide_all(), std::mem::take(&mut st.buf))
        });
        wake.into_iter().for_each(Woken::wake);
        drop(buf);
        if let Some(gone) = &self.on_no_receivers {
            gone(); // once: a receiver is cloned only from a live one
        }
    }

    /// True if no waiter is queued on either side (for tests and asserts).
    #[allow(dead_code)]
    pub(crate) fn no_waiters(&self) -> bool {
        self.with(|st| st.recvq.is_empty() && st.sendq.is_empty())
    }
}

/// Wakes the waiter of `op` if there is one.
#[inline]
fn wake_opt(op: Option<Woken>) {
    if let Some(op) = op {
        op.wake();
    }
}

#[cfg(all(test, not(loom)))]
mod layout_tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// The lock word lies at least a cache line (64 bytes) past the end of
    /// `users` and the buffer's header, the words a lock holder writes on
    /// every operation, so no alignment of the allocation puts them on one
    /// line ([`Chan`]'s layout note). Element types do not move these
    /// offsets: the buffer and the queues hold `T`s behind pointers.
    #[test]
    fn the_lock_word_sits_a_line_past_what_its_holder_writes() {
        type S = State<u64>;
        let state = offset_of!(Chan<u64>, state) + Locked::<S>::STATE_OFFSET;
        let lock = offset_of!(Chan<u64>, state) + Locked::<S>::LOCK_OFFSET;
        let users_end = offset_of!(Chan<u64>, users) + size_of::<LastUsers>();
        let buf_end = state + offset_of!(S, buf) + size_of::<VecDeque<u64>>();
        assert!(users_end <= state, "users before the state: {users_end} > {state}");
        assert!(lock >= buf_end + 64, "lock at {lock}, the buffer's header ends at {buf_end}");
        assert_eq!(size_of::<State<u64>>(), size_of::<State<[u8; 1000]>>());
    }
}
