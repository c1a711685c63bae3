//! M: a worker thread and its scheduling loop, Go's `schedule` /
//! `findRunnable` / `stopm`.
//!
//! ## The loop
//!
//! 1. Local work (Go's `runqget` path): every 61st tick one goroutine from
//!    the global queue first, so it never starves; then due timers of our
//!    processor; then `runnext` (at most three times in a row, so that the
//!    local queue never starves either); then the local queue; then a batch
//!    from the global queue.
//! 2. Searching (Go's spinning M), if fewer than half the workers search:
//!    four rounds over the other processors in random order, stealing half
//!    a victim's local queue, and in the last round its `runnext`; the global
//!    queue between rounds; finally due timers of busy processors.
//! 3. Sleep (`idle.rs` rules, proof in `runtime/README.md`): register as
//!    asleep; the last searcher re-checks every queue; then park until woken
//!    or until our processor's earliest timer.
//!
//! Today each worker holds the processor with its own index for its whole
//! life; the M/P split is kept in the types (`Worker::p`) so that a monitor
//! can move work off a stuck processor (`Shared::handoff`).

use super::processor::Processor;
use super::queue::CAP;
use super::shared::{Shared, Spawn};
use crate::runtime::current;
use crate::runtime::goroutine::registry;
use crate::runtime::goroutine::task::Goroutine;
use crate::time::clock;
use crate::time::entry::Entry;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

/// Steal rounds before giving up (Go's `stealTries`).
const STEAL_ROUNDS: usize = 4;
/// Goroutines taken from `runnext` in a row before the local queue gets a
/// turn, so that two goroutines waking each other cannot starve it (Go bounds
/// this by time-slice inheritance; tokio uses the same count).
const MAX_RUNNEXT_STREAK: u32 = 3;
/// A steal that brings back fewer goroutines than this is a *small* one:
/// the victim makes work about as slowly as we run it.
pub(crate) const SMALL_STEAL: usize = 8;
/// The most a searcher spins before stealing again after small steals
/// (`spin_loop` hints; one is about 10 ns on the benchmark machine).
const MAX_STEAL_BACKOFF: u32 = 256;
/// How long a thief sleeps before taking a victim's `runnext`, giving its
/// owner the chance to run it first; taken only if the same goroutine is
/// still there afterwards. Go's `runqgrab` sleeps the same `usleep(3)`, which
/// Linux's default 50 µs timer slack stretches to about 55 µs: long enough
/// for a producer to fill a buffer before its woken consumer moves to
/// another core. A 2.5 µs spin here let the thief take the consumer each
/// time, and the pair then contended on the channel from two cores:
/// spsc boundedN took 0.024 s instead of 0.015 s (9-run medians).
const RUNNEXT_GRACE: Duration = Duration::from_micros(3);

/// One worker thread's scheduling state.
pub(crate) struct Worker {
    /// The runtime.
    shared: Arc<Shared>,
    /// This M's index (its parker and its slot in the idle list).
    index: usize,
    /// The processor this M holds.
    p: usize,
    /// Goroutines run so far (Go's `schedtick`, M-side copy for the 61 rule).
    tick: Cell<u32>,
    /// Victim picker.
    rng: RefCell<fastrand::Rng>,
    /// Whether we count as a searching worker.
    searching: Cell<bool>,
    /// Whether a goroutine poll is on the stack (wakes go to `runnext`).
    in_poll: Cell<bool>,
    /// Goroutines taken from `runnext` in a row.
    runnext_streak: Cell<u32>,
    /// A global-queue batch on its way to the local queue (kept for reuse).
    batch: RefCell<Vec<Goroutine>>,
    /// Spins before the next steal, grown by small steals (`steal_backoff`).
    backoff: Cell<u32>,
}

