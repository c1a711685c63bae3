//! The case types that `select!` and [`Select`](super::Select) build: a
//! receive, a send, and any future. Each implements [`Case`].
//!
//! A receive or send operand is anything that names a channel half or
//! none: `&Receiver<T>`, `&Option<Receiver<T>>` and their `&&` forms. `None`
//! is Go's nil channel, a case that is never ready.

use super::arena::OpArena;
use super::case::{Case, Kind};
use super::case_op::CaseOp;
use super::snapshot::Locks;
use crate::chan::{ChanLock, Receiver, RecvNow, SendError, SendNow, Sender, Signal};
use crate::loom::Arc;
use std::alloc::Layout;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Something a receive case can take its channel from; `None` disables it.
pub trait RecvOperand<'a, T> {
    /// The receiver, or `None` for a nil channel.
    fn receiver(self) -> Option<&'a Receiver<T>>;
}

impl<'a, T> RecvOperand<'a, T> for &'a Receiver<T> {
    fn receiver(self) -> Option<&'a Receiver<T>> {
        Some(self)
    }
}

impl<'a, 'b: 'a, T> RecvOperand<'a, T> for &'a &'b Receiver<T> {
    fn receiver(self) -> Option<&'a Receiver<T>> {
        Some(*self)
    }
}

impl<'a, T> RecvOperand<'a, T> for &'a Option<Receiver<T>> {
    fn receiver(self) -> Option<&'a Receiver<T>> {
        self.as_ref()
    }
}

impl<'a, 'b: 'a, T> RecvOperand<'a, T> for &'a Option<&'b Receiver<T>> {
    fn receiver(self) -> Option<&'a Receiver<T>> {
        *self
    }
}

/// Something a send case can take its channel from; `None` disables it.
pub trait SendOperand<'a, T> {
    /// The sender, or `None` for a nil channel.
    fn sender(self) -> Option<&'a Sender<T>>;
}

impl<'a, T> SendOperand<'a, T> for &'a Sender<T> {
    fn sender(self) -> Option<&'a Sender<T>> {
        Some(self)
    }
}

impl<'a, 'b: 'a, T> SendOperand<'a, T> for &'a &'b Sender<T> {
    fn sender(self) -> Option<&'a Sender<T>> {
        Some(*self)
    }
}

impl<'a, T> SendOperand<'a, T> for &'a Option<Sender<T>> {
    fn sender(self) -> Option<&'a Sender<T>> {
        self.as_ref()
    }
}

impl<'a, 'b: 'a, T> SendOperand<'a, T> for &'a Option<&'b Sender<T>> {
    fn sender(self) -> Option<&'a Sender<T>> {
        *self
    }
}

/// A receive case: `recv(rx) -> v`, with `v: Option<T>` (`None`: closed).
pub struct RecvCase<'a, T> {
    /// The channel, or `None` when disabled.
    rx: Option<&'a Receiver<T>>,
    /// The op the enqueue pass queues (its slot receives the value).
    op: CaseOp<T>,
    /// The result, once this case completed.
    out: Option<Option<T>>,
}

impl<'a, T> RecvCase<'a, T> {
    /// A receive case on `op`.
    pub fn new(op: impl RecvOperand<'a, T>) -> Self {
        RecvCase { rx: op.receiver(), op: CaseOp::new(), out: None }
    }

    /// The received value (`None` if the channel was closed); call once,
    /// after this case was chosen.
    pub fn take_output(&mut self) -> Option<T> {
        self.out.take().expect("goro::select: output taken from a case that did not complete")
    }
}

