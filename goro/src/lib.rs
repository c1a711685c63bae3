//! # goro: Go's concurrency system for Rust
//!
//! Goroutines, channels, `select!`, the `sync` package, `context`,
//! `errgroup`, rate limits, signals and Go's diagnostics, after Go's own
//! runtime design, sound by construction.
//!
//! ## A tour in Go's order
//!
//! ### Goroutines
//!
//! ```
//! let h = goro::go(async { 6 * 7 });
//! assert_eq!(goro::run(h).unwrap(), 42);
//! ```
//!
//! ## Go → goro
//!
//! | Go | goro |
//! |---|---|
//! | `go f()` | [`go`]`(async { f().await })` |
//! | `func main()` | `#[goro::main] async fn main()` or [`run`] |
//! | `runtime.Gosched()` | [`yield_now`]`().await` |
//! | `runtime.NumGoroutine()` | [`num_goroutine`]`()` |
//! | `runtime.GOMAXPROCS(0)` | [`procs`]`()` |
//! | `time.Sleep(d)` | [`time::sleep`]`(d).await` |

#![warn(missing_docs)]

pub(crate) mod loom;

// ---- runtime (issue 2) ----
pub mod runtime;
pub mod time;
pub use runtime::{go, num_goroutine, procs, run, yield_now, JoinError, JoinHandle, Runtime};

// ---- channels and select (issue 3) ----
pub mod chan;
pub mod select;
pub use chan::{chan, unbounded};
pub use goro_macros::{select, select_blocking};

// ---- toolkit (issue 4) ----
pub mod context;
pub mod group;
pub mod rate;
pub mod signal;
pub mod sync;

// ---- diagnostics (issue 5) ----
pub mod debug;

// ---- macros ----
pub use goro_macros::{main, test};

/// Support for the macros; not a public API.
#[doc(hidden)]
pub mod __private {
    use std::future::Future;
    use std::time::Duration;

    /// The body of `#[goro::test]`: runs the test as a goroutine and fails it
    /// if it outlives `timeout`.
    #[track_caller]
    pub fn run_test<F: Future>(name: &'static str, timeout: Duration, fut: F) -> F::Output {
        match crate::run(crate::time::timeout(timeout, fut)) {
            Ok(v) => v,
            Err(_) => panic!("goro::test: {name} timed out after {timeout:?}"),
        }
    }
}
