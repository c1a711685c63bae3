//! `Waiter<T>`: the queued op of a lone send or receive, owned by its
//! future (Go's `sudog` of a plain `chansend` / `chanrecv`).
//!
//! The op lives in one block of memory (its thread's spare, or fresh)
//! whose address sits in the channel's queue (`waitq.rs`, `Entry`); it has
//! no reference count. The waiter frees it once it is *unlinked*, i.e.
//! once no counterpart can reach it again:
//!
//! - its decision was seen made (Acquire): the decider popped the entry
//!   (a counterpart, or `close`, which drains the queue) and, having taken
//!   the waker before its claim, touches the op no more after it;
//! - or its abort won and its entry was then removed under the channel
//!   lock, so any counterpart that had popped it has left its critical
//!   section (`WaitQueue::remove_op`).
//!
//! A `Waiter` dropped before it is unlinked leaks its op rather than free
//! it under a counterpart (no path does: the futures abort first). The
//! slot is read through [`Waiter::take`] only once unlinked, which is
//! the slot rule's case 3 (`signal.rs`, `Slot`).
//!
//! A freed op's memory stays as its thread's spare ([`spare`], Go's per-P
//! `sudog` cache, per thread since a goroutine may move), for the next
//! wait of an op of the same layout: a lone wait then costs no `malloc`
//! and no `free` in the steady state.

use super::lock::ChanLock;
use super::waitq::{Entry, Op};
use std::alloc::Layout;
use std::ptr::NonNull;
use std::task::Waker;

/// One thread's spare op memory: at most one block, of the layout of the
/// last op freed here. Off under loom (models allocate afresh).
mod spare {
    use std::alloc::Layout;
    use std::ptr::NonNull;

    /// A block of memory from the global allocator, owned.
    pub(super) struct Block {
        /// The memory; nothing lives in it.
        ptr: NonNull<u8>,
        /// Its layout (never zero-sized: an op holds a token).
        layout: Layout,
    }

    impl Block {
        /// Memory for `layout`: this thread's spare if it has that
        /// layout, else fresh.
        pub(super) fn take(layout: Layout) -> NonNull<u8> {
            if let Some(p) = imp::take(layout) {
                return p;
            }
            // SAFETY: `layout` is not zero-sized (an op holds a token).
            let p = unsafe { std::alloc::alloc(layout) };
            NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
        }

        /// Gives back `ptr`, from [`Block::take`] with `layout`, whose op
        /// was dropped: kept as this thread's spare (freeing the one it
        /// replaces), or freed.
        ///
        /// # Safety
        ///
        /// `ptr` came from `take(layout)` and nothing uses it any more.
        pub(super) unsafe fn put(ptr: NonNull<u8>, layout: Layout) {
            imp::put(Block { ptr, layout });
        }
    }

    impl Drop for Block {
        fn drop(&mut self) {
            // SAFETY: allocated by the global allocator with this layout
            // (`take`), and owned by this block alone.
            unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) };
        }
    }

    #[cfg(not(loom))]
    mod imp {
        use super::{Block, Layout, NonNull};
        use std::cell::Cell;

        thread_local! {
            /// This thread's spare block.
            static SPARE: Cell<Option<Block>> = const { Cell::new(None) };
        }

        /// The spare block's memory if it has `layout`.
        pub(super) fn take(layout: Layout) -> Option<NonNull<u8>> {
            let b = SPARE.try_with(Cell::take).ok().flatten()?;
            if b.layout == layout {
                return Some(std::mem::ManuallyDrop::new(b).ptr);
            }
            put(b); // another type's: kept, and this wait allocates
            None
        }

        /// Makes `b` the spare; the one it replaces is freed (as is `b`
        /// during the thread's exit).
        pub(super) fn put(b: Block) {
            let _ = SPARE.try_with(move |s| s.replace(Some(b)));
        }
    }

    #[cfg(loom)]
    mod imp {
        use super::{Block, Layout, NonNull};

        /// No spare under loom.
        pub(super) fn take(_: Layout) -> Option<NonNull<u8>> {
            None
        }

        /// Frees `b`.
        pub(super) fn put(b: Block) {
            drop(b);
        }
    }
}

/// A lone operation's queued op, owned here.
pub(crate) struct Waiter<T> {
    /// The op, in memory from `spare::Block::take`; dropped and given
    /// back by `drop` once unlinked. Bit 0 ([`UNLINKED`]) is set once no
    /// counterpart can reach the op any more (module docs): a tag rather
    /// than a field keeps a `Waiter`, and an `Option` of it in every
    /// `Send` and `Recv` future, one word.
    op: NonNull<Op<T>>,
}

/// The tag of [`Waiter::op`] (ops are word-aligned, so bit 0 is free).
const UNLINKED: usize = 1;

// SAFETY: a `Waiter` owns its op (a `Box` in all but aliasing), and
// `Op<T>` is `Send` and `Sync` for `T: Send`.
unsafe impl<T: Send> Send for Waiter<T> {}
// SAFETY: as above; `&Waiter` reads the op only through `&Op<T>`.
unsafe impl<T: Send> Sync for Waiter<T> {}

impl<T> Waiter<T> {
    /// The layout of the op's memory.
    const LAYOUT: Layout = Layout::new::<Op<T>>();

