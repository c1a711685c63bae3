//! One thread's registry log: a growable array that its owner thread
//! appends to without a lock, and that readers walk under a lock.
//!
//! ## Protocol
//!
//! - `buf` holds the entries; `[0, len)` are initialised.
//! - **Append (owner, no lock):** write slot `len`, then publish `len + 1`
//!   (Release). When the array is full the owner takes `lock` and makes
//!   room (prune or grow, below) before writing.
//! - **Make room (owner, under `lock`):** drop dead entries and compact the
//!   live ones to the front, or double the array (`realloc`: the entries
//!   move with their block). Only here are `buf` replaced and initialised
//!   slots moved or dropped.
//! - **Walk (any thread, under `lock`):** load `len` (Acquire), read slots
//!   `[0, len)`, and possibly overwrite them (a reader replaces a dead
//!   entry by a tombstone, so that the memory it pins goes at once).
//! - A log that has no owner (the shared log) is appended to under `lock`
//!   only ([`Log::push_locked`]).
//!
//! ## Why it is sound
//!
//! A slot is written only while it is at or past `len`, by the single
//! appender (the owner, or a holder of `lock` for an ownerless log). A
//! walker reads (and may overwrite) only slots below the `len` it loaded, whose writes happened
//! before the Release store that published that `len`. Slots are moved,
//! dropped or reallocated only under `lock`, which a walker holds for its
//! whole walk. So no slot is ever read and written at once, and a walker
//! never sees an uninitialised or freed slot. The owner reads `buf` without
//! the lock, but only the owner replaces it. `loom_log_*` check this.
//!
//! The append path is a slot write and a store: no locked instruction, no
//! line another thread writes. The log it replaces took a mutex per spawn
//! (two locked instructions) and pruned on every doubling.

#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))] // the registry's only

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Mutex, MutexGuard, UnsafeCell};
use std::mem::MaybeUninit;

/// The entry array.
type Buf<T> = Box<[UnsafeCell<MaybeUninit<T>>]>;

/// A log of `T`s with one lock-free appender (see the module header).
pub(crate) struct Log<T> {
    /// Held by walkers for their whole walk and by whoever makes room; the
    /// value is the owner's pruning bookkeeping (see [`Log::push_owned`]).
    lock: Mutex<usize>,
    /// The entries. Replaced only under `lock`, by the appender.
    buf: UnsafeCell<Buf<T>>,
    /// Initialised entries; written only by the appender.
    len: AtomicUsize,
}

// SAFETY: entries move between threads (appended on one, dropped or read on
// another), so T: Send + Sync is required; access is serialised by the
// protocol in the module header.
unsafe impl<T: Send + Sync> Send for Log<T> {}
// SAFETY: as for Send.
unsafe impl<T: Send + Sync> Sync for Log<T> {}

/// A new array of `cap` free slots.
fn new_buf<T>(cap: usize) -> Buf<T> {
    (0..cap).map(|_| UnsafeCell::new(MaybeUninit::uninit())).collect()
}

impl<T> Log<T> {
    /// An empty log with room for `cap` entries before it first makes room.
    pub(crate) fn new(cap: usize) -> Self {
        Log {
            lock: Mutex::new(0),
            buf: UnsafeCell::new(new_buf(cap.max(1))),
            len: AtomicUsize::new(0),
        }
    }

    /// Locks the log (nothing panics under this lock).
    fn lock(&self) -> MutexGuard<'_, usize> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `value`; only the log's owner thread may call this.
    ///
    /// When the log is full, `decide(len, mark)` says whether to prune it
    /// with `is_live` first: `Some(new_mark)` prunes and keeps `new_mark`
    /// for the next decision (`mark` is 0 before the first prune), `None`
    /// only grows it. Growing follows whenever pruning left it full.
    ///
    /// # Safety
    /// The caller is the one thread that appends to this log, and it never
    /// calls [`Log::push_locked`] on it.
    #[inline]
    pub(crate) unsafe fn push_owned(
        &self,
        value: T,
        decide: impl FnOnce(usize, usize) -> Option<usize>,
        is_live: impl FnMut(&T) -> bool,
    ) {
        let len = self.len.load(Ordering::Relaxed); // only we write it
        let len = if len == self.capacity() { self.make_room(decide, is_live) } else { len };
        // SAFETY: we are the only appender (caller's contract), and slot
        // `len` is free.
        unsafe { self.append_at(len, value) };
    }

