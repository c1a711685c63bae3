//! Channels between goro goroutines, tokio tasks and plain threads, in every
//! pairing: the channel only needs `std::task::Waker`.

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

#[test]
fn every_pairing_of_goroutine_tokio_and_thread() {
    within(LIMIT, || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
        let sides = [Side::Goroutine, Side::Tokio, Side::Thread];
        for from in sides {
            for to in sides {
                for cap in [0, 1, 64] {
                    let (tx, rx) = goro::chan::<u64>(cap);
                    let join = producer(from, tx, &rt);
                    let sum = consumer(to, rx, &rt);
                    join();
                    assert_eq!(sum, (0..N).sum::<u64>(), "{from:?} -> {to:?}, cap {cap}");
                }
            }
        }
    });
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
