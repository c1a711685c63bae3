//! The blocking pool: threads for blocking system calls and long synchronous
//! work, so that they never hold a processor (Go's `entersyscall` hands the
//! P off; goro moves the work off the worker instead).
//!
//! ## Algorithm
//!
//! A FIFO of jobs behind a mutex and a condition variable. Submitting wakes
//! an idle thread if one waits, else starts a new one while fewer than `cap`
//! threads exist; past the cap, jobs wait in the queue. A thread idle for
//! `keep_alive` retires. Jobs are tasks (`Kind::Blocking`) whose one poll
//! runs the closure, so they share the goroutine's `JoinHandle`, panic
//! capture and abort (an abort before the job starts cancels it).
//!
//! Invariants: `threads <= cap`; `idle <= threads`; every queued job is
//! eventually run, because a submit that finds no idle thread and no room
//! for a new one leaves the job to the `threads >= 1` running ones, which
//! drain the queue before waiting.

use crate::runtime::goroutine::task::Goroutine;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// The locked part of the pool.
struct Inner {
    /// Jobs not yet started.
    queue: VecDeque<Goroutine>,
    /// Threads alive.
    threads: usize,
    /// Threads waiting for a job.
    idle: usize,
    /// Set once, by `shutdown`: idle threads leave.
    shutdown: bool,
}

/// A runtime's blocking pool.
pub(crate) struct Pool {
    /// Queue and thread counts.
    inner: Mutex<Inner>,
    /// Signalled when a job arrives or the pool shuts down.
    cv: Condvar,
    /// Thread cap (`Builder::max_blocking_threads`).
    cap: usize,
    /// How long an idle thread waits before retiring.
    keep_alive: Duration,
    /// Jobs running now.
    in_flight: AtomicUsize,
    /// Jobs queued now (mirror of `inner.queue.len()`).
    queued: AtomicUsize,
}

impl Pool {
    /// An empty pool with at most `cap` threads.
    pub(crate) fn new(cap: usize, keep_alive: Duration) -> Arc<Pool> {
        let inner = Inner { queue: VecDeque::new(), threads: 0, idle: 0, shutdown: false };
        Arc::new(Pool {
            inner: Mutex::new(inner),
            cv: Condvar::new(),
            cap: cap.max(1),
            keep_alive,
            in_flight: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
        })
    }

    /// Locks the pool (nothing panics under it).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `job`, starting a thread if none is idle and the cap allows.
    pub(crate) fn submit(self: &Arc<Self>, job: Goroutine) {
        let mut inner = self.lock();
        inner.queue.push_back(job);
        self.queued.store(inner.queue.len(), Ordering::Relaxed);
        if inner.idle >= inner.queue.len() || inner.threads >= self.cap {
            self.cv.notify_one();
            return;
        }
        inner.threads += 1;
        drop(inner);
        let pool = self.clone();
        let started =
            std::thread::Builder::new().name("goro-blocking".into()).spawn(move || pool.thread());
        if started.is_err() {
            self.lock().threads -= 1;
            self.cv.notify_one();
            assert!(self.lock().threads > 0, "goro::blocking: cannot start a thread");
        }
    }

    /// A pool thread: run jobs until idle for `keep_alive` or shut down.
    fn thread(self: Arc<Self>) {
        let mut inner = self.lock();
        loop {
            if let Some(job) = inner.queue.pop_front() {
                self.queued.store(inner.queue.len(), Ordering::Relaxed);
                drop(inner);
                self.in_flight.fetch_add(1, Ordering::Relaxed);
                job.run(None);
                self.in_flight.fetch_sub(1, Ordering::Relaxed);
                inner = self.lock();
                continue;
            }
            if inner.shutdown {
                break;
            }
            inner.idle += 1;
            let (guard, waited) =
                self.cv.wait_timeout(inner, self.keep_alive).unwrap_or_else(|e| e.into_inner());
            inner = guard;
            inner.idle -= 1;
            if waited.timed_out() && inner.queue.is_empty() {
                break;
            }
        }
        inner.threads -= 1;
    }

    /// Lets idle threads leave; queued jobs still run.
    pub(crate) fn shutdown(&self) {
        self.lock().shutdown = true;
        self.cv.notify_all();
    }

    /// Jobs running now.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Jobs waiting for a thread now.
    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Threads alive now.
    #[allow(dead_code)] // read by the diagnostics area (issue 5)
    pub(crate) fn threads(&self) -> usize {
        self.lock().threads
    }
}
