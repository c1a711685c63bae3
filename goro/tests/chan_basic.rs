//! Channel basics: the three flavours, close, the error values, blocking and
//! async forms, and cancel safety of dropped futures.

mod support;

use goro::chan::{RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError};
use std::future::Future;
use std::task::Poll;
use std::time::Duration;
use support::within;

const LIMIT: Duration = Duration::from_secs(20);

/// Polls a future once with a no-op waker.
fn poll_once<F: std::future::Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(f).poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
}

#[test]
fn bounded_holds_exactly_cap() {
    let (tx, rx) = goro::chan::<i32>(3);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
    assert_eq!((tx.len(), tx.cap()), (3, 3));
    assert_eq!(rx.try_recv(), Ok(0));
    tx.try_send(3).unwrap();
    assert_eq!(rx.iter().take(3).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

// Go's `makechan` (runtime/chan.go) panics "makechan: size out of range"
// when the buffer would pass `maxAlloc` (2^48 bytes on 64-bit Linux) or its
// size overflows; goro's `chan` panics at the same bound, naming itself,
// instead of aborting in the allocator.
#[test]
#[should_panic(expected = "goro::chan: size out of range: 35184372088833 values of 8 bytes")]
fn a_buffer_past_go_s_max_alloc_panics() {
    let _ = goro::chan::<u64>((1 << 45) + 1);
}

#[test]
#[should_panic(expected = "goro::chan: size out of range")]
fn a_buffer_whose_size_overflows_panics() {
    let _ = goro::chan::<[u8; 16]>(usize::MAX / 8);
}

#[test]
#[should_panic(expected = "goro::chan: capacity too large; use goro::unbounded")]
fn the_unbounded_capacity_is_refused() {
    let _ = goro::chan::<u8>(usize::MAX);
}

#[test]
fn zero_sized_values_take_any_capacity() {
    // Go too: a channel of struct{} allocates no buffer.
    let (tx, rx) = goro::chan::<()>(usize::MAX - 1);
    tx.try_send(()).unwrap();
    assert_eq!((tx.len(), tx.cap()), (1, usize::MAX - 1));
    assert_eq!(rx.try_recv(), Ok(()));
}

#[test]
fn unbuffered_needs_both_sides() {
    let (tx, rx) = goro::chan::<i32>(0);
    assert!(matches!(tx.try_send(1), Err(TrySendError::Full(1))));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(tx.cap(), 0);
    let mut send = tx.send(5);
    assert!(poll_once(&mut send).is_pending());
    assert_eq!(rx.try_recv(), Ok(5));
    assert!(matches!(poll_once(&mut send), Poll::Ready(Ok(()))));
}

#[test]
fn unbounded_never_fills() {
    let (tx, rx) = goro::unbounded::<usize>();
    for i in 0..10_000 {
        tx.try_send(i).unwrap();
    }
    assert_eq!(tx.cap(), usize::MAX);
    drop(tx);
    assert_eq!(rx.iter().sum::<usize>(), (0..10_000).sum());
}

#[test]
fn close_drains_then_none() {
    let (tx, rx) = goro::chan::<i32>(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert!(tx.close());
    assert!(!tx.close(), "a second close is reported");
    assert!(rx.is_closed());
    assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
    assert_eq!(tx.send_blocking(4), Err(SendError(4)));
    assert_eq!(rx.recv_blocking(), Some(1));
    assert_eq!(rx.recv_blocking(), Some(2));
    assert_eq!(rx.recv_blocking(), None);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn try_iter_takes_what_is_ready_and_never_waits() {
    let (tx, rx) = goro::chan::<i32>(4);
    assert_eq!(rx.try_iter().next(), None, "empty and open: ends at once");
    (1..=3).for_each(|i| tx.try_send(i).unwrap());
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(rx.try_iter().next(), None, "drained, still open");
    assert!(!rx.is_closed());
    tx.try_send(4).unwrap();
    assert!(tx.close());
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), [4], "a closed channel's buffer drains");
    assert_eq!(rx.try_iter().next(), None);
}

#[test]
fn try_iter_meets_a_waiting_sender_on_an_unbuffered_channel() {
    within(LIMIT, || {
        let (tx, rx) = goro::chan::<i32>(0);
        let sender = std::thread::spawn(move || tx.send_blocking(7));
        // The sender is ready once it waits; until then there is nothing.
        let v = loop {
            if let Some(v) = rx.try_iter().next() {
                break v;
            }
            std::thread::yield_now();
        };
        assert_eq!(v, 7);
        assert_eq!(sender.join().unwrap(), Ok(()));
        assert_eq!(rx.try_iter().next(), None, "closed by the sender's drop, and drained");
    });
}

#[goro::test]
async fn try_iter_in_a_goroutine_does_not_park() {
    let (tx, rx) = goro::chan::<i32>(8);
    let producer = goro::go(async move {
        for i in 0..5 {
            tx.send(i).await.unwrap();
        }
    });
    producer.await.unwrap();
    assert_eq!(rx.try_iter().sum::<i32>(), 10);
    assert_eq!(rx.try_iter().next(), None);
}

#[test]
fn last_sender_drop_closes() {
    let (tx, rx) = goro::chan::<i32>(0);
    let tx2 = tx.clone();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    assert!(rx.is_closed());
    assert_eq!(rx.recv_blocking(), None);
}

#[test]
fn send_fails_when_receivers_gone() {
    let (tx, rx) = goro::chan::<String>(1);
    let rx2 = rx.clone();
    drop(rx);
    tx.try_send("a".into()).unwrap();
    drop(rx2);
    assert_eq!(tx.try_send("b".into()), Err(TrySendError::Closed("b".into())));
}

/// Three threads sending 0, 1 and 2 on `tx`, each blocking until it is
/// taken or fails.
fn sending_threads(
    tx: &goro::chan::Sender<i32>,
) -> Vec<std::thread::JoinHandle<Result<(), SendError<i32>>>> {
    (0..3)
        .map(|i| {
            let tx = tx.clone();
            std::thread::spawn(move || tx.send_blocking(i))
        })
        .collect()
}

/// The values the sending threads got back, sorted; each must have failed.
fn handed_back(txs: Vec<std::thread::JoinHandle<Result<(), SendError<i32>>>>) -> Vec<i32> {
    let mut back: Vec<_> = txs.into_iter().map(|h| h.join().unwrap().unwrap_err().0).collect();
    back.sort();
    back
}

#[test]
fn close_wakes_blocked_receivers_and_senders() {
    within(LIMIT, || {
        let (tx, rx) = goro::chan::<i32>(0);
        let rxs: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || rx.recv_blocking())
            })
            .collect();
        let (tx2, _rx2) = goro::chan::<i32>(0);
        let txs = sending_threads(&tx2);
        // Early threads may see the closed channel instead of parking; both
        // paths must end the same way (parked ones: see close_wakes_parked_futures).
        tx.close();
        tx2.close();
        for h in rxs {
            assert_eq!(h.join().unwrap(), None);
        }
        assert_eq!(handed_back(txs), [0, 1, 2], "every blocked sender gets its value back");
    });
}

