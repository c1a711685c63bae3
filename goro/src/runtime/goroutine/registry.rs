//! The goroutine registry: every live goroutine of every runtime, for dumps,
//! deadlock detection and leak checks (Go's `allgs`).
//!
//! ## Design
//!
//! A fixed array of shards, each a mutex around a slab: a vector of
//! `Option<Arc<dyn Registered>>` slots plus a list of free slots. A
//! goroutine goes into shard `id % SHARDS` when spawned and leaves it when it
//! finishes; its slot index lives in its [`Meta::slot`], so insert and
//! removal are O(1) and removal touches no other goroutine (a `swap_remove`
//! would write the moved goroutine's header: a cache miss per finish).
//! Spawns on different workers mostly lock different shards, so there is no
//! global lock per spawn; readers (snapshots) lock one shard at a time and so
//! see a slightly moving picture, which diagnostics accept.
//!
//! Invariant: under a shard's lock, slot `i` is `Some(g)` with
//! `g.meta().slot == i`, or `None` and listed in `free` exactly once.
//!
//! With the `diagnostics` feature off, insert and remove do nothing and
//! snapshots are empty: that configuration exists only to measure the
//! registry's cost.

use super::meta::{Meta, WaitOn};
use super::WaitReason;
use std::panic::Location;
use std::sync::Arc;
#[cfg(feature = "diagnostics")]
use std::sync::Mutex;
use std::time::Instant;

/// Number of shards; a power of two above any sensible worker count.
#[cfg(feature = "diagnostics")]
const SHARDS: usize = 64;

/// Something the registry can list: a spawned goroutine, or the main
/// goroutine of a `block_on`.
pub(crate) trait Registered: Send + Sync {
    /// Identity and last park.
    fn meta(&self) -> &Meta;
    /// Runnable, running or parked, from the scheduling state.
    fn status(&self) -> Status;
    /// The id of the runtime it belongs to.
    fn runtime_id(&self) -> u64;
    /// Drops its future if it is not running (runtime shutdown).
    fn cancel(self: Arc<Self>);
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
        name: meta.name().map(str::to_owned),
        spawned_at: meta.spawned_at,
        state,
        holds: meta.holds(),
    }
}

/// One shard: a slab of goroutines.
#[cfg(feature = "diagnostics")]
struct Shard {
    /// The slots; `None` ones are listed in `free`.
    slots: Vec<Option<Arc<dyn Registered>>>,
    /// Indices of `None` slots.
    free: Vec<usize>,
}

/// The shards.
#[cfg(feature = "diagnostics")]
static REGISTRY: [Mutex<Shard>; SHARDS] =
    [const { Mutex::new(Shard { slots: Vec::new(), free: Vec::new() }) }; SHARDS];

/// Locks the shard of goroutine `id`.
#[cfg(feature = "diagnostics")]
fn shard(id: u64) -> std::sync::MutexGuard<'static, Shard> {
    REGISTRY[(id % SHARDS as u64) as usize].lock().unwrap_or_else(|e| e.into_inner())
}

/// Adds a goroutine.
pub(crate) fn insert(g: Arc<dyn Registered>) {
    #[cfg(feature = "diagnostics")]
    {
        let mut shard = shard(g.meta().id);
        let slot = match shard.free.pop() {
            Some(slot) => slot,
            None => {
                shard.slots.push(None);
                shard.slots.len() - 1
            }
        };
        let index = u32::try_from(slot).expect("goro::runtime: over 2^32 goroutines in a shard");
        g.meta().slot.store(index, std::sync::atomic::Ordering::Relaxed); // under the lock
        shard.slots[slot] = Some(g);
    }
    #[cfg(not(feature = "diagnostics"))]
    drop(g);
}

/// Removes a goroutine (it finished). Does nothing if it is not listed.
pub(crate) fn remove(meta: &Meta) {
    #[cfg(feature = "diagnostics")]
    {
        let slot = meta.slot.load(std::sync::atomic::Ordering::Relaxed) as usize; // written under the lock
        let mut shard = shard(meta.id);
        let listed = shard.slots.get(slot).and_then(Option::as_ref);
        if !listed.is_some_and(|g| std::ptr::eq(g.meta(), meta)) {
            return;
        }
        let removed = shard.slots[slot].take();
        shard.free.push(slot);
        drop(shard);
        drop(removed); // may free the goroutine: outside the lock
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = meta;
}

/// Every registered goroutine for which `keep` holds, cloned out shard by
/// shard.
fn collect(mut keep: impl FnMut(&dyn Registered) -> bool) -> Vec<Arc<dyn Registered>> {
    #[allow(unused_mut)]
    let mut out = Vec::new();
    #[cfg(feature = "diagnostics")]
    for shard in &REGISTRY {
        let shard = shard.lock().unwrap_or_else(|e| e.into_inner());
        out.extend(shard.slots.iter().flatten().filter(|g| keep(&***g)).cloned());
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = &mut keep;
    out
}

/// Runs `f` on the record of live goroutine `id`, if it is listed (a scan
/// of one shard, under its lock: for rare paths only).
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn with_goroutine(id: u64, f: impl FnOnce(&Meta)) {
    #[cfg(feature = "diagnostics")]
    if let Some(g) = shard(id).slots.iter().flatten().find(|g| g.meta().id == id) {
        f(g.meta());
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

    /// The snapshot entry of goroutine `id`, if live.
    fn find(id: u64) -> Option<GoroutineInfo> {
        snapshot().into_iter().find(|g| g.id == id)
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
        assert_eq!(listed[1].parent, listed[0].id, "the inner goroutine's parent is the outer one");
        assert!(scope_goroutines(new_scope()).is_empty());
        tx.send(()).unwrap();
        outer.join_blocking().unwrap();
        assert!(scope_goroutines(scope).is_empty());
    }

    #[test]
    fn goro_test_bodies_run_in_their_own_scope() {
        let (scope, listed) =
            crate::__private::run_test("scope", std::time::Duration::from_secs(30), async {
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
            });
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
