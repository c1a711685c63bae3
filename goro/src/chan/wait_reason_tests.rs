//! Every park of a goroutine in a channel operation or a select records
//! Go's wait reason and the caller's own line in the goroutine registry.

use crate::runtime::WaitReason;
use crate::select::Select;
use crate::sync::wait_reason_tests::{expect_parked, parked_at};
use std::panic::Location;
use std::path::Path;
use std::time::Duration;

/// The text of the source line `at` names (`Location::file` is relative to
/// the workspace root or to this crate, depending on how cargo ran rustc).
fn source_line(at: &Location<'_>) -> String {
    let krate = Path::new(env!("CARGO_MANIFEST_DIR"));
    let roots = [krate, krate.parent().unwrap_or(krate)];
    let text = roots
        .iter()
        .find_map(|root| std::fs::read_to_string(root.join(at.file())).ok())
        .unwrap_or_else(|| panic!("no source for {}", at.file()));
    text.lines().nth(at.line() as usize - 1).unwrap_or_default().to_owned()
}

/// Waits until the goroutine `name` parks with `reason`, then checks that
/// the line it recorded is the one in this file that holds `code`.
fn expect_parked_on(name: &str, reason: WaitReason, code: &str) {
    expect_parked(name, reason);
    let (_, at) = parked_at(name).expect("still parked");
    let line = source_line(at);
    assert!(line.contains(code), "{name} parked at {}:{}: {line:?}", at.file(), at.line());
}

#[test]
fn channel_parks_record_reason_and_caller() {
    let (tx, rx) = crate::chan::<u32>(0);
    let (tx2, rx2) = crate::chan::<u32>(0);
    let (tx3, rx3) = crate::chan::<u32>(0);
    let (tx4, rx4) = crate::chan::<u32>(0);
    let (tx5, rx5) = crate::chan::<u32>(0);
    let (tx6, rx6) = crate::chan::<u32>(0);
    let hour = Duration::from_secs(3600);
    let hs = [
        crate::go_named("chan-recv", async move {
            let _ = rx.recv().await;
        }),
        crate::go_named("chan-send", async move {
            let _ = tx2.send(1).await;
        }),
        crate::go_named("select", async move {
            let _ = crate::select! { recv(rx3) -> v => v };
        }),
        crate::go_named("select-all-off", async move {
            let off: Option<crate::chan::Receiver<u32>> = None;
            let _ = crate::select! { recv(off) -> v => v };
        }),
        crate::go_named("select-empty", async move { match crate::select! {} {} }),
        crate::go_named("dynamic-select", async move {
            let mut sel = Select::new();
            sel.recv(&rx4);
            let _ = sel.select().await;
        }),
        crate::go_named("recv-timeout", async move {
            let _ = rx5.recv_timeout(hour).await;
        }),
        crate::go_named("send-timeout", async move {
            let _ = tx6.send_timeout(1, hour).await;
        }),
    ];
    let want = [
        ("chan-recv", WaitReason::ChanReceive, "rx.recv()"),
        ("chan-send", WaitReason::ChanSend, "tx2.send(1)"),
        ("select", WaitReason::Select, "recv(rx3)"),
        // Go parks a select over nil channels as "select" too; only the
        // empty `select {}` is "select (no cases)".
        ("select-all-off", WaitReason::Select, "recv(off)"),
        ("select-empty", WaitReason::SelectNoCases, "crate::select! {}"),
        ("dynamic-select", WaitReason::Select, "sel.select()"),
        ("recv-timeout", WaitReason::ChanReceive, "rx5.recv_timeout(hour)"),
        ("send-timeout", WaitReason::ChanSend, "tx6.send_timeout(1, hour)"),
    ];
    for (name, reason, code) in want {
        expect_parked_on(name, reason, code);
    }
    for h in hs {
        h.abort();
    }
    drop((tx, rx2, tx3, tx4, tx5, rx6));
}
