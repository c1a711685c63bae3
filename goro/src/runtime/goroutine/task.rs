//! G: a goroutine as the scheduler sees it. One allocation per spawn: a
//! `Task<F>` holds its reference count and state bytes, the future (later
//! its output), and the header.
//!
//! ## Ownership
//!
//! The task is reference counted by hand (`refs.rs`): the run queue entry
//! (at most one, thanks to the `SCHEDULED` bit), the wakers the future
//! handed out, the `JoinHandle`, and the registry (diagnostics) each hold a
//! `TaskRef`. A spawn makes the queue's, the handle's and the registry's
//! references with the count's initialisation, so spawning takes no locked
//! instruction for them (an `Arc` took two: the queue's clone and the
//! registry's `Weak`), and there is no weak count to keep. The future itself
//! is touched only by whoever holds the `RUNNING` bit; the output only after
//! `DONE`, by whoever disposes of it (see `state.rs`). The future is pinned
//! because the task never moves; it is dropped in place.
//!
//! ## Layout
//!
//! `#[repr(C)]`: first one word (`Hot`) of the count at offset 0 (every
//! `TaskRef<dyn ...>` finds it there), the stage's tag, the scheduling
//! state byte and the join waker's state byte; then the stage, a union of
//! the future, the output and a failure, which is no larger than the
//! largest of them (an enum put its tag in a word of its own); then the
//! runtime, the join waker's cell and the record (`Meta`). What a join
//! touches is thus in the first 24 bytes of a small future's task.
//! `spawn_join_1m`'s goroutine is 120 B, glibc's 128-byte class.
//!
//! ## A run (Go's `execute` + `goexit`)
//!
//! `start_run`, poll under `catch_unwind` with this goroutine as the thread's
//! current one, then either record the park (reason, place, time) and
//! `end_run` (requeueing if woken meanwhile), or store the output, wake the
//! joiner, and leave the registry.

use super::atomic_waker::{Slot, WakerCell};
use super::join::{JoinError, JoinHandle};
use super::meta::Meta;
use super::refs::{Counted, Refs, TaskRef};
use super::registry::{Registered, Status};
#[cfg(feature = "diagnostics")]
use super::state::NOTIFIED;
use super::state::{State, ABORTED, DETACHED, DONE, RUNNING, SCHEDULED};
use super::WaitReason;
use crate::loom::atomic::AtomicU8;
use crate::loom::UnsafeCell;
use crate::runtime::current;
use crate::runtime::scheduler::{Processor, Shared, Spawn};
use std::any::Any;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A runnable goroutine: what run queues hold.
pub(crate) type Goroutine = TaskRef<dyn Runnable>;

/// What kind of work a task is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// A goroutine on the workers; registered and counted.
    Goroutine,
    /// A `blocking` job on the pool; neither registered nor counted.
    Blocking,
}

/// The scheduler's view of a task, whatever its future type.
pub(crate) trait Runnable: Counted + Send + Sync + 'static {
    /// Polls it once (the caller dequeued it); true if it was woken during
    /// the poll and must be queued again.
    ///
    /// `on` is the processor that runs it, told of the poll's start with
    /// this goroutine's id (the blocking monitor's culprit): here, where
    /// the header sits at a known offset, not through a virtual call.
    fn run_once(&self, on: Option<&Processor>) -> bool;
    /// Its header.
    fn header(&self) -> &Header;
}

impl TaskRef<dyn Runnable> {
    /// Polls the goroutine once, consuming the queue's reference (or handing
    /// it back to a run queue).
    pub(crate) fn run(self, on: Option<&Processor>) {
        if self.run_once(on) {
            let how = if current::take_gosched() { Spawn::Gosched } else { Spawn::Yield };
            schedule(self, how);
        }
    }
}