    /// A fresh waiter holding `value`, that will wake `waker` (none: the
    /// owner watches [`Waiter::decided_now`] until it sets one through
    /// [`Waiter::is_decided`]), with the entry to queue under the lock the
    /// caller holds.
    #[inline]
    pub(crate) fn new(waker: Option<&Waker>, value: Option<T>) -> (Self, Entry<T>) {
        let op = spare::Block::take(Self::LAYOUT).cast::<Op<T>>();
        // SAFETY: fresh memory of `Op<T>`'s layout, which nothing else uses.
        unsafe { op.as_ptr().write(Op::new_lone(waker, value)) };
        let w = Waiter { op };
        // SAFETY: the op stays where it is until `drop`, which frees it only
        // once unlinked: its decision seen, or its entry removed (`new`'s
        // contract).
        let entry = unsafe { Entry::new(w.op(), 0) };
        (w, entry)
    }

    /// The op.
    #[inline]
    pub(crate) fn op(&self) -> &Op<T> {
        // SAFETY: owned and alive until `drop`.
        unsafe { &*self.untagged() }
    }

    /// The op's address without the tag.
    #[inline]
    fn untagged(&self) -> *mut Op<T> {
        self.op.as_ptr().map_addr(|a| a & !UNLINKED)
    }

    /// True once no counterpart can reach the op (module docs).
    #[inline]
    fn unlinked(&self) -> bool {
        self.op.addr().get() & UNLINKED != 0
    }

    /// Records that no counterpart can reach the op any more.
    #[inline]
    fn unlink(&mut self) {
        self.op = self.op.map_addr(|a| a | UNLINKED);
    }

    /// True once a counterpart or `close` decided the op (then unlinked).
    /// Otherwise makes sure that the op will wake `waker`, under the lock
    /// of the channel where it waits, and checks again, so that a decision
    /// made meanwhile is not missed. A waiter woken by its decider, the
    /// usual re-poll, takes no lock.
    #[inline]
    pub(crate) fn is_decided(&mut self, lock: &ChanLock, waker: &Waker) -> bool {
        if self.op().decision().selected().is_none() {
            self.rewake(lock, waker);
            if self.op().decision().selected().is_none() {
                return false;
            }
        }
        self.unlink();
        true
    }

    /// True once decided: a look at the decision alone, with no lock and
    /// no waker (a plain thread watching it before it sets a waker). The
    /// caller still polls, through [`Waiter::is_decided`], for the outcome.
    #[inline]
    pub(crate) fn decided_now(&self) -> bool {
        self.op().decision().selected().is_some()
    }

    /// Makes the op wake `waker` if it holds another (a re-poll from a new
    /// context, or a spurious one).
    #[inline(never)]
    fn rewake(&self, lock: &ChanLock, waker: &Waker) {
        let lone = self.op().as_lone().expect("goro::chan: a waiter's op is lone");
        let guard = lock.lock();
        // SAFETY: we hold the lock of the channel where the op waits.
        let old = unsafe { lone.set_waker(waker) };
        drop(guard);
        drop(old); // a waker's drop runs outside the lock
    }

    /// Gives up: true if the abort won, and then `unregister` removed the
    /// entry (under the channel lock); false if a decision came first.
    /// Unlinked either way.
    pub(crate) fn abort(&mut self, unregister: impl FnOnce(&Op<T>)) -> bool {
        let aborted = self.op().decision().try_abort();
        if aborted {
            unregister(self.op());
        }
        self.unlink();
        aborted
    }

    /// Takes the slot's value, once unlinked.
    pub(crate) fn take(&mut self) -> Option<T> {
        assert!(self.unlinked(), "goro::chan: a queued waiter's slot read early");
        // SAFETY: slot rule 3: unlinked means the decision was seen with
        // Acquire (3a) or the entry was removed under the lock (3b).
        unsafe { self.op().slot.take() }
    }
}

impl<T> Drop for Waiter<T> {
    fn drop(&mut self) {
        if !self.unlinked() {
            return; // leaked: a counterpart may still reach it (module docs)
        }
        // SAFETY: written in `new` and owned here; unlinked, so no
        // counterpart can reach it any more (module docs). The memory is
        // `take`n with `LAYOUT` and unused once the op is dropped; its
        // untagged address is the op's, non-null.
        unsafe {
            let op = self.untagged();
            std::ptr::drop_in_place(op);
            spare::Block::put(NonNull::new_unchecked(op).cast(), Self::LAYOUT);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Waiter;
    use std::task::Waker;

    /// A waiter given up before it was queued anywhere, and its op's address.
    fn abandoned<T>(value: Option<T>) -> (Waiter<T>, usize) {
        let (mut w, _never_queued) = Waiter::new(Some(Waker::noop()), value);
        assert!(w.abort(|_| {}), "nobody decided it");
        let at = std::ptr::from_ref(w.op()) as usize;
        (w, at)
    }

    /// The next wait on this thread reuses a freed op's memory, and an op
    /// of another layout neither takes it nor loses it.
    #[test]
    fn spare_op_memory_is_reused_per_layout() {
        let (w, first) = abandoned(Some(1u8));
        drop(w);
        let (w, again) = abandoned(Some(2u8));
        assert_eq!(again, first, "the spare was reused");
        drop(w); // the spare again
        let (big, other) = abandoned(Some([7u64; 8]));
        assert_ne!(other, first, "another layout does not take it");
        let (w, third) = abandoned(None::<u8>);
        assert_eq!(third, first, "nor lose it");
        drop((w, big));
    }

    /// A value still in the slot is dropped with its op, not left in the
    /// reused memory.
    #[test]
    fn freed_op_drops_its_value() {
        let v = std::sync::Arc::new(());
        let (mut w, _) = abandoned(Some(v.clone()));
        assert_eq!(std::sync::Arc::strong_count(&v), 2);
        drop(w.take());
        let (w2, _) = abandoned(Some(v.clone()));
        drop((w, w2));
        assert_eq!(std::sync::Arc::strong_count(&v), 1, "every copy dropped");
    }
}