    /// The owner's slow path: prune or grow a full log (under the lock);
    /// returns the new length.
    #[cold]
    #[inline(never)]
    fn make_room(
        &self,
        decide: impl FnOnce(usize, usize) -> Option<usize>,
        is_live: impl FnMut(&T) -> bool,
    ) -> usize {
        let mut mark = self.lock();
        let len = self.len.load(Ordering::Relaxed); // only the appender writes it
        if let Some(new_mark) = decide(len, *mark) {
            *mark = new_mark;
            self.prune_locked(is_live);
        }
        if self.len.load(Ordering::Relaxed) == self.capacity() {
            self.grow_locked();
        }
        self.len.load(Ordering::Relaxed) // only the appender writes it
    }

    /// Appends `value` under the lock: for a log without an owner thread.
    pub(crate) fn push_locked(&self, value: T, is_live: impl FnMut(&T) -> bool) {
        let _guard = self.lock();
        if self.len.load(Ordering::Relaxed) == self.capacity() {
            self.prune_locked(is_live);
            if self.len.load(Ordering::Relaxed) * 2 > self.capacity() {
                self.grow_locked();
            }
        }
        // SAFETY: appenders of an ownerless log hold the lock, as we do.
        unsafe { self.append(value) };
    }

    /// The number of slots.
    #[inline]
    fn capacity(&self) -> usize {
        // SAFETY: `buf` is replaced only by the appender (us) under the lock.
        self.buf.with(|b| unsafe { (&*b).len() })
    }

    /// Writes `value` at the current length and publishes it; room is
    /// there.
    ///
    /// # Safety
    /// The caller is the log's only appender at this moment.
    unsafe fn append(&self, value: T) {
        // Only the appender writes `len`.
        let len = self.len.load(Ordering::Relaxed);
        // SAFETY: the caller's contract, and `len` is the current length.
        unsafe { self.append_at(len, value) }
    }

    /// Writes `value` at `len`, the current length, and publishes it.
    ///
    /// # Safety
    /// The caller is the log's only appender at this moment, `len` is the
    /// log's length, and it is below the capacity.
    #[inline]
    unsafe fn append_at(&self, len: usize, value: T) {
        // SAFETY: slot `len` is free and no walker reads it (module header);
        // `buf` is replaced only by the appender.
        self.buf.with(|b| unsafe { (&*b)[len].with_mut(|s| (*s).write(value)) });
        self.len.store(len + 1, Ordering::Release); // publishes the slot to walkers
    }

    /// Drops the entries `is_live` rejects and compacts the rest (lock held).
    fn prune_locked(&self, mut is_live: impl FnMut(&T) -> bool) {
        let len = self.len.load(Ordering::Relaxed); // only the appender writes it
        let mut kept = 0;
        self.buf.with(|b| {
            // SAFETY: under the lock nobody walks, and the appender is us.
            let slots = unsafe { &*b };
            for i in 0..len {
                // SAFETY: slots below len are initialised; we move each once.
                let v = slots[i].with(|s| unsafe { (*s).assume_init_read() });
                if is_live(&v) {
                    // SAFETY: kept <= i, and slot `kept` was moved out (or is i).
                    slots[kept].with_mut(|s| unsafe { (*s).write(v) });
                    kept += 1;
                }
            }
        });
        self.len.store(kept, Ordering::Release); // walkers under the lock only
    }

    /// Doubles the array in place where the allocator can (lock held):
    /// `realloc`, which moves a large block's pages (`mremap`) instead of
    /// copying them into fresh ones. Copying into a new array touched twice
    /// the log's final size in new pages, each faulted in and zeroed by the
    /// kernel: 32 MB for a million entries, about 5 % of `spawn_join_1m`.
    fn grow_locked(&self) {
        let cap = self.capacity();
        self.buf.with_mut(|b| {
            // SAFETY: under the lock nobody walks, and the appender is us.
            let old = unsafe { &mut *b };
            // The slots are MaybeUninit and move bitwise with the block:
            // nothing is dropped or duplicated.
            let mut slots = std::mem::take(old).into_vec();
            slots.reserve_exact(cap);
            slots.resize_with(cap * 2, || UnsafeCell::new(MaybeUninit::uninit()));
            *old = slots.into_boxed_slice();
        });
    }