/// Counts its wake-ups.
struct CountWaker(std::sync::atomic::AtomicUsize);

impl std::task::Wake for CountWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn close_wakes_parked_futures() {
    let (tx, rx) = goro::chan::<i32>(0);
    let (tx2, _rx2) = goro::chan::<i32>(0);
    let count = std::sync::Arc::new(CountWaker(0.into()));
    let waker = std::task::Waker::from(count.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    let mut recvs: Vec<_> = (0..3).map(|_| rx.recv()).collect();
    let mut sends: Vec<_> = (0..3).map(|i| tx2.send(i)).collect();
    for r in &mut recvs {
        assert!(std::pin::Pin::new(r).poll(&mut cx).is_pending());
    }
    for s in &mut sends {
        assert!(std::pin::Pin::new(s).poll(&mut cx).is_pending());
    }
    assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(tx.close() && tx2.close());
    assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 6, "every parked waiter woke");
    for r in &mut recvs {
        assert_eq!(std::pin::Pin::new(r).poll(&mut cx), Poll::Ready(None));
    }
    for (i, s) in sends.iter_mut().enumerate() {
        assert!(
            matches!(std::pin::Pin::new(s).poll(&mut cx), Poll::Ready(Err(SendError(v))) if v == i as i32)
        );
    }
}

