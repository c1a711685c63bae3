#!/usr/bin/env bash
# Interleaved A/B timing of one case: runs every given binary once per
# round, in a rotating order, for RUNS rounds, so that all of them see the
# same machine noise (a shared 2-core VM whose load moves within seconds),
# then prints each binary's median, min, max and spread (max / min) and its
# median's ratio to the first binary's; where `perf stat` works, also the
# median CPU time (task-clock, all threads) and page faults of each, which
# the machine's load disturbs less than wall time.
#
#   benches/ab.sh WORKLOAD FLAVOR BIN...        e.g.
#   RUNS=21 benches/ab.sh spawn_join_1m default target/release/goro target/release/goro-nodiag
#
# A binary is any program printing the harness's `impl,workload,flavor,
# seconds,extra` line (goro, goro-nodiag, go-bench, ...). The rotation
# (round r starts at binary r mod N) keeps a binary from always running
# right after the same other one. Each run goes to stderr as it comes.
# Needs python3 for the statistics.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,17p "$0"; exit 2; }
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
    for ((k = 0; k < n; k++)); do
        i=$(((r + k) % n))
        line="$(run_one "${bins[$i]}")"
        echo "$i $line" >>"$raw"
        echo "round $r: ${bins[$i]}: seconds, cpu seconds, faults: $line" >&2
    done
done

python3 - "$raw" "${bins[@]}" <<'PY'
import math, statistics, sys
raw, bins = sys.argv[1], sys.argv[2:]
runs = {i: [] for i in range(len(bins))}
for line in open(raw):
    i, secs, cpu, faults = line.split()
    runs[int(i)].append((float(secs), float(cpu), float(faults)))
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
PY
