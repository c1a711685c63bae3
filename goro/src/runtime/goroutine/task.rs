//! G: a goroutine as the scheduler sees it. One allocation per spawn: an
//! `Arc<Task<F>>` holds the header, the future, and later its output.
//!
//! ## Ownership
//!
//! The `Arc` is shared by the run queue entry (at most one, thanks to the
//! `SCHEDULED` bit), the wakers the future handed out, the `JoinHandle`, and
//! the registry. The future itself is touched only by whoever holds the
//! `RUNNING` bit; the output only after `DONE`, by whoever disposes of it
//! (see `state.rs`). The future is pinned because the `Arc`'s contents never
//! move; it is dropped in place when the stage is overwritten.
//!
//! ## A run (Go's `execute` + `goexit`)
//!
//! `start_run`, poll under `catch_unwind` with this goroutine as the thread's
//! current one, then either record the park (reason, place, time) and
//! `end_run` (requeueing if woken meanwhile), or store the output, wake the
//! joiner, and leave the registry.

use super::atomic_waker::{Slot, WakerCell};
use super::join::JoinError;
use super::meta::Meta;
use super::registry::{Registered, Status};
#[cfg(feature = "diagnostics")]
use super::state::NOTIFIED;
use super::state::{State, ABORTED, DETACHED, DONE, RUNNING, SCHEDULED};
use crate::loom::UnsafeCell;
use crate::runtime::current;
use crate::runtime::scheduler::{Shared, Spawn};
use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake};

/// A runnable goroutine: what run queues hold.
pub(crate) type Goroutine = Arc<dyn Runnable>;

/// What kind of work a task is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// A goroutine on the workers; registered and counted.
    Goroutine,
    /// A `blocking` job on the pool; neither registered nor counted.
    Blocking,
}

/// The scheduler's view of a task, whatever its future type.
///
/// # Safety
///
/// An implementor is `repr(C)` with a [`Header`] as its first field (only
/// [`Task`] is), so that [`goroutine_id`] may read the header through the
/// data pointer without a virtual call.
pub(crate) unsafe trait Runnable: Send + Sync + 'static {
    /// Polls it once (the caller dequeued it).
    fn run(self: Arc<Self>);
}

/// The id of goroutine `g`: a load, where a virtual call would cost a
/// call and a return on every poll (the worker stores it for the monitor).
#[inline]
pub(crate) fn goroutine_id(g: &Goroutine) -> u64 {
    let header = Arc::as_ptr(g).cast::<Header>();
    // SAFETY: `Runnable`'s contract: the object starts with its `Header`,
    // alive as long as `g`.
    unsafe { (*header).meta.id }
}

/// The join handle's view of a task with output `T`.
pub(crate) trait Join<T>: Send + Sync {
    /// Takes the output if done, else registers `cx`'s waker.
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
    /// The handle is gone: dispose of the output when it comes.
    fn detach(&self);
    /// Requests cancellation.
    fn abort(self: Arc<Self>);
    /// Its header.
    fn header(&self) -> &Header;
}

/// The type-independent part of a task.
pub(crate) struct Header {
    /// The runtime it is scheduled on.
    pub(crate) rt: Arc<Shared>,
    /// The join handle's waker (its state byte is `Meta::join_waker`).
    join_waker: WakerCell,
    /// Identity, kind, scheduling state and last park.
    pub(crate) meta: Meta,
}

impl Header {
    /// Scheduling state; see `state.rs` (it lives in the record's packed
    /// word, `Meta::sched`).
    #[inline]
    pub(crate) fn state(&self) -> &State {
        &self.meta.sched
    }

    /// The join handle's waker slot.
    #[inline]
    fn join_waker(&self) -> Slot<'_> {
        Slot::new(&self.meta.join_waker, &self.join_waker)
    }
}

/// The future, then its outcome. A failure is one word (the panic payload
/// boxed once more), not a `JoinError`'s two: a stage is then no larger
/// than the future or the output plus a tag, which for a trivial goroutine
/// keeps the task in glibc's 144-byte class.
enum Stage<F: Future> {
    /// Still running.
    Pending(F),
    /// Finished with its output; waiting for the handle.
    Done(F::Output),
    /// Finished without one: panicked or aborted.
    Failed(Failure),
    /// Taken by the handle, or disposed of.
    Taken,
}

