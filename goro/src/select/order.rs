//! A fresh uniformly random order of a select's cases: Go's `pollorder`,
//! drawn lazily.
//!
//! Trying ready cases in a uniformly random permutation makes each ready
//! case equally likely to be chosen (TestSelectFairness). The permutation
//! is a forward Fisher–Yates shuffle whose position `k` is drawn only when
//! a pass first reaches it: a select whose first try completes (the usual
//! case when its channels are busy) draws one position, not `n - 1`. The
//! random choices do not depend on what the tries find, so the order is
//! as uniform as one drawn whole; a later pass (enqueue, or the snapshot)
//! walks the same prefix and draws the rest.
//!
//! A select of up to `PACKED` cases keeps its permutation in one
//! register-sized word, four bits an index, and draws every position from
//! one 64-bit draw of the thread's `fastrand` generator (`Packed::step`);
//! only a larger select allocates, and seeds a local generator from one
//! draw. Either reaches thread-local storage once.
//!
//! Why a word and not an array: an inline `[u32; 16]` was shuffled with
//! 4-byte stores and then moved with 16-byte loads, which the CPU cannot
//! forward from its store buffer; that stall was about 6 % of a
//! `select_rx` benchmark's time.

/// Cases a packed permutation holds (16 four-bit indices in a `u64`).
const PACKED: usize = 16;
/// The identity permutation of `PACKED` cases, packed.
const IDENTITY: u64 = 0xFEDC_BA98_7654_3210;

/// A random permutation of `0..n`, its first `drawn` positions final.
pub(crate) struct Order {
    /// The indices.
    perm: Perm,
    /// How many leading positions are drawn (final); the rest are still
    /// to be shuffled.
    drawn: usize,
    /// The number of indices.
    n: usize,
}

/// Where a permutation's indices live.
enum Perm {
    /// Up to `PACKED` indices.
    Packed(Packed),
    /// More indices, with the generator that draws them.
    Heap(Vec<u32>, fastrand::Rng),
}

/// A packed permutation being drawn.
#[derive(Clone, Copy)]
struct Packed {
    /// Index at position `k` in bits `4k..4k + 4`.
    p: u64,
    /// The fraction `r / 2^64` whose mixed-radix digits are the draws still
    /// to come.
    r: u64,
}

impl Order {
    /// A uniformly random permutation of `0..n`, drawn as it is walked.
    #[inline]
    pub(crate) fn shuffled(n: usize) -> Order {
        // loom models must be deterministic: they keep source order, drawn
        // from the start; so does a single case.
        let drawn = if cfg!(loom) || n <= 1 { n } else { 0 };
        let perm = if n <= PACKED {
            let r = if drawn == n { 0 } else { fastrand::u64(..) };
            Perm::Packed(Packed { p: IDENTITY, r })
        } else {
            // One draw from the thread's generator seeds a local one: the
            // swaps then cost no thread-local access each.
            let seed = if drawn == n { 0 } else { fastrand::u64(..) };
            Perm::Heap((0..n as u32).collect(), fastrand::Rng::with_seed(seed))
        };
        Order { perm, drawn, n }
    }

    /// The indices in order, each position drawn when first reached; a
    /// second walk repeats the first's prefix.
    #[inline]
    pub(crate) fn iter(&mut self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n).map(move |k| self.at(k))
    }

    /// How many indices.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// The index at position `k < len()`, drawing the positions up to it.
    /// Inlined: a walk's next packed position is one multiplication and a
    /// swap of two nibbles.
    #[inline]
    pub(crate) fn at(&mut self, k: usize) -> usize {
        if let Perm::Packed(p) = &mut self.perm {
            if k == self.drawn {
                p.step(k, self.n - k);
                self.drawn = k + 1;
            }
            if k < self.drawn {
                return ((p.p >> (4 * k)) & 0xF) as usize;
            }
        }
        self.at_slow(k)
    }

    /// [`Order::at`] for a permutation on the heap, or a position past the
    /// next one.
    #[inline(never)]
    fn at_slow(&mut self, k: usize) -> usize {
        while self.drawn <= k {
            self.step();
        }
        self.get(k)
    }

    /// Draws position `drawn`: Fisher–Yates' swap of it with a uniformly
    /// chosen position of the rest.
    fn step(&mut self) {
        let k = self.drawn;
        let left = self.n - k;
        match &mut self.perm {
            Perm::Packed(p) => p.step(k, left),
            Perm::Heap(v, rng) => v.swap(k, k + rng.usize(..left)),
        }
        self.drawn = k + 1;
    }

    /// The index at position `k`.
    fn get(&self, k: usize) -> usize {
        match &self.perm {
            Perm::Packed(p) => ((p.p >> (4 * k)) & 0xF) as usize,
            Perm::Heap(v, _) => v[k] as usize,
        }
    }
}

impl Packed {
    /// Swaps position `k` with position `k + j`, `j` uniform in
    /// `0..left`: the integer part of `f * left`, `f = r / 2^64` a
    /// fraction, whose fractional part (the low 64 bits) is the next `f`.
    /// Over a whole shuffle these are `r`'s digits in the factorial number
    /// system, read with multiplications instead of divisions: each of the
    /// `n!` permutations comes from a run of `2^64 / n!` draws or one more,
    /// a bias under `n! / 2^64` (< 1.2e-6 at 16 cases; Go's `cheaprandn`
    /// has the like).
    #[inline]
    fn step(&mut self, k: usize, left: usize) {
        let wide = u128::from(self.r) * left as u128;
        self.p = swap_nibbles(self.p, k, k + (wide >> 64) as usize);
        self.r = wide as u64;
    }
}

/// `p` with its four-bit fields `i` and `j` exchanged.
#[inline]
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
                let r = (((2 * k + 1) << 64) / (2 * fact)) as u64;
                let mut order =
                    Order { perm: Perm::Packed(Packed { p: IDENTITY, r }), drawn: 0, n };
                let mut idx: Vec<usize> = order.iter().collect();
                assert!(seen.insert(idx.clone()), "n = {n}: part {k} repeats {idx:?}");
                idx.sort_unstable();
                assert_eq!(idx, (0..n).collect::<Vec<_>>(), "n = {n}");
            }
            assert_eq!(seen.len() as u128, fact);
        }
    }

    /// A walk stopped early and walked again repeats its prefix and then
    /// completes a permutation (the enqueue pass after a poll pass).
    #[test]
    fn a_second_walk_repeats_the_first_prefix() {
        for n in [2, 4, 16, 17, 40] {
            for stop in 0..n.min(5) {
                let mut order = Order::shuffled(n);
                let prefix: Vec<usize> = order.iter().take(stop).collect();
                let whole: Vec<usize> = order.iter().collect();
                assert_eq!(whole[..stop], prefix[..], "n = {n}");
                assert_eq!(order.iter().collect::<Vec<_>>(), whole, "n = {n}");
                let mut sorted = whole;
                sorted.sort_unstable();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "n = {n}");
            }
        }
    }

    /// Swapping two fields leaves the others alone.
    #[test]
    fn swap_nibbles_exchanges_two_fields() {
        assert_eq!(swap_nibbles(IDENTITY, 0, 15), 0x0EDC_BA98_7654_321F);
        assert_eq!(swap_nibbles(IDENTITY, 3, 3), IDENTITY);
    }
}
