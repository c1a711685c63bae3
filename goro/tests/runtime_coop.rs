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

/// Counts the polls of the future it wraps.
struct Polls<F>(F, Arc<std::sync::atomic::AtomicUsize>);

impl<F: Future + Unpin> Future for Polls<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        self.1.fetch_add(1, Ordering::SeqCst);
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

/// A goroutine alone on its processor is not made to yield: with nothing
/// else to run there, its spent budget is renewed (the yield would only
/// re-poll it), and 10,000 sends complete in one poll.
#[test]
fn a_goroutine_alone_is_not_made_to_yield() {
    let polls = support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.run(async move {
            let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let busy = Box::pin(async move {
                let (tx, rx) = goro::unbounded::<usize>();
                for i in 0..10_000 {
                    tx.send(i).await.unwrap();
                }
                rx.len()
            });
            let sent = goro::go(Polls(busy, polls.clone())).await.unwrap();
            assert_eq!(sent, 10_000);
            polls.load(Ordering::SeqCst)
        })
    });
    assert_eq!(polls, 1, "the budget made a goroutine alone yield");
}

/// A spent budget stays spent for the rest of the poll: with another
/// goroutine waiting on the processor, the operation that finds it spent
/// yields, and so does every later one in the same poll (a poll that
/// drives several sends, as `join!` or a hand-written future does),
/// until the goroutine is polled again with a fresh budget.
#[test]
fn a_spent_budget_stays_spent_until_the_next_poll() {
    let (ready_then_pending, next_poll_ready) = support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.run(async move {
            let (tx, _rx) = goro::unbounded::<usize>();
            let other = goro::go(async {}); // waits on the processor meanwhile
            let mut ready = 0;
            let mut later_pending = 0;
            let mut polls = 0;
            let mut next_poll_ready = false;
            std::future::poll_fn(|cx| {
                polls += 1;
                if polls > 1 {
                    // Polled again: a fresh budget.
                    let send = std::pin::pin!(tx.send(0));
                    next_poll_ready = send.poll(cx).is_ready();
                    return std::task::Poll::Ready(());
                }
                for i in 0..1_000 {
                    let send = std::pin::pin!(tx.send(i));
                    match send.poll(cx) {
                        std::task::Poll::Ready(r) => {
                            r.unwrap();
                            assert_eq!(later_pending, 0, "a send completed after one yielded");
                            ready += 1;
                        }
                        std::task::Poll::Pending => later_pending += 1,
                    }
                }
                std::task::Poll::Pending
            })
            .await;
            other.await.unwrap();
            ((ready, later_pending), next_poll_ready)
        })
    });
    let (ready, pending) = ready_then_pending;
    assert!(ready > 0 && ready < 1_000, "the budget ran out in the poll ({ready} ready)");
    assert_eq!(ready + pending, 1_000);
    assert!(next_poll_ready, "the next poll got a fresh budget");
}

/// How many of `n` sends a producer that never waits (a buffer of `n`)
/// had made when its consumer got the first message, on `procs`
/// processors. The consumer is the main goroutine; the producer's first
/// send wakes it.
fn sent_before_first_receive(procs: usize, n: usize) -> usize {
    support::within(Duration::from_secs(30), move || {
        let rt = goro::Runtime::builder().procs(procs).build().unwrap();
        rt.run(async move {
            let (tx, rx) = goro::chan::<usize>(n);
            let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let count = sent.clone();
            let producer = goro::go(async move {
                for i in 0..n {
                    tx.send(i).await.unwrap();
                    count.fetch_add(1, Ordering::SeqCst);
                }
            });
            rx.recv().await.unwrap();
            let at_first = sent.load(Ordering::SeqCst);
            while rx.recv().await.is_some() {}
            producer.await.unwrap();
            at_first
        })
    })
}

/// The woken consumer of a producer that never waits is not starved: it
/// gets its first message while the producer still sends, within about
/// one budget of it, on one processor and on several. (kanal's and
/// flume's async channels on tokio starve it: woken into the producer's
/// worker's LIFO slot, it gets its first message only after the last
/// send; BENCHMARKS.md, "Consumer's first message".)
#[test]
fn a_producer_that_never_waits_does_not_starve_the_consumer_it_woke() {
    const N: usize = 100_000;
    for procs in [1, 2, 4] {
        let at_first = sent_before_first_receive(procs, N);
        assert!(
            at_first <= 4 * 128,
            "with {procs} processor(s), the consumer's first message came after {at_first} of {N} sends"
        );
    }
}
