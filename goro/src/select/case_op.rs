//! The op a select's channel case queues: Go's `sudog` of one `scase`,
//! placed in its select's [`OpArena`] and pointed to by its channel's
//! queue.
//!
//! A lone send or receive shares its op with the queue through an `Arc`;
//! a select case does not, which saves an allocation and the reference
//! count traffic of its registration and removal per case and round. What
//! keeps the queue's pointer valid is the entry's contract
//! (`chan/waitq.rs`, `Entry::new`), which this type and the arena uphold:
//!
//! - the op is written into its place only while not queued;
//! - while queued, the place is neither freed (the arena outlives the
//!   queued ops: `arena.rs`) nor rewritten;
//! - it stops being queued when [`CaseOp::unregister`] removed the entry
//!   under the channel lock, or when the selector saw the signal decided
//!   for this case (the counterpart popped the entry before claiming, and
//!   wakes through its own reference to the signal);
//! - a case dropped while queued (its selector, with the arena, leaked)
//!   removes its entry first (`Drop` of [`RecvCase`](super::RecvCase) and
//!   [`SendCase`](super::SendCase)).

use super::arena::OpArena;
use crate::chan::{Op, Signal};
use crate::loom::Arc;
use std::alloc::Layout;
use std::ptr::NonNull;

/// One select case's op, by where it was placed.
pub(crate) struct CaseOp<T> {
    /// The op's place in the arena while a channel queue points to it (or
    /// pointed, until the selector collects a decided case); `None`
    /// otherwise, so that a case's drop tests one word.
    op: Option<NonNull<Op<T>>>,
}

// SAFETY: a `CaseOp` is the owner's handle on an op that holds at most a
// `T` (as `Box<Op<T>>` would be); it is read only by the case that owns it.
unsafe impl<T: Send> Send for CaseOp<T> {}
// SAFETY: `&CaseOp` reads nothing but whether `op` is set.
unsafe impl<T: Send> Sync for CaseOp<T> {}

impl<T> CaseOp<T> {
    /// No op yet.
    pub(crate) fn new() -> Self {
        CaseOp { op: None }
    }

    /// The layout of the op, for the arena.
    pub(crate) fn layout() -> Layout {
        Layout::new::<Op<T>>()
    }

    /// True while a channel queue points to the op.
    #[inline]
    pub(crate) fn is_queued(&self) -> bool {
        self.op.is_some()
    }

    /// Takes the op out of the queued state: the op, still in its place
    /// (queued, or decided and not yet committed, so its arena is alive).
    fn take_op(&mut self) -> Option<&Op<T>> {
        // SAFETY: the place was written by `register` and the arena
        // outlives every use the selector makes of this case's op.
        self.op.take().map(|p| unsafe { p.as_ref() })
    }

    /// Places a fresh op for `signal` holding `value` at place `index` of
    /// `arena` and offers it to `register` (the channel's register step)
    /// as case `index`. If the channel queued it, the op is queued;
    /// otherwise `value` comes back.
    pub(crate) fn register(
        &mut self,
        signal: &Arc<Signal>,
        index: usize,
        value: Option<T>,
        arena: &OpArena,
        register: impl FnOnce(&Op<T>, usize) -> bool,
    ) -> Result<(), Option<T>> {
        assert!(self.op.is_none(), "goro::select: a case registered twice");
        let place = arena.place(index, Self::layout()).cast::<Op<T>>();
        // SAFETY: the place fits an `Op<T>` (checked by `place`) and nothing
        // points to it: this case is not queued, and a place is only ever
        // this case's. What it held before has an empty slot and no count.
        unsafe { place.write(Op::for_case(signal, value)) };
        // SAFETY: we just wrote it.
        let op = unsafe { place.as_ref() };
        if register(op, index) {
            self.op = Some(place);
            return Ok(());
        }
        // SAFETY: slot rule 1: we created the op and it is not queued.
        Err(unsafe { op.slot.take() })
    }

    /// Removes the op from its queue with `remove` (the channel's
    /// unregister step, under its lock) and takes back what its slot holds.
    pub(crate) fn unregister(&mut self, remove: impl FnOnce(&Op<T>)) -> Option<T> {
        let op = self.take_op()?;
        remove(op);
        // SAFETY: slot rule 3b: our entry was just removed under the lock.
        unsafe { op.slot.take() }
    }

    /// Takes what the slot holds once the selector saw the signal decided
    /// for this case: its counterpart popped the entry, so the op is no
    /// longer queued.
    pub(crate) fn take_decided(&mut self) -> Option<T> {
        let op = self.take_op()?;
        // SAFETY: slot rule 3a: the selector saw this case chosen (Acquire).
        unsafe { op.slot.take() }
    }
}
