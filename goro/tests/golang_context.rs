//! Ports of Go's context tests (go/src/context/x_test.go), each citing its
//! source test.

use goro::context::{self, ContextError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

// Ported from go/src/context/x_test.go: TestCause.
#[test]
fn cause() {
    #[derive(Debug)]
    struct Boom;
    impl std::fmt::Display for Boom {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("boom")
        }
    }
    impl std::error::Error for Boom {}
    let (c, cancel) = context::with_cancel_cause(&context::background());
    let (child, _cc) = context::with_cancel(&c);
    assert!(c.cause().is_none());
    cancel.cancel(Some(Arc::new(Boom)));
    assert_eq!(c.err(), Some(ContextError::Canceled));
    assert_eq!(c.cause().unwrap().to_string(), "boom");
    assert_eq!(child.cause().unwrap().to_string(), "boom", "children inherit the cause");
    let (d, dc) = context::with_cancel(&context::background());
    dc.cancel();
    assert_eq!(d.cause().unwrap().to_string(), "context canceled");
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