/// The body of worker thread `index`.
pub(crate) fn run(shared: Arc<Shared>, index: usize) {
    let rng = RefCell::new(fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15 ^ index as u64));
    let w = Worker {
        shared,
        index,
        p: index,
        tick: Cell::new(0),
        rng,
        searching: Cell::new(false),
        in_poll: Cell::new(false),
        runnext_streak: Cell::new(0),
        batch: RefCell::new(Vec::with_capacity(CAP / 2)),
        backoff: Cell::new(0),
    };
    #[cfg(feature = "diagnostics")] // diagnostics (issue 5): is a stuck worker the OS's doing?
    w.processor().set_os_thread(crate::debug::hooks::this_os_thread());
    let w = Rc::new(w);
    current::enter_worker(w.clone(), || w.main_loop());
}

impl Worker {
    /// The runtime.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The index of the processor we hold.
    pub(crate) fn processor_index(&self) -> usize {
        self.p
    }

    /// The processor we hold.
    fn processor(&self) -> &Processor {
        &self.shared.procs[self.p]
    }

    /// The goroutine we are polling spent its coop budget
    /// (`current::poll_budget`): true if nothing else waits to run here
    /// (our queue, `runnext`, a due timer of ours, the global queue), and
    /// then its poll counts as a new one for the monitor, which sees a
    /// processor that makes progress (`Processor::renew_poll`); false if
    /// it should yield.
    pub(crate) fn renew_poll(&self) -> bool {
        let p = self.processor();
        let due = p.timers.next_deadline().is_some_and(|at| at <= clock::now_nanos());
        if due || !p.queue.is_empty() || p.has_runnext() || !self.shared.inject.is_empty() {
            return false;
        }
        p.renew_poll();
        true
    }

    /// Run, search, sleep, until shutdown.
    fn main_loop(&self) {
        while !self.shared.is_shutdown() {
            match self.local_work().or_else(|| self.search()) {
                Some(g) => self.run_goroutine(g),
                None => self.sleep(),
            }
        }
        self.drain();
    }

    /// Step 1 of the loop.
    fn local_work(&self) -> Option<Goroutine> {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        if tick % 61 == 0 {
            if let Some(g) = self.shared.inject.pop_batch(1, |_| {}) {
                return Some(g);
            }
        }
        let p = self.processor();
        self.fire_timers(p);
        if self.runnext_streak.get() < MAX_RUNNEXT_STREAK {
            if let Some(g) = p.take_runnext() {
                self.runnext_streak.set(self.runnext_streak.get() + 1);
                return Some(g);
            }
        }
        self.runnext_streak.set(0);
        p.queue.pop().or_else(|| {
            p.note_drained();
            self.global_batch().or_else(|| p.take_runnext())
        })
    }

    /// A batch from the global queue into our (empty) local queue: our fair
    /// share, at most half a local queue (Go's `globrunqget`).
    fn global_batch(&self) -> Option<Goroutine> {
        let inject = &self.shared.inject;
        if inject.is_empty() {
            return None;
        }
        let n = (inject.len() / self.shared.procs() + 1).clamp(1, CAP / 2 - 1);
        // The batch is queued locally only after `pop_batch` released the
        // global queue's lock: a local push may overflow back into the global
        // queue, and its lock is not reentrant (a worker once deadlocked on
        // itself here, in a benchmark run).
        let mut batch = self.batch.borrow_mut();
        let first = inject.pop_batch(n, |g| batch.push(g));
        let q = &self.processor().queue;
        for g in batch.drain(..) {
            q.push(g, inject);
        }
        first
    }

    /// Fires our processor's due timers; the woken go to our queue's tail.
    fn fire_timers(&self, p: &Processor) {
        if let Some(at) = p.timers.next_deadline() {
            let now = clock::now_nanos();
            if at <= now {
                p.timers.fire(now, Waker::wake);
            }
        }
    }

