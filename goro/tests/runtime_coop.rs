//! The coop budget: a goroutine whose channel operations never wait still
//! yields its processor every so often (tokio's budget; Go gets the same
//! from preempting a goroutine after 10 ms).

mod support;

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// On one processor, runs `busy` (given a flag) and then queues a goroutine
/// that sets the flag behind it; returns what `busy` returned, which says
/// whether the flag was set before `busy` ended.
fn others_run_during<F>(busy: impl FnOnce(Arc<AtomicBool>) -> F + Send + 'static) -> bool
where
    F: Future<Output = bool> + Send + 'static,
{
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.run(async move {
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            let busy = goro::go(busy(ran));
            let other = goro::go(async move { r.store(true, Ordering::SeqCst) });
            let saw = busy.await.unwrap();
            other.await.unwrap();
            saw
        })
    })
}

#[test]
fn a_sender_that_never_waits_lets_its_processor_run_others() {
    let saw = others_run_during(|ran| async move {
        let (tx, _rx) = goro::unbounded::<usize>();
        for i in 0..10_000 {
            tx.send(i).await.unwrap();
        }
        ran.load(Ordering::SeqCst)
    });
    assert!(saw, "10,000 sends ran without yielding the processor");
}

#[test]
fn a_receiver_that_never_waits_lets_its_processor_run_others() {
    let saw = others_run_during(|ran| async move {
        let (tx, rx) = goro::unbounded::<usize>();
        for i in 0..10_000 {
            tx.try_send(i).unwrap();
        }
        for _ in 0..10_000 {
            rx.recv().await.unwrap();
        }
        ran.load(Ordering::SeqCst)
    });
    assert!(saw, "10,000 receives ran without yielding the processor");
}

/// Off goroutines there is no budget: 10,000 sends complete in one poll.
#[test]
fn code_off_goroutines_has_no_budget() {
    support::within(Duration::from_secs(30), || {
        let (tx, rx) = goro::unbounded::<usize>();
        let mut sends = std::pin::pin!(async move {
            for i in 0..10_000 {
                tx.send(i).await.unwrap();
            }
        });
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut polls = 1;
        while sends.as_mut().poll(&mut cx).is_pending() {
            polls += 1;
        }
        assert_eq!(polls, 1, "a plain thread's sends were made to yield");
        // The finished block dropped its sender: the channel is closed.
        assert_eq!(rx.iter().count(), 10_000);
    });
}
