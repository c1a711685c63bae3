//! The scheduler's shared state (Go's `schedt` plus `allp`), one per
//! runtime: the processors, the global queue, the idle bookkeeping, the
//! parkers of the worker threads, and the blocking pool. Also the entry
//! points every other part calls: spawn, schedule (Go's `ready`), notify
//! (Go's `wakep`), and the hooks a monitor (Go's `sysmon`) will use.

use super::idle::Idle;
use super::inject::Inject;
use super::park::Parker;
use super::processor::Processor;
use super::worker;
use crate::loom::atomic::{AtomicBool, AtomicIsize, Ordering};
use crate::runtime::blocking::Pool;
use crate::runtime::current;
use crate::runtime::goroutine::meta::{next_id, Meta};
use crate::runtime::goroutine::registry;
use crate::runtime::goroutine::task::{Goroutine, Kind, Task};
use crate::runtime::JoinHandle;
use crate::time::entry::Entry;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// The most processors a runtime takes (the idle word counts searchers in
/// 16 bits; far above any machine's useful parallelism).
pub(crate) const MAX_PROCS: usize = 4096;

/// How a goroutine reaches a run queue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Spawn {
    /// Just spawned: local queue tail (spreads by stealing).
    New,
    /// Woken: `runnext` if woken by the goroutine running on this worker.
    Wake,
    /// Woken during its own poll, by a partner or by its spent coop
    /// budget: local queue tail, no other worker woken.
    Yield,
    /// Yielded by `yield_now` (Go's `Gosched`): local queue tail, and a
    /// sleeping worker is woken to share the processor's work.
    Gosched,
}

/// What a runtime is configured with.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Processors, and worker threads.
    pub(crate) procs: usize,
    /// Crash the process on any goroutine panic.
    pub(crate) abort_on_panic: bool,
    /// Blocking pool thread cap.
    pub(crate) max_blocking_threads: usize,
    /// Blocking pool idle thread keep-alive.
    pub(crate) blocking_keep_alive: Duration,
}

/// Counters a deadlock detector and dumps read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) struct Counters {
    /// Goroutines spawned and not finished.
    pub(crate) goroutines: usize,
    /// Goroutines in run queues (local, runnext, global).
    pub(crate) runnable: usize,
    /// Workers polling a goroutine now.
    pub(crate) running: usize,
    /// Timers on this runtime's processors (cancelled ones not yet swept included).
    pub(crate) timers: usize,
    /// Blocking jobs running.
    pub(crate) blocking_in_flight: usize,
    /// Blocking jobs waiting for a pool thread.
    pub(crate) blocking_queued: usize,
    /// Workers asleep.
    pub(crate) sleeping_workers: usize,
}

/// One runtime's scheduler.
pub(crate) struct Shared {
    /// Process-unique runtime id.
    id: u64,
    /// The processors (Go's `allp`); worker `i` holds processor `i`.
    pub(crate) procs: Box<[Processor]>,
    /// Each worker thread's sleep/wake channel.
    pub(crate) parkers: Box<[Parker]>,
    /// The global run queue.
    pub(crate) inject: Inject<Goroutine>,
    /// Who sleeps, who searches.
    pub(crate) idle: Idle,
    /// Live goroutines spawned or finished off the workers (a count shard).
    offp_live: AtomicIsize,
    /// Set once, by `shutdown`.
    stopped: AtomicBool,
    /// Crash the process on any goroutine panic.
    abort_on_panic: bool,
    /// The blocking pool.
    pub(crate) blocking: Arc<Pool>,
    /// The rescue thread's switch (`rescue.rs`).
    pub(crate) rescue: super::rescue::Rescue,
}

/// Every runtime started and not dropped, for snapshots and monitors.
static RUNTIMES: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

