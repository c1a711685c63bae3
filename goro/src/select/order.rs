//! A fresh uniformly random order of a select's cases: Go's `pollorder`.
//!
//! Trying ready cases in a uniformly random permutation makes each ready
//! case equally likely to be chosen (TestSelectFairness). A select of up to
//! `PACKED` cases keeps its permutation in one register-sized word, four
//! bits an index, so the shuffle never touches memory; only a larger select
//! allocates. One draw from the thread's `fastrand` generator seeds a local
//! one for the swaps, so a shuffle reaches thread-local storage once.
//!
//! Why a word and not an array: an inline `[u32; 16]` was shuffled with
//! 4-byte stores and then moved with 16-byte loads, which the CPU cannot
//! forward from its store buffer; that stall was about 6 % of a
//! `select_rx` benchmark's time.

/// Cases a packed permutation holds (16 four-bit indices in a `u64`).
const PACKED: usize = 16;
/// The identity permutation of `PACKED` cases, packed.
const IDENTITY: u64 = 0xFEDC_BA98_7654_3210;

/// A random permutation of `0..n`.
pub(crate) enum Order {
    /// Up to `PACKED` indices, index `k` in bits `4k..4k + 4`; the first
    /// `n` are used.
    Packed(u64, usize),
    /// More indices.
    Heap(Vec<u32>),
}

impl Order {
    /// A uniformly random permutation of `0..n` (Fisher-Yates).
    pub(crate) fn shuffled(n: usize) -> Order {
        // loom models must be deterministic: they keep source order.
        let shuffle = !cfg!(loom) && n > 1;
        if n <= PACKED {
            let mut p = IDENTITY;
            if shuffle {
                let mut rng = fastrand::Rng::with_seed(fastrand::u64(..));
                for i in (1..n).rev() {
                    p = swap_nibbles(p, i, rng.usize(..=i));
                }
            }
            return Order::Packed(p, n);
        }
        let mut v: Vec<u32> = (0..n as u32).collect();
        if shuffle {
            // One draw from the thread's generator seeds a local one: the
            // swaps then cost no thread-local access each.
            let mut rng = fastrand::Rng::with_seed(fastrand::u64(..));
            for i in (1..n).rev() {
                v.swap(i, rng.usize(..=i));
            }
        }
        Order::Heap(v)
    }

    /// The indices in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).map(move |k| self.get(k))
    }

    /// How many indices.
    fn len(&self) -> usize {
        match self {
            Order::Packed(_, n) => *n,
            Order::Heap(v) => v.len(),
        }
    }

    /// The `k`th index.
    fn get(&self, k: usize) -> usize {
        match self {
            Order::Packed(p, _) => ((p >> (4 * k)) & 0xF) as usize,
            Order::Heap(v) => v[k] as usize,
        }
    }
}

/// `p` with its four-bit fields `i` and `j` exchanged.
fn swap_nibbles(p: u64, i: usize, j: usize) -> u64 {
    let x = ((p >> (4 * i)) ^ (p >> (4 * j))) & 0xF;
    p ^ (x << (4 * i)) ^ (x << (4 * j))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// Every size gives a permutation of `0..n`, packed or not.
    #[test]
    fn shuffled_is_a_permutation() {
        for n in [0, 1, 2, 3, 15, 16, 17, 40] {
            for _ in 0..50 {
                let mut seen: Vec<usize> = Order::shuffled(n).iter().collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
            }
        }
    }

    /// Each of 4 cases comes first about a quarter of the time (the
    /// uniformity select's fairness rests on): chi-square with 3 degrees of
    /// freedom under its p = 0.001 bound. The thread's generator is seeded,
    /// so the draws, and the verdict, are the same every run.
    #[test]
    fn each_case_comes_first_uniformly() {
        fastrand::seed(0x5eed);
        const N: usize = 4;
        const DRAWS: usize = 40_000;
        let mut first = [0usize; N];
        for _ in 0..DRAWS {
            first[Order::shuffled(N).iter().next().unwrap()] += 1;
        }
        let expect = (DRAWS / N) as f64;
        let chi2: f64 = first.iter().map(|&c| (c as f64 - expect).powi(2) / expect).sum();
        assert!(chi2 < 16.27, "first-case counts {first:?}, chi-square {chi2}");
    }

    /// Swapping two fields leaves the others alone.
    #[test]
    fn swap_nibbles_exchanges_two_fields() {
        assert_eq!(swap_nibbles(IDENTITY, 0, 15), 0x0EDC_BA98_7654_321F);
        assert_eq!(swap_nibbles(IDENTITY, 3, 3), IDENTITY);
    }
}
