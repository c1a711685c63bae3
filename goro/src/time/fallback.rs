//! The fallback timer thread: fires timers of sleeps polled off goro's
//! workers (on a plain thread via a `_blocking` call, inside `block_on`'s
//! main goroutine, or inside another executor such as tokio).
//!
//! One thread, started on first use, sleeping on a condition variable until
//! the earliest deadline of its own [`TimerHeap`]. Goroutines on workers
//! never come here: their timers live on their processor.

use super::clock;
use super::entry::Entry;
use super::heap::TimerHeap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// The thread's timers and its wake-up channel.
struct Fallback {
    /// The timers.
    heap: TimerHeap,
    /// Set when a new earliest deadline arrives; the thread clears it.
    changed: Mutex<bool>,
    /// Signals `changed`.
    cv: Condvar,
}

/// The fallback, starting its thread on first use.
fn fallback() -> &'static Fallback {
    static FALLBACK: OnceLock<&'static Fallback> = OnceLock::new();
    FALLBACK.get_or_init(|| {
        let fb =
            Fallback { heap: TimerHeap::new(), changed: Mutex::new(false), cv: Condvar::new() };
        let fb: &'static Fallback = Box::leak(Box::new(fb));
        std::thread::Builder::new()
            .name("goro-timer".into())
            .spawn(move || fb.run())
            .expect("goro::time: cannot start the timer thread");
        fb
    })
}

/// Registers `entry` with the fallback thread.
pub(crate) fn insert(entry: Arc<Entry>) {
    let fb = fallback();
    if fb.heap.insert(entry) {
        *fb.changed.lock().unwrap_or_else(|e| e.into_inner()) = true;
        fb.cv.notify_one();
    }
}

/// Takes over every timer of `from` (a processor handing off its work).
pub(crate) fn adopt(from: &TimerHeap) {
    let fb = fallback();
    from.move_into(&fb.heap);
    *fb.changed.lock().unwrap_or_else(|e| e.into_inner()) = true;
    fb.cv.notify_one();
}

/// Pending fallback timers (racy).
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) fn len() -> usize {
    fallback().heap.len()
}

impl Fallback {
    /// The thread: fire what is due, sleep until the next deadline or a new
    /// earlier one.
    fn run(&self) {
        loop {
            self.heap.fire(clock::now_nanos(), |w| w.wake());
            let mut changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
            while !*changed {
                let now = clock::now_nanos();
                let next = self.heap.next_deadline();
                if next.is_some_and(|at| at <= now) {
                    break;
                }
                changed = match next {
                    None => self.cv.wait(changed).unwrap_or_else(|e| e.into_inner()),
                    Some(at) => {
                        let d = clock::instant_of(at) - clock::instant_of(now);
                        self.cv.wait_timeout(changed, d).unwrap_or_else(|e| e.into_inner()).0
                    }
                };
            }
            *changed = false;
        }
    }
}
