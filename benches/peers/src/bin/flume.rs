//! The flume peer on plain threads, with flume's `Selector`.

use bench_common::sync_chan::{self, SyncChan};
use bench_common::{Case, Flavor, Msg};
use flume::{bounded, unbounded, Receiver, Selector, Sender};

fn main() {
    let case = Case::from_args("flume");
    case.outcome(sync_chan::run::<Flume>(&case.workload, Flavor::parse(&case.flavor)));
}

/// flume behind the thread workloads.
struct Flume;

impl SyncChan for Flume {
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
        let sel = rxs.iter().fold(Selector::new(), |s, rx| s.recv(rx, |v| v.unwrap()));
        sel.wait();
    }
}
