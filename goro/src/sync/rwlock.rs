//! `RwLock<T>`: Go's `sync.RWMutex`, guard based, writer preferring.
//!
//! Algorithm: one state word holds the reader count (in units of `READER`),
//! `WRITER` (held for writing), `WRITER_WAITING` and `READERS_WAITING`.
//! - Fast paths: read is a CAS adding `READER` while no flag is set; write is
//!   a CAS `0 -> WRITER`; releases are a `fetch_sub` / CAS back.
//! - Writer preference (Go's rule): once a writer waits, new readers queue,
//!   so a stream of readers cannot starve it. When the last reader leaves the
//!   oldest writer is handed the lock; when a writer unlocks, every queued
//!   reader is admitted at once, then the next writer waits for them.
//! - All slow paths hand the lock over directly (`GRANTED`), so there is no
//!   barging once anyone waits.
//!
//! Invariants: the flags change only under the queue lock; a waiting flag is
//! set (by an atomic RMW that also observes the holders) before a waiter
//! parks, so the fast release paths see it and take the slow path that hands
//! over. A dropped `Read`/`Write` future settles its node under the lock.

use super::waiter::{self, wake_all, Node, WaitList, GRANTED, WAITING};
use crate::debug::hold::{self, Hold};
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Arc, UnsafeCell};
use crate::runtime::current::{block_on_thread, will_park_on};
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Held for writing.
const WRITER: usize = 1;
/// A writer is queued.
const WRITER_WAITING: usize = 2;
/// Readers are queued.
const READERS_WAITING: usize = 4;
/// One reader.
const READER: usize = 8;
/// Bits that say someone holds the lock.
const HELD: usize = !(READER - 1) | WRITER;

/// Queued readers and writers.
#[derive(Debug, Default)]
struct Queues {
    /// Readers blocked by a writer (holding or waiting).
    readers: WaitList,
    /// Writers, oldest first.
    writers: WaitList,
}

/// A reader-writer lock protecting a `T`: Go's `sync.RWMutex`.
///
/// Many readers or one writer. `read().await` / `write().await` in a
/// goroutine, `read_blocking` / `write_blocking` on a plain thread,
/// `try_read` / `try_write` never wait.
///
/// ```
/// let l = goro::sync::RwLock::new(vec![1]);
/// l.write_blocking().push(2);
/// assert_eq!(*l.read_blocking(), [1, 2]);
/// ```
pub struct RwLock<T> {
    /// Reader count and flags.
    state: AtomicUsize,
    /// Parked readers and writers.
    queues: crate::loom::Mutex<Queues>,
    /// The protected value.
    value: UnsafeCell<T>,
}

