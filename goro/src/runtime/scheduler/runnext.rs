//! A processor's `runnext` slot (Go's `p.runnext`): one value, put and
//! taken by the slot's owner (the worker holding the processor), inspected
//! and stolen by thieves (other workers' last resort, sysmon's `handoff`).
//!
//! Go stores a `guintptr` and CASes it. A `Goroutine` is a fat
//! `TaskRef<dyn Runnable>`, too wide for one CAS, so the value lives in a cell
//! guarded by a one-byte state word:
//!
//! - `EMPTY`: the cell holds `None`. Only the owner leaves `EMPTY`, so while
//!   the state is `EMPTY` the owner alone touches the cell.
//! - `FULL`: the cell holds `Some`. The owner takes it with one CAS
//!   `FULL → EMPTY` (and then owns the cell as above); a thief locks it with
//!   a CAS `FULL → LOCKED`.
//! - `LOCKED`: one thief holds the cell; it stores `EMPTY` (took the value)
//!   or `FULL` (left it) when done. The owner waits for that: a thief's
//!   critical section is a few instructions.
//!
//! So the owner's put into an empty slot is a load, a write and a store; its
//! take is one CAS; displacing a value is one CAS, a swap and a store.
//!
//! Invariants: the cell is `Some` exactly when the state is `FULL` or
//! `LOCKED`, except inside the owner's own `EMPTY` window; every cell access
//! happens either by the owner while it saw `EMPTY` (or CASed to it), or by
//! the thief whose CAS made the state `LOCKED`. Each `Release` store that
//! ends an access pairs with the `Acquire` that begins the next party's.
//!
//! Only one thread may call the owner methods ([`RunNext::put`],
//! [`RunNext::take`]) at a time: the `current::WORKER` thread-local gives
//! each processor one worker, as for the owner side of its run queue.
//! Breaking that would let two owners write the cell at once.

use crate::loom::atomic::{AtomicU8, Ordering};
use crate::loom::UnsafeCell;

/// Nothing in the slot; only the owner may change the state.
const EMPTY: u8 = 0;
/// A value in the slot, free to be taken.
const FULL: u8 = 1;
/// A thief holds the slot.
const LOCKED: u8 = 2;

/// Owner spins on a locked slot before yielding its thread.
const SPINS_BEFORE_YIELD: u32 = 64;

/// A single-owner, multi-thief slot for one value.
pub(crate) struct RunNext<T> {
    /// `EMPTY`, `FULL` or `LOCKED`: see the module header.
    state: AtomicU8,
    /// The value; whom it belongs to is decided by `state`.
    cell: UnsafeCell<Option<T>>,
}

// SAFETY: values move between threads through the slot, so T: Send is
// required and enough.
unsafe impl<T: Send> Send for RunNext<T> {}
// SAFETY: as for Send; the cell is only touched by the party that the state
// protocol of the module header hands it to, one at a time. Thieves look at
// the value through `&T` while holding `LOCKED`, which no one else does then.
unsafe impl<T: Send> Sync for RunNext<T> {}

impl<T> RunNext<T> {
    /// An empty slot.
    pub(crate) fn new() -> Self {
        RunNext { state: AtomicU8::new(EMPTY), cell: UnsafeCell::new(None) }
    }

    /// Puts `value` in the slot; returns the value it displaced. Owner only.
    ///
    /// Never inlined: `value` (a 16-byte `Goroutine`) then arrives in two
    /// registers and goes into the cell from them. Inlined into a caller,
    /// the compiler spilled it as two 8-byte stores and reloaded it as one
    /// 16-byte load, which the CPU cannot forward from the store buffer:
    /// a stall on every wake-up, 6 % of a channel ping-pong's time, present
    /// or not depending on unrelated code around the call.
    #[inline(never)]
    pub(crate) fn put(&self, value: T) -> Option<T> {
        // Acquire: a thief that emptied the slot took the value out of the
        // cell before its Release store of EMPTY; we write the cell next.
        if self.state.load(Ordering::Acquire) != EMPTY {
            self.owner_lock();
        }
        // SAFETY: the state is EMPTY now (we saw it, or `owner_lock` left it
        // so), and only the owner (us) leaves EMPTY: no thief touches the
        // cell until our store below. The cell holds the value we moved off
        // FULL, or `None` if a thief took it.
        let old = self.cell.with_mut(|c| unsafe { (*c).replace(value) });
        self.state.store(FULL, Ordering::Release); // publishes the write to thieves' Acquire
        old
    }

    /// Takes the value, if any. Owner only.
    pub(crate) fn take(&self) -> Option<T> {
        if self.state.load(Ordering::Relaxed) == EMPTY {
            return None; // only the owner (us) fills it: nothing can appear
        }
        self.owner_claim()
    }

    /// Empties the slot into the owner's hands: [`Self::owner_lock`], then
    /// moves the value out. Returns with the state `EMPTY`, so the caller
    /// owns the cell until it stores `FULL`.
    fn owner_claim(&self) -> Option<T> {
        self.owner_lock();
        // SAFETY: the state is EMPTY and only the owner (us) leaves it: the
        // cell is ours.
        self.cell.with_mut(|c| unsafe { (*c).take() })
    }

