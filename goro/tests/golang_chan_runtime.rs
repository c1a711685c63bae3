//! Ported from go/src/runtime/chan_test.go: the runtime's own channel and
//! select tests. Counts are scaled (Go's `-short` sizes or below) so the
//! suite stays quick on two busy cores.

use goro::chan::{Receiver, Sender};
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// Polls once with a no-op waker.
fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

// Ported from go/src/runtime/chan_test.go: TestChan. Go checks "blocks" by
// sleeping a millisecond; here a single poll must return Pending, which is
// exact.
#[goro::test]
async fn test_chan() {
    const N: usize = 20; // Go's -short size
    for cap in 0..N {
        // Receive from an empty channel blocks; a non-blocking one does not.
        let (c, r) = goro::chan::<i32>(cap);
        assert!(
            poll_once(std::pin::pin!(r.recv())).is_pending(),
            "chan[{cap}]: receive from empty chan"
        );
        let got = goro::select! { recv(r) -> _ => true, default => false };
        assert!(!got, "chan[{cap}]: receive from empty chan");
        drop(c);

        // Send to a full channel blocks.
        let (c, r) = goro::chan::<i32>(cap);
        for i in 0..cap as i32 {
            c.send(i).await.unwrap();
        }
        assert!(
            poll_once(std::pin::pin!(c.send(0))).is_pending(),
            "chan[{cap}]: send to full chan"
        );
        let sent = goro::select! { send(c, 0) -> _ => true, default => false };
        assert!(!sent, "chan[{cap}]: send to full chan");
        drop(r);

        // Receive the buffered values then the zero value from a closed chan.
        let (c, r) = goro::chan::<i32>(cap);
        for i in 0..cap as i32 {
            c.send(i).await.unwrap();
        }
        c.close();
        for i in 0..cap as i32 {
            assert_eq!(r.recv().await, Some(i), "chan[{cap}]");
        }
        assert_eq!(r.recv().await, None);
        assert_eq!(r.recv().await, None);

        // Close unblocks a receive.
        let (c, r) = goro::chan::<i32>(cap);
        let (done_tx, done) = goro::chan::<bool>(0);
        goro::go(async move { done_tx.send(r.recv().await.is_none()).await.unwrap() });
        goro::yield_now().await;
        c.close();
        assert_eq!(
            done.recv().await,
            Some(true),
            "chan[{cap}]: received non zero from closed chan"
        );

        fifo_and_fan(cap).await;

        // len/cap.
        let (c, _r) = goro::chan::<i32>(cap);
        assert_eq!((c.len(), c.cap()), (0, cap));
        for i in 0..cap as i32 {
            c.send(i).await.unwrap();
        }
        assert_eq!((c.len(), c.cap()), (cap, cap));
    }
}

/// TestChan's FIFO and 4×4 parts: 100 integers in order, then 4 senders
/// and 4 receivers of 1000 each, every value seen exactly 4 times.
async fn fifo_and_fan(cap: usize) {
    let (c, r) = goro::chan::<i32>(cap);
    let tx = c.clone();
    goro::go(async move {
        for i in 0..100 {
            tx.send(i).await.unwrap();
        }
    });
    for i in 0..100 {
        assert_eq!(r.recv().await, Some(i), "chan[{cap}]");
    }
    const P: usize = 4;
    const L: usize = 1000;
    for _ in 0..P {
        let tx = c.clone();
        goro::go(async move {
            for i in 0..L {
                tx.send(i as i32).await.unwrap();
            }
        });
    }
    let (done_tx, done) = goro::chan::<Vec<usize>>(0);
    for _ in 0..P {
        let (r, done_tx) = (r.clone(), done_tx.clone());
        goro::go(async move {
            let mut seen = vec![0; L];
            for _ in 0..L {
                seen[r.recv().await.unwrap() as usize] += 1;
            }
            done_tx.send(seen).await.unwrap();
        });
    }
    let mut total = vec![0; L];
    for _ in 0..P {
        for (t, s) in total.iter_mut().zip(done.recv().await.unwrap()) {
            *t += s;
        }
    }
    assert!(total.iter().all(|&n| n == P), "chan[{cap}]: every value received {P} times");
}

// Ported from go/src/runtime/chan_test.go: TestNonblockRecvRace.
#[goro::test]
async fn nonblock_recv_race() {
    for _ in 0..1000 {
        let (c, r) = goro::chan::<i32>(1);
        c.send(1).await.unwrap();
        let r2 = r.clone();
        let h = goro::go(async move {
            goro::select! { recv(r2) -> _ => {}, default => panic!("chan is not ready") }
        });
        c.close();
        r.recv().await;
        h.await.unwrap();
    }
}

// Ported from go/src/runtime/chan_test.go: TestNonblockSelectRace. From the
// moment the goroutine starts, c1 or c2 is always ready, so its select must
// never take default: it polls both under both locks (Go's lockorder).
// Go's n (100000; 1000 with -short).
#[goro::test(timeout_secs = 120)]
async fn nonblock_select_race() {
    nonblock_select_race_with(false).await;
}

