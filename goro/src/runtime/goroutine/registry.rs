//! The goroutine registry: every live goroutine of every runtime, for dumps,
//! deadlock detection and leak checks (Go's `allgs`).
//!
//! ## Design
//!
//! Each thread keeps a *log* (`log.rs`): an array of counted references
//! (`refs.rs`) to the goroutines it spawned, which that thread appends to
//! without a lock (a slot write and a store) and readers walk under the
//! log's lock. The reference is one of those the spawn made with the task's
//! count (no locked instruction), and its release tells the registry when
//! it is the last one left.
//! Finishing writes only the goroutine's own `Meta::retired` flag. No shared
//! line moves between workers on either path: an earlier design (sharded
//! slabs, insert and remove under the shard lock) cost about 30 % of a
//! spawn-and-join, nearly all cache misses on slab slots and free lists
//! that the finishing worker had last written; the one before this (a
//! mutex per log, pruned at every doubling) about 10 %.
//!
//! An entry keeps a finished goroutine's allocation (not its future or
//! output, which are dropped when it finishes) until it goes; it is *dead*
//! once the goroutine is retired and the entry holds its only reference
//! (nobody can take a new one then: references are made only from held
//! ones, and the registry's only under the log's lock). Dropping a dead
//! entry frees the record, and runs no user code: its future and output
//! are gone. Each thread counts the releases on it that left only the
//! registry's reference (`freed`, a plain per-thread counter). A goroutine
//! that nobody can wake any more (its handle and every waker dropped)
//! stays listed, parked, as Go's `allgs` keeps a leaked goroutine, until
//! its runtime's shutdown cancels it. Entries go three ways: (1) a full log is
//! pruned by its owner if at least a quarter as many goroutines were freed
//! since its last prune, and doubles otherwise, so a log holds at most
//! about three times the goroutines it lists or whose `JoinHandle` is
//! still held, plus a constant, and a spawning loop that keeps its handles
//! never walks its log for nothing; (2) every reader replaces the entries
//! of freed goroutines it walks past by tombstones; (3) the monitor sweeps
//! all logs the same way once a quarter as many goroutines as there are
//! entries were freed since its last sweep, so a thread that spawned many
//! goroutines once and then stopped does not keep their memory. Only dead
//! entries are dropped under a log lock (records, no user code). A thread
//! that exits hands its live entries to one shared log (appended to under
//! its lock) and unlists its own.
//!
//! Readers (snapshots) lock one log at a time and clone each listed entry,
//! so they see a slightly moving picture, which diagnostics accept; a
//! goroutine is listed from its spawn until it is retired.
//!
//! With the `diagnostics` feature off, insert and remove do nothing and
//! snapshots are empty: that configuration exists only to measure the
//! registry's cost. It also loses what the registry does for shutdown:
//! dropping a `Runtime` cannot find its parked goroutines to drop them
//! (they are freed when whatever holds their wakers lets go).

#[cfg(feature = "diagnostics")]
use super::log::Log;
use super::meta::{Meta, WaitOn};
use super::refs::{Counted, TaskRef};
use super::WaitReason;
use std::panic::Location;
#[cfg(feature = "diagnostics")]
use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(feature = "diagnostics")]
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Entries a new log starts with room for; logs are pruned only past this.
#[cfg(feature = "diagnostics")]
const LOG_MIN: usize = 256;

/// Something the registry can list: a spawned goroutine, or the main
/// goroutine of a `block_on`.
pub(crate) trait Registered: Counted + Send + Sync {
    /// Identity and last park.
    fn meta(&self) -> &Meta;
    /// Runnable, running or parked, from the scheduling state.
    fn status(&self) -> Status;
    /// The id of the runtime it belongs to.
    fn runtime_id(&self) -> u64;
    /// Drops its future if it is not running (runtime shutdown).
    fn cancel(&self);
}

/// A goroutine's scheduling status, without the park details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// In a run queue.
    Runnable,
    /// Being polled by a worker (or by its `block_on` thread).
    Running,
    /// Waiting to be woken.
    Parked,
}

