//! `Done`: the future behind `ctx.done()`, Go's `<-ctx.Done()`.
//!
//! It registers its waker in the context's node under a key and removes it
//! when dropped, so a `select!` that abandons it leaves nothing behind.

use super::node::{next_key, CancelNode};
use crate::runtime::current::will_park;
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Completes when its context is cancelled. Made by
/// [`Context::done`](super::Context::done); owns what it needs (`'static`).
#[must_use = "futures do nothing unless awaited"]
pub struct Done {
    /// The cancellable node; `None` for contexts that are never cancelled.
    node: Option<Arc<CancelNode>>,
    /// Our key in the node's waiter map.
    key: u64,
    /// Whether our waker is in the map.
    registered: bool,
    /// The caller, for the wait reason.
    at: &'static Location<'static>,
}

impl Done {
    /// A done future for `node`.
    pub(crate) fn new(node: Option<Arc<CancelNode>>, at: &'static Location<'static>) -> Done {
        Done { node, key: next_key(), registered: false, at }
    }
}

impl Future for Done {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if let Some(n) = &this.node {
            if n.is_done() || !n.register(this.key, cx.waker()) {
                return Poll::Ready(());
            }
            this.registered = true;
        }
        will_park(WaitReason::ContextDone, this.at);
        Poll::Pending
    }
}

impl Drop for Done {
    fn drop(&mut self) {
        if let (Some(n), true) = (&self.node, self.registered) {
            n.unregister(self.key);
        }
    }
}

impl fmt::Debug for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Done").finish_non_exhaustive()
    }
}
