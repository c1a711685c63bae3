//! The cancel tree: one `CancelNode` per `with_cancel`/`with_deadline`.
//!
//! Algorithm (after Go's `context.go` `cancelCtx`/`propagateCancel`): a node
//! registers with its nearest cancellable ancestor (skipping value contexts,
//! stopping at `without_cancel` and `background`) under that ancestor's lock;
//! if the ancestor is already cancelled, the node is born cancelled.
//! Cancelling takes each node's children, waiters, `after_func`s and timer
//! out under its own lock, then handles them with no lock held; children are
//! cancelled iteratively (an explicit work list), so a deep chain cannot
//! overflow the stack.
//!
//! Invariants:
//! - locks are never nested: a node never holds its lock while locking a
//!   parent or a child, so there is no lock order to get wrong;
//! - parents hold children weakly; a node leaves its parent's map when it is
//!   cancelled or dropped, so a long-lived parent never grows without bound;
//! - `err` is set once; `done` mirrors it for a lock-free fast check.

use super::{timer, Cause, Context, ContextError};
use crate::loom::atomic::AtomicBool;
use crate::loom::{Mutex, MutexGuard};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::task::Waker;
use std::time::Instant;

/// A cancellable context's shared state.
pub(crate) struct CancelNode {
    /// The context this one derives from (values, deadline).
    pub(crate) parent: Context,
    /// The effective deadline (already the minimum with the parent's).
    pub(crate) deadline: Option<Instant>,
    /// The cause recorded when our own deadline timer fires (Go's
    /// `WithDeadlineCause`); `None`: the cause is `DeadlineExceeded` itself.
    deadline_cause: Option<Cause>,
    /// Set (Release) once `err` is; read without the lock.
    done: AtomicBool,
    /// Everything that changes on cancellation.
    state: Mutex<State>,
    /// The ancestor we are registered with, and our key in its map.
    link: Mutex<Option<(Arc<CancelNode>, u64)>>,
}

/// What the node's lock protects.
#[derive(Default)]
struct State {
    /// Why the node was cancelled; `None` while live.
    err: Option<ContextError>,
    /// The cause given to `cancel`, if any.
    cause: Option<Cause>,
    /// Registered descendants, held weakly.
    children: HashMap<u64, Weak<CancelNode>>,
    /// Parked `done()` futures.
    waiters: HashMap<u64, Waker>,
    /// `after_func` callbacks not yet run or stopped.
    after: HashMap<u64, Box<dyn FnOnce() + Send>>,
    /// Our deadline timer, to stop it on early cancellation.
    timer: Option<timer::Key>,
}

/// What cancelling one node takes out of it.
struct Taken {
    /// Children to cancel next.
    children: Vec<Arc<CancelNode>>,
    /// Done futures to wake.
    waiters: Vec<Waker>,
    /// Callbacks to start.
    after: Vec<Box<dyn FnOnce() + Send>>,
}

