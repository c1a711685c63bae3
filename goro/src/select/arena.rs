//! One allocation for the ops of a select's channel cases: the part of
//! Go's per-P `sudog` cache that a select can have without a cache.
//!
//! A select that must wait queues one op per channel case (`chan/waitq.rs`,
//! `Op`). Each used to be its own allocation; the arena is one block of
//! `n` equal places, place `i` for case `i`, each as large and as aligned
//! as the largest case's op (cases of one select have ops of different
//! types, but they are few and alike). A select takes it at its first
//! enqueue pass (from its thread's cache, `cache.rs`, or the allocator),
//! keeps it for its retries and gives it back to the cache at its end.
//!
//! Invariant: the arena outlives every queue entry that points into it.
//! The selector removes its cases' entries (dequeue pass, or its `Drop`)
//! before it frees the arena; a selector leaked while parked leaks its
//! arena too, and a case dropped then removes its own entry
//! (`case_op.rs`). Nothing in a place is dropped with the arena: a
//! place's op holds no reference count, and the selector empties every
//! slot before it lets go (each case takes its value back or commits it).

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;

/// The places of one select's ops.
pub struct OpArena {
    /// The block (dangling when `layout` has size 0: no channel case).
    base: NonNull<u8>,
    /// The block's layout, as allocated: at least `stride * n` bytes,
    /// aligned to the largest op.
    layout: Layout,
    /// The distance between two places.
    stride: usize,
    /// The number of places.
    n: usize,
}

// SAFETY: the arena is an owned block of bytes; it never reads or drops
// what its places hold. The ops in it are reached only through the cases
// that placed them, which carry their types' `Send`/`Sync`.
unsafe impl Send for OpArena {}
// SAFETY: as above; `&OpArena` only hands out place addresses.
unsafe impl Sync for OpArena {}

/// What a select's ops need of an arena: `n` places of `stride` bytes,
/// aligned to `align`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Need {
    /// Places.
    n: usize,
    /// Bytes a place.
    stride: usize,
    /// Alignment of every place.
    align: usize,
}

impl Need {
    /// One place per entry of `layouts` (case order), each fitting every
    /// layout given.
    pub(crate) fn of(layouts: impl Iterator<Item = Layout>) -> Self {
        let (mut n, mut size, mut align) = (0, 0, 1);
        for l in layouts {
            n += 1;
            size = size.max(l.size());
            align = align.max(l.align());
        }
        Need { n, stride: size.next_multiple_of(align), align }
    }
}

impl OpArena {
    /// A fresh arena for `need`.
    pub(crate) fn new(need: Need) -> Self {
        let layout = Layout::from_size_align(need.stride * need.n, need.align)
            .expect("goro::select: the ops of a select fit in memory");
        let base = if layout.size() == 0 {
            NonNull::dangling()
        } else {
            // SAFETY: the layout has a non-zero size.
            let p = unsafe { alloc(layout) };
            NonNull::new(p).unwrap_or_else(|| handle_alloc_error(layout))
        };
        OpArena { base, layout, stride: need.stride, n: need.n }
    }

    /// Lays this arena's block out anew for `need` if it is large and
    /// aligned enough; false if not. The caller owns the arena, so nothing
    /// points into it.
    pub(crate) fn refit(&mut self, need: Need) -> bool {
        let fits = need.stride * need.n <= self.layout.size() && need.align <= self.layout.align();
        if fits {
            (self.stride, self.n) = (need.stride, need.n);
        }
        fits
    }

    /// Place `i`, for a value of layout `l`.
    pub(crate) fn place(&self, i: usize, l: Layout) -> NonNull<u8> {
        assert!(
            i < self.n && l.size() <= self.stride && l.align() <= self.layout.align(),
            "goro::select: op {i} does not fit its place"
        );
        // SAFETY: `i * stride + stride <= n * stride <= layout.size()`, so
        // the place is inside the block; a zero-size arena has `n == 0` or
        // `stride == 0`, and then no op of non-zero size passes the check.
        unsafe { self.base.add(i * self.stride) }
    }
}

impl Drop for OpArena {
    fn drop(&mut self) {
        if self.layout.size() != 0 {
            // SAFETY: allocated in `new` with this layout, freed once.
            unsafe { dealloc(self.base.as_ptr(), self.layout) };
        }
    }
}

impl std::fmt::Debug for OpArena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpArena").field("bytes", &self.layout.size()).finish()
    }
}
