//! `Builder` and `Runtime`: configuring and owning a set of processors.

use super::executor::Shared;
use std::future::Future;
use std::io;
use std::sync::Arc;

/// Configures a [`Runtime`].
#[derive(Debug, Clone)]
pub struct Builder {
    /// Number of processors (Go's `GOMAXPROCS`).
    procs: Option<usize>,
    /// Crash the process when a goroutine panics, as Go does.
    abort_on_panic: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder with Go's defaults: `GORO_MAXPROCS`, else the machine's
    /// available parallelism.
    pub fn new() -> Self {
        Builder { procs: None, abort_on_panic: false }
    }

    /// Sets the number of processors. Zero is treated as one.
    pub fn procs(mut self, n: usize) -> Self {
        self.procs = Some(n.max(1));
        self
    }

    /// Crash the whole program when any goroutine panics, as Go does.
    pub fn abort_on_panic(mut self, yes: bool) -> Self {
        self.abort_on_panic = yes;
        self
    }

    /// Starts the runtime's worker threads.
    pub fn build(self) -> io::Result<Runtime> {
        let procs = self.procs.unwrap_or_else(default_procs);
        Ok(Runtime { shared: Shared::start(procs, self.abort_on_panic)? })
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
/// Dropping a runtime stops its workers; goroutines still parked are dropped.
#[derive(Debug)]
pub struct Runtime {
    shared: Arc<Shared>,
}

impl Runtime {
    /// A builder.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `fut` to completion on this thread, with this runtime current so
    /// that `goro::go` inside it spawns here.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        super::current::enter(&self.shared, || super::current::block_on_thread(fut))
    }

    /// Starts a goroutine on this runtime.
    #[track_caller]
    pub fn go<F>(&self, fut: F) -> super::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        super::executor::spawn(self.shared.clone(), fut, std::panic::Location::caller())
    }

    /// The number of processors.
    pub fn procs(&self) -> usize {
        self.shared.procs()
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shared.shutdown();
    }
}
