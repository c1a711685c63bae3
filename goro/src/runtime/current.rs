//! Thread-local state: which runtime this thread belongs to, which worker
//! (M) it is, which goroutine it is polling, and whether that goroutine
//! said why it parks (its park record goes straight to its `Meta`).
//!
//! Invariants:
//! - `RUNTIME` is set on a runtime's worker threads for their whole life and
//!   inside `block_on` for its duration; elsewhere it is empty and `go` falls
//!   back to the process-wide default runtime.
//! - `WORKER` is set only on worker threads; owner-only operations on a
//!   processor (local queue push/pop, timer insert) go through it, which is
//!   what makes "only the owner touches the owner side" hold.
//! - `GOROUTINE` is `(id, scope, meta)` of the goroutine being polled on
//!   this thread, or `(0, scope, null)` between polls, where `scope` is the
//!   one `enter_scope` set (0 if none). `meta` points at the polled
//!   goroutine's `Meta`, alive for the whole poll (`as_goroutine` borrows it).

use super::goroutine::meta::{next_scope, Meta, WaitOn};
use super::goroutine::refs::{Counted, Refs, TaskRef};
use super::goroutine::registry::{self, Registered, Status};
use super::goroutine::WaitReason;
use super::scheduler::{Shared, Worker};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};

thread_local! {
    /// The runtime whose goroutines this thread runs, if any.
    static RUNTIME: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
    /// The worker (M) this thread is, if it is one: null elsewhere. A plain
    /// pointer (no destructor), so that reading it is one load from the
    /// thread's block, with no lazy getter; [`enter_worker`] keeps the
    /// worker alive while it is set.
    static WORKER: Cell<*const Worker> = const { Cell::new(std::ptr::null()) };
    /// The goroutine being polled here; see the header.
    static GOROUTINE: Cell<Polled> = const { Cell::new(Polled { id: 0, scope: 0, meta: std::ptr::null() }) };
    /// Whether the goroutine being polled said why it would park, in this
    /// poll (`will_park_on` wrote its record); taken after the poll.
    #[cfg(feature = "diagnostics")]
    static SAID: Cell<bool> = const { Cell::new(false) };
    /// The goroutine being polled called `yield_now` (taken when it is
    /// requeued after the poll: `Spawn::Gosched`).
    static GOSCHED: Cell<bool> = const { Cell::new(false) };
    /// Operations the goroutine being polled may still complete without
    /// yielding (see [`poll_budget`]); `UNLIMITED` off goroutines.
    static BUDGET: Cell<u64> = const { Cell::new(UNLIMITED) };
}

/// Operations a goroutine may complete in one poll without waiting before
/// a channel operation makes it yield (tokio's coop budget; Go preempts a
/// goroutine that runs 10 ms instead).
pub(crate) const BUDGET_PER_POLL: u64 = 128;
/// The budget of code that is not a goroutine's poll. It is spent like any
/// other, one per operation, but 2^64 operations never come: so it is never
/// exhausted, and `poll_budget` needs no test for it (two instructions less
/// on every channel operation).
const UNLIMITED: u64 = u64::MAX;

/// Spends one unit of the running goroutine's budget, for an operation
/// that is about to complete without waiting. When the budget is spent
/// and something else could run on this processor, schedules the
/// goroutine again (to its queue's tail) and returns `Pending`, before the
/// operation takes effect: so a goroutine whose channel operations never
/// block still lets the others on its processor run. When nothing else
/// could, the budget is renewed instead ([`budget_spent`]).
#[inline]
pub(crate) fn poll_budget(cx: &mut Context<'_>) -> Poll<()> {
    // Decrement first, test the old value after: one `sub` on the
    // thread's counter in place and a branch on its borrow, where a test
    // before the store took a load, a test and a store as well
    // (`budget_spent` puts the counter right).
    BUDGET.with(|b| {
        let left = b.get();
        b.set(left.wrapping_sub(1));
        if left == 0 {
            return budget_spent(cx);
        }
        Poll::Ready(())
    })
}

