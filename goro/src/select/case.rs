//! The one small trait through which `select!` sees a case, so that the
//! selector never touches a channel's internals (after crossbeam's
//! `SelectHandle`).
//!
//! A case goes through at most these steps, driven by the selector:
//! `try_now` (poll pass), `register` (enqueue pass), `unregister` (dequeue
//! pass), then exactly one selected case gets `commit`, or `abandon` if the
//! select is dropped after a counterpart already decided it. Cases keep
//! their own results; the macro takes the chosen one out afterwards.

use crate::chan::Signal;
use crate::loom::Arc;
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
pub trait Case {
    /// The kind of case.
    fn kind(&self) -> Kind;

    /// Completes the case now if it can, keeping the result; a future case
    /// is polled with `cx`.
    fn try_now(&mut self, cx: &mut Context<'_>) -> bool;

    /// Queues the case under `signal` as case `index`; false (and nothing
    /// queued) if it could complete right now.
    fn register(&mut self, signal: &Arc<Signal>, index: usize) -> bool;

    /// Removes the case from its queue if it is still there, taking back a
    /// send value that was not delivered.
    fn unregister(&mut self, signal: &Arc<Signal>, index: usize);

    /// The counterpart selected this case: collect the result it left.
    fn commit(&mut self);

    /// The counterpart selected this case but the select was dropped before
    /// it committed: put a received value back into its channel.
    fn abandon(&mut self);
}

impl<C: Case + ?Sized> Case for &mut C {
    fn kind(&self) -> Kind {
        (**self).kind()
    }
    fn try_now(&mut self, cx: &mut Context<'_>) -> bool {
        (**self).try_now(cx)
    }
    fn register(&mut self, signal: &Arc<Signal>, index: usize) -> bool {
        (**self).register(signal, index)
    }
    fn unregister(&mut self, signal: &Arc<Signal>, index: usize) {
        (**self).unregister(signal, index)
    }
    fn commit(&mut self) {
        (**self).commit()
    }
    fn abandon(&mut self) {
        (**self).abandon()
    }
}

/// The cases of one select, indexed from 0, as the selector walks them.
///
/// `select!` builds a nested list `(&mut case0, (&mut case1, ()))`, so that
/// the select's future is `Send` exactly when its cases are; the dynamic
/// `Select` uses a slice.
pub trait CaseList {
    /// The number of cases.
    fn len(&self) -> usize;

    /// True if there are no cases.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Case `i`, for the duration of one step.
    fn case(&mut self, i: usize) -> &mut dyn Case;
}

impl CaseList for () {
    fn len(&self) -> usize {
        0
    }
    fn case(&mut self, i: usize) -> &mut dyn Case {
        panic!("goro::select: no case {i}")
    }
}

impl<A: Case, B: CaseList> CaseList for (A, B) {
    fn len(&self) -> usize {
        1 + self.1.len()
    }
    fn case(&mut self, i: usize) -> &mut dyn Case {
        match i {
            0 => &mut self.0,
            _ => self.1.case(i - 1),
        }
    }
}

impl<C: Case> CaseList for [C] {
    fn len(&self) -> usize {
        <[C]>::len(self)
    }
    fn case(&mut self, i: usize) -> &mut dyn Case {
        &mut self[i]
    }
}