/// What a goroutine is doing, as a snapshot reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GoroutineState {
    /// In a run queue, waiting for a processor.
    Runnable,
    /// Being polled.
    Running,
    /// Parked: why, where, and since when.
    Parked {
        /// The reason the future gave via `will_park` (`Unknown` if none).
        reason: WaitReason,
        /// Where it parked, if the future said.
        at: Option<&'static Location<'static>>,
        /// When it parked.
        since: Instant,
        /// What it waits on, if the future said.
        on: WaitOn,
    },
}

/// One goroutine in a snapshot.
#[derive(Clone, Debug)]
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) struct GoroutineInfo {
    /// Its id.
    pub(crate) id: u64,
    /// Its parent's id (0: spawned off any goroutine).
    pub(crate) parent: u64,
    /// Its leak-attribution scope (0: none).
    pub(crate) scope: u64,
    /// The runtime it runs on.
    pub(crate) runtime: u64,
    /// Its name, if it was given one.
    pub(crate) name: Option<String>,
    /// Where it was spawned.
    pub(crate) spawned_at: &'static Location<'static>,
    /// What it is doing.
    pub(crate) state: GoroutineState,
    /// The lock it took last and still holds (address); 0 if none.
    pub(crate) holds: usize,
}

/// Builds the snapshot record of `g`.
fn info_of(g: &dyn Registered) -> GoroutineInfo {
    let meta = g.meta();
    let state = match g.status() {
        Status::Runnable => GoroutineState::Runnable,
        Status::Running => GoroutineState::Running,
        Status::Parked => {
            let (reason, at, since, on) = meta.last_park();
            let since = crate::time::clock::instant_of(since);
            GoroutineState::Parked { reason, at, since, on }
        }
    };
    GoroutineInfo {
        id: meta.id,
        parent: meta.parent,
        scope: meta.scope(),
        runtime: g.runtime_id(),
        name: meta.name(),
        spawned_at: meta.spawned_at,
        state,
        holds: meta.holds(),
    }
}

/// A registry entry: the registry's reference, or a tombstone left where a
/// dead entry was.
#[cfg(feature = "diagnostics")]
type Entry = Option<TaskRef<dyn Registered>>;

/// One thread's log of the goroutines it registered, and the number of
/// registered goroutines freed on that thread.
#[cfg(feature = "diagnostics")]
struct Logged {
    /// The entries (`log.rs`: the owner appends without a lock).
    log: Log<Entry>,
    /// Releases on this thread that left a registered goroutine's entry
    /// the only reference; written by this thread only, summed by
    /// [`freed_total`].
    freed: AtomicUsize,
}

#[cfg(feature = "diagnostics")]
impl Logged {
    /// An empty log.
    fn new() -> Arc<Logged> {
        Arc::new(Logged { log: Log::new(LOG_MIN), freed: AtomicUsize::new(0) })
    }
}

/// Every thread's log.
#[cfg(feature = "diagnostics")]
static LOGS: Mutex<Vec<Arc<Logged>>> = Mutex::new(Vec::new());
/// Goroutines freed on threads that have exited (their `freed` counts).
#[cfg(feature = "diagnostics")]
static EXITED_FREED: AtomicUsize = AtomicUsize::new(0);
/// `freed_total()` at the last sweep (`sweep_if_worthwhile`).
#[cfg(feature = "diagnostics")]
static SWEPT_AT: AtomicUsize = AtomicUsize::new(0);

#[cfg(feature = "diagnostics")]
thread_local! {
    /// This thread's log, listed in `LOGS` on first use.
    static MY_LOG: ThreadLog = {
        let log = Logged::new();
        lock(&LOGS).push(log.clone());
        ThreadLog(log)
    };
}

/// A thread's own log. When the thread exits, its still-live entries move
/// to the shared log and the log leaves `LOGS`, so threads that come and go
/// leave no log behind to hold finished goroutines' memory.
#[cfg(feature = "diagnostics")]
struct ThreadLog(Arc<Logged>);

#[cfg(feature = "diagnostics")]
impl Drop for ThreadLog {
    fn drop(&mut self) {
        let live = self.0.log.take_all();
        {
            // Both under the LOGS lock, which freed_total() reads under:
            // the total never moves backwards.
            let mut logs = lock(&LOGS);
            EXITED_FREED.fetch_add(self.0.freed.load(Ordering::Relaxed), Ordering::Relaxed); // a count
            logs.retain(|l| !Arc::ptr_eq(l, &self.0));
        }
        for entry in live.into_iter().filter(is_live) {
            shared_log().log.push_locked(entry, is_live);
        }
    }
}

