//! `JoinHandle<T>` and `JoinError`: the result slot a goroutine fills.
//!
//! Invariant: the result is written once, by the goroutine's runner, and taken
//! once, by the handle. Dropping the handle detaches; `abort` asks the runner
//! to drop the future at its next poll.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Why a goroutine produced no value.
pub enum JoinError {
    /// The goroutine panicked; the payload is inside.
    Panicked(Box<dyn Any + Send + 'static>),
    /// The goroutine was aborted through its handle.
    Aborted,
}

impl JoinError {
    /// Whether the goroutine panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panicked(_))
    }

    /// Whether the goroutine was aborted.
    pub fn is_aborted(&self) -> bool {
        matches!(self, JoinError::Aborted)
    }

    /// Takes the panic payload, or hands the error back.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self {
            JoinError::Panicked(p) => Ok(p),
            other => Err(other),
        }
    }

    /// The panic message, when the payload is a string.
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            JoinError::Panicked(p) => p
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| p.downcast_ref::<String>().map(String::as_str)),
            JoinError::Aborted => None,
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(_) => f
                .debug_tuple("Panicked")
                .field(&self.panic_message().unwrap_or("<non-string payload>"))
                .finish(),
            JoinError::Aborted => f.write_str("Aborted"),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(_) => match self.panic_message() {
                Some(m) => write!(f, "goroutine panicked: {m}"),
                None => f.write_str("goroutine panicked"),
            },
            JoinError::Aborted => f.write_str("goroutine aborted"),
        }
    }
}

impl std::error::Error for JoinError {}

/// The outcome (once finished) and the handle's waker.
type Slot<T> = (Option<Result<T, JoinError>>, Option<Waker>);

/// The slot shared by a goroutine and its handle.
pub(crate) struct JoinState<T> {
    /// The outcome, once the goroutine finished, and the handle's waker.
    slot: Mutex<Slot<T>>,
    /// Set by `abort`; read by the runner before each poll.
    aborted: AtomicBool,
}

impl<T> JoinState<T> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(JoinState { slot: Mutex::new((None, None)), aborted: AtomicBool::new(false) })
    }

    /// Stores the outcome and wakes the handle.
    pub(crate) fn complete(&self, outcome: Result<T, JoinError>) {
        let waker = {
            let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
            slot.0 = Some(outcome);
            slot.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Whether `abort` was called.
    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire) // pairs with the Release in abort
    }
}

/// An owned permission to await a goroutine's result.
///
/// Awaiting it yields `Ok(value)`, or `Err(JoinError)` if the goroutine
/// panicked or was aborted. Dropping it detaches the goroutine.
pub struct JoinHandle<T> {
    state: Arc<JoinState<T>>,
    /// Wakes the goroutine so that it sees an abort promptly.
    waker: Waker,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(state: Arc<JoinState<T>>, waker: Waker) -> Self {
        JoinHandle { state, waker }
    }

    /// Cancels the goroutine: its future is dropped at its next scheduling
    /// point, and the handle yields `JoinError::Aborted` unless it had
    /// already finished.
    pub fn abort(&self) {
        self.state.aborted.store(true, Ordering::Release); // publishes the abort to the runner
        self.waker.wake_by_ref();
    }

    /// Whether the goroutine has finished.
    pub fn is_finished(&self) -> bool {
        self.state.slot.lock().unwrap_or_else(|e| e.into_inner()).0.is_some()
    }

    /// Blocks the current thread until the goroutine finishes. For plain
    /// threads; inside a goroutine, `.await` the handle instead.
    pub fn join_blocking(self) -> Result<T, JoinError> {
        crate::runtime::current::block_on_thread(self)
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.state.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(out) = slot.0.take() {
            return Poll::Ready(out);
        }
        slot.1 = Some(cx.waker().clone());
        drop(slot);
        crate::runtime::current::will_park(
            crate::runtime::WaitReason::JoinHandle,
            std::panic::Location::caller(),
        );
        Poll::Pending
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("finished", &self.is_finished()).finish()
    }
}
