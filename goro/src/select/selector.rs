//! The selector: Go's `selectgo`, split into named passes over the [`Case`]
//! trait.
//!
//! 1. **poll**: try every enabled case in a fresh random order; the first
//!    that completes wins. (Go locks every channel first; here each try
//!    takes only its own channel's lock, as crossbeam does.)
//! 2. **default**: if nothing completed and there is a `default`, take it.
//! 3. **enqueue**: make one [`Signal`] and register every channel case under
//!    it. If a case turns out ready while registering, abort the signal and
//!    start over at pass 1 — unless a counterpart decided the signal first.
//! 4. **park**: return `Pending`. A counterpart decides the signal and wakes
//!    us, or a future case's waker does and we poll the futures, claiming the
//!    signal ourselves for the first one ready.
//! 5. **dequeue**: unregister every case, then commit the selected one.
//!
//! Exactly one case completes because a channel case completes only through
//! winning the signal's single CAS (see `chan/README.md`). Dropping the
//! selector aborts the signal; if it lost, the selected case is abandoned,
//! which gives a received value back to its channel.

use super::case::{CaseList, Kind};
use super::order::Order;
use crate::chan::park;
use crate::chan::Signal;
use crate::loom::Arc;
use crate::runtime::current::will_park;
use crate::runtime::WaitReason;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// What [`Selector`] returns when the `default` case was taken.
pub const DEFAULT: usize = usize::MAX;

/// The outcome of the enqueue pass.
enum Enqueued {
    /// Every channel case is queued; park.
    Parked,
    /// A case was ready; the signal was aborted and unregistered. Poll again.
    Retry,
    /// A counterpart decided the signal while we registered.
    Selected(usize),
}

/// The future that runs one select over `cases`; its output is the index of
/// the case that completed, or [`DEFAULT`].
#[must_use = "futures do nothing unless awaited"]
pub struct Selector<'a, L: CaseList + ?Sized> {
    /// The cases, in source order.
    cases: &'a mut L,
    /// True if the select has a `default` case.
    default: bool,
    /// The signal the cases are queued under while parked.
    signal: Option<Arc<Signal>>,
    /// Where the select was written, for the goroutine's wait reason.
    at: &'static Location<'static>,
}

impl<'a, L: CaseList + ?Sized> Selector<'a, L> {
    /// A select over `cases`, with or without a `default` case.
    #[track_caller]
    pub fn new(cases: &'a mut L, default: bool) -> Self {
        Self::located(cases, default, Location::caller())
    }

    /// A select whose wait reason points at `at`.
    pub(crate) fn located(cases: &'a mut L, default: bool, at: &'static Location<'static>) -> Self {
        Selector { cases, default, signal: None, at }
    }

    /// Runs the select on this thread, parking it while it must wait.
    pub fn wait_blocking(self) -> usize {
        park::block_on(self)
    }

    /// Pass 1: tries every enabled case in random order.
    fn poll_pass(&mut self, order: &Order, cx: &mut Context<'_>) -> Option<usize> {
        order.iter().find(|&i| {
            self.cases.case(i).kind() != Kind::Disabled && self.cases.case(i).try_now(cx)
        })
    }

    /// Pass 3: queues every channel case under a fresh signal.
    fn enqueue_pass(&mut self, order: &Order, cx: &mut Context<'_>) -> Enqueued {
        let signal = Signal::new(cx.waker());
        for i in order.iter() {
            if self.cases.case(i).kind() != Kind::Channel || self.cases.case(i).register(&signal, i)
            {
                continue;
            }
            if signal.try_abort() {
                self.unregister_all(&signal);
                return Enqueued::Retry;
            }
            break;
        }
        if let Some(k) = signal.selected() {
            return Enqueued::Selected(self.dequeue_pass(&signal, k));
        }
        self.signal = Some(signal);
        Enqueued::Parked
    }

