//! A fresh uniformly random order of a select's cases: Go's `pollorder`.
//!
//! Trying ready cases in a uniformly random permutation makes each ready
//! case equally likely to be chosen (TestSelectFairness). Small selects keep
//! the permutation inline; only a select of more than `INLINE` cases
//! allocates. One draw from the thread's `fastrand` generator seeds a local
//! one for the swaps, so a shuffle reaches thread-local storage once.

/// Cases a permutation holds without allocating.
const INLINE: usize = 16;

/// A random permutation of `0..n`.
pub(crate) enum Order {
    /// Up to `INLINE` indices, the first `n` used.
    Inline([u32; INLINE], usize),
    /// More indices.
    Heap(Vec<u32>),
}

impl Order {
    /// A uniformly random permutation of `0..n` (Fisher-Yates).
    pub(crate) fn shuffled(n: usize) -> Order {
        let mut order = if n <= INLINE {
            let mut a = [0u32; INLINE];
            a[..n].iter_mut().zip(0..).for_each(|(x, i)| *x = i);
            Order::Inline(a, n)
        } else {
            Order::Heap((0..n as u32).collect())
        };
        // loom models must be deterministic: they keep source order.
        if !cfg!(loom) && n > 1 {
            // One draw from the thread's generator seeds a local one: the
            // swaps then cost no thread-local access each.
            let mut rng = fastrand::Rng::with_seed(fastrand::u64(..));
            let s = order.as_mut_slice();
            for i in (1..s.len()).rev() {
                s.swap(i, rng.usize(..=i));
            }
        }
        order
    }

    /// The indices in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.as_slice().iter().map(|&i| i as usize)
    }

    /// The used part.
    fn as_slice(&self) -> &[u32] {
        match self {
            Order::Inline(a, n) => &a[..*n],
            Order::Heap(v) => v,
        }
    }

    /// The used part, mutably.
    fn as_mut_slice(&mut self) -> &mut [u32] {
        match self {
            Order::Inline(a, n) => &mut a[..*n],
            Order::Heap(v) => v,
        }
    }
}