/// The live runtimes.
#[allow(dead_code)] // read by the diagnostics area (issue 5)
pub(crate) fn runtimes() -> Vec<Arc<Shared>> {
    RUNTIMES.lock().unwrap_or_else(|e| e.into_inner()).iter().filter_map(Weak::upgrade).collect()
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("id", &self.id)
            .field("procs", &self.procs.len())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Builds the scheduler and starts one worker thread per processor.
    pub(crate) fn start(cfg: Config) -> io::Result<Arc<Shared>> {
        static NEXT_RT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = cfg.procs.clamp(1, MAX_PROCS);
        let shared = Arc::new(Shared {
            id: NEXT_RT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            procs: (0..n).map(|_| Processor::new()).collect(),
            parkers: (0..n).map(|_| Parker::new()).collect(),
            inject: Inject::new(),
            idle: Idle::new(n),
            offp_live: AtomicIsize::new(0),
            stopped: AtomicBool::new(false),
            abort_on_panic: cfg.abort_on_panic,
            blocking: Pool::new(cfg.max_blocking_threads, cfg.blocking_keep_alive),
            rescue: super::rescue::Rescue::default(),
        });
        RUNTIMES.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::downgrade(&shared));
        crate::debug::hooks::runtime_started(); // diagnostics (issue 5): monitor, SIGQUIT
        for i in 0..n {
            let s = shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("goro-worker-{i}"))
                .spawn(move || worker::run(s, i));
            if let Err(e) = spawned {
                shared.shutdown();
                return Err(e);
            }
        }
        Ok(shared)
    }

    /// The runtime id.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The number of processors.
    pub(crate) fn procs(&self) -> usize {
        self.procs.len()
    }

    /// Whether a goroutine panic crashes the process.
    pub(crate) fn abort_on_panic(&self) -> bool {
        self.abort_on_panic
    }

    /// Whether `shutdown` ran.
    pub(crate) fn is_shutdown(&self) -> bool {
        self.stopped.load(Ordering::Acquire) // pairs with the Release in shutdown
    }

    /// Adds `delta` to the live count: to this thread's processor's shard,
    /// which only its owner writes (a plain load and store, no locked
    /// instruction), or to the shared off-processor one.
    fn count_live(&self, delta: isize) {
        if current::with_worker_of(self, |w| self.count_on(w, delta)).is_none() {
            self.offp_live.fetch_add(delta, Ordering::Relaxed);
        }
    }

    /// Adds `delta` to worker `w`'s shard of the live count (`w` is this
    /// thread, a worker of this runtime).
    #[inline]
    fn count_on(&self, w: &worker::Worker, delta: isize) {
        let shard = &self.procs[w.processor_index()].live;
        let n = shard.load(Ordering::Relaxed); // only this worker writes its shard
        shard.store(n + delta, Ordering::Relaxed); // readers only sum racily
    }

    /// Counts a new goroutine live and queues it, looking this thread's
    /// worker up once for both (each look-up is a thread-local and a
    /// `RefCell` borrow: about 30 instructions of a spawn).
    fn launch(&self, g: Goroutine) {
        let mut g = Some(g);
        let on_worker = current::with_worker_of(self, |w| {
            self.count_on(w, 1);
            if !self.is_shutdown() {
                w.push_local(g.take().expect("taken once"), Spawn::New);
            } // else dropped, as by `schedule`
        });
        if on_worker.is_none() {
            self.offp_live.fetch_add(1, Ordering::Relaxed);
            self.schedule(g.take().expect("not taken off the workers"), Spawn::New);
        }
    }

    /// Starts a goroutine: Go's `newproc`.
    #[track_caller]
    pub(crate) fn spawn<F>(
        self: &Arc<Self>,
        fut: F,
        name: Option<Box<str>>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_at(fut, name, Location::caller())
    }

    /// [`Shared::spawn`], with the spawn site given.
    pub(crate) fn spawn_at<F>(
        self: &Arc<Self>,
        fut: F,
        name: Option<Box<str>>,
        at: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = Meta::new(next_id(), current::spawn_context(), at, name);
        #[cfg(feature = "diagnostics")] // diagnostics (issue 5): spawn count, trace
        crate::debug::hooks::spawned(meta.id, meta.parent);
        let task = Task::spawn(self.clone(), fut, meta, Kind::Goroutine);
        if let Some(entry) = task.registry {
            registry::insert(entry);
        }
        self.launch(task.run);
        task.handle
    }

    /// Runs `f` on the blocking pool.
    #[track_caller]
    pub(crate) fn spawn_blocking<F, R>(self: &Arc<Self>, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = Meta::new(next_id(), current::spawn_context(), Location::caller(), None);
        let task = Task::spawn(self.clone(), BlockingJob(Some(f)), meta, Kind::Blocking);
        self.blocking.submit(task.run);
        task.handle
    }

    /// A goroutine finished: uncount and unregister it.
    pub(crate) fn goroutine_finished(&self, kind: Kind, meta: &Meta) {
        if kind == Kind::Goroutine {
            self.count_live(-1);
            registry::remove(meta);
        }
    }

    /// A `block_on` main goroutine starts (`true`) or ends (`false`); it
    /// counts in `live_goroutines` like Go's main goroutine.
    pub(crate) fn count_main(&self, started: bool) {
        self.offp_live.fetch_add(if started { 1 } else { -1 }, Ordering::Relaxed);
    }

    /// Goroutines spawned and not finished, main goroutines of running
    /// `block_on`s included: Go's `NumGoroutine`.
    pub(crate) fn live_goroutines(&self) -> usize {
        let sum: isize = self.procs.iter().map(|p| p.live.load(Ordering::Relaxed)).sum();
        (sum + self.offp_live.load(Ordering::Relaxed)).max(0) as usize
    }

    /// Makes `g` runnable: Go's `ready` / `runqput`.
    pub(crate) fn schedule(&self, g: Goroutine, how: Spawn) {
        if self.is_shutdown() {
            return; // dropped; shutdown cancels registered goroutines
        }
        let mut g = Some(g);
        current::with_worker_of(self, |w| w.push_local(g.take().expect("taken once"), how));
        if let Some(g) = g {
            self.inject.push(g); // off our workers: the global queue
            self.notify_one();
        }
    }

    /// Wakes a sleeping worker if work may be waiting and nobody searches:
    /// Go's `wakep`.
    pub(crate) fn notify_one(&self) {
        if let Some(i) = self.idle.worker_to_notify() {
            self.parkers[i].unpark();
        }
    }

    /// Whether any queue of this runtime holds work (the last searcher's
    /// re-check before sleeping).
    pub(crate) fn has_work(&self) -> bool {
        !self.inject.is_empty() || self.procs.iter().any(Processor::has_work)
    }

    /// Stops the workers, lets the blocking pool's idle threads go, and
    /// drops every goroutine that is not running (their handles yield
    /// `JoinError::Aborted`).
    pub(crate) fn shutdown(&self) {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return; // publishes the stop to workers and schedulers
        }
        for p in self.parkers.iter() {
            p.unpark();
        }
        drop(self.inject.drain());
        for p in self.procs.iter() {
            p.timers.clear(); // their sleeps re-register where polled next
        }
        self.blocking.shutdown();
        registry::cancel_runtime(self.id);
    }

    /// Sysmon hook: processor `p`'s scheduling tick (odd while a poll runs).
    /// A tick that stays odd and unchanged across two samples 10 ms apart is
    /// a worker stuck in one poll (Go's `retake`).
    #[allow(dead_code)] // used by the monitor (issue 5)
    pub(crate) fn sched_tick(&self, p: usize) -> u64 {
        self.procs[p].sched_tick()
    }

    /// Sysmon hook: the goroutine processor `p` polls, valid while the tick
    /// read just before (Acquire) is odd.
    #[cfg(feature = "diagnostics")]
    pub(crate) fn running(&self, p: usize) -> u64 {
        self.procs[p].running()
    }

    /// Sysmon hook: the kernel thread id of processor `p`'s worker (0: unknown).
    #[cfg(feature = "diagnostics")]
    pub(crate) fn os_thread(&self, p: usize) -> i32 {
        self.procs[p].os_thread()
    }

    /// Sysmon hook, every sample: wakes a sleeping worker if some local
    /// queue stayed non-empty since the last sample. Wake-ups leave the
    /// goroutines they make runnable to the waker's processor without
    /// waking anyone (`Worker::push_local`); when that is more than the
    /// owner gets through (a `close` that woke many), this shares it.
    pub(crate) fn wake_for_queued(&self) {
        // Every processor's mark is reset, hence `count`, not `any`.
        if self.procs.iter().filter(|p| p.backlogged()).count() > 0 {
            self.notify_one();
        }
    }

    /// Sysmon hook: hands processor `p`'s queued work to the rest of the
    /// runtime: its local queue and `runnext` go to the global queue, its
    /// timers to the fallback timer thread, and a sleeping worker is woken.
    /// Sound at any time: it uses only the thief's side of the queue, so the
    /// stuck owner can go on using the owner's side.
    #[allow(dead_code)] // used by the monitor (issue 5)
    pub(crate) fn handoff(&self, p: usize) {
        let proc = &self.procs[p];
        let scratch = super::queue::Queue::new();
        while let Some(g) = proc.queue.steal_into(&scratch) {
            // One lock of the global queue per stolen half, not per
            // goroutine: the monitor repeats this every few ms while the
            // poll lasts, and the stuck worker may be pushing meanwhile.
            self.inject.push_all(std::iter::once(g).chain(std::iter::from_fn(|| scratch.pop())));
        }
        if let Some(g) = proc.steal_runnext() {
            self.inject.push(g);
        }
        proc.timers.fire(crate::time::clock::now_nanos(), |w| w.wake());
        crate::time::fallback_adopt(&proc.timers);
        self.notify_one();
    }

    /// Counters for the deadlock detector and dumps.
    #[allow(dead_code)] // read by the diagnostics area (issue 5)
    pub(crate) fn counters(&self) -> Counters {
        let local: usize =
            self.procs.iter().map(|p| p.queue.len() + usize::from(p.has_runnext())).sum();
        Counters {
            goroutines: self.live_goroutines(),
            runnable: local + self.inject.len(),
            running: self.procs.iter().filter(|p| p.sched_tick() % 2 == 1).count(),
            timers: self.procs.iter().map(|p| p.timers.len()).sum(),
            blocking_in_flight: self.blocking.in_flight(),
            blocking_queued: self.blocking.queued(),
            sleeping_workers: self.idle.sleeping(),
        }
    }
}

