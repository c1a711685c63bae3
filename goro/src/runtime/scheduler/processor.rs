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
use super::worker::SMALL_STEAL;
#[cfg(feature = "diagnostics")]
use crate::loom::atomic::AtomicI32;
use crate::loom::atomic::{AtomicBool, AtomicIsize, AtomicU64, Ordering};
use crate::runtime::goroutine::task::Goroutine;
use crate::time::heap::TimerHeap;

/// Spins (`spin_loop` hints, about 12 ns each on the benchmark machine) a
/// thief watches a victim's tick for a switch to another poll: about 25 µs,
/// several polls of 128 channel operations (the coop budget), and Go's
/// `runqgrab` grace as Linux stretches it (3 µs asked, about 55 µs slept).
const SWITCH_WATCH: u32 = 2048;
/// Tick moves within the watch that make a victim's polls short.
const SWITCHES: u64 = 4;
/// Tick moves (two per poll) after which a processor's last queued
/// independent goroutine (one yielded by `yield_now`) is old news:
/// what its small queue holds now are partners of the running goroutines.
const INDEPENDENT_FOR: u64 = 64;

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
    /// `sched_tick` when the owner last queued an independent goroutine, one
    /// that yielded with `yield_now` (Go's `Gosched`), as opposed to a
    /// partner woken by the running goroutine or requeued when its coop
    /// budget ran out (see [`Processor::holds_partners`]).
    independent: AtomicU64,
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
            independent: AtomicU64::new(0u64.wrapping_sub(INDEPENDENT_FOR + 1)), // none yet
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

    /// Whether anything is runnable here that a thief should take (racy):
    /// a queue of at least `SMALL_STEAL`, or any work unless it is left to
    /// the owner (see [`Processor::leave_to_owner`]).
    pub(crate) fn has_work(&self) -> bool {
        if self.queue.len() >= SMALL_STEAL {
            return true;
        }
        (!self.queue.is_empty() || self.has_runnext()) && !self.leave_to_owner()
    }

    /// Whether a thief should leave this processor's few queued goroutines
    /// to its owner: they are partners of the running ones
    /// ([`Processor::holds_partners`]) and the owner keeps switching
    /// between short polls ([`Processor::keeps_switching`]), so it reaches
    /// them soon and on the core whose cache holds what they share.
    pub(crate) fn leave_to_owner(&self) -> bool {
        self.holds_partners() && self.keeps_switching()
    }

    /// The owner queued an independent goroutine, one yielded by `yield_now`
    /// (owner; a relaxed store on the processor's own line).
    pub(crate) fn note_independent(&self) {
        let tick = self.sched_tick.load(Ordering::Relaxed); // only the owner writes it
        self.independent.store(tick, Ordering::Relaxed); // a hint: the steal synchronises
    }

    /// True if no independent goroutine was queued here in the last
    /// `INDEPENDENT_FOR` tick moves (racy): what the queue holds came from
    /// wake-ups (a goroutine woken by the running one displaces `runnext`
    /// into the queue), coop-budget requeues and spawns, the traffic of
    /// goroutines that talk to each other. Goroutines that each compute and yield are
    /// independent, and worth a core each, however short their polls.
    pub(crate) fn holds_partners(&self) -> bool {
        let tick = self.sched_tick.load(Ordering::Relaxed); // a hint, as above
        tick.wrapping_sub(self.independent.load(Ordering::Relaxed)) > INDEPENDENT_FOR
    }

    /// True if the owner runs short polls: its tick moved `SWITCHES` times
    /// (two polls begun and ended) within a watch of `SWITCH_WATCH` spins,
    /// about 25 µs, so its polls average under about 12 µs and it reaches
    /// the few goroutines queued here soon. A thief leaves such a queue
    /// alone (runtime `README.md`, "Small queues stay"). Those goroutines
    /// are mostly partners of the running ones, woken by them (a wake-up
    /// displaces `runnext` into the queue); taken to another core, every
    /// message between them and their partners moves the channel's cache
    /// lines between cores, which on two cores made both workers busy and
    /// each message cost about four times the CPU (`BENCHMARKS.md`,
    /// "Channel contention"). Longer polls are worth a core of their own,
    /// and a victim stuck in one poll keeps its tick: both are robbed as
    /// before.
    pub(crate) fn keeps_switching(&self) -> bool {
        let mut seen = self.sched_tick.load(Ordering::Relaxed); // compared only
        let mut moves = 0;
        for _ in 0..SWITCH_WATCH {
            std::hint::spin_loop();
            let now = self.sched_tick.load(Ordering::Relaxed); // a hint: the steal synchronises
            if now != seen {
                moves += now.wrapping_sub(seen);
                if moves >= SWITCHES {
                    return true;
                }
                seen = now;
            }
        }
        false
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
    #[inline]
    pub(crate) fn begin_poll(&self, #[allow(unused_variables)] g: u64) {
        #[cfg(feature = "diagnostics")] // diagnostics (issue 5): culprit lookup
        self.running.store(g, Ordering::Relaxed); // read only while the tick below is odd
        self.bump_tick();
    }

    /// The poll ended (owner).
    pub(crate) fn end_poll(&self) {
        self.bump_tick();
    }

    /// The running poll goes on as a new one (its goroutine spent its
    /// budget with nothing else to run): the tick moves on by two, odd
    /// still, as `end_poll` then `begin_poll` of the same goroutine would
    /// make it, so the monitor does not take a busy goroutine for a
    /// blocked one (owner).
    pub(crate) fn renew_poll(&self) {
        self.bump_tick();
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// An owner that starts no poll is not switching: a thief may take its
    /// queue (a victim stuck in one long poll looks the same).
    #[test]
    fn a_still_tick_is_not_switching() {
        let p = Processor::new();
        p.begin_poll(1); // one long poll
        assert!(!p.keeps_switching());
        assert!(!p.has_work(), "nothing queued");
    }

    /// A queued independent goroutine (one yielded by `yield_now`)
    /// makes the queue worth stealing from until `INDEPENDENT_FOR` tick
    /// moves pass without another; then what is queued counts as partners.
    #[test]
    fn independent_work_is_news_for_a_while() {
        let p = Processor::new();
        p.note_independent();
        assert!(!p.holds_partners());
        for _ in 0..INDEPENDENT_FOR / 2 {
            p.begin_poll(1);
            p.end_poll();
        }
        assert!(!p.holds_partners(), "exactly INDEPENDENT_FOR moves: still news");
        p.begin_poll(1);
        assert!(p.holds_partners());
        p.note_independent();
        assert!(!p.holds_partners());
    }

    /// An owner that moves from poll to poll is seen switching. The owner
    /// runs on another thread, which a loaded machine may keep off the CPU
    /// for a whole watch: the thief looks again until it sees a switch, and
    /// fails after 10 s.
    #[test]
    fn a_moving_tick_is_switching() {
        let p = Arc::new(Processor::new());
        let stop = Arc::new(AtomicBool::new(false));
        let owner = {
            let (p, stop) = (p.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    p.begin_poll(1);
                    p.end_poll();
                }
            })
        };
        let start = Instant::now();
        while !p.keeps_switching() {
            assert!(start.elapsed() < Duration::from_secs(10), "never saw the owner switch");
        }
        stop.store(true, Ordering::Relaxed);
        owner.join().unwrap();
    }
}
