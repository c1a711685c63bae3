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
#[derive(Clone, Copy, Debug)]
enum Op {
    /// `send`/`recv` (and their blocking forms).
    Plain,
    /// A two-case `select!` (`select_blocking!` on a thread): the channel's
    /// case and a receive on a channel that never fires.
    Select,
}

/// Sends 0..N on `tx` by `op`, in a goroutine or a task.
async fn send_all(op: Op, tx: goro::chan::Sender<u64>) {
    let never = goro::time::never::<u64>();
    for i in 0..N {
        match op {
            Op::Plain => tx.send(i).await.unwrap(),
            Op::Select => goro::select! {
                send(tx, i) -> r => r.unwrap(),
                recv(never) -> _ => unreachable!(),
            },
        }
    }
}

/// Sends 0..N on `tx` by `op`, on a plain thread.
fn send_all_blocking(op: Op, tx: goro::chan::Sender<u64>) {
    let never = goro::time::never::<u64>();
    for i in 0..N {
        match op {
            Op::Plain => tx.send_blocking(i).unwrap(),
            Op::Select => goro::select_blocking! {
                send(tx, i) -> r => r.unwrap(),
                recv(never) -> _ => unreachable!(),
            },
        }
    }
}

/// Receives everything on `rx` by `op`, in a goroutine or a task; returns
/// the sum.
async fn sum(op: Op, rx: goro::chan::Receiver<u64>) -> u64 {
    let (never, mut s) = (goro::time::never::<u64>(), 0);
    loop {
        let v = match op {
            Op::Plain => rx.recv().await,
            Op::Select => goro::select! {
                recv(rx) -> v => v,
                recv(never) -> _ => unreachable!(),
            },
        };
        match v {
            Some(v) => s += v,
            None => return s,
        }
    }
}

/// Receives everything on `rx` by `op`, on a plain thread; returns the sum.
fn sum_blocking(op: Op, rx: goro::chan::Receiver<u64>) -> u64 {
    let (never, mut s) = (goro::time::never::<u64>(), 0);
    loop {
        let v = match op {
            Op::Plain => rx.recv_blocking(),
            Op::Select => goro::select_blocking! {
                recv(rx) -> v => v,
                recv(never) -> _ => unreachable!(),
            },
        };
        match v {
            Some(v) => s += v,
            None => return s,
        }
    }
}

/// Sends 0..N on `tx` from `side` by `op`; returns a join closure.
fn producer(
    side: Side,
    op: Op,
    tx: goro::chan::Sender<u64>,
    rt: &tokio::runtime::Runtime,
) -> Box<dyn FnOnce()> {
    match side {
        Side::Goroutine => {
            let h = goro::go(send_all(op, tx));
            Box::new(move || h.join_blocking().unwrap())
        }
        Side::Tokio => {
            let (h, handle) = (rt.spawn(send_all(op, tx)), rt.handle().clone());
            Box::new(move || handle.block_on(h).unwrap())
        }
        Side::Thread => {
            let h = std::thread::spawn(move || send_all_blocking(op, tx));
            Box::new(move || h.join().unwrap())
        }
    }
}

/// Receives everything on `rx` from `side` by `op`; returns the sum.
fn consumer(
    side: Side,
    op: Op,
    rx: goro::chan::Receiver<u64>,
    rt: &tokio::runtime::Runtime,
) -> u64 {
    match side {
        Side::Goroutine => goro::go(sum(op, rx)).join_blocking().unwrap(),
        Side::Tokio => rt.block_on(rt.spawn(sum(op, rx))).unwrap(),
        Side::Thread => sum_blocking(op, rx),
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
                    let join = producer(from, ops.0, tx, &rt);
                    let sum = consumer(to, ops.1, rx, &rt);
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
            .map(|s| producer(s, Op::Plain, tx.clone(), &rt))
            .into();
        drop(tx);
        let sum = consumer(Side::Tokio, Op::Plain, rx, &rt);
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