/// The running goroutine spent its budget: it yields if anything else
/// waits to run on its processor (Go's preemption request, made every
/// [`BUDGET_PER_POLL`] operations instead of after 10 ms), else goes on
/// with a new budget, its poll counted as a new one for the monitor
/// ([`Worker::renew_poll`]). A yield that only re-polls the same
/// goroutine cost about 600 instructions, 5 per operation of a
/// goroutine alone with its channels (`BENCHMARKS.md`). Off workers (a
/// `block_on`'s main goroutine) it always yields, as before.
#[cold]
#[inline(never)]
fn budget_spent(cx: &mut Context<'_>) -> Poll<()> {
    let alone = with_worker(Worker::renew_poll).unwrap_or(false);
    if alone {
        BUDGET.with(|b| b.set(BUDGET_PER_POLL - 1)); // this operation spends one
        return Poll::Ready(());
    }
    BUDGET.with(|b| b.set(0)); // spent until the poll ends: later operations yield too
    cx.waker().wake_by_ref();
    Poll::Pending
}

/// The goroutine being polled on a thread (see the header's invariants).
#[derive(Clone, Copy)]
struct Polled {
    /// Its id; 0 between polls.
    id: u64,
    /// The leak-attribution scope of what this thread spawns.
    scope: u64,
    /// Its registry record; null between polls.
    meta: *const Meta,
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
    with_runtime_or_default(Arc::clone)
}

/// Runs `f` on the runtime of this thread, or the default one, without
/// touching its reference count (a spawn would otherwise write that shared
/// count twice). `f` must not enter another runtime on this thread.
#[inline]
pub(crate) fn with_runtime_or_default<R>(f: impl FnOnce(&Arc<Shared>) -> R) -> R {
    let mut f = Some(f);
    let here = RUNTIME.with(|c| c.borrow().as_ref().map(|rt| (f.take().expect("once"))(rt)));
    match here {
        Some(r) => r,
        None => (f.take().expect("not called yet"))(default_runtime().shared()),
    }
}

/// Restores a thread-local on drop (also on unwind).
struct Restore<T: 'static>(&'static std::thread::LocalKey<RefCell<Option<T>>>, Option<T>);

impl<T: 'static> Drop for Restore<T> {
    fn drop(&mut self) {
        let old = self.1.take();
        self.0.with(|c| *c.borrow_mut() = old);
    }
}

/// Runs `f` with `rt` as this thread's runtime, restoring the old one after.
pub(crate) fn enter<R>(rt: &Arc<Shared>, f: impl FnOnce() -> R) -> R {
    let old = RUNTIME.with(|c| c.replace(Some(rt.clone())));
    let _restore = Restore(&RUNTIME, old);
    f()
}

/// Runs `f` as worker `w` (the body of a worker thread). `w` lives in this
/// frame until `f` has returned and `WORKER` is restored (a parameter is
/// dropped after the frame's locals, the restoring guard among them).
pub(crate) fn enter_worker<R>(w: Rc<Worker>, f: impl FnOnce() -> R) -> R {
    /// Puts back the previous worker pointer on drop (also on unwind).
    struct Back(*const Worker);
    impl Drop for Back {
        fn drop(&mut self) {
            WORKER.with(|c| c.set(self.0));
        }
    }
    let rt = w.shared().clone();
    let _back = Back(WORKER.with(|c| c.replace(Rc::as_ptr(&w))));
    enter(&rt, f)
}

/// Runs `f` with this thread's worker, if it is a worker of `rt`.
#[inline]
pub(crate) fn with_worker_of<R>(rt: &Shared, f: impl FnOnce(&Worker) -> R) -> Option<R> {
    with_worker(|w| std::ptr::eq(&**w.shared(), rt).then(|| f(w))).flatten()
}

/// Runs `f` with this thread's worker, of whatever runtime.
#[inline]
pub(crate) fn with_worker<R>(f: impl FnOnce(&Worker) -> R) -> Option<R> {
    let w = WORKER.with(Cell::get);
    // SAFETY: a non-null pointer is the worker that `enter_worker` holds
    // in a frame below this one on this thread's stack, for as long as the
    // pointer is set (it is restored before that `Rc` drops); `Worker` is
    // only ever used through shared references.
    (!w.is_null()).then(|| f(unsafe { &*w }))
}

