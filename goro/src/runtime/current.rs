//! Thread-local state: which runtime this thread belongs to, and the park
//! reason the running goroutine reported.
//!
//! Invariant: `CURRENT` is set on a runtime's worker threads for their whole
//! life and inside `block_on` for its duration; everywhere else it is empty
//! and `go` falls back to the process-wide default runtime.

use super::executor::Shared;
use super::goroutine::WaitReason;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};

thread_local! {
    /// The runtime whose goroutines this thread runs, if any.
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
    /// What the goroutine being polled said it waits for, if it said.
    static PARK: Cell<Option<(WaitReason, &'static Location<'static>)>> = const { Cell::new(None) };
}

/// The process-wide runtime that `goro::go` uses outside any other.
static DEFAULT: OnceLock<super::Runtime> = OnceLock::new();

/// The default runtime, started on first use.
pub(crate) fn default_runtime() -> &'static super::Runtime {
    DEFAULT.get_or_init(|| {
        super::Builder::new().build().expect("goro::runtime: cannot start the default runtime")
    })
}

/// The runtime of this thread, or the default one.
pub(crate) fn runtime_or_default() -> Arc<Shared> {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_else(|| default_runtime().shared().clone())
}

/// Runs `f` with `rt` as this thread's runtime, restoring the old one after.
pub(crate) fn enter<R>(rt: &Arc<Shared>, f: impl FnOnce() -> R) -> R {
    let old = CURRENT.with(|c| c.replace(Some(rt.clone())));
    struct Restore(Option<Arc<Shared>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = old);
        }
    }
    let _restore = Restore(old);
    f()
}

/// Records why the goroutine being polled is about to return `Pending`.
///
/// Every blocking primitive calls this just before it parks; outside a
/// goroutine it does nothing. The scheduler reads it back with
/// [`take_park_reason`] after the poll.
#[inline]
pub fn will_park(reason: WaitReason, at: &'static Location<'static>) {
    PARK.with(|p| p.set(Some((reason, at))));
}

/// Takes the reason recorded by [`will_park`] during the last poll.
#[allow(dead_code)]
pub(crate) fn take_park_reason() -> Option<(WaitReason, &'static Location<'static>)> {
    PARK.with(|p| p.take())
}

/// Wakes a thread parked in [`block_on_thread`].
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` to completion on this thread, parking the thread between
/// polls. The primitive behind every `_blocking` call.
pub(crate) fn block_on_thread<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}
