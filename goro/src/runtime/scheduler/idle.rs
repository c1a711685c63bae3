//! Which workers are awake, which are searching for work, which sleep: Go's
//! `sched.npidle` / `sched.nmspinning` and `wakep`.
//!
//! ## State
//!
//! One atomic word packs `unparked` (workers not asleep) and `searching`
//! (workers out of work that are looking in other queues: Go's "spinning"
//! Ms). The list of sleeping workers sits behind a mutex, touched only when a
//! worker goes to sleep or is woken: never on the run-a-goroutine hot path.
//!
//! ## Rules (the proof sketch is in `runtime/README.md`)
//!
//! 1. A worker may start searching only while fewer than half search.
//! 2. Whoever makes work stealable calls [`Idle::worker_to_notify`]; it wakes
//!    a sleeper only when nobody searches (a searcher will find the work).
//!    A wake-up from a running goroutine does not (its worker runs the
//!    woken next; the monitor wakes a sleeper for a backlog):
//!    `Worker::push_local`.
//! 3. A woken worker starts out searching, so one wake-up at a time suffices.
//! 4. A searcher that finds work stops searching; if it was the last one, it
//!    wakes another (there may be more work behind what it found).
//! 5. A searcher that finds nothing and was the last to go to sleep re-checks
//!    every queue after registering as asleep.
//!
//! The design follows Go's `proc.go` "Worker thread parking/unparking" essay
//! and tokio's `multi_thread/idle.rs`.

use crate::loom::atomic::{fence, AtomicUsize, Ordering};
use crate::loom::Mutex;

/// Bits of the state word that count searching workers.
const SEARCHING_MASK: usize = (1 << 16) - 1;
/// Shift of the `unparked` count.
const UNPARKED_SHIFT: usize = 16;
/// One unparked worker, in the packed word.
const ONE_UNPARKED: usize = 1 << UNPARKED_SHIFT;

/// The sleep/wake bookkeeping of one runtime's workers.
pub(crate) struct Idle {
    /// Packed `unparked << 16 | searching`.
    state: AtomicUsize,
    /// Indices of sleeping workers.
    sleepers: Mutex<Vec<usize>>,
    /// The number of workers.
    workers: usize,
}

/// Splits the state word into `(unparked, searching)`.
fn unpack(state: usize) -> (usize, usize) {
    (state >> UNPARKED_SHIFT, state & SEARCHING_MASK)
}

impl Idle {
    /// All `workers` start awake and not searching.
    pub(crate) fn new(workers: usize) -> Self {
        Idle {
            state: AtomicUsize::new(workers << UNPARKED_SHIFT),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    /// Locks the sleeper list (no code panics under it).
    fn sleepers(&self) -> crate::loom::MutexGuard<'_, Vec<usize>> {
        self.sleepers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Rule 1: try to become a searcher.
    pub(crate) fn try_start_searching(&self) -> bool {
        let (_, searching) = unpack(self.state.load(Ordering::SeqCst)); // part of the Dekker pair in README
        if 2 * searching >= self.workers {
            return false;
        }
        self.state.fetch_add(1, Ordering::SeqCst); // seen by notifiers' SeqCst load
        true
    }

    /// Rule 4: stop searching; true if this was the last searcher, in which
    /// case the caller must notify another worker.
    pub(crate) fn stop_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, Ordering::SeqCst); // Dekker pair with worker_to_notify
        unpack(prev).1 == 1
    }

    /// Rule 2: after making work stealable, the worker to wake, if any. The
    /// returned worker is already counted as unparked and searching.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        fence(Ordering::SeqCst); // orders the caller's queue push before the state load
        if !self.should_wake(self.state.load(Ordering::SeqCst)) {
            // Dekker pair with go_to_sleep
            return None;
        }
        let mut sleepers = self.sleepers();
        if !self.should_wake(self.state.load(Ordering::SeqCst)) {
            // as above, under the lock
            return None; // changed while we locked
        }
        let index = sleepers.pop()?;
        self.state.fetch_add(ONE_UNPARKED | 1, Ordering::SeqCst); // under the lock: one count per wake
        Some(index)
    }

    /// Nobody searches and somebody sleeps.
    fn should_wake(&self, state: usize) -> bool {
        let (unparked, searching) = unpack(state);
        searching == 0 && unparked < self.workers
    }

    /// Rule 5, first half: registers worker `index` as asleep. Returns true
    /// if it was the last searcher, in which case the caller must re-check
    /// every queue (and notify if it finds work) before actually sleeping.
    pub(crate) fn go_to_sleep(&self, index: usize, searching: bool) -> bool {
        let mut sleepers = self.sleepers();
        let dec = ONE_UNPARKED + usize::from(searching);
        let prev = self.state.fetch_sub(dec, Ordering::SeqCst); // Dekker pair with worker_to_notify
        fence(Ordering::SeqCst); // orders the RMW before the caller's queue re-check (README)
        sleepers.push(index);
        searching && unpack(prev).1 == 1
    }

    /// After a wake-up: returns true if a notifier woke us (we are counted as
    /// searching), false if we woke on our own (deadline, spurious, shutdown)
    /// and have now re-registered as awake, not searching.
    pub(crate) fn woke_up(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers();
        match sleepers.iter().position(|&i| i == index) {
            Some(pos) => {
                sleepers.swap_remove(pos);
                self.state.fetch_add(ONE_UNPARKED, Ordering::SeqCst); // as in go_to_sleep
                false
            }
            None => true,
        }
    }

    /// Sleeping workers now (racy; for counters).
    pub(crate) fn sleeping(&self) -> usize {
        self.workers - unpack(self.state.load(Ordering::Relaxed)).0
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::super::park::Parker;
    use super::*;
    use crate::loom::atomic::AtomicUsize;
    use crate::loom::{thread, Arc};

    /// One worker and one producer. The worker runs the real sleep protocol
    /// (search, register as asleep, re-check, park); the producer pushes one
    /// unit of work and notifies. The worker must always consume the work:
    /// if a wake-up were lost, loom reports the worker blocked forever.
    #[test]
    fn loom_park_no_lost_wakeup() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            let parker = Arc::new(Parker::new());
            let work = Arc::new(AtomicUsize::new(0));
            // Worker 1 exists only on paper: it sleeps forever from the start.
            assert!(!idle.go_to_sleep(1, false));
            let producer = {
                let (idle, parker, work) = (idle.clone(), parker.clone(), work.clone());
                thread::spawn(move || {
                    work.fetch_add(1, Ordering::SeqCst);
                    if idle.worker_to_notify() == Some(0) {
                        parker.unpark();
                    }
                })
            };
            let mut searching = idle.try_start_searching();
            loop {
                if work.swap(0, Ordering::SeqCst) == 1 {
                    break;
                }
                let last = idle.go_to_sleep(0, searching);
                if last && work.load(Ordering::SeqCst) != 0 {
                    if let Some(i) = idle.worker_to_notify() {
                        assert_eq!(i, 0, "worker 1 never runs, only 0 can be popped first");
                        parker.unpark();
                    }
                }
                parker.park(None);
                searching = idle.woke_up(0);
            }
            producer.join().unwrap();
        });
    }
}
