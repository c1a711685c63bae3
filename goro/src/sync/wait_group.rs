//! `WaitGroup`: Go's `sync.WaitGroup`, including Go 1.25's `WaitGroup.Go`.
//!
//! Algorithm: an atomic counter plus a wait list. `add` that brings the
//! counter to zero takes the list lock and releases every waiter (`GRANTED`),
//! so a waiter is released even if the group is reused and the counter rises
//! again before it runs, as in Go.
//!
//! Invariant (no lost wake-up): a waiter re-reads the counter under the list
//! lock before parking; the adder that reaches zero takes the same lock after
//! its RMW, so either the waiter sees zero or the adder sees the waiter.

use super::waiter::{self, wake_all, Node, WaitList, GRANTED};
use crate::loom::atomic::{AtomicI64, Ordering};
use crate::loom::Arc;
use crate::runtime::current::{block_on_thread, will_park_on};
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Waits for a collection of goroutines to finish: Go's `sync.WaitGroup`.
///
/// Share it with an `Arc`, or use [`WaitGroup::go`], which does the
/// `add(1)` / `done()` bookkeeping itself (Go 1.25's `wg.Go`).
///
/// ```
/// use std::sync::Arc;
/// let wg = Arc::new(goro::sync::WaitGroup::new());
/// for _ in 0..3 {
///     wg.go(async { /* work */ });
/// }
/// wg.wait_blocking();
/// ```
#[derive(Default)]
pub struct WaitGroup {
    /// Shared with the goroutines `go` starts.
    inner: Arc<Inner>,
}

/// The counter and its waiters.
#[derive(Default)]
struct Inner {
    /// Outstanding work; never negative.
    count: AtomicI64,
    /// Parked `wait` calls.
    waiters: crate::loom::Mutex<WaitList>,
}

impl WaitGroup {
    /// A wait group with a zero counter.
    pub fn new() -> WaitGroup {
        WaitGroup::default()
    }

    /// Adds `delta` (may be negative) to the counter: Go's `Add`.
    ///
    /// # Panics
    ///
    /// "goro::sync: negative WaitGroup counter" if the counter would go
    /// below zero, as Go does.
    pub fn add(&self, delta: i64) {
        self.inner.add(delta);
    }

    /// Decrements the counter by one: Go's `Done`.
    ///
    /// # Panics
    ///
    /// If the counter would go negative.
    pub fn done(&self) {
        self.inner.add(-1);
    }

    /// Starts `fut` as a goroutine counted by this group: Go 1.25's
    /// `wg.Go(f)`. The count drops when it finishes, even by panicking.
    #[track_caller]
    pub fn go<F>(&self, fut: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.add(1);
        let done = DoneOnDrop(self.inner.clone());
        crate::go(async move {
            let _done = done;
            fut.await;
        });
    }

    /// Waits in a goroutine until the counter is zero: Go's `Wait`.
    #[track_caller]
    pub fn wait(&self) -> Wait<'_> {
        self.wait_as(WaitReason::WaitGroupWait, Location::caller())
    }

    /// `wait`, parking with `reason` (errgroup reports its own).
    pub(crate) fn wait_as(&self, reason: WaitReason, at: &'static Location<'static>) -> Wait<'_> {
        Wait { inner: &self.inner, node: None, reason, at }
    }

    /// Blocks this plain thread until the counter is zero.
    #[track_caller]
    pub fn wait_blocking(&self) {
        if self.inner.count.load(Ordering::Acquire) != 0 {
            block_on_thread(self.wait());
        }
    }

    /// The current counter (for diagnostics; it may change at once).
    pub fn count(&self) -> i64 {
        self.inner.count.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitGroup").field("count", &self.count()).finish()
    }
}

impl Inner {
    /// Adds `delta`; at zero, releases every waiter.
    fn add(&self, delta: i64) {
        // AcqRel: the workers' writes happen before the waiters' return.
        let new = self.count.fetch_add(delta, Ordering::AcqRel) + delta;
        if new < 0 {
            self.count.fetch_sub(delta, Ordering::Relaxed);
            panic!("goro::sync: negative WaitGroup counter");
        }
        if new == 0 && delta != 0 {
            let ws = waiter::lock(&self.waiters).drain(GRANTED);
            wake_all(ws);
        }
    }
}

/// Calls `done` when the goroutine started by [`WaitGroup::go`] ends.
struct DoneOnDrop(Arc<Inner>);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.add(-1);
    }
}

/// The future returned by [`WaitGroup::wait`].
#[must_use = "futures do nothing unless awaited"]
pub struct Wait<'a> {
    /// The group.
    inner: &'a Inner,
    /// Our node once parked.
    node: Option<Arc<Node>>,
    /// What the goroutine is reported to wait for.
    reason: WaitReason,
    /// The caller, for the wait reason.
    at: &'static Location<'static>,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.node.as_ref().is_some_and(|n| n.state() == GRANTED) {
            this.node = None;
            return Poll::Ready(());
        }
        if this.node.is_none() && this.inner.count.load(Ordering::Acquire) == 0 {
            return Poll::Ready(());
        }
        let mut list = waiter::lock(&this.inner.waiters);
        match &this.node {
            Some(n) if n.state() == GRANTED => {
                drop(list);
                this.node = None;
                return Poll::Ready(());
            }
            Some(n) => list.update_waker(n, cx.waker()),
            None if this.inner.count.load(Ordering::Acquire) == 0 => return Poll::Ready(()),
            None => {
                let n = Node::new(0);
                list.push_back(&n, cx.waker());
                this.node = Some(n);
            }
        }
        will_park_on(this.reason, this.at, crate::debug::hold::on(this.inner));
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(n) = self.node.take() {
            waiter::lock(&self.inner.waiters).remove(&n);
        }
    }
}