/// A panic's payload.
type Payload = Box<dyn Any + Send + 'static>;

/// A failed outcome in one word: the panic payload boxed again, or `None`
/// for an abort. Its destructor is out of line and cold, so that a stage's
/// drop glue stays small enough to inline on the paths every goroutine
/// takes (a larger glue cost about 50 instructions per goroutine in calls).
struct Failure(Option<Box<Payload>>);

impl Drop for Failure {
    #[cold]
    #[inline(never)]
    fn drop(&mut self) {
        drop(self.0.take());
    }
}

impl<F: Future> Stage<F> {
    /// The stage that holds `outcome`.
    #[inline]
    fn finished(outcome: Result<F::Output, JoinError>) -> Self {
        match outcome {
            Ok(v) => Stage::Done(v),
            Err(JoinError::Panicked(payload)) => Stage::Failed(Failure(Some(Box::new(payload)))),
            Err(JoinError::Aborted) => Stage::Failed(Failure(None)),
        }
    }

    /// The outcome it holds, if finished and not yet taken.
    #[inline]
    fn into_outcome(self) -> Option<Result<F::Output, JoinError>> {
        match self {
            Stage::Done(v) => Some(Ok(v)),
            Stage::Failed(mut failure) => Some(Err(match failure.0.take() {
                Some(payload) => JoinError::Panicked(*payload),
                None => JoinError::Aborted,
            })),
            Stage::Pending(_) | Stage::Taken => None,
        }
    }
}

/// A goroutine with future `F`. `repr(C)` with the header first, so that a
/// `Goroutine`'s data pointer is also its header's ([`Runnable`]'s contract,
/// read by [`goroutine_id`]).
#[repr(C)]
pub(crate) struct Task<F: Future> {
    /// Type-independent part.
    header: Header,
    /// Accessed per the ownership rules in the module header.
    stage: UnsafeCell<Stage<F>>,
}

impl<F: Future> Drop for Task<F> {
    fn drop(&mut self) {
        if self.header.meta.kind() == Kind::Goroutine {
            super::registry::freed(); // its registry entry is dead now
        }
    }
}

// SAFETY: the stage is only accessed by the holder of RUNNING (future) or by
// the disposer after DONE (output), never concurrently; F and its output are
// Send, so they may be touched from whichever thread holds that right.
unsafe impl<F: Future + Send> Sync for Task<F> where F::Output: Send {}

