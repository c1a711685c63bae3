//! Ported from golang.org/x/time rate/rate_test.go: the limiter's
//! deterministic tests (explicit times, an injected clock, no sleeps as
//! synchronisation). Unit tests, because Go's `runReserveMax` uses the
//! internal `reserveN`.

use super::limiter::{Limit, Limiter, WaitError};
use crate::context;
use std::time::{Duration, Instant};

/// Go's `d`.
const D: Duration = Duration::from_millis(100);

/// Go's `t0 .. t9`: `t(i)` is `t0 + i*d`.
fn times() -> impl Fn(u32) -> Instant {
    let t0 = Instant::now() + Duration::from_secs(1000); // room to jump back
    move |i| t0 + D * i
}

/// Go's `run`: each step is `(t, n, ok)`.
fn run(lim: &Limiter, steps: &[(Instant, usize, bool)]) {
    for (i, &(t, n, ok)) in steps.iter().enumerate() {
        assert_eq!(lim.allow_n_at(t, n), ok, "step {i}: allow_n_at(n={n})");
    }
}

/// Go's `runReserveMax`: `(t, n, act, ok)`, comparing act times in units of d.
fn reserve(
    lim: &Limiter,
    t0: Instant,
    (t, n, act, ok): (Instant, usize, Instant, bool),
    max: f64,
) -> super::Reservation<'_> {
    let r = lim.reserve_inner(t, n, max);
    let units = |x: Instant| ((x - t0).as_secs_f64() / D.as_secs_f64()).round() as i64;
    assert_eq!(r.ok(), ok, "reserve(t{}, {n}) ok", units(t));
    if ok {
        assert_eq!(units(r.time_to_act()), units(act), "reserve(t{}, {n}) act", units(t));
    }
    r
}

// Ported from rate_test.go: TestEvery.
#[test]
fn every() {
    assert!(Limit::every(Duration::ZERO).is_inf());
    assert!((Limit::every(Duration::from_millis(10)).0 - 100.0).abs() < 1e-9);
    assert!((Limit::every(Duration::from_millis(2500)).0 - 0.4).abs() < 1e-9);
}

// Ported from rate_test.go: TestLimiterBurst1.
#[test]
fn limiter_burst1() {
    let t = times();
    run(
        &Limiter::new(Limit(10.0), 1),
        &[
            (t(0), 1, true),
            (t(0), 1, false),
            (t(0), 1, false),
            (t(1), 1, true),
            (t(1), 1, false),
            (t(1), 1, false),
            (t(2), 2, false),
            (t(2), 1, true),
            (t(2), 1, false),
        ],
    );
}

// Ported from rate_test.go: TestLimiterBurst3.
#[test]
fn limiter_burst3() {
    let t = times();
    run(
        &Limiter::new(Limit(10.0), 3),
        &[
            (t(0), 2, true),
            (t(0), 2, false),
            (t(0), 1, true),
            (t(0), 1, false),
            (t(1), 4, false),
            (t(2), 1, true),
            (t(3), 1, true),
            (t(4), 1, true),
            (t(4), 1, true),
            (t(4), 1, false),
            (t(4), 1, false),
            (t(9), 3, true),
            (t(9), 0, true),
        ],
    );
}

// Ported from rate_test.go: TestLimiterJumpBackwards.
#[test]
fn limiter_jump_backwards() {
    let t = times();
    run(
        &Limiter::new(Limit(10.0), 3),
        &[
            (t(1), 1, true),
            (t(0), 1, true),
            (t(0), 1, true),
            (t(0), 1, false),
            (t(0), 1, false),
            (t(1), 1, true),
            (t(1), 1, false),
            (t(1), 1, false),
            (t(2), 1, true),
            (t(2), 1, false),
            (t(2), 1, false),
        ],
    );
}

// Ported from rate_test.go: TestLimiter_noTruncationErrors and TestZeroLimit.
#[test]
fn no_truncation_and_zero_limit() {
    assert!(Limiter::new(Limit(0.7692307692307693), 1).allow());
    let z = Limiter::new(Limit(0.0), 1);
    assert!(z.allow(), "Limit(0, 1) want true when first used");
    assert!(!z.allow(), "Limit(0, 1) want false when already used");
}