/// Runs `f` as the goroutine `meta` describes (one poll), restoring after.
#[inline]
pub(crate) fn as_goroutine<R>(meta: &Meta, f: impl FnOnce() -> R) -> R {
    /// Restores the previous goroutine and budget on drop (also on unwind).
    struct Back(Polled, u64);
    impl Drop for Back {
        fn drop(&mut self) {
            GOROUTINE.with(|g| g.set(self.0));
            BUDGET.with(|b| b.set(self.1));
        }
    }
    let now = Polled { id: meta.id, scope: meta.scope(), meta };
    let old_budget = BUDGET.with(|b| b.replace(BUDGET_PER_POLL));
    let _back = Back(GOROUTINE.with(|g| g.replace(now)), old_budget);
    f()
}

/// `(parent, scope)` for a goroutine spawned here now.
#[inline]
pub(crate) fn spawn_context() -> (u64, u64) {
    let g = GOROUTINE.with(Cell::get);
    (g.id, g.scope)
}

/// The id of the goroutine running on this thread (0 if none).
#[inline]
pub(crate) fn goroutine_id() -> u64 {
    GOROUTINE.with(|g| g.get().id)
}

/// Runs `f` on the registry record of the goroutine being polled on this
/// thread; `None` off any goroutine.
#[inline]
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn with_meta<R>(f: impl FnOnce(&Meta) -> R) -> Option<R> {
    let meta = GOROUTINE.with(|g| g.get().meta);
    // SAFETY: a non-null `meta` was set by `as_goroutine` from a `&Meta`
    // that outlives the poll running on this thread now (header invariant).
    unsafe { meta.as_ref() }.map(f)
}

/// A new leak-attribution scope id, never 0.
#[allow(dead_code)] // used by #[goro::test] and the diagnostics area (issue 5)
pub(crate) fn new_scope() -> u64 {
    next_scope()
}

/// Makes `scope` the scope of this thread's goroutine (or of the goroutines
/// that code off any goroutine spawns) until the guard drops; every
/// goroutine spawned meanwhile, and transitively their children, inherits it.
pub(crate) fn enter_scope(scope: u64) -> ScopeGuard {
    let old = GOROUTINE.with(|g| {
        let now = g.get();
        g.set(Polled { scope, ..now });
        now.scope
    });
    ScopeGuard { old }
}

/// Restores the previous scope when dropped.
#[must_use = "the scope ends when the guard drops"]
pub(crate) struct ScopeGuard {
    /// The scope to restore.
    old: u64,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        GOROUTINE.with(|g| g.set(Polled { scope: self.old, ..g.get() }));
    }
}

/// Records why the goroutine being polled is about to return `Pending`.
///
/// Every blocking primitive calls this just before it parks; outside a
/// goroutine it does nothing. The record goes straight into the goroutine's
/// registry entry, with the time; a poll that parks without saying why
/// records `Unknown` after it (see [`take_said`]).
#[inline]
pub fn will_park(reason: WaitReason, at: &'static Location<'static>) {
    will_park_on(reason, at, WaitOn::default());
}

/// [`will_park`], also saying what the goroutine waits on (the object, and
/// the goroutine it waits for if known), for the partial deadlock report.
#[inline]
pub(crate) fn will_park_on(reason: WaitReason, at: &'static Location<'static>, on: WaitOn) {
    #[cfg(feature = "diagnostics")]
    if with_meta(|m| m.record_park(reason, at, on)).is_some() {
        SAID.with(|s| s.set(true));
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = (reason, at, on);
}

/// The goroutine being polled yields with `yield_now`; off goroutines,
/// nothing. A poll that yields and then completes after all leaves the
/// note to the next requeue on this thread: at worst one spurious wake-up.
#[inline]
pub(crate) fn note_gosched() {
    if GOROUTINE.with(|g| !g.get().meta.is_null()) {
        GOSCHED.with(|y| y.set(true));
    }
}

/// Whether the poll that just ended yielded with `yield_now` (clears it).
#[inline]
pub(crate) fn take_gosched() -> bool {
    GOSCHED.with(|y| y.replace(false))
}

/// Whether the poll that just ended said why it parks ([`will_park_on`]);
/// clears the note for the next poll on this thread. Always false without
/// diagnostics, which keep no record.
#[inline]
pub(crate) fn take_said() -> bool {
    #[cfg(feature = "diagnostics")]
    return SAID.with(|s| s.replace(false));
    #[cfg(not(feature = "diagnostics"))]
    false
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
        let _ = take_said();
        std::thread::park();
    }
}

