//! Ports of golang.org/x/sync's errgroup/errgroup_test.go and
//! semaphore/semaphore_test.go, each citing its source test.

use goro::context;
use goro::group::Group;
use goro::sync::{AcquireError, Semaphore, WaitGroup};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

// Ported from x/sync/errgroup/errgroup_test.go: TestZeroGroup. Go's Wait
// keeps returning the first error; goro's hands it over once (errors need
// not be Clone), so the expectation is the first error since the last wait.
#[goro::test]
async fn zero_group_first_error() {
    let cases: [&[Option<&str>]; 4] =
        [&[], &[None], &[Some("e1")], &[Some("e1"), None, Some("e2")]];
    for errs in cases {
        let g = Group::<&'static str>::new();
        for e in errs.iter().copied() {
            // Two failures before one wait: only the first is kept.
            g.go(async move { e.map_or(Ok(()), Err) }).await;
            g.go(async move { e.map_or(Ok(()), Err) }).await;
            assert_eq!(g.wait().await.err(), e, "errs {errs:?}");
        }
    }
}

// Ported from x/sync/errgroup/errgroup_test.go: TestWithContext.
#[goro::test]
async fn with_context_cancels_on_error() {
    let (g, ctx) = Group::<&'static str>::with_context(&context::background());
    for e in [None, Some("oops"), None] {
        let ctx = ctx.clone();
        g.go(async move {
            match e {
                Some(e) => Err(e),
                None => {
                    ctx.done().await; // released by the failing sibling
                    Ok(())
                }
            }
        })
        .await;
    }
    assert_eq!(g.wait().await, Err("oops"));
    assert_eq!(ctx.err(), Some(context::ContextError::Canceled));
    let (g, ctx) = Group::<()>::with_context(&context::background());
    assert!(g.wait().await.is_ok());
    assert!(ctx.is_done(), "wait cancels the context even without errors");
}

// Ported from x/sync/errgroup/errgroup_test.go: TestTryGo.
#[goro::test]
async fn try_go_respects_limit() {
    let g = Group::<()>::new();
    let n = 42;
    g.set_limit(Some(42));
    let (started, release) = (Arc::new(WaitGroup::new()), Arc::new(WaitGroup::new()));
    release.add(1);
    for i in 0..n {
        let (started, release) = (started.clone(), release.clone());
        started.add(1);
        assert!(
            g.try_go(async move {
                started.done();
                release.wait().await;
                Ok(())
            }),
            "try_go {i} should succeed"
        );
    }
    started.wait().await;
    assert!(!g.try_go(async { Ok(()) }), "try_go beyond the limit must fail");
    release.done();
    g.wait().await.unwrap();
    assert!(g.try_go(async { Ok(()) }), "free again after wait");
    g.wait().await.unwrap();
}

// Ported from x/sync/errgroup/errgroup_test.go: TestGoLimit.
#[goro::test]
async fn go_limit_bounds_concurrency() {
    let limit = 10;
    let g = Group::<String>::new();
    g.set_limit(Some(limit));
    let active = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let active = active.clone();
        g.go(async move {
            let n = active.fetch_add(1, Ordering::SeqCst) + 1;
            if n > limit {
                return Err(format!("saw {n} active goroutines; want <= {limit}"));
            }
            goro::yield_now().await;
            active.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        })
        .await;
    }
    g.wait().await.unwrap();
}

// Ported from x/sync/errgroup/errgroup_test.go: TestPanic: a panic in a
// goroutine is re-raised by wait.
#[goro::test]
async fn panic_is_reraised_by_wait() {
    let g = Group::<()>::new();
    g.go(async { panic!("group boom") }).await;
    let r = goro::go(async move { g.wait().await }).await;
    let e = r.expect_err("wait must re-raise the panic");
    assert_eq!(e.panic_message(), Some("group boom"));
}

// Not in Go's tests: Go documents that a limit of zero "will prevent any
// new goroutines from being added" (its Go blocks forever); goro's try_go
// refuses and go panics with a clear message instead.
#[goro::test]
async fn zero_limit_admits_nothing() {
    let g = Group::<()>::new();
    g.set_limit(Some(0));
    assert!(!g.try_go(async { Ok(()) }), "a zero limit admits nothing");
    let r = goro::go(async move { g.go(async { Ok(()) }).await }).await;
    let e = r.expect_err("go at a zero limit must panic");
    assert_eq!(e.panic_message(), Some("goro::group: limit is at least 1: TooLarge"));
}

