#!/usr/bin/env bash
# Interleaved A/B timing of one case: runs every given binary once per
# round, in a rotating order, for RUNS rounds, so that all of them see the
# same machine noise (a shared 2-core VM whose load moves within seconds),
# then prints each binary's median, min, max and spread (max / min) and its
# median's ratio to the first binary's; where `perf stat` works, also the
# median CPU time (task-clock, all threads) and page faults of each, which
# the machine's load disturbs less than wall time. Last, paired by round:
# the median of the per-round wall-time ratios against the first binary,
# with a 95 % bootstrap interval and the count of rounds it was faster.
#
#   benches/ab.sh WORKLOAD FLAVOR BIN...        e.g.
#   RUNS=21 benches/ab.sh spawn_join_1m default target/release/goro target/release/goro-nodiag
#
# With PAD=random, each round first sets BENCH_PAD to a size drawn in
# [0, 4096) step 16, the same for every binary of the round: the Rust
# harness allocates that much before a channel case makes its channels
# (`bench_common::layout_pad`), which moves them relative to 4 KiB pages.
# The paired figures are then over random heap layouts, not one layout's
# luck (BENCHMARKS.md, "seq across heap offsets"); Go's allocator ignores
# the pad.
#
# A binary is any program printing the harness's `impl,workload,flavor,
# seconds,extra` line (goro, goro-nodiag, go-bench, ...). The rotation
# (round r starts at binary r mod N) keeps a binary from always running
# right after the same other one. Each run goes to stderr as it comes.
# Needs python3 for the statistics.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,27p "$0"; exit 2; }
RUNS="${RUNS:-21}"
workload="$1" flavor="$2"
shift 2
bins=("$@")
n=${#bins[@]}
perf=0
command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1 && perf=1
raw="$(mktemp)" stat="$(mktemp)"
trap 'rm -f "$raw" "$stat"' EXIT

# One run of binary $1: prints "seconds cpu-seconds page-faults".
run_one() {
    local secs
    if [ "$perf" = 1 ]; then
        secs=$(perf stat -x, -o "$stat" -e task-clock,page-faults "$1" "$workload" "$flavor" \
            2>/dev/null | awk -F, 'NR == 1 { print $4 }')
        echo "$secs $(awk -F, '$3 == "task-clock" { c = $1 / 1000 } $3 == "page-faults" { f = $1 }
            END { print c, f }' "$stat")"
    else
        secs=$("$1" "$workload" "$flavor" 2>/dev/null | awk -F, 'NR == 1 { print $4 }')
        echo "$secs nan nan"
    fi
}

for ((r = 0; r < RUNS; r++)); do
    if [ "${PAD:-}" = random ]; then
        export BENCH_PAD=$((RANDOM % 256 * 16))
    fi
    for ((k = 0; k < n; k++)); do
        i=$(((r + k) % n))
        line="$(run_one "${bins[$i]}")"
        echo "$r $i $line" >>"$raw"
        echo "round $r: ${bins[$i]}: seconds, cpu seconds, faults: $line" >&2
    done
done

PYTHONPATH="$(dirname "$0")" python3 - "$raw" "${bins[@]}" <<'PY'
import math, statistics, sys
from paired import interval
raw, bins = sys.argv[1], sys.argv[2:]
runs = {i: [] for i in range(len(bins))}
by_round = {}
for line in open(raw):
    r, i, secs, cpu, faults = line.split()
    runs[int(i)].append((float(secs), float(cpu), float(faults)))
    by_round.setdefault(int(r), {})[int(i)] = float(secs)
col = lambda i, k: [r[k] for r in runs[i]]
base, base_cpu = statistics.median(col(0, 0)), statistics.median(col(0, 1))
print(f"{'binary':<36} {'runs':>4} {'median':>7} {'min':>7} {'max':>7} {'spread':>6} "
      f"{'vs 1st':>7} {'cpu':>7} {'vs 1st':>7} {'faults':>7}")
for i, b in enumerate(bins):
    t, c, f = col(i, 0), col(i, 1), col(i, 2)
    med, cmed = statistics.median(t), statistics.median(c)
    cvs = "-" if math.isnan(cmed) else f"{100 * (cmed / base_cpu - 1):+.1f}%"
    print(f"{b:<36} {len(t):>4} {med:7.4f} {min(t):7.4f} {max(t):7.4f} {max(t) / min(t):5.2f}x "
          f"{100 * (med / base - 1):+6.1f}% {cmed:7.4f} {cvs:>7} {statistics.median(f):7.0f}")

# Paired by round (each round ran every binary once, back to back): the
# median of the per-round wall-time ratios against the first binary, its
# 95 % bootstrap interval (paired.py), and in how many rounds this binary
# was the faster. An interval that holds 1.00 means the run does not tell
# the two apart.
if len(bins) > 1:
    print(f"\npaired by round against {bins[0]}: this / 1st, median of the rounds' ratios")
    print(f"{'binary':<36} {'median':>7} {'95% interval':>15} {'faster in':>10}")
    for i, b in enumerate(bins[1:], 1):
        q = [rd[i] / rd[0] for rd in by_round.values() if i in rd and 0 in rd and rd[0] > 0]
        if not q:
            continue
        med, lo, hi = interval(q)
        wins = sum(x < 1 for x in q)
        print(f"{b:<36} {med:7.3f} {f'{lo:.3f}-{hi:.3f}':>15} {f'{wins}/{len(q)}':>10}")
PY
