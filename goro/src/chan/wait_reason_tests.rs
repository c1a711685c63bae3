//! Every park of a goroutine in a channel operation or a select records
//! Go's wait reason and the caller's location in the goroutine registry.

use crate::runtime::WaitReason;
use crate::sync::wait_reason_tests::expect_parked;

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
    for (name, reason) in want {
        expect_parked(name, reason);
    }
    for h in hs {
        h.abort();
    }
    drop((tx, rx2, tx3));
}
