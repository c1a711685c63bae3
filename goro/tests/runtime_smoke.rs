//! The smallest end-to-end checks of the public runtime API.

use std::time::{Duration, Instant};

#[goro::test]
async fn go_and_join() {
    let h = goro::go(async { 40 + 2 });
    assert_eq!(h.await.unwrap(), 42);
}

#[goro::test]
async fn sleep_never_fires_early() {
    let start = Instant::now();
    goro::time::sleep(Duration::from_millis(20)).await;
    assert!(start.elapsed() >= Duration::from_millis(20));
}

#[test]
fn run_from_plain_main() {
    assert_eq!(goro::run(async { goro::go(async { 7 }).await.unwrap() }), 7);
}
