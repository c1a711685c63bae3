//! Making channels: Go's `make(chan T, n)`, plus an unbounded flavour and the
//! never-ready receiver that stands for Go's nil channel.

use super::core::Chan;
use super::receiver::Receiver;
use super::sender::Sender;

/// The largest buffer [`chan`] makes, in bytes: Go's `maxAlloc` on 64-bit
/// Linux (2^48, `runtime/malloc.go`), past which Go's `makechan` panics
/// with "size out of range"; on smaller targets Rust's own limit for one
/// allocation, `isize::MAX`.
const MAX_BUFFER_BYTES: usize =
    if usize::BITS >= 64 { (1u64 << 48) as usize } else { isize::MAX as usize };

/// Makes a channel of capacity `cap`: Go's `make(chan T, cap)`.
///
/// `cap == 0` is unbuffered: a send and a receive meet, and neither completes
/// without the other. `cap > 0` buffers exactly `cap` values, and, as in
/// Go, the buffer is allocated here, whole.
///
/// ```
/// let (tx, rx) = goro::chan::<i32>(1);
/// tx.try_send(7).unwrap();
/// assert_eq!(rx.try_recv(), Ok(7));
/// ```
///
/// # Panics
///
/// Where Go's `makechan` panics: when `cap` values of `T` would take more
/// than 2^48 bytes (Go's "makechan: size out of range"; Go's channel
/// header aside, the same bound). `cap == usize::MAX` panics too: that is
/// [`unbounded`]'s. A buffer that fits the bound but not the machine's
/// memory ends the process, as Go's "out of memory" does.
pub fn chan<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    assert!(cap < usize::MAX, "goro::chan: capacity too large; use goro::unbounded");
    let bytes = cap.checked_mul(std::mem::size_of::<T>());
    assert!(
        bytes.is_some_and(|b| b <= MAX_BUFFER_BYTES),
        "goro::chan: size out of range: {cap} values of {} bytes",
        std::mem::size_of::<T>()
    );
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

/// A timer's channel (`time::after`, `time::tick`) of capacity `cap`: one
/// sender more is counted than is made, so it never closes, as Go's timer
/// channels never do; `stop` runs once, when its last receiver is gone, so
/// that the timer can end then instead of at its deadline (Go 1.23 drops
/// an unreferenced timer likewise).
pub(crate) fn timer_chan<T>(
    cap: usize,
    stop: impl Fn() + Send + Sync + 'static,
) -> (Sender<T>, Receiver<T>) {
    pair(Chan::with_hook(cap, 2, Some(Box::new(stop))))
}

/// Wraps a fresh channel in its two handles.
fn pair<T>(chan: crate::loom::Arc<Chan<T>>) -> (Sender<T>, Receiver<T>) {
    (Sender { chan: chan.clone() }, Receiver::new(chan))
}