/// `Runtime::run`: spawns `fut` as the main goroutine of `rt`, on its
/// processors, and blocks this thread on its join. A panic is resumed here.
#[track_caller]
pub(crate) fn run_main<F>(rt: &Arc<Shared>, fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let main = rt.spawn(fut, None);
    let _counted = crate::debug::BlockOnThread::enter(main.id()); // diagnostics (issue 5): deadlock rule 4
    match block_on_thread(main) {
        Ok(v) => v,
        Err(e) => match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(e) => panic!("goro::runtime: the main goroutine did not finish: {e}"),
        },
    }
}

/// The registry entry of a `block_on` main goroutine, which runs on the
/// calling thread rather than on a worker.
#[repr(C)]
struct MainGoroutine {
    /// Its reference count: the registry's and the `block_on`'s; first, as
    /// `Counted` requires.
    refs: Refs,
    /// Identity and last park.
    meta: Meta,
    /// The runtime it belongs to.
    runtime: u64,
    /// 0 running, 1 parked.
    parked: AtomicU8,
}

impl Registered for MainGoroutine {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn status(&self) -> Status {
        match self.parked.load(Ordering::Relaxed) {
            0 => Status::Running,
            _ => Status::Parked,
        }
    }
    fn runtime_id(&self) -> u64 {
        self.runtime
    }
    fn cancel(&self) {} // it ends with its block_on
}

// SAFETY: repr(C) with the Refs first.
unsafe impl Counted for MainGoroutine {}

/// Leaves the registry and the goroutine count when `block_on` returns or
/// unwinds.
struct Unregister(TaskRef<MainGoroutine>, Arc<Shared>);

impl Drop for Unregister {
    fn drop(&mut self) {
        registry::remove(&self.0.meta);
        self.1.count_main(false);
    }
}

/// `Runtime::block_on`: polls `fut` on this thread as a registered main
/// goroutine of `rt` (Go's main goroutine; the first one gets id 1).
#[track_caller]
pub(crate) fn block_on_main<F: Future>(rt: &Arc<Shared>, fut: F) -> F::Output {
    let (parent, scope) = spawn_context();
    let meta =
        Meta::new(super::goroutine::meta::next_id(), (parent, scope), Location::caller(), None);
    let registered = cfg!(feature = "diagnostics");
    let refs = Refs::new(1 + u32::from(registered), registered);
    let main = MainGoroutine { refs, meta, runtime: rt.id(), parked: AtomicU8::new(0) };
    let main = TaskRef::from_box(Box::new(main));
    if registered {
        // SAFETY: the count holds the registry's reference.
        registry::insert(unsafe { main.split() }.cast(|p| p as NonNull<dyn Registered>));
    }
    rt.count_main(true);
    let main = Unregister(main, rt.clone());
    let _counted = crate::debug::BlockOnThread::enter(main.0.meta.id); // diagnostics (issue 5): deadlock rule 4
    let fut = ParkRecorder { fut, main: &main.0 };
    enter(rt, || as_goroutine(&main.0.meta, || block_on_thread(fut)))
}

/// Wraps the main future to keep its registry entry's state current.
struct ParkRecorder<'a, F> {
    /// The main future.
    fut: F,
    /// Its registry entry.
    main: &'a MainGoroutine,
}

impl<F: Future> Future for ParkRecorder<'_, F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `fut` is structurally pinned: never moved out of `self`.
        let this = unsafe { self.get_unchecked_mut() };
        this.main.parked.store(0, Ordering::Relaxed);
        BUDGET.with(|b| b.set(BUDGET_PER_POLL)); // each poll, as a worker's
                                                 // SAFETY: as above.
        let out = unsafe { std::pin::Pin::new_unchecked(&mut this.fut) }.poll(cx);
        if out.is_pending() {
            if !take_said() {
                this.main.meta.record_park_unknown();
            }
            this.main.parked.store(1, Ordering::Relaxed);
        }
        out
    }
}
