#!/usr/bin/env python3
"""Times one channel case across heap layouts.

    RUNS=60 python3 benches/padsweep.py WORKLOAD FLAVOR BIN...

Each round draws a pad in [0, 4096) bytes, step 16, and runs every binary
once with BENCH_PAD set to it (the harness's `layout_pad`: allocated before
the case makes its channels, so it moves where they land relative to
4 KiB pages), in an order that rotates by one per round. It prints each
binary's median, 10th and 90th percentile and extremes, and, paired by
round against the first binary, the median of the per-round time ratios
and how often the other was faster. One binary at one layout can sit in a
slow or a fast window that another build or another allocation history
would not (BENCHMARKS.md, "seq across heap offsets"); the paired median
over random layouts is the figure that does not depend on that luck.

Rust binaries only: Go's allocator places its channels by size class, so
the pad does not move them.
"""
import os
import random
import statistics
import subprocess
import sys


def run_once(binary, workload, flavor, pad):
    env = dict(os.environ, BENCH_PAD=str(pad))
    out = subprocess.run([binary, workload, flavor], env=env, capture_output=True,
                         text=True, check=True).stdout
    return float(out.splitlines()[0].split(",")[3])


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    workload, flavor, bins = sys.argv[1], sys.argv[2], sys.argv[3:]
    rounds = int(os.environ.get("RUNS", "60"))
    rng = random.Random(os.environ.get("SEED", "1"))
    times = {b: [] for b in bins}
    for r in range(rounds):
        pad = rng.randrange(0, 4096, 16)
        for k in range(len(bins)):
            b = bins[(r + k) % len(bins)]
            times[b].append(run_once(b, workload, flavor, pad))
    print(f"{'binary':40s} {'median':>8s} {'p10':>8s} {'p90':>8s} {'min':>8s} {'max':>8s}")
    for b in bins:
        ts = times[b]
        dec = statistics.quantiles(ts, n=10)
        print(f"{b:40s} {statistics.median(ts):8.5f} {dec[0]:8.5f} {dec[-1]:8.5f} "
              f"{min(ts):8.5f} {max(ts):8.5f}")
    first = bins[0]
    print(f"\npaired by round against {first}: this / first, median of the rounds' ratios")
    for b in bins[1:]:
        ratios = [tb / ta for ta, tb in zip(times[first], times[b])]
        faster = sum(x < 1 for x in ratios)
        print(f"{b:40s} {statistics.median(ratios):.3f}   faster in {faster}/{rounds}")


if __name__ == "__main__":
    main()
