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
//!   A handle dropped after it saw `DONE` disposes without setting
//!   `DETACHED`: the runner reads it only in its `DONE` transition.
//! - `ABORTED`: `JoinHandle::abort` was called; the next run completes the
//!   goroutine with `JoinError::Aborted` instead of polling.
//!
//! `SCHEDULED` and `RUNNING` are never both set: the run transition swaps one
//! for the other atomically.

use crate::loom::atomic::{AtomicU8, Ordering};

/// In a run queue, or about to be.
pub(crate) const SCHEDULED: u8 = 1 << 0;
/// Being polled.
pub(crate) const RUNNING: u8 = 1 << 1;
/// Woken while being polled.
pub(crate) const NOTIFIED: u8 = 1 << 2;
/// Finished; the output is in the stage.
pub(crate) const DONE: u8 = 1 << 3;
/// The join handle is gone.
pub(crate) const DETACHED: u8 = 1 << 4;
/// Abort requested.
pub(crate) const ABORTED: u8 = 1 << 5;

/// The state word: one byte, so that it packs beside the task's reference
/// count in its first word (`task.rs`, `Hot`), which keeps a task record in
/// a smaller allocation class.
pub(crate) struct State(AtomicU8);

impl State {
    /// A new goroutine: scheduled by its spawner.
    pub(crate) fn new_scheduled() -> Self {
        State(AtomicU8::new(SCHEDULED))
    }

    /// The current bits (Acquire: pairs with the Release of each transition).
    #[inline]
    pub(crate) fn load(&self) -> u8 {
        self.0.load(Ordering::Acquire) // pairs with the transitions' Release
    }

    /// A wake-up. Returns true if the caller must enqueue the goroutine.
    ///
    /// Even when there is nothing to change (already queued or notified) the
    /// wake writes the word (a same-value CAS): a read-only fast path would
    /// let it read `SCHEDULED` from before the runner's `start_run` while the
    /// runner misses what the waker published, a lost wake-up that
    /// `loom_state_wake_during_run_is_not_lost` finds.
    pub(crate) fn wake(&self) -> bool {
        let mut cur = self.0.load(Ordering::Acquire); // sees the last transition's writes
        loop {
            if cur & DONE != 0 {
                return false;
            }
            let next = if cur & (SCHEDULED | NOTIFIED) != 0 {
                cur
            } else if cur & RUNNING != 0 {
                cur | NOTIFIED
            } else {
                cur | SCHEDULED
            };
            // AcqRel: orders this wake with the runner's transitions; the
            // winner of idle -> SCHEDULED owns the queue entry.
            match self.0.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return next & SCHEDULED != 0 && cur & SCHEDULED == 0,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Dequeued: SCHEDULED -> RUNNING. Returns the new bits, or `None` if the
    /// goroutine already finished (cancelled while queued).
    pub(crate) fn start_run(&self) -> Option<u8> {
        let mut cur = self.0.load(Ordering::Acquire); // sees the last transition's writes
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
        let mut cur = self.0.load(Ordering::Acquire); // sees the last transition's writes
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
        let mut cur = self.0.load(Ordering::Acquire); // sees the last transition's writes
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
    pub(crate) fn complete(&self) -> u8 {
        let mut cur = self.0.load(Ordering::Relaxed);
        loop {
            let next = (cur | DONE) & !(RUNNING | NOTIFIED);
            // AcqRel: release the output to the handle; acquire a racing detach.
            match self.0.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(prev) => return prev,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The handle is dropped. Returns true if the caller now disposes of
    /// the output (the goroutine is `DONE`). Already `DONE` (a joined
    /// handle, nearly always), it leaves `DETACHED` unset: the runner read
    /// it for the last time in its `DONE` transition, so a load replaces
    /// a locked read-modify-write.
    pub(crate) fn detach_is_disposer(&self) -> bool {
        self.load() & DONE != 0 || self.detach() & DONE != 0
    }

    /// The handle is dropped. Returns the previous bits.
    fn detach(&self) -> u8 {
        self.0.fetch_or(DETACHED, Ordering::AcqRel) // acquire the output if DONE
    }

    /// Abort requested. Returns the previous bits.
    pub(crate) fn abort(&self) -> u8 {
        self.0.fetch_or(ABORTED, Ordering::AcqRel) // seen by the next start_run
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::*;
    use crate::loom::atomic::AtomicBool;
    use crate::loom::{thread, Arc};

    /// Completion racing the handle's drop: exactly one side disposes of
    /// the output.
    #[test]
    fn loom_state_complete_vs_detach_one_disposer() {
        loom::model(|| {
            let s = Arc::new(State::new_scheduled());
            assert!(s.start_run().is_some());
            let handle = {
                let s = s.clone();
                thread::spawn(move || s.detach_is_disposer())
            };
            let runner_disposes = s.complete() & DETACHED != 0;
            let handle_disposes = handle.join().unwrap();
            assert!(runner_disposes ^ handle_disposes, "exactly one disposer");
        });
    }

    /// A wake racing a poll: the goroutine is queued at most once, and a
    /// wake whose message the poll did not see always requeues it.
    #[test]
    fn loom_state_wake_during_run_is_not_lost() {
        loom::model(|| {
            let s = Arc::new(State::new_scheduled());
            let message = Arc::new(AtomicBool::new(false));
            let waker = {
                let (s, message) = (s.clone(), message.clone());
                thread::spawn(move || {
                    message.store(true, Ordering::SeqCst);
                    s.wake()
                })
            };
            assert!(s.start_run().is_some());
            let saw_message = message.load(Ordering::SeqCst);
            let requeued = s.end_run();
            let enqueued_by_waker = waker.join().unwrap();
            assert!(!(requeued && enqueued_by_waker), "queued twice");
            assert!(saw_message || requeued || enqueued_by_waker, "lost wake-up");
        });
    }
}
