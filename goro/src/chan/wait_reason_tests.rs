//! Every park of a goroutine in a channel operation or a select records
//! Go's wait reason and the caller's location in the goroutine registry.

use crate::runtime::goroutine::registry::{snapshot, GoroutineState};
use crate::runtime::WaitReason;
use std::time::{Duration, Instant};

/// The park reason and file of the live goroutine named `name`, if parked.
fn parked(name: &str) -> Option<(WaitReason, &'static str)> {
    snapshot().into_iter().find(|g| g.name.as_deref() == Some(name)).and_then(|g| match g.state {
        GoroutineState::Parked { reason, at, .. } => Some((reason, at.map_or("", |l| l.file()))),
        _ => None,
    })
}

#[test]
fn channel_parks_record_reason_and_caller() {
    let (tx, rx) = crate::chan::<u32>(0);
    let (tx2, rx2) = crate::chan::<u32>(0);
    let (tx3, rx3) = crate::chan::<u32>(0);
    let hs = [
        crate::go_named("chan-recv", async move { rx.recv().await }),
        crate::go_named("chan-send", async move { tx2.send(1).await.ok().map(|_| 0) }),
        crate::go_named("select", async move {
            crate::select! { recv(rx3) -> v => v }
        }),
        crate::go_named("select-none", async move {
            let none: Option<crate::chan::Receiver<u32>> = None;
            crate::select! { recv(none) -> v => v }
        }),
    ];
    let want = [
        ("chan-recv", WaitReason::ChanReceive),
        ("chan-send", WaitReason::ChanSend),
        ("select", WaitReason::Select),
        ("select-none", WaitReason::SelectNoCases),
    ];
    let deadline = Instant::now() + Duration::from_secs(20);
    for (name, reason) in want {
        loop {
            match parked(name) {
                Some((r, file)) if r == reason => {
                    assert!(file.ends_with("wait_reason_tests.rs"), "{name} parked at {file}");
                    break;
                }
                _ if Instant::now() > deadline => panic!("{name} never parked with {reason}"),
                _ => std::thread::yield_now(),
            }
        }
    }
    for h in hs {
        h.abort();
    }
    drop((tx, rx2, tx3));
}
