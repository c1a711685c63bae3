//! Making channels: Go's `make(chan T, n)`, plus an unbounded flavour and the
//! never-ready receiver that stands for Go's nil channel.

use super::core::Chan;
use super::receiver::Receiver;
use super::sender::Sender;

/// Makes a channel of capacity `cap`: Go's `make(chan T, cap)`.
///
/// `cap == 0` is unbuffered: a send and a receive meet, and neither completes
/// without the other. `cap > 0` buffers exactly `cap` values.
///
/// ```
/// let (tx, rx) = goro::chan::<i32>(1);
/// tx.try_send(7).unwrap();
/// assert_eq!(rx.try_recv(), Ok(7));
/// ```
pub fn chan<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    assert!(cap < usize::MAX, "goro::chan: capacity too large; use goro::unbounded");
    pair(Chan::new(cap, 1))
}

/// Makes a channel that never fills: sends always complete at once.
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    pair(Chan::new(usize::MAX, 1))
}

/// A receiver on which no value ever arrives and which never closes: Go's
/// nil channel, for a `select!` case that must never fire.
pub fn never<T>() -> Receiver<T> {
    // One sender is counted but never made, so the channel cannot close.
    Receiver::new(Chan::new(0, 1))
}

/// Wraps a fresh channel in its two handles.
fn pair<T>(chan: crate::loom::Arc<Chan<T>>) -> (Sender<T>, Receiver<T>) {
    (Sender { chan: chan.clone() }, Receiver::new(chan))
}
