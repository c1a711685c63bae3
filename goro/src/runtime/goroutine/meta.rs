//! What the registry knows about one goroutine: its identity (id, parent,
//! scope, spawn site, name), its last park (reason, place, time, and the
//! object and goroutine it waits on) and the lock it holds, for the
//! partial deadlock report (`debug/graph.rs`).
//!
//! Identity is written once at spawn. The park record is written by the
//! goroutine itself, by the primitive it is about to park on
//! (`current::will_park_on`), or by its runner after a `Pending` poll that
//! did not say why (`Unknown`); it is read, racily, by
//! snapshots: each field is its own atomic, so a snapshot may pair a new
//! reason with an old time, never a torn value (the deadlock report reads
//! twice to filter such mixes out). `holds` is written by the goroutine
//! itself when it takes or releases a lock, and cleared by whoever releases
//! a lock it took (`debug/hold.rs`).

use super::task::Kind;
use super::WaitReason;
use crate::loom::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::Mutex;

/// Goroutine ids handed to a thread at a time, so that spawning touches the
/// global counter once per batch (Go's per-P `goidcache`).
const ID_BATCH: u64 = 64;

/// The next unallocated id batch. Ids start at 1 like Go's.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
/// The next leak-attribution scope id; 0 is "no scope". 32 bits, so that
/// `Meta` packs it with its `retired` flag (ids wrap after 2^32 scopes).
static NEXT_SCOPE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

thread_local! {
    /// This thread's id batch: `(next, end)`.
    static IDS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// A fresh goroutine id; unique in the process, roughly increasing.
pub(crate) fn next_id() -> u64 {
    IDS.with(|ids| {
        let (next, end) = ids.get();
        if next < end {
            ids.set((next + 1, end));
            return next;
        }
        let base = NEXT_ID.fetch_add(ID_BATCH, std::sync::atomic::Ordering::Relaxed);
        ids.set((base + 1, base + ID_BATCH));
        base
    })
}

/// A fresh scope id (see `current::enter_scope`).
pub(crate) fn next_scope() -> u64 {
    u64::from(NEXT_SCOPE.fetch_add(1, std::sync::atomic::Ordering::Relaxed).max(1))
}

/// `Meta::flags`: a blocking job, not a goroutine.
const BLOCKING: u8 = 1 << 0;
/// `Meta::flags`: it has a name in [`NAMES`].
const NAMED: u8 = 1 << 1;

/// What a parked goroutine waits on, as far as its primitive can tell:
/// `will_park_on`'s argument, stored with the park.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WaitOn {
    /// The object waited on: its address (a channel's, a lock's); 0 if none.
    pub(crate) object: usize,
    /// The goroutine it waits for, if the primitive knows it directly (the
    /// last user of a channel's other side, a joined goroutine); 0 if none.
    pub(crate) peer: u64,
}

/// Identity and last park of one goroutine.
pub(crate) struct Meta {
    /// Unique id (Go's `goid`).
    pub(crate) id: u64,
    /// Id of the goroutine that spawned it; 0 if spawned off any goroutine.
    pub(crate) parent: u64,
    /// Leak-attribution scope inherited from the parent; 0 if none (see
    /// [`next_scope`]: always below 2^32).
    scope: u32,
    /// [`BLOCKING`] (a blocking job, not a goroutine) and [`NAMED`] (it
    /// has a name in [`NAMES`]: names are rare, and keeping them out of the
    /// record saves a word of every goroutine). `scope`, `flags` and
    /// `retired` pack into one word (two bytes spare).
    flags: u8,
    /// Where `go` was called.
    pub(crate) spawned_at: &'static Location<'static>,
    /// Last park: `since_nanos << 8 | reason as u8`.
    park: AtomicU64,
    /// Last park's call site; null if the future did not say.
    park_at: AtomicPtr<Location<'static>>,
    /// Last park's object ([`WaitOn::object`]); 0 if the future did not say.
    park_on: AtomicUsize,
    /// Last park's peer goroutine ([`WaitOn::peer`]); 0 if none.
    park_peer: AtomicU64,
    /// The lock this goroutine took last and still holds (its address); 0
    /// if none or unknown.
    holds: AtomicUsize,
    /// Set when the goroutine finishes: the registry stops listing it even
    /// while a `JoinHandle` keeps its memory alive.
    #[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
    pub(crate) retired: AtomicBool,
}

impl Meta {
    /// A record for a goroutine spawned now.
    pub(crate) fn new(
        id: u64,
        (parent, scope): (u64, u64),
        spawned_at: &'static Location<'static>,
        name: Option<Box<str>>,
    ) -> Self {
        Meta {
            id,
            parent,
            scope: u32::try_from(scope).expect("scope ids come from next_scope"),
            flags: if name.map(|n| names().insert(id, n)).is_some() { NAMED } else { 0 },
            spawned_at,
            park: AtomicU64::new(0),
            park_at: AtomicPtr::new(std::ptr::null_mut()),
            park_on: AtomicUsize::new(0),
            park_peer: AtomicU64::new(0),
            holds: AtomicUsize::new(0),
            retired: AtomicBool::new(false),
        }
    }

