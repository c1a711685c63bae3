//! loom models of the channel core: send/receive/close on the rendezvous
//! flavour, and the waiter handoff under cancellation.

use crate::chan::{chan, park, TryRecvError};
use crate::loom::thread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// A rendezvous send meets a blocking receive; then close ends the receiver.
#[test]
fn loom_unbuffered_send_recv_close() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(0);
        let r = thread::spawn(move || (rx.recv_blocking(), rx.recv_blocking()));
        let sent = tx.send_blocking(7);
        drop(tx); // the last sender closes the channel
        let (first, second) = r.join().unwrap();
        assert_eq!(sent, Ok(()));
        assert_eq!((first, second), (Some(7), None));
    });
}

/// Close races a blocked sender and a blocked receiver on a bounded
/// channel: the sender gets its value back or delivered it, never both.
#[test]
fn loom_bounded_close_wakes_everyone() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(1);
        tx.try_send(1).unwrap();
        let tx2 = tx.clone();
        let s = thread::spawn(move || tx2.send_blocking(2));
        let closer = thread::spawn(move || tx.close());
        let mut got = Vec::new();
        while let Some(v) = rx.recv_blocking() {
            got.push(v);
        }
        let sent = s.join().unwrap();
        assert!(closer.join().unwrap());
        match sent {
            Ok(()) => assert_eq!(got, [1, 2]),
            Err(e) => {
                assert_eq!(e.0, 2);
                assert_eq!(got, [1]);
            }
        }
    });
}

/// A waiting receive is handed a value while its future is being dropped:
/// the value ends up exactly once, in the receiver's hands or back in the
/// channel, or the sender keeps it.
#[test]
fn loom_cancelled_recv_hands_back() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(0);
        let rx2 = rx.clone();
        let r = thread::spawn(move || {
            let mut fut = pin!(rx2.recv());
            match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(v) => v,
                Poll::Pending => None, // dropped while (maybe) being handed a value
            }
        });
        let sent = tx.try_send(9).is_ok();
        let received = r.join().unwrap();
        let left = rx.try_recv();
        let count = usize::from(received.is_some()) + usize::from(left.is_ok());
        assert_eq!(count, usize::from(sent), "delivered once iff sent");
        if !sent {
            assert_eq!(left, Err(TryRecvError::Empty));
        }
    });
}

/// Two blocking senders and one receiver on bounded(1): FIFO per sender,
/// every value once.
#[test]
fn loom_bounded_two_senders() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(1);
        let tx2 = tx.clone();
        let a = thread::spawn(move || tx2.send_blocking(1).unwrap());
        let b = thread::spawn(move || tx.send_blocking(2).unwrap());
        let mut got: Vec<u32> = rx.iter().collect(); // ends when both are gone
        a.join().unwrap();
        b.join().unwrap();
        got.sort();
        assert_eq!(got, [1, 2]);
    });
}

/// `park::block_on` is loom's own under the model.
#[test]
fn loom_block_on_is_modelled() {
    loom::model(|| assert_eq!(park::block_on(async { 3 }), 3));
}

/// A waker that records its wake-up (loom's atomics inside std's `Wake`).
struct Flag(crate::loom::atomic::AtomicBool);

impl std::task::Wake for Flag {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.store(true, crate::loom::atomic::Ordering::Release);
    }
}

/// A fresh flag and its waker.
fn flag() -> (std::sync::Arc<Flag>, Waker) {
    let f = std::sync::Arc::new(Flag(crate::loom::atomic::AtomicBool::new(false)));
    (f.clone(), Waker::from(f))
}

/// A queued receive re-polled with a new waker while a sender decides it:
/// the wake-up goes to the new waker (the lone op's waker lives under the
/// channel lock, and the sender takes it before its claim).
#[test]
fn loom_lone_recv_rewaked_while_decided() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(0);
        let s = thread::spawn(move || tx.send_blocking(5));
        let (_, a) = flag();
        let (b_woken, b) = flag();
        let mut fut = pin!(rx.recv());
        if let Poll::Ready(v) = fut.as_mut().poll(&mut Context::from_waker(&a)) {
            assert_eq!(v, Some(5));
            assert_eq!(s.join().unwrap(), Ok(()));
            return;
        }
        let mut cx = Context::from_waker(&b);
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            assert_eq!(v, Some(5));
        } else {
            assert_eq!(s.join().unwrap(), Ok(())); // it woke us before returning
            assert!(b_woken.0.load(crate::loom::atomic::Ordering::Acquire), "the new waker");
            assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Some(5)));
            return;
        }
        assert_eq!(s.join().unwrap(), Ok(()));
    });
}

/// The same for a queued send on a full bounded channel, decided by a
/// receiver that refills the buffer with its value.
#[test]
fn loom_lone_send_rewaked_while_decided() {
    loom::model(|| {
        let (tx, rx) = chan::<u32>(1);
        tx.try_send(1).unwrap();
        let (_, a) = flag();
        let (b_woken, b) = flag();
        let r = thread::spawn(move || (rx.recv_blocking(), rx.recv_blocking()));
        {
            let mut fut = pin!(tx.send(2));
            if fut.as_mut().poll(&mut Context::from_waker(&a)).is_pending() {
                let mut cx = Context::from_waker(&b);
                if fut.as_mut().poll(&mut cx).is_pending() {
                    while !b_woken.0.load(crate::loom::atomic::Ordering::Acquire) {
                        thread::yield_now(); // the wake-up must reach the new waker
                    }
                    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Ok(())));
                }
            }
        }
        drop(tx);
        assert_eq!(r.join().unwrap(), (Some(1), Some(2)));
    });
}