    /// Pass 4, on each wake-up: checks the signal, then the future cases.
    fn poll_parked(&mut self, cx: &mut Context<'_>) -> Poll<usize> {
        let signal = self.signal.clone().expect("goro::select: parked without a signal");
        signal.set_waker(cx.waker());
        if let Some(k) = signal.selected() {
            return Poll::Ready(self.dequeue_pass(&signal, k));
        }
        let order = Order::shuffled(self.cases.len());
        let ready = order
            .iter()
            .find(|&i| self.cases.case(i).kind() == Kind::Future && self.cases.case(i).try_now(cx));
        if let Some(i) = ready {
            // Claim the signal for the future; if a channel case won first,
            // that one completes and the future's output is dropped.
            signal.try_select(i);
            let k = signal.selected().expect("goro::select: a decided signal has a case");
            return Poll::Ready(self.dequeue_pass(&signal, k));
        }
        will_park(WaitReason::Select, self.at);
        Poll::Pending
    }

    /// Pass 5: unregisters every case and commits the selected one.
    fn dequeue_pass(&mut self, signal: &Arc<Signal>, k: usize) -> usize {
        self.unregister_all(signal);
        self.cases.case(k).commit();
        self.signal = None;
        k
    }

    /// Removes every queued case of `signal`.
    fn unregister_all(&mut self, signal: &Arc<Signal>) {
        for i in 0..self.cases.len() {
            let c = self.cases.case(i);
            if c.kind() == Kind::Channel {
                c.unregister(signal, i);
            }
        }
    }

    /// True if some case can ever complete.
    fn any_enabled(&mut self) -> bool {
        (0..self.cases.len()).any(|i| self.cases.case(i).kind() != Kind::Disabled)
    }
}

impl<L: CaseList + ?Sized> Future for Selector<'_, L> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        if this.signal.is_some() {
            return this.poll_parked(cx);
        }
        std::task::ready!(crate::runtime::current::poll_budget(cx)); // yields every so often
        loop {
            let order = Order::shuffled(this.cases.len());
            if let Some(i) = this.poll_pass(&order, cx) {
                return Poll::Ready(i);
            }
            if this.default {
                return Poll::Ready(DEFAULT);
            }
            if !this.any_enabled() {
                will_park(WaitReason::SelectNoCases, this.at);
                return Poll::Pending;
            }
            match this.enqueue_pass(&order, cx) {
                Enqueued::Parked => break,
                Enqueued::Retry => continue,
                Enqueued::Selected(k) => return Poll::Ready(k),
            }
        }
        will_park(WaitReason::Select, this.at);
        Poll::Pending
    }
}

impl<L: CaseList + ?Sized> Drop for Selector<'_, L> {
    fn drop(&mut self) {
        let Some(signal) = self.signal.take() else { return };
        if signal.try_abort() {
            self.unregister_all(&signal);
            return;
        }
        self.unregister_all(&signal);
        if let Some(k) = signal.selected() {
            self.cases.case(k).abandon();
        }
    }
}

impl<L: CaseList + ?Sized> Unpin for Selector<'_, L> {}

impl<L: CaseList + ?Sized> std::fmt::Debug for Selector<'_, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selector")
            .field("cases", &self.cases.len())
            .field("default", &self.default)
            .finish()
    }
}

/// A select with no case: never completes (Go's `select {}`).
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Forever {
    /// Where the select was written.
    at: &'static Location<'static>,
}

/// Blocks forever: the future of an empty `select! {}`.
#[track_caller]
pub fn forever() -> Forever {
    Forever { at: Location::caller() }
}

impl Future for Forever {
    type Output = std::convert::Infallible;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        will_park(WaitReason::SelectNoCases, self.at);
        Poll::Pending
    }
}

/// Blocks this thread forever: an empty `select_blocking! {}`.
#[track_caller]
pub fn forever_blocking() -> std::convert::Infallible {
    park::block_on(forever())
}
