//! The coop budget: a goroutine whose channel operations never wait still
//! yields its processor every so often (tokio's budget; Go gets the same
//! from preempting a goroutine after 10 ms).

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Sends `n` values that never wait (unbounded channel) and reports whether
/// `other` had run by the time the last one was sent.
async fn busy_sender(n: usize, other: Arc<AtomicBool>) -> bool {
    let (tx, _rx) = goro::unbounded::<usize>();
    for i in 0..n {
        tx.send(i).await.unwrap();
    }
    other.load(Ordering::SeqCst)
}

#[test]
fn a_sender_that_never_waits_lets_its_processor_run_others() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.run(async {
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            let sender = goro::go(busy_sender(10_000, ran));
            // Queued behind the sender on the only processor.
            let other = goro::go(async move { r.store(true, Ordering::SeqCst) });
            assert!(sender.await.unwrap(), "10,000 sends ran without yielding the processor");
            other.await.unwrap();
        })
    });
}

#[test]
fn a_receiver_that_never_waits_lets_its_processor_run_others() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.run(async {
            let (tx, rx) = goro::unbounded::<usize>();
            for i in 0..10_000 {
                tx.try_send(i).unwrap();
            }
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            let receiver = goro::go(async move {
                for _ in 0..10_000 {
                    rx.recv().await.unwrap();
                }
                ran.load(Ordering::SeqCst)
            });
            // Queued behind the receiver on the only processor.
            let other = goro::go(async move { r.store(true, Ordering::SeqCst) });
            assert!(receiver.await.unwrap(), "10,000 receives ran without yielding");
            other.await.unwrap();
        })
    });
}

#[test]
fn plain_threads_have_no_budget() {
    support::within(Duration::from_secs(30), || {
        let (tx, rx) = goro::unbounded::<usize>();
        for i in 0..10_000 {
            tx.send_blocking(i).unwrap();
        }
        drop(tx);
        assert_eq!(rx.iter().count(), 10_000);
    });
}
