//! goro's channels behind the task workloads (feature `goro-chan`): async
//! `send`/`recv` in goroutines and `goro::select!` for the select cases.
//! Written against API.md's channel contract.

use bench_common::async_chan::{AsyncChan, Task};
use bench_common::op::op;
use bench_common::{Flavor, Msg};
use goro::chan::{Receiver, Sender};
use std::future::Future;

/// Spawns a goroutine and returns its join.
pub fn spawn(t: Task) -> Task {
    let h = goro::go(t);
    Box::pin(async move { h.await.unwrap() })
}

/// goro's channels.
pub struct GoroChan;

impl AsyncChan for GoroChan {
    type Tx = Sender<Msg>;
    type Rx = Receiver<Msg>;
    const SELECT: bool = true;

    fn make(flavor: Flavor) -> Option<(Self::Tx, Self::Rx)> {
        Some(flavor.cap().map_or_else(goro::unbounded, goro::chan))
    }

    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }

    fn send(tx: &Self::Tx, v: Msg) -> impl Future<Output = ()> + Send + '_ {
        op(tx.send(v))
    }

    fn recv(rx: &mut Self::Rx) -> impl Future<Output = ()> + Send + '_ {
        op(rx.recv())
    }

    fn select4(rxs: &mut [Self::Rx; 4]) -> impl Future<Output = ()> + Send + '_ {
        async move {
            goro::select! {
                recv(rxs[0]) -> v => v.unwrap(),
                recv(rxs[1]) -> v => v.unwrap(),
                recv(rxs[2]) -> v => v.unwrap(),
                recv(rxs[3]) -> v => v.unwrap(),
            };
        }
    }
}
