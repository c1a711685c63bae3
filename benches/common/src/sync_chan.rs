//! crossbeam-channel's benchmark workloads on plain threads, generic over a
//! channel with blocking operations.
//!
//! Shapes follow crossbeam-channel/benchmarks: `seq` sends everything then
//! receives everything on one thread; `spsc`, `mpsc`, `mpmc` use `THREADS`
//! producers (and consumers); `select_rx` receives from four channels with a
//! select on the main thread; `select_both` does so from `THREADS` threads.

use crate::{probe, Flavor, Msg, MESSAGES, THREADS};
use std::thread;
use std::time::{Duration, Instant};

/// A channel with blocking operations, as the thread workloads need it.
pub trait SyncChan: 'static {
    /// The sending half.
    type Tx: Clone + Send + 'static;
    /// The receiving half.
    type Rx: Clone + Send + 'static;
    /// Makes a channel of `flavor`, or `None` where the crate has no such
    /// channel.
    fn make(flavor: Flavor) -> Option<(Self::Tx, Self::Rx)>;
    /// Sends, blocking while full. Implementations mark `send` and `recv`
    /// `#[inline]`, so the workload calls the crate as a user's code would
    /// (see `crate::op`).
    fn send(tx: &Self::Tx, v: Msg);
    /// Receives, blocking while empty.
    fn recv(rx: &Self::Rx);
    /// Whether the crate offers a select over receives.
    const SELECT: bool;
    /// Receives one message from any of four channels (only if `SELECT`).
    fn select4(rxs: &[Self::Rx; 4]);
}

/// Runs `workload` of `flavor` and returns its time, or why it is n/a.
pub fn run<C: SyncChan>(workload: &str, flavor: Flavor) -> Result<Duration, &'static str> {
    let _pad = crate::layout_pad();
    let start = Instant::now();
    match workload {
        "seq" => seq::<C>(flavor)?,
        "spsc" => spsc::<C>(flavor)?,
        "mpsc" => mpsc::<C>(flavor)?,
        "mpmc" => mpmc::<C>(flavor)?,
        "select_rx" => select_rx::<C>(flavor)?,
        "select_both" => select_both::<C>(flavor)?,
        _ => panic!("unknown channel workload {workload}"),
    }
    Ok(start.elapsed())
}

/// Makes a channel or reports the flavor as n/a.
fn make<C: SyncChan>(flavor: Flavor) -> Result<(C::Tx, C::Rx), &'static str> {
    C::make(flavor).ok_or("flavor not offered")
}

/// Four channels for the select workloads.
/// Four channels' senders and receivers.
type Four<C> = ([<C as SyncChan>::Tx; 4], [<C as SyncChan>::Rx; 4]);

fn make4<C: SyncChan>(flavor: Flavor) -> Result<Four<C>, &'static str> {
    let (t0, r0) = make::<C>(flavor)?;
    let (t1, r1) = make::<C>(flavor)?;
    let (t2, r2) = make::<C>(flavor)?;
    let (t3, r3) = make::<C>(flavor)?;
    Ok(([t0, t1, t2, t3], [r0, r1, r2, r3]))
}

/// Sends `n` messages on a new thread, then marks the probe's end of
/// sending (once per producer; reported only where `spsc`/`mpsc` ran).
fn producer<C: SyncChan>(tx: C::Tx, n: usize) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        (0..n).for_each(|i| C::send(&tx, i));
        probe::sends_done();
    })
}

/// The single consumer of `spsc` and `mpsc`: its first receive is marked
/// apart from the loop over the rest, so no message pays a branch.
fn consume_probed<C: SyncChan>(rx: &C::Rx) {
    C::recv(rx);
    probe::first_recv();
    (1..MESSAGES).for_each(|_| C::recv(rx));
}

fn seq<C: SyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    let (tx, rx) = make::<C>(flavor)?;
    (0..MESSAGES).for_each(|i| C::send(&tx, i));
    (0..MESSAGES).for_each(|_| C::recv(&rx));
    Ok(())
}

fn spsc<C: SyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    let (tx, rx) = make::<C>(flavor)?;
    probe::start();
    let p = producer::<C>(tx, MESSAGES);
    consume_probed::<C>(&rx);
    p.join().unwrap();
    Ok(())
}

fn mpsc<C: SyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    let (tx, rx) = make::<C>(flavor)?;
    probe::start();
    let ps: Vec<_> = (0..THREADS).map(|_| producer::<C>(tx.clone(), MESSAGES / THREADS)).collect();
    consume_probed::<C>(&rx);
    ps.into_iter().for_each(|p| p.join().unwrap());
    Ok(())
}

fn mpmc<C: SyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    let (tx, rx) = make::<C>(flavor)?;
    let ps: Vec<_> = (0..THREADS).map(|_| producer::<C>(tx.clone(), MESSAGES / THREADS)).collect();
    let cs: Vec<_> = (0..THREADS)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || (0..MESSAGES / THREADS).for_each(|_| C::recv(&rx)))
        })
        .collect();
    ps.into_iter().chain(cs).for_each(|t| t.join().unwrap());
    Ok(())
}

fn select_rx<C: SyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    if !C::SELECT {
        return Err("no select");
    }
    let (txs, rxs) = make4::<C>(flavor)?;
    let ps: Vec<_> = txs.iter().map(|tx| producer::<C>(tx.clone(), MESSAGES / THREADS)).collect();
    (0..MESSAGES).for_each(|_| C::select4(&rxs));
    ps.into_iter().for_each(|p| p.join().unwrap());
    drop(txs); // held open so that no select sees a closed channel
    Ok(())
}

fn select_both<C: SyncChan>(flavor: Flavor) -> Result<(), &'static str> {
    if !C::SELECT {
        return Err("no select");
    }
    let (txs, rxs) = make4::<C>(flavor)?;
    let ps: Vec<_> = txs.iter().map(|tx| producer::<C>(tx.clone(), MESSAGES / THREADS)).collect();
    let cs: Vec<_> = (0..THREADS)
        .map(|_| {
            let rxs = rxs.clone();
            thread::spawn(move || (0..MESSAGES / THREADS).for_each(|_| C::select4(&rxs)))
        })
        .collect();
    ps.into_iter().chain(cs).for_each(|t| t.join().unwrap());
    drop(txs); // held open so that no select sees a closed channel
    Ok(())
}
