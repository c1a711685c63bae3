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
//! A goroutine is a future run by goro's scheduler: [`go`] starts one and
//! returns a [`JoinHandle`], itself a future of `Result<T, JoinError>`.
//! [`run`] (or `#[goro::main]`) runs `main`'s body as the main goroutine.
//!
//! ```
//! let h = goro::go(async { 6 * 7 });
//! assert_eq!(goro::run(h).unwrap(), 42);
//! ```
//!
//! Dropping the handle *detaches* the goroutine: it runs on, as in Go. When
//! `main` returns, the program ends, whatever goroutines are still parked.
//! A goroutine that panics never takes its worker down: its handle yields
//! [`JoinError`] with the payload, and a detached goroutine's panic is
//! printed as `panic in goroutine 7 (spawned at src/main.rs:12:5): boom`
//! (or the whole program crashes, like Go, with
//! [`Builder::abort_on_panic`]). [`JoinHandle::abort`] cancels a goroutine.
//!
//! ```
//! use std::time::Duration;
//!
//! goro::run(async {
//!     let worker = goro::go_named("sleeper", async {
//!         goro::time::sleep(Duration::from_millis(5)).await;
//!         "rested"
//!     });
//!     // Blocking work goes to the blocking pool, never onto a worker.
//!     let sum = goro::blocking(|| (1..=100u32).sum::<u32>()).await.unwrap();
//!     assert_eq!(sum, 5050);
//!     assert_eq!(worker.await.unwrap(), "rested");
//!
//!     let slow = goro::time::timeout(Duration::from_millis(1), std::future::pending::<()>());
//!     assert!(slow.await.is_err());
//!
//!     let p = goro::go(async { panic!("boom") });
//!     assert_eq!(p.await.unwrap_err().panic_message(), Some("boom"));
//! });
//! ```
//!
//! Under the hood ([`runtime`]) is Go's G/M/P scheduler: [`procs`]
//! processors (`GORO_MAXPROCS`, or [`Builder::procs`]), each with a
//! lock-free local run queue and a `runnext` slot, one worker thread each,
//! a global queue, randomised work stealing, per-processor timers, and a
//! registry of every goroutine (id, parent, name, spawn site, state, why and
//! where it is parked) for dumps and leak checks.
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
//! | `GOMAXPROCS=4 ./prog` | `GORO_MAXPROCS=4 ./prog`, or [`Builder::procs`]`(4)` |
//! | `debug.SetPanicOnFault` / default crash on panic | [`Builder::abort_on_panic`]`(true)` |
//! | a blocking syscall in a goroutine | [`blocking`]`(move \|\| syscall()).await` |
//! | `ctx, cancel := context.WithTimeout(..)` around one call | [`time::timeout`]`(d, fut).await` |
//! | goroutine labels (`pprof.Do`) | [`go_named`]`("name", fut)` |

#![warn(missing_docs)]

pub(crate) mod loom;

// ---- runtime (issue 2) ----
pub mod runtime;
pub mod time;
pub use runtime::{
    blocking, go, go_named, num_goroutine, procs, run, yield_now, Builder, JoinError, JoinHandle,
    Runtime,
};

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
        // Every goroutine the test spawns, transitively, inherits this scope.
        let _scope = crate::runtime::current::enter_scope(crate::runtime::current::new_scope());
        match crate::run(crate::time::timeout(timeout, fut)) {
            Ok(v) => v,
            Err(_) => panic!("goro::test: {name} timed out after {timeout:?}"),
        }
    }
}