    /// Records that the goroutine parks for `reason`, at `at`, on `on`,
    /// starting now (the monitor's ticked clock: one load, no clock read on
    /// every park). Written by the parking poll itself
    /// (`current::will_park_on`).
    #[inline]
    #[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
    pub(crate) fn record_park(
        &self,
        reason: WaitReason,
        at: &'static Location<'static>,
        on: WaitOn,
    ) {
        self.record(reason, at as *const Location<'static> as *mut Location<'static>, on);
    }

    /// Records a park whose future did not say why.
    #[cold]
    pub(crate) fn record_park_unknown(&self) {
        self.record(WaitReason::Unknown, std::ptr::null_mut(), WaitOn::default());
    }

    /// The four stores of a park record.
    #[inline]
    fn record(&self, reason: WaitReason, at: *mut Location<'static>, on: WaitOn) {
        let since = crate::time::clock::ticked_now_nanos();
        self.park.store((since << 8) | reason as u64, Ordering::Relaxed);
        self.park_at.store(at, Ordering::Relaxed);
        self.park_on.store(on.object, Ordering::Relaxed);
        self.park_peer.store(on.peer, Ordering::Relaxed);
    }

    /// The reason of the last park recorded.
    pub(crate) fn park_reason(&self) -> WaitReason {
        WaitReason::from_u8(self.park.load(Ordering::Relaxed) as u8)
    }

    /// The last park: reason, call site, since when (clock nanos), and what
    /// it waits on.
    pub(crate) fn last_park(
        &self,
    ) -> (WaitReason, Option<&'static Location<'static>>, u64, WaitOn) {
        let word = self.park.load(Ordering::Relaxed);
        let at = self.park_at.load(Ordering::Relaxed);
        // SAFETY: only `&'static Location`s (or null) are ever stored.
        let at = unsafe { at.cast_const().as_ref() };
        let on = WaitOn {
            object: self.park_on.load(Ordering::Relaxed),
            peer: self.park_peer.load(Ordering::Relaxed),
        };
        (WaitReason::from_u8(word as u8), at, word >> 8, on)
    }

    /// Goroutine or blocking job.
    #[inline]
    pub(crate) fn kind(&self) -> Kind {
        if self.flags & BLOCKING != 0 {
            Kind::Blocking
        } else {
            Kind::Goroutine
        }
    }

    /// Marks the record as a goroutine's or a blocking job's (at spawn).
    pub(crate) fn set_kind(&mut self, kind: Kind) {
        match kind {
            Kind::Goroutine => self.flags &= !BLOCKING,
            Kind::Blocking => self.flags |= BLOCKING,
        }
    }

    /// The leak-attribution scope; 0 if none.
    pub(crate) fn scope(&self) -> u64 {
        u64::from(self.scope)
    }

    /// The name given with `go_named`, if any.
    pub(crate) fn name(&self) -> Option<String> {
        if self.flags & NAMED == 0 {
            return None;
        }
        names().get(&self.id).map(|n| n.to_string())
    }

    /// The lock this goroutine took last and still holds; 0 if none.
    pub(crate) fn holds(&self) -> usize {
        self.holds.load(Ordering::Relaxed)
    }

    /// This goroutine (running now) took lock `object`.
    pub(crate) fn set_holds(&self, object: usize) {
        self.holds.store(object, Ordering::Relaxed);
    }

    /// This goroutine (running now) releases lock `object`. Only the
    /// goroutine itself stores into `holds` besides [`Meta::clear_holds`],
    /// which clears only `object` too, so load-then-store loses nothing.
    pub(crate) fn release_holds(&self, object: usize) {
        if self.holds.load(Ordering::Relaxed) == object {
            self.holds.store(0, Ordering::Relaxed);
        }
    }

    /// Another goroutine releases lock `object` that this one took: clears
    /// it unless this one has taken another lock since.
    pub(crate) fn clear_holds(&self, object: usize) {
        let _ = self.holds.compare_exchange(object, 0, Ordering::Relaxed, Ordering::Relaxed);
    }
}

impl Drop for Meta {
    fn drop(&mut self) {
        if self.flags & NAMED != 0 {
            names().remove(&self.id);
        }
    }
}

/// The names of the named goroutines alive, by id.
static NAMES: Mutex<BTreeMap<u64, Box<str>>> = Mutex::new(BTreeMap::new());

/// Locks [`NAMES`] (nothing panics under it).
fn names() -> std::sync::MutexGuard<'static, BTreeMap<u64, Box<str>>> {
    NAMES.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// A name lives in the side table exactly as long as its record.
    #[test]
    fn a_name_goes_with_its_record() {
        let id = next_id();
        let meta = Meta::new(id, (0, 0), Location::caller(), Some("worker".into()));
        assert_eq!(meta.name().as_deref(), Some("worker"));
        assert!(Meta::new(next_id(), (0, 0), Location::caller(), None).name().is_none());
        drop(meta);
        assert!(!names().contains_key(&id), "the name outlived its goroutine");
    }
}
