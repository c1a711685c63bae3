//! Go's `sync` package: locks, wait groups, one-time initialisation,
//! condition variables, a weighted semaphore and a concurrent map.
//!
//! Every primitive here waits through `std::task::Waker`, so each works in
//! goro goroutines (`.await`), in other runtimes' tasks, and on plain threads
//! (the `_blocking` forms). Parking a goroutine never blocks its worker
//! thread, and records a wait reason ("sync.Mutex.Lock", …) for dumps.
//!
//! # Choosing a primitive
//!
//! - **Share data, communicate by channels first.** Go's proverb holds: if
//!   one goroutine can own the data, send it messages (`goro::chan`).
//! - [`Mutex<T>`]: one goroutine at a time touches `T`. Guard based, so it
//!   cannot be left locked. Fair under contention (Go's starvation mode).
//! - [`RwLock<T>`]: many readers or one writer; writers are preferred, so a
//!   stream of readers cannot starve them. Worth it only when reads dominate
//!   and are not tiny.
//! - [`WaitGroup`]: wait for a set of goroutines to finish; `wg.go(fut)`
//!   counts for you. Need the first error or a limit? Use
//!   [`goro::group`](crate::group).
//! - [`Once`] / [`OnceLock<T>`]: initialise once, lazily (Go's `Once`,
//!   `OnceValue`).
//! - [`Cond`]: wait for a condition on `Mutex`-protected state; prefer a
//!   channel or `context` when one fits.
//! - [`Semaphore`]: bound how much of a resource is in use, with weights and
//!   FIFO fairness (x/sync/semaphore).
//! - [`Map<K, V>`]: a concurrent map for read-mostly data (Go's `sync.Map`).
//!   For write-heavy maps, a `Mutex<HashMap>` per shard is often better.
//!
//! See `README.md` in this folder for the hand-off protocol's proof sketch.

mod cond;
#[cfg(all(test, loom))]
mod loom_tests;
mod map;
mod mutex;
mod once;
mod rwlock;
mod semaphore;
mod wait_group;
#[cfg(all(test, not(loom), feature = "diagnostics"))]
pub(crate) mod wait_reason_tests;
pub(crate) mod waiter;

pub use cond::Cond;
pub use map::{DefaultHashBuilder, Map};
pub use mutex::{Lock, Mutex, MutexGuard};
pub use once::{Once, OnceLock};
pub use rwlock::{Read, RwLock, RwLockReadGuard, RwLockWriteGuard, Write};
pub use semaphore::{Acquire, AcquireError, OwnedPermit, Permit, Semaphore};
pub use wait_group::{Wait, WaitGroup};
