//! `Semaphore`: golang.org/x/sync/semaphore's weighted semaphore.
//!
//! Algorithm (after x/sync's `semaphore.go`): a count of free units and a
//! FIFO of `(node, n)` waiters, all under one lock. A request is served at
//! once only if nobody waits ahead of it, so a large request is never
//! starved by a stream of small ones. `release` (a permit's drop) serves
//! waiters from the front while the front one fits.
//!
//! A request larger than the semaphore's size can never succeed: Go blocks it
//! until its context ends; goro fails it at once with
//! [`AcquireError::TooLarge`] (nothing else could happen to it here).
//!
//! Invariant (cancel safety): a dropped `Acquire` either removes its waiter
//! (and, if it was at the front, serves the ones now at the front, as Go's
//! `notifyWaiters` on cancel) or releases the units it was granted.

use super::waiter::{self, wake_all, Node, WaitList, GRANTED, WAITING};
use crate::loom::Arc;
use crate::runtime::current::{block_on_thread, will_park_on};
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A weighted semaphore: x/sync/semaphore's `Weighted`.
///
/// ```
/// let sem = goro::sync::Semaphore::new(3);
/// let p = sem.try_acquire(2).unwrap();
/// assert!(sem.try_acquire(2).is_none());
/// drop(p);
/// assert!(sem.try_acquire(3).is_some());
/// ```
pub struct Semaphore {
    /// The total weight.
    size: usize,
    /// Free units and the waiters.
    state: crate::loom::Mutex<State>,
}

/// What the lock protects.
#[derive(Debug)]
struct State {
    /// Units not held by anyone.
    free: usize,
    /// Waiters, oldest first; `Node::weight` is what each asks for.
    waiters: WaitList,
}

/// Why an acquisition failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcquireError {
    /// More units were asked for than the semaphore has in all.
    TooLarge,
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore request larger than its size")
    }
}

impl std::error::Error for AcquireError {}

impl Semaphore {
    /// A semaphore with `size` units, all free: `semaphore.NewWeighted(n)`.
    pub fn new(size: usize) -> Semaphore {
        Semaphore {
            size,
            state: crate::loom::Mutex::new(State { free: size, waiters: WaitList::new() }),
        }
    }

    /// Acquires `n` units, waiting in a goroutine: Go's `Acquire(ctx, n)`.
    /// Cancel with `select!`/timeout by dropping the future.
    ///
    /// Fails at once with [`AcquireError::TooLarge`] if `n` exceeds the
    /// size. This is deliberate: Go blocks such a request until its context
    /// ends, though it can never succeed; goro's `acquire` takes no context,
    /// so waiting would be forever.
    #[track_caller]
    pub fn acquire(&self, n: usize) -> Acquire<'_> {
        Acquire { sem: self, n, node: None, at: Location::caller() }
    }

    /// Like [`acquire`](Semaphore::acquire), blocking this plain thread.
    #[track_caller]
    pub fn acquire_blocking(&self, n: usize) -> Result<Permit<'_>, AcquireError> {
        block_on_thread(self.acquire(n))
    }

    /// Acquires `n` units if they are free now and nobody waits: Go's
    /// `TryAcquire`.
    pub fn try_acquire(&self, n: usize) -> Option<Permit<'_>> {
        let mut st = waiter::lock(&self.state);
        if st.free >= n && st.waiters.is_empty() {
            st.free -= n;
            return Some(Permit { sem: self, n });
        }
        None
    }

    /// Acquires `n` units owned by the permit, so it can move into a
    /// goroutine: `Arc<Semaphore>` form of [`acquire`](Semaphore::acquire).
    #[track_caller]
    pub fn acquire_owned(
        self: std::sync::Arc<Self>,
        n: usize,
    ) -> impl Future<Output = Result<OwnedPermit, AcquireError>> {
        let at = Location::caller();
        async move {
            let fut = Acquire { sem: &self, n, node: None, at };
            std::mem::forget(fut.await?);
            Ok(OwnedPermit { sem: self, n })
        }
    }

    /// [`try_acquire`](Semaphore::try_acquire) for an `Arc<Semaphore>`.
    pub fn try_acquire_owned(self: std::sync::Arc<Self>, n: usize) -> Option<OwnedPermit> {
        std::mem::forget(self.try_acquire(n)?);
        Some(OwnedPermit { sem: self, n })
    }

    /// Units free now (for diagnostics; it may change at once).
    pub fn available(&self) -> usize {
        waiter::lock(&self.state).free
    }

    /// The total weight.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Returns `n` units and serves the waiters they let through: Go's
    /// `Release`. Called by the permits' drop.
    fn release(&self, n: usize) {
        let mut st = waiter::lock(&self.state);
        st.free += n;
        assert!(st.free <= self.size, "goro::sync: semaphore released more than held");
        let ws = st.serve();
        drop(st);
        wake_all(ws);
    }
}

