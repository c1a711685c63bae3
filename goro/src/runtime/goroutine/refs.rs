//! A task's reference count and the counted pointer to it, `TaskRef`: what
//! `Arc` was to a task, without the weak count and with every reference
//! the spawn needs (run queue entry, join handle, registry entry) taken by
//! the one non-atomic initialisation.
//!
//! ## The count word
//!
//! One `u32` at offset 0 of the task (`Refs`): `2 * references +
//! registered`, where the low bit says the registry holds one of the
//! references (so that a release can tell when only that one is left, the
//! registry's cue that the entry may go; `registry.rs`). It is tokio's
//! task reference count (`state.rs` there) without the state bits: the
//! scheduling state is a byte of its own beside the count (`task.rs`,
//! `Hot`), so a state transition never retries because a waker was cloned.
//!
//! ## Protocol (std `Arc`'s)
//!
//! - A new reference is made only from one the maker holds: `Relaxed`
//!   add, since holding one already keeps the task alive (a count past
//!   [`MAX_REFS`] aborts, as `Arc` does).
//! - A release is a `Release` subtraction; whoever takes the count to zero
//!   issues an `Acquire` fence before freeing, so every use through every
//!   other reference happens before the free.
//! - The task is freed through the `TaskRef` that released last, as the
//!   `Box` it was allocated as: `TaskRef<dyn Trait>`s point into the same
//!   allocation, and a `Box<dyn Trait>`'s drop runs the concrete type's
//!   destructor and frees with its layout.
//!
//! `loom_refs_*` check that concurrent releases free exactly once and that
//! the freeing thread sees the others' writes. Not checked: Miri's
//! aliasing models (a waker's pointer is taken from a `&Task`, as a
//! `RawWaker` is, and a release may free through it).

use crate::loom::atomic::{fence, AtomicU32, Ordering};
use std::ops::Deref;
use std::ptr::NonNull;

/// One reference in the count word (the low bit is the registered flag).
const ONE: u32 = 2;
/// The registry holds one of the references.
const REGISTERED: u32 = 1;
/// More references than this abort the process (a leak of clones, as
/// `Arc`'s `MAX_REFCOUNT`).
const MAX_REFS: u32 = u32::MAX / 2;

/// A task's reference count: `2 * references + registered`.
pub(crate) struct Refs(AtomicU32);

/// What a release left.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Released {
    /// Other references remain.
    Shared,
    /// Only the registry's reference remains: the registry may drop it
    /// once the goroutine is retired.
    OnlyRegistry,
    /// That was the last reference: free the task.
    Last,
}

impl Refs {
    /// A count of `refs` references, one of them the registry's if
    /// `registered`.
    pub(crate) fn new(refs: u32, registered: bool) -> Self {
        Refs(AtomicU32::new(refs * ONE + u32::from(registered)))
    }

    /// One more reference (the caller holds one).
    #[inline]
    pub(crate) fn acquire(&self) {
        // Relaxed: the caller's reference keeps the task alive (Arc's clone).
        if self.0.fetch_add(ONE, Ordering::Relaxed) > MAX_REFS * ONE {
            std::process::abort();
        }
    }

    /// Drops one reference.
    #[inline]
    pub(crate) fn release(&self) -> Released {
        let prev = self.0.fetch_sub(ONE, Ordering::Release); // our uses happen before the free
        if prev < 2 * ONE {
            fence(Ordering::Acquire); // every other holder's uses happen before the free
            Released::Last
        } else if prev == 2 * ONE + REGISTERED {
            Released::OnlyRegistry
        } else {
            Released::Shared
        }
    }

    /// The number of references (racy unless the caller holds the only one).
    #[cfg_attr(not(feature = "diagnostics"), allow(dead_code))] // the registry's
    #[inline]
    pub(crate) fn count(&self) -> u32 {
        self.0.load(Ordering::Relaxed) / ONE
    }
}

/// A type whose values start with their `Refs` and live in a `Box` handed to
/// [`TaskRef::from_box`].
///
/// # Safety
/// The implementing type is `#[repr(C)]` with a [`Refs`] as its first field
/// (so every `TaskRef<dyn Trait>` finds the count at its data pointer), and
/// every type behind a `dyn Trait: Counted` does the same.
pub(crate) unsafe trait Counted {}

/// A counted reference to a task seen as `T` (the task's type, or one of
/// the trait objects the scheduler, the join handle and the registry use).
pub(crate) struct TaskRef<T: ?Sized + Counted>(NonNull<T>);

// SAFETY: a TaskRef is a shared reference with a thread-safe count, like
// `Arc<T>`, which is Send and Sync when T is both.
unsafe impl<T: ?Sized + Counted + Send + Sync> Send for TaskRef<T> {}
// SAFETY: as for Send.
unsafe impl<T: ?Sized + Counted + Send + Sync> Sync for TaskRef<T> {}

impl<T: Counted> TaskRef<T> {
    /// Leaks `task` into a reference that owns all of the references its
    /// count was made with; [`TaskRef::split`] hands them out.
    pub(crate) fn from_box(task: Box<T>) -> Self {
        TaskRef(NonNull::from(Box::leak(task)))
    }
}

impl<T: ?Sized + Counted> TaskRef<T> {
    /// The task's count.
    #[inline]
    fn refs(&self) -> &Refs {
        // SAFETY: `Counted` puts the Refs at offset 0 of the live task our
        // reference keeps alive.
        unsafe { &*self.0.as_ptr().cast::<Refs>() }
    }

