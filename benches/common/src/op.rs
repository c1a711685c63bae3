//! The adapters between a crate's own send/receive futures and the task
//! workloads' `impl Future<Output = ()>`.
//!
//! A user awaits `rx.recv().await.unwrap()` in the body of a task: the
//! crate's future lives in that task's state, and the task's state machine
//! calls the crate's `poll` (inlined or not, as the crate's code allows).
//! A wrapping `async move { rx.recv().await.unwrap() }` in the harness adds
//! a second state machine per operation, which no user writes and the
//! optimizer does not inline: on `seq` it cost goro and kanal-async about
//! 14 instructions an operation (BENCHMARKS.md, "The harness's wrapper
//! around each operation"). [`Op`] is that `.unwrap()` and nothing else,
//! always inlined, so every async peer's operation costs what it costs in
//! user code; [`Either`] picks one of two flavors' futures (tokio's bounded
//! and unbounded halves) without a state machine either.
//!
//! Invariant: every async peer wraps its send and receive in [`Op`], so no
//! peer is measured through a layer the others skip.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// What an operation's outcome must be for the workloads to go on: a
/// sent value (`Ok`), a received one (`Ok`/`Some`). Anything else is a bug
/// in the harness or the crate, and panics.
pub trait Outcome {
    /// Panics unless the operation succeeded.
    fn expect_done(self);
}

impl<T, E: Debug> Outcome for Result<T, E> {
    #[inline]
    fn expect_done(self) {
        self.expect("bench: channel operation failed");
    }
}

impl<T> Outcome for Option<T> {
    #[inline]
    fn expect_done(self) {
        self.expect("bench: channel closed while a workload still received");
    }
}

pin_project_lite::pin_project! {
    /// A crate's send or receive future with its outcome checked: see the
    /// module header.
    #[must_use = "futures do nothing unless awaited"]
    pub struct Op<F> {
        #[pin]
        inner: F,
    }
}

/// Wraps a crate's own operation future `f`.
#[inline]
pub fn op<F: Future>(f: F) -> Op<F>
where
    F::Output: Outcome,
{
    Op { inner: f }
}

impl<F: Future> Future for Op<F>
where
    F::Output: Outcome,
{
    type Output = ();

    // Always inlined, so that the crate's own `poll` is called from the
    // task's state machine, as from a user's; whether that `poll` is then
    // inlined is the crate's doing (kanal-async's is, 2026-12-05).
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx).map(Outcome::expect_done)
    }
}

pin_project_lite::pin_project! {
    /// One of two futures with the same output. Not `tokio_util`'s
    /// `Either`: with it, the tokio peer ran 5 M more instructions on
    /// `seq boundedN` and was 3–6 % slower (BENCHMARKS.md, "The harness's
    /// wrapper around each operation"), a cost no tokio user writing one
    /// channel type pays.
    #[project = EitherProj]
    #[must_use = "futures do nothing unless awaited"]
    pub enum Either<A, B> {
        /// The first kind.
        Left { #[pin] f: A },
        /// The second kind.
        Right { #[pin] f: B },
    }
}

impl<A: Future, B: Future<Output = A::Output>> Future for Either<A, B> {
    type Output = A::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
        match self.project() {
            EitherProj::Left { f } => f.poll(cx),
            EitherProj::Right { f } => f.poll(cx),
        }
    }
}
