//! `Receiver<T>`: Go's `<-chan T`, its `recv` future, `Stream` and
//! `Iterator`.
//!
//! A [`Recv`] future tries once under the channel lock; if it must wait it
//! queues an empty slot and parks. A sender that claims the signal leaves
//! the value in the slot; `close` claims it and leaves the slot empty
//! (`None`). Dropping a queued `Recv` aborts its signal and dequeues; if the
//! abort loses and a value is already in the slot, the value goes back to
//! the channel ([`Chan::give_back`]), so it is neither lost nor delivered
//! twice.

use super::core::{Chan, RecvNow};
use super::error::{RecvTimeoutError, TryRecvError};
use super::park;
use super::waiter::Waiter;
use crate::loom::Arc;
use crate::runtime::current::{will_park, will_park_on};
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The receiving half of a channel: Go's `<-chan T`. Clone it for more
/// receivers; each value goes to exactly one of them.
pub struct Receiver<T> {
    /// The channel.
    pub(crate) chan: Arc<Chan<T>>,
    /// The waiting receive of [`Stream::poll_next`](futures_core::Stream).
    stream: Option<Waiter<T>>,
}

impl<T> Receiver<T> {
    /// Wraps a channel whose receiver count already includes this one.
    pub(crate) fn new(chan: Arc<Chan<T>>) -> Self {
        Receiver { chan, stream: None }
    }

    /// Receives a value, waiting while the channel is empty: Go's
    /// `v, ok := <-ch`, with `None` for `ok == false` (closed and drained).
    ///
    /// Cancel safe: a dropped `recv` never loses a value. One that had
    /// already reached it goes back to the channel, to the front of its
    /// buffer, so it is received next. Only this can make an unbuffered
    /// channel's `len` read 1, or, after a close, hand a value to a receiver
    /// that already saw `None` (`chan/README.md`, "Cancel safety").
    #[track_caller]
    pub fn recv(&self) -> Recv<'_, T> {
        Recv { chan: &self.chan, wait: None, at: Location::caller() }
    }

    /// Receives a value, parking this thread while it must wait.
    #[track_caller]
    #[inline]
    pub fn recv_blocking(&self) -> Option<T> {
        // Without a deadline the only error is `Closed`.
        self.recv_within(None, Location::caller()).ok()
    }

    /// The blocking receive: one turn under the lock, with no waker, no
    /// future and no poll, which either receives or queues; only a queued
    /// receive goes on to [`Receiver::recv_parked`], within `d` (see
    /// `Sender::send_within`).
    #[inline]
    fn recv_within(
        &self,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Result<T, RecvTimeoutError> {
        match self.chan.recv_or_wait(None) {
            Ok(RecvNow::Value(v)) => Ok(v),
            Ok(RecvNow::Closed | RecvNow::Empty) => Err(RecvTimeoutError::Closed),
            Err(w) => Self::recv_parked(&self.chan, w, d, at),
        }
    }

    /// A blocking receive that queued as `w`: parks this thread until it
    /// is decided or `d` passed (see `park.rs`).
    #[inline(never)]
    fn recv_parked(
        chan: &Chan<T>,
        w: Waiter<T>,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Result<T, RecvTimeoutError> {
        park::with_parker(|p| Recv::parked(chan, w, at).wait(p, d))
    }

    /// Receives a value only if that needs no waiting.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.chan.try_recv() {
            RecvNow::Value(v) => Ok(v),
            RecvNow::Empty => Err(TryRecvError::Empty),
            RecvNow::Closed => Err(TryRecvError::Closed),
        }
    }

    /// Receives a value, waiting at most `d`.
    #[track_caller]
    pub fn recv_timeout(
        &self,
        d: Duration,
    ) -> impl Future<Output = Result<T, RecvTimeoutError>> + '_ {
        let mut recv = self.recv();
        async move {
            let mut timer = std::pin::pin!(crate::time::sleep(d));
            std::future::poll_fn(|cx| {
                if let Poll::Ready(v) = Pin::new(&mut recv).poll(cx) {
                    return Poll::Ready(v.ok_or(RecvTimeoutError::Closed));
                }
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(recv.cancel());
                }
                will_park(WaitReason::ChanReceive, recv.at);
                Poll::Pending
            })
            .await
        }
    }

    /// Receives a value, parking this thread at most `d`.
    #[track_caller]
    pub fn recv_timeout_blocking(&self, d: Duration) -> Result<T, RecvTimeoutError> {
        self.recv_within(Some(d), Location::caller())
    }

    /// A blocking iterator over the values until the channel is closed and
    /// drained: Go's `for v := range ch` on a plain thread.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// A non-blocking iterator over the values that are ready now: it ends
    /// at the first receive that would have to wait, or once the channel is
    /// closed and drained (std's and crossbeam's `try_iter`; Go's loop of
    /// `select { case v := <-ch: ... default: return }`). Works anywhere,
    /// goroutine or thread, as it never parks.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }

    /// Values buffered now: Go's `len(ch)`.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// True if nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity: Go's `cap(ch)`; `usize::MAX` for an unbounded channel.
    pub fn cap(&self) -> usize {
        self.chan.cap()
    }

    /// True once the channel is closed (values may still be buffered).
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// True if both handles belong to the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.chan.add_receiver();
        Receiver::new(self.chan.clone())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(w) = self.stream.take() {
            abandon(&self.chan, w);
        }
        self.chan.drop_receiver();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("len", &self.len()).field("cap", &self.cap()).finish()
    }
}

