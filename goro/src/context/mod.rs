//! Go's `context` package: cancellation, deadlines and request-scoped
//! values, passed down a tree of goroutines.
//!
//! # Guide
//!
//! - Start from [`background()`]; derive with [`with_cancel`],
//!   [`with_timeout`], [`with_deadline`], [`with_cancel_cause`],
//!   [`with_timeout_cause`], [`with_deadline_cause`], [`with_value`] and
//!   [`without_cancel`].
//! - Wait for cancellation with `ctx.done().await` (also a `select!` case)
//!   or `ctx.done_blocking()` on a plain thread; ask why with
//!   [`Context::err`] and [`Context::cause`].
//! - Cancelling a context cancels its whole subtree at once, never its
//!   parents. A child of a cancelled parent is born cancelled.
//! - Go's footgun is gone: dropping a [`CancelFunc`] cancels, so a
//!   forgotten `cancel()` cannot leak a subtree. Keep the handle alive (bind
//!   it to `_cancel`, not `_`) for as long as the context should live.
//! - [`after_func`] runs a callback in its own goroutine on cancellation.
//!
//! Deadlines are kept by a small timer thread of this module, so contexts
//! work the same on plain threads and in goroutines.
//!
//! ```
//! use goro::context;
//! use std::time::Duration;
//! let (ctx, cancel) = context::with_timeout(&context::background(), Duration::from_secs(5));
//! let (child, _c) = context::with_cancel(&ctx);
//! cancel.cancel();
//! child.done_blocking();
//! assert_eq!(child.err(), Some(context::ContextError::Canceled));
//! ```

#[allow(clippy::module_inception)]
mod context;
mod done;
#[cfg(all(test, loom))]
mod loom_tests;
mod node;
#[cfg(all(test, not(loom)))]
mod tests;
mod timer;

pub use context::{
    after_func, background, with_cancel, with_cancel_cause, with_deadline, with_deadline_cause,
    with_timeout, with_timeout_cause, with_value, without_cancel, AfterFuncStop, CancelCauseFunc,
    CancelFunc, Cause, Context, ContextError,
};
pub use done::Done;
