//! The rescue thread: Go's `startm` from `handoffp`, for the case where
//! every processor of a runtime is held by a stuck poll.
//!
//! goro keeps one worker thread per processor, and a worker stuck inside
//! one poll (a blocking call in a goroutine) cannot give its processor
//! away. The monitor (`debug/sysmon.rs`) hands a stuck processor's queued
//! goroutines to the global queue for the other workers; when *every*
//! processor is stuck (always the case with `procs(1)`), nobody is left to
//! run them, where Go would start a new M. goro then starts one rescue
//! thread for the runtime: it runs goroutines from the global queue, off
//! any processor (their wake-ups go to the global queue and their timers
//! to the fallback timer thread, as for any code off the workers), until
//! the monitor sees a processor make progress again, and then exits.
//!
//! With nothing to run it naps for [`NAP`] and looks again. It exists only
//! while the whole runtime is stuck, so the nap bounds the latency it adds
//! then and costs nothing otherwise.

use super::shared::Shared;
use crate::runtime::current;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long the rescue thread naps when the global queue is empty.
const NAP: Duration = Duration::from_micros(200);

/// Whether a runtime needs, and has, a rescue thread.
#[derive(Debug, Default)]
pub(crate) struct Rescue {
    /// Set by the monitor while every processor is stuck.
    wanted: AtomicBool,
    /// A rescue thread runs (set by whoever starts it, cleared by it).
    running: AtomicBool,
}

impl Shared {
    /// The monitor's verdict on this runtime: `all_stuck` starts a rescue
    /// thread if none runs; otherwise the running one exits soon.
    pub(crate) fn set_all_stuck(self: &Arc<Self>, all_stuck: bool) {
        self.rescue.wanted.store(all_stuck, Ordering::Release); // read by the rescue loop
        if !all_stuck || self.rescue.running.swap(true, Ordering::AcqRel) {
            return; // not needed, or already running
        }
        let shared = self.clone();
        let started =
            std::thread::Builder::new().name("goro-rescue".into()).spawn(move || rescue(shared));
        if let Err(e) = started {
            self.rescue.running.store(false, Ordering::Release);
            eprintln!("goro::runtime: cannot start a rescue thread: {e}");
        }
    }

    /// Rescue threads started and not yet exited (0 or 1).
    #[allow(dead_code)] // read by tests and metrics
    pub(crate) fn rescuing(&self) -> bool {
        self.rescue.running.load(Ordering::Acquire)
    }
}

/// The rescue thread's body.
fn rescue(shared: Arc<Shared>) {
    let rt = shared.clone();
    current::enter(&rt, || {
        while shared.rescue.wanted.load(Ordering::Acquire) && !shared.is_shutdown() {
            match shared.inject.pop_batch(1, |_| {}) {
                // The poll is caught inside `run`; this guards the thread
                // against a panicking waker or destructor around it.
                Some(g) => {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.run(None)));
                }
                None => std::thread::park_timeout(NAP),
            }
        }
    });
    // A verdict set after our last look starts a fresh thread: the monitor
    // sees `running` false at its next sample.
    shared.rescue.running.store(false, Ordering::Release);
}
