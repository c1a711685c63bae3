//! `JoinHandle<T>` and `JoinError`: the result slot a goroutine fills.
//!
//! Invariant: the result is written once, by the goroutine's runner, and taken
//! once, by the handle (the protocol is in `state.rs` and `task.rs`).
//! Dropping the handle detaches; `abort` asks the runner to drop the future
//! at its next scheduling point instead of polling it.

use super::refs::TaskRef;
use super::state::DONE;
use super::task::Join;
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
            JoinError::Panicked(p) => panic_message(&**p),
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

/// The panic message in `payload`, when it is a string.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// An owned permission to await a goroutine's result.
///
/// Awaiting it yields `Ok(value)`, or `Err(JoinError)` if the goroutine
/// panicked or was aborted. Dropping it detaches the goroutine, which runs
/// on, as in Go; if a detached goroutine panics, the panic is reported on
/// stderr with the goroutine's id and spawn site.
pub struct JoinHandle<T> {
    /// The goroutine (or blocking job) whose output this is.
    task: TaskRef<dyn Join<T>>,
}

impl<T> JoinHandle<T> {
    /// The handle of `task`.
    pub(crate) fn new(task: TaskRef<dyn Join<T>>) -> Self {
        JoinHandle { task }
    }

    /// Cancels the goroutine: its future is dropped at its next scheduling
    /// point, and the handle yields `JoinError::Aborted` unless it had
    /// already finished. A blocking job that already started runs to the end.
    pub fn abort(&self) {
        self.task.abort();
    }

    /// Whether the goroutine has finished.
    pub fn is_finished(&self) -> bool {
        Join::state(&*self.task).load() & DONE != 0
    }

    /// The goroutine's id, as diagnostics print it.
    pub fn id(&self) -> u64 {
        self.task.header().meta.id
    }

    /// Blocks the current thread until the goroutine finishes. For plain
    /// threads; inside a goroutine, `.await` the handle instead.
    pub fn join_blocking(self) -> Result<T, JoinError> {
        crate::runtime::current::block_on_thread(self)
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // One virtual call: the task records the park itself, with its
        // header at hand (a `header()` call per field cost ~40
        // instructions a pending join).
        self.task.poll_join(cx, std::panic::Location::caller())
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.task.detach();
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
