//! The runtime: goroutines, the scheduler that runs them, and entry points.
//!
//! See `README.md` in this folder for the scheduler's protocol.

mod builder;
pub(crate) mod current;
mod executor;
pub(crate) mod goroutine;

pub use builder::{Builder, Runtime};
pub use goroutine::{JoinError, JoinHandle, WaitReason};

use std::future::Future;

/// Starts a goroutine: Go's `go f()`.
///
/// The goroutine runs on the current runtime (the one whose worker or
/// `block_on` is running this code), or on the process-wide default runtime.
/// Dropping the returned handle detaches it; it runs on, as in Go.
#[track_caller]
pub fn go<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    executor::spawn(current::runtime_or_default(), fut, std::panic::Location::caller())
}

/// Runs `fut` as the main goroutine on the default runtime and returns its
/// output. Like Go's `main`, goroutines still parked when it returns are
/// simply abandoned.
#[track_caller]
pub fn run<F: Future>(fut: F) -> F::Output {
    current::default_runtime().block_on(fut)
}

/// Yields the processor to other goroutines: Go's `runtime.Gosched`.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

/// The number of goroutines that exist now: Go's `runtime.NumGoroutine`.
pub fn num_goroutine() -> usize {
    current::runtime_or_default().live_goroutines()
}

/// The number of processors of the current runtime: Go's `GOMAXPROCS(0)`.
pub fn procs() -> usize {
    current::runtime_or_default().procs()
}
