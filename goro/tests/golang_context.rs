//! Ports of Go's context tests (go/src/context/x_test.go), each citing its
//! source test.

use goro::context::{self, Cause, Context, ContextError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ContextError::{Canceled, DeadlineExceeded};

// Ported from go/src/context/x_test.go: TestBackground.
#[test]
fn background_is_never_done() {
    let c = context::background();
    assert_eq!(c.err(), None);
    assert_eq!(c.deadline(), None);
    assert!(!c.is_done());
    assert!(c.cause().is_none());
}

// Ported from go/src/context/x_test.go: TestWithCancel: cancelling the root
// cancels the whole tree, with Canceled.
#[goro::test]
async fn with_cancel_tree() {
    let (c1, cancel) = context::with_cancel(&context::background());
    let c2 = context::with_value(&c1, "v");
    let (c3, _c3) = context::with_cancel(&c2);
    for c in [&c1, &c2, &c3] {
        assert_eq!(c.err(), None);
    }
    cancel.cancel();
    for c in [&c1, &c2, &c3] {
        c.done().await;
        assert_eq!(c.err(), Some(ContextError::Canceled));
    }
}

// Ported from go/src/context/x_test.go: TestChildFinishesFirst: a child's
// cancellation never reaches its parent.
#[test]
fn child_finishes_first() {
    let (parent, _pc) = context::with_cancel(&context::background());
    let (child, cc) = context::with_cancel(&parent);
    drop(cc); // dropping the handle cancels
    assert_eq!(child.err(), Some(ContextError::Canceled));
    assert_eq!(parent.err(), None);
}

// Ported from go/src/context/x_test.go: TestParentFinishesChild (born
// cancelled half).
#[test]
fn child_of_cancelled_parent_is_born_cancelled() {
    let (parent, pc) = context::with_cancel(&context::background());
    pc.cancel();
    let (child, _cc) = context::with_cancel(&parent);
    assert_eq!(child.err(), Some(ContextError::Canceled));
    let (child, _cc) = context::with_timeout(&parent, Duration::from_secs(60));
    assert_eq!(child.err(), Some(ContextError::Canceled));
}

// Ported from go/src/context/x_test.go: TestDeadline.
#[goro::test]
async fn deadline_fires() {
    let start = Instant::now();
    let (c, _cancel) =
        context::with_deadline(&context::background(), start + Duration::from_millis(50));
    assert_eq!(c.deadline(), Some(start + Duration::from_millis(50)));
    c.done().await;
    assert!(start.elapsed() >= Duration::from_millis(50), "fired early");
    assert_eq!(c.err(), Some(ContextError::DeadlineExceeded));
    // A later deadline under an earlier one keeps the earlier.
    let (p, _pc) = context::with_timeout(&context::background(), Duration::from_secs(10));
    let (o, _oc) = context::with_timeout(&p, Duration::from_secs(100));
    assert_eq!(o.deadline(), p.deadline());
}

// Ported from go/src/context/x_test.go: TestTimeout, on a plain thread with
// no runtime involved.
#[test]
fn timeout_on_plain_thread() {
    let (c, _cancel) = context::with_timeout(&context::background(), Duration::from_millis(20));
    c.done_blocking();
    assert_eq!(c.err(), Some(ContextError::DeadlineExceeded));
    let (c, _cancel) = context::with_timeout(&context::background(), Duration::ZERO);
    assert_eq!(c.err(), Some(ContextError::DeadlineExceeded));
}

// Ported from go/src/context/x_test.go: TestValues.
#[test]
fn values() {
    #[derive(Debug, PartialEq)]
    struct K1(&'static str);
    #[derive(Debug, PartialEq)]
    struct K2(u32);
    let c0 = context::background();
    assert_eq!(c0.value::<K1>(), None);
    let c1 = context::with_value(&c0, K1("c1k1"));
    let c2 = context::with_value(&c1, K2(2));
    let c3 = context::with_value(&c2, K1("c3k1"));
    let (c4, _cancel) = context::with_cancel(&c3);
    assert_eq!(c1.value::<K1>(), Some(&K1("c1k1")));
    assert_eq!(c1.value::<K2>(), None);
    assert_eq!(c2.value::<K2>(), Some(&K2(2)));
    assert_eq!(c4.value::<K1>(), Some(&K1("c3k1")));
    assert_eq!(c4.value::<K2>(), Some(&K2(2)));
}

/// A named error, compared by identity as Go compares error values.
#[derive(Debug)]
struct Named(&'static str);

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Named {}

/// A fresh named cause.
fn named(name: &'static str) -> Cause {
    Arc::new(Named(name))
}

/// What `Context::cause` should return in a TestCause case.
enum Want {
    /// Live: no cause.
    Nothing,
    /// The context error itself (Go's `cancel(nil)`).
    Err(ContextError),
    /// Exactly this cause (the same `Arc`).
    Same(Cause),
}

/// Checks one TestCause case: `ctx.err()` and `ctx.cause()`.
fn check_cause(name: &str, ctx: &Context, err: Option<ContextError>, want: Want) {
    assert_eq!(ctx.err(), err, "{name}: err");
    let got = ctx.cause();
    match (&want, &got) {
        (Want::Nothing, None) => {}
        (Want::Err(e), Some(c)) if c.downcast_ref::<ContextError>() == Some(e) => {}
        (Want::Same(w), Some(c)) if Arc::ptr_eq(w, c) => {}
        _ => panic!("{name}: cause {got:?}, want {}", describe(&want)),
    }
}

/// The expectation, for the failure message.
fn describe(w: &Want) -> String {
    match w {
        Want::Nothing => "none".into(),
        Want::Err(e) => format!("{e}"),
        Want::Same(c) => format!("{c}"),
    }
}

// Ported from go/src/context/x_test.go: TestCause, its WithCancel and
// WithCancelCause cases (Go's `TODO` case is `Background` here; the custom
// Context cases have no goro counterpart: Context is a concrete type).
#[test]
fn cause_with_cancel() {
    let bg = context::background;
    let (parent, child) = (named("parentCause"), named("childCause"));
    check_cause("Background", &bg(), None, Want::Nothing);

    let (ctx, cancel) = context::with_cancel(&bg());
    cancel.cancel();
    check_cause("WithCancel", &ctx, Some(Canceled), Want::Err(Canceled));

    let (ctx, cancel) = context::with_cancel_cause(&bg());
    cancel.cancel(Some(parent.clone()));
    check_cause("WithCancelCause", &ctx, Some(Canceled), Want::Same(parent.clone()));

    let (ctx, cancel) = context::with_cancel_cause(&bg());
    cancel.cancel(None);
    check_cause("WithCancelCause nil", &ctx, Some(Canceled), Want::Err(Canceled));

    let (p, cancel_parent) = context::with_cancel_cause(&bg());
    let (ctx, cancel_child) = context::with_cancel_cause(&p);
    cancel_parent.cancel(Some(parent.clone()));
    cancel_child.cancel(Some(child.clone()));
    check_cause("parent cause before child", &ctx, Some(Canceled), Want::Same(parent.clone()));

    let (p, cancel_parent) = context::with_cancel_cause(&bg());
    let (ctx, cancel_child) = context::with_cancel_cause(&p);
    cancel_child.cancel(Some(child.clone()));
    cancel_parent.cancel(Some(parent.clone()));
    check_cause("parent cause after child", &ctx, Some(Canceled), Want::Same(child.clone()));
}

// Ported from go/src/context/x_test.go: TestCause, the cases that mix
// WithCancel and WithCancelCause ("... before nil", "... after nil").
#[test]
fn cause_mixed_with_nil() {
    let bg = context::background;
    let (parent, child) = (named("parentCause"), named("childCause"));

    let (p, cancel_parent) = context::with_cancel_cause(&bg());
    let (ctx, cancel_child) = context::with_cancel(&p);
    cancel_parent.cancel(Some(parent.clone()));
    cancel_child.cancel();
    check_cause("parent cause before nil", &ctx, Some(Canceled), Want::Same(parent.clone()));

    let (p, cancel_parent) = context::with_cancel_cause(&bg());
    let (ctx, cancel_child) = context::with_cancel(&p);
    cancel_child.cancel();
    cancel_parent.cancel(Some(parent.clone()));
    check_cause("parent cause after nil", &ctx, Some(Canceled), Want::Err(Canceled));

    let (p, cancel_parent) = context::with_cancel(&bg());
    let (ctx, cancel_child) = context::with_cancel_cause(&p);
    cancel_parent.cancel();
    cancel_child.cancel(Some(child.clone()));
    check_cause("child cause after nil", &ctx, Some(Canceled), Want::Err(Canceled));

    let (p, cancel_parent) = context::with_cancel(&bg());
    let (ctx, cancel_child) = context::with_cancel_cause(&p);
    cancel_child.cancel(Some(child.clone()));
    cancel_parent.cancel();
    check_cause("child cause before nil", &ctx, Some(Canceled), Want::Same(child));
}

// Ported from go/src/context/x_test.go: TestCause, the WithTimeout and
// WithTimeoutCause cases (Go 1.21's WithDeadlineCause / WithTimeoutCause).
#[test]
fn cause_with_timeout() {
    let bg = context::background;
    let forever = Duration::from_secs(1_000_000);
    let (too_slow, early) = (named("tooSlow"), named("finishedEarly"));

    let (ctx, cancel) = context::with_timeout(&bg(), Duration::ZERO);
    cancel.cancel();
    check_cause("WithTimeout", &ctx, Some(DeadlineExceeded), Want::Err(DeadlineExceeded));

    let (ctx, cancel) = context::with_timeout(&bg(), forever);
    cancel.cancel();
    check_cause("WithTimeout canceled", &ctx, Some(Canceled), Want::Err(Canceled));

    let (ctx, cancel) = context::with_timeout_cause(&bg(), Duration::ZERO, too_slow.clone());
    cancel.cancel();
    check_cause("WithTimeoutCause", &ctx, Some(DeadlineExceeded), Want::Same(too_slow.clone()));

    let (ctx, cancel) = context::with_timeout_cause(&bg(), forever, too_slow.clone());
    cancel.cancel();
    check_cause("WithTimeoutCause canceled", &ctx, Some(Canceled), Want::Err(Canceled));

    let (p, cancel) = context::with_cancel_cause(&bg());
    let (ctx, _c) = context::with_timeout_cause(&p, Duration::ZERO, too_slow.clone());
    cancel.cancel(Some(early.clone()));
    check_cause("stacked", &ctx, Some(DeadlineExceeded), Want::Same(too_slow.clone()));

    let (p, cancel) = context::with_cancel_cause(&bg());
    let (ctx, _c) = context::with_timeout_cause(&p, forever, too_slow);
    cancel.cancel(Some(early.clone()));
    check_cause("stacked canceled", &ctx, Some(Canceled), Want::Same(early));
}

// Ported from go/src/context/x_test.go: TestCause, the WithoutCancel cases.
#[test]
fn cause_without_cancel() {
    let bg = context::background;
    check_cause("WithoutCancel", &context::without_cancel(&bg()), None, Want::Nothing);

    let (p, cancel) = context::with_cancel_cause(&bg());
    let ctx = context::without_cancel(&p);
    cancel.cancel(Some(named("finishedEarly")));
    check_cause("WithoutCancel canceled", &ctx, None, Want::Nothing);

    let (p, cancel) = context::with_timeout_cause(&bg(), Duration::ZERO, named("tooSlow"));
    let ctx = context::without_cancel(&p);
    cancel.cancel();
    check_cause("WithoutCancel timeout", &ctx, None, Want::Nothing);
}

// Not a case in Go's TestCause, but Go's WithDeadlineCause: a cause is
// recorded when the timer really fires (not only for a deadline already
// past), children inherit it, and `cancel` first records none.
#[goro::test(timeout_secs = 10)]
async fn deadline_cause_fires() {
    let too_slow = named("tooSlow");
    let at = Instant::now() + Duration::from_millis(30);
    let (ctx, _cancel) = context::with_deadline_cause(&context::background(), at, too_slow.clone());
    let (child, _cc) = context::with_cancel(&ctx);
    assert_eq!(ctx.deadline(), Some(at));
    child.done().await;
    assert!(Instant::now() >= at, "fired early");
    check_cause("fired", &ctx, Some(DeadlineExceeded), Want::Same(too_slow.clone()));
    check_cause("child of fired", &child, Some(DeadlineExceeded), Want::Same(too_slow));
}

// Not a case in Go's TestCause, but Go's WithDeadlineCause: when the
// parent's deadline is earlier, the child is a plain cancel context (Go
// returns WithCancel(parent)) and expires with the parent's cause.
#[goro::test(timeout_secs = 10)]
async fn earlier_parent_deadline_wins_with_its_cause() {
    let (parent_cause, child_cause) = (named("parentCause"), named("childCause"));
    let (p, _pc) = context::with_timeout_cause(
        &context::background(),
        Duration::from_millis(20),
        parent_cause.clone(),
    );
    let (ctx, _c) = context::with_timeout_cause(&p, Duration::from_secs(100), child_cause);
    assert_eq!(ctx.deadline(), p.deadline());
    ctx.done().await;
    check_cause("earlier parent", &ctx, Some(DeadlineExceeded), Want::Same(parent_cause));
}

// Ported from go/src/context/x_test.go: TestAfterFuncCalledAfterCancel and
// TestAfterFuncNotCalledAfterStop.
#[goro::test]
async fn after_func() {
    let (c, cancel) = context::with_cancel(&context::background());
    let ran = Arc::new(goro::sync::WaitGroup::new());
    ran.add(1);
    let r2 = ran.clone();
    let _stop = context::after_func(&c, move || r2.done());
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let stop = context::after_func(&c, move || {
        n2.fetch_add(1, Ordering::SeqCst);
    });
    assert!(stop.stop(), "first stop stops it");
    assert!(!stop.stop(), "second stop reports already stopped");
    cancel.cancel();
    ran.wait().await;
    assert_eq!(n.load(Ordering::SeqCst), 0);
}

// Ported from go/src/context/x_test.go: TestWithoutCancel.
#[test]
fn without_cancel() {
    #[derive(Debug, PartialEq)]
    struct Key(i32);
    let (p, cancel) = context::with_timeout(
        &context::with_value(&context::background(), Key(7)),
        Duration::from_secs(9),
    );
    let c = context::without_cancel(&p);
    cancel.cancel();
    assert_eq!(p.err(), Some(ContextError::Canceled));
    assert_eq!(c.err(), None);
    assert_eq!(c.deadline(), None);
    assert_eq!(c.value::<Key>(), Some(&Key(7)));
}

// Not in Go: a 10,000-deep chain cancels without recursion (no stack
// overflow) and every node sees it.
#[test]
fn deep_chain_cancels_iteratively() {
    let (root, cancel) = context::with_cancel(&context::background());
    let mut handles = Vec::new();
    let mut last = root.clone();
    for _ in 0..10_000 {
        let (c, h) = context::with_cancel(&last);
        handles.push(h);
        last = c;
    }
    cancel.cancel();
    assert_eq!(last.err(), Some(ContextError::Canceled));
}

// Not in Go's file, but Go's idiom: `select { case <-ctx.Done(): ... case v := <-ch: ... }`.
#[goro::test]
async fn done_is_a_select_case() {
    let (ctx, cancel) = context::with_cancel(&context::background());
    let (_tx, rx) = goro::chan::<i32>(0);
    let worker = {
        let ctx = ctx.clone();
        goro::go(async move {
            goro::select! {
                recv(rx) -> _ => "message",
                future(ctx.done()) => "cancelled",
            }
        })
    };
    cancel.cancel();
    assert_eq!(worker.await.unwrap(), "cancelled");
}
