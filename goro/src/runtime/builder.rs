//! `Builder` and `Runtime`: configuring and owning a set of processors.

use super::scheduler::{Config, Shared};
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// Default blocking pool thread cap (tokio's and Go's order of magnitude).
const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;
/// Default time an idle blocking thread waits for work before it exits.
const DEFAULT_BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(10);

/// Configures a [`Runtime`].
#[derive(Debug, Clone)]
pub struct Builder {
    /// Number of processors (Go's `GOMAXPROCS`).
    procs: Option<usize>,
    /// Crash the process when a goroutine panics, as Go does.
    abort_on_panic: bool,
    /// Blocking pool thread cap.
    max_blocking_threads: usize,
    /// Blocking pool idle keep-alive.
    blocking_keep_alive: Duration,
    /// diagnostics (issue 5): process-wide settings applied by `build`.
    diagnostics: Diagnostics,
}

/// diagnostics (issue 5): what `Builder` may set for the whole process.
#[derive(Debug, Clone, Default)]
struct Diagnostics {
    /// Deadlock detection on or off, if set.
    deadlock_detection: Option<bool>,
    /// The monitor's blocking threshold, if set.
    blocking_threshold: Option<Duration>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with Go's defaults: `GORO_MAXPROCS`, else the machine's
    /// available parallelism; panics are caught and handed to join handles.
    pub fn new() -> Self {
        Builder {
            procs: None,
            abort_on_panic: false,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            blocking_keep_alive: DEFAULT_BLOCKING_KEEP_ALIVE,
            diagnostics: Diagnostics::default(),
        }
    }

    /// Sets the number of processors (and worker threads). Zero is treated
    /// as one; more than 4096 as 4096.
    pub fn procs(mut self, n: usize) -> Self {
        self.procs = Some(n.max(1));
        self
    }

    /// Crash the whole program (exit status 2, after printing
    /// `panic in goroutine N (spawned at ..): msg`) when any goroutine
    /// panics, as Go does.
    pub fn abort_on_panic(mut self, yes: bool) -> Self {
        self.abort_on_panic = yes;
        self
    }

    /// Caps the threads of the blocking pool (default 512); jobs past the
    /// cap wait in a queue. Zero is treated as one.
    pub fn max_blocking_threads(mut self, n: usize) -> Self {
        self.max_blocking_threads = n.max(1);
        self
    }

    /// How long an idle blocking-pool thread waits for work before it exits
    /// (default 10 s).
    pub fn blocking_keep_alive(mut self, d: Duration) -> Self {
        self.blocking_keep_alive = d;
        self
    }

    /// Turns whole-program deadlock detection on or off (default on; env
    /// `GORO_DEADLOCK=0`). Process-wide: applied when this runtime is built.
    pub fn deadlock_detection(mut self, on: bool) -> Self {
        self.diagnostics.deadlock_detection = Some(on);
        self
    }

    /// How long one poll may hold a worker before the monitor reports it
    /// and hands the worker's queued goroutines to others (default 10 ms;
    /// env `GORO_BLOCKING_THRESHOLD_MS`; zero turns it off). Process-wide:
    /// applied when this runtime is built.
    pub fn blocking_threshold(mut self, d: Duration) -> Self {
        self.diagnostics.blocking_threshold = Some(d);
        self
    }

    /// Starts the runtime's worker threads.
    pub fn build(self) -> io::Result<Runtime> {
        if let Some(on) = self.diagnostics.deadlock_detection {
            crate::debug::set_deadlock_detection(on);
        }
        if let Some(d) = self.diagnostics.blocking_threshold {
            crate::debug::set_blocking_threshold(d);
        }
        let cfg = Config {
            procs: self.procs.unwrap_or_else(default_procs),
            abort_on_panic: self.abort_on_panic,
            max_blocking_threads: self.max_blocking_threads,
            blocking_keep_alive: self.blocking_keep_alive,
        };
        Ok(Runtime { shared: Shared::start(cfg)? })
    }
}

/// `GORO_MAXPROCS`, else `available_parallelism`.
fn default_procs() -> usize {
    std::env::var("GORO_MAXPROCS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A set of processors and the goroutines they run.
///
/// Dropping a runtime stops its workers; goroutines still parked are dropped
/// (their handles yield `JoinError::Aborted`).
#[derive(Debug)]
pub struct Runtime {
    /// The scheduler.
    shared: Arc<Shared>,
}

impl Runtime {
    /// A builder.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `fut` as the main goroutine on this runtime's processors and
    /// blocks this thread until it returns: Go's `main` (see [`crate::run`]).
    /// A panic in it is resumed on this thread.
    #[track_caller]
    pub fn run<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        super::current::run_main(&self.shared, fut)
    }

    /// Runs `fut` to completion on this thread as a main goroutine (listed
    /// in the registry), with this runtime current so that `goro::go` inside
    /// it spawns here. Any future will do, `!Send` ones included; but it
    /// runs beside the processors, so each hand-off between it and a
    /// goroutine wakes a thread: prefer [`Runtime::run`] where possible.
    #[track_caller]
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        super::current::block_on_main(&self.shared, fut)
    }

    /// Starts a goroutine on this runtime.
    #[track_caller]
    pub fn go<F>(&self, fut: F) -> super::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.spawn(fut, None)
    }

    /// The number of processors.
    pub fn procs(&self) -> usize {
        self.shared.procs()
    }

    /// The scheduler.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shared.shutdown();
    }
}
