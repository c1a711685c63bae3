//! A goroutine's scheduling state: one atomic word, Go's `g.atomicstatus`
//! plus the join and abort flags.
//!
//! ## Bits and transitions
//!
//! ```text
//!            wake                 run (dequeued)
//!   idle ----------> SCHEDULED ----------------> RUNNING --pending--> idle
//!    ^                                            |  \
//!    |                               wake: +NOTIFIED  \--ready/panic--> DONE
//!    +---- pending with NOTIFIED: -> SCHEDULED (requeued by the runner)
//! ```
//!
//! - `SCHEDULED`: the goroutine sits in (or is being pushed to) a run queue.
//!   Whoever sets it owns the one queue entry; so a goroutine is queued at
//!   most once, whatever the number of wake-ups.
//! - `RUNNING`: a worker polls it; only that worker touches the future.
//! - `NOTIFIED`: woken while running; the runner requeues it after the poll.
//! - `DONE`: the output (or error) is in the stage, the future is gone.
//! - `DETACHED`: the `JoinHandle` was dropped. Whichever of `DONE` and
//!   `DETACHED` is set second disposes of the output (and reports a panic).
//! - `ABORTED`: `JoinHandle::abort` was called; the next run completes the
//!   goroutine with `JoinError::Aborted` instead of polling.
//!
//! `SCHEDULED` and `RUNNING` are never both set: the run transition swaps one
//! for the other atomically.

use crate::loom::atomic::{AtomicUsize, Ordering};

/// In a run queue, or about to be.
pub(crate) const SCHEDULED: usize = 1 << 0;
/// Being polled.
pub(crate) const RUNNING: usize = 1 << 1;
/// Woken while being polled.
pub(crate) const NOTIFIED: usize = 1 << 2;
/// Finished; the output is in the stage.
pub(crate) const DONE: usize = 1 << 3;
/// The join handle is gone.
pub(crate) const DETACHED: usize = 1 << 4;
/// Abort requested.
pub(crate) const ABORTED: usize = 1 << 5;

/// The state word.
pub(crate) struct State(AtomicUsize);

impl State {
    /// A new goroutine: scheduled by its spawner.
    pub(crate) fn new_scheduled() -> Self {
        State(AtomicUsize::new(SCHEDULED))
    }

    /// The current bits (Acquire: pairs with the Release of each transition).
    pub(crate) fn load(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    /// A wake-up. Returns true if the caller must enqueue the goroutine.
    pub(crate) fn wake(&self) -> bool {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if cur & (DONE | SCHEDULED | NOTIFIED) != 0 {
                return false;
            }
            let next = if cur & RUNNING != 0 { cur | NOTIFIED } else { cur | SCHEDULED };
            // AcqRel: the winner of idle -> SCHEDULED owns the queue entry.
            match self.0.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return next & SCHEDULED != 0,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Dequeued: SCHEDULED -> RUNNING. Returns the new bits, or `None` if the
    /// goroutine already finished (cancelled while queued).
    pub(crate) fn start_run(&self) -> Option<usize> {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if cur & DONE != 0 {
                return None;
            }
            let next = (cur & !(SCHEDULED | NOTIFIED)) | RUNNING;
            // Acquire: see the previous runner's writes to the future.
            match self.0.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(next),
                Err(actual) => cur = actual,
            }
        }
    }

    /// The poll returned `Pending`: RUNNING -> idle, or -> SCHEDULED if it was
    /// woken meanwhile. Returns true if the caller must requeue it.
    pub(crate) fn end_run(&self) -> bool {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            let requeue = cur & NOTIFIED != 0;
            let mut next = cur & !(RUNNING | NOTIFIED);
            if requeue {
                next |= SCHEDULED;
            }
            // Release: publish our writes to the future to the next runner.
            match self.0.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return requeue,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Claims an idle or queued goroutine for cancellation (shutdown): sets
    /// RUNNING unless it is running or done. True if claimed.
    pub(crate) fn claim_for_cancel(&self) -> bool {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if cur & (RUNNING | DONE) != 0 {
                return false;
            }
            let next = (cur & !(SCHEDULED | NOTIFIED)) | RUNNING;
            // AcqRel: as start_run.
            match self.0.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The output is written: RUNNING -> DONE. Returns the previous bits.
    pub(crate) fn complete(&self) -> usize {
        // AcqRel: release the output to the handle; acquire a racing detach.
        let prev = self.0.fetch_or(DONE, Ordering::AcqRel);
        self.0.fetch_and(!(RUNNING | NOTIFIED), Ordering::Release); // DONE already set: nobody requeues
        prev
    }

    /// The handle is dropped. Returns the previous bits.
    pub(crate) fn detach(&self) -> usize {
        self.0.fetch_or(DETACHED, Ordering::AcqRel) // acquire the output if DONE
    }

    /// Abort requested. Returns the previous bits.
    pub(crate) fn abort(&self) -> usize {
        self.0.fetch_or(ABORTED, Ordering::AcqRel) // seen by the next start_run
    }
}