impl<'a: 'b, 'b, T> Case<'b> for RecvCase<'a, T> {
    fn kind(&self) -> Kind {
        if self.rx.is_some() {
            Kind::Channel
        } else {
            Kind::Disabled
        }
    }

    fn chan_lock(&self) -> Option<&'b ChanLock> {
        self.rx.map(|rx| rx.chan.chan_lock())
    }

    fn try_locked(&mut self, locks: &mut Locks<'b>) -> bool {
        let Some(rx) = self.rx else { return false };
        let (now, wake) = rx.chan.try_recv_held(locks.guard(rx.chan.chan_lock()));
        locks.wake_after_release(wake);
        self.out = Some(match now {
            RecvNow::Value(v) => Some(v),
            RecvNow::Closed => None,
            RecvNow::Empty => return false,
        });
        true
    }

    fn poll_future(&mut self, _cx: &mut Context<'_>) -> bool {
        false
    }

    #[inline]
    fn try_alone(&mut self, _cx: &mut Context<'_>) -> bool {
        let Some(rx) = self.rx else { return false };
        // The channel's own non-blocking receive: it wakes after unlocking.
        self.out = Some(match rx.chan.try_recv() {
            RecvNow::Value(v) => Some(v),
            RecvNow::Closed => None,
            RecvNow::Empty => return false,
        });
        true
    }

    fn op_layout(&self) -> Layout {
        CaseOp::<T>::layout()
    }

    fn register(&mut self, signal: &Arc<Signal>, index: usize, arena: &OpArena) -> bool {
        let Some(rx) = self.rx else { return true };
        // SAFETY: `CaseOp` and the arena keep the op valid and in place
        // while queued (`case_op.rs`); `Drop` below removes it if need be.
        let reg = |op: &_, i| unsafe { rx.chan.register_recv(op, i) };
        self.op.register(signal, index, None, arena, reg).is_ok()
    }

    fn unregister(&mut self) {
        let Some(rx) = self.rx else { return };
        // An unchosen case's slot is empty (a counterpart that lost the
        // claim took its value back); were it not, the value goes back.
        if let Some(v) = self.op.unregister(|op| rx.chan.unregister_recv(op)) {
            rx.chan.give_back(v);
        }
    }

    fn commit(&mut self) {
        self.out = Some(self.op.take_decided());
    }

    fn abandon(&mut self) {
        let v = self.op.take_decided();
        if let (Some(rx), Some(v)) = (self.rx, v) {
            rx.chan.give_back(v);
        }
    }

    fn holds_op(&self) -> bool {
        self.op.is_queued()
    }
}

impl<T> Drop for RecvCase<'_, T> {
    /// Removes an op still queued (only if its selector was leaked), so
    /// that no queue points to the freed box.
    fn drop(&mut self) {
        // The op first: one test in the usual case, nothing queued.
        if let (true, Some(rx)) = (self.op.is_queued(), self.rx) {
            self.op.unregister(|op| rx.chan.unregister_recv(op));
        }
    }
}

/// A send case: `send(tx, v) -> r`, with `r: Result<(), SendError<T>>`.
/// The value is evaluated once, when the case is built.
pub struct SendCase<'a, T> {
    /// The channel, or `None` when disabled.
    tx: Option<&'a Sender<T>>,
    /// The value while it is not queued.
    value: Option<T>,
    /// The op the enqueue pass queues (its slot holds the value).
    op: CaseOp<T>,
    /// The result, once this case completed.
    out: Option<Result<(), SendError<T>>>,
}

impl<'a, T> SendCase<'a, T> {
    /// A send case of `value` on `op`.
    pub fn new(op: impl SendOperand<'a, T>, value: T) -> Self {
        SendCase { tx: op.sender(), value: Some(value), op: CaseOp::new(), out: None }
    }

    /// The outcome; call once, after this case was chosen.
    pub fn take_output(&mut self) -> Result<(), SendError<T>> {
        self.out.take().expect("goro::select: output taken from a case that did not complete")
    }
}

