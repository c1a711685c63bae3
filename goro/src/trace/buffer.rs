//! Per-thread event buffers and counters.
//!
//! Every thread that records gets one [`ThreadStats`], registered once in a
//! global list (the only global lock, taken at a thread's first event and
//! when a reader collects). Recording locks only the thread's own buffer,
//! which a reader contends for just while it copies it out.
//!
//! Invariant: `MODE` is non-zero exactly while a trace session or the
//! flight recorder runs; hooks test it with one relaxed load, so a stale
//! read costs at most an event recorded or missed around start and stop.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use super::event::Event;
// Plain counters and flags, not a lock-free protocol: std atomics (statics).
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};

/// `MODE` bit: a trace session collects every event.
pub(super) const TRACING: u8 = 1;
/// `MODE` bit: the flight recorder keeps the last events.
pub(super) const FLIGHT: u8 = 2;

/// What records now (bits above).
static MODE: AtomicU8 = AtomicU8::new(0);
/// The flight recorder's capacity, in events.
static FLIGHT_CAP: AtomicUsize = AtomicUsize::new(0);
/// Every thread that has recorded or counted, in registration order.
static THREADS: Mutex<Vec<Arc<ThreadStats>>> = Mutex::new(Vec::new());
/// Counts of threads that exited, folded in when their entries are pruned.
static RETIRED: Mutex<(u64, u64)> = Mutex::new((0, 0));

thread_local! {
    /// This thread's entry.
    static STATS: Arc<ThreadStats> = register();
}

/// One thread's events and counters.
pub(crate) struct ThreadStats {
    /// Small per-process thread number: the trace's `tid`.
    pub(super) tid: u64,
    /// The thread's name when it registered.
    pub(super) name: String,
    /// The counters this thread writes on every spawn and poll.
    hot: Hot,
    /// Recorded events.
    events: Mutex<Events>,
}

/// Counters written by their own thread only, on a cache line of their own
/// (two lines: adjacent-line prefetch) so that threads do not bounce lines.
#[repr(align(128))]
struct Hot {
    /// Goroutines this thread spawned.
    spawned: AtomicU64,
    /// Steals this thread (a worker) made.
    steals: AtomicU64,
}

/// A thread's recorded events.
#[derive(Default)]
pub(super) struct Events {
    /// Everything since the trace session started.
    pub(super) trace: Vec<Event>,
    /// The last `FLIGHT_CAP` events, oldest first.
    pub(super) ring: VecDeque<Event>,
}

/// Adds this thread to the list, first pruning threads that exited.
fn register() -> Arc<ThreadStats> {
    static NEXT_TID: AtomicU64 = AtomicU64::new(1);
    let me = Arc::new(ThreadStats {
        tid: NEXT_TID.fetch_add(1, Relaxed),
        name: std::thread::current().name().unwrap_or("thread").to_owned(),
        hot: Hot { spawned: AtomicU64::new(0), steals: AtomicU64::new(0) },
        events: Mutex::new(Events::default()),
    });
    let mut threads = lock(&THREADS);
    prune(&mut threads);
    threads.push(me.clone());
    me
}

/// Drops entries of exited threads that hold no events, keeping their counts.
fn prune(threads: &mut Vec<Arc<ThreadStats>>) {
    threads.retain(|t| {
        let dead = Arc::strong_count(t) == 1 && {
            let ev = t.events();
            ev.trace.is_empty() && ev.ring.is_empty()
        };
        if dead {
            let mut retired = lock(&RETIRED);
            retired.0 += t.hot.spawned.load(Relaxed);
            retired.1 += t.hot.steals.load(Relaxed);
        }
        !dead
    });
}

/// Locks `m`, ignoring poisoning (a panicking recorder loses nothing here).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` on this thread's entry, unless its thread-local is gone.
#[inline]
fn with_stats(f: impl FnOnce(&ThreadStats)) {
    let _ = STATS.try_with(|s| f(s));
}

impl ThreadStats {
    /// Its events.
    pub(super) fn events(&self) -> MutexGuard<'_, Events> {
        lock(&self.events)
    }
}

/// Whether anything records now: the hooks' one relaxed load.
#[inline(always)]
pub(crate) fn recording() -> bool {
    cfg!(feature = "diagnostics") && MODE.load(Relaxed) != 0
}

/// Appends `e` to this thread's buffers.
pub(super) fn push(e: Event) {
    let mode = MODE.load(Relaxed);
    with_stats(|s| {
        let mut ev = s.events();
        if mode & TRACING != 0 {
            ev.trace.push(e);
        }
        if mode & FLIGHT != 0 {
            let cap = FLIGHT_CAP.load(Relaxed).max(1);
            while ev.ring.len() >= cap {
                ev.ring.pop_front();
            }
            ev.ring.push_back(e);
        }
    });
}

/// Turns `bit` on; returns whether it was off.
pub(super) fn turn_on(bit: u8) -> bool {
    MODE.fetch_or(bit, Relaxed) & bit == 0
}

/// Turns `bit` off; returns whether it was on.
pub(super) fn turn_off(bit: u8) -> bool {
    MODE.fetch_and(!bit, Relaxed) & bit != 0
}

/// Sets the flight recorder's capacity.
pub(super) fn set_flight_capacity(n: usize) {
    FLIGHT_CAP.store(n.max(1), Relaxed);
}

/// The flight recorder's capacity.
pub(super) fn flight_capacity() -> usize {
    FLIGHT_CAP.load(Relaxed).max(1)
}

/// Every registered thread.
pub(crate) fn threads() -> Vec<Arc<ThreadStats>> {
    lock(&THREADS).clone()
}

/// Counts a spawn by this thread (always on with `diagnostics`).
#[inline]
pub(crate) fn count_spawn() {
    if cfg!(feature = "diagnostics") {
        with_stats(|s| bump(&s.hot.spawned));
    }
}

/// Counts a steal by this thread (a worker).
#[inline]
pub(crate) fn count_steal() {
    with_stats(|s| bump(&s.hot.steals));
}

/// Adds one to a counter of this thread's own: a load and a store, no
/// locked instruction (a `fetch_add` cost about 2 % of `spawn_join_1m`);
/// readers sum the counters racily anyway.
#[inline]
fn bump(counter: &AtomicU64) {
    let n = counter.load(Relaxed); // only this thread writes it
    counter.store(n + 1, Relaxed);
}

/// `(spawned, steals)` over every thread, living or exited.
pub(crate) fn totals() -> (u64, u64) {
    let threads = lock(&THREADS);
    let retired = *lock(&RETIRED);
    threads.iter().fold(retired, |(sp, st), t| {
        (sp + t.hot.spawned.load(Relaxed), st + t.hot.steals.load(Relaxed))
    })
}

/// Whether `bit` is on.
pub(super) fn recording_bit(bit: u8) -> bool {
    MODE.load(Relaxed) & bit != 0
}