/// The join handle's view of a task with output `T`.
pub(crate) trait Join<T>: Counted + Send + Sync {
    /// Takes the output if done, else registers `cx`'s waker and records
    /// the joiner's park at `at` (diagnostics).
    fn poll_join(
        &self,
        cx: &mut Context<'_>,
        at: &'static std::panic::Location<'static>,
    ) -> Poll<Result<T, JoinError>>;
    /// The handle is gone: dispose of the output when it comes.
    fn detach(&self);
    /// Requests cancellation.
    fn abort(&self);
    /// Its scheduling state.
    fn state(&self) -> &State;
    /// Its header.
    fn header(&self) -> &Header;
}

/// The words of a task that its joiner touches, first, with the stage right
/// after them: a join reads the state, takes the output and releases its
/// reference within the first 24 bytes, one cache line where the record's
/// scattered fields took two.
#[repr(C)]
struct Hot {
    /// The reference count; first, as `Counted` requires.
    refs: Refs,
    /// The stage's tag ([`PENDING`] ...); accessed with the stage.
    stage: UnsafeCell<u8>,
    /// Scheduling state; see `state.rs`.
    sched: State,
    /// The state byte of the join handle's waker slot (the cell is in the
    /// header; `atomic_waker.rs`).
    join_waker: AtomicU8,
}

/// The type-independent part of a task that the scheduler and the
/// registry read.
pub(crate) struct Header {
    /// The runtime it is scheduled on.
    pub(crate) rt: Arc<Shared>,
    /// The join handle's waker (its state byte is `Hot::join_waker`).
    join_waker: WakerCell,
    /// Identity, kind and last park.
    pub(crate) meta: Meta,
}

/// Stage tag: the future is there.
const PENDING: u8 = 0;
/// Stage tag: the output is there.
const DONE_OK: u8 = 1;
/// Stage tag: a failure is there.
const FAILED: u8 = 2;
/// Stage tag: nothing (taken by the handle, disposed of, or dropped).
const TAKEN: u8 = 3;

/// The future, then its outcome, as a value moved in and out of a task's
/// stage. A failure is one word (the panic payload boxed once more), not a
/// `JoinError`'s two: the stage is then no larger than the future or the
/// output.
enum Stage<F: Future> {
    /// Finished with its output; waiting for the handle.
    Done(F::Output),
    /// Finished without one: panicked or aborted.
    Failed(Failure),
    /// Taken by the handle, or disposed of (or still the future, which is
    /// never moved out: it is pinned and dropped in place).
    Taken,
}

/// The stage's storage; which field is there is the header's tag.
union StageCell<F: Future> {
    /// [`PENDING`]: the future, pinned here.
    future: ManuallyDrop<F>,
    /// [`DONE_OK`]: the output.
    output: ManuallyDrop<F::Output>,
    /// [`FAILED`]: the failure.
    failure: ManuallyDrop<Failure>,
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
            Stage::Taken => None,
        }
    }
}

/// A goroutine with future `F`.
#[repr(C)]
pub(crate) struct Task<F: Future> {
    /// Count, stage tag, state bytes; first, so the count is at offset 0.
    hot: Hot,
    /// Accessed per the ownership rules in the module header.
    stage: UnsafeCell<StageCell<F>>,
    /// The rest of the type-independent part.
    header: Header,
}

// SAFETY: `Task` is repr(C) and its first field, `Hot`, is repr(C) with the
// `Refs` first.
unsafe impl<F: Future> Counted for Task<F> {}

impl<F: Future> Task<F> {
    /// Scheduling state; see `state.rs`.
    #[inline]
    fn state(&self) -> &State {
        &self.hot.sched
    }

