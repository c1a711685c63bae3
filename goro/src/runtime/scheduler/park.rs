//! How an idle worker thread sleeps and is woken: Go's `notesleep` /
//! `notewakeup` on an M's `park` note.
//!
//! A [`Parker`] is a one-bit semaphore: `unpark` sets the bit (and wakes the
//! sleeper), `park` waits for the bit or for a deadline, then clears it. An
//! `unpark` that comes first is remembered, so the sleep/wake protocol of
//! `idle.rs` never loses a wake-up to the window between "decided to sleep"
//! and "asleep".
//!
//! This file is the only place that knows *how* a worker sleeps. A netpoller
//! replaces the condition variable here, and nothing else: the parking worker
//! that wins the I/O driver blocks in `epoll_wait(deadline)` instead, and
//! `unpark` of that worker becomes the driver's notify (an eventfd write).
//! See `runtime/README.md`, "Room for a netpoller".

use crate::loom::{Condvar, Mutex};
use std::time::Instant;

/// One worker's sleep/wake-up channel.
#[derive(Default)]
pub(crate) struct Parker {
    /// Set by `unpark`, cleared by `park` when it returns.
    notified: Mutex<bool>,
    /// Signalled by `unpark`.
    cv: Condvar,
}

impl Parker {
    /// A parker with no pending wake-up.
    pub(crate) fn new() -> Self {
        Parker { notified: Mutex::new(false), cv: Condvar::new() }
    }

    /// Sleeps until [`unpark`](Self::unpark) or `deadline`, whichever is
    /// first; returns at once if an unpark is pending. Consumes the unpark.
    pub(crate) fn park(&self, deadline: Option<Instant>) {
        let mut notified = self.notified.lock().unwrap_or_else(|e| e.into_inner());
        while !*notified {
            notified = match deadline {
                None => self.cv.wait(notified).unwrap_or_else(|e| e.into_inner()),
                Some(at) => {
                    let now = Instant::now();
                    if now >= at {
                        break;
                    }
                    let waited = self.cv.wait_timeout(notified, at - now);
                    waited.unwrap_or_else(|e| e.into_inner()).0
                }
            };
        }
        *notified = false;
    }

    /// Wakes the sleeper, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        *self.notified.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_one();
    }
}