impl<F> Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    /// A scheduled task, not yet queued anywhere.
    pub(crate) fn new(rt: Arc<Shared>, fut: F, mut meta: Meta, kind: Kind) -> Arc<Self> {
        meta.set_kind(kind);
        let header = Header { rt, join_waker: WakerCell::new(), meta };
        Arc::new(Task { header, stage: UnsafeCell::new(Stage::Pending(fut)) })
    }

    /// Polls the future once.
    ///
    /// # Safety
    /// The caller holds the RUNNING bit.
    unsafe fn poll_future(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.stage.with_mut(|stage| {
            // SAFETY: RUNNING gives exclusive access; the future never moves
            // (it lives in the Arc and is dropped in place).
            match unsafe { &mut *stage } {
                // SAFETY: pinned in the Arc as argued above.
                Stage::Pending(fut) => unsafe { Pin::new_unchecked(fut) }.poll(cx),
                _ => unreachable!("goro::runtime: polled a finished goroutine"),
            }
        })
    }

    /// Stores the outcome (dropping the future in place) and hands it to the
    /// joiner, or disposes of it if the handle is gone.
    fn complete(&self, outcome: Result<F::Output, JoinError>) {
        let outcome = self.drop_future(outcome);
        // Retire before publishing: whoever sees the result also sees the
        // goroutine gone from num_goroutine() and the registry. A goroutine
        // already detached retires after its panic report instead, so that
        // "no goroutines left" also means "every report printed".
        let detached = self.header.state().load() & DETACHED != 0;
        if !detached {
            self.header.rt.goroutine_finished(self.header.meta.kind(), &self.header.meta);
        }
        // SAFETY: we hold RUNNING; DONE is not yet set, so nobody else reads.
        self.stage.with_mut(|stage| unsafe { *stage = Stage::finished(outcome) });
        let prev = self.header.state().complete();
        if prev & DETACHED != 0 {
            // SAFETY: DETACHED was set before our DONE: the handle is gone and
            // will never read the stage; we are its disposer.
            unsafe { self.dispose() };
        } else {
            self.header.join_waker().wake();
        }
        if detached {
            self.header.rt.goroutine_finished(self.header.meta.kind(), &self.header.meta);
        }
    }

    /// Drops the future in place; a panic in its destructor replaces an
    /// `Ok` outcome.
    fn drop_future(&self, outcome: Result<F::Output, JoinError>) -> Result<F::Output, JoinError> {
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: we hold RUNNING, so the stage is ours.
            self.stage.with_mut(|s| unsafe { *s = Stage::Taken })
        }));
        match (dropped, outcome) {
            (Err(payload), Ok(_)) => Err(JoinError::Panicked(payload)),
            (_, outcome) => outcome,
        }
    }

    /// Takes the output and drops it, reporting a panic nobody will see.
    ///
    /// # Safety
    /// Both DONE and DETACHED are set and the caller is the party that set
    /// the second of them, or DONE is set and the caller is the handle,
    /// dropped (it then may skip setting DETACHED).
    unsafe fn dispose(&self) {
        // SAFETY: the caller is the unique disposer (see state.rs).
        let stage = self.stage.with_mut(|s| unsafe { std::mem::replace(&mut *s, Stage::Taken) });
        match stage {
            Stage::Failed(Failure(Some(ref payload))) => report_panic(&self.header, &***payload),
            // The output's destructor runs on a worker: it must not unwind it.
            other => {
                if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(other))) {
                    report_panic(&self.header, &*payload);
                }
            }
        }
    }

    /// The poll panicked: crash like Go, or complete with the payload.
    fn panicked(&self, payload: Box<dyn Any + Send>) {
        if self.header.rt.abort_on_panic() {
            report_panic(&self.header, &*payload);
            std::process::exit(2); // Go's exit status for an unrecovered panic
        }
        self.complete(Err(JoinError::Panicked(payload)));
    }

    /// The poll returned Pending: release RUNNING (requeue if woken meanwhile).
    fn parked(self: Arc<Self>) {
        if self.header.state().end_run() {
            let how = if current::take_gosched() { Spawn::Gosched } else { Spawn::Yield };
            self.schedule(how);
        }
    }

    /// Makes this goroutine runnable on its runtime. On one of that
    /// runtime's workers the worker's own `Arc` keeps the runtime alive, so
    /// the runtime's reference count, a cache line every worker would
    /// otherwise write on every wake-up, is not touched.
    fn schedule(self: Arc<Self>, how: Spawn) {
        let rt = Arc::as_ptr(&self.header.rt);
        let mut me = Some(self);
        current::with_worker(|w| {
            if std::ptr::eq(Arc::as_ptr(w.shared()), rt) {
                w.shared().schedule(me.take().expect("taken once"), how);
            }
        });
        if let Some(me) = me {
            let rt = me.header.rt.clone(); // off the workers: keep it alive across the push
            rt.schedule(me, how);
        }
    }
}

// SAFETY: `Task` is `repr(C)` with `header` first.
unsafe impl<F> Runnable for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn run(self: Arc<Self>) {
        let Some(bits) = self.header.state().start_run() else { return };
        let meta = &self.header.meta;
        if bits & ABORTED != 0 {
            return self.complete(Err(JoinError::Aborted));
        }
        let waker = super::waker::borrowed(&self);
        let mut cx = Context::from_waker(&waker);
        #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
        let tracing = crate::debug::hooks::poll_begin(meta.id);
        let poll = current::as_goroutine(meta, || {
            // SAFETY: start_run gave us RUNNING.
            catch_unwind(AssertUnwindSafe(|| unsafe { self.poll_future(&mut cx) }))
        });
        match poll {
            Ok(Poll::Pending) => {
                #[cfg(feature = "diagnostics")] // diagnostics (issue 5): park record, trace
                crate::debug::hooks::parked(meta, tracing, || {
                    self.header.state().load() & NOTIFIED != 0
                });
                self.parked()
            }
            Ok(Poll::Ready(v)) => {
                #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
                crate::debug::hooks::finished(meta.id, tracing);
                self.complete(Ok(v))
            }
            Err(payload) => {
                #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
                crate::debug::hooks::finished(meta.id, tracing);
                self.panicked(payload)
            }
        }
    }
}

