//! The kanal peer on plain threads. kanal has no select: those are n/a.

use bench_common::sync_chan::{self, SyncChan};
use bench_common::{Case, Flavor, Msg};
use kanal::{bounded, unbounded, Receiver, Sender};

fn main() {
    let case = Case::from_args("kanal");
    case.outcome(sync_chan::run::<Kanal>(&case.workload, Flavor::parse(&case.flavor)));
}

/// kanal's blocking channels behind the thread workloads.
struct Kanal;

impl SyncChan for Kanal {
    type Tx = Sender<Msg>;
    type Rx = Receiver<Msg>;
    const SELECT: bool = false;

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

    fn select4(_: &[Self::Rx; 4]) {
        unreachable!("kanal has no select")
    }
}
