//! `Once` and `OnceLock<T>`: Go's `sync.Once` and `sync.OnceValue`.
//!
//! Algorithm: a state byte `INCOMPLETE -> RUNNING -> DONE | PANICKED` and a
//! wait list. The first caller runs the initialiser; the others park until
//! it finishes. A guard sets the final state even when the initialiser
//! panics, so callers are never stranded.
//!
//! Panics (Go 1.21+ semantics): a panic in the initialiser counts as done.
//! - `Once::call`: later calls return at once without running anything, as
//!   Go's `Once.Do`.
//! - `OnceLock::get_or_init`: later calls panic too (the value never
//!   existed), as Go's `OnceValue` re-panics on every call. Rust cannot clone
//!   a panic payload, so they panic with "goro::sync: OnceLock initialiser
//!   panicked" instead of the original value.

use super::waiter::{self, wake_all, Node, WaitList, GRANTED};
use crate::loom::atomic::{AtomicU8, Ordering};
use crate::loom::{Arc, UnsafeCell};
use crate::runtime::current::{block_on_thread, will_park_on};
use crate::runtime::WaitReason;
use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Nobody has started.
const INCOMPLETE: u8 = 0;
/// An initialiser runs.
const RUNNING: u8 = 1;
/// Finished normally.
const DONE: u8 = 2;
/// Finished by panicking (still counts as done).
const PANICKED: u8 = 3;

/// Runs an action exactly once: Go's `sync.Once`.
///
/// ```
/// let once = goro::sync::Once::new();
/// let mut n = 0;
/// once.call_blocking(|| n += 1);
/// once.call_blocking(|| n += 1);
/// assert_eq!(n, 1);
/// ```
#[derive(Default)]
pub struct Once {
    /// `INCOMPLETE`, `RUNNING`, `DONE` or `PANICKED`.
    state: AtomicU8,
    /// Callers parked while another runs the action.
    waiters: crate::loom::Mutex<WaitList>,
}

impl Once {
    /// A `Once` that has not run.
    pub fn new() -> Once {
        Once::default()
    }

    /// Whether the action has finished (normally or by panicking).
    pub fn is_completed(&self) -> bool {
        self.state.load(Ordering::Acquire) >= DONE // pairs with finish's Release
    }

    /// Runs `f` if no call has yet, else waits in a goroutine for the one
    /// that does: Go's `once.Do(f)`. If `f` panics, the panic propagates to
    /// this caller and the `Once` counts as done.
    #[track_caller]
    pub fn call<'a>(&'a self, f: impl FnOnce() + 'a) -> impl Future<Output = ()> + 'a {
        let at = Location::caller();
        async move {
            if !self.is_completed() && !self.try_run(f) {
                self.wait_done(at).await;
            }
        }
    }

    /// Like [`call`](Once::call), blocking this plain thread.
    #[track_caller]
    pub fn call_blocking(&self, f: impl FnOnce()) {
        block_on_thread(self.call(f));
    }

    /// Runs `f` if this caller wins the race; false if another runs it.
    fn try_run(&self, f: impl FnOnce()) -> bool {
        // Acquire on failure: a DONE we observe publishes the action's effects.
        if self
            .state
            .compare_exchange(INCOMPLETE, RUNNING, Ordering::Acquire, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        let mut finish = Finish { once: self, state: PANICKED };
        f();
        finish.state = DONE;
        true
    }

    /// Parks until the running action finishes.
    fn wait_done(&self, at: &'static Location<'static>) -> OnceWait<'_> {
        OnceWait { once: self, node: None, at }
    }
}

/// Waits for another caller's action to finish; unparks itself if dropped.
struct OnceWait<'a> {
    /// The once.
    once: &'a Once,
    /// Our node once parked.
    node: Option<Arc<Node>>,
    /// The caller, for the wait reason.
    at: &'static Location<'static>,
}

impl Future for OnceWait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.once.is_completed() {
            return Poll::Ready(());
        }
        let mut list = waiter::lock(&this.once.waiters);
        match &this.node {
            _ if this.once.is_completed() => return Poll::Ready(()),
            Some(n) => list.update_waker(n, cx.waker()),
            None => {
                let n = Node::new(0);
                list.push_back(&n, cx.waker());
                this.node = Some(n);
            }
        }
        will_park_on(WaitReason::OnceWait, this.at, crate::debug::hold::on(this.once));
        Poll::Pending
    }
}