    /// The join handle's waker slot.
    #[inline]
    fn join_slot(&self) -> Slot<'_> {
        Slot::new(&self.hot.join_waker, &self.header.join_waker)
    }

    /// The goroutine polling our handle parks, at `at`, until we finish.
    /// Out of line: inlined, its registers cost `poll_join`'s ready path
    /// (every join's) about ten saves and restores.
    #[inline(never)]
    fn joiner_parks(&self, at: &'static std::panic::Location<'static>) {
        let meta = &self.header.meta;
        let (reason, on) = match meta.kind() {
            Kind::Goroutine => (WaitReason::JoinHandle, crate::debug::hold::joining(meta.id)),
            Kind::Blocking => (WaitReason::Blocking, Default::default()),
        };
        current::will_park_on(reason, at, on);
    }
}

impl<F: Future> Drop for Task<F> {
    fn drop(&mut self) {
        // SAFETY: the last reference is gone: nobody else touches the stage;
        // the future is dropped in place (it is pinned).
        unsafe {
            match self.hot.stage.with(|t| *t) {
                PENDING => self.stage.with_mut(|s| ManuallyDrop::drop(&mut (*s).future)),
                _ => drop(self.take_stage()),
            }
        }
    }
}

impl<F: Future> Task<F> {
    /// Moves the outcome out of the stage, leaving it taken.
    ///
    /// # Safety
    /// The caller may touch the stage (see the module header), and the
    /// future is not there.
    unsafe fn take_stage(&self) -> Stage<F> {
        // SAFETY: the caller's right to the stage covers its tag.
        let tag = self.hot.stage.with_mut(|t| unsafe { std::mem::replace(&mut *t, TAKEN) });
        // SAFETY: the tag says which field is initialised; it now says
        // TAKEN, so that field is read exactly once.
        self.stage.with_mut(|s| unsafe {
            match tag {
                DONE_OK => Stage::Done(ManuallyDrop::take(&mut (*s).output)),
                FAILED => Stage::Failed(ManuallyDrop::take(&mut (*s).failure)),
                PENDING => unreachable!("goro::runtime: the future moved out of its task"),
                _ => Stage::Taken,
            }
        })
    }

    /// Stores a finished outcome into a taken stage.
    ///
    /// # Safety
    /// The caller holds RUNNING and the stage is taken.
    unsafe fn put_stage(&self, stage: Stage<F>) {
        // SAFETY: the stage is ours and holds nothing to drop.
        self.stage.with_mut(|s| unsafe {
            let tag = match stage {
                Stage::Done(v) => {
                    (*s).output = ManuallyDrop::new(v);
                    DONE_OK
                }
                Stage::Failed(f) => {
                    (*s).failure = ManuallyDrop::new(f);
                    FAILED
                }
                Stage::Taken => TAKEN,
            };
            self.hot.stage.with_mut(|t| *t = tag);
        });
    }
}

// SAFETY: the stage is only accessed by the holder of RUNNING (future) or by
// the disposer after DONE (output), never concurrently; F and its output are
// Send, so they may be touched from whichever thread holds that right.
unsafe impl<F: Future + Send> Sync for Task<F> where F::Output: Send {}
// SAFETY: as for Sync: the task moves between threads only as a whole, and F
// and its output are Send.
unsafe impl<F: Future + Send> Send for Task<F> where F::Output: Send {}

/// A spawned task's first references, made with its count.
pub(crate) struct Spawned<T> {
    /// The run queue's (or the blocking pool's).
    pub(crate) run: Goroutine,
    /// The handle's.
    pub(crate) handle: JoinHandle<T>,
    /// The registry's, for a goroutine with diagnostics on.
    pub(crate) registry: Option<TaskRef<dyn Registered>>,
}

