//! The runtime's free functions: Go's `go` statement, `runtime.Gosched`,
//! `runtime.NumGoroutine`, `runtime.GOMAXPROCS(0)`, and the blocking pool.

use super::current;
use super::JoinHandle;
use std::future::Future;
use std::panic::Location;
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
    let at = Location::caller();
    current::with_runtime_or_default(|rt| rt.spawn_at(fut, None, at))
}

/// Starts a goroutine with a name, shown by goroutine dumps and leak
/// reports beside its id and spawn site.
#[track_caller]
pub fn go_named<F>(name: impl Into<String>, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let name = Some(name.into().into_boxed_str());
    let at = Location::caller();
    current::with_runtime_or_default(|rt| rt.spawn_at(fut, name, at))
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

/// Runs `fut` as the main goroutine on the default runtime's processors
/// and blocks this thread until it returns its output: Go's `main`.
///
/// The main goroutine is a goroutine like any other, so a message between
/// it and another goroutine is handed over on one processor (Go's
/// `runnext`), without waking a thread. Like Go's `main`, goroutines still
/// parked when it returns are simply abandoned: the program may end with
/// them. A panic in it is resumed on this thread.
///
/// For a future that is not `Send` or borrows from the caller, use
/// [`block_on`].
#[track_caller]
pub fn run<F>(fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    current::default_runtime().run(fut)
}

/// Polls `fut` on this thread, with the default runtime current, and
/// returns its output (tokio's `block_on`). It accepts any future, `!Send`
/// or borrowing ones included, and is listed in dumps as a main goroutine;
/// but it runs beside the processors, not on one, so each hand-off between
/// it and a goroutine wakes a thread. Prefer [`run`] where the future allows.
#[track_caller]
pub fn block_on<F: Future>(fut: F) -> F::Output {
    current::default_runtime().block_on(fut)
}

/// Yields the processor to other goroutines: Go's `runtime.Gosched`. The
/// goroutine goes to the back of its processor's run queue, and, as Go's
/// does, wakes a sleeping worker: goroutines that each compute and yield
/// spread over the processors (a requeue forced by the coop budget, or by
/// a partner's wake-up during the poll, wakes none).
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        current::note_gosched();
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// The number of goroutines that exist now in the current runtime: Go's
/// `runtime.NumGoroutine`. Like Go's, it counts the main goroutine: each
/// running `block_on`/`run` counts one.
pub fn num_goroutine() -> usize {
    current::runtime_or_default().live_goroutines()
}

/// The number of processors of the current runtime: Go's `GOMAXPROCS(0)`.
pub fn procs() -> usize {
    current::runtime_or_default().procs()
}