    /// Takes the slot from `FULL` (or from a thief's `LOCKED`, waiting it
    /// out) to `EMPTY`, leaving the cell to the owner: `Some` if our CAS
    /// moved it off `FULL`, `None` if a thief took the value.
    #[inline]
    fn owner_lock(&self) {
        let mut spins = 0u32;
        loop {
            // Acquire on both outcomes: a thief's Release unlock (EMPTY or
            // FULL) ends its cell access before ours begins.
            match self.state.compare_exchange_weak(
                FULL,
                EMPTY,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) | Err(EMPTY) => return,
                Err(_) => Self::backoff(&mut spins), // LOCKED, or a spurious failure
            }
        }
    }

    /// Spins, then yields, while a thief holds the slot.
    fn backoff(spins: &mut u32) {
        *spins += 1;
        if cfg!(loom) || *spins > SPINS_BEFORE_YIELD {
            crate::loom::thread::yield_now(); // a preempted thief needs our core
        } else {
            std::hint::spin_loop();
        }
    }

    /// Whether the slot holds a value (racy: a thief may be taking it).
    pub(crate) fn is_full(&self) -> bool {
        self.state.load(Ordering::Acquire) != EMPTY // pairs with put's Release
    }

    /// Thief: locks a full slot and runs `f` on its value; `f` returns what
    /// to give back and whether to take the value. `None` when the slot is
    /// empty or another thief holds it. `f` must not panic: that would
    /// leave the slot `LOCKED` and its owner waiting forever.
    fn steal_with<R>(&self, f: impl FnOnce(&T) -> (R, bool)) -> Option<(R, Option<T>)> {
        // Acquire: the owner's (or last thief's) cell write happened before
        // its Release store of FULL.
        self.state.compare_exchange(FULL, LOCKED, Ordering::Acquire, Ordering::Relaxed).ok()?;
        let out = self.cell.with_mut(|c| {
            // SAFETY: our CAS made the state LOCKED, so we alone touch the
            // cell until our store below.
            let slot = unsafe { &mut *c };
            let (r, take) = f(slot.as_ref()?);
            Some((r, if take { slot.take() } else { None }))
        });
        debug_assert!(out.is_some(), "goro::runtime: runnext was FULL but empty");
        let took = matches!(out, Some((_, Some(_))));
        let next = if took { EMPTY } else { FULL };
        self.state.store(next, Ordering::Release); // ends our access before the next party's Acquire
        out
    }

    /// Thief: the value's `key`, if the slot is full and free.
    pub(crate) fn peek<K>(&self, key: impl FnOnce(&T) -> K) -> Option<K> {
        self.steal_with(|v| (key(v), false)).map(|(k, _)| k)
    }

    /// Thief: takes the value if `take` says so (free slot only).
    pub(crate) fn steal_if(&self, take: impl FnOnce(&T) -> bool) -> Option<T> {
        self.steal_with(|v| ((), take(v))).and_then(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_take_displace() {
        let s = RunNext::new();
        assert!(!s.is_full());
        assert_eq!(s.take(), None);
        assert_eq!(s.put(1), None);
        assert!(s.is_full());
        assert_eq!(s.put(2), Some(1));
        assert_eq!(s.take(), Some(2));
        assert!(!s.is_full());
        assert_eq!(s.take(), None);
    }

    #[test]
    fn thief_peeks_and_steals_only_the_same() {
        let s = RunNext::new();
        assert_eq!(s.peek(|v: &i32| *v), None);
        assert_eq!(s.steal_if(|_| true), None);
        s.put(7);
        assert_eq!(s.peek(|v| *v), Some(7));
        assert_eq!(s.steal_if(|v| *v == 8), None);
        assert!(s.is_full());
        assert_eq!(s.steal_if(|v| *v == 7), Some(7));
        assert!(!s.is_full());
        assert_eq!(s.put(9), None);
        assert_eq!(s.take(), Some(9));
    }

    #[test]
    fn drop_drops_the_value() {
        let v = std::sync::Arc::new(());
        let s = RunNext::new();
        s.put(v.clone());
        assert_eq!(std::sync::Arc::strong_count(&v), 2);
        drop(s);
        assert_eq!(std::sync::Arc::strong_count(&v), 1);
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::*;
    use crate::loom::{thread, Arc};

    /// Everything put in, every way it came out: each value exactly once.
    fn assert_exactly_once(mut got: Vec<u32>, put: &[u32]) {
        got.sort_unstable();
        assert_eq!(got, put);
    }

    /// The owner puts (displacing) and takes while a thief steals: no value
    /// is lost or duplicated, and no cell access races.
    #[test]
    fn loom_runnext_owner_vs_thief() {
        loom::model(|| {
            let s = Arc::new(RunNext::new());
            let thief = {
                let s = s.clone();
                thread::spawn(move || s.steal_if(|_| true))
            };
            let mut got = Vec::new();
            got.extend(s.put(1));
            got.extend(s.put(2));
            got.extend(s.take());
            got.extend(s.put(3));
            got.extend(thief.join().unwrap());
            got.extend(s.take());
            assert_exactly_once(got, &[1, 2, 3]);
        });
    }

    /// A thief peeks, then steals only the value it saw (the worker's grace
    /// spin), racing the owner replacing it, and sysmon's handoff stealing
    /// unconditionally: each value comes out once, and the thief never
    /// takes a value it did not see.
    #[test]
    fn loom_runnext_peek_then_steal_if() {
        loom::model(|| {
            let s = Arc::new(RunNext::new());
            s.put(1);
            let thief = {
                let s = s.clone();
                thread::spawn(move || {
                    let seen = s.peek(|v| *v)?;
                    let got = s.steal_if(|v| *v == seen);
                    assert!(got.is_none_or(|v| v == seen), "stole a value it did not see");
                    got
                })
            };
            let handoff = {
                let s = s.clone();
                thread::spawn(move || s.steal_if(|_| true))
            };
            let mut got = Vec::new();
            got.extend(s.put(2));
            got.extend(thief.join().unwrap());
            got.extend(handoff.join().unwrap());
            got.extend(s.take());
            assert_exactly_once(got, &[1, 2]);
        });
    }
}
