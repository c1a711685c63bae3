//! `Sender<T>`: Go's `chan<- T`, and its `send` future.
//!
//! A [`Send`] future tries once under the channel lock; if it must wait it
//! leaves its value in a slot queued on the channel and parks. Once queued,
//! it only looks at its signal: the receiver that claimed it took the value
//! (sent), or `close` claimed it and left the value (closed, handed back).
//! Dropping a queued `Send` aborts the signal and dequeues; if the abort
//! loses, the send already happened (or the value is dropped with the closed
//! outcome), so nothing is delivered twice.

use super::core::{Chan, SendNow};
use super::error::{SendError, SendTimeoutError, TrySendError};
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

/// The sending half of a channel: Go's `chan<- T`. Clone it for more
/// senders; the channel closes when the last one drops or on [`close`].
///
/// [`close`]: Sender::close
pub struct Sender<T> {
    /// The channel.
    pub(crate) chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `v`, waiting while the channel is full (or, unbuffered, until a
    /// receiver takes it): Go's `ch <- v`. Fails, handing `v` back, if the
    /// channel is closed or every receiver is gone.
    ///
    /// Cancel safe: dropping the future before it completes either sent the
    /// value exactly once or did not send it.
    #[track_caller]
    pub fn send(&self, v: T) -> Send<'_, T> {
        Send { chan: &self.chan, value: Some(v), wait: None, at: Location::caller() }
    }

    /// Sends `v`, parking this thread while it must wait.
    #[track_caller]
    #[inline]
    pub fn send_blocking(&self, v: T) -> Result<(), SendError<T>> {
        match self.send_within(v, None, Location::caller()) {
            Ok(()) => Ok(()),
            Err(SendTimeoutError::Closed(v)) => Err(SendError(v)),
            Err(SendTimeoutError::Timeout(_)) => {
                unreachable!("goro::chan: a send without deadline timed out")
            }
        }
    }

    /// The blocking send: one turn under the lock, with no waker, no
    /// future and no poll, which either sends or queues the value; only a
    /// queued send goes on to [`Sender::send_parked`], within `d`. (A first
    /// `try_send` and a second turn to queue took the lock twice on every
    /// send that waits: see `BENCHMARKS.md`, "One lock turn for a blocking
    /// operation".)
    #[inline]
    fn send_within(
        &self,
        v: T,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Result<(), SendTimeoutError<T>> {
        match self.chan.send_or_wait(v, None) {
            Ok(now) => now.into_result().map_err(SendError::into),
            Err(w) => Self::send_parked(&self.chan, w, d, at),
        }
    }

    /// A blocking send that queued as `w`: parks this thread until it is
    /// decided or `d` passed (see `park.rs`).
    #[inline(never)]
    fn send_parked(
        chan: &Chan<T>,
        w: Waiter<T>,
        d: Option<Duration>,
        at: &'static Location<'static>,
    ) -> Result<(), SendTimeoutError<T>> {
        park::with_parker(|p| Send::parked(chan, w, at).wait(p, d))
    }

    /// Sends `v` only if that needs no waiting.
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        match self.chan.try_send(v) {
            SendNow::Sent => Ok(()),
            SendNow::Full(v) => Err(TrySendError::Full(v)),
            SendNow::Closed(v) => Err(TrySendError::Closed(v)),
        }
    }

    /// Sends `v`, waiting at most `d`; the value comes back on failure.
    #[track_caller]
    pub fn send_timeout(
        &self,
        v: T,
        d: Duration,
    ) -> impl Future<Output = Result<(), SendTimeoutError<T>>> + '_ {
        let mut send = self.send(v);
        async move {
            let mut timer = std::pin::pin!(crate::time::sleep(d));
            std::future::poll_fn(|cx| {
                if let Poll::Ready(r) = Pin::new(&mut send).poll(cx) {
                    return Poll::Ready(r.map_err(SendError::into));
                }
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(send.cancel());
                }
                will_park(WaitReason::ChanSend, send.at);
                Poll::Pending
            })
            .await
        }
    }

    /// Sends `v`, parking this thread at most `d`.
    #[track_caller]
    pub fn send_timeout_blocking(&self, v: T, d: Duration) -> Result<(), SendTimeoutError<T>> {
        self.send_within(v, Some(d), Location::caller())
    }

    /// Closes the channel: Go's `close(ch)`. Receivers drain what is
    /// buffered, then get `None`; pending and later sends fail. Every waiter
    /// wakes. Returns false if the channel was already closed.
    pub fn close(&self) -> bool {
        self.chan.close()
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

    /// True once the channel is closed (by `close` or the last sender's
    /// drop). It stays false when every receiver is gone, a state Go has no
    /// name for: sends fail then all the same, handing the value back.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// True if both handles belong to the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Sender { chan: self.chan.clone() }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("len", &self.len()).field("cap", &self.cap()).finish()
    }
}