// Go has no "every receiver is gone"; goro fails the sends that no one can
// ever take, so a parked sender gets its value back instead of waiting
// forever, on an unbuffered channel and on a full buffered one alike.
#[test]
fn the_last_receiver_going_wakes_parked_senders_with_their_values() {
    let (tx, rx) = goro::chan::<i32>(0);
    let (full_tx, full_rx) = goro::chan::<i32>(1);
    full_tx.try_send(9).unwrap();
    let count = std::sync::Arc::new(CountWaker(0.into()));
    let waker = std::task::Waker::from(count.clone());
    let mut cx = std::task::Context::from_waker(&waker);
    let mut sends: Vec<_> = (0..3).map(|i| tx.send(i)).chain([full_tx.send(3)]).collect();
    for s in &mut sends {
        assert!(std::pin::Pin::new(s).poll(&mut cx).is_pending());
    }
    let rx2 = rx.clone();
    drop(rx);
    assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 0, "a receiver is left");
    drop((rx2, full_rx));
    assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 4, "every parked sender woke");
    for (i, s) in sends.iter_mut().enumerate() {
        let r = std::pin::Pin::new(s).poll(&mut cx);
        assert!(matches!(r, Poll::Ready(Err(SendError(v))) if v == i as i32), "send {i}: {r:?}");
    }
    assert!(!tx.is_closed(), "no sender closed it: Go's closed flag stays false");
}

#[test]
fn the_last_receiver_going_unblocks_sending_threads() {
    within(LIMIT, || {
        let (tx, rx) = goro::chan::<i32>(0);
        let txs = sending_threads(&tx);
        // A thread that has not parked yet finds no receiver and fails at
        // once; a parked one is woken: both hand the value back.
        drop(rx);
        assert_eq!(handed_back(txs), [0, 1, 2]);
    });
}

#[test]
fn timeouts_hand_values_back() {
    let (tx, rx) = goro::chan::<i32>(0);
    let t = std::time::Instant::now();
    assert_eq!(
        tx.send_timeout_blocking(1, Duration::from_millis(20)),
        Err(SendTimeoutError::Timeout(1))
    );
    assert_eq!(rx.recv_timeout_blocking(Duration::from_millis(20)), Err(RecvTimeoutError::Timeout));
    assert!(t.elapsed() >= Duration::from_millis(40));
    assert!(tx.close());
    assert_eq!(rx.recv_timeout_blocking(Duration::from_millis(20)), Err(RecvTimeoutError::Closed));
    assert_eq!(
        tx.send_timeout_blocking(2, Duration::from_millis(20)),
        Err(SendTimeoutError::Closed(2))
    );
}

#[goro::test]
async fn async_timeouts() {
    let (tx, rx) = goro::chan::<i32>(0);
    assert_eq!(
        tx.send_timeout(1, Duration::from_millis(10)).await,
        Err(SendTimeoutError::Timeout(1))
    );
    assert_eq!(rx.recv_timeout(Duration::from_millis(10)).await, Err(RecvTimeoutError::Timeout));
    let h = goro::go(async move { tx.send(3).await });
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)).await, Ok(3));
    h.await.unwrap().unwrap();
}

#[test]
fn dropped_recv_future_hands_value_back() {
    // Ported idea: a value handed to a waiting receiver whose future is then
    // dropped must reach the next receiver, exactly once.
    let (tx, rx) = goro::chan::<i32>(0);
    let mut recv = rx.recv();
    assert!(poll_once(&mut recv).is_pending());
    assert_eq!(tx.try_send(7), Ok(()), "the waiting receiver takes it");
    drop(recv);
    assert_eq!(rx.try_recv(), Ok(7));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn dropped_send_future_sends_nothing() {
    let (tx, rx) = goro::chan::<i32>(0);
    let mut send = tx.send(1);
    assert!(poll_once(&mut send).is_pending());
    drop(send);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    let mut send = tx.send(2);
    assert!(poll_once(&mut send).is_pending());
    assert_eq!(rx.try_recv(), Ok(2));
    drop(send);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "a completed send is not repeated");
}

