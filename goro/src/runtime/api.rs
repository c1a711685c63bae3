//! The runtime's free functions: Go's `go` statement, `runtime.Gosched`,
//! `runtime.NumGoroutine`, `runtime.GOMAXPROCS(0)`, and the blocking pool.

use super::current;
use super::JoinHandle;
use std::future::Future;
use std::task::Poll;

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
    current::runtime_or_default().spawn(fut, None)
}

/// Starts a goroutine with a name, shown by goroutine dumps and leak
/// reports beside its id and spawn site.
#[track_caller]
pub fn go_named<F>(name: impl Into<String>, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    current::runtime_or_default().spawn(fut, Some(name.into().into_boxed_str()))
}

/// Runs `f` on the runtime's blocking pool, off the workers: for blocking
/// system calls and long synchronous work. The pool has a thread cap
/// ([`Builder::max_blocking_threads`](super::Builder::max_blocking_threads));
/// past it, jobs wait in a queue. Await the handle for the result.
#[track_caller]
pub fn blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    current::runtime_or_default().spawn_blocking(f)
}

/// Runs `fut` as the main goroutine on the default runtime and returns its
/// output. Like Go's `main`, goroutines still parked when it returns are
/// simply abandoned: the program may end with them.
#[track_caller]
pub fn run<F: Future>(fut: F) -> F::Output {
    current::default_runtime().block_on(fut)
}

/// Yields the processor to other goroutines: Go's `runtime.Gosched`. The
/// goroutine goes to the back of its processor's run queue.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// The number of goroutines that exist now in the current runtime: Go's
/// `runtime.NumGoroutine`. Main goroutines of `block_on`/`run` are not
/// counted.
pub fn num_goroutine() -> usize {
    current::runtime_or_default().live_goroutines()
}

/// The number of processors of the current runtime: Go's `GOMAXPROCS(0)`.
pub fn procs() -> usize {
    current::runtime_or_default().procs()
}
