//! goro's channels on plain threads (feature `goro-chan`): `send_blocking`,
//! `recv_blocking` and `goro::select_blocking!`, the shapes of the
//! crossbeam peer. Written against API.md's channel contract.

use bench_common::Case;

fn main() {
    let case = Case::from_args("goro-threads");
    case.outcome(run(&case));
}

#[cfg(not(feature = "goro-chan"))]
fn run(_: &Case) -> Result<std::time::Duration, &'static str> {
    Err("not built: enable feature goro-chan")
}

#[cfg(feature = "goro-chan")]
fn run(case: &Case) -> Result<std::time::Duration, &'static str> {
    bench_common::sync_chan::run::<imp::GoroThreads>(
        &case.workload,
        bench_common::Flavor::parse(&case.flavor),
    )
}

#[cfg(feature = "goro-chan")]
mod imp {
    use bench_common::sync_chan::SyncChan;
    use bench_common::{Flavor, Msg};
    use goro::chan::{Receiver, Sender};

    /// goro's channels, used with their blocking operations.
    pub struct GoroThreads;

    impl SyncChan for GoroThreads {
        type Tx = Sender<Msg>;
        type Rx = Receiver<Msg>;
        const SELECT: bool = true;

        fn make(flavor: Flavor) -> Option<(Self::Tx, Self::Rx)> {
            Some(flavor.cap().map_or_else(goro::unbounded, goro::chan))
        }

        #[inline] // as the user's own call would be: see `bench_common::op`
        fn send(tx: &Self::Tx, v: Msg) {
            tx.send_blocking(v).unwrap();
        }

        #[inline]
        fn recv(rx: &Self::Rx) {
            rx.recv_blocking().unwrap();
        }

        fn select4(rxs: &[Self::Rx; 4]) {
            goro::select_blocking! {
                recv(rxs[0]) -> v => v.unwrap(),
                recv(rxs[1]) -> v => v.unwrap(),
                recv(rxs[2]) -> v => v.unwrap(),
                recv(rxs[3]) -> v => v.unwrap(),
            };
        }
    }
}
