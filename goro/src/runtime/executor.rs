//! A deliberately minimal executor: one shared run queue behind a mutex and
//! `procs` worker threads. It fixes the public API (`go`, `JoinHandle`,
//! `Runtime`) so that channels and the toolkit can be built against it; the
//! G/M/P work-stealing scheduler of issue 2 replaces it.
//!
//! Task state machine (`Task::state`), the usual one for wake-while-running:
//! IDLE -wake-> SCHEDULED -run-> RUNNING -pending-> IDLE
//!                                   \-wake-> NOTIFIED -pending-> SCHEDULED
//! and RUNNING -ready-> DONE. A task is in the queue only while SCHEDULED.

use super::goroutine::{JoinError, JoinHandle, JoinState};
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::panic::{AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};

const IDLE: u8 = 0;
const SCHEDULED: u8 = 1;
const RUNNING: u8 = 2;
const NOTIFIED: u8 = 3;
const DONE: u8 = 4;

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// State shared by a runtime's handle, its workers and its tasks.
pub(crate) struct Shared {
    /// Runnable tasks.
    queue: Mutex<VecDeque<Arc<Task>>>,
    /// Signalled when the queue gains a task or the runtime stops.
    cv: Condvar,
    /// Number of worker threads.
    procs: usize,
    /// Goroutines spawned and not yet finished.
    live: AtomicUsize,
    /// Set once, by `shutdown`.
    stopped: AtomicBool,
    /// Crash the process when a goroutine panics.
    abort_on_panic: bool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("procs", &self.procs).finish_non_exhaustive()
    }
}

impl Shared {
    /// Starts `procs` worker threads.
    pub(crate) fn start(procs: usize, abort_on_panic: bool) -> io::Result<Arc<Shared>> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            cv: Condvar::new(),
            procs,
            live: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
            abort_on_panic,
        });
        for i in 0..procs {
            let s = shared.clone();
            std::thread::Builder::new()
                .name(format!("goro-worker-{i}"))
                .spawn(move || super::current::enter(&s.clone(), || s.worker_loop()))?;
        }
        Ok(shared)
    }

    pub(crate) fn procs(&self) -> usize {
        self.procs
    }

    pub(crate) fn live_goroutines(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Stops the workers; queued tasks are dropped.
    pub(crate) fn shutdown(&self) {
        self.stopped.store(true, Ordering::Release); // seen by workers under the queue lock
        let drained: Vec<_> = self.lock_queue().drain(..).collect();
        drop(drained);
        self.cv.notify_all();
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Task>>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, task: Arc<Task>) {
        if self.stopped.load(Ordering::Acquire) {
            return; // pairs with the Release in shutdown
        }
        self.lock_queue().push_back(task);
        self.cv.notify_one();
    }

    fn worker_loop(&self) {
        loop {
            let task = {
                let mut q = self.lock_queue();
                loop {
                    if self.stopped.load(Ordering::Acquire) {
                        return;
                    }
                    if let Some(t) = q.pop_front() {
                        break t;
                    }
                    q = self.cv.wait(q).unwrap_or_else(|e| e.into_inner());
                }
            };
            task.run();
        }
    }
}

/// A goroutine as the executor sees it.
struct Task {
    /// See the module header for the state machine.
    state: AtomicU8,
    /// The goroutine's body; `None` once finished.
    future: Mutex<Option<BoxFuture>>,
    /// The runtime to requeue on.
    shared: Weak<Shared>,
}

impl Task {
    fn run(self: &Arc<Self>) {
        self.state.store(RUNNING, Ordering::Release);
        let waker = Waker::from(self.clone());
        let mut cx = Context::from_waker(&waker);
        let done = {
            let mut slot = self.future.lock().unwrap_or_else(|e| e.into_inner());
            match slot.as_mut() {
                Some(f) => {
                    let done = f.as_mut().poll(&mut cx).is_ready();
                    if done {
                        *slot = None;
                    }
                    done
                }
                None => true,
            }
        };
        let _ = super::current::take_park_reason();
        if done {
            self.state.store(DONE, Ordering::Release);
            if let Some(s) = self.shared.upgrade() {
                s.live.fetch_sub(1, Ordering::Relaxed);
            }
            return;
        }
        if self
            .state
            .compare_exchange(RUNNING, IDLE, Ordering::AcqRel, Ordering::Acquire) // hands the task to the next waker
            .is_err()
        {
            self.state.store(SCHEDULED, Ordering::Release);
            self.requeue();
        }
    }

    fn requeue(self: &Arc<Self>) {
        if let Some(s) = self.shared.upgrade() {
            s.push(self.clone());
        }
    }
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut s = self.state.load(Ordering::Acquire);
        loop {
            let next = match s {
                IDLE => SCHEDULED,
                RUNNING => NOTIFIED,
                _ => return,
            };
            // AcqRel: the winner of IDLE->SCHEDULED owns the enqueue.
            match self.state.compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) if next == SCHEDULED => return self.requeue(),
                Ok(_) => return,
                Err(actual) => s = actual,
            }
        }
    }
}

/// Wraps a goroutine body: honours abort, catches panics, fills the slot.
struct Body<F: Future> {
    fut: Pin<Box<F>>,
    state: Arc<JoinState<F::Output>>,
    abort_on_panic: bool,
    spawned_at: &'static Location<'static>,
}

impl<F: Future> Future for Body<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.state.is_aborted() {
            self.state.complete(Err(JoinError::Aborted));
            return Poll::Ready(());
        }
        let fut = self.fut.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => {
                self.state.complete(Ok(v));
                Poll::Ready(())
            }
            Err(payload) => {
                if self.abort_on_panic {
                    eprintln!("fatal: goroutine spawned at {} panicked", self.spawned_at);
                    std::process::abort();
                }
                self.state.complete(Err(JoinError::Panicked(payload)));
                Poll::Ready(())
            }
        }
    }
}

impl<F: Future> Unpin for Body<F> {}

/// Starts `fut` on `shared`.
pub(crate) fn spawn<F>(
    shared: Arc<Shared>,
    fut: F,
    spawned_at: &'static Location<'static>,
) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let state = JoinState::new();
    let body = Body {
        fut: Box::pin(fut),
        state: state.clone(),
        abort_on_panic: shared.abort_on_panic,
        spawned_at,
    };
    let task = Arc::new(Task {
        state: AtomicU8::new(SCHEDULED),
        future: Mutex::new(Some(Box::pin(body))),
        shared: Arc::downgrade(&shared),
    });
    shared.live.fetch_add(1, Ordering::Relaxed);
    let waker = Waker::from(task.clone());
    shared.push(task);
    JoinHandle::new(state, waker)
}
