//! A goroutine's `Waker`, built on the task's own reference count without
//! an extra allocation, plus a *borrowed* form for the duration of one poll
//! that costs no reference-count traffic.
//!
//! The data pointer is the task's address; a waker owns one reference
//! (`refs.rs`), as std's `impl From<Arc<W: Wake>> for Waker` owns one
//! strong count.

use super::refs::TaskRef;
use super::task::Task;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

/// Bounds every task type satisfies.
pub(crate) trait Spawnable: Future<Output: Send + 'static> + Send + 'static {}
impl<F: Future<Output: Send + 'static> + Send + 'static> Spawnable for F {}

/// The vtable for tasks of future type `F`.
fn vtable<F: Spawnable>() -> &'static RawWakerVTable {
    &RawWakerVTable::new(clone::<F>, wake::<F>, wake_by_ref::<F>, drop_waker::<F>)
}

/// A waker borrowing `task` for one poll: it must not outlive the borrow,
/// which `ManuallyDrop` plus the caller's scope guarantee (clones made from
/// it own their own reference).
pub(crate) fn borrowed<F: Spawnable>(task: &Task<F>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(std::ptr::from_ref(task).cast(), vtable::<F>());
    // SAFETY: the vtable's contract holds for a live task's address while
    // the borrow lasts; the ManuallyDrop never runs `drop_waker`, so the
    // borrowed waker consumes no reference it does not own.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// The task behind a waker's data pointer, borrowed.
///
/// # Safety
/// `ptr` is the address of a live `Task<F>`.
unsafe fn task<'a, F: Spawnable>(ptr: *const ()) -> &'a Task<F> {
    // SAFETY: the caller's contract.
    unsafe { &*ptr.cast::<Task<F>>() }
}

/// The reference a waker owns.
///
/// # Safety
/// As [`task`], and the caller owns one reference for the result.
unsafe fn owned<F: Spawnable>(ptr: *const ()) -> TaskRef<Task<F>> {
    // SAFETY: non-null (a live task's address); the reference is the caller's.
    unsafe { TaskRef::from_raw(NonNull::new_unchecked(ptr.cast_mut().cast())) }
}

/// Clones: one more reference.
///
/// # Safety
/// `ptr` is the address of a live `Task<F>`.
unsafe fn clone<F: Spawnable>(ptr: *const ()) -> RawWaker {
    // SAFETY: the caller guarantees a live task; the clone's reference is
    // handed to the new waker.
    let _ = ManuallyDrop::new(unsafe { task::<F>(ptr) }.new_ref());
    RawWaker::new(ptr, vtable::<F>())
}

/// Wakes, consuming the waker's reference.
///
/// # Safety
/// As `clone`, and the waker owns one reference.
unsafe fn wake<F: Spawnable>(ptr: *const ()) {
    // SAFETY: this waker owns one reference, which the TaskRef takes over.
    Task::wake(unsafe { owned::<F>(ptr) });
}

/// Wakes, keeping the waker's reference.
///
/// # Safety
/// As `clone`.
unsafe fn wake_by_ref<F: Spawnable>(ptr: *const ()) {
    // SAFETY: the waker's reference keeps the task alive for the call.
    unsafe { task::<F>(ptr) }.wake_by_ref();
}

/// Drops the waker's reference.
///
/// # Safety
/// As `wake`.
unsafe fn drop_waker<F: Spawnable>(ptr: *const ()) {
    // SAFETY: this waker owns one reference.
    drop(unsafe { owned::<F>(ptr) });
}
