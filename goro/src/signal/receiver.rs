//! An interim bounded receiver for signals, until `goro::chan` lands.
//!
//! One producer (the relay thread) pushes without ever blocking (a full
//! buffer drops the signal, as Go's signal package does); one receiver
//! waits through a `Waker`, so `recv().await` works in goroutines and
//! `recv_blocking` on plain threads. Invariant: the receiver's waker is
//! replaced and read under the same lock as the queue, so no push is
//! missed between a failed check and parking.

use crate::runtime::current::{block_on_thread, will_park};
use crate::runtime::WaitReason;
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};

/// The shared buffer.
struct Shared<T> {
    /// Buffered items and the parked receiver's waker.
    inner: Mutex<(VecDeque<T>, Option<Waker>)>,
    /// How many items may wait.
    cap: usize,
}

impl<T> Shared<T> {
    /// Locks the buffer, ignoring poison.
    fn lock(&self) -> MutexGuard<'_, (VecDeque<T>, Option<Waker>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The sending side, held by the relay thread.
pub(crate) struct Pusher<T>(Arc<Shared<T>>);

impl<T> Pusher<T> {
    /// Buffers `v` (dropped if full) and wakes the receiver.
    pub(crate) fn push(&self, v: T) {
        let mut g = self.0.lock();
        if g.0.len() < self.0.cap {
            g.0.push_back(v);
        }
        let w = g.1.take();
        drop(g);
        if let Some(w) = w {
            w.wake();
        }
    }
}

/// A bounded buffer of capacity `cap`.
pub(crate) fn channel<T>(cap: usize) -> (Pusher<T>, Receiver<T>) {
    let shared = Arc::new(Shared { inner: Mutex::new((VecDeque::new(), None)), cap });
    (Pusher(shared.clone()), Receiver { shared, on_drop: None })
}

/// Receives signals from [`notify`](super::notify). (Interim type: it
/// becomes a `goro::chan::Receiver<Signal>` once channels land.)
pub struct Receiver<T> {
    /// The buffer.
    shared: Arc<Shared<T>>,
    /// Stops the relay when the receiver goes.
    on_drop: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl<T> Receiver<T> {
    /// Sets what to run on drop.
    pub(crate) fn on_drop(mut self, f: impl FnOnce() + Send + Sync + 'static) -> Receiver<T> {
        self.on_drop = Some(Box::new(f));
        self
    }

    /// Waits in a goroutine for the next item.
    #[track_caller]
    pub fn recv(&self) -> impl Future<Output = T> + '_ {
        let at = Location::caller();
        poll_fn(move |cx| {
            let mut g = self.shared.lock();
            if let Some(v) = g.0.pop_front() {
                return Poll::Ready(v);
            }
            g.1 = Some(cx.waker().clone());
            will_park(WaitReason::SignalWait, at);
            Poll::Pending
        })
    }

    /// Blocks this plain thread for the next item.
    pub fn recv_blocking(&self) -> T {
        block_on_thread(self.recv())
    }

    /// The next item if one is buffered.
    pub fn try_recv(&self) -> Option<T> {
        self.shared.lock().0.pop_front()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.take() {
            f();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("buffered", &self.shared.lock().0.len()).finish()
    }
}
