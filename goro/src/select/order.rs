//! A fresh uniformly random order of a select's cases: Go's `pollorder`.
//!
//! Trying ready cases in a uniformly random permutation makes each ready
//! case equally likely to be chosen (TestSelectFairness). A select of up to
//! `PACKED` cases keeps its permutation in one register-sized word, four
//! bits an index, so the shuffle never touches memory; only a larger select
//! allocates. A packed shuffle takes every swap from one 64-bit draw of the
//! thread's `fastrand` generator (`packed_shuffle`); a larger one seeds a
//! local generator from one draw. Either reaches thread-local storage once.
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
            let p = if shuffle { packed_shuffle(n, fastrand::u64(..)) } else { IDENTITY };
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

/// A random permutation of `0..n` (`n <= PACKED`), packed, from one
/// uniform 64-bit draw `r`: Fisher-Yates whose index `j` in `0..=i` is the
/// integer part of `f * (i + 1)`, `f = r / 2^64` a fraction, and whose next
/// `f` is that product's fractional part (the low 64 bits). This is
/// `r`'s digits in the factorial number system, read with multiplications
/// instead of divisions: each of the `n!` permutations comes from a run of
/// `2^64 / n!` draws or one more, a bias under `n! / 2^64` (< 1.2e-6 at 16
/// cases; Go's `cheaprandn` has the like).
fn packed_shuffle(n: usize, mut r: u64) -> u64 {
    let mut p = IDENTITY;
    for i in (1..n).rev() {
        let wide = u128::from(r) * (i as u128 + 1);
        p = swap_nibbles(p, i, (wide >> 64) as usize);
        r = wide as u64;
    }
    p
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

    /// The draws of each of the `n!` equal parts of the 64-bit range give
    /// one permutation each, and no two parts the same: the packed shuffle
    /// maps the range onto all permutations evenly.
    #[test]
    fn packed_shuffle_covers_every_permutation() {
        for n in 1..=6usize {
            let fact: u128 = (1..=n as u128).product();
            let mut seen = std::collections::HashSet::new();
            for k in 0..fact {
                // The middle of the k-th part of the range.
                let r = ((2 * k + 1) << 64) / (2 * fact);
                let p = packed_shuffle(n, r as u64);
                let mut idx: Vec<usize> = Order::Packed(p, n).iter().collect();
                assert!(seen.insert(idx.clone()), "n = {n}: part {k} repeats {idx:?}");
                idx.sort_unstable();
                assert_eq!(idx, (0..n).collect::<Vec<_>>(), "n = {n}");
            }
            assert_eq!(seen.len() as u128, fact);
        }
    }

    /// Swapping two fields leaves the others alone.
    #[test]
    fn swap_nibbles_exchanges_two_fields() {
        assert_eq!(swap_nibbles(IDENTITY, 0, 15), 0x0EDC_BA98_7654_321F);
        assert_eq!(swap_nibbles(IDENTITY, 3, 3), IDENTITY);
    }
}
