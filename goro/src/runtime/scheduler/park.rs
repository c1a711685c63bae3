//! How an idle worker thread sleeps and is woken: Go's `notesleep` /
//! `notewakeup` on an M's `park` note.
//!
//! A [`Parker`] is a one-bit semaphore: `unpark` sets the bit (and wakes the
//! sleeper), `park` waits for the bit or for a deadline, then clears it. An
//! `unpark` that comes first is remembered, so the sleep/wake protocol of
//! `idle.rs` never loses a wake-up to the window between "decided to sleep"
//! and "asleep".
//!
//! ## Algorithm
//!
//! A state word, `EMPTY`, `PARKED` (asleep on the condition variable) or
//! `NOTIFIED` (an unpark is pending), in the manner of std's thread parker
//! (`park_state.rs`, shared with a plain thread's parker).
//! `park` first spins briefly on the word, because a worker that just ran
//! out of work is often handed more within microseconds, and a futex sleep
//! plus wake-up costs both threads a system call. Only a `PARKED` sleeper
//! makes `unpark` take the lock and signal; otherwise unpark is one swap.
//! The lock is taken by `unpark` before signalling so that the signal cannot
//! fall between the sleeper's check of the word and its wait.
//!
//! This file is the only place that knows *how* a worker sleeps. A netpoller
//! replaces the condition variable here, and nothing else: the parking worker
//! that wins the I/O driver blocks in `epoll_wait(deadline)` instead, and
//! `unpark` of that worker becomes the driver's notify (an eventfd write).
//! See `runtime/README.md`, "Room for a netpoller".

use super::park_state::ParkState;
use crate::loom::{Condvar, Mutex};
use std::time::Instant;

/// Checks of the state word before sleeping: half busy spins, half
/// `yield_now`s (a few microseconds in all).
const SPINS: usize = crate::loom::model_size(32, 0);

/// One worker's sleep/wake-up channel.
pub(crate) struct Parker {
    /// The wake-up word.
    state: ParkState,
    /// Held around the sleeper's last check and by `unpark`'s signal.
    lock: Mutex<()>,
    /// Signalled by `unpark` when the owner is `PARKED`.
    cv: Condvar,
}

impl Parker {
    /// A parker with no pending wake-up.
    pub(crate) fn new() -> Self {
        Parker { state: ParkState::new(), lock: Mutex::new(()), cv: Condvar::new() }
    }

    /// Sleeps until [`unpark`](Self::unpark) or `deadline`, whichever is
    /// first; returns at once if an unpark is pending. Consumes the unpark.
    // Under loom `SPINS` is 0 (a spin is a branch loom cannot finish).
    #[cfg_attr(loom, allow(clippy::reversed_empty_ranges, clippy::absurd_extreme_comparisons))]
    pub(crate) fn park(&self, deadline: Option<Instant>) {
        for i in 0..SPINS {
            if self.state.try_consume() {
                return;
            }
            if i < SPINS / 2 {
                std::hint::spin_loop();
            } else {
                crate::loom::thread::yield_now(); // let a busy core's other threads run
            }
        }
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if !self.state.try_park() {
            return; // an unpark beat us, consumed
        }
        loop {
            guard = match deadline {
                None => self.cv.wait(guard).unwrap_or_else(|e| e.into_inner()),
                Some(at) => {
                    let now = Instant::now();
                    if now >= at {
                        break;
                    }
                    self.cv.wait_timeout(guard, at - now).unwrap_or_else(|e| e.into_inner()).0
                }
            };
            if self.state.woken() {
                return;
            }
        }
        self.state.leave_parked(); // the deadline: consumes an unpark that raced in
        drop(guard);
    }

    /// Wakes the sleeper, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        if self.state.notify() {
            drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
            self.cv.notify_one();
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::atomic::{AtomicBool, Ordering};
    use crate::loom::{thread, Arc};

    /// An unpark left pending from before (consumed by no one) races a new
    /// one that publishes a flag: `park` must consume the newest, so that
    /// the flag is seen after it returns. A lost unpark is a deadlock the
    /// model reports.
    #[test]
    fn loom_parker_stale_unpark_hides_no_new_one() {
        loom::model(|| {
            let p = Arc::new(Parker::new());
            p.unpark(); // an earlier unparker's, never consumed
            let flag = Arc::new(AtomicBool::new(false));
            let unparker = {
                let (p, flag) = (p.clone(), flag.clone());
                thread::spawn(move || {
                    flag.store(true, Ordering::Relaxed);
                    p.unpark();
                })
            };
            // Relaxed: the unpark's Release/Acquire orders the store.
            while !flag.load(Ordering::Relaxed) {
                p.park(None);
            }
            unparker.join().unwrap();
        });
    }
}