/// Polls a (possibly queued) receive: the shared step of [`Recv`] and the
/// `Stream` impl. Always inlined: a receive that need not wait is this, the
/// budget and [`Chan::recv_or_wait`]'s locked fast path; waiting is out of
/// line. Left to the optimizer (`#[inline]`) it was kept out of line, and
/// every receive then called it, pushing and popping four registers and a
/// return address: 1.3–1.7 % of `seq`'s time over random heap layouts, and
/// at the layouts where those stack slots share their page offset with the
/// channel's fields (4 KiB aliasing) `seq` took up to 20 % longer
/// (`BENCHMARKS.md`, "seq's slow layouts: 4 KiB aliasing").
#[inline(always)]
fn poll_recv<T>(
    chan: &Chan<T>,
    wait: &mut Option<Waiter<T>>,
    cx: &mut Context<'_>,
    at: &'static Location<'static>,
) -> Poll<Option<T>> {
    if let Some(w) = wait {
        let r = poll_queued(chan, w, cx, at);
        if r.is_ready() {
            *wait = None;
        }
        return r;
    }
    std::task::ready!(crate::runtime::current::poll_budget(cx)); // yields every so often
    match chan.recv_or_wait(Some(cx.waker())) {
        Ok(RecvNow::Value(v)) => Poll::Ready(Some(v)),
        Ok(RecvNow::Closed | RecvNow::Empty) => Poll::Ready(None),
        Err(w) => queued(chan, wait, w, at),
    }
}

/// Keeps the waiter a receive just queued, and says why it parks.
#[inline(never)]
fn queued<T>(
    chan: &Chan<T>,
    wait: &mut Option<Waiter<T>>,
    w: Waiter<T>,
    at: &'static Location<'static>,
) -> Poll<Option<T>> {
    *wait = Some(w);
    will_park_on(WaitReason::ChanReceive, at, chan.recv_wait());
    Poll::Pending
}

/// Polls a receive whose waiter `w` is queued: its value once decided
/// (then the caller drops `w`).
#[inline(never)]
fn poll_queued<T>(
    chan: &Chan<T>,
    w: &mut Waiter<T>,
    cx: &mut Context<'_>,
    at: &'static Location<'static>,
) -> Poll<Option<T>> {
    if !w.is_decided(chan.chan_lock(), cx.waker()) {
        chan.parks_receiving(at);
        return Poll::Pending;
    }
    Poll::Ready(w.take())
}