impl<'a: 'b, 'b, T> Case<'b> for SendCase<'a, T> {
    fn kind(&self) -> Kind {
        let live = self.value.is_some() || self.op.is_queued() || self.out.is_some();
        if self.tx.is_some() && live {
            Kind::Channel
        } else {
            Kind::Disabled
        }
    }

    fn chan_lock(&self) -> Option<&'b ChanLock> {
        (self.kind() == Kind::Channel).then(|| self.tx.map(|tx| tx.chan.chan_lock())).flatten()
    }

    fn poll_future(&mut self, _cx: &mut Context<'_>) -> bool {
        false
    }

    #[inline]
    fn try_alone(&mut self, _cx: &mut Context<'_>) -> bool {
        let (Some(tx), Some(v)) = (self.tx, self.value.take()) else { return self.out.is_some() };
        // The channel's own non-blocking send: it wakes after unlocking.
        self.out = Some(match tx.chan.try_send(v) {
            SendNow::Sent => Ok(()),
            SendNow::Closed(v) => Err(SendError(v)),
            SendNow::Full(v) => {
                self.value = Some(v);
                return false;
            }
        });
        true
    }

    fn try_locked(&mut self, locks: &mut Locks<'b>) -> bool {
        let (Some(tx), Some(v)) = (self.tx, self.value.take()) else { return self.out.is_some() };
        let (now, wake) = tx.chan.try_send_held(locks.guard(tx.chan.chan_lock()), v);
        locks.wake_after_release(wake);
        self.out = Some(match now {
            SendNow::Sent => Ok(()),
            SendNow::Closed(v) => Err(SendError(v)),
            SendNow::Full(v) => {
                self.value = Some(v);
                return false;
            }
        });
        true
    }

    fn op_layout(&self) -> Layout {
        CaseOp::<T>::layout()
    }

    fn register(&mut self, signal: &Arc<Signal>, index: usize, arena: &OpArena) -> bool {
        let (Some(tx), Some(v)) = (self.tx, self.value.take()) else { return true };
        // SAFETY: `CaseOp` and the arena keep the op valid and in place
        // while queued (`case_op.rs`); `Drop` below removes it if need be.
        let reg = |op: &_, i| unsafe { tx.chan.register_send(op, i) };
        match self.op.register(signal, index, Some(v), arena, reg) {
            Ok(()) => true,
            Err(v) => {
                self.value = v;
                false
            }
        }
    }

    fn unregister(&mut self) {
        let Some(tx) = self.tx else { return };
        if let Some(v) = self.op.unregister(|op| tx.chan.unregister_send(op)) {
            self.value = Some(v);
        }
    }

    fn commit(&mut self) {
        // The dequeue pass skips the chosen case (its counterpart popped the
        // entry), so a value refused by a close is still in the slot; a
        // receiver that took it left the slot empty.
        let left = self.op.take_decided();
        self.out = Some(match left.or_else(|| self.value.take()) {
            None => Ok(()),
            Some(v) => Err(SendError(v)),
        });
    }

    fn abandon(&mut self) {
        // Decided before the select was dropped: a receiver took the value
        // (the slot is empty: the send happened), or a close refused it
        // (it is in the slot). Either way the outcome stays with the case,
        // so that a later select over it (a dynamic `Select`) completes it
        // at once with `Ok` or with the value back, and the op is let go:
        // nothing may point into the arena the selector gives back.
        self.out = Some(match self.op.take_decided() {
            None => Ok(()),
            Some(v) => Err(SendError(v)),
        });
    }

    fn holds_op(&self) -> bool {
        self.op.is_queued()
    }
}

impl<T> Drop for SendCase<'_, T> {
    /// Removes an op still queued (only if its selector was leaked), so
    /// that no queue points to the freed box; the value drops with it.
    fn drop(&mut self) {
        // The op first: one test in the usual case, nothing queued.
        if let (true, Some(tx)) = (self.op.is_queued(), self.tx) {
            self.op.unregister(|op| tx.chan.unregister_send(op));
        }
    }
}

/// A future case: `future(f) -> v`, with `v: F::Output`. If a channel case
/// is chosen at the same moment as `f` completes, `f`'s output is dropped,
/// as any unchosen branch of a Rust `select`; use cancel-safe futures.
pub struct FutureCase<'a, F: Future> {
    /// The future, pinned by the macro.
    fut: Pin<&'a mut F>,
    /// Its output, once it completed.
    out: Option<F::Output>,
}

impl<'a, F: Future> FutureCase<'a, F> {
    /// A case on a pinned future.
    pub fn new(fut: Pin<&'a mut F>) -> Self {
        FutureCase { fut, out: None }
    }

    /// The future's output; call once, after this case was chosen.
    pub fn take_output(&mut self) -> F::Output {
        self.out.take().expect("goro::select: output taken from a case that did not complete")
    }
}

impl<'b, F: Future> Case<'b> for FutureCase<'_, F> {
    fn kind(&self) -> Kind {
        Kind::Future
    }

    fn chan_lock(&self) -> Option<&'b ChanLock> {
        None
    }

    fn try_locked(&mut self, _locks: &mut Locks<'b>) -> bool {
        false
    }

    fn poll_future(&mut self, cx: &mut Context<'_>) -> bool {
        if let Poll::Ready(v) = self.fut.as_mut().poll(cx) {
            self.out = Some(v);
            return true;
        }
        false
    }

    fn try_alone(&mut self, cx: &mut Context<'_>) -> bool {
        self.poll_future(cx)
    }

    fn register(&mut self, _signal: &Arc<Signal>, _index: usize, _arena: &OpArena) -> bool {
        true
    }

    fn unregister(&mut self) {}

    fn commit(&mut self) {}

    fn abandon(&mut self) {}
}

impl<T> fmt::Debug for RecvCase<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvCase").field("enabled", &self.rx.is_some()).finish()
    }
}

impl<T> fmt::Debug for SendCase<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendCase").field("enabled", &self.tx.is_some()).finish()
    }
}

impl<F: Future> fmt::Debug for FutureCase<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FutureCase").field("done", &self.out.is_some()).finish()
    }
}