/// The log of threads whose own log is gone: exited threads' live entries,
/// and spawns from thread-local destructors. Appended to under its lock.
#[cfg(feature = "diagnostics")]
fn shared_log() -> &'static Arc<Logged> {
    static SHARED: std::sync::OnceLock<Arc<Logged>> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let log = Logged::new();
        lock(&LOGS).push(log.clone());
        log
    })
}

/// Locks `m`; nothing panics while holding these locks.
#[cfg(feature = "diagnostics")]
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `g` is still listed (not retired).
#[cfg(feature = "diagnostics")]
fn is_listed(g: &dyn Registered) -> bool {
    !g.meta().retired.load(Ordering::Acquire) // pairs with remove
}

/// Whether an entry is neither a tombstone nor dead (retired, and the
/// registry's reference the only one: dropping it frees a record whose
/// future and output are gone, so no user destructor runs under a log
/// lock).
#[cfg(feature = "diagnostics")]
fn is_live(e: &Entry) -> bool {
    e.as_ref().is_some_and(|g| g.count() > 1 || is_listed(&**g))
}

/// Registered goroutines freed so far, on every thread.
#[cfg(feature = "diagnostics")]
fn freed_total() -> usize {
    let logs = lock(&LOGS);
    let mine: usize = logs.iter().map(|l| l.freed.load(Ordering::Relaxed)).sum();
    mine + EXITED_FREED.load(Ordering::Relaxed)
}

/// A full log of `len` entries is pruned only if at least a quarter as
/// many goroutines were freed (anywhere) since its last prune: otherwise
/// pruning would walk mostly live entries for nothing (a spawning loop
/// that keeps its handles) and the log doubles instead.
#[cfg(feature = "diagnostics")]
fn prune_decision(len: usize, mark: usize) -> Option<usize> {
    let total = freed_total();
    (total.saturating_sub(mark) >= len / 4).then_some(total)
}