/// Gives up a queued receive; a value that already arrived goes back.
#[inline(never)]
fn abandon<T>(chan: &Chan<T>, mut w: Waiter<T>) {
    if w.abort(|op| chan.unregister_recv(op)) {
        return;
    }
    if let Some(v) = w.take() {
        chan.give_back(v);
    }
}

/// The future of [`Receiver::recv`].
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    /// The channel.
    chan: &'a Chan<T>,
    /// The queued waiter, once this receive had to wait.
    wait: Option<Waiter<T>>,
    /// Where `recv` was called, for the goroutine's wait reason.
    at: &'static Location<'static>,
}

impl<'a, T> Recv<'a, T> {
    /// The future of a receive that `Chan::recv_or_wait` just queued as
    /// `w` on a plain thread, its wait reason recorded (see `park.rs`).
    fn parked(chan: &'a Chan<T>, w: Waiter<T>, at: &'static Location<'static>) -> Self {
        let mut recv = Recv { chan, wait: None, at };
        let _pending = queued(chan, &mut recv.wait, w, at);
        recv
    }

    /// Waits on this thread for the queued receive to be decided, at most
    /// `d` (then cancels it, keeping a value that raced in).
    fn wait(mut self, p: &park::Parker, d: Option<Duration>) -> Result<T, RecvTimeoutError> {
        match p.wait_lone(Pin::new(&mut self), d.map(|d| Instant::now() + d)) {
            Some(v) => v.ok_or(RecvTimeoutError::Closed),
            None => self.cancel(),
        }
    }
}

impl<T> Recv<'_, T> {
    /// Gives up the queued waiter of a dropped receive.
    #[inline(never)]
    fn drop_queued(&mut self) {
        if let Some(w) = self.wait.take() {
            abandon(self.chan, w);
        }
    }

    /// Gives up after a timeout, keeping a value that raced in.
    fn cancel(&mut self) -> Result<T, RecvTimeoutError> {
        let Some(mut w) = self.wait.take() else { return Err(RecvTimeoutError::Timeout) };
        if w.abort(|op| self.chan.unregister_recv(op)) {
            return Err(RecvTimeoutError::Timeout);
        }
        w.take().ok_or(RecvTimeoutError::Closed)
    }
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    // Always inlined, as `poll_recv` is (see there).
    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        poll_recv(this.chan, &mut this.wait, cx, this.at)
    }
}

impl<T> Drop for Recv<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Tested, not taken: a receive that completed (the usual case)
        // then costs one test, with no store.
        if self.wait.is_some() {
            self.drop_queued();
        }
    }
}

impl<T> Unpin for Recv<'_, T> {}

impl<T> park::Watched for Recv<'_, T> {
    fn decided_now(&self) -> bool {
        self.wait.as_ref().is_none_or(Waiter::decided_now)
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").field("waiting", &self.wait.is_some()).finish()
    }
}

/// The values until the channel is closed and drained, for stream
/// combinators (`StreamExt::next`, `forward`, ...). Cancel safe, as `recv`.
/// A park through it records the location that polled it (the
/// combinator's, for a goroutine dump), where `recv().await` records the
/// caller's own line.
impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    #[track_caller]
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        poll_recv(&this.chan, &mut this.stream, cx, Location::caller())
    }
}

/// The blocking iterator of [`Receiver::iter`].
#[derive(Debug)]
pub struct Iter<'a, T> {
    /// The receiver.
    rx: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.recv_blocking()
    }
}

/// The non-blocking iterator of [`Receiver::try_iter`].
#[derive(Debug)]
pub struct TryIter<'a, T> {
    /// The receiver.
    rx: &'a Receiver<T>,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

/// The owning blocking iterator of `Receiver`'s `IntoIterator`.
#[derive(Debug)]
pub struct IntoIter<T> {
    /// The receiver.
    rx: Receiver<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.recv_blocking()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter { rx: self }
    }
}
