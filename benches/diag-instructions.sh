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
# The monitor thread's periodic work (the deadlock check and the registry
# sweep, every 100 ms of real time) runs about 50 times as often per unit of
# work under valgrind as in a real run, and how often depends on valgrind's
# pace: a spawn_join_1m count moved by 100 M instructions from run to run
# with it. So each thread is counted apart (`--separate-threads=yes`) and
# the table gives the overhead both with and without the monitor thread
# (the one running `sysmon::run`). Neither is the real cost where
# goroutines are freed in bulk (spawn_join_1m): with the monitor, the
# sweeps are counted at valgrind's pace; without it, the frees the sweep
# does (a finished goroutine's record is freed by the sweep, where the
# nodiag build frees it in the joiner) are left out. Elsewhere the two
# agree. Time them with ab.sh.
#
# Needs valgrind and the two binaries (build them as BENCHMARKS.md says, or
# point BIN at a folder holding `goro` and `goro-nodiag`). Writes the
# callgrind files to OUT (default: a temporary folder) for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")"
BIN="${BIN:-target/release}"
OUT="${OUT:-$(mktemp -d)}"
CASES="${CASES:-spawn_join_1m:default park_1m:gate spsc:bounded1 mpmc:unbuffered seq:unbounded select_rx:bounded1}"

echo "| workload | flavor | goro (Ir) | goro-nodiag (Ir) | overhead | goro without monitor (Ir) | nodiag without monitor (Ir) | overhead without monitor |"
echo "|---|---|---|---|---|---|---|---|"
# Sums the totals of one run's per-thread files: "all without-monitor".
sum_threads() {
    local all=0 rest=0 n
    for f in "$1"-*; do
        case "$f" in *.log) continue ;; esac
        n=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
        all=$((all + n))
        grep -q 'sysmon::run' "$f" || rest=$((rest + n))
    done
    echo "$all $rest"
}
for case in $CASES; do
    w="${case%%:*}" f="${case#*:}"
    declare -A ir=() bare=()
    for b in goro goro-nodiag; do
        file="$OUT/$b.$w.$f.cg"
        GORO_MAXPROCS=1 GORO_BLOCKING_THRESHOLD_MS=0 GORO_DEADLOCK=0 \
            valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$file" \
            "$BIN/$b" "$w" "$f" >/dev/null 2>"$file.log"
        read -r ir[$b] bare[$b] < <(sum_threads "$file")
    done
    awk -v w="$w" -v f="$f" -v a="${ir[goro]}" -v b="${ir[goro-nodiag]}" \
        -v c="${bare[goro]}" -v d="${bare[goro-nodiag]}" \
        'BEGIN { printf "| %s | %s | %.0f | %.0f | %+.1f%% | %.0f | %.0f | %+.1f%% |\n",
                 w, f, a, b, 100 * (a / b - 1), c, d, 100 * (c / d - 1) }'
done
echo "callgrind files: $OUT" >&2
