//! P: a processor, Go's `p`. The right to run goroutines, and the state
//! that goes with that right: a local run queue, the `runnext` slot, the
//! timers of the goroutines it ran, and a scheduling tick.
//!
//! A processor is a separate object from the worker thread (M) that holds
//! it, so that a monitor (Go's `sysmon`) can see a processor whose worker is
//! stuck in one poll (its `sched_tick` stays odd and unchanged) and hand its
//! work to another thread: see [`super::Shared::handoff`].
//!
//! Ownership: only the worker holding the processor pushes to or pops from
//! the owner side of `queue` and inserts timers (the `current::WORKER`
//! thread-local makes sure of that), and only it sets or takes `runnext`.
//! Anyone may steal from `queue`, take `runnext` as a last resort, and fire
//! due timers. `runnext` is a lock-free slot: see `runnext.rs`.

use super::queue::Queue;
use super::runnext::RunNext;
#[cfg(feature = "diagnostics")]
use crate::loom::atomic::AtomicI32;
use crate::loom::atomic::{AtomicBool, AtomicIsize, AtomicU64, Ordering};
use crate::runtime::goroutine::task::Goroutine;
use crate::time::heap::TimerHeap;

/// A processor. Cache-line aligned so that processors share no line.
#[repr(align(128))]
pub(crate) struct Processor {
    /// The local run queue.
    pub(crate) queue: Queue<Goroutine>,
    /// The goroutine the running one just woke: run next, stolen last.
    runnext: RunNext<Goroutine>,
    /// Timers registered by goroutines running here.
    pub(crate) timers: TimerHeap,
    /// Go's `schedtick`: bumped when a poll starts and when it ends, so it
    /// is odd exactly while a poll runs.
    sched_tick: AtomicU64,
    /// The goroutine of the last poll started here (the monitor's culprit
    /// while `sched_tick` is odd); stale between polls.
    #[cfg(feature = "diagnostics")]
    running: AtomicU64,
    /// The kernel thread id of the worker holding this processor (0 until
    /// it starts): the monitor reads its OS state and CPU time.
    #[cfg(feature = "diagnostics")]
    os_thread: AtomicI32,
    /// Goroutines spawned minus goroutines finished on this processor: one
    /// shard of the runtime's live count, touched only by its owner.
    pub(crate) live: AtomicIsize,
    /// Set by the owner when it finds its local queue empty, cleared by the
    /// monitor's sample: a queue that stayed non-empty between two samples
    /// holds more than its owner gets through (`Shared::wake_for_queued`).
    drained: AtomicBool,
}

impl Processor {
    /// An idle processor.
    pub(crate) fn new() -> Self {
        Processor {
            queue: Queue::new(),
            runnext: RunNext::new(),
            timers: TimerHeap::new(),
            sched_tick: AtomicU64::new(0),
            #[cfg(feature = "diagnostics")]
            running: AtomicU64::new(0),
            #[cfg(feature = "diagnostics")]
            os_thread: AtomicI32::new(0),
            live: AtomicIsize::new(0),
            drained: AtomicBool::new(true),
        }
    }

    /// Puts `g` in `runnext`; returns the goroutine it displaced (owner).
    pub(crate) fn set_runnext(&self, g: Goroutine) -> Option<Goroutine> {
        self.runnext.put(g)
    }

    /// Takes `runnext` (owner).
    pub(crate) fn take_runnext(&self) -> Option<Goroutine> {
        self.runnext.take()
    }

    /// Takes `runnext` unless a thief holds it (handoff).
    pub(crate) fn steal_runnext(&self) -> Option<Goroutine> {
        self.runnext.steal_if(|_| true)
    }

    /// The identity of the goroutine in `runnext`, if any (a thief holds
    /// it: none).
    pub(crate) fn runnext_identity(&self) -> Option<*const ()> {
        self.runnext.peek(identity)
    }

    /// Takes `runnext` only if it still holds the goroutine `seen`: a thief's
    /// last resort after giving the owner time to run it (Go's CAS after
    /// `usleep(3)` in `runqgrab`). Someone sitting there that long is stuck.
    pub(crate) fn steal_runnext_if(&self, seen: *const ()) -> Option<Goroutine> {
        self.runnext.steal_if(|g| std::ptr::eq(identity(g), seen))
    }

    /// Whether `runnext` holds a goroutine (racy).
    pub(crate) fn has_runnext(&self) -> bool {
        self.runnext.is_full()
    }

    /// Whether anything is runnable here (racy).
    pub(crate) fn has_work(&self) -> bool {
        !self.queue.is_empty() || self.has_runnext()
    }

    /// The owner found its local queue empty.
    pub(crate) fn note_drained(&self) {
        if !self.drained.load(Ordering::Relaxed) {
            self.drained.store(true, Ordering::Relaxed); // a hint for the monitor only
        }
    }

    /// True if the local queue holds goroutines and was not found empty by
    /// its owner since the last call (monitor).
    pub(crate) fn backlogged(&self) -> bool {
        let drained = self.drained.swap(false, Ordering::Relaxed); // a hint: no data rides on it
        !drained && !self.queue.is_empty()
    }

    /// A poll of goroutine `g` starts (owner).
    pub(crate) fn begin_poll(&self, #[allow(unused_variables)] g: u64) {
        #[cfg(feature = "diagnostics")] // diagnostics (issue 5): culprit lookup
        self.running.store(g, Ordering::Relaxed); // read only while the tick below is odd
        self.bump_tick();
    }

    /// The poll ended (owner).
    pub(crate) fn end_poll(&self) {
        self.bump_tick();
    }

    /// Bumps `sched_tick` (owner).
    fn bump_tick(&self) {
        let t = self.sched_tick.load(Ordering::Relaxed); // only the owner writes
                                                         // Release publishes `running` to the monitor; without diagnostics
                                                         // there is nothing to publish (monitors only compare samples).
        let publish =
            if cfg!(feature = "diagnostics") { Ordering::Release } else { Ordering::Relaxed };
        self.sched_tick.store(t + 1, publish);
    }

    /// The goroutine polled here, if `sched_tick` (read first, Acquire) is odd.
    #[cfg(feature = "diagnostics")]
    pub(crate) fn running(&self) -> u64 {
        self.running.load(Ordering::Relaxed)
    }

    /// Notes the kernel thread id of the worker holding this processor.
    #[cfg(feature = "diagnostics")]
    pub(crate) fn set_os_thread(&self, tid: i32) {
        self.os_thread.store(tid, Ordering::Relaxed); // a plain id, read by the monitor only
    }

    /// The kernel thread id of the worker holding this processor (0: unknown).
    #[cfg(feature = "diagnostics")]
    pub(crate) fn os_thread(&self) -> i32 {
        self.os_thread.load(Ordering::Relaxed)
    }

    /// The scheduling tick: odd while a poll runs.
    pub(crate) fn sched_tick(&self) -> u64 {
        self.sched_tick.load(Ordering::Acquire) // pairs with `bump_tick`: then `running` is current
    }
}

/// A goroutine's identity: the address of its task.
fn identity(g: &Goroutine) -> *const () {
    g.as_ptr()
}
