//! `signal::notify` and `notify_context` with signals this process raises
//! at itself (SIGUSR1/SIGUSR2, so nothing else in the run is disturbed),
//! and ports of Go's NotifyContext tests (go/src/os/signal/signal_test.go)
//! that raise nothing.

use goro::context::{self, ContextError};
use goro::signal::{notify, notify_context, Signal, SignalReceived};
use std::sync::Arc;
use std::time::Duration;

mod support;

#[test]
fn notify_delivers_raised_signal() {
    support::within(Duration::from_secs(30), || {
        let rx = notify(&[Signal::User1]);
        assert!(rx.try_recv().is_err());
        // SAFETY: raise(3) with a valid signal that `notify` now catches.
        assert_eq!(unsafe { libc::raise(libc::SIGUSR1) }, 0);
        assert_eq!(rx.recv_blocking(), Some(Signal::User1));
    });
}

#[goro::test]
async fn notify_context_cancels_on_signal() {
    let parent = goro::context::background();
    let (ctx, stop) = notify_context(&parent, &[Signal::User2]);
    assert!(!stop.is_stopped());
    // SAFETY: raise(3) with a valid signal that `notify_context` catches.
    assert_eq!(unsafe { libc::raise(libc::SIGUSR2) }, 0);
    ctx.done().await;
    assert_eq!(ctx.err(), Some(goro::context::ContextError::Canceled));
    assert!(stop.is_stopped());
    // Ported from go/src/os/signal/signal_test.go: TestNotifyContextCause.
    let cause = ctx.cause().expect("a cancelled context has a cause");
    assert_eq!(cause.downcast_ref::<SignalReceived>(), Some(&SignalReceived(Signal::User2)));
    assert_eq!(cause.to_string(), "user defined signal 2 signal received");
}

// Ported from go/src/os/signal/signal_test.go: TestNotifyContextStop (the
// Ignored and String checks have no goro counterpart).
#[test]
fn notify_context_stop_cancels_without_cause() {
    let (parent, _cancel_parent) = context::with_cancel(&context::background());
    let (ctx, stop) = notify_context(&parent, &[Signal::Hangup]);
    stop.stop();
    let c = ctx.clone();
    support::within(Duration::from_secs(30), move || c.done_blocking());
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    let cause = ctx.cause().expect("a cause");
    assert_eq!(cause.downcast_ref::<ContextError>(), Some(&ContextError::Canceled));
}

// Ported from go/src/os/signal/signal_test.go: TestNotifyContextCancelParent
// and TestNotifyContextPrematureCancelParent.
#[test]
fn notify_context_inherits_parent_cause() {
    #[derive(Debug)]
    struct ParentCanceled;
    impl std::fmt::Display for ParentCanceled {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("parent canceled")
        }
    }
    impl std::error::Error for ParentCanceled {}
    let why: context::Cause = Arc::new(ParentCanceled);
    for premature in [false, true] {
        let (parent, cancel_parent) = context::with_cancel_cause(&context::background());
        if premature {
            cancel_parent.cancel(Some(why.clone()));
        }
        let (ctx, _stop) = notify_context(&parent, &[Signal::Interrupt]);
        cancel_parent.cancel(Some(why.clone()));
        let c = ctx.clone();
        support::within(Duration::from_secs(30), move || c.done_blocking());
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        assert!(Arc::ptr_eq(&ctx.cause().expect("a cause"), &why), "premature: {premature}");
    }
}

// Ported from go/src/os/signal/signal_test.go: TestNotifyContextSimultaneousStop.
#[test]
fn notify_context_simultaneous_stop() {
    let (ctx, stop) = notify_context(&context::background(), &[Signal::Interrupt]);
    let stop = Arc::new(stop);
    let ts: Vec<_> = (0..10)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || stop.stop())
        })
        .collect();
    ts.into_iter().for_each(|t| t.join().unwrap());
    let c = ctx.clone();
    support::within(Duration::from_secs(30), move || c.done_blocking());
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
}

#[test]
fn stop_cancels_context() {
    let (ctx, stop) = notify_context(&goro::context::background(), &[Signal::Hangup]);
    stop.stop();
    support::within(Duration::from_secs(30), move || ctx.done_blocking());
}
