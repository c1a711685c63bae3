#!/usr/bin/env bash
# Issue 5's overhead in instructions, not seconds: runs `goro` and
# `goro-nodiag` under callgrind on the diagnostics cases and prints each
# total and the ratio. Instruction counts repeat to a few parts in 10^5 run
# to run, where timings on a shared 2-core machine spread 1.5-2x.
#
# One processor, the monitor's blocking detection and the deadlock
# detector off (GORO_MAXPROCS=1 GORO_BLOCKING_THRESHOLD_MS=0
# GORO_DEADLOCK=0): with them on, whether and when the monitor hands a
# stuck processor off depends on valgrind's thread timing, and the counts
# then move by tens of percent. The monitor's cost is a timing question.
#
# Needs valgrind and the two binaries (build them as BENCHMARKS.md says, or
# point BIN at a folder holding `goro` and `goro-nodiag`). Writes the
# callgrind files to OUT (default: a temporary folder) for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")"
BIN="${BIN:-target/release}"
OUT="${OUT:-$(mktemp -d)}"
CASES="${CASES:-spawn_join_1m:default park_1m:gate spsc:bounded1 mpmc:unbuffered seq:unbounded select_rx:bounded1}"

echo "| workload | flavor | goro (Ir) | goro-nodiag (Ir) | overhead |"
echo "|---|---|---|---|---|"
for case in $CASES; do
    w="${case%%:*}" f="${case#*:}"
    declare -A ir=()
    for b in goro goro-nodiag; do
        file="$OUT/$b.$w.$f.cg"
        GORO_MAXPROCS=1 GORO_BLOCKING_THRESHOLD_MS=0 GORO_DEADLOCK=0 \
            valgrind --tool=callgrind --callgrind-out-file="$file" "$BIN/$b" "$w" "$f" \
            >/dev/null 2>"$file.log"
        ir[$b]=$(awk '/^(summary|totals):/ { print $2; exit }' "$file")
    done
    awk -v w="$w" -v f="$f" -v a="${ir[goro]}" -v b="${ir[goro-nodiag]}" \
        'BEGIN { printf "| %s | %s | %.0f | %.0f | %+.1f%% |\n", w, f, a, b, 100 * (a / b - 1) }'
done
echo "callgrind files: $OUT" >&2
