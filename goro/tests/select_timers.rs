//! Timer channels as select cases: `time::after`, `time::tick`, and
//! `time::never` (Go's nil channel).

use std::time::{Duration, Instant};

#[goro::test]
async fn after_fires_once_not_early() {
    let start = Instant::now();
    let rx = goro::time::after(Duration::from_millis(30));
    let at = rx.recv().await.expect("after sends once");
    assert!(at.duration_since(start) >= Duration::from_millis(30));
    assert!(start.elapsed() >= Duration::from_millis(30));
    // Then the channel closes: the timer goroutine is done.
    assert_eq!(rx.recv().await, None);
}

#[goro::test]
async fn after_as_select_timeout() {
    let (_tx, rx) = goro::chan::<i32>(0);
    let start = Instant::now();
    let timed_out = goro::select! {
        recv(rx) -> _ => false,
        recv(goro::time::after(Duration::from_millis(20))) -> _ => true,
    };
    assert!(timed_out);
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[goro::test]
async fn tick_ticks_repeatedly() {
    let start = Instant::now();
    let ticker = goro::time::tick(Duration::from_millis(10));
    for i in 1..=3 {
        ticker.recv().await.expect("a ticker does not close");
        assert!(start.elapsed() >= Duration::from_millis(10 * i));
    }
}

#[goro::test]
async fn never_never_fires() {
    let never = goro::time::never::<i32>();
    let fired = goro::select! {
        recv(never) -> _ => true,
        recv(goro::time::after(Duration::from_millis(20))) -> _ => false,
    };
    assert!(!fired);
    assert!(!never.is_closed());
    assert!(goro::time::tick(Duration::ZERO).try_recv().is_err());
}