impl<F> Wake for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[inline(always)] // into the waker's vtable entry, trace check or not
    fn wake(self: Arc<Self>) {
        if self.header.state().wake() {
            #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
            crate::debug::hooks::woken(self.header.meta.id);
            self.schedule(Spawn::Wake);
        }
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.header.state().wake() {
            #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
            crate::debug::hooks::woken(self.header.meta.id);
            self.header.rt.schedule(self.clone(), Spawn::Wake);
        }
    }
}

impl<F> Join<F::Output> for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        if self.header.state().load() & DONE == 0 {
            self.header.join_waker().register(cx.waker());
            if self.header.state().load() & DONE == 0 {
                return Poll::Pending;
            }
        }
        // SAFETY: DONE is set and the handle (our caller, unique) is not
        // detached, so the output is the handle's alone to take.
        let stage = self.stage.with_mut(|s| unsafe { std::mem::replace(&mut *s, Stage::Taken) });
        match stage.into_outcome() {
            Some(out) => Poll::Ready(out),
            None => panic!("goro::runtime: JoinHandle polled after it returned its output"),
        }
    }

    fn detach(&self) {
        if self.header.state().detach_is_disposer() {
            // SAFETY: DONE was set before our DETACHED (or before we left
            // without setting it): we are the disposer.
            unsafe { self.dispose() };
        }
    }

    fn abort(self: Arc<Self>) {
        self.header.state().abort();
        Wake::wake(self);
    }

    fn header(&self) -> &Header {
        &self.header
    }
}

impl<F> Registered for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn meta(&self) -> &Meta {
        &self.header.meta
    }

    fn status(&self) -> Status {
        let bits = self.header.state().load();
        if bits & RUNNING != 0 {
            Status::Running
        } else if bits & SCHEDULED != 0 {
            Status::Runnable
        } else {
            Status::Parked
        }
    }

    fn runtime_id(&self) -> u64 {
        self.header.rt.id()
    }

    fn cancel(self: Arc<Self>) {
        if self.header.state().claim_for_cancel() {
            self.complete(Err(JoinError::Aborted));
        }
    }
}

/// What a task is called in panic reports.
fn what(header: &Header) -> &'static str {
    match header.meta.kind() {
        Kind::Goroutine => "goroutine",
        Kind::Blocking => "blocking job",
    }
}

/// Prints `panic in goroutine 7 (spawned at src/main.rs:12:5): boom`: a
/// panic nobody will see through a join handle.
fn report_panic(header: &Header, payload: &(dyn Any + Send)) {
    use std::io::Write;
    let msg = super::join::panic_message(payload).unwrap_or("<non-string panic payload>");
    let (id, at) = (header.meta.id, header.meta.spawned_at);
    // Not eprintln!: a closed stderr must not panic a worker.
    let _ = writeln!(std::io::stderr(), "panic in {} {id} (spawned at {at}): {msg}", what(header));
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// One goroutine is one allocation: the Arc's two counts, the header and
    /// the stage. Keep it small: the budget for a parked trivial
    /// goroutine, registry entry included, is 300 bytes (Go: about 2.7 KB).
    #[test]
    fn a_trivial_goroutine_is_small() {
        fn size_of_task<F: Future>(_: &F) -> usize {
            std::mem::size_of::<Task<F>>() + 16
        }
        let i = 7usize;
        // spawn_join_1m's goroutine: a captured word, returned.
        let bench = size_of_task(&async move { i });
        assert!(bench <= 136, "spawn_join_1m's goroutine takes {bench} bytes");
        let header = std::mem::size_of::<Header>();
        let task = std::mem::size_of::<Task<std::future::Pending<()>>>();
        eprintln!("header {header} B, trivial task allocation {} B", task + 16);
        assert!(header <= 96, "header is {header} bytes");
        // 136 bytes: glibc's 144-byte chunk class (152 took the 160 class).
        assert!(task + 16 <= 136, "a trivial goroutine's allocation is {} bytes", task + 16);
    }
}
