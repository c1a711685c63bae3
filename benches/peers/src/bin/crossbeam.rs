//! The crossbeam-channel peer on plain threads: the suite's origin, with
//! every flavor and its `select!`.

use bench_common::sync_chan::{self, SyncChan};
use bench_common::{Case, Flavor, Msg};
use crossbeam_channel::{bounded, select, unbounded, Receiver, Sender};

fn main() {
    let case = Case::from_args("crossbeam");
    case.outcome(sync_chan::run::<Crossbeam>(&case.workload, Flavor::parse(&case.flavor)));
}

/// crossbeam-channel behind the thread workloads.
struct Crossbeam;

impl SyncChan for Crossbeam {
    type Tx = Sender<Msg>;
    type Rx = Receiver<Msg>;
    const SELECT: bool = true;

    fn make(flavor: Flavor) -> Option<(Self::Tx, Self::Rx)> {
        Some(flavor.cap().map_or_else(unbounded, bounded))
    }

    #[inline] // as the user's own call would be: see `bench_common::op`
    fn send(tx: &Self::Tx, v: Msg) {
        tx.send(v).unwrap();
    }

    #[inline]
    fn recv(rx: &Self::Rx) {
        rx.recv().unwrap();
    }

    fn select4(rxs: &[Self::Rx; 4]) {
        select! {
            recv(rxs[0]) -> v => v.unwrap(),
            recv(rxs[1]) -> v => v.unwrap(),
            recv(rxs[2]) -> v => v.unwrap(),
            recv(rxs[3]) -> v => v.unwrap(),
        };
    }
}
