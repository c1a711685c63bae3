//! The selector: Go's `selectgo`, split into named passes over the [`Case`]
//! trait.
//!
//! 1. **poll**: try every enabled case in a fresh random order, each
//!    position drawn when the pass reaches it (`order.rs`); the first that
//!    completes wins. A select with `default` polls its channel cases
//!    as one snapshot under all their locks, as Go does (`snapshot.rs`), so
//!    it never misses a channel made ready between two tries; one without
//!    `default` tries each under its own channel's lock, as crossbeam does
//!    (the enqueue pass re-checks; see `chan/README.md`).
//! 2. **default**: if nothing completed and there is a `default`, take it.
//! 3. **enqueue**: take one [`Signal`] and one [`OpArena`] (the thread's
//!    cache, `cache.rs`, or fresh) and register every channel case under
//!    the signal, its op in its place of the arena (`case_op.rs`), in the
//!    poll pass's random order: a counterpart that later finds two of our
//!    cases queued on one channel takes the first queued, so this order
//!    chooses among them (TestPseudoRandomSend). If a case turns out ready
//!    while registering, abort the signal and start over at pass 1 —
//!    unless a counterpart decided the signal first.
//! 4. **park**: return `Pending`. A counterpart decides the signal and wakes
//!    us, or a future case's waker does and we poll the futures, claiming the
//!    signal ourselves for the first one ready.
//! 5. **dequeue**: unregister every case but the selected one (whose entry
//!    the counterpart that decided it already popped), then commit it; the
//!    signal goes back to the cache if nobody else holds it, the arena when
//!    the selector drops (nothing points into it any more).
//!
//! Exactly one case completes because a channel case completes only through
//! winning the signal's single CAS (see `chan/README.md`). Dropping the
//! selector aborts the signal; if it lost, the selected case is abandoned,
//! which gives a received value back to its channel.

use super::arena::{Need, OpArena};
use super::cache;
use super::case::{CaseList, Kind};
use super::order::Order;
use super::snapshot;
use crate::chan::park;
use crate::chan::Signal;
use crate::loom::Arc;
use crate::runtime::current::will_park;
use crate::runtime::WaitReason;
use std::future::Future;
use std::marker::PhantomData;
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
pub struct Selector<'s, 'a, L: CaseList<'a> + ?Sized> {
    /// The cases, in source order.
    cases: &'s mut L,
    /// The cases' channel borrow.
    _chans: PhantomData<&'a ()>,
    /// True if the select has a `default` case.
    default: bool,
    /// The signal the cases are queued under while parked.
    signal: Option<Arc<Signal>>,
    /// The places of the queued cases' ops, from the first enqueue pass
    /// on. Freed after `Drop` unregistered every case (fields drop after
    /// `drop` runs); leaked with the selector if it is leaked.
    arena: Option<OpArena>,
    /// Where the select was written, for the goroutine's wait reason.
    at: &'static Location<'static>,
}