#[test]
fn threads_many_to_many() {
    within(LIMIT, || {
        for cap in [0, 1, 16] {
            let (tx, rx) = goro::chan::<u64>(cap);
            let n = 4;
            let per = 5_000u64;
            let senders: Vec<_> = (0..n)
                .map(|s| {
                    let tx = tx.clone();
                    std::thread::spawn(move || {
                        (0..per).for_each(|i| tx.send_blocking(s * per + i).unwrap())
                    })
                })
                .collect();
            drop(tx);
            let recvs: Vec<_> = (0..n)
                .map(|_| {
                    let rx = rx.clone();
                    std::thread::spawn(move || {
                        rx.iter().fold((0u64, 0u64), |(c, s), v| (c + 1, s + v))
                    })
                })
                .collect();
            senders.into_iter().for_each(|h| h.join().unwrap());
            let (c, s) = recvs
                .into_iter()
                .map(|h| h.join().unwrap())
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            assert_eq!(c, n * per);
            assert_eq!(s, (0..n * per).sum::<u64>());
        }
    });
}

#[goro::test]
async fn goroutines_ping_pong() {
    for cap in [0, 1, 8] {
        let (ping_tx, ping_rx) = goro::chan::<u32>(cap);
        let (pong_tx, pong_rx) = goro::chan::<u32>(cap);
        let h = goro::go(async move {
            while let Some(v) = ping_rx.recv().await {
                pong_tx.send(v + 1).await.unwrap();
            }
        });
        for i in 0..1000 {
            ping_tx.send(i).await.unwrap();
            assert_eq!(pong_rx.recv().await, Some(i + 1));
        }
        drop(ping_tx);
        h.await.unwrap();
        assert_eq!(pong_rx.recv().await, None);
    }
}

#[goro::test]
async fn receiver_is_a_stream() {
    use futures_core::Stream;
    let (tx, mut rx) = goro::chan::<u32>(0);
    goro::go(async move {
        for i in 0..5 {
            tx.send(i).await.unwrap();
        }
    });
    let mut got = Vec::new();
    while let Some(v) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut rx).poll_next(cx)).await {
        got.push(v);
    }
    assert_eq!(got, [0, 1, 2, 3, 4]);
}

#[test]
fn dropped_receiver_with_pending_stream_gives_value_back() {
    use futures_core::Stream;
    let (tx, rx) = goro::chan::<u32>(0);
    let mut rx1 = rx.clone();
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(std::pin::Pin::new(&mut rx1).poll_next(&mut cx).is_pending());
    assert_eq!(tx.try_send(8), Ok(()), "the parked stream takes it");
    drop(rx1);
    assert_eq!(rx.try_recv(), Ok(8), "the dropped stream handed it back");
}

/// A waker that counts its wake-ups and unparks a thread.
struct Counting(std::sync::atomic::AtomicUsize, std::thread::Thread);

impl std::task::Wake for Counting {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.1.unpark();
    }
}

/// A queued receive re-polled from another context (a new waker) is woken
/// through that one when a sender arrives, many times over: the lone
/// operation's waker moves under the channel lock, and the sender takes
/// whichever is there when it hands the value over. (A sender that came
/// between the two polls wakes the old one, and the re-poll is ready.) A
/// lost wake-up hangs the wait, which `within` fails.
#[test]
fn requeued_receive_wakes_its_latest_waker() {
    within(LIMIT, || {
        let (tx, rx) = goro::chan::<u32>(0);
        let sender = std::thread::spawn(move || (0..2_000).try_for_each(|i| tx.send_blocking(i)));
        let me = std::thread::current();
        let old = std::sync::Arc::new(Counting(0.into(), me.clone()));
        let new = std::sync::Arc::new(Counting(0.into(), me));
        for i in 0..2_000 {
            let mut recv = rx.recv();
            let old_waker = std::task::Waker::from(old.clone());
            let mut cx_old = std::task::Context::from_waker(&old_waker);
            let waker = std::task::Waker::from(new.clone());
            let mut cx = std::task::Context::from_waker(&waker);
            let mut got = std::pin::Pin::new(&mut recv).poll(&mut cx_old);
            let woken = new.0.load(std::sync::atomic::Ordering::SeqCst);
            if got.is_pending() {
                got = std::pin::Pin::new(&mut recv).poll(&mut cx);
            }
            while got.is_pending() {
                // Only the new waker may end this wait: park until it fires.
                while new.0.load(std::sync::atomic::Ordering::SeqCst) == woken {
                    std::thread::park();
                }
                got = std::pin::Pin::new(&mut recv).poll(&mut cx);
            }
            assert_eq!(got, Poll::Ready(Some(i)));
        }
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}
