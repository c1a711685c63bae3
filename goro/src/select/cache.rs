//! A per-thread cache of the two allocations a waiting select makes, its
//! [`Signal`] and its [`OpArena`]: Go's per-P `sudog` cache
//! (`runtime/proc.go`, `acquireSudog`), per thread here since a goroutine
//! may move between threads while it waits.
//!
//! A select takes its signal and arena from its thread's cache when it
//! must wait and gives them back when it is done. The cache holds one of
//! each; a select that finds it empty, or an arena too small, allocates.
//!
//! The arena is the select's alone once every case is unregistered
//! (`arena.rs`), so it is always put back. The signal is put back only if
//! nobody else holds it: a counterpart that decided it keeps a reference
//! until its wake-up is done (`chan/waitq.rs`, `Woken`), and may still
//! hold it when the select is done. `Arc::strong_count` of 1 says every
//! other reference was dropped, with a Release decrement; the Acquire
//! fence after reading it orders those holders' last accesses (the
//! wake-up's waker take) before our reuse. No new reference can appear:
//! references are taken only from queued entries, and none is queued. A
//! cached signal has no waker (`Signal::disarm`), so the cache keeps no
//! goroutine alive.
//!
//! Under loom the thread-local cache is off: models allocate afresh, as
//! they did. The reuse rule itself, [`reusable`] then [`rearmed`], is what
//! the real cache runs around its thread-local slot, and what the models
//! `loom_cached_signal_*` (`select/loom_tests.rs`) run against
//! counterparts that may still hold their references. loom's `Arc::strong_count` synchronises like an Acquire
//! load, so the model checks the count test, not the fence after it.

use super::arena::{Need, OpArena};
use crate::chan::Signal;
use crate::loom::Arc;
use std::task::Waker;

#[cfg(not(loom))]
mod imp {
    use super::{Arc, OpArena, Signal};
    use std::cell::Cell;

    /// One thread's cached signal and arena.
    pub(super) struct Cache {
        /// A signal nobody else references, undecided or not, without waker.
        pub(super) signal: Cell<Option<Arc<Signal>>>,
        /// An arena nothing points into.
        pub(super) arena: Cell<Option<OpArena>>,
    }

    thread_local! {
        /// This thread's cache.
        pub(super) static CACHE: Cache =
            const { Cache { signal: Cell::new(None), arena: Cell::new(None) } };
    }

    /// Takes this thread's cached signal, if any (none during thread exit).
    pub(super) fn take_signal() -> Option<Arc<Signal>> {
        CACHE.try_with(|c| c.signal.take()).ok().flatten()
    }

    /// Caches `s`, dropping the one it replaces.
    pub(super) fn put_signal(s: Arc<Signal>) {
        let _ = CACHE.try_with(|c| c.signal.replace(Some(s)));
    }

    /// Takes this thread's cached arena, if any.
    pub(super) fn take_arena() -> Option<OpArena> {
        CACHE.try_with(|c| c.arena.take()).ok().flatten()
    }

    /// Caches `a`, freeing the one it replaces.
    pub(super) fn put_arena(a: OpArena) {
        let _ = CACHE.try_with(|c| c.arena.replace(Some(a)));
    }
}

#[cfg(loom)]
mod imp {
    use super::{Arc, OpArena, Signal};

    /// No cache under loom.
    pub(super) fn take_signal() -> Option<Arc<Signal>> {
        None
    }

    /// Drops `s`.
    pub(super) fn put_signal(s: Arc<Signal>) {
        drop(s);
    }

    /// No cache under loom.
    pub(super) fn take_arena() -> Option<OpArena> {
        None
    }

    /// Frees `a`.
    pub(super) fn put_arena(a: OpArena) {
        drop(a);
    }
}

/// An undecided signal waking `waker`: the cached one, or a new one.
pub(crate) fn signal(waker: &Waker) -> Arc<Signal> {
    rearmed(imp::take_signal(), waker)
}

/// `cached`, made undecided and waking `waker`, or a new signal if none:
/// the take half of the reuse rule, which the loom model runs as is.
pub(super) fn rearmed(cached: Option<Arc<Signal>>, waker: &Waker) -> Arc<Signal> {
    match cached {
        Some(s) => {
            s.rearm(waker);
            s
        }
        None => Signal::new(waker),
    }
}

/// Gives a select's signal back once it is done with it: cached if no one
/// else references it, else dropped (the last holder frees it).
pub(crate) fn put_signal(s: Arc<Signal>) {
    if let Some(s) = reusable(s) {
        imp::put_signal(s);
    }
}

/// The reuse rule (module docs): `s`, disarmed, if nobody else references
/// it; else `None`, `s` dropped. Run as is by the loom model.
pub(super) fn reusable(s: Arc<Signal>) -> Option<Arc<Signal>> {
    if Arc::strong_count(&s) != 1 {
        return None;
    }
    // Acquire: pairs with the Release decrement of each other holder that
    // dropped its reference, so its accesses happen before our reuse.
    crate::loom::atomic::fence(crate::loom::atomic::Ordering::Acquire);
    s.disarm();
    Some(s)
}

/// An arena for `need`: the cached one if it fits, else a new one.
pub(crate) fn arena(need: Need) -> OpArena {
    if let Some(mut a) = imp::take_arena() {
        if a.refit(need) {
            return a;
        }
    } // a cached arena too small is freed
    OpArena::new(need)
}

/// Gives a select's arena back once none of its cases is queued.
pub(crate) fn put_arena(a: OpArena) {
    imp::put_arena(a);
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::alloc::Layout;

    /// A waker that only counts its references.
    struct Nop;
    impl std::task::Wake for Nop {
        fn wake(self: std::sync::Arc<Self>) {}
    }

    /// A signal nobody else holds is cached without its waker and comes
    /// back undecided; one still shared is not cached.
    #[test]
    fn signal_is_reused_only_when_unshared() {
        let count = std::sync::Arc::new(Nop);
        let waker = Waker::from(count.clone());
        drop(imp::take_signal());
        let s = signal(&waker);
        assert!(s.try_abort());
        let p = Arc::as_ptr(&s);
        put_signal(s);
        assert_eq!(std::sync::Arc::strong_count(&count), 2, "the cache keeps no waker");
        let s = signal(&waker);
        assert_eq!(Arc::as_ptr(&s), p, "the cached signal is reused");
        assert!(s.is_waiting(), "and undecided again");
        let other = s.clone();
        put_signal(s);
        assert!(imp::take_signal().is_none(), "a shared signal is not cached");
        drop(other);
    }

    /// A cached arena serves a smaller need; a larger one gets a new block.
    #[test]
    fn arena_is_refit_when_large_enough() {
        let l = Layout::new::<[u64; 4]>();
        drop(imp::take_arena());
        put_arena(arena(Need::of([l; 4].into_iter())));
        let small = arena(Need::of([l; 2].into_iter()));
        let p = small.place(1, l);
        assert!(small.place(0, l) < p, "places are apart");
        put_arena(small);
        let big = arena(Need::of([l; 8].into_iter()));
        assert_eq!(big.place(7, l).as_ptr() as usize - big.place(0, l).as_ptr() as usize, 7 * 32);
    }
}
