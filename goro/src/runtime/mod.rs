//! The runtime: goroutines (G), the processors (P) and worker threads (M)
//! that run them, timers' home, the blocking pool, and the entry points.
//!
//! See `README.md` in this folder for the scheduler's protocols and their
//! correctness arguments, and `ARCHITECTURE.md` for the map from Go's runtime.

mod api;
mod blocking;
mod builder;
pub(crate) mod current;
#[doc(hidden)]
pub mod entry;
pub(crate) mod goroutine;
pub(crate) mod scheduler;

pub use api::{block_on, blocking, go, go_named, num_goroutine, procs, run, yield_now};
pub use builder::{Builder, Runtime};
pub use goroutine::{JoinError, JoinHandle, WaitReason};
