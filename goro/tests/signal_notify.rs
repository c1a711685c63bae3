//! `signal::notify` and `notify_context` with signals this process raises
//! at itself (SIGUSR1/SIGUSR2, so nothing else in the run is disturbed).

use goro::signal::{notify, notify_context, Signal};
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
}

#[test]
fn stop_cancels_context() {
    let (ctx, stop) = notify_context(&goro::context::background(), &[Signal::Hangup]);
    stop.stop();
    support::within(Duration::from_secs(30), move || ctx.done_blocking());
}
