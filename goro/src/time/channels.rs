//! Timer channels: Go's `time.After`, `time.Tick`, and a never-ready
//! channel (Go's nil channel) for `select!` cases.
//!
//! Each timer is a goroutine that sleeps and then sends the current instant
//! on a channel of capacity 1, so the send never waits. `tick` drops ticks a
//! slow receiver misses, as Go's ticker does, and stops once every receiver
//! is gone.

use crate::chan::{chan, Receiver, TrySendError};
use std::time::{Duration, Instant};

/// A channel that receives the current instant once `d` has passed: Go's
/// `time.After(d)`. Use it as a `select!` timeout:
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
    let (tx, rx) = chan(1);
    crate::go(async move {
        crate::time::sleep(d).await;
        let _ = tx.try_send(Instant::now());
    });
    rx
}

/// A channel that receives the current instant every `d`: Go's
/// `time.Tick(d)`. Ticks a slow receiver misses are dropped; the ticker stops
/// when the receiver is dropped. A zero `d` gives a channel that never
/// ticks (Go returns nil).
pub fn tick(d: Duration) -> Receiver<Instant> {
    if d.is_zero() {
        return never();
    }
    let (tx, rx) = chan(1);
    crate::go(async move {
        let mut next = Instant::now() + d;
        loop {
            crate::time::sleep_until(next).await;
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

/// A channel that never receives and never closes: Go's nil channel, for a
/// `select!` case that must never fire.
pub fn never<T>() -> Receiver<T> {
    crate::chan::never()
}
