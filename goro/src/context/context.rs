//! The `Context` handle and the constructors: Go's `context` package API.
//!
//! A `Context` is a cheap, cloneable, immutable handle on a chain of
//! ancestors: `Background`, cancellable nodes (see `node.rs`), value
//! layers and `without_cancel` cut points. Lookups (`err`, `deadline`,
//! `value`) walk the chain upward, as Go's `parentCancelCtx`/`value` do.

use super::node::{cancel, next_key, CancelNode};
use super::Done;
use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Why a context was cancelled: Go's `context.Canceled` and
/// `context.DeadlineExceeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextError {
    /// A cancel function was called (or dropped).
    Canceled,
    /// The deadline passed.
    DeadlineExceeded,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl std::error::Error for ContextError {}

/// A cancellation cause: Go's `context.Cause` value.
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// A cancellation signal, deadline and values carried across API
/// boundaries and goroutines: Go's `context.Context`.
///
/// Cloning is cheap (one `Arc`). See the [module docs](super) for a guide.
#[derive(Clone)]
pub struct Context(pub(crate) Arc<Kind>);

/// One link of the chain.
pub(crate) enum Kind {
    /// The root: never cancelled, no deadline, no values.
    Background,
    /// A cancellable context.
    Cancel(Arc<CancelNode>),
    /// A value layer over a parent.
    Value {
        /// The parent.
        parent: Context,
        /// The value, looked up by its type.
        value: Box<dyn Any + Send + Sync>,
    },
    /// The parent's values, but never its cancellation or deadline.
    WithoutCancel(Context),
}

/// The root context: Go's `context.Background()`.
pub fn background() -> Context {
    static BG: OnceLock<Context> = OnceLock::new();
    BG.get_or_init(|| Context(Arc::new(Kind::Background))).clone()
}

/// A child that is cancelled when `cancel` is called or dropped, or when
/// `parent` is: Go's `context.WithCancel`.
///
/// Bind the handle to a name (`let (ctx, _cancel) = ...`): `let (ctx, _)`
/// drops it at once, which cancels.
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let node = CancelNode::new(parent, None, None);
    (Context(Arc::new(Kind::Cancel(node.clone()))), CancelFunc { node })
}

/// Like [`with_cancel`], but the cancel function records a cause that
/// [`Context::cause`] returns: Go's `context.WithCancelCause`.
pub fn with_cancel_cause(parent: &Context) -> (Context, CancelCauseFunc) {
    let node = CancelNode::new(parent, None, None);
    (Context(Arc::new(Kind::Cancel(node.clone()))), CancelCauseFunc { node })
}

/// A child cancelled at `deadline` (or earlier, by `cancel` or `parent`):
/// Go's `context.WithDeadline`. A parent deadline that is earlier wins: the
/// child then reports the parent's deadline and expires with the parent.
pub fn with_deadline(parent: &Context, deadline: Instant) -> (Context, CancelFunc) {
    deadline_ctx(parent, deadline, None)
}

/// `with_deadline(parent, now + timeout)`: Go's `context.WithTimeout`.
pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFunc) {
    with_deadline(parent, Instant::now() + timeout)
}

/// Like [`with_deadline`], but when *this* deadline expires the context's
/// [`Context::cause`] is `cause` (its [`Context::err`] is still
/// `DeadlineExceeded`): Go 1.21's `context.WithDeadlineCause`. Cancelling
/// through the returned [`CancelFunc`] records no cause, and when a parent's
/// earlier deadline wins, the parent's cause is inherited instead, as in Go.
pub fn with_deadline_cause(
    parent: &Context,
    deadline: Instant,
    cause: Cause,
) -> (Context, CancelFunc) {
    deadline_ctx(parent, deadline, Some(cause))
}

/// `with_deadline_cause(parent, now + timeout, cause)`: Go 1.21's
/// `context.WithTimeoutCause`.
pub fn with_timeout_cause(
    parent: &Context,
    timeout: Duration,
    cause: Cause,
) -> (Context, CancelFunc) {
    with_deadline_cause(parent, Instant::now() + timeout, cause)
}

/// The deadline constructors' body (Go's `WithDeadlineCause`): a parent
/// deadline before `deadline` makes this a plain cancel context that
/// expires with its parent; otherwise our own timer is armed.
fn deadline_ctx(
    parent: &Context,
    deadline: Instant,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    if parent.deadline().is_some_and(|p| p < deadline) {
        return with_cancel(parent);
    }
    let node = CancelNode::new(parent, Some(deadline), cause);
    if !node.is_done() {
        node.arm_timer(deadline);
    }
    (Context(Arc::new(Kind::Cancel(node.clone()))), CancelFunc { node })
}

/// A child carrying `value`, found by [`Context::value`] by its type:
/// Go's `context.WithValue` (use a dedicated key-like type, as Go advises).
pub fn with_value<T: Any + Send + Sync>(parent: &Context, value: T) -> Context {
    Context(Arc::new(Kind::Value { parent: parent.clone(), value: Box::new(value) }))
}