// Ported from x/sync/semaphore/semaphore_test.go: TestWeighted (HammerWeighted).
#[goro::test]
async fn weighted_hammer() {
    let n = 8;
    let sem = Arc::new(Semaphore::new(n));
    let wg = WaitGroup::new();
    for i in 0..n {
        let sem = sem.clone();
        wg.go(async move {
            for _ in 0..200 {
                let _p = sem.acquire(i + 1).await.unwrap();
                goro::yield_now().await;
            }
        });
    }
    wg.wait().await;
    assert_eq!(sem.available(), n);
}

// Ported from x/sync/semaphore/semaphore_test.go: TestWeightedTryAcquire.
#[test]
fn weighted_try_acquire() {
    let sem = Semaphore::new(2);
    let tries: Vec<bool> = {
        let a = sem.try_acquire(1);
        let b = sem.try_acquire(1);
        let c = sem.try_acquire(1);
        let r = vec![a.is_some(), b.is_some(), c.is_some()];
        drop(b);
        let d = sem.try_acquire(1);
        let e = sem.try_acquire(1);
        [r, vec![d.is_some(), e.is_some()]].concat()
    };
    assert_eq!(tries, [true, true, false, true, false]);
}

// Ported from x/sync/semaphore/semaphore_test.go: TestWeightedDoesntBlockIfTooBig.
// Go blocks until the context ends; goro fails at once (documented).
#[goro::test]
async fn weighted_too_big_fails_at_once() {
    let sem = Semaphore::new(1);
    assert_eq!(sem.acquire(2).await.err(), Some(AcquireError::TooLarge));
    assert!(sem.try_acquire(1).is_some(), "a doomed request must not block others");
}

// Ported from x/sync/semaphore/semaphore_test.go: TestLargeAcquireDoesntStarve.
#[goro::test]
async fn large_acquire_doesnt_starve() {
    let n = 8usize;
    let sem = Arc::new(Semaphore::new(n));
    let running = Arc::new(AtomicBool::new(true));
    let wg = WaitGroup::new();
    let start = Arc::new(WaitGroup::new());
    start.add(n as i64);
    for _ in 0..n {
        let (sem, running, start) = (sem.clone(), running.clone(), start.clone());
        let first = sem.clone().acquire_owned(1).await.unwrap();
        wg.go(async move {
            let mut p = Some(first);
            start.done();
            while running.load(Ordering::SeqCst) {
                p.take();
                goro::yield_now().await;
                p = Some(sem.clone().acquire_owned(1).await.unwrap());
            }
        });
    }
    start.wait().await;
    let big = goro::time::timeout(Duration::from_secs(20), sem.acquire(n)).await;
    running.store(false, Ordering::SeqCst);
    assert!(big.is_ok(), "a large request was starved by small ones");
    drop(big);
    wg.wait().await;
}

// Ported from x/sync/semaphore/semaphore_test.go: TestAllocCancelDoesntStarve:
// a cancelled large waiter at the front lets smaller ones through.
#[goro::test]
async fn cancelled_front_waiter_doesnt_starve() {
    let sem = Arc::new(Semaphore::new(10));
    let held = sem.acquire(1).await.unwrap();
    let big = goro::time::timeout(Duration::from_millis(10), sem.acquire(10));
    let small = {
        let sem = sem.clone();
        goro::go(async move { sem.acquire(1).await.map(drop) })
    };
    assert!(big.await.is_err(), "the big request cannot be served while 1 is held");
    small.await.unwrap().unwrap();
    drop(held);
    assert_eq!(sem.available(), 10);
}

// Ported from x/sync/semaphore/semaphore_test.go: TestWeightedPanic
// (releasing more than held panics) has no analogue: permits release exactly
// what they hold. Instead: a dropped pending acquire leaves no waiter behind.
#[goro::test]
async fn dropped_acquire_is_cancel_safe() {
    let sem = Semaphore::new(1);
    let p = sem.acquire(1).await.unwrap();
    assert!(goro::time::timeout(Duration::from_millis(5), sem.acquire(1)).await.is_err());
    drop(p);
    assert!(sem.try_acquire(1).is_some(), "no stale waiter may block try_acquire");
}
