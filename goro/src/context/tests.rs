//! Unit tests that look inside the cancel tree: nothing accumulates in a
//! long-lived parent. Ported in spirit from go/src/context/context_test.go:
//! TestCancelRemoves (Go's internal test of the same property).

use super::{background, with_cancel, with_timeout, with_value, Context};
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Waker};
use std::time::Duration;

/// The number of children registered with `ctx`'s cancel node.
fn children(ctx: &Context) -> usize {
    ctx.canceller().expect("a cancellable context").children_len()
}

// Ported from go/src/context/context_test.go: TestCancelRemoves.
#[test]
fn cancelled_children_leave_their_parent() {
    let (parent, _p) = with_cancel(&background());
    assert_eq!(children(&parent), 0);
    let (_child, cancel) = with_cancel(&parent);
    assert_eq!(children(&parent), 1);
    cancel.cancel();
    assert_eq!(children(&parent), 0, "cancel must unlink the child");

    let (_child, cancel) = with_timeout(&parent, Duration::from_secs(60));
    assert_eq!(children(&parent), 1);
    drop(cancel);
    assert_eq!(children(&parent), 0, "a dropped cancel handle must unlink the child");
}

#[test]
fn many_short_lived_children_do_not_accumulate() {
    let (parent, _p) = with_cancel(&background());
    let scoped = with_value(&parent, 7u8); // registration skips value layers
    for _ in 0..10_000 {
        let (c, _cancel) = with_cancel(&scoped);
        let (_gc, _gcancel) = with_cancel(&c);
    }
    assert_eq!(children(&parent), 0);
}

#[test]
fn expired_children_leave_their_parent() {
    let (parent, _p) = with_cancel(&background());
    let (child, _cancel) = with_timeout(&parent, Duration::from_millis(1));
    child.done_blocking();
    assert_eq!(children(&parent), 0, "the deadline must unlink the child");
}

#[test]
fn dropped_done_futures_unregister() {
    let (ctx, _cancel) = with_cancel(&background());
    for _ in 0..100 {
        let mut done = pin!(ctx.done());
        assert!(done.as_mut().poll(&mut TaskContext::from_waker(Waker::noop())).is_pending());
    }
    assert_eq!(ctx.canceller().unwrap().waiters_len(), 0);
}