    /// Step 2 of the loop.
    fn search(&self) -> Option<Goroutine> {
        if !self.searching.get() {
            if !self.shared.idle.try_start_searching() {
                return None;
            }
            self.searching.set(true);
        }
        self.steal_backoff();
        let n = self.shared.procs();
        let mut switching = 0u64; // victims seen switching in this search
        for round in 0..STEAL_ROUNDS {
            let start = self.rng.borrow_mut().usize(..n);
            for i in 0..n {
                let victim = (start + i) % n;
                if victim == self.p {
                    continue;
                }
                if let Some(g) = self.steal_from(victim, &mut switching, round + 1 == STEAL_ROUNDS)
                {
                    self.stole(1 + self.processor().queue.len());
                    #[cfg(feature = "diagnostics")] // diagnostics (issue 5): steal count, trace
                    crate::debug::hooks::stole(victim);
                    return Some(g);
                }
            }
            if let Some(g) = self.global_batch() {
                return Some(g);
            }
        }
        self.fire_others_timers();
        self.backoff.set(0); // nothing anywhere: the next work is not a trickle
        self.processor().queue.pop()
    }

    /// Waits before stealing again when the last steals were small. A
    /// victim that makes goroutines one at a time while we run them faster
    /// (a spawning loop) would otherwise be robbed of one goroutine per
    /// steal, and every steal writes the victim's queue head and our
    /// searching count, lines the victim reads on its next push: measured,
    /// 600,000 steals per 1,000,000 spawns and half the victim's speed.
    /// Backing off lets its queue fill a little, so each steal takes a
    /// batch. The wait is at most `MAX_STEAL_BACKOFF` spins (a few
    /// microseconds), and only after small steals, so an idle worker never
    /// leaves a growing queue alone for long.
    fn steal_backoff(&self) {
        for _ in 0..self.backoff.get() {
            std::hint::spin_loop();
        }
    }

    /// A steal brought back `n` goroutines: grow the backoff if it was small,
    /// halve it if not.
    fn stole(&self, n: usize) {
        let b = self.backoff.get();
        self.backoff.set(if n < SMALL_STEAL { (b * 2).clamp(8, MAX_STEAL_BACKOFF) } else { b / 2 });
    }

    /// Steals half of processor `v`'s queue, or, when `last_resort`, its
    /// `runnext`; not a queue of fewer than `SMALL_STEAL` whose owner keeps
    /// switching goroutines (`switching`: see [`Worker::leave_to_owner`]).
    fn steal_from(&self, v: usize, switching: &mut u64, last_resort: bool) -> Option<Goroutine> {
        let victim = &self.shared.procs[v];
        if victim.queue.len() < SMALL_STEAL && self.leave_to_owner(v, switching) {
            return None; // its owner gets there first: see `Processor::keeps_switching`
        }
        if let Some(g) = victim.queue.steal_into(&self.processor().queue) {
            return Some(g);
        }
        if !last_resort {
            return None;
        }
        let seen = victim.runnext_identity()?;
        std::thread::sleep(RUNNEXT_GRACE);
        victim.steal_runnext_if(seen)
    }

    /// Whether processor `v`'s few queued goroutines are partners of its
    /// running ones and its owner keeps switching goroutines
    /// (`Processor::leave_to_owner`), the switching watched once per search:
    /// bit `v` of `seen` is set once it was, so later rounds skip the watch
    /// (processors past the 64th are watched each time).
    fn leave_to_owner(&self, v: usize, seen: &mut u64) -> bool {
        if !self.shared.procs[v].holds_partners() {
            return false; // independent goroutines: worth a core each
        }
        let bit = u32::try_from(v).ok().and_then(|v| 1u64.checked_shl(v)).unwrap_or(0);
        if *seen & bit != 0 {
            return true;
        }
        let switching = self.shared.procs[v].keeps_switching();
        if switching {
            *seen |= bit;
        }
        switching
    }

    /// Fires due timers of processors whose workers are busy.
    fn fire_others_timers(&self) {
        let now = clock::now_nanos();
        for (i, p) in self.shared.procs.iter().enumerate() {
            if i != self.p {
                p.timers.try_fire(now, Waker::wake);
            }
        }
    }

    /// Polls `g` once.
    fn run_goroutine(&self, g: Goroutine) {
        if self.searching.replace(false) && self.shared.idle.stop_searching() {
            self.shared.notify_one(); // we were the last searcher: hand the baton on
        }
        let p = self.processor();
        self.in_poll.set(true);
        // The poll itself is caught inside `run`; this only guards the worker
        // against a panicking waker or destructor around it. `run` begins
        // the processor's poll first thing (`Processor::begin_poll`); we end
        // it whatever happened.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.run(Some(p))));
        self.in_poll.set(false);
        p.end_poll();
    }

