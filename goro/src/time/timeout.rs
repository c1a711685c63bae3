//! `timeout(d, fut)`: run a future with a bound, the building block of Go's
//! `context.WithTimeout` and of every `_timeout` call.

use super::sleep::{sleep, Sleep};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The error of a [`timeout`] whose deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `fut`, giving up after `d`. The future is dropped if time runs out.
/// A future that is ready on its first poll wins even with a zero `d`.
#[track_caller]
pub fn timeout<F: Future>(d: Duration, fut: F) -> Timeout<F> {
    Timeout { fut: Box::pin(fut), sleep: sleep(d) }
}

/// The future returned by [`timeout`].
#[derive(Debug)]
pub struct Timeout<F> {
    /// The bounded future (boxed, so that `Timeout` is `Unpin` without
    /// unsafe pin projection).
    fut: Pin<Box<F>>,
    /// The bound.
    sleep: Sleep,
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.fut.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match Pin::new(&mut self.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}
