//! Who holds what: the records `sync` locks and channels keep so that the
//! partial deadlock report (`graph.rs`) can draw wait-for edges.
//!
//! - A lock (`Mutex`, both modes of `RwLock`) taken by a goroutine is
//!   written into that goroutine's registry record (`Meta::holds`, one word:
//!   the lock it took last and still holds) and the taker's id is kept by
//!   the lock ([`Holder`]) or its guard ([`Hold`]). Release clears the
//!   record: directly when the taker releases, through a registry lookup
//!   (rare: a guard moved to another goroutine) otherwise.
//! - A channel remembers the last goroutine to use each side
//!   ([`LastUsers`]); a goroutine parking on it records that goroutine as
//!   its peer, when the other side has a single handle (with several, any
//!   of them could complete the operation: no edge).
//!
//! Invariant: `Meta::holds == L` implies the goroutine holds lock `L` (the
//! record is set after the lock is taken and cleared before it is released),
//! so a report never names a goroutine that no longer holds the lock. What
//! the records miss: a lock held under a lock taken later, locks held by
//! plain threads, readers' locks that a guard moved elsewhere released.
//!
//! Cost: one thread-local read and one or two relaxed stores per lock,
//! unlock or channel operation. Compiled out (zero-sized types, no-op
//! calls) without the `diagnostics` feature and under loom.

use crate::runtime::current;
use crate::runtime::goroutine::meta::WaitOn;
#[cfg(all(feature = "diagnostics", not(loom)))]
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether the records are kept (not under loom: they would only grow
/// the models' state space).
const ON: bool = cfg!(all(feature = "diagnostics", not(loom)));

/// Records that the running goroutine took lock `object`; returns its id
/// (0 off any goroutine).
#[inline]
#[cfg_attr(not(all(feature = "diagnostics", not(loom))), allow(dead_code))]
fn acquired(object: usize) -> u64 {
    current::with_meta(|m| {
        m.set_holds(object);
        m.id
    })
    .unwrap_or(0)
}

/// Lock `object`, taken by goroutine `holder`, is being released.
#[inline]
#[cfg_attr(not(all(feature = "diagnostics", not(loom))), allow(dead_code))]
fn released(object: usize, holder: u64) {
    if holder == 0 {
        return;
    }
    let mine = current::with_meta(|m| {
        let mine = m.id == holder;
        if mine {
            m.release_holds(object);
        }
        mine
    });
    if mine != Some(true) {
        released_elsewhere(object, holder);
    }
}

/// A lock taken by one goroutine is released by another (or by a thread).
#[cold]
#[cfg_attr(not(all(feature = "diagnostics", not(loom))), allow(dead_code))]
fn released_elsewhere(object: usize, holder: u64) {
    crate::runtime::goroutine::registry::with_goroutine(holder, |m| m.clear_holds(object));
}

/// The address of `x`: the stable object id the report prints.
#[inline]
pub(crate) fn object_id<T: ?Sized>(x: &T) -> usize {
    x as *const T as *const () as usize
}

/// What a goroutine parking on lock or object `x` records.
#[inline]
pub(crate) fn on<T: ?Sized>(x: &T) -> WaitOn {
    WaitOn { object: if ON { object_id(x) } else { 0 }, peer: 0 }
}

/// What a goroutine joining goroutine `id` records.
#[inline]
pub(crate) fn joining(id: u64) -> WaitOn {
    WaitOn { object: 0, peer: if ON { id } else { 0 } }
}

/// The holder of an exclusive lock, kept in the lock: the id of the
/// goroutine that took it (0: free, or taken off any goroutine).
#[derive(Debug, Default)]
pub(crate) struct Holder {
    /// The taker's id.
    #[cfg(all(feature = "diagnostics", not(loom)))]
    id: AtomicU64,
}

impl Holder {
    /// No holder.
    pub(crate) const fn new() -> Self {
        Holder {
            #[cfg(all(feature = "diagnostics", not(loom)))]
            id: AtomicU64::new(0),
        }
    }

    /// The running goroutine has just taken lock `object` (which owns self).
    #[inline]
    pub(crate) fn acquired(&self, object: usize) {
        #[cfg(all(feature = "diagnostics", not(loom)))]
        self.id.store(acquired(object), Ordering::Relaxed);
        let _ = object;
    }

    /// Lock `object` is about to be released (by its guard's owner).
    #[inline]
    pub(crate) fn released(&self, object: usize) {
        #[cfg(all(feature = "diagnostics", not(loom)))]
        {
            let holder = self.id.load(Ordering::Relaxed);
            if holder != 0 {
                self.id.store(0, Ordering::Relaxed);
                released(object, holder);
            }
        }
        let _ = object;
    }
}

/// The taker of a lock, kept in its guard (for locks with many holders,
/// like `RwLock`'s readers).
#[derive(Debug)]
pub(crate) struct Hold {
    /// The taker's id (0: off any goroutine).
    #[cfg(all(feature = "diagnostics", not(loom)))]
    id: u64,
}

impl Hold {
    /// The running goroutine has just taken lock `object`.
    #[inline]
    pub(crate) fn acquired(object: usize) -> Hold {
        let _ = object;
        Hold {
            #[cfg(all(feature = "diagnostics", not(loom)))]
            id: acquired(object),
        }
    }

    /// Lock `object` is about to be released.
    #[inline]
    pub(crate) fn released(&self, object: usize) {
        #[cfg(all(feature = "diagnostics", not(loom)))]
        released(object, self.id);
        let _ = object;
    }
}

/// The last goroutine to use each side of a channel (0: none, or a plain
/// thread).
#[derive(Debug, Default)]
pub(crate) struct LastUsers {
    /// Last to send (or to queue a send).
    #[cfg(all(feature = "diagnostics", not(loom)))]
    sender: AtomicU64,
    /// Last to receive (or to queue a receive).
    #[cfg(all(feature = "diagnostics", not(loom)))]
    receiver: AtomicU64,
}

impl LastUsers {
    /// The running goroutine uses the send side.
    #[inline]
    pub(crate) fn sent(&self) {
        #[cfg(all(feature = "diagnostics", not(loom)))]
        self.sender.store(current::goroutine_id(), Ordering::Relaxed);
    }

    /// The running goroutine uses the receive side.
    #[inline]
    pub(crate) fn received(&self) {
        #[cfg(all(feature = "diagnostics", not(loom)))]
        self.receiver.store(current::goroutine_id(), Ordering::Relaxed);
    }

    /// What a receiver parking on channel `chan` records: the last sender,
    /// if `senders` (the live `Sender` count) is 1.
    #[inline]
    pub(crate) fn recv_wait<C>(&self, chan: &C, senders: usize) -> WaitOn {
        let peer = if senders == 1 { self.last(true) } else { 0 };
        WaitOn { peer, ..on(chan) }
    }

    /// What a sender parking on channel `chan` records: the last receiver,
    /// if `receivers` (the live `Receiver` count) is 1.
    #[inline]
    pub(crate) fn send_wait<C>(&self, chan: &C, receivers: usize) -> WaitOn {
        let peer = if receivers == 1 { self.last(false) } else { 0 };
        WaitOn { peer, ..on(chan) }
    }

    /// The last sender (`true`) or receiver; 0 when not recorded.
    #[inline]
    fn last(&self, sender: bool) -> u64 {
        #[cfg(all(feature = "diagnostics", not(loom)))]
        return if sender { &self.sender } else { &self.receiver }.load(Ordering::Relaxed);
        #[cfg(not(all(feature = "diagnostics", not(loom))))]
        {
            let _ = sender;
            0
        }
    }
}
