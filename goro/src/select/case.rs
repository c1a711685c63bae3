//! The one small trait through which `select!` sees a case, so that the
//! selector never touches a channel's internals (after crossbeam's
//! `SelectHandle`).
//!
//! A case goes through at most these steps, driven by the selector:
//! the poll pass, `try_alone` in a select without `default` (the case
//! takes and releases its own channel's lock, or polls its future), or,
//! in a select with `default`, `try_locked` under the locks of all the
//! select's channels (which a case that completes releases before it
//! wakes its counterpart) and `poll_future`; then
//! `register` (enqueue pass), `unregister` (dequeue pass: every case but
//! the selected one, whose entry its counterpart popped), then exactly one
//! selected case gets `commit`, or `abandon` if the select is dropped after
//! a counterpart already decided it. Cases keep their own results; the
//! macro takes the chosen one out afterwards.
//!
//! The lifetime `'a` is how long the case's channel is borrowed: the
//! selector holds [`Locks`] of that lifetime while it calls the cases, so
//! a non-blocking select can poll all its channels under all their locks.

use super::arena::OpArena;
use super::snapshot::Locks;
use crate::chan::{ChanLock, Signal};
use crate::loom::Arc;
use std::alloc::Layout;
use std::task::Context;

/// What kind of case this is, which decides the passes it takes part in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A nil channel: never ready, never registered.
    Disabled,
    /// A channel operation: tried, then queued on the channel.
    Channel,
    /// Any future: polled on every pass; its waker is the select's.
    Future,
}

/// One case of a select, as the selector sees it.
pub trait Case<'a> {
    /// The kind of case.
    fn kind(&self) -> Kind;

    /// The lock of this case's channel: `Some` exactly for `Kind::Channel`.
    fn chan_lock(&self) -> Option<&'a ChanLock>;

    /// Completes this channel case now if it can, keeping the result;
    /// `locks` hold the lock of its channel among others. A case that
    /// decided a counterpart releases `locks` before it wakes it (no
    /// wake-up under a channel lock); false for a future or disabled case.
    fn try_locked(&mut self, locks: &mut Locks<'a>) -> bool;

    /// Polls a future case with `cx`; true if it completed.
    fn poll_future(&mut self, cx: &mut Context<'_>) -> bool;

    /// Completes this case now if it can, keeping the result: a channel
    /// case under its own channel's lock, waking the counterpart it decided
    /// after unlocking; a future case by polling it with `cx`. The poll
    /// pass of a select without `default`, one call per case tried.
    fn try_alone(&mut self, cx: &mut Context<'_>) -> bool;

    /// The layout of the op this case queues (zero-sized if it queues
    /// none), for the select's arena.
    fn op_layout(&self) -> Layout {
        Layout::new::<()>()
    }

    /// Queues the case under `signal` as case `index`, its op in place
    /// `index` of `arena`; false (and nothing queued) if it could complete
    /// right now.
    fn register(&mut self, signal: &Arc<Signal>, index: usize, arena: &OpArena) -> bool;

    /// Removes the case from its queue if it is still there, taking back a
    /// send value that was not delivered.
    fn unregister(&mut self);

    /// The counterpart selected this case: collect the result it left.
    fn commit(&mut self);

    /// The counterpart selected this case but the select was dropped before
    /// it committed: put a received value back into its channel, keep a
    /// send value a close refused. Afterwards the case holds no op.
    fn abandon(&mut self);

    /// True while the case holds an op in the select's arena (queued, or
    /// decided and not yet committed or abandoned). Never true once the
    /// selector is done with the case: it gives the arena back then.
    fn holds_op(&self) -> bool {
        false
    }
}

impl<'a, C: Case<'a> + ?Sized> Case<'a> for &mut C {
    fn kind(&self) -> Kind {
        (**self).kind()
    }
    fn chan_lock(&self) -> Option<&'a ChanLock> {
        (**self).chan_lock()
    }
    fn try_locked(&mut self, locks: &mut Locks<'a>) -> bool {
        (**self).try_locked(locks)
    }
    fn poll_future(&mut self, cx: &mut Context<'_>) -> bool {
        (**self).poll_future(cx)
    }
    #[inline]
    fn try_alone(&mut self, cx: &mut Context<'_>) -> bool {
        (**self).try_alone(cx)
    }
    fn op_layout(&self) -> Layout {
        (**self).op_layout()
    }
    fn register(&mut self, signal: &Arc<Signal>, index: usize, arena: &OpArena) -> bool {
        (**self).register(signal, index, arena)
    }
    fn unregister(&mut self) {
        (**self).unregister()
    }
    fn commit(&mut self) {
        (**self).commit()
    }
    fn abandon(&mut self) {
        (**self).abandon()
    }
    fn holds_op(&self) -> bool {
        (**self).holds_op()
    }
}

/// The cases of one select, indexed from 0, as the selector walks them.
///
/// `select!` builds a nested list `(case0, (case1, ()))` of its cases by
/// value, so that the select's future is `Send` exactly when its cases are
/// and case `i` is reached through a field path, its try without a virtual
/// call ([`CaseList::try_alone`]); the dynamic `Select` uses a slice. `'a`
/// is the cases' channel borrow (see [`Case`]).
pub trait CaseList<'a> {
    /// The number of cases.
    fn len(&self) -> usize;

    /// True if there are no cases.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Case `i`, for the duration of one step.
    fn case(&mut self, i: usize) -> &mut dyn Case<'a>;

    /// [`Case::try_alone`] on case `i`; the lists below call it without a
    /// virtual call, so that a case's whole try inlines into the select.
    fn try_alone(&mut self, i: usize, cx: &mut Context<'_>) -> bool {
        self.case(i).try_alone(cx)
    }
}

impl<'a> CaseList<'a> for () {
    fn len(&self) -> usize {
        0
    }
    fn case(&mut self, i: usize) -> &mut dyn Case<'a> {
        panic!("goro::select: no case {i}")
    }
}

impl<'a, A: Case<'a>, B: CaseList<'a>> CaseList<'a> for (A, B) {
    fn len(&self) -> usize {
        1 + self.1.len()
    }
    fn case(&mut self, i: usize) -> &mut dyn Case<'a> {
        match i {
            0 => &mut self.0,
            _ => self.1.case(i - 1),
        }
    }
    #[inline]
    fn try_alone(&mut self, i: usize, cx: &mut Context<'_>) -> bool {
        match i {
            0 => self.0.try_alone(cx),
            _ => self.1.try_alone(i - 1, cx),
        }
    }
}

impl<'a, C: Case<'a>> CaseList<'a> for [C] {
    fn len(&self) -> usize {
        <[C]>::len(self)
    }
    fn case(&mut self, i: usize) -> &mut dyn Case<'a> {
        &mut self[i]
    }
    fn try_alone(&mut self, i: usize, cx: &mut Context<'_>) -> bool {
        self[i].try_alone(cx)
    }
}
