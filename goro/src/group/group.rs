//! `Group<E>`: golang.org/x/sync/errgroup.
//!
//! Algorithm: a `WaitGroup` counts the goroutines; the first error is kept
//! (later ones are dropped, as in Go) and cancels the group's context; an
//! optional `Semaphore` of `limit` units bounds how many run at once, each
//! goroutine holding one unit until it ends. A panic is caught in the
//! goroutine, kept (the first one), and re-raised by `wait` with
//! `resume_unwind`, so it never vanishes.

use crate::context::{self, CancelFunc, Context};
use crate::runtime::WaitReason;
use crate::sync::{OwnedPermit, Semaphore, WaitGroup};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context as TaskContext, Poll};

/// A group of goroutines working on subtasks of one task: Go's
/// `errgroup.Group`.
///
/// ```
/// goro::run(async {
///     let g = goro::group::Group::<std::io::Error>::new();
///     for i in 0..3 {
///         g.go(async move { if i < 10 { Ok(()) } else { unreachable!() } }).await;
///     }
///     assert!(g.wait().await.is_ok());
/// });
/// ```
pub struct Group<E> {
    /// Shared with the goroutines.
    inner: Arc<Inner<E>>,
}

/// What the goroutines share.
struct Inner<E> {
    /// Counts running goroutines.
    wg: WaitGroup,
    /// The first error.
    err: StdMutex<Option<E>>,
    /// The first panic's payload.
    panic: StdMutex<Option<Box<dyn Any + Send>>>,
    /// Cancels the context made by `with_context`.
    cancel: Option<CancelFunc>,
    /// Bounds concurrency once `set_limit` is called.
    limit: StdMutex<Option<Arc<Semaphore>>>,
}

impl<E: Send + 'static> Group<E> {
    /// A group with no context and no limit: Go's zero `errgroup.Group`.
    pub fn new() -> Group<E> {
        Group::with_cancel(None)
    }

    /// A group and a context derived from `ctx`, cancelled by the first
    /// error or by `wait` returning: Go's `errgroup.WithContext`.
    pub fn with_context(ctx: &Context) -> (Group<E>, Context) {
        let (ctx, cancel) = context::with_cancel(ctx);
        (Group::with_cancel(Some(cancel)), ctx)
    }

    /// The shared constructor.
    fn with_cancel(cancel: Option<CancelFunc>) -> Group<E> {
        let inner = Inner {
            wg: WaitGroup::new(),
            err: StdMutex::new(None),
            panic: StdMutex::new(None),
            cancel,
            limit: StdMutex::new(None),
        };
        Group { inner: Arc::new(inner) }
    }

    /// Limits the group to `n` goroutines at once (`None`: no limit): Go's
    /// `SetLimit`. Like Go, it must not change while goroutines run.
    ///
    /// `Some(0)` admits nothing: [`try_go`](Group::try_go) refuses, and
    /// [`go`](Group::go) panics where Go's `Go` would block forever.
    ///
    /// # Panics
    ///
    /// If goroutines of the group are running, as Go does.
    pub fn set_limit(&self, n: Option<usize>) {
        assert!(
            self.inner.wg.count() == 0,
            "goro::group: modify limit while {} goroutines in the group are still active",
            self.inner.wg.count()
        );
        *lock(&self.inner.limit) = n.map(|n| Arc::new(Semaphore::new(n)));
    }

    /// Starts `fut` in a goroutine, first waiting while the group is at
    /// its limit: Go's `g.Go(f)`. The first error it returns cancels the
    /// group's context and is what [`wait`](Group::wait) returns.
    #[track_caller]
    pub fn go<F>(&self, fut: F) -> impl Future<Output = ()> + '_
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
    {
        // Taken now, so the wait reports the caller's line.
        #[allow(clippy::manual_map)] // a closure would hide the caller's location
        let acquire = match self.semaphore() {
            Some(s) => Some(s.acquire_owned(1)),
            None => None,
        };
        async move {
            let permit = match acquire {
                Some(a) => Some(a.await.expect("goro::group: limit is at least 1")),
                None => None,
            };
            self.spawn(fut, permit);
        }
    }

    /// Starts `fut` only if the group is below its limit; false (and `fut`
    /// dropped) otherwise: Go's `g.TryGo(f)`.
    pub fn try_go<F>(&self, fut: F) -> bool
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
    {
        let permit = match self.semaphore() {
            Some(s) => match s.try_acquire_owned(1) {
                Some(p) => Some(p),
                None => return false,
            },
            None => None,
        };
        self.spawn(fut, permit);
        true
    }

    /// Waits for every goroutine, cancels the context, and returns the first
    /// error: Go's `g.Wait()`. Re-raises the first panic instead, if any.
    ///
    /// Unlike Go, the error is handed over (errors need not be `Clone`): a
    /// second `wait` returns `Ok` unless a goroutine failed since.
    #[track_caller]
    pub fn wait(&self) -> impl Future<Output = Result<(), E>> + '_ {
        let waiting = self.inner.wg.wait_as(WaitReason::GroupWait, Location::caller());
        async move {
            waiting.await;
            self.finish()
        }
    }

    /// Like [`wait`](Group::wait), blocking this plain thread.
    pub fn wait_blocking(&self) -> Result<(), E> {
        self.inner.wg.wait_blocking();
        self.finish()
    }

    /// After the wait: cancel, re-raise a panic, hand back the error.
    fn finish(&self) -> Result<(), E> {
        if let Some(c) = &self.inner.cancel {
            c.cancel();
        }
        if let Some(p) = lock(&self.inner.panic).take() {
            resume_unwind(p);
        }
        lock(&self.inner.err).take().map_or(Ok(()), Err)
    }

    /// The limit's semaphore, if set.
    fn semaphore(&self) -> Option<Arc<Semaphore>> {
        lock(&self.inner.limit).clone()
    }

    /// Starts the goroutine, which keeps `permit` until it ends.
    fn spawn<F>(&self, fut: F, permit: Option<OwnedPermit>)
    where
        F: Future<Output = Result<(), E>> + Send + 'static,
    {
        let inner = self.inner.clone();
        self.inner.wg.go(async move {
            let r = CatchUnwind(Box::pin(fut)).await;
            drop(permit);
            inner.record(r);
        });
    }
}

impl<E> Inner<E> {
    /// Keeps the first error (cancelling the context) or the first panic.
    fn record(&self, r: Result<Result<(), E>, Box<dyn Any + Send>>) {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let mut err = lock(&self.err);
                if err.is_none() {
                    *err = Some(e);
                    drop(err);
                    if let Some(c) = &self.cancel {
                        c.cancel();
                    }
                }
            }
            Err(p) => {
                lock(&self.panic).get_or_insert(p);
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
            }
        }
    }
}

/// Locks a std mutex, ignoring poison (the data is a plain Option).
fn lock<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Polls a future, turning a panic into an `Err` with its payload.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(p) => Poll::Ready(Err(p)),
        }
    }
}

impl<E: Send + 'static> Default for Group<E> {
    fn default() -> Self {
        Group::new()
    }
}

impl<E> fmt::Debug for Group<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group").field("running", &self.inner.wg.count()).finish_non_exhaustive()
    }
}
