//! A server that shuts down gracefully on SIGINT or SIGTERM.
//!
//! `cargo run --release --example shutdown`, then press Ctrl-C.
//!
//! Requests arrive once a millisecond (an in-process stand-in for a
//! listener); each is handled in its own goroutine for 20-50 ms. On the
//! signal the server stops accepting, waits for every request in flight,
//! and prints its accounting: `accepted` must equal `completed`.
//! `goro/tests/signal_shutdown.rs` runs this as a child process and checks it.

use goro::signal::{notify_context, Signal};
use goro::sync::WaitGroup;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Runs the server until a signal, then drains it.
pub fn main() {
    goro::run(serve());
}

/// Prints a line and flushes it, so a parent process sees it at once.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "shutdown: {line}");
    let _ = out.flush();
}

/// Accepts requests until SIGINT/SIGTERM, then waits for those in flight.
pub async fn serve() {
    let (ctx, _stop) =
        notify_context(&goro::context::background(), &[Signal::Interrupt, Signal::Terminate]);
    let in_flight = WaitGroup::new();
    let completed = Arc::new(AtomicU64::new(0));
    let mut accepted = 0u64;
    say("ready");
    while !ctx.is_done() {
        accepted += 1;
        let (completed, work) = (completed.clone(), Duration::from_millis(20 + accepted % 31));
        // The handler does not watch ctx: accepted work always finishes.
        in_flight.go(async move {
            goro::time::sleep(work).await;
            completed.fetch_add(1, Ordering::SeqCst);
        });
        if accepted == 100 {
            say("busy");
        }
        let _ = goro::time::timeout(Duration::from_millis(1), ctx.done()).await;
    }
    say(&format!("draining {} in flight", accepted - completed.load(Ordering::SeqCst)));
    in_flight.wait().await;
    say(&format!("accepted={accepted} completed={}", completed.load(Ordering::SeqCst)));
}