/// Adds a goroutine (on the spawning thread's log), keeping the reference
/// its spawn made for the registry.
#[inline]
pub(crate) fn insert(g: TaskRef<dyn Registered>) {
    #[cfg(feature = "diagnostics")]
    {
        // A thread past its thread-locals' destruction uses the shared log.
        let mut entry = Some(Some(g));
        let appended = MY_LOG.try_with(|me| {
            let entry = entry.take().expect("appended once");
            // SAFETY: MY_LOG is this thread's own; no other thread appends
            // to it and it is never the shared log.
            unsafe { me.0.log.push_owned(entry, prune_decision, is_live) };
        });
        if appended.is_err() {
            shared_log().log.push_locked(entry.take().flatten(), is_live);
        }
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = g;
}

/// A release here left a registered goroutine's entry its only reference:
/// the entry is dead if the goroutine is retired (counted for the pruning
/// and sweeping decisions).
pub(crate) fn freed() {
    #[cfg(feature = "diagnostics")]
    let _ = MY_LOG.try_with(|me| {
        let n = me.0.freed.load(Ordering::Relaxed); // only this thread writes it
        me.0.freed.store(n + 1, Ordering::Relaxed); // a count, summed racily
    });
}

/// Retires a goroutine (it finished): it is no longer listed.
pub(crate) fn remove(meta: &Meta) {
    #[cfg(feature = "diagnostics")]
    meta.retired.store(true, Ordering::Release); // before its result is published
    #[cfg(not(feature = "diagnostics"))]
    let _ = meta;
}

/// Replaces the entries of freed goroutines by tombstones, releasing the
/// memory they pin, when at least a quarter as many goroutines as there
/// are entries were freed since the last sweep: the monitor calls it
/// periodically, so a thread that spawned many goroutines once and never
/// again does not keep their memory (its own pruning runs only when it
/// appends). Amortised O(1) per freed goroutine.
pub(crate) fn sweep_if_worthwhile() {
    #[cfg(feature = "diagnostics")]
    {
        let total = freed_total();
        let entries: usize = lock(&LOGS).iter().map(|l| l.log.len()).sum();
        if total.saturating_sub(SWEPT_AT.load(Ordering::Relaxed)) < entries / 4 + 1 {
            return;
        }
        SWEPT_AT.store(total, Ordering::Relaxed); // only the monitor sweeps
        let logs: Vec<Arc<Logged>> = lock(&LOGS).clone();
        for l in &logs {
            l.log.walk_mut(tombstone_if_dead);
        }
    }
}

/// Drops a dead entry's reference (freeing the goroutine's record).
#[cfg(feature = "diagnostics")]
fn tombstone_if_dead(e: &mut Entry) {
    // A tombstone is left alone: assigning `None` over it called its
    // (empty) drop glue, a call per tombstone per walk.
    if e.is_some() && !is_live(e) {
        *e = None;
    }
}

/// Every listed goroutine for which `keep` holds, cloned out log by log.
fn collect(mut keep: impl FnMut(&dyn Registered) -> bool) -> Vec<TaskRef<dyn Registered>> {
    #[allow(unused_mut)]
    let mut out = Vec::new();
    #[cfg(feature = "diagnostics")]
    {
        let logs: Vec<Arc<Logged>> = lock(&LOGS).clone();
        for l in &logs {
            l.log.walk_mut(|e| {
                tombstone_if_dead(e);
                // Dropping a clone may free a goroutine: out of the lock.
                out.extend(e.as_ref().filter(|g| is_listed(&***g) && keep(&***g)).cloned());
            });
        }
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = &mut keep;
    out
}

/// Runs `f` on the record of live goroutine `id`, if it is listed: a scan
/// that stops at the goroutine (for rare paths only, such as naming the
/// culprit of a blocking report, which is typically a long-lived goroutine
/// near the front of its log, while a million others may follow it).
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn with_goroutine(id: u64, f: impl FnOnce(&Meta)) {
    #[cfg(feature = "diagnostics")]
    {
        let logs: Vec<Arc<Logged>> = lock(&LOGS).clone();
        for l in &logs {
            let mut found = None;
            l.log.walk_until(|e| {
                let Some(g) = e.as_ref() else { return false };
                if g.meta().id == id && is_listed(&**g) {
                    found = Some(g.clone()); // dropped out of the lock
                    return true;
                }
                false
            });
            if let Some(g) = found {
                return f(g.meta());
            }
        }
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = (id, f);
}

/// Every live goroutine of every runtime, in id order.
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) fn snapshot() -> Vec<GoroutineInfo> {
    let mut all: Vec<_> = collect(|_| true).iter().map(|g| info_of(&**g)).collect();
    all.sort_unstable_by_key(|g| g.id);
    all
}

/// The live goroutines that inherited `scope`, in id order.
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) fn scope_goroutines(scope: u64) -> Vec<GoroutineInfo> {
    let mut all: Vec<_> =
        collect(|g| g.meta().scope() == scope).iter().map(|g| info_of(&**g)).collect();
    all.sort_unstable_by_key(|g| g.id);
    all
}

/// Cancels every goroutine of runtime `rt` (its shutdown).
pub(crate) fn cancel_runtime(rt: u64) {
    for g in collect(|g| g.runtime_id() == rt) {
        g.cancel();
    }
}

#[cfg(all(test, not(loom), feature = "diagnostics"))]
mod tests {
    use super::*;
    use crate::runtime::current::{enter_scope, new_scope};
    use std::sync::mpsc;

    /// A thread that spawned goroutines and exited leaves no log behind; the
    /// goroutine it spawned that still lives stays listed (in the shared log).
    #[test]
    fn an_exited_threads_log_is_unlisted_and_its_live_goroutines_kept() {
        let rt = crate::Runtime::builder().procs(1).build().unwrap();
        let (tx, rx) = crate::chan::<()>(0);
        let (log, live) = std::thread::scope(|s| {
            s.spawn(|| {
                let log = MY_LOG.with(|l| l.0.clone());
                rt.go(async {}).join_blocking().unwrap(); // finished: pruned
                let live = rt.go(async move { rx.recv().await });
                (log, live)
            })
            .join()
            .unwrap()
        });
        assert!(!lock(&LOGS).iter().any(|l| Arc::ptr_eq(l, &log)), "the exited thread's log");
        assert!(find(live.id()).is_some(), "a live goroutine of an exited thread is listed");
        drop(tx);
        live.join_blocking().unwrap();
    }

    /// A log's entries that still pin a goroutine's memory.
    fn pinned(l: &Logged) -> usize {
        let mut n = 0;
        l.log.walk_mut(|e| n += usize::from(e.is_some()));
        n
    }

    /// A thread that spawned goroutines and joined them keeps no entry that
    /// pins their memory once anyone has walked the registry; its freed
    /// count saw them go.
    #[test]
    fn entries_of_freed_goroutines_are_tombstoned_by_readers() {
        // Its own thread (so its own log), failed rather than hung if a
        // join never returns.
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            tombstones_on_a_fresh_thread();
            let _ = done.send(());
        });
        let limit = std::time::Duration::from_secs(60);
        finished.recv_timeout(limit).expect("the tombstone test hung or panicked");
    }

    /// The body of the test above.
    fn tombstones_on_a_fresh_thread() {
        let rt = crate::Runtime::builder().procs(2).build().unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                let me = MY_LOG.with(|l| l.0.clone());
                let hs: Vec<_> = (0..1000).map(|i| rt.go(async move { i })).collect();
                assert!(pinned(&me) >= 1000, "listed while their handles are held");
                for h in hs {
                    h.join_blocking().unwrap();
                }
                // The workers drop their references when a poll ends, which
                // may be just after the join: wait for every one to go.
                let deadline = Instant::now() + std::time::Duration::from_secs(20);
                while freed_total() < 1000 {
                    assert!(Instant::now() < deadline, "freed counts never reached 1000");
                    std::thread::yield_now();
                }
                let _ = snapshot(); // a reader: tombstones what it walks past
                let deadline = Instant::now() + std::time::Duration::from_secs(20);
                while pinned(&me) > 0 {
                    assert!(Instant::now() < deadline, "{} entries still pin memory", pinned(&me));
                    let _ = snapshot();
                    std::thread::yield_now();
                }
            });
        });
    }

    /// A full log is pruned only when enough goroutines were freed since its
    /// last prune.
    #[test]
    fn a_full_log_prunes_only_after_enough_frees() {
        let total = freed_total();
        assert_eq!(prune_decision(1 << 40, total), None, "nothing freed: grow");
        if total > 0 {
            let mark = prune_decision(4, total - 1);
            assert!(mark.is_some_and(|m| m >= total), "one freed per 4 entries: {mark:?}");
        }
        assert!(prune_decision(0, total).is_some_and(|m| m >= total), "an empty log may prune");
    }

    /// The snapshot entry of goroutine `id`, if live.
    fn find(id: u64) -> Option<GoroutineInfo> {
        snapshot().into_iter().find(|g| g.id == id)
    }

    /// A goroutine that nobody can wake any more (its handle dropped, no
    /// waker kept) stays listed, parked, as Go's `allgs` keeps it, until
    /// its runtime's shutdown cancels it: its entry holds a counted
    /// reference, not a weak one, and the future is dropped then.
    #[test]
    fn an_unreachable_goroutine_stays_listed_until_shutdown() {
        struct OnDrop(mpsc::Sender<()>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        let rt = crate::Runtime::builder().procs(1).build().unwrap();
        let (tx, dropped) = mpsc::channel();
        let guard = OnDrop(tx);
        let id = rt
            .go(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            })
            .id(); // the handle is dropped here
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        while !find(id).is_some_and(|g| matches!(g.state, GoroutineState::Parked { .. })) {
            assert!(Instant::now() < deadline, "the goroutine never parked");
            std::thread::yield_now();
        }
        sweep_if_worthwhile();
        assert!(find(id).is_some(), "an unreachable goroutine is still listed");
        assert!(dropped.try_recv().is_err(), "its future is not dropped while listed");
        drop(rt);
        dropped.recv_timeout(std::time::Duration::from_secs(20)).expect("shutdown drops it");
        // The future is dropped first and the goroutine retires right after
        // (`Task::complete`), on the thread that cancels it: wait for that.
        while find(id).is_some() {
            assert!(Instant::now() < deadline, "unlisted once cancelled");
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_parked_goroutine_shows_name_parent_site_and_reason() {
        let rt = crate::Runtime::builder().procs(2).build().unwrap();
        rt.block_on(async {
            let main_id = crate::runtime::current::goroutine_id();
            assert_ne!(main_id, 0, "block_on runs a registered main goroutine");
            let (tx, rx) = mpsc::channel::<()>();
            let gate = crate::blocking(move || rx.recv().ok());
            let h = crate::go_named("waiter", async move { gate.await.unwrap() });
            let id = h.id();
            let info = loop {
                match find(id) {
                    Some(i) if matches!(i.state, GoroutineState::Parked { .. }) => break i,
                    _ => crate::yield_now().await,
                }
            };
            assert_eq!(info.name.as_deref(), Some("waiter"));
            assert_eq!(info.parent, main_id);
            assert_eq!(info.runtime, rt_id());
            assert!(info.spawned_at.file().ends_with("registry.rs"));
            let GoroutineState::Parked { reason, at, since, .. } = info.state else {
                unreachable!()
            };
            assert_eq!(reason, WaitReason::Blocking);
            assert!(at.is_some_and(|at| at.file().ends_with("registry.rs")), "{at:?}");
            assert!(since <= Instant::now());
            tx.send(()).unwrap();
            h.await.unwrap();
            assert!(find(id).is_none(), "a finished goroutine leaves the registry");
        });

        /// The id of the runtime running this code.
        fn rt_id() -> u64 {
            crate::runtime::current::runtime_or_default().id()
        }
    }

    #[test]
    fn scopes_are_inherited_transitively() {
        let scope = new_scope();
        let _guard = enter_scope(scope);
        let (tx, rx) = mpsc::channel::<()>();
        let gate = crate::blocking(move || rx.recv().ok());
        let outer = crate::go(async move {
            let inner = crate::go(async move { gate.await.unwrap() });
            inner.await.unwrap()
        });
        let listed = loop {
            let l = scope_goroutines(scope);
            if l.len() == 2 {
                break l;
            }
            std::thread::yield_now();
        };
        assert!(listed.iter().all(|g| g.scope == scope));
        // Ids come in per-thread batches, so the inner (spawned on a worker)
        // may have the smaller id: tell them apart by parent.
        let first =
            listed.iter().find(|g| g.parent == 0).expect("the outer has no goroutine parent");
        let inner = listed.iter().find(|g| g.parent != 0).expect("the inner has a parent");
        assert_eq!(inner.parent, first.id, "the inner goroutine's parent is the outer one");
        assert!(scope_goroutines(new_scope()).is_empty());
        tx.send(()).unwrap();
        outer.join_blocking().unwrap();
        assert!(scope_goroutines(scope).is_empty());
    }

    #[test]
    fn goro_test_bodies_run_in_their_own_scope() {
        use crate::__private::{Entry, Mode, OnProcessor};
        let mode = Mode::Test {
            name: "scope",
            timeout: std::time::Duration::from_secs(30),
            allow_leaks: false,
        };
        let (scope, listed) = (&Entry::new(async {
            let scope = crate::runtime::current::spawn_context().1;
            let (tx, rx) = crate::chan::<()>(0);
            let h = crate::go(async move { rx.recv().await });
            let listed = loop {
                let l = scope_goroutines(scope);
                if l.len() == 2 {
                    break l; // main and the child
                }
                crate::yield_now().await;
            };
            drop(tx);
            h.await.unwrap();
            (scope, listed)
        }))
            .enter(mode);
        assert_ne!(scope, 0);
        assert!(listed.iter().all(|g| g.scope == scope));
        assert!(scope_goroutines(scope).is_empty(), "the scope ends with its test");
    }

    #[test]
    fn counters_see_blocking_jobs_in_flight_and_queued() {
        let rt = crate::Runtime::builder().procs(1).max_blocking_threads(1).build().unwrap();
        let (tx, rx) = mpsc::channel::<()>();
        let (hold, queued) = rt.block_on(async move {
            (crate::blocking(move || rx.recv().ok()), crate::blocking(|| ()))
        });
        let shared = rt.shared();
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        while shared.counters().blocking_in_flight != 1 {
            assert!(Instant::now() < deadline, "the first job never started");
            std::thread::yield_now();
        }
        assert_eq!(shared.counters().blocking_queued, 1);
        tx.send(()).unwrap();
        hold.join_blocking().unwrap();
        queued.join_blocking().unwrap();
        assert!(crate::runtime::scheduler::runtimes().iter().any(|r| r.id() == shared.id()));
    }
}
