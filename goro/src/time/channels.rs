//! Timer channels: Go's `time.After`, `time.Tick`, and a never-ready
//! channel (Go's nil channel) for `select!` cases.
//!
//! Each timer is a goroutine that sleeps and then sends the current instant
//! on a channel of capacity 1, so the send never waits. `tick` drops ticks a
//! slow receiver misses, as Go's ticker does.
//!
//! Invariants, as Go's (1.23 on) timer channels:
//! - the channel never closes: a second receive from a fired `after`
//!   waits, as in Go, instead of returning `None`;
//! - a timer whose every receiver is gone ends then, not at its deadline:
//!   its goroutine waits on the deadline and on a stop channel that the
//!   timer channel closes when its last receiver drops
//!   ([`crate::chan::timer_chan`]). So `select!` with an `after(60 s)` that
//!   lost leaves nothing behind for a minute (nor for the leak check of a
//!   `#[goro::test]`).

use crate::chan::{chan, timer_chan, Receiver, Sender, TrySendError};
use std::time::{Duration, Instant};

/// A channel that receives the current instant once `d` has passed: Go's
/// `time.After(d)`. It never closes. Dropping it before `d` stops the
/// timer. Use it as a `select!` timeout:
///
/// ```
/// # goro::run(async {
/// let (_tx, rx) = goro::chan::<i32>(0);
/// let timeout = goro::time::after(std::time::Duration::from_millis(5));
/// goro::select! {
///     recv(rx) -> _ => unreachable!(),
///     recv(timeout) -> at => assert!(at.is_some()),
/// }
/// # });
/// ```
pub fn after(d: Duration) -> Receiver<Instant> {
    let (tx, rx, stopped) = timer();
    crate::go(async move {
        if wait_until(Instant::now() + d, &stopped).await {
            let _ = tx.try_send(Instant::now());
        }
    });
    rx
}

/// A channel that receives the current instant every `d`: Go's
/// `time.Tick(d)`. Ticks a slow receiver misses are dropped; the ticker stops
/// as soon as its last receiver is dropped. A zero `d` gives a channel that
/// never ticks (Go returns nil).
pub fn tick(d: Duration) -> Receiver<Instant> {
    if d.is_zero() {
        return never();
    }
    let (tx, rx, stopped) = timer();
    crate::go(async move {
        let mut next = Instant::now() + d;
        while wait_until(next, &stopped).await {
            if let Err(TrySendError::Closed(_)) = tx.try_send(Instant::now()) {
                return;
            }
            next += d;
            let now = Instant::now();
            if next <= now {
                next = now + d; // fell behind: drop the missed ticks
            }
        }
    });
    rx
}

/// A timer's channel, and the stop channel that closes when the timer
/// channel's last receiver is gone.
fn timer() -> (Sender<Instant>, Receiver<Instant>, Receiver<()>) {
    let (stop, stopped) = chan::<()>(0);
    let (tx, rx) = timer_chan(1, move || {
        stop.close();
    });
    (tx, rx, stopped)
}

/// Waits until `deadline`: true; or until `stopped` closes first: false.
async fn wait_until(deadline: Instant, stopped: &Receiver<()>) -> bool {
    crate::select! {
        recv(stopped) -> _ => false,
        future(crate::time::sleep_until(deadline)) => true,
    }
}

/// A channel that never receives and never closes: Go's nil channel, for a
/// `select!` case that must never fire.
pub fn never<T>() -> Receiver<T> {
    crate::chan::never()
}