/// The future of [`Sender::send`].
#[must_use = "futures do nothing unless awaited"]
pub struct Send<'a, T> {
    /// The channel.
    chan: &'a Chan<T>,
    /// The value, until it is sent or queued.
    value: Option<T>,
    /// The queued waiter, once this send had to wait.
    wait: Option<Waiter<T>>,
    /// Where `send` was called, for the goroutine's wait reason.
    at: &'static Location<'static>,
}

impl<'a, T> Send<'a, T> {
    /// The future of a send that `Chan::send_or_wait` just queued as `w`
    /// on a plain thread, its wait reason recorded (see `park.rs`).
    fn parked(chan: &'a Chan<T>, w: Waiter<T>, at: &'static Location<'static>) -> Self {
        let mut send = Send { chan, value: None, wait: None, at };
        let _pending = send.queued(w);
        send
    }

    /// Waits on this thread for the queued send to be decided, at most `d`
    /// (then cancels it: the value comes back unless the send happened).
    fn wait(mut self, p: &park::Parker, d: Option<Duration>) -> Result<(), SendTimeoutError<T>> {
        match p.wait_lone(Pin::new(&mut self), d.map(|d| Instant::now() + d)) {
            Some(r) => r.map_err(SendError::into),
            None => self.cancel(),
        }
    }
}

impl<T> SendNow<T> {
    /// What a send that did not wait returns (`Chan::send_or_wait` never
    /// says `Full`: it queues the send instead).
    #[inline]
    fn into_result(self) -> Result<(), SendError<T>> {
        match self {
            SendNow::Sent => Ok(()),
            SendNow::Closed(v) | SendNow::Full(v) => Err(SendError(v)),
        }
    }
}

impl<T> Send<'_, T> {
    /// Gives up: the value comes back unless the send already happened.
    fn cancel(&mut self) -> Result<(), SendTimeoutError<T>> {
        let Some(mut w) = self.wait.take() else {
            return Err(SendTimeoutError::Timeout(
                self.value.take().expect("goro::chan: send polled after completion"),
            ));
        };
        let aborted = w.abort(|op| self.chan.unregister_send(op));
        match (w.take(), aborted) {
            (None, _) => Ok(()),
            (Some(v), true) => Err(SendTimeoutError::Timeout(v)),
            (Some(v), false) => Err(SendTimeoutError::Closed(v)),
        }
    }

    /// The outcome once the signal is decided: the slot is empty if a
    /// receiver took the value, and still holds it if the channel closed.
    fn outcome(w: &mut Waiter<T>) -> Result<(), SendError<T>> {
        match w.take() {
            None => Ok(()),
            Some(v) => Err(SendError(v)),
        }
    }
}

impl<T> Send<'_, T> {
    /// Polls a send whose waiter `w` is queued: its outcome once decided
    /// (then the caller drops `w`).
    #[inline(never)]
    fn poll_queued(
        chan: &Chan<T>,
        at: &'static Location<'static>,
        w: &mut Waiter<T>,
        cx: &Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        if !w.is_decided(chan.chan_lock(), cx.waker()) {
            chan.parks_sending(at);
            return Poll::Pending;
        }
        Poll::Ready(Self::outcome(w))
    }

    /// Keeps the waiter a send just queued, and says why it parks.
    #[inline(never)]
    fn queued(&mut self, w: Waiter<T>) -> Poll<Result<(), SendError<T>>> {
        self.wait = Some(w);
        will_park_on(WaitReason::ChanSend, self.at, self.chan.send_wait());
        Poll::Pending
    }

    /// Gives up the queued waiter of a dropped send: aborted, or it
    /// happened.
    #[inline(never)]
    fn drop_queued(&mut self) {
        let Some(mut w) = self.wait.take() else { return };
        w.abort(|op| self.chan.unregister_send(op));
    }
}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    // Inlined: a send that need not wait is this, the budget and
    // `Chan::send_or_wait`'s locked fast path; waiting is out of line.
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(w) = &mut this.wait {
            let r = Self::poll_queued(this.chan, this.at, w, cx);
            if r.is_ready() {
                this.wait = None;
            }
            return r;
        }
        std::task::ready!(crate::runtime::current::poll_budget(cx)); // yields every so often
        let v = this.value.take().expect("goro::chan: send polled after completion");
        match this.chan.send_or_wait(v, Some(cx.waker())) {
            Ok(now) => Poll::Ready(now.into_result()),
            Err(w) => this.queued(w),
        }
    }
}

impl<T> Drop for Send<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Tested, not taken: a send that completed (the usual case) then
        // costs one test, with no store.
        if self.wait.is_some() {
            self.drop_queued();
        }
    }
}

impl<T> Unpin for Send<'_, T> {}

impl<T> park::Watched for Send<'_, T> {
    fn decided_now(&self) -> bool {
        self.wait.as_ref().is_none_or(Waiter::decided_now)
    }
}

impl<T> fmt::Debug for Send<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send").field("waiting", &self.wait.is_some()).finish()
    }
}