    /// The task's address, for identity comparisons.
    #[inline]
    pub(crate) fn as_ptr(&self) -> *const () {
        self.0.as_ptr().cast_const().cast()
    }

    /// The number of references (racy: for heuristics and for a holder
    /// that knows nobody else can take one, such as the registry's walker).
    #[cfg_attr(not(feature = "diagnostics"), allow(dead_code))] // the registry's
    #[inline]
    pub(crate) fn count(&self) -> u32 {
        self.refs().count()
    }

    /// This reference seen as `U`, through `cast` (an unsizing coercion
    /// such as `|p| p as NonNull<dyn Runnable>`); the count is unchanged.
    #[inline]
    pub(crate) fn cast<U: ?Sized + Counted>(
        self,
        cast: impl FnOnce(NonNull<T>) -> NonNull<U>,
    ) -> TaskRef<U> {
        let p = std::mem::ManuallyDrop::new(self).0;
        TaskRef(cast(p))
    }

    /// A second reference that the count already includes (the spawn's
    /// initial references).
    ///
    /// # Safety
    /// The count includes a reference nobody else owns for the result.
    #[inline]
    pub(crate) unsafe fn split(&self) -> Self {
        TaskRef(self.0)
    }

    /// Takes over a reference counted for `ptr` (a waker's, or one just
    /// acquired).
    ///
    /// # Safety
    /// `ptr` points to a live task allocated through [`TaskRef::from_box`]
    /// as `T` (or coerced from it), and the caller owns one of its
    /// references, which the result now owns.
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>) -> Self {
        TaskRef(ptr)
    }

    /// Drops this reference; reports what is left (the registry's cue).
    #[inline]
    pub(crate) fn release(self) -> Released {
        let me = std::mem::ManuallyDrop::new(self);
        let left = me.refs().release();
        if left == Released::Last {
            // SAFETY: the count reached zero: ours was the last reference,
            // and the task was allocated as a Box of its concrete type,
            // whose destructor and layout `T`'s metadata carries.
            drop(unsafe { Box::from_raw(me.0.as_ptr()) });
        }
        left
    }
}

impl<T: ?Sized + Counted> Clone for TaskRef<T> {
    #[inline]
    fn clone(&self) -> Self {
        self.refs().acquire();
        TaskRef(self.0)
    }
}

impl<T: ?Sized + Counted> Drop for TaskRef<T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `self` is not used after this bitwise copy takes over its
        // reference (ours is being dropped).
        let me = TaskRef(self.0);
        if me.release() == Released::OnlyRegistry {
            super::registry::freed();
        }
    }
}

impl<T: ?Sized + Counted> Deref for TaskRef<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: our reference keeps the task alive and it is only ever
        // accessed through shared references.
        unsafe { self.0.as_ref() }
    }
}

#[cfg(all(loom, test))]
mod loom_tests {
    use super::*;
    use crate::loom::atomic::AtomicUsize;
    use crate::loom::thread;
    use std::sync::atomic::AtomicUsize as Record;
    use std::sync::Arc;

    /// A counted value that records its drop.
    #[repr(C)]
    struct Cell {
        /// Its count.
        refs: Refs,
        /// Bumped by each holder before it releases.
        seen: AtomicUsize,
        /// Set to `1 + seen` when dropped (not modelled: read after joins).
        dropped: Arc<Record>,
    }

    // SAFETY: repr(C), Refs first.
    unsafe impl Counted for Cell {}

    impl Drop for Cell {
        fn drop(&mut self) {
            let seen = self.seen.load(Ordering::Relaxed); // ordered by the release fence
            self.dropped.store(1 + seen, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// A cell with `refs` references, registered or not, and its drop record.
    fn cell(refs: u32, registered: bool) -> (TaskRef<Cell>, Arc<Record>) {
        let dropped = Arc::new(Record::new(0));
        let c = Cell { refs: Refs::new(refs, registered), seen: AtomicUsize::new(0), dropped };
        let d = c.dropped.clone();
        (TaskRef::from_box(Box::new(c)), d)
    }

    /// Three references made at once, released on three threads: the value
    /// is freed exactly once, and sees every holder's write.
    #[test]
    fn loom_refs_three_releases_free_once() {
        loom::model(|| {
            let (a, dropped) = cell(3, false);
            // SAFETY: the count holds three references.
            let (b, c) = unsafe { (a.split(), a.split()) };
            let t = thread::spawn(move || {
                b.seen.fetch_add(1, Ordering::Relaxed);
                drop(b);
            });
            c.seen.fetch_add(1, Ordering::Relaxed);
            drop(c);
            a.seen.fetch_add(1, Ordering::Relaxed);
            drop(a);
            t.join().unwrap();
            assert_eq!(dropped.load(std::sync::atomic::Ordering::Relaxed), 4);
        });
    }

    /// A clone racing the handle's release on a registered task: some
    /// release reports the registry as the last holder, and the registry's
    /// own release frees the task.
    #[test]
    fn loom_refs_clone_vs_release_registered() {
        loom::model(|| {
            let (registry, dropped) = cell(2, true);
            // SAFETY: the count holds two references.
            let handle = unsafe { registry.split() };
            let t = thread::spawn(move || handle.release());
            let waker = registry.clone();
            let mine = waker.release();
            let theirs = t.join().unwrap();
            assert!(mine == Released::OnlyRegistry || theirs == Released::OnlyRegistry);
            assert_eq!(registry.count(), 1);
            assert_eq!(registry.release(), Released::Last);
            assert_eq!(dropped.load(std::sync::atomic::Ordering::Relaxed), 1);
        });
    }
}