impl State {
    /// Grants waiters from the front while the front one fits (FIFO).
    fn serve(&mut self) -> Vec<Waker> {
        let mut ws = Vec::new();
        while let Some(w) = self.waiters.front().map(|e| e.node.weight) {
            if w > self.free {
                break;
            }
            self.free -= w;
            ws.extend(self.waiters.pop_front().map(|e| e.settle(GRANTED)));
        }
        ws
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("size", &self.size)
            .field("free", &self.available())
            .finish()
    }
}

/// The future returned by [`Semaphore::acquire`].
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    /// The semaphore.
    sem: &'a Semaphore,
    /// Units asked for.
    n: usize,
    /// Our node once parked.
    node: Option<Arc<Node>>,
    /// The caller, for the wait reason.
    at: &'static Location<'static>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<Permit<'a>, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let (sem, n) = (this.sem, this.n);
        if n > sem.size {
            return Poll::Ready(Err(AcquireError::TooLarge));
        }
        let mut st = waiter::lock(&sem.state);
        match &this.node {
            Some(node) if node.state() == GRANTED => {
                this.node = None;
                return Poll::Ready(Ok(Permit { sem, n }));
            }
            Some(node) => st.waiters.update_waker(node, cx.waker()),
            None if st.free >= n && st.waiters.is_empty() => {
                st.free -= n;
                return Poll::Ready(Ok(Permit { sem, n }));
            }
            None => {
                let node = Node::new(n);
                st.waiters.push_back(&node, cx.waker());
                this.node = Some(node);
            }
        }
        will_park_on(WaitReason::SemaphoreAcquire, this.at, crate::debug::hold::on(sem));
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(node) = self.node.take() else { return };
        let mut st = waiter::lock(&self.sem.state);
        if node.state() == WAITING {
            let was_front = st.waiters.front().is_some_and(|e| Arc::ptr_eq(&e.node, &node));
            st.waiters.remove(&node);
            let ws = if was_front { st.serve() } else { Vec::new() };
            drop(st);
            wake_all(ws);
            return;
        }
        drop(st);
        self.sem.release(self.n);
    }
}

/// Units held from a [`Semaphore`]; released when dropped.
#[must_use = "the units are released as soon as the permit is dropped"]
pub struct Permit<'a> {
    /// The semaphore.
    sem: &'a Semaphore,
    /// Units held.
    n: usize,
}

impl Permit<'_> {
    /// Units held.
    pub fn weight(&self) -> usize {
        self.n
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.sem.release(self.n);
    }
}

impl fmt::Debug for Permit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").field("n", &self.n).finish()
    }
}

/// Units held from an `Arc<Semaphore>`; released when dropped.
#[must_use = "the units are released as soon as the permit is dropped"]
pub struct OwnedPermit {
    /// The semaphore.
    sem: std::sync::Arc<Semaphore>,
    /// Units held.
    n: usize,
}

impl Drop for OwnedPermit {
    fn drop(&mut self) {
        self.sem.release(self.n);
    }
}

impl fmt::Debug for OwnedPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").field("n", &self.n).finish()
    }
}
