//! Seed 3: `select`. A timeout, and the idiom of turning a finished case
//! off inside a loop (Go: set the channel to nil).

use goro::chan::Receiver;
use std::time::Duration;

/// Waits for a slow result, giving up after 50 ms.
async fn timeout() {
    println!("-- select with a timeout --");
    let (tx, slow) = goro::chan::<&str>(1);
    goro::go(async move {
        goro::time::sleep(Duration::from_millis(500)).await;
        let _ = tx.send("too late").await;
    });
    let start = std::time::Instant::now();
    let timed_out = goro::select! {
        recv(slow) -> v => { println!("got {v:?}"); false }
        recv(goro::time::after(Duration::from_millis(50))) -> _ => { println!("timeout after 50 ms"); true }
    };
    // Which case wins is the clock's doing: on an idle machine the timeout,
    // and the result only if both were ready by the time the select ran.
    let (waited, least) =
        (start.elapsed(), Duration::from_millis(if timed_out { 50 } else { 500 }));
    assert!(waited >= least, "the select returned after {waited:?}, before {least:?}");
}

/// Merges two channels until both are closed, disabling each case once
/// its channel is done.
async fn merge_until_both_closed() {
    println!("-- disabling a finished case in a loop --");
    let (a_tx, a) = goro::chan::<u32>(0);
    let (b_tx, b) = goro::chan::<u32>(0);
    goro::go(async move {
        for i in 1..=3 {
            a_tx.send(i).await.expect("merge reads a");
        }
    });
    goro::go(async move {
        for i in 10..=11 {
            b_tx.send(i).await.expect("merge reads b");
        }
    });
    let (mut a, mut b): (Option<Receiver<u32>>, Option<Receiver<u32>>) = (Some(a), Some(b));
    let mut got = Vec::new();
    while a.is_some() || b.is_some() {
        goro::select! {
            recv(a) -> v => match v { Some(v) => got.push(v), None => a = None },
            recv(b) -> v => match v { Some(v) => got.push(v), None => b = None },
        }
    }
    got.sort();
    println!("merged {got:?}");
    assert_eq!(got, [1, 2, 3, 10, 11], "every value of both, once");
}

/// The select stops of the tour.
pub async fn run() {
    println!("== select ==");
    timeout().await;
    merge_until_both_closed().await;
}