/// A child that keeps `parent`'s values but is never cancelled and has no
/// deadline: Go's `context.WithoutCancel`.
pub fn without_cancel(parent: &Context) -> Context {
    Context(Arc::new(Kind::WithoutCancel(parent.clone())))
}

/// Runs `f` in its own goroutine once `ctx` is done (at once if it is
/// already): Go's `context.AfterFunc`. Never runs for a context that cannot
/// be cancelled.
pub fn after_func(ctx: &Context, f: impl FnOnce() + Send + 'static) -> AfterFuncStop {
    let Some(node) = ctx.canceller() else {
        return AfterFuncStop { node: None, key: 0 };
    };
    let key = next_key();
    if let Err(f) = node.add_after(key, Box::new(f)) {
        crate::go(async move { f() });
        return AfterFuncStop { node: None, key };
    }
    AfterFuncStop { node: Some(node), key }
}

impl Context {
    /// The nearest cancellable ancestor (or self), if any.
    pub(crate) fn canceller(&self) -> Option<Arc<CancelNode>> {
        let mut c = self;
        loop {
            match &*c.0 {
                Kind::Background | Kind::WithoutCancel(_) => return None,
                Kind::Cancel(n) => return Some(n.clone()),
                Kind::Value { parent, .. } => c = parent,
            }
        }
    }

    /// A future that completes when the context is cancelled: Go's
    /// `<-ctx.Done()`. Usable as a `select!` case; never completes for a
    /// context that cannot be cancelled.
    #[track_caller]
    pub fn done(&self) -> Done {
        Done::new(self.canceller(), std::panic::Location::caller())
    }

    /// Blocks this plain thread until the context is cancelled.
    #[track_caller]
    pub fn done_blocking(&self) {
        crate::runtime::current::block_on_thread(self.done());
    }

    /// Whether the context is cancelled (never waits).
    pub fn is_done(&self) -> bool {
        self.canceller().is_some_and(|n| n.is_done())
    }

    /// `None` while live, else why it was cancelled: Go's `ctx.Err()`.
    pub fn err(&self) -> Option<ContextError> {
        self.canceller().and_then(|n| n.err())
    }

    /// The cause of cancellation: the one given to a
    /// [`CancelCauseFunc`], else the [`ContextError`]: Go's
    /// `context.Cause(ctx)`. `None` while live.
    pub fn cause(&self) -> Option<Cause> {
        self.canceller().and_then(|n| n.cause())
    }

    /// When the context will be cancelled by time, if ever: Go's
    /// `ctx.Deadline()`.
    pub fn deadline(&self) -> Option<Instant> {
        self.canceller().and_then(|n| n.deadline)
    }

    /// The innermost value of type `T`: Go's `ctx.Value(key)`.
    pub fn value<T: Any>(&self) -> Option<&T> {
        let mut c = self;
        loop {
            match &*c.0 {
                Kind::Background => return None,
                Kind::Cancel(n) => c = &n.parent,
                Kind::WithoutCancel(p) => c = p,
                Kind::Value { parent, value } => match value.downcast_ref::<T>() {
                    Some(v) => return Some(v),
                    None => c = parent,
                },
            }
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("err", &self.err())
            .field("deadline", &self.deadline())
            .finish()
    }
}

/// Cancels its context when called or dropped: Go's `CancelFunc`.
#[must_use = "dropping the cancel function cancels the context at once"]
pub struct CancelFunc {
    /// The context's node.
    node: Arc<CancelNode>,
}

impl CancelFunc {
    /// Cancels the context and its subtree with `Canceled` (no-op if done).
    pub fn cancel(&self) {
        cancel(&self.node, ContextError::Canceled, None);
    }
}

impl Drop for CancelFunc {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelFunc").finish_non_exhaustive()
    }
}

/// Cancels its context with a cause: Go's `CancelCauseFunc`. Dropping it
/// cancels with no cause.
#[must_use = "dropping the cancel function cancels the context at once"]
pub struct CancelCauseFunc {
    /// The context's node.
    node: Arc<CancelNode>,
}

impl CancelCauseFunc {
    /// Cancels with `Canceled` and `cause` (`None`: the cause is the
    /// error, as Go's `cancel(nil)`).
    pub fn cancel(&self, cause: Option<Cause>) {
        cancel(&self.node, ContextError::Canceled, cause);
    }
}

impl Drop for CancelCauseFunc {
    fn drop(&mut self) {
        self.cancel(None);
    }
}

impl fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelCauseFunc").finish_non_exhaustive()
    }
}

/// Stops an [`after_func`] callback from running: Go's `stop()`.
#[derive(Default)]
pub struct AfterFuncStop {
    /// The context's node while the callback is registered.
    node: Option<Arc<CancelNode>>,
    /// The callback's key.
    key: u64,
}

impl AfterFuncStop {
    /// True if this stopped the callback before it started; false if it
    /// has already been started or stopped.
    pub fn stop(&self) -> bool {
        self.node.as_ref().is_some_and(|n| n.remove_after(self.key))
    }
}

impl fmt::Debug for AfterFuncStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterFuncStop").finish_non_exhaustive()
    }
}
