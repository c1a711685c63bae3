//! What the registry knows about one goroutine: its identity (id, parent,
//! scope, spawn site, name) and its last park (reason, place, time).
//!
//! Identity is written once at spawn. The park record is written by the
//! goroutine's runner after each `Pending` poll and read, racily, by
//! snapshots: each field is its own atomic, so a snapshot may pair a new
//! reason with an old time, never a torn value.

use super::WaitReason;
use crate::loom::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::cell::Cell;
use std::panic::Location;

/// Goroutine ids handed to a thread at a time, so that spawning touches the
/// global counter once per batch (Go's per-P `goidcache`).
const ID_BATCH: u64 = 64;

/// The next unallocated id batch. Ids start at 1 like Go's.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
/// The next leak-attribution scope id; 0 is "no scope".
static NEXT_SCOPE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

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
    NEXT_SCOPE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Identity and last park of one goroutine.
pub(crate) struct Meta {
    /// Unique id (Go's `goid`).
    pub(crate) id: u64,
    /// Id of the goroutine that spawned it; 0 if spawned off any goroutine.
    pub(crate) parent: u64,
    /// Leak-attribution scope inherited from the parent; 0 if none.
    pub(crate) scope: u64,
    /// Where `go` was called.
    pub(crate) spawned_at: &'static Location<'static>,
    /// Optional name given with `go_named`.
    pub(crate) name: Option<Box<str>>,
    /// Last park: `since_nanos << 8 | reason as u8`.
    park: AtomicU64,
    /// Last park's call site; null if the future did not say.
    park_at: AtomicPtr<Location<'static>>,
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
            scope,
            spawned_at,
            name,
            park: AtomicU64::new(0),
            park_at: AtomicPtr::new(std::ptr::null_mut()),
            retired: AtomicBool::new(false),
        }
    }

    /// Records a park for `reason` at `at`, starting now.
    pub(crate) fn record_park(&self, reason: Option<(WaitReason, &'static Location<'static>)>) {
        let (reason, at) = match reason {
            Some((r, at)) => (r, at as *const Location<'static> as *mut Location<'static>),
            None => (WaitReason::Unknown, std::ptr::null_mut()),
        };
        let since = crate::time::clock::coarse_now_nanos();
        self.park.store((since << 8) | reason as u64, Ordering::Relaxed);
        self.park_at.store(at, Ordering::Relaxed);
    }

    /// The last park: reason, call site, and since when (clock nanos).
    pub(crate) fn last_park(&self) -> (WaitReason, Option<&'static Location<'static>>, u64) {
        let word = self.park.load(Ordering::Relaxed);
        let at = self.park_at.load(Ordering::Relaxed);
        // SAFETY: only `&'static Location`s (or null) are ever stored.
        let at = unsafe { at.cast_const().as_ref() };
        (WaitReason::from_u8(word as u8), at, word >> 8)
    }
}
