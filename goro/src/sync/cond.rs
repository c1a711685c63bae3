//! `Cond`: Go's `sync.Cond`, bound to a goro [`Mutex`].
//!
//! Algorithm (after Go's `notifyList`): `wait` joins the FIFO list *before*
//! unlocking the mutex, so a `signal` made after the unlock always finds it;
//! `signal` settles the oldest waiter, `broadcast` all of them. The woken
//! waiter then re-locks the mutex.
//!
//! Invariant: a notified waiter whose future is dropped before it re-locks
//! passes the notification to the next waiter, so no `signal` is lost.

use super::mutex::{Mutex, MutexGuard};
use super::waiter::{self, wake_all, Node, WaitList, NOTIFIED, WAITING};
use crate::loom::Arc;
use crate::runtime::current::{block_on_thread, will_park_on};
use crate::runtime::WaitReason;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::Location;
use std::task::Poll;

/// A condition variable: Go's `sync.Cond`.
///
/// `wait(guard).await` unlocks, waits for a signal, and re-locks. As in Go,
/// wake-ups may race with other lockers: check the condition in a loop.
///
/// ```
/// use goro::sync::{Cond, Mutex};
/// let (m, c) = (Mutex::new(true), Cond::new());
/// let g = m.lock_blocking();
/// c.signal(); // nobody waits: a no-op, as in Go
/// drop(g);
/// ```
#[derive(Default)]
pub struct Cond {
    /// Parked waiters, oldest first.
    waiters: crate::loom::Mutex<WaitList>,
}

impl Cond {
    /// A condition variable with no waiters.
    pub fn new() -> Cond {
        Cond::default()
    }

    /// Unlocks `guard`'s mutex, waits for [`signal`](Cond::signal) or
    /// [`broadcast`](Cond::broadcast), and locks it again: Go's `c.Wait()`.
    #[track_caller]
    pub fn wait<'a, T>(
        &'a self,
        guard: MutexGuard<'a, T>,
    ) -> impl Future<Output = MutexGuard<'a, T>> + 'a {
        let at = Location::caller();
        async move { self.wait_at(guard, at).await }
    }

    /// The body of [`wait`](Cond::wait), with the caller's location.
    async fn wait_at<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        at: &'static Location<'static>,
    ) -> MutexGuard<'a, T> {
        let node = Node::new(0);
        let mutex = self.enqueue_and_unlock(guard, &node);
        let mut parked = Parked { cond: self, node: Some(node) };
        poll_fn(|cx| {
            let mut list = waiter::lock(&self.waiters);
            let n = parked.node.as_ref().expect("goro::sync: Cond wait polled after completion");
            if n.state() != WAITING {
                parked.node = None;
                return Poll::Ready(());
            }
            list.update_waker(n, cx.waker());
            will_park_on(WaitReason::CondWait, at, crate::debug::hold::on(self));
            Poll::Pending
        })
        .await;
        mutex.lock().await
    }

    /// Like [`wait`](Cond::wait), blocking this plain thread.
    #[track_caller]
    pub fn wait_blocking<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        block_on_thread(self.wait_at(guard, Location::caller()))
    }

    /// Wakes the longest-waiting goroutine, if any: Go's `Signal`.
    pub fn signal(&self) {
        let w = waiter::lock(&self.waiters).pop_front().map(|e| e.settle(NOTIFIED));
        w.into_iter().for_each(std::task::Waker::wake);
    }

    /// Wakes every waiting goroutine: Go's `Broadcast`.
    pub fn broadcast(&self) {
        let ws = waiter::lock(&self.waiters).drain(NOTIFIED);
        wake_all(ws);
    }

    /// Joins the list (with a no-op waker until first polled), then unlocks.
    fn enqueue_and_unlock<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        node: &Arc<Node>,
    ) -> &'a Mutex<T> {
        waiter::lock(&self.waiters).push_back(node, std::task::Waker::noop());
        guard.unlock_into_mutex()
    }
}

impl fmt::Debug for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cond").field("waiters", &waiter::lock(&self.waiters).len()).finish()
    }
}

/// A waiter's registration; cleans up if the wait is dropped.
struct Parked<'a> {
    /// The condition.
    cond: &'a Cond,
    /// Our node until notified.
    node: Option<Arc<Node>>,
}

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        let Some(n) = self.node.take() else { return };
        let mut list = waiter::lock(&self.cond.waiters);
        if !list.remove(&n) && n.state() == NOTIFIED {
            let w = list.pop_front().map(|e| e.settle(NOTIFIED));
            drop(list);
            w.into_iter().for_each(std::task::Waker::wake);
        }
    }
}