// Ported from go/src/runtime/chan_test.go: TestNonblockSelectRace2, with
// close(c2) in place of c2 <- 1. Go's n, as above.
#[goro::test(timeout_secs = 120)]
async fn nonblock_select_race2() {
    nonblock_select_race_with(true).await;
}

/// Go's n for both NonblockSelectRace tests (without -short).
const NONBLOCK_SELECT_RACE_N: usize = 100_000;

/// The body of both NonblockSelectRace tests.
async fn nonblock_select_race_with(close_c2: bool) {
    let (done_tx, done) = goro::chan::<bool>(1);
    for _ in 0..NONBLOCK_SELECT_RACE_N {
        let (c1, r1) = goro::chan::<i32>(1);
        let (c2, r2) = goro::chan::<i32>(if close_c2 { 0 } else { 1 });
        c1.send(1).await.unwrap();
        let (g1, g2, d) = (r1.clone(), r2.clone(), done_tx.clone());
        goro::go(async move {
            let ok =
                goro::select! { recv(g1) -> _ => true, recv(g2) -> _ => true, default => false };
            d.send(ok).await.unwrap();
        });
        if close_c2 {
            c2.close();
        } else {
            c2.send(1).await.unwrap();
        }
        goro::select! { recv(r1) -> _ => {}, default => {} }
        assert_eq!(done.recv().await, Some(true), "no chan is ready");
    }
}

