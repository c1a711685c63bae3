//! Time: `sleep`, `sleep_until` and `timeout`, Go's `time.Sleep` and
//! `context.WithTimeout`'s building block.
//!
//! Timers live on the processor of the worker that polls them, in a
//! per-processor heap (`heap.rs`) with no global lock on the hot path; a
//! worker with nothing to run sleeps exactly until its processor's earliest
//! deadline. A sleep polled off goro's workers (a plain thread, `block_on`'s
//! main goroutine, another executor such as tokio) uses a shared fallback
//! timer thread instead (`fallback.rs`), so every timer works everywhere.
//! Invariant: a timer never fires before its deadline, and timers on one
//! heap fire in deadline order.

mod channels;
pub(crate) mod clock;
pub(crate) mod entry;
mod fallback;
pub(crate) mod heap;
mod sleep;
mod timeout;

pub use channels::{after, never, tick};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, Elapsed, Timeout};

// -- channels and select (issue 3): `channels.rs` (after, tick, never) --

#[allow(unused_imports)] // read by the diagnostics area (issue 5)
pub(crate) use entry::active_timers as pending_timers;
pub(crate) use fallback::adopt as fallback_adopt;
#[allow(unused_imports)] // read by the diagnostics area (issue 5)
pub(crate) use fallback::len as fallback_timers;
