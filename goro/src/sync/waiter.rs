//! The FIFO wait list shared by every parking primitive in `goro::sync`.
//!
//! A parked future owns an `Arc<Node>`; the list holds the same node plus the
//! waker to call. The releasing side pops an entry under the primitive's own
//! lock, stores the outcome in the node (`NOTIFIED`: try again, or `GRANTED`:
//! the resource was handed over) and wakes it after dropping the lock.
//!
//! Invariants:
//! - a node is in at most one list, and only while its state is `WAITING`;
//! - a node's state changes only under the lock that guards its list, so a
//!   future that takes that lock sees a settled state and can clean up (remove
//!   itself, give back a grant, or pass a notification on) when dropped.
//!
//! Wakers are plain `std::task::Waker`s, so the lists work for goro
//! goroutines, tokio tasks and threads parked in `block_on_thread` alike.

use crate::loom::atomic::{AtomicU8, Ordering};
use crate::loom::Arc;
use std::collections::VecDeque;
use std::task::Waker;
use std::time::Instant;

/// Parked, still in the list.
pub(crate) const WAITING: u8 = 0;
/// Popped and woken: retry the acquisition.
pub(crate) const NOTIFIED: u8 = 1;
/// Popped and handed the resource: the waiter owns it now.
pub(crate) const GRANTED: u8 = 2;

/// One parked waiter.
#[derive(Debug)]
pub(crate) struct Node {
    /// `WAITING`, `NOTIFIED` or `GRANTED`.
    state: AtomicU8,
    /// When the waiter first parked (Mutex starvation mode needs it).
    pub(crate) since: Instant,
    /// What the waiter asks for (semaphore weight); 0 where unused.
    pub(crate) weight: usize,
}

impl Node {
    /// A fresh waiting node asking for `weight`.
    pub(crate) fn new(weight: usize) -> Arc<Node> {
        Arc::new(Node { state: AtomicU8::new(WAITING), since: Instant::now(), weight })
    }

    /// The node's state; `Acquire` pairs with the `Release` in `set`, so a
    /// grant's data is visible to the grantee.
    pub(crate) fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire) // pairs with set's Release
    }

    /// Sets the state (under the list's lock).
    pub(crate) fn set(&self, s: u8) {
        self.state.store(s, Ordering::Release) // publishes the handed-over resource
    }
}

/// A parked node and the waker that resumes it.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The waiter's node, shared with its future.
    pub(crate) node: Arc<Node>,
    /// Called once the node's state is settled.
    pub(crate) waker: Waker,
}

impl Entry {
    /// Settles the node to `state` and returns the waker to call after the
    /// lock is dropped.
    pub(crate) fn settle(self, state: u8) -> Waker {
        self.node.set(state);
        self.waker
    }
}

/// FIFO list of parked waiters.
#[derive(Debug, Default)]
pub(crate) struct WaitList {
    /// Oldest first.
    q: VecDeque<Entry>,
}

impl WaitList {
    /// An empty list.
    pub(crate) const fn new() -> WaitList {
        WaitList { q: VecDeque::new() }
    }

    /// Parks `node` at the back.
    pub(crate) fn push_back(&mut self, node: &Arc<Node>, waker: &Waker) {
        node.set(WAITING);
        self.q.push_back(Entry { node: node.clone(), waker: waker.clone() });
    }

    /// Parks `node` at the front (a woken waiter that lost the race).
    pub(crate) fn push_front(&mut self, node: &Arc<Node>, waker: &Waker) {
        node.set(WAITING);
        self.q.push_front(Entry { node: node.clone(), waker: waker.clone() });
    }

    /// Replaces the waker of a parked `node` if it changed.
    pub(crate) fn update_waker(&mut self, node: &Arc<Node>, waker: &Waker) {
        if let Some(e) = self.q.iter_mut().find(|e| Arc::ptr_eq(&e.node, node)) {
            if !e.waker.will_wake(waker) {
                e.waker = waker.clone();
            }
        }
    }

    /// Removes a parked `node`; true if it was there.
    pub(crate) fn remove(&mut self, node: &Arc<Node>) -> bool {
        match self.q.iter().position(|e| Arc::ptr_eq(&e.node, node)) {
            Some(i) => self.q.remove(i).is_some(),
            None => false,
        }
    }

    /// Takes the oldest waiter.
    pub(crate) fn pop_front(&mut self) -> Option<Entry> {
        self.q.pop_front()
    }

    /// The oldest waiter.
    pub(crate) fn front(&self) -> Option<&Entry> {
        self.q.front()
    }

    /// Whether no one waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// How many wait.
    pub(crate) fn len(&self) -> usize {
        self.q.len()
    }

    /// Settles every waiter to `state`, returning their wakers.
    pub(crate) fn drain(&mut self, state: u8) -> Vec<Waker> {
        self.q.drain(..).map(|e| e.settle(state)).collect()
    }
}

/// Wakes every waker in `ws` (after the lock that produced them is dropped).
pub(crate) fn wake_all(ws: Vec<Waker>) {
    ws.into_iter().for_each(Waker::wake);
}

/// Locks a `crate::loom::Mutex`, ignoring poisoning: the lists stay
/// consistent because no user code runs while they are locked.
pub(crate) fn lock<T>(m: &crate::loom::Mutex<T>) -> crate::loom::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
