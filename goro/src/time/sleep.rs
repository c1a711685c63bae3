//! `sleep` and `sleep_until`: Go's `time.Sleep`, as a future.
//!
//! On first poll a `Sleep` registers a timer: on the current processor's heap
//! when polled by a goro worker (no global lock; the worker sleeps exactly
//! until its earliest deadline), otherwise with the fallback timer thread, so
//! that a `Sleep` also works on a plain thread, in `block_on`, or inside
//! another executor. Completion is decided by comparing `Instant::now()` with
//! the deadline, so it never completes early, whoever fires the timer.

use super::entry::Entry;
use super::{clock, fallback};
use crate::runtime::WaitReason;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A future that completes at a deadline. Made by [`sleep`] and [`sleep_until`].
#[derive(Debug)]
pub struct Sleep {
    /// When it completes.
    deadline: Instant,
    /// The registered timer, after the first `Pending` poll.
    entry: Option<Arc<Entry>>,
    /// Where it was created, for park records.
    at: &'static Location<'static>,
}

impl Sleep {
    /// The instant at which this sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Registers a timer for the deadline where this thread's timers live.
    fn register(&mut self) -> &Arc<Entry> {
        let entry = Arc::new(Entry::new(clock::nanos_of(self.deadline)));
        if let Err(entry) = crate::runtime::scheduler::insert_timer(entry.clone()) {
            fallback::insert(entry);
        }
        self.entry.insert(entry)
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        let entry = match self.entry.take() {
            Some(e) if !e.fired() => self.entry.insert(e),
            _ => self.register(), // first poll (or, defensively, fired early)
        };
        entry.register(cx.waker());
        if entry.fired() && Instant::now() >= self.deadline {
            return Poll::Ready(()); // fired between our check and the register
        }
        crate::runtime::current::will_park(WaitReason::Sleep, self.at);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(e) = &self.entry {
            e.cancel();
        }
    }
}

/// Waits for `d`: Go's `time.Sleep`. Never completes early.
#[track_caller]
pub fn sleep(d: Duration) -> Sleep {
    let deadline = Instant::now().checked_add(d).unwrap_or_else(far_future);
    Sleep { deadline, entry: None, at: Location::caller() }
}

/// Waits until `deadline`.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep { deadline, entry: None, at: Location::caller() }
}

/// A deadline that never comes in practice (about 30 years on).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86400 * 365 * 30)
}
