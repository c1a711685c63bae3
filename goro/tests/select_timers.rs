//! Timer channels as select cases: `time::after`, `time::tick`, and
//! `time::never` (Go's nil channel).

use goro::chan::{RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

#[goro::test]
async fn after_fires_once_not_early() {
    let start = Instant::now();
    let rx = goro::time::after(Duration::from_millis(30));
    let at = rx.recv().await.expect("after sends once");
    assert!(at.duration_since(start) >= Duration::from_millis(30));
    assert!(start.elapsed() >= Duration::from_millis(30));
    // Go's timer channels never close: a second receive waits.
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert!(!rx.is_closed());
    let again = rx.recv_timeout(Duration::from_millis(20)).await;
    assert_eq!(again, Err(RecvTimeoutError::Timeout));
}

/// Goroutines alive that `parent` spawned.
fn children_of(parent: u64) -> usize {
    goro::debug::goroutines().iter().filter(|g| g.parent == parent).count()
}

// A timer whose receivers are all gone ends then, not at its deadline (Go
// 1.23 collects an unreferenced timer): a select that `after(1 h)` lost, or
// a dropped `tick(1 h)`, leaves no goroutine behind for the hour.
#[goro::test]
async fn a_timer_ends_when_its_last_receiver_goes() {
    let owner = goro::go(async {
        let (tx, rx) = goro::chan::<i32>(1);
        for i in 0..50 {
            tx.try_send(i).unwrap();
            let won = goro::select! {
                recv(rx) -> v => v,
                recv(goro::time::after(Duration::from_secs(3600))) -> _ => None,
            };
            assert_eq!(won, Some(i));
            drop(goro::time::tick(Duration::from_secs(3600)));
            let _kept = goro::time::after(Duration::from_secs(3600)).clone();
        }
    });
    let id = owner.id();
    owner.await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while children_of(id) > 0 {
        assert!(Instant::now() < deadline, "{} timer goroutines still alive", children_of(id));
        goro::time::sleep(Duration::from_millis(1)).await; // polling the registry
    }
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