/// A fresh key for the maps.
pub(crate) fn next_key() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl CancelNode {
    /// A node under `parent`, registered with its nearest cancellable
    /// ancestor (born cancelled if that one is). `deadline_cause` is what
    /// an expiry of our own timer records.
    pub(crate) fn new(
        parent: &Context,
        deadline: Option<Instant>,
        deadline_cause: Option<Cause>,
    ) -> Arc<CancelNode> {
        let deadline = match (deadline, parent.deadline()) {
            (Some(d), Some(p)) => Some(d.min(p)),
            (d, p) => d.or(p),
        };
        let node = Arc::new(CancelNode {
            parent: parent.clone(),
            deadline,
            deadline_cause,
            done: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            link: Mutex::new(None),
        });
        node.attach();
        node
    }

    /// Locks our state, ignoring poison (no user code runs under it).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers with the nearest cancellable ancestor, or inherits its
    /// cancellation.
    fn attach(self: &Arc<Self>) {
        if let Some(p) = self.parent.canceller() {
            let mut st = p.lock();
            if let Some(err) = st.err {
                let cause = st.cause.clone();
                drop(st);
                cancel(self, err, cause);
                return;
            }
            let key = next_key();
            st.children.insert(key, Arc::downgrade(self));
            drop(st);
            *self.link.lock().unwrap_or_else(|e| e.into_inner()) = Some((p, key));
        }
    }

    /// Starts the deadline timer, or cancels now if it already passed.
    pub(crate) fn arm_timer(self: &Arc<Self>, at: Instant) {
        if at <= Instant::now() {
            return self.expire();
        }
        let key = timer::schedule(at, Arc::downgrade(self));
        let mut st = self.lock();
        if st.err.is_some() {
            drop(st);
            timer::stop(key);
        } else {
            st.timer = Some(key);
        }
    }

    /// Our deadline passed: cancel with `DeadlineExceeded` and the
    /// deadline's cause (Go's `timerCtx` timer callback).
    pub(crate) fn expire(self: &Arc<Self>) {
        cancel(self, ContextError::DeadlineExceeded, self.deadline_cause.clone());
    }

    /// Whether the node is cancelled (lock-free).
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire) // pairs with finish's Release
    }

    /// The error, if cancelled.
    pub(crate) fn err(&self) -> Option<ContextError> {
        if !self.is_done() {
            return None;
        }
        self.lock().err
    }

    /// The cause, if cancelled: the one given, else the error itself.
    pub(crate) fn cause(&self) -> Option<Cause> {
        let st = self.lock();
        let err = st.err?;
        Some(st.cause.clone().unwrap_or_else(|| Arc::new(err)))
    }

    /// Registers a done waker under `key`; false if already cancelled.
    pub(crate) fn register(&self, key: u64, waker: &Waker) -> bool {
        let mut st = self.lock();
        if st.err.is_some() {
            return false;
        }
        match st.waiters.get_mut(&key) {
            Some(w) if w.will_wake(waker) => {}
            Some(w) => *w = waker.clone(),
            None => drop(st.waiters.insert(key, waker.clone())),
        }
        true
    }

    /// Removes a done waker.
    pub(crate) fn unregister(&self, key: u64) {
        self.lock().waiters.remove(&key);
    }

    /// Adds an `after_func` callback; hands it back if already cancelled.
    pub(crate) fn add_after(
        &self,
        key: u64,
        f: Box<dyn FnOnce() + Send>,
    ) -> Result<(), Box<dyn FnOnce() + Send>> {
        let mut st = self.lock();
        if st.err.is_some() {
            return Err(f);
        }
        st.after.insert(key, f);
        Ok(())
    }

    /// Removes an `after_func` callback; true if it had not started.
    pub(crate) fn remove_after(&self, key: u64) -> bool {
        self.lock().after.remove(&key).is_some()
    }

    /// Sets the error and takes what must be handled; `None` if it was
    /// already cancelled.
    fn finish(&self, err: ContextError, cause: Option<Cause>) -> Option<Taken> {
        let mut st = self.lock();
        if st.err.is_some() {
            return None;
        }
        st.err = Some(err);
        st.cause = cause;
        self.done.store(true, Ordering::Release); // publishes err/cause
        if let Some(k) = st.timer.take() {
            timer::stop(k);
        }
        let children = st.children.drain().filter_map(|(_, w)| w.upgrade()).collect();
        let waiters = st.waiters.drain().map(|(_, w)| w).collect();
        let after = st.after.drain().map(|(_, f)| f).collect();
        Some(Taken { children, waiters, after })
    }

    /// How many children are registered (for the leak tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn children_len(&self) -> usize {
        self.lock().children.len()
    }

    /// How many done futures are registered (for the leak tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn waiters_len(&self) -> usize {
        self.lock().waiters.len()
    }

    /// Leaves the parent's child map.
    fn unlink(&self) {
        let link = self.link.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((p, key)) = link {
            p.lock().children.remove(&key);
        }
    }
}

impl Drop for CancelNode {
    fn drop(&mut self) {
        self.unlink();
    }
}

/// Cancels `root` and its whole subtree with `err`/`cause`. `root` leaves
/// its parent's map first, so whoever sees it done also sees it unlinked.
/// Descendants inherit the error and cause.
pub(crate) fn cancel(root: &Arc<CancelNode>, err: ContextError, cause: Option<Cause>) {
    root.unlink();
    let mut work = vec![root.clone()];
    while let Some(n) = work.pop() {
        let Some(t) = n.finish(err, cause.clone()) else { continue };
        t.waiters.into_iter().for_each(Waker::wake);
        for f in t.after {
            crate::go(async move { f() });
        }
        work.extend(t.children);
    }
}