    /// Runs `f` on every entry, holding the lock (appends go on meanwhile).
    /// `f` may replace an entry (a tombstone for a dead one): slots below
    /// the published length are touched by nobody else while we hold it.
    pub(crate) fn walk_mut(&self, mut f: impl FnMut(&mut T)) {
        self.walk_until(|e| {
            f(e);
            false
        });
    }

    /// [`Log::walk_mut`], stopping at the first entry for which `f` says
    /// true.
    pub(crate) fn walk_until(&self, mut f: impl FnMut(&mut T) -> bool) {
        let _guard = self.lock();
        let len = self.len.load(Ordering::Acquire); // pairs with append's Release
        self.buf.with(|b| {
            // SAFETY: buf is not replaced while we hold the lock.
            let slots = unsafe { &*b };
            for slot in &slots[..len] {
                // SAFETY: below the published len: initialised, and neither
                // read nor written by anyone else while we hold the lock.
                if slot.with_mut(|s| f(unsafe { (*s).assume_init_mut() })) {
                    return;
                }
            }
        });
    }

    /// Entries, live or dead (racy; for heuristics).
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Takes every entry out, leaving the log empty (the owner, or anyone
    /// when the owner is gone).
    pub(crate) fn take_all(&self) -> Vec<T> {
        let _guard = self.lock();
        let len = self.len.load(Ordering::Relaxed); // only the appender writes it
        let out = self.buf.with(|b| {
            // SAFETY: under the lock, and the caller is the appender.
            let slots = unsafe { &*b };
            // SAFETY: initialised below len; each moved out exactly once.
            slots[..len].iter().map(|s| s.with(|s| unsafe { (*s).assume_init_read() })).collect()
        });
        self.len.store(0, Ordering::Release); // walkers under the lock only
        out
    }
}

impl<T> Drop for Log<T> {
    fn drop(&mut self) {
        drop(self.take_all());
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::*;
    use crate::loom::{thread, Arc};

    /// The owner appends three entries into a log of room 2 (so it makes
    /// room once, pruning the first entry) while another thread walks it.
    /// The walker must see a prefix-consistent set of live values, never a
    /// torn or freed one, and every entry must be dropped exactly once
    /// (loom reports leaked `Arc`s).
    #[test]
    fn loom_log_append_while_walking() {
        loom::model(|| {
            let log = Arc::new(Log::<Arc<usize>>::new(2));
            let walker = {
                let log = log.clone();
                thread::spawn(move || {
                    let mut seen = Vec::new();
                    log.walk_mut(|v| seen.push(**v));
                    seen
                })
            };
            for i in 1..=3 {
                // SAFETY: this thread is the log's only appender.
                unsafe { log.push_owned(Arc::new(i), |_, _| Some(1), |v| **v != 1) };
            }
            let seen = walker.join().unwrap();
            assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
            assert!(seen.iter().all(|&v| (1..=3).contains(&v)), "{seen:?}");
            let mut all = Vec::new();
            log.walk_mut(|v| all.push(**v));
            assert_eq!(all, [2, 3]);
        });
    }

    /// Two threads append to an ownerless log under its lock; one of them
    /// walks it while the other may still be appending.
    #[test]
    fn loom_log_locked_appends() {
        loom::model(|| {
            let log = Arc::new(Log::<Arc<usize>>::new(1));
            let other = {
                let log = log.clone();
                thread::spawn(move || log.push_locked(Arc::new(2), |_| true))
            };
            log.push_locked(Arc::new(1), |_| true);
            let mut seen = Vec::new();
            log.walk_mut(|v| seen.push(**v));
            other.join().unwrap();
            assert!(seen.contains(&1), "{seen:?}");
            let mut all: Vec<usize> = log.take_all().iter().map(|v| **v).collect();
            all.sort_unstable();
            assert_eq!(all, [1, 2]);
        });
    }
}
