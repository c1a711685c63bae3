//! Channels and `select!` between goro goroutines, tokio tasks and plain
//! threads, in every pairing: the channel only needs `std::task::Waker`.

mod support;

use std::time::Duration;
use support::within;

const LIMIT: Duration = Duration::from_secs(30);
const N: u64 = 2_000;

/// Where one side of a channel runs.
#[derive(Clone, Copy, Debug)]
enum Side {
    /// A goro goroutine.
    Goroutine,
    /// A task on a tokio multi-thread runtime.
    Tokio,
    /// A plain `std::thread`.
    Thread,
}

/// How a side uses the channel.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    /// `send`/`recv` (and their blocking forms).
    Plain,
    /// A two-case `select!` (`select_blocking!` on a thread): the channel's
    /// case and a receive on a channel that never fires.
    Select,
}

/// Sends 0..N on `tx` in a `select!` beside a case that never fires.
async fn select_send_all(tx: goro::chan::Sender<u64>) {
    let never = goro::time::never::<u64>();
    for i in 0..N {
        goro::select! {
            send(tx, i) -> r => r.unwrap(),
            recv(never) -> _ => unreachable!(),
        }
    }
}

/// Receives everything on `rx` in a `select!` beside a case that never
/// fires; returns the sum.
async fn select_sum(rx: goro::chan::Receiver<u64>) -> u64 {
    let (never, mut s) = (goro::time::never::<u64>(), 0);
    loop {
        goro::select! {
            recv(rx) -> v => match v {
                Some(v) => s += v,
                None => return s,
            },
            recv(never) -> _ => unreachable!(),
        }
    }
}

/// Sends 0..N on `tx` from `side` in a select; returns a join closure.
fn select_producer(
    side: Side,
    tx: goro::chan::Sender<u64>,
    rt: &tokio::runtime::Runtime,
) -> Box<dyn FnOnce()> {
    match side {
        Side::Goroutine => {
            let h = goro::go(select_send_all(tx));
            Box::new(move || h.join_blocking().unwrap())
        }
        Side::Tokio => {
            let (h, handle) = (rt.spawn(select_send_all(tx)), rt.handle().clone());
            Box::new(move || handle.block_on(h).unwrap())
        }
        Side::Thread => {
            let h = std::thread::spawn(move || {
                let never = goro::time::never::<u64>();
                for i in 0..N {
                    goro::select_blocking! {
                        send(tx, i) -> r => r.unwrap(),
                        recv(never) -> _ => unreachable!(),
                    }
                }
            });
            Box::new(move || h.join().unwrap())
        }
    }
}

/// Receives everything on `rx` from `side` in a select; returns the sum.
fn select_consumer(side: Side, rx: goro::chan::Receiver<u64>, rt: &tokio::runtime::Runtime) -> u64 {
    match side {
        Side::Goroutine => goro::go(select_sum(rx)).join_blocking().unwrap(),
        Side::Tokio => rt.block_on(rt.spawn(select_sum(rx))).unwrap(),
        Side::Thread => {
            let (never, mut s) = (goro::time::never::<u64>(), 0);
            loop {
                goro::select_blocking! {
                    recv(rx) -> v => match v {
                        Some(v) => s += v,
                        None => return s,
                    },
                    recv(never) -> _ => unreachable!(),
                }
            }
        }
    }
}

/// Sends 0..N on `tx` from `side`; returns a join closure.
fn producer(
    side: Side,
    tx: goro::chan::Sender<u64>,
    rt: &tokio::runtime::Runtime,
) -> Box<dyn FnOnce()> {
    match side {
        Side::Goroutine => {
            let h = goro::go(async move {
                for i in 0..N {
                    tx.send(i).await.unwrap();
                }
            });
            Box::new(move || h.join_blocking().unwrap())
        }
        Side::Tokio => {
            let h = rt.spawn(async move {
                for i in 0..N {
                    tx.send(i).await.unwrap();
                }
            });
            let handle = rt.handle().clone();
            Box::new(move || handle.block_on(h).unwrap())
        }
        Side::Thread => {
            let h = std::thread::spawn(move || (0..N).for_each(|i| tx.send_blocking(i).unwrap()));
            Box::new(move || h.join().unwrap())
        }
    }
}

/// Receives everything on `rx` from `side`; returns the sum.
fn consumer(side: Side, rx: goro::chan::Receiver<u64>, rt: &tokio::runtime::Runtime) -> u64 {
    match side {
        Side::Goroutine => goro::go(async move {
            let mut s = 0;
            while let Some(v) = rx.recv().await {
                s += v;
            }
            s
        })
        .join_blocking()
        .unwrap(),
        Side::Tokio => rt
            .block_on(rt.spawn(async move {
                let mut s = 0;
                while let Some(v) = rx.recv().await {
                    s += v;
                }
                s
            }))
            .unwrap(),
        Side::Thread => rx.iter().sum(),
    }
}

/// Every pairing of sides, each side sending or receiving by `ops`.
fn every_pairing(ops: (Op, Op)) {
    within(LIMIT, move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let sides = [Side::Goroutine, Side::Tokio, Side::Thread];
        for from in sides {
            for to in sides {
                for cap in [0, 1, 64] {
                    let (tx, rx) = goro::chan::<u64>(cap);
                    let join = match ops.0 {
                        Op::Plain => producer(from, tx, &rt),
                        Op::Select => select_producer(from, tx, &rt),
                    };
                    let sum = match ops.1 {
                        Op::Plain => consumer(to, rx, &rt),
                        Op::Select => select_consumer(to, rx, &rt),
                    };
                    join();
                    let why = format!("{from:?} {:?} -> {to:?} {:?}, cap {cap}", ops.0, ops.1);
                    assert_eq!(sum, (0..N).sum::<u64>(), "{why}");
                }
            }
        }
    });
}

#[test]
fn every_pairing_of_goroutine_tokio_and_thread() {
    every_pairing((Op::Plain, Op::Plain));
}

#[test]
fn every_pairing_with_a_selecting_sender() {
    every_pairing((Op::Select, Op::Plain));
}

#[test]
fn every_pairing_with_a_selecting_receiver() {
    every_pairing((Op::Plain, Op::Select));
}

// Both sides select: on an unbuffered channel each rendezvous is decided by
// two selects' commit protocols at once, across runtimes.
#[test]
fn every_pairing_with_selects_on_both_sides() {
    every_pairing((Op::Select, Op::Select));
}

#[test]
fn mixed_senders_into_one_channel() {
    within(LIMIT, || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let (tx, rx) = goro::chan::<u64>(0);
        let joins: Vec<_> = [Side::Goroutine, Side::Tokio, Side::Thread]
            .map(|s| producer(s, tx.clone(), &rt))
            .into();
        drop(tx);
        let sum = consumer(Side::Tokio, rx, &rt);
        joins.into_iter().for_each(|j| j());
        assert_eq!(sum, 3 * (0..N).sum::<u64>());
    });
}

#[test]
fn async_timeouts_inside_tokio_tasks() {
    within(LIMIT, || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        rt.block_on(async {
            let (tx, rx) = goro::chan::<u32>(0);
            let r = rx.recv_timeout(Duration::from_millis(20)).await;
            assert_eq!(r, Err(goro::chan::RecvTimeoutError::Timeout));
            let s = tx.send_timeout(1, Duration::from_millis(20)).await;
            assert_eq!(s, Err(goro::chan::SendTimeoutError::Timeout(1)));
            let after = goro::time::after(Duration::from_millis(10));
            assert!(after.recv().await.is_some());
        });
    });
}
