//! `goro::debug::dump`, `goroutines` and `metrics` read the registry: Go's
//! goroutine dump shape, and a dump that works while a worker is stuck.
// Reads the registry and the hooks, which the `diagnostics` feature provides.
#![cfg(feature = "diagnostics")]

mod support;

use std::time::Duration;

/// Waits (yielding) until goroutine `id` is parked.
async fn parked(id: u64) -> goro::debug::GoroutineView {
    loop {
        if let Some(g) = goro::debug::goroutines().into_iter().find(|g| g.id == id && g.is_parked())
        {
            return g;
        }
        goro::yield_now().await;
    }
}

#[goro::test(timeout_secs = 30)]
async fn a_parked_goroutine_dumps_in_gos_shape() {
    let (tx, rx) = goro::chan::<()>(0);
    let h = goro::go_named("waiter", async move { rx.recv().await });
    let g = parked(h.id()).await;
    assert_eq!(g.wait_reason(), Some(goro::debug::WaitReason::ChanReceive));
    let dump = goro::debug::dump();
    let block = dump
        .split("\n\n")
        .find(|b| b.starts_with(&format!("goroutine {} ", h.id())))
        .unwrap_or_else(|| panic!("no block for the waiter in:\n{dump}"));
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines[0], format!("goroutine {} [chan receive]:", h.id()));
    assert_eq!(lines[1], "\tname: waiter");
    assert!(lines[2].starts_with("\tparked at ") && lines[2].contains("debug_dump.rs"), "{block}");
    assert!(
        lines[3].starts_with("created by goroutine ") && lines[3].contains("debug_dump.rs"),
        "{block}"
    );
    drop(tx);
    h.await.unwrap();
}

// A `#[goro::test]` (or `#[goro::main]`) body is the main goroutine, and
// its dump names where it was entered: the attribute's line, where it was
// once a line of `core` (the runner was passed as a function value, which
// drops `#[track_caller]`'s location).
#[goro::test(timeout_secs = 30)]
async fn the_main_goroutine_is_entered_at_its_attribute() {
    let at = format!("goro/tests/debug_dump.rs:{}:", line!() - 2);
    let main = goro::debug::goroutines()
        .into_iter()
        .find(|g| g.parent == 0 && g.spawned_at.to_string().starts_with(&at))
        .unwrap_or_else(|| panic!("no main goroutine at {at}: {}", goro::debug::dump()));
    let block = goro::debug::format_goroutine(&main, std::time::Instant::now());
    assert!(block.contains(&format!("main goroutine, entered at {at}")), "{block}");
}

#[goro::test(timeout_secs = 30)]
async fn metrics_count_goroutines_parks_and_spawns() {
    let before = goro::debug::metrics();
    let (tx, rx) = goro::chan::<()>(0);
    let h = goro::go(async move { rx.recv().await });
    parked(h.id()).await;
    let m = goro::debug::metrics();
    assert!(m.spawned > before.spawned, "{m:?}");
    assert!(m.goroutines >= 1 && m.procs >= 1, "{m:?}");
    assert!(
        m.parked.get(&goro::debug::WaitReason::ChanReceive).copied().unwrap_or(0) >= 1,
        "{m:?}"
    );
    drop(tx);
    h.await.unwrap();
}

#[test]
fn the_dump_works_while_every_worker_is_stuck() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let stuck = rt.go(async move {
            started_tx.send(()).unwrap();
            release_rx.recv().unwrap(); // holds the only worker: what goro must survive
        });
        started_rx.recv().unwrap();
        let dump = goro::debug::dump();
        assert!(dump.contains(&format!("goroutine {} [running]:", stuck.id())), "{dump}");
        release_tx.send(()).unwrap();
        stuck.join_blocking().unwrap();
    });
}

#[test]
fn the_partial_deadlock_report_finds_nothing_without_holder_records() {
    // The registry does not yet know who holds what (see graph.rs): no edges.
    assert!(goro::debug::deadlocks().is_empty());
}

/// A goroutine's park record is written by the primitive it parks on; a
/// later park on a future that says nothing must replace it with `unknown`,
/// not leave the earlier reason (and place, and channel) standing.
#[goro::test(timeout_secs = 30)]
async fn a_silent_park_after_a_known_one_shows_unknown() {
    let (tx, rx) = goro::chan::<()>(0);
    let (step_tx, step_rx) = goro::chan::<()>(0);
    let h = goro::go(async move {
        rx.recv().await.unwrap(); // parks as "chan receive" first
        step_tx.send(()).await.unwrap();
        std::future::pending::<()>().await // then parks saying nothing
    });
    let g = parked(h.id()).await;
    assert_eq!(g.wait_reason(), Some(goro::debug::WaitReason::ChanReceive), "{g:?}");
    tx.send(()).await.unwrap();
    step_rx.recv().await.unwrap();
    let g = parked(h.id()).await;
    assert_eq!(g.wait_reason(), Some(goro::debug::WaitReason::Unknown), "{g:?}");
    h.abort();
}

/// A goroutine that parks without saying why shows `unknown`, even when the
/// goroutine polled just before it on the same worker said why and then
/// finished instead of parking: that record must not leak into the next
/// goroutine's park (it would name another goroutine's place and channel).
#[test]
fn a_park_record_left_by_a_finished_poll_does_not_leak_to_the_next_goroutine() {
    support::within(Duration::from_secs(30), || {
        let rt = goro::Runtime::builder().procs(1).build().unwrap();
        rt.run(async {
            let (_tx, rx) = goro::chan::<()>(0);
            // Spawned first, so it runs first (new goroutines queue in order).
            let said_then_finished = goro::go(async move {
                let mut recv = std::pin::pin!(rx.recv());
                // One poll: queues a receive and says "chan receive"; then
                // this goroutine finishes without parking.
                std::future::poll_fn(|cx| {
                    let _ = std::future::Future::poll(recv.as_mut(), cx);
                    std::task::Poll::Ready(())
                })
                .await;
            });
            let silent = goro::go(std::future::pending::<()>());
            let g = parked(silent.id()).await;
            assert_eq!(g.wait_reason(), Some(goro::debug::WaitReason::Unknown), "{g:?}");
            said_then_finished.await.unwrap();
            silent.abort();
        });
    });
}
