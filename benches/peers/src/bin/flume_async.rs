//! The flume peer in tokio tasks (`send_async` / `recv_async`). flume's
//! `Selector` is blocking-only, so the select workloads are n/a here.

// The AsyncChan futures must be Send; the explicit `impl Future + Send`
// form states it where `async fn` would leave it implicit.
#![allow(clippy::manual_async_fn)]

use bench_common::async_chan::{self, AsyncChan, Task};
use bench_common::op::op;
use bench_common::{Case, Flavor, Msg};
use flume::{bounded, unbounded, Receiver, Sender};
use std::future::Future;

fn main() {
    let case = Case::from_args("flume-async");
    let rt = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    // The workload's main body is a task on a worker, as goro's and Go's are.
    let (workload, flavor) = (case.workload.clone(), Flavor::parse(&case.flavor));
    let body = async move { async_chan::run::<FlumeAsync>(&workload, flavor, spawn).await };
    let r = rt.block_on(async move { tokio::spawn(body).await.unwrap() });
    case.outcome(r);
}

fn spawn(t: Task) -> Task {
    let h = tokio::spawn(t);
    Box::pin(async move { h.await.unwrap() })
}

/// flume's async operations behind the task workloads.
struct FlumeAsync;

impl AsyncChan for FlumeAsync {
    type Tx = Sender<Msg>;
    type Rx = Receiver<Msg>;
    const SELECT: bool = false;

    fn make(flavor: Flavor) -> Option<(Self::Tx, Self::Rx)> {
        Some(flavor.cap().map_or_else(unbounded, bounded))
    }

    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }

    fn send(tx: &Self::Tx, v: Msg) -> impl Future<Output = ()> + Send + '_ {
        op(tx.send_async(v))
    }

    fn recv(rx: &mut Self::Rx) -> impl Future<Output = ()> + Send + '_ {
        op(rx.recv_async())
    }

    fn select4(_: &mut [Self::Rx; 4]) -> impl Future<Output = ()> + Send + '_ {
        async { unreachable!("flume has no async select") }
    }
}
