//! The one switch between `std` and the `loom` model checker.
//!
//! Every atomic, cell, lock and thread that lock-free code in goro touches is
//! imported from here, never from `std` directly. Under `cfg(loom)` the same
//! names resolve to loom's instrumented versions, so `RUSTFLAGS="--cfg loom"
//! cargo test --lib loom_` explores every interleaving of the models.
//!
//! Invariant: code that uses [`UnsafeCell`] goes through `with`/`with_mut`,
//! which loom checks for concurrent access and which cost nothing under std.

#[cfg(not(loom))]
#[allow(unused_imports)]
mod imp {
    pub(crate) use std::sync::atomic;
    pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
    pub(crate) use std::thread;

    /// A `std::cell::UnsafeCell` with loom's closure-based access API.
    #[derive(Debug, Default)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    #[allow(dead_code)]
    impl<T> UnsafeCell<T> {
        /// Wraps `value`.
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        /// Runs `f` with a shared raw pointer to the contents.
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Runs `f` with a unique raw pointer to the contents.
        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

#[cfg(loom)]
#[allow(unused_imports)]
mod imp {
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::atomic;
    pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
    pub(crate) use loom::thread;
}

#[allow(unused_imports)]
pub(crate) use imp::*;

/// Shrinks a capacity under loom so that models finish.
#[allow(dead_code)]
pub(crate) const fn model_size(normal: usize, under_loom: usize) -> usize {
    if cfg!(loom) {
        under_loom
    } else {
        normal
    }
}
