//! Ports of scheduler tests from Go's runtime, each citing its source.

use std::time::Duration;

// Ported from go/src/runtime/proc_test.go: TestYieldProgress. A goroutine
// that only yields must still let main hand it a message.
#[goro::test]
async fn yield_progress() {
    let (c_tx, c_rx) = goro::chan::<bool>(0);
    let (ack_tx, ack_rx) = goro::chan::<bool>(0);
    goro::go(async move {
        loop {
            goro::select! {
                recv(c_rx) -> _ => {
                    ack_tx.send(true).await.unwrap();
                    return;
                },
                default => goro::yield_now().await,
            }
        }
    });
    goro::time::sleep(Duration::from_millis(10)).await;
    c_tx.send(true).await.unwrap();
    assert_eq!(ack_rx.recv().await, Some(true));
}

// Ported from go/src/runtime/proc_test.go: TestYieldLocked (without
// LockOSThread, which goro has no counterpart of): yields and sleeps
// interleave and finish.
#[goro::test]
async fn yield_and_sleep_interleave() {
    let (tx, rx) = goro::chan::<bool>(0);
    goro::go(async move {
        for _ in 0..10 {
            goro::yield_now().await;
            goro::time::sleep(Duration::from_millis(1)).await;
        }
        tx.send(true).await.unwrap();
    });
    assert_eq!(rx.recv().await, Some(true));
}

// Ported from go/src/runtime/proc_test.go: TestTimerFairness. Two
// goroutines keep a channel busy; a timer must still fire.
#[goro::test]
async fn timer_fairness() {
    let (done_tx, done_rx) = goro::chan::<()>(0);
    let (c_tx, c_rx) = goro::chan::<bool>(0);
    for _ in 0..2 {
        let (c_tx, done_rx) = (c_tx.clone(), done_rx.clone());
        goro::go(async move {
            loop {
                goro::select! {
                    send(c_tx, true) -> _ => {},
                    recv(done_rx) -> _ => return,
                }
            }
        });
    }
    let timer = goro::time::after(Duration::from_millis(20));
    loop {
        goro::select! {
            recv(c_rx) -> _ => {},
            recv(timer) -> _ => {
                done_tx.close();
                return;
            },
        }
    }
}

// Ported from go/src/runtime/proc_test.go: TestStopTheWorldDeadlock's
// perpetuumMobile, without the GC and GOMAXPROCS churn: a goroutine that
// keeps respawning itself until told to stop must not wedge the scheduler.
#[goro::test]
async fn perpetuum_mobile() {
    fn spawn(stop: goro::chan::Receiver<()>) {
        goro::go(async move {
            goro::select! {
                recv(stop) -> _ => {},
                default => spawn(stop.clone()),
            }
        });
    }
    let (stop_tx, stop_rx) = goro::chan::<()>(1);
    spawn(stop_rx);
    for _ in 0..1000 {
        goro::yield_now().await;
    }
    stop_tx.send(()).await.unwrap();
}