/// Registers a timer on the current worker's processor, or hands it back
/// when this thread is not a goro worker.
pub(crate) fn insert_timer(entry: Arc<Entry>) -> Result<(), Arc<Entry>> {
    match current::with_worker(|w| w.insert_timer(entry.clone())) {
        Some(()) => Ok(()),
        None => Err(entry),
    }
}

/// A blocking closure as a future that is ready on its first poll.
struct BlockingJob<F>(Option<F>);

impl<F> Unpin for BlockingJob<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingJob<F> {
    type Output = R;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<R> {
        let f = self.0.take().expect("goro::blocking: job polled after it ran");
        std::task::Poll::Ready(f())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::future::Future;
    use std::sync::mpsc;
    use std::task::{Context, Wake, Waker};
    use std::time::{Duration, Instant};

    /// Signals a channel when woken.
    struct Signal(std::sync::Mutex<mpsc::Sender<()>>);

    impl Wake for Signal {
        fn wake(self: std::sync::Arc<Self>) {
            let _ = self.0.lock().unwrap().send(());
        }
    }

    /// A goroutine registers a timer on its processor and then blocks its
    /// worker thread. The monitor hooks see the stuck poll (odd tick) and
    /// `handoff` moves the timer elsewhere, so it still fires.
    #[test]
    fn handoff_rescues_the_timers_of_a_stuck_processor() {
        let rt = crate::Runtime::builder().procs(2).build().unwrap();
        let (fired_tx, fired_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let stuck = rt.go(async move {
            let mut sleep = Box::pin(crate::time::sleep(Duration::from_millis(10)));
            let waker = Waker::from(std::sync::Arc::new(Signal(std::sync::Mutex::new(fired_tx))));
            assert!(sleep.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
            release_rx.recv().unwrap(); // blocks this worker: never do this in real code
            drop(sleep);
        });
        let shared = rt.shared().clone();
        let deadline = Instant::now() + Duration::from_secs(20);
        let p = loop {
            assert!(Instant::now() < deadline, "no processor ever looked stuck");
            let ticks: Vec<_> = (0..shared.procs()).map(|p| shared.sched_tick(p)).collect();
            std::thread::yield_now();
            let still: Vec<_> = (0..shared.procs()).map(|p| shared.sched_tick(p)).collect();
            if let Some(p) = (0..ticks.len()).find(|&p| ticks[p] % 2 == 1 && ticks[p] == still[p]) {
                break p;
            }
        };
        shared.handoff(p);
        assert_eq!(fired_rx.recv_timeout(Duration::from_secs(20)), Ok(()), "the timer never fired");
        release_tx.send(()).unwrap();
        stuck.join_blocking().unwrap();
    }
}