impl Drop for OnceWait<'_> {
    fn drop(&mut self) {
        if let Some(n) = self.node.take() {
            waiter::lock(&self.once.waiters).remove(&n);
        }
    }
}

/// Sets the final state and wakes the waiters, even on panic.
struct Finish<'a> {
    /// The once.
    once: &'a Once,
    /// `DONE`, or `PANICKED` if `f` unwound.
    state: u8,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        let mut list = waiter::lock(&self.once.waiters);
        self.once.state.store(self.state, Ordering::Release); // publishes the action
        let ws = list.drain(GRANTED);
        drop(list);
        wake_all(ws);
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once").field("done", &self.is_completed()).finish()
    }
}

/// A value computed once, on first use: Go's `sync.OnceValue`.
///
/// ```
/// static CONFIG: goro::sync::OnceLock<String> = goro::sync::OnceLock::new();
/// let v = CONFIG.get_or_init_blocking(|| "ready".to_string());
/// assert_eq!(v, "ready");
/// ```
pub struct OnceLock<T> {
    /// Who initialises, and waiting for them.
    once: Once,
    /// Written once by the winner, read after `DONE`.
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the value is written once before `DONE` is published and only read
// after, so sharing needs T: Sync (readers) and T: Send (the writer's thread).
unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}
// SAFETY: owning the cell is owning a T.
unsafe impl<T: Send> Send for OnceLock<T> {}

impl<T> OnceLock<T> {
    /// An empty cell.
    #[cfg(not(loom))]
    pub const fn new() -> OnceLock<T> {
        OnceLock {
            once: Once {
                state: AtomicU8::new(INCOMPLETE),
                waiters: crate::loom::Mutex::new(WaitList::new()),
            },
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// An empty cell (loom's types are not `const`).
    #[cfg(loom)]
    pub fn new() -> OnceLock<T> {
        OnceLock { once: Once::new(), value: UnsafeCell::new(MaybeUninit::uninit()) }
    }

    /// The value, if initialised.
    pub fn get(&self) -> Option<&T> {
        // SAFETY: DONE is stored (Release) only after the value is written.
        (self.once.state.load(Ordering::Acquire) == DONE).then(|| unsafe { self.read() })
    }

    /// The value, computing it with `f` if this is the first call; other
    /// callers wait in their goroutines meanwhile.
    ///
    /// # Panics
    ///
    /// If `f` panics, here and on every later call.
    #[track_caller]
    pub fn get_or_init<'a>(
        &'a self,
        f: impl FnOnce() -> T + 'a,
    ) -> impl Future<Output = &'a T> + 'a {
        let init = self.once.call(move || {
            let v = f();
            // SAFETY: only the one caller that runs the Once's action writes,
            // and nobody reads before DONE is published after this returns.
            self.value.with_mut(|p| unsafe { (*p).write(v) });
        });
        async move {
            init.await;
            self.get().expect("goro::sync: OnceLock initialiser panicked")
        }
    }

    /// Like [`get_or_init`](OnceLock::get_or_init), blocking this thread.
    #[track_caller]
    pub fn get_or_init_blocking<'a>(&'a self, f: impl FnOnce() -> T + 'a) -> &'a T {
        if let Some(v) = self.get() {
            return v;
        }
        block_on_thread(self.get_or_init(f))
    }

    /// The value.
    ///
    /// # Safety
    ///
    /// The state must be `DONE` (observed with Acquire).
    unsafe fn read(&self) -> &T {
        // SAFETY: per the contract, the value was written and is never written again.
        self.value.with(|p| unsafe { (*p).assume_init_ref() })
    }
}

impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T> Drop for OnceLock<T> {
    fn drop(&mut self) {
        if self.once.state.load(Ordering::Acquire) == DONE {
            // SAFETY: DONE means the value was written; we own it uniquely.
            self.value.with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceLock").field(&self.get()).finish()
    }
}