// Ported from rate_test.go: TestSimultaneousRequests.
#[test]
fn simultaneous_requests() {
    let lim = std::sync::Arc::new(Limiter::new(Limit(1.0), 5));
    let ok = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ts: Vec<_> = (0..15)
        .map(|_| {
            let (lim, ok) = (lim.clone(), ok.clone());
            std::thread::spawn(move || {
                if lim.allow() {
                    ok.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            })
        })
        .collect();
    ts.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(ok.load(std::sync::atomic::Ordering::SeqCst), 5);
}

/// Runs a reserve sequence against `Limiter::new(limit, burst)`.
macro_rules! reserves {
    ($lim:expr, $t:expr, $( ($ti:expr, $n:expr, $act:expr, $ok:expr) ),* ) => {{
        let t = &$t;
        vec![$( reserve(&$lim, t(0), (t($ti), $n, t($act), $ok), f64::INFINITY) ),*]
    }};
}

// Ported from rate_test.go: TestSimpleReserve and TestMix.
#[test]
fn simple_reserve_and_mix() {
    let t = times();
    let lim = Limiter::new(Limit(10.0), 2);
    reserves!(lim, t, (0, 2, 0, true), (0, 2, 2, true), (3, 2, 4, true));
    let lim = Limiter::new(Limit(10.0), 2);
    reserves!(lim, t, (0, 3, 1, false), (0, 2, 0, true));
    run(&lim, &[(t(1), 2, false)]);
    reserves!(lim, t, (1, 2, 2, true));
    run(&lim, &[(t(1), 1, false), (t(3), 1, true)]);
}

// Ported from rate_test.go: TestCancelInvalid, TestCancelLast, TestCancelTooLate.
#[test]
fn cancel_invalid_last_too_late() {
    let t = times();
    let lim = Limiter::new(Limit(10.0), 2);
    let rs = reserves!(lim, t, (0, 2, 0, true), (0, 3, 3, false));
    rs[1].cancel_at(t(0));
    reserves!(lim, t, (0, 2, 2, true));

    let lim = Limiter::new(Limit(10.0), 2);
    let rs = reserves!(lim, t, (0, 2, 0, true), (0, 2, 2, true));
    rs[1].cancel_at(t(1));
    reserves!(lim, t, (1, 2, 2, true));

    let lim = Limiter::new(Limit(10.0), 2);
    let rs = reserves!(lim, t, (0, 2, 0, true), (0, 2, 2, true));
    rs[1].cancel_at(t(3));
    reserves!(lim, t, (3, 2, 4, true));
}

// Ported from rate_test.go: TestCancel0Tokens, TestCancel1Token, TestCancelMulti.
#[test]
fn cancel_partial() {
    let t = times();
    let lim = Limiter::new(Limit(10.0), 2);
    let rs = reserves!(lim, t, (0, 2, 0, true), (0, 1, 1, true), (0, 1, 2, true));
    rs[1].cancel_at(t(0));
    reserves!(lim, t, (0, 1, 3, true));

    let lim = Limiter::new(Limit(10.0), 2);
    let rs = reserves!(lim, t, (0, 2, 0, true), (0, 2, 2, true), (0, 1, 3, true));
    rs[1].cancel_at(t(2));
    reserves!(lim, t, (2, 2, 4, true));

    let lim = Limiter::new(Limit(10.0), 4);
    let rs = reserves!(lim, t, (0, 4, 0, true), (0, 3, 3, true), (0, 1, 4, true), (0, 1, 5, true));
    rs[3].cancel_at(t(1));
    rs[1].cancel_at(t(1));
    reserves!(lim, t, (1, 3, 5, true));
}

// Ported from rate_test.go: TestReserveJumpBack and TestReserveJumpBackCancel.
#[test]
fn reserve_jump_back() {
    let t = times();
    let lim = Limiter::new(Limit(10.0), 2);
    reserves!(lim, t, (1, 2, 1, true), (0, 1, 1, true), (2, 2, 3, true));

    let lim = Limiter::new(Limit(10.0), 2);
    let rs = reserves!(lim, t, (1, 2, 1, true), (1, 2, 3, true), (1, 1, 4, true));
    rs[1].cancel_at(t(0));
    reserves!(lim, t, (1, 2, 4, true));
}

// Ported from rate_test.go: TestReserveSetLimit, TestReserveSetBurst,
// TestReserveSetLimitCancel.
#[test]
fn reserve_set_limit_and_burst() {
    let t = times();
    let lim = Limiter::new(Limit(5.0), 2);
    reserves!(lim, t, (0, 2, 0, true), (0, 2, 4, true));
    lim.set_limit_at(t(2), Limit(10.0));
    reserves!(lim, t, (2, 1, 4, true));

    let lim = Limiter::new(Limit(5.0), 2);
    reserves!(lim, t, (0, 2, 0, true), (0, 2, 4, true));
    lim.set_burst_at(t(3), 4);
    reserves!(lim, t, (0, 4, 9, true));

    let lim = Limiter::new(Limit(5.0), 2);
    let rs = reserves!(lim, t, (0, 2, 0, true), (0, 2, 4, true));
    lim.set_limit_at(t(2), Limit(10.0));
    rs[1].cancel_at(t(2));
    reserves!(lim, t, (2, 2, 3, true));
}

// Ported from rate_test.go: TestReserveMax.
#[test]
fn reserve_max() {
    let t = times();
    let lim = Limiter::new(Limit(10.0), 2);
    let max = D.as_secs_f64();
    reserve(&lim, t(0), (t(0), 2, t(0), true), max);
    reserve(&lim, t(0), (t(0), 1, t(1), true), max);
    reserve(&lim, t(0), (t(0), 1, t(2), false), max);
}

// Ported from rate_test.go: TestWaitSimple, TestWaitTimeout, TestWaitInf,
// with a frozen injected clock: every outcome is decided without sleeping.
#[test]
fn wait_decisions() {
    let now = Instant::now();
    let lim = Limiter::with_clock(Limit(10.0), 3, move || now);
    let (ctx, cancel) = context::with_cancel(&context::background());
    cancel.cancel();
    assert_eq!(lim.wait_blocking(&ctx), Err(WaitError::Context(context::ContextError::Canceled)));
    let bg = context::background();
    let w4 = crate::runtime::current::block_on_thread(lim.wait_n(&bg, 4));
    assert_eq!(w4, Err(WaitError::ExceedsBurst { n: 4, burst: 3 }));
    assert_eq!(crate::runtime::current::block_on_thread(lim.wait_n(&bg, 2)), Ok(()), "act now");
    // One token left; three more need 200 ms, past a 100 ms deadline: fail at once.
    let (ctx, _c) = context::with_deadline(&bg, now + D);
    let w = crate::runtime::current::block_on_thread(lim.wait_n(&ctx, 3));
    assert_eq!(w, Err(WaitError::WouldExceedDeadline { n: 3 }));
    assert_eq!(lim.tokens_at(now), 1.0, "a refused wait takes nothing");
    let inf = Limiter::with_clock(Limit::INF, 0, move || now);
    assert_eq!(crate::runtime::current::block_on_thread(inf.wait_n(&bg, 3)), Ok(()));
}

// Ported from rate_test.go: TestWaitCancel: a wait cut short by its
// context gives its tokens back.
#[test]
fn wait_cancel_returns_tokens() {
    let now = Instant::now();
    let lim = Limiter::with_clock(Limit(10.0), 3, move || now);
    let bg = context::background();
    crate::runtime::current::block_on_thread(lim.wait_n(&bg, 2)).unwrap();
    let (ctx, cancel) = context::with_cancel(&bg);
    let lim2 = &lim;
    let r = crate::runtime::current::block_on_thread(async {
        let mut w = std::pin::pin!(lim2.wait_n(&ctx, 3));
        // Poll once so the reservation is taken, then cancel.
        let first = std::future::poll_fn(|cx| std::task::Poll::Ready(w.as_mut().poll(cx))).await;
        assert!(first.is_pending(), "3 tokens with 1 left must wait");
        assert!(lim2.tokens_at(now) < 0.0);
        cancel.cancel();
        w.await
    });
    assert_eq!(r, Err(WaitError::Context(context::ContextError::Canceled)));
    assert_eq!(lim.tokens_at(now), 1.0, "the cancelled wait's tokens came back");
}

use std::future::Future;