// Ported from go/src/runtime/chan_test.go: TestSelfSelect. A select that
// sends and receives on the same channel must not talk to itself.
#[goro::test]
async fn self_select() {
    for cap in [0, 10] {
        let (c, r) = goro::chan::<usize>(cap);
        let hs: Vec<_> = (0..2)
            .map(|p| {
                let (c, r) = (c.clone(), r.clone());
                goro::go(async move {
                    for i in 0..1000 {
                        let v = if p == 0 || i % 2 == 0 {
                            goro::select! { send(c, p) -> _ => None, recv(r) -> v => v }
                        } else {
                            goro::select! { recv(r) -> v => v, send(c, p) -> _ => None }
                        };
                        assert!(!(cap == 0 && v == Some(p)), "self receive");
                    }
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    }
}

// Ported from go/src/runtime/chan_test.go: TestSelectStress. Four plain
// senders and receivers per channel, plus one select sending on all four
// and one receiving from all four, turning channels off as they finish.
#[goro::test]
async fn select_stress() {
    const N: usize = 10_000; // Go's -short size
    let chans: Vec<(Sender<i32>, Receiver<i32>)> =
        [0, 0, 2, 3].into_iter().map(goro::chan).collect();
    let mut hs = Vec::new();
    for (c, r) in &chans {
        let c = c.clone();
        hs.push(goro::go(async move {
            for _ in 0..N {
                c.send(0).await.unwrap();
            }
        }));
        let r = r.clone();
        hs.push(goro::go(async move {
            for _ in 0..N {
                r.recv().await.unwrap();
            }
        }));
    }
    let tx: Vec<Sender<i32>> = chans.iter().map(|c| c.0.clone()).collect();
    hs.push(goro::go(async move {
        let mut n = [0; 4];
        let mut c1: Vec<Option<&Sender<i32>>> = tx.iter().map(Some).collect();
        for _ in 0..4 * N {
            let k = goro::select! {
                send(c1[3], 0) -> _ => 3,
                send(c1[2], 0) -> _ => 2,
                send(c1[0], 0) -> _ => 0,
                send(c1[1], 0) -> _ => 1,
            };
            n[k] += 1;
            if n[k] == N {
                c1[k] = None;
            }
        }
    }));
    let rx: Vec<Receiver<i32>> = chans.iter().map(|c| c.1.clone()).collect();
    hs.push(goro::go(async move {
        let mut n = [0; 4];
        let mut c1: Vec<Option<&Receiver<i32>>> = rx.iter().map(Some).collect();
        for _ in 0..4 * N {
            let k = goro::select! {
                recv(c1[0]) -> _ => 0,
                recv(c1[1]) -> _ => 1,
                recv(c1[2]) -> _ => 2,
                recv(c1[3]) -> _ => 3,
            };
            n[k] += 1;
            if n[k] == N {
                c1[k] = None;
            }
        }
    }));
    for h in hs {
        h.await.unwrap();
    }
}

// Ported from go/src/runtime/chan_test.go: TestPseudoRandomSend. Two send
// cases on one channel: both values must show up.
#[goro::test]
async fn pseudo_random_send() {
    let n = 100;
    for cap in [0, n] {
        let (c, r) = goro::chan::<usize>(cap);
        let h = goro::go(async move {
            let mut l = Vec::with_capacity(n);
            for _ in 0..n {
                goro::yield_now().await;
                l.push(r.recv().await.unwrap());
            }
            l
        });
        for _ in 0..n {
            goro::select! { send(c, 1) -> r => r.unwrap(), send(c, 0) -> r => r.unwrap() }
        }
        let l = h.await.unwrap();
        let n1: usize = l.iter().sum();
        let n0 = n - n1;
        assert!(
            n0 > n / 10 && n1 > n / 10,
            "want pseudorandom, got {n0} zeros and {n1} ones (cap {cap})"
        );
    }
}

// Ported from go/src/runtime/chan_test.go: TestMultiConsumer. 23 workers
// range over a queue and forward to a result channel that closes when all
// are done; count and sum must match.
#[goro::test]
async fn multi_consumer() {
    const NWORK: usize = 23;
    const NITER: usize = 27_183; // Go's 271828 scaled by 10
    let pn = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
    let (q, qr) = goro::chan::<usize>(NWORK * 3);
    let (r, rr) = goro::chan::<usize>(NWORK * 3);
    for w in 0..NWORK {
        let (qr, r) = (qr.clone(), r.clone());
        goro::go(async move {
            while let Some(v) = qr.recv().await {
                // mess with the fifo-ish nature of range
                if pn[w % pn.len()] == v {
                    goro::yield_now().await;
                }
                r.send(v).await.unwrap();
            }
        });
    }
    drop((qr, r)); // r closes when the last worker is done
    let feeder = goro::go(async move {
        let mut expect = 0;
        for i in 0..NITER {
            let v = pn[i % pn.len()];
            expect += v;
            q.send(v).await.unwrap();
        }
        expect // q closes here: no more work
    });
    let (mut n, mut s) = (0, 0);
    while let Some(v) = rr.recv().await {
        n += 1;
        s += v;
    }
    let expect = feeder.await.unwrap();
    assert_eq!((n, s), (NITER, expect));
}

// Ported from go/src/runtime/chan_test.go: TestSelectDuplicateChannel. A
// select queued twice on one channel must dequeue itself cleanly, or the
// next waiter on that channel is lost. Go orders the steps with sleeps;
// here single polls order them exactly.
#[test]
fn select_duplicate_channel() {
    let (c, cr) = goro::chan::<i32>(0);
    let (d, dr) = goro::chan::<i32>(0);
    let mut a = std::pin::pin!(async {
        goro::select! { recv(cr) -> _ => 'c', recv(cr) -> _ => 'c', recv(dr) -> _ => 'd' }
    });
    assert!(poll_once(a.as_mut()).is_pending(), "A is queued on c twice and on d");
    let mut b = std::pin::pin!(cr.recv());
    assert!(poll_once(b.as_mut()).is_pending(), "B is queued on c after A");
    d.try_send(7).unwrap();
    assert_eq!(poll_once(a.as_mut()), Poll::Ready('d'), "A woke on d and left c");
    c.try_send(8).unwrap();
    assert_eq!(poll_once(b.as_mut()), Poll::Ready(Some(8)), "B, not A, got c's value");
}

// Ported from go/src/runtime/chan_test.go: TestSelectFairness. With two
// always-ready cases among four, each must win about half the time: fail
// beyond Go's 10-sigma bound.
#[goro::test]
async fn select_fairness() {
    const TRIALS: usize = 10_000;
    let (c1, r1) = goro::chan::<u8>(TRIALS + 1);
    let (c2, r2) = goro::chan::<u8>(TRIALS + 1);
    for _ in 0..=TRIALS {
        c1.send(1).await.unwrap();
        c2.send(2).await.unwrap();
    }
    let (_c3, r3) = goro::chan::<u8>(0);
    let (_c4, r4) = goro::chan::<u8>(0);
    let (out, out_rx) = goro::chan::<u8>(0);
    let (done, done_rx) = goro::chan::<()>(0);
    let h = goro::go(async move {
        loop {
            let b = goro::select! {
                recv(r3) -> b => b,
                recv(r4) -> b => b,
                recv(r1) -> b => b,
                recv(r2) -> b => b,
            };
            goro::select! {
                send(out, b.unwrap()) -> _ => {},
                recv(done_rx) -> _ => return,
            }
        }
    });
    let (mut cnt1, mut cnt2) = (0.0f64, 0.0f64);
    for _ in 0..TRIALS {
        match out_rx.recv().await {
            Some(1) => cnt1 += 1.0,
            Some(2) => cnt2 += 1.0,
            b => panic!("unexpected value {b:?} on channel"),
        }
    }
    let mean = TRIALS as f64 * 0.5;
    let stddev = (TRIALS as f64 * 0.5 * 0.5).sqrt();
    assert!(
        (cnt1 - mean).abs() <= 10.0 * stddev,
        "unfair select: in {TRIALS} trials, results were {cnt1}, {cnt2}"
    );
    done.close();
    h.await.unwrap();
}
