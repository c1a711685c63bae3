"""Paired comparison by round, shared by `ab.sh` and `summarize.py`.

A round runs every binary once, back to back, so the machine's noise (a
shared VM whose load moves within seconds) and, with `PAD=random`, the heap
layout are the same for all of them. Comparing within rounds cancels what
the round shared; comparing medians of separate runs does not.

Invariant: the interval is a percentile bootstrap of the median of the
per-round ratios, 2,000 resamples with a fixed seed, so the same rounds
always give the same interval. Standard library only.
"""
import random
import statistics

RESAMPLES = 2000


def interval(ratios, resamples=RESAMPLES, seed=1):
    """The median of `ratios` and its 95 % bootstrap interval (lo, hi)."""
    rng = random.Random(seed)
    boot = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(resamples))
    tail = resamples // 40  # 2.5 % on each side
    return statistics.median(ratios), boot[tail - 1], boot[resamples - tail - 1]


def reading(lo, hi):
    """What an interval of speedups (other / goro) says: goro `ahead` when
    it lies above 1, `behind` when below, else `level` (the rounds do not
    tell the two apart)."""
    if lo > 1:
        return "ahead"
    if hi < 1:
        return "behind"
    return "level"
