//! Waiting on a plain thread: the `_blocking` forms drive the same futures as
//! the async forms, parking the thread between polls.
//!
//! The thread's waker is made once per thread and cached, so a blocking
//! operation allocates nothing for its wake-up. No runtime is involved: these
//! work on any thread, inside or outside goro. Under loom, loom's own
//! `block_on` stands in.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

#[cfg(not(loom))]
thread_local! {
    /// This thread's waker: unparks it.
    static THREAD_WAKER: Waker = Waker::from(std::sync::Arc::new(ThreadWaker(std::thread::current())));
}

/// Wakes a thread parked in [`block_on`].
#[cfg(not(loom))]
struct ThreadWaker(std::thread::Thread);

#[cfg(not(loom))]
impl std::task::Wake for ThreadWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` to completion, parking this thread between polls.
#[cfg(not(loom))]
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    match block_on_until(fut, None) {
        Some(v) => v,
        None => unreachable!("goro::chan: a wait without deadline timed out"),
    }
}

/// Polls `fut` until it completes or `deadline` passes (then `None`).
#[cfg(not(loom))]
pub(crate) fn block_on_until<F: Future>(fut: F, deadline: Option<Instant>) -> Option<F::Output> {
    THREAD_WAKER.with(|waker| {
        let mut cx = Context::from_waker(waker);
        let mut fut = pin!(fut);
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                return Some(v);
            }
            match deadline {
                None => std::thread::park(),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return None;
                    }
                    std::thread::park_timeout(d - now);
                }
            }
        }
    })
}

/// loom's `block_on` (models use no deadlines).
#[cfg(loom)]
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    loom::future::block_on(fut)
}

/// loom stand-in: deadlines are not modelled, the wait is unbounded.
#[cfg(loom)]
pub(crate) fn block_on_until<F: Future>(fut: F, _deadline: Option<Instant>) -> Option<F::Output> {
    Some(loom::future::block_on(fut))
}

/// Polls `fut` once with a waker that does nothing.
#[allow(dead_code)]
pub(crate) fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    std::pin::Pin::new(fut).poll(&mut cx)
}