impl<F> Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    /// A scheduled task, not yet queued anywhere, and its first references.
    pub(crate) fn spawn(rt: Arc<Shared>, fut: F, mut meta: Meta, kind: Kind) -> Spawned<F::Output> {
        meta.set_kind(kind);
        let registered = cfg!(feature = "diagnostics") && kind == Kind::Goroutine;
        let hot = Hot {
            refs: Refs::new(2 + u32::from(registered), registered),
            stage: UnsafeCell::new(PENDING),
            sched: State::new_scheduled(),
            join_waker: AtomicU8::new(0),
        };
        let header = Header { rt, join_waker: WakerCell::new(), meta };
        let stage = UnsafeCell::new(StageCell { future: ManuallyDrop::new(fut) });
        let task = TaskRef::from_box(Box::new(Task { hot, stage, header }));
        // SAFETY: the count holds one reference for each of these.
        let (run, registry) = unsafe { (task.split(), registered.then(|| task.split())) };
        Spawned {
            run: run.cast(|p| p as NonNull<dyn Runnable>),
            handle: JoinHandle::new(task.cast(|p| p as NonNull<dyn Join<F::Output>>)),
            registry: registry.map(|r| r.cast(|p| p as NonNull<dyn Registered>)),
        }
    }

    /// One more reference to this task (for a wake-up by reference).
    pub(super) fn new_ref(&self) -> TaskRef<Self> {
        self.hot.refs.acquire();
        // SAFETY: the reference just counted is the result's; the task is
        // alive (we borrow it) and was allocated by `spawn`.
        unsafe { TaskRef::from_raw(NonNull::from(self)) }
    }

    /// Polls the future once.
    ///
    /// # Safety
    /// The caller holds the RUNNING bit.
    unsafe fn poll_future(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: RUNNING gives exclusive access to the stage.
        let tag = self.hot.stage.with(|t| unsafe { *t });
        assert!(tag == PENDING, "goro::runtime: polled a finished goroutine");
        self.stage.with_mut(|stage| {
            // SAFETY: exclusive as above; the tag says the future is there;
            // it never moves (it lives in the task and is dropped in place).
            unsafe { Pin::new_unchecked(&mut *(*stage).future) }.poll(cx)
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
        let detached = self.state().load() & DETACHED != 0;
        if !detached {
            self.header.rt.goroutine_finished(self.header.meta.kind(), &self.header.meta);
        }
        // SAFETY: we hold RUNNING; DONE is not yet set, so nobody else reads;
        // drop_future left the stage taken.
        unsafe { self.put_stage(Stage::finished(outcome)) };
        let prev = self.state().complete();
        if prev & DETACHED != 0 {
            // SAFETY: DETACHED was set before our DONE: the handle is gone and
            // will never read the stage; we are its disposer.
            unsafe { self.dispose() };
        } else {
            self.join_slot().wake();
        }
        if detached {
            self.header.rt.goroutine_finished(self.header.meta.kind(), &self.header.meta);
        }
    }

    /// Drops the future in place; a panic in its destructor replaces an
    /// `Ok` outcome.
    fn drop_future(&self, outcome: Result<F::Output, JoinError>) -> Result<F::Output, JoinError> {
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: we hold RUNNING, so the stage is ours; the tag goes to
            // TAKEN first, so a panicking destructor is not run twice.
            unsafe {
                if self.hot.stage.with_mut(|t| std::mem::replace(&mut *t, TAKEN)) == PENDING {
                    self.stage.with_mut(|s| ManuallyDrop::drop(&mut (*s).future));
                }
            }
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
        // SAFETY: the caller is the unique disposer (see state.rs); DONE
        // means the future is gone.
        let stage = unsafe { self.take_stage() };
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

    /// The poll returned Pending: release RUNNING. True if it was woken
    /// meanwhile and must be queued again.
    fn parked(&self) -> bool {
        self.state().end_run()
    }

    /// A wake-up through an owned reference (`Waker::wake`).
    pub(super) fn wake(me: TaskRef<Self>) {
        if me.state().wake() {
            #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
            crate::debug::hooks::woken(me.header.meta.id);
            schedule(me.cast(|p| p as NonNull<dyn Runnable>), Spawn::Wake);
        }
    }

    /// A wake-up through a borrowed reference (`Waker::wake_by_ref`).
    pub(super) fn wake_by_ref(&self) {
        if self.state().wake() {
            #[cfg(feature = "diagnostics")] // diagnostics (issue 5): trace
            crate::debug::hooks::woken(self.header.meta.id);
            schedule(self.new_ref().cast(|p| p as NonNull<dyn Runnable>), Spawn::Wake);
        }
    }
}

/// Makes goroutine `g` runnable on its runtime. On one of that runtime's
/// workers the worker's own `Arc` keeps the runtime alive, so the runtime's
/// reference count, a cache line every worker would otherwise write on
/// every wake-up, is not touched.
fn schedule(g: Goroutine, how: Spawn) {
    let rt = Arc::as_ptr(&g.header().rt);
    let mut me = Some(g);
    current::with_worker(|w| {
        if std::ptr::eq(Arc::as_ptr(w.shared()), rt) {
            w.shared().schedule(me.take().expect("taken once"), how);
        }
    });
    if let Some(me) = me {
        let rt = me.header().rt.clone(); // off the workers: keep it alive across the push
        rt.schedule(me, how);
    }
}

impl<F> Runnable for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn run_once(&self, on: Option<&Processor>) -> bool {
        if let Some(p) = on {
            p.begin_poll(self.header.meta.id); // the caller ends it, also on unwind
        }
        let Some(bits) = self.state().start_run() else { return false };
        let meta = &self.header.meta;
        if bits & ABORTED != 0 {
            self.complete(Err(JoinError::Aborted));
            return false;
        }
        let waker = super::waker::borrowed(self);
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
                crate::debug::hooks::parked(meta, tracing, || self.state().load() & NOTIFIED != 0);
                return self.parked();
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
        false
    }

    fn header(&self) -> &Header {
        &self.header
    }
}

impl<F> Join<F::Output> for Task<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn poll_join(
        &self,
        cx: &mut Context<'_>,
        at: &'static std::panic::Location<'static>,
    ) -> Poll<Result<F::Output, JoinError>> {
        if self.state().load() & DONE == 0 {
            self.join_slot().register(cx.waker());
            if self.state().load() & DONE == 0 {
                self.joiner_parks(at);
                return Poll::Pending;
            }
        }
        // SAFETY: DONE is set and the handle (our caller, unique) is not
        // detached, so the output is the handle's alone to take.
        let stage = unsafe { self.take_stage() };
        match stage.into_outcome() {
            Some(out) => Poll::Ready(out),
            None => panic!("goro::runtime: JoinHandle polled after it returned its output"),
        }
    }

    fn detach(&self) {
        if self.state().detach_is_disposer() {
            // SAFETY: DONE was set before our DETACHED (or before we left
            // without setting it): we are the disposer.
            unsafe { self.dispose() };
        }
    }

    fn abort(&self) {
        self.state().abort();
        self.wake_by_ref();
    }

    fn state(&self) -> &State {
        &self.hot.sched
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
        let bits = self.state().load();
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

    fn cancel(&self) {
        if self.state().claim_for_cancel() {
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

    /// One goroutine is one allocation: the header (count first) and the
    /// stage. Keep it small: the budget for a parked trivial
    /// goroutine, registry entry included, is 300 bytes (Go: about 2.7 KB).
    #[test]
    fn a_trivial_goroutine_is_small() {
        fn size_of_task<F: Future>(_: &F) -> usize {
            std::mem::size_of::<Task<F>>()
        }
        let i = 7usize;
        // spawn_join_1m's goroutine: a captured word, returned.
        let bench = size_of_task(&async move { i });
        // 120 bytes: glibc's 128-byte chunk class (136 took the 144 class).
        assert!(bench <= 120, "spawn_join_1m's goroutine takes {bench} bytes");
        let header = std::mem::size_of::<Header>();
        let task = std::mem::size_of::<Task<std::future::Pending<()>>>();
        eprintln!("header {header} B, trivial task allocation {task} B");
        assert!(header <= 96, "header is {header} bytes");
        assert!(task <= 120, "a trivial goroutine's allocation is {task} bytes");
    }
}
