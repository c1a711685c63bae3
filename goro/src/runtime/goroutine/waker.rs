//! A goroutine's `Waker`, built on the task's own `Arc` without an extra
//! allocation, plus a *borrowed* form for the duration of one poll that
//! costs no reference-count traffic (std's `Waker::from(Arc)` would clone
//! and drop the `Arc` on every poll).
//!
//! The vtable functions mirror std's `impl From<Arc<W: Wake>> for Waker`:
//! the data pointer is `Arc::into_raw` of the task, owning one strong count.

use super::task::Task;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Wake, Waker};

/// Bounds every task type satisfies.
pub(crate) trait Spawnable: Future<Output: Send + 'static> + Send + 'static {}
impl<F: Future<Output: Send + 'static> + Send + 'static> Spawnable for F {}

/// The vtable for tasks of future type `F`.
fn vtable<F: Spawnable>() -> &'static RawWakerVTable {
    &RawWakerVTable::new(clone::<F>, wake::<F>, wake_by_ref::<F>, drop_waker::<F>)
}

/// A waker borrowing `task` for one poll: it must not outlive the borrow,
/// which `ManuallyDrop` plus the caller's scope guarantee (clones made from
/// it own their own count).
pub(crate) fn borrowed<F: Spawnable>(task: &Arc<Task<F>>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(Arc::as_ptr(task).cast(), vtable::<F>());
    // SAFETY: the vtable's contract holds for a pointer from `Arc::as_ptr`
    // while the Arc lives; the ManuallyDrop never runs `drop_waker`, so the
    // borrowed waker consumes no count it does not own.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// Clones: one more strong count.
///
/// # Safety
/// `ptr` came from `Arc::<Task<F>>::as_ptr`/`into_raw` of a live task.
unsafe fn clone<F: Spawnable>(ptr: *const ()) -> RawWaker {
    // SAFETY: the caller guarantees a live Arc<Task<F>> allocation.
    unsafe { Arc::increment_strong_count(ptr.cast::<Task<F>>()) };
    RawWaker::new(ptr, vtable::<F>())
}

/// Wakes, consuming the waker's count.
///
/// # Safety
/// As `clone`, and the waker owns one strong count.
unsafe fn wake<F: Spawnable>(ptr: *const ()) {
    // SAFETY: this waker owns one count, which the Arc takes over.
    let task = unsafe { Arc::from_raw(ptr.cast::<Task<F>>()) };
    Wake::wake(task);
}

/// Wakes, keeping the waker's count.
///
/// # Safety
/// As `clone`.
unsafe fn wake_by_ref<F: Spawnable>(ptr: *const ()) {
    // SAFETY: borrowed for the call; ManuallyDrop keeps the count untouched.
    let task = ManuallyDrop::new(unsafe { Arc::from_raw(ptr.cast::<Task<F>>()) });
    Wake::wake_by_ref(&*task);
}

/// Drops the waker's count.
///
/// # Safety
/// As `wake`.
unsafe fn drop_waker<F: Spawnable>(ptr: *const ()) {
    // SAFETY: this waker owns one count.
    unsafe { Arc::decrement_strong_count(ptr.cast::<Task<F>>()) };
}