    /// Step 3 of the loop.
    fn sleep(&self) {
        let shared = &self.shared;
        let last_searcher = shared.idle.go_to_sleep(self.index, self.searching.replace(false));
        if (last_searcher && shared.has_work()) || !shared.inject.is_empty() {
            shared.notify_one(); // may pick ourselves: then park returns at once
        }
        if !shared.is_shutdown() {
            let deadline = self.processor().timers.next_deadline().map(clock::instant_of);
            shared.parkers[self.index].park(deadline);
        }
        self.searching.set(shared.idle.woke_up(self.index));
    }

    /// Queues `g` on our processor (we are its owner): Go's `runqput`.
    ///
    /// A goroutine woken by the running one goes to `runnext`, and the one
    /// it displaces to the local queue, both without waking another worker
    /// (Go's `ready` calls `wakep` here): the woken goroutines are the
    /// running one's partners, and a worker woken for them takes them to
    /// another core, where they go on exchanging messages with this one
    /// over shared cache lines. Measured on two cores: mpsc unbuffered
    /// 0.054 -> 0.033 s, select_rx unbuffered 0.115 -> 0.082 s, with the
    /// second worker mostly asleep instead of both busy. Go's own wake-up
    /// is a futex and arrives late enough to find the work gone. If the
    /// queue keeps work that other workers should share (a broadcast that
    /// woke many), the monitor wakes one (`Shared::wake_for_queued`).
    ///
    /// A requeue after a wake-up during the poll or a spent coop budget
    /// does not wake another worker either: the goroutine was runnable
    /// already, so no work is new, and this worker takes the next goroutine
    /// at once. Notifying here woke the other worker every 128 operations of
    /// a goroutine that never waits, to take its partners away (see
    /// `Processor::keeps_switching`). A goroutine that yielded with
    /// `yield_now` (Go's `Gosched`, which is how goroutines that each compute
    /// share a processor) is independent work: it wakes a worker and marks
    /// this processor's queue as worth stealing from
    /// (`Processor::note_independent`). A spawn does not mark it: goroutines
    /// spawned to talk to each other are partners too, and spread at the
    /// start they stay spread (each message then crosses cores); spawned
    /// goroutines with long polls, or eight or more queued, are taken as
    /// before.
    ///
    /// A spawn (or a wake-up off a poll) pushed onto a queue that already
    /// held stealable work (a spawning loop, nearly always) does not notify:
    /// the push that made the queue non-empty did, and whoever that woke,
    /// or the searcher it found, steals from this queue and passes the baton
    /// on when it finds work (rule 3, as Go's `wakep` does nothing while an
    /// M spins). Notifying costs a `SeqCst` fence, which waits for the new
    /// goroutine's stores to drain: about 7 % of a spawn.
    pub(crate) fn push_local(&self, g: Goroutine, how: Spawn) {
        let p = self.processor();
        if how == Spawn::Wake && self.in_poll.get() {
            if let Some(old) = p.set_runnext(g) {
                p.queue.push(old, &self.shared.inject);
            }
            return;
        }
        let fresh = p.queue.push(g, &self.shared.inject);
        if how == Spawn::Gosched {
            p.note_independent();
        }
        if how == Spawn::Gosched || (fresh && how != Spawn::Yield) {
            self.shared.notify_one();
        }
    }

    /// Registers a timer on our processor.
    pub(crate) fn insert_timer(&self, entry: Arc<Entry>) {
        self.processor().timers.insert(entry);
    }

    /// Shutdown: drop what our processor still holds, and cancel goroutines
    /// that were running when the runtime stopped.
    fn drain(&self) {
        let p = self.processor();
        drop(p.take_runnext());
        while p.queue.pop().is_some() {}
        p.timers.clear();
        registry::cancel_runtime(self.shared.id());
    }
}