// SAFETY: readers share `&T` across threads (needs Sync); a writer moves
// exclusive access between threads (needs Send).
unsafe impl<T: Send + Sync> Sync for RwLock<T> {}
// SAFETY: owning the lock is owning a T.
unsafe impl<T: Send> Send for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`.
    pub fn new(value: T) -> RwLock<T> {
        RwLock {
            state: AtomicUsize::new(0),
            queues: crate::loom::Mutex::new(Queues::default()),
            value: UnsafeCell::new(value),
        }
    }

    /// Locks for reading, waiting in a goroutine: Go's `RLock`. Cancel safe.
    #[track_caller]
    pub fn read(&self) -> Read<'_, T> {
        Read { lock: self, node: None, at: Location::caller() }
    }

    /// Locks for writing, waiting in a goroutine: Go's `Lock`. Cancel safe.
    #[track_caller]
    pub fn write(&self) -> Write<'_, T> {
        Write { lock: self, node: None, at: Location::caller() }
    }

    /// Locks for reading, blocking this plain thread.
    #[track_caller]
    pub fn read_blocking(&self) -> RwLockReadGuard<'_, T> {
        self.try_read().unwrap_or_else(|| block_on_thread(self.read()))
    }

    /// Locks for writing, blocking this plain thread.
    #[track_caller]
    pub fn write_blocking(&self) -> RwLockWriteGuard<'_, T> {
        self.try_write().unwrap_or_else(|| block_on_thread(self.write()))
    }

    /// Locks for reading if no writer holds or waits: Go's `TryRLock`.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.try_read_fast().then(|| RwLockReadGuard::new(self))
    }

    /// Locks for writing if the lock is free: Go's `TryLock`.
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        // Acquire: the previous holders' writes become visible.
        let ok =
            self.state.compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed).is_ok();
        ok.then(|| RwLockWriteGuard::new(self))
    }

    /// The value, through a unique borrow.
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no guard exists.
        self.value.with_mut(|p| unsafe { &mut *p })
    }

    /// Adds a reader while no writer holds or waits.
    fn try_read_fast(&self) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        while s & (WRITER | WRITER_WAITING | READERS_WAITING) == 0 {
            // Acquire: the last writer's section becomes visible.
            match self.state.compare_exchange_weak(
                s,
                s + READER,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(a) => s = a,
            }
        }
        false
    }

    /// Drops a reader; the last one out hands the lock to a waiting writer.
    fn read_unlock(&self) {
        let prev = self.state.fetch_sub(READER, Ordering::Release); // publishes reads' end
        if prev & HELD == READER && prev & WRITER_WAITING != 0 {
            let mut q = waiter::lock(&self.queues);
            let ws = self.grant(&mut q);
            drop(q);
            wake_all(ws);
        }
    }

    /// Drops the writer; queued readers (else the next writer) get the lock.
    fn write_unlock(&self) {
        // Release: publishes the write section.
        if self.state.compare_exchange(WRITER, 0, Ordering::Release, Ordering::Relaxed).is_ok() {
            return;
        }
        let mut q = waiter::lock(&self.queues);
        self.state.fetch_and(!WRITER, Ordering::Release); // publishes the section
        let ws = self.grant(&mut q);
        drop(q);
        wake_all(ws);
    }

    /// Under the queue lock, with no holder: hands the lock to every queued
    /// reader, else to the oldest writer, else clears the flags.
    fn grant(&self, q: &mut Queues) -> Vec<std::task::Waker> {
        let s = self.state.load(Ordering::Acquire); // sees the releasers' sections
        if s & HELD != 0 {
            return Vec::new();
        }
        let ww = if q.writers.is_empty() { 0 } else { WRITER_WAITING };
        if !q.readers.is_empty() {
            let n = q.readers.len();
            self.state.store((n * READER) | ww, Ordering::Release); // publishes to grantees
            return q.readers.drain(GRANTED);
        }
        match q.writers.pop_front() {
            Some(e) => {
                let ww = if q.writers.is_empty() { 0 } else { WRITER_WAITING };
                self.state.store(WRITER | ww, Ordering::Release); // publishes to grantee
                vec![e.settle(GRANTED)]
            }
            None => {
                self.state.store(0, Ordering::Release);
                Vec::new()
            }
        }
    }

    /// Under the queue lock: the last waiting writer left; readers queued
    /// behind it may enter if no writer holds.
    fn writer_left(&self, q: &mut Queues) -> Vec<std::task::Waker> {
        if !q.writers.is_empty() {
            return Vec::new();
        }
        let s = self.state.fetch_and(!WRITER_WAITING, Ordering::Relaxed);
        if s & WRITER != 0 || q.readers.is_empty() {
            return Vec::new();
        }
        let n = q.readers.len();
        self.state.fetch_add(n * READER, Ordering::Relaxed);
        self.state.fetch_and(!READERS_WAITING, Ordering::Relaxed);
        q.readers.drain(GRANTED)
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.load(Ordering::Relaxed);
        f.debug_struct("RwLock")
            .field("readers", &(s / READER))
            .field("writer", &(s & WRITER != 0))
            .finish_non_exhaustive()
    }
}

/// The future returned by [`RwLock::read`].
#[must_use = "futures do nothing unless awaited"]
pub struct Read<'a, T> {
    /// The lock.
    lock: &'a RwLock<T>,
    /// Our node once parked.
    node: Option<Arc<Node>>,
    /// The caller, for the wait reason.
    at: &'static Location<'static>,
}

impl<'a, T> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let l = this.lock;
        if this.node.as_ref().is_some_and(|n| n.state() == GRANTED) {
            this.node = None;
            return Poll::Ready(RwLockReadGuard::new(l));
        }
        if this.node.is_none() && l.try_read_fast() {
            return Poll::Ready(RwLockReadGuard::new(l));
        }
        let mut q = waiter::lock(&l.queues);
        if let Some(n) = &this.node {
            if n.state() == GRANTED {
                drop(q);
                this.node = None;
                return Poll::Ready(RwLockReadGuard::new(l));
            }
            q.readers.update_waker(n, cx.waker());
        } else {
            // Set the flag first: the RMW also tells us whether a writer is there.
            let s = l.state.fetch_or(READERS_WAITING, Ordering::Acquire); // sees last writer
            if s & (WRITER | WRITER_WAITING) == 0 {
                let clear = if q.readers.is_empty() { READERS_WAITING } else { 0 };
                l.state.fetch_add(READER, Ordering::Acquire); // no writer can be in
                l.state.fetch_and(!clear, Ordering::Relaxed);
                return Poll::Ready(RwLockReadGuard::new(l));
            }
            let n = Node::new(0);
            q.readers.push_back(&n, cx.waker());
            this.node = Some(n);
        }
        will_park_on(WaitReason::RwLockRead, this.at, hold::on(l));
        Poll::Pending
    }
}

impl<T> Drop for Read<'_, T> {
    fn drop(&mut self) {
        let Some(node) = self.node.take() else { return };
        let l = self.lock;
        let mut q = waiter::lock(&l.queues);
        if node.state() == WAITING {
            q.readers.remove(&node);
            if q.readers.is_empty() {
                l.state.fetch_and(!READERS_WAITING, Ordering::Relaxed);
            }
            return;
        }
        drop(q);
        l.read_unlock();
    }
}

/// The future returned by [`RwLock::write`].
#[must_use = "futures do nothing unless awaited"]
pub struct Write<'a, T> {
    /// The lock.
    lock: &'a RwLock<T>,
    /// Our node once parked.
    node: Option<Arc<Node>>,
    /// The caller, for the wait reason.
    at: &'static Location<'static>,
}

impl<'a, T> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let l = this.lock;
        if this.node.as_ref().is_some_and(|n| n.state() == GRANTED) {
            this.node = None;
            return Poll::Ready(RwLockWriteGuard::new(l));
        }
        if this.node.is_none() {
            if let Some(g) = l.try_write() {
                return Poll::Ready(g);
            }
        }
        let mut q = waiter::lock(&l.queues);
        match &this.node {
            Some(n) if n.state() == GRANTED => {
                drop(q);
                this.node = None;
                return Poll::Ready(RwLockWriteGuard::new(l));
            }
            Some(n) => q.writers.update_waker(n, cx.waker()),
            None => {
                if Self::take_free(l, &q) {
                    return Poll::Ready(RwLockWriteGuard::new(l));
                }
                let n = Node::new(0);
                q.writers.push_back(&n, cx.waker());
                this.node = Some(n);
            }
        }
        will_park_on(WaitReason::RwLockWrite, this.at, hold::on(l));
        Poll::Pending
    }
}

impl<T> Write<'_, T> {
    /// Under the queue lock: raises `WRITER_WAITING`, and takes the lock if
    /// no one holds it (the RMW observes the holders atomically).
    fn take_free(l: &RwLock<T>, q: &Queues) -> bool {
        let mut s = l.state.fetch_or(WRITER_WAITING, Ordering::Acquire) | WRITER_WAITING;
        while s & HELD == 0 {
            let ww = if q.writers.is_empty() { 0 } else { WRITER_WAITING };
            let new = (s & !WRITER_WAITING) | WRITER | ww;
            // Acquire: the previous holders' sections become visible.
            match l.state.compare_exchange(s, new, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(a) => s = a,
            }
        }
        false
    }
}

impl<T> Drop for Write<'_, T> {
    fn drop(&mut self) {
        let Some(node) = self.node.take() else { return };
        let l = self.lock;
        let mut q = waiter::lock(&l.queues);
        if node.state() == WAITING {
            q.writers.remove(&node);
            let ws = l.writer_left(&mut q);
            drop(q);
            wake_all(ws);
            return;
        }
        drop(q);
        l.write_unlock();
    }
}

/// Shared access to a read-locked [`RwLock`]; unlocks when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T> {
    /// The locked lock.
    lock: &'a RwLock<T>,
    /// Who took it, for the deadlock report.
    hold: Hold,
}

impl<'a, T> RwLockReadGuard<'a, T> {
    /// The guard of `lock`, just read-locked by the running code.
    #[inline]
    fn new(lock: &'a RwLock<T>) -> Self {
        RwLockReadGuard { lock, hold: Hold::acquired(hold::object_id(lock)) }
    }
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read guard exists, so no writer does.
        self.lock.value.with(|p| unsafe { &*p })
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.hold.released(hold::object_id(self.lock));
        self.lock.read_unlock();
    }
}

/// Exclusive access to a write-locked [`RwLock`]; unlocks when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T> {
    /// The locked lock.
    lock: &'a RwLock<T>,
    /// Who took it, for the deadlock report.
    hold: Hold,
}

impl<'a, T> RwLockWriteGuard<'a, T> {
    /// The guard of `lock`, just write-locked by the running code.
    #[inline]
    fn new(lock: &'a RwLock<T>) -> Self {
        RwLockWriteGuard { lock, hold: Hold::acquired(hold::object_id(lock)) }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write guard is the only access.
        self.lock.value.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write guard is the only access, borrowed uniquely.
        self.lock.value.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.hold.released(hold::object_id(self.lock));
        self.lock.write_unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
