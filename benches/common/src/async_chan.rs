//! crossbeam-channel's benchmark workloads in tasks (goroutines), generic
//! over an async channel and over the runtime that spawns the tasks.
//!
//! The shapes are those of `sync_chan`, with tasks for threads; the main
//! task plays the main thread. Joining uses the runtime's join handles.

use crate::{probe, Flavor, Msg, MESSAGES, THREADS};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// A boxed task body.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Spawns a task on the runtime under test and returns its join.
pub type Spawn = fn(Task) -> Task;

/// An async channel, as the task workloads need it.
pub trait AsyncChan: 'static {
    /// The sending half.
    type Tx: Clone + Send + Sync + 'static;
    /// The receiving half.
    type Rx: Send + 'static;
    /// Makes a channel of `flavor`, or `None` where the crate has none.
    fn make(flavor: Flavor) -> Option<(Self::Tx, Self::Rx)>;
    /// A second receiver of the same channel, or `None` (single consumer).
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx>;
    /// Sends, waiting while full: the crate's own future in [`crate::op::op`],
    /// never an `async` block around it (see the `op` module).
    fn send(tx: &Self::Tx, v: Msg) -> impl Future<Output = ()> + Send + '_;
    /// Receives, waiting while empty.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = ()> + Send + '_;
    /// Whether the crate offers a select over receives in tasks.
    const SELECT: bool;
    /// Receives one message from any of four channels (only if `SELECT`).
    fn select4(rxs: &mut [Self::Rx; 4]) -> impl Future<Output = ()> + Send + '_;
}

/// Runs `workload` of `flavor` in tasks started by `spawn`.
pub async fn run<C: AsyncChan>(
    workload: &str,
    flavor: Flavor,
    spawn: Spawn,
) -> Result<Duration, &'static str> {
    let _pad = crate::layout_pad();
    let start = Instant::now();
    match workload {
        "seq" => seq::<C>(flavor).await?,
        "spsc" => spsc::<C>(flavor, spawn).await?,
        "mpsc" => mpsc::<C>(flavor, spawn).await?,
        "mpmc" => mpmc::<C>(flavor, spawn).await?,
        "select_rx" => select_rx::<C>(flavor, spawn).await?,
        "select_both" => select_both::<C>(flavor, spawn).await?,
        _ => panic!("unknown channel workload {workload}"),
    }
    Ok(start.elapsed())
}

/// Makes a channel or reports the flavor as n/a.
fn make<C: AsyncChan>(flavor: Flavor) -> Result<(C::Tx, C::Rx), &'static str> {
    C::make(flavor).ok_or("flavor not offered")
}

/// Four channels for the select workloads.
/// Four channels' senders and receivers.
type Four<C> = (Vec<<C as AsyncChan>::Tx>, [<C as AsyncChan>::Rx; 4]);

fn make4<C: AsyncChan>(flavor: Flavor) -> Result<Four<C>, &'static str> {
    let (t0, r0) = make::<C>(flavor)?;
    let (t1, r1) = make::<C>(flavor)?;
    let (t2, r2) = make::<C>(flavor)?;
    let (t3, r3) = make::<C>(flavor)?;
    Ok((vec![t0, t1, t2, t3], [r0, r1, r2, r3]))
}

/// Starts a task sending `n` messages, then marking the probe's end of
/// sending (once per producer; reported only where `spsc`/`mpsc` ran).
fn producer<C: AsyncChan>(spawn: Spawn, tx: C::Tx, n: usize) -> Task {
    spawn(Box::pin(async move {
        for i in 0..n {
            C::send(&tx, i).await;
        }
        probe::sends_done();
    }))
}

/// The single consumer of `spsc` and `mpsc`: its first receive is marked
/// apart from the loop over the rest, so no message pays a branch.
async fn consume_probed<C: AsyncChan>(rx: &mut C::Rx) {
    C::recv(rx).await;
    probe::first_recv();
    for _ in 1..MESSAGES {
        C::recv(rx).await;
    }
}

/// Awaits every join.
async fn join_all(joins: Vec<Task>) {
    for j in joins {
        j.await;
    }
}

async fn seq<C: AsyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    let (tx, mut rx) = make::<C>(flavor)?;
    for i in 0..MESSAGES {
        C::send(&tx, i).await;
    }
    for _ in 0..MESSAGES {
        C::recv(&mut rx).await;
    }
    Ok(())
}

async fn spsc<C: AsyncChan>(flavor: Flavor, spawn: Spawn) -> Result<(), &'static str> {
    let (tx, mut rx) = make::<C>(flavor)?;
    probe::start();
    let p = producer::<C>(spawn, tx, MESSAGES);
    consume_probed::<C>(&mut rx).await;
    p.await;
    Ok(())
}

async fn mpsc<C: AsyncChan>(flavor: Flavor, spawn: Spawn) -> Result<(), &'static str> {
    let (tx, mut rx) = make::<C>(flavor)?;
    probe::start();
    let ps = (0..THREADS).map(|_| producer::<C>(spawn, tx.clone(), MESSAGES / THREADS)).collect();
    drop(tx);
    consume_probed::<C>(&mut rx).await;
    join_all(ps).await;
    Ok(())
}

async fn mpmc<C: AsyncChan>(flavor: Flavor, spawn: Spawn) -> Result<(), &'static str> {
    let (tx, rx) = make::<C>(flavor)?;
    C::clone_rx(&rx).ok_or("single consumer")?;
    let mut joins: Vec<Task> =
        (0..THREADS).map(|_| producer::<C>(spawn, tx.clone(), MESSAGES / THREADS)).collect();
    drop(tx);
    for _ in 0..THREADS {
        let mut rx = C::clone_rx(&rx).unwrap();
        joins.push(spawn(Box::pin(async move {
            for _ in 0..MESSAGES / THREADS {
                C::recv(&mut rx).await;
            }
        })));
    }
    join_all(joins).await;
    Ok(())
}

async fn select_rx<C: AsyncChan>(flavor: Flavor, spawn: Spawn) -> Result<(), &'static str> {
    if !C::SELECT {
        return Err("no select");
    }
    let (txs, mut rxs) = make4::<C>(flavor)?;
    let ps = txs.iter().map(|tx| producer::<C>(spawn, tx.clone(), MESSAGES / THREADS)).collect();
    for _ in 0..MESSAGES {
        C::select4(&mut rxs).await;
    }
    join_all(ps).await;
    drop(txs); // held open so that no select sees a closed channel
    Ok(())
}

async fn select_both<C: AsyncChan>(flavor: Flavor, spawn: Spawn) -> Result<(), &'static str> {
    if !C::SELECT {
        return Err("no select");
    }
    let (txs, rxs) = make4::<C>(flavor)?;
    let clone4 = |rxs: &[C::Rx; 4]| rxs.each_ref().map(|r| C::clone_rx(r));
    if clone4(&rxs).iter().any(Option::is_none) {
        return Err("single consumer");
    }
    let mut joins: Vec<Task> =
        txs.iter().map(|tx| producer::<C>(spawn, tx.clone(), MESSAGES / THREADS)).collect();
    for _ in 0..THREADS {
        let mut mine = clone4(&rxs).map(Option::unwrap);
        joins.push(spawn(Box::pin(async move {
            for _ in 0..MESSAGES / THREADS {
                C::select4(&mut mine).await;
            }
        })));
    }
    join_all(joins).await;
    drop(txs); // held open so that no select sees a closed channel
    Ok(())
}