impl<'s, 'a, L: CaseList<'a> + ?Sized> Selector<'s, 'a, L> {
    /// A select over `cases`, with or without a `default` case.
    #[track_caller]
    pub fn new(cases: &'s mut L, default: bool) -> Self {
        Self::located(cases, default, Location::caller())
    }

    /// A select whose wait reason points at `at`.
    pub(crate) fn located(cases: &'s mut L, default: bool, at: &'static Location<'static>) -> Self {
        Selector { cases, _chans: PhantomData, default, signal: None, arena: None, at }
    }

    /// Runs the select on this thread, parking it while it must wait.
    pub fn wait_blocking(self) -> usize {
        park::block_on(self)
    }

    /// Pass 1: tries every enabled case in random order, each alone (a
    /// channel case under its own channel's lock, a future by polling it),
    /// or, with `default`, as one snapshot.
    #[inline]
    fn poll_pass(&mut self, order: &mut Order, cx: &mut Context<'_>) -> Option<usize> {
        if self.default {
            return self.poll_snapshot(order, cx);
        }
        order.iter().find(|&i| self.cases.try_alone(i, cx))
    }

    /// Pass 1 of a select with `default`: in random order, the future cases
    /// ahead of the first channel case, then every channel case as one
    /// snapshot under all their locks, then the remaining futures.
    fn poll_snapshot(&mut self, order: &mut Order, cx: &mut Context<'_>) -> Option<usize> {
        let mut snapped = false;
        for k in 0..order.len() {
            let i = order.at(k);
            match self.cases.case(i).kind() {
                Kind::Future if self.cases.case(i).poll_future(cx) => return Some(i),
                Kind::Channel if !snapped => {
                    snapped = true;
                    if let Some(k) = snapshot::poll_channels(self.cases, order) {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Pass 3: queues every channel case under a fresh signal, in `order`.
    fn enqueue_pass(&mut self, order: &mut Order, cx: &mut Context<'_>) -> Enqueued {
        let signal = cache::signal(cx.waker());
        let cases = &mut *self.cases;
        let arena = self.arena.get_or_insert_with(|| {
            cache::arena(Need::of((0..cases.len()).map(|i| cases.case(i).op_layout())))
        });
        for i in order.iter() {
            let c = cases.case(i);
            if c.kind() != Kind::Channel || c.register(&signal, i, arena) {
                continue;
            }
            if signal.try_abort() {
                self.unregister_all(None);
                cache::put_signal(signal);
                return Enqueued::Retry;
            }
            break;
        }
        if let Some(k) = signal.selected() {
            return Enqueued::Selected(self.dequeue_pass(signal, k));
        }
        self.signal = Some(signal);
        Enqueued::Parked
    }

    /// Pass 4, on each wake-up: checks the signal, then the future cases.
    fn poll_parked(&mut self, cx: &mut Context<'_>) -> Poll<usize> {
        let signal = self.signal.take().expect("goro::select: parked without a signal");
        if let Some(k) = signal.selected_or_wake(cx.waker()) {
            return Poll::Ready(self.dequeue_pass(signal, k));
        }
        self.signal = Some(signal); // kept while user futures run: a panic drops us
        if let Some(i) = self.ready_future(cx) {
            let signal = self.signal.take().expect("goro::select: parked without a signal");
            // Claim the signal for the future; if a channel case won first,
            // that one completes and the future's output is dropped.
            signal.try_select(i);
            let k = signal.selected().expect("goro::select: a decided signal has a case");
            return Poll::Ready(self.dequeue_pass(signal, k));
        }
        will_park(WaitReason::Select, self.at);
        Poll::Pending
    }

    /// The first future case that is ready, polled in a fresh random order;
    /// none (and no shuffle) in a select without future cases.
    fn ready_future(&mut self, cx: &mut Context<'_>) -> Option<usize> {
        let n = self.cases.len();
        if !(0..n).any(|i| self.cases.case(i).kind() == Kind::Future) {
            return None;
        }
        Order::shuffled(n).iter().find(|&i| {
            self.cases.case(i).kind() == Kind::Future && self.cases.case(i).poll_future(cx)
        })
    }

    /// Pass 5: unregisters every case but the selected one `k`, whose
    /// entry the counterpart that decided it already popped (or which is a
    /// future, never queued), and commits `k`.
    fn dequeue_pass(&mut self, signal: Arc<Signal>, k: usize) -> usize {
        self.unregister_all(Some(k));
        cache::put_signal(signal);
        self.cases.case(k).commit();
        k
    }

    /// Gives up a parked select (its drop): aborts `signal` and removes
    /// every case; if a counterpart decided case `k` first, `k`'s entry is
    /// gone already (or `k` is a future) and its result is given back.
    fn cancel(&mut self, signal: Arc<Signal>) {
        let k = if signal.try_abort() { None } else { signal.selected() };
        self.unregister_all(k);
        if let Some(k) = k {
            self.cases.case(k).abandon();
        }
        cache::put_signal(signal);
    }

    /// Removes every queued case except `skip`.
    fn unregister_all(&mut self, skip: Option<usize>) {
        for i in 0..self.cases.len() {
            let c = self.cases.case(i);
            if c.kind() == Kind::Channel && Some(i) != skip {
                c.unregister();
            }
        }
    }

    /// True if some case can ever complete.
    fn any_enabled(&mut self) -> bool {
        (0..self.cases.len()).any(|i| self.cases.case(i).kind() != Kind::Disabled)
    }
}

impl<'a, L: CaseList<'a> + ?Sized> Future for Selector<'_, 'a, L> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = &mut *self;
        if this.signal.is_some() {
            return this.poll_parked(cx);
        }
        std::task::ready!(crate::runtime::current::poll_budget(cx)); // yields every so often
        loop {
            let mut order = Order::shuffled(this.cases.len());
            if let Some(i) = this.poll_pass(&mut order, cx) {
                return Poll::Ready(i);
            }
            if this.default {
                return Poll::Ready(DEFAULT);
            }
            if !this.any_enabled() {
                // Go's all-nil select parks as "select"; only `select {}`
                // is "select (no cases)" (`forever`).
                will_park(WaitReason::Select, this.at);
                return Poll::Pending;
            }
            match this.enqueue_pass(&mut order, cx) {
                Enqueued::Parked => break,
                Enqueued::Retry => continue,
                Enqueued::Selected(k) => return Poll::Ready(k),
            }
        }
        will_park(WaitReason::Select, this.at);
        Poll::Pending
    }
}

impl<'a, L: CaseList<'a> + ?Sized> Drop for Selector<'_, 'a, L> {
    /// Inlined: a select that never waited has nothing to release.
    #[inline]
    fn drop(&mut self) {
        if self.signal.is_some() || self.arena.is_some() {
            self.release();
        }
    }
}

impl<'a, L: CaseList<'a> + ?Sized> Selector<'_, 'a, L> {
    /// The drop of a select that queued its cases at least once: cancels
    /// a parked one and caches its arena.
    #[inline(never)]
    fn release(&mut self) {
        if let Some(signal) = self.signal.take() {
            self.cancel(signal);
        }
        let Some(arena) = self.arena.take() else { return };
        if std::thread::panicking() {
            // A panic between two registrations may leave cases queued
            // that this selector never recorded; they remove their entries
            // when dropped, reading their ops: the block must outlive them.
            std::mem::forget(arena);
            return;
        }
        if (0..self.cases.len()).any(|i| self.cases.case(i).holds_op()) {
            // Never, by the passes above; were it to happen, a case would
            // read its op after the arena went to another select: leak the
            // block instead, before a debug build says so (its panic drops
            // the cases, which read their ops).
            std::mem::forget(arena);
            debug_assert!(false, "goro::select: a case still points into its arena");
            return;
        }
        cache::put_arena(arena); // nothing is queued any more
    }
}

impl<'a, L: CaseList<'a> + ?Sized> Unpin for Selector<'_, 'a, L> {}

impl<'a, L: CaseList<'a> + ?Sized> std::fmt::Debug for Selector<'_, 'a, L> {
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
