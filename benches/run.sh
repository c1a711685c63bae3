#!/usr/bin/env bash
# Builds every implementation in release mode, runs every case REPS times in
# ONE interleaved run (each case runs all implementations back to back, so
# all see the same machine noise), and writes:
#   results/raw/<stamp>.csv   every run (gitignored)
#   results/summary.md        medians, ratios vs Go and vs the best Rust peer,
#                             and the issues' targets marked met / not met
#   results/chart.png         the chart (plot.py)
#
# Environment:
#   REPS=3        runs per case (QUICK=1 makes it 1)
#   TIMEOUT=30    seconds before a run counts as "timeout" (a deadlock is a
#                 failure; a case that timed out is not run again)
#   GORO_FEATURES=auto   goro gates to build: "auto" enables each of
#                 goro-chan / goro-toolkit whose code compiles against the
#                 goro in this tree; or give a list, e.g. "goro-chan"
#   SUITES="runtime channels toolkit diagnostics"   which to run
#   PAD=random    the heap layout: before each case in each rep, BENCH_PAD is
#                 drawn in [0, 4096) step 16, the same for every Rust binary
#                 of that case and rep (the harness allocates that much before
#                 it makes the channels: bench_common::layout_pad), so the
#                 medians are over REPS layouts, not one layout's luck, which
#                 moved single `seq` runs by up to 20 % for goro and for
#                 kanal-async alike (BENCHMARKS.md, "seq's slow layouts");
#                 PAD=0 runs every case at one layout, as before 2026-12-05
#                 11:22 UTC. Go's allocator ignores the pad.
#   CLOSE_RUNS=40 rounds of the paired phase: after the main run, each
#                 channel row where goroutines' median is within 5 % of a
#                 Rust crate's, or behind it (summarize.py --close), runs
#                 goro and each such crate once per round, back to back, a
#                 fresh pad each round; summarize.py reads that row's
#                 target from the rounds' paired ratios (paired.py) instead
#                 of from medians of separate runs, which moved by 3-5 %
#                 between full runs. The diagnostics target's timed cases
#                 (with the diagnostics suite) run the same way, goro
#                 against goro-nodiag, and the target reads their rounds.
#                 0 skips both.
#   NAME=summary  the summary's file name (results/$NAME.md); the chart is
#                 drawn only for the default name. E.g. a focused, longer
#                 diagnostics run: SUITES=diagnostics REPS=10 NAME=diagnostics
#   PREBUILT=dir  run the binaries already in dir (go-bench, goro, ...: what
#                 a build here left in target/release), build nothing and
#                 write only the raw CSV and machine.txt into dir: for a
#                 second machine without toolchains or network. Summarise
#                 later with: .venv/bin/python summarize.py CSV MACHINE
set -euo pipefail
cd "$(dirname "$0")"

REPS="${REPS:-3}"
[ "${QUICK:-0}" = 1 ] && REPS=1
TIMEOUT="${TIMEOUT:-30}"
SUITES="${SUITES:-runtime channels toolkit diagnostics}"
PAD="${PAD:-random}"
BIN="${PREBUILT:-target/release}"
# run.sh runs what it just built: an inherited CARGO_TARGET_DIR (the helpers'
# convention for the main workspace) would build elsewhere and leave stale or
# missing binaries here.
export CARGO_TARGET_DIR="$PWD/target"

if [ -n "${PREBUILT:-}" ]; then
    GO="$BIN/go-version.txt"; features="$(cat "$BIN/goro-features.txt")"
else
../scripts/install-go.sh >/dev/null
PY=../.venv/bin/python
GO=../.venv/bin/go

# ---- build -----------------------------------------------------------------
echo "== building (release)" >&2
cargo build --release -q -p bench-peers
"$GO" -C go build -o "../$BIN/go-bench" .

features="${GORO_FEATURES:-auto}"
if [ "$features" = auto ]; then
    features=""
    for f in goro-chan goro-toolkit; do
        if cargo build --release -q -p goro-bench --features "$f" 2>/dev/null; then
            features="$features $f"
        else
            echo "!! goro feature $f does not build against this goro: its cases record n/a" >&2
            echo "   (see why: cd benches && cargo build --release -p goro-bench --features $f)" >&2
        fi
    done
fi
features="$(echo $features | tr ' ' ',')"
echo "== goro features: ${features:-none}" >&2
# Separate invocations: cargo unifies goro's features only within one.
cargo build --release -q -p goro-bench --features "$features"
cargo build --release -q -p goro-bench-nodiag --features "$features"
"$GO" version > "$BIN/go-version.txt"; echo "$features" > "$BIN/goro-features.txt"
fi

# ---- cases -----------------------------------------------------------------
CHAN_IMPLS="go crossbeam flume flume-async kanal kanal-async tokio goro goro-threads"
cases=()   # "impls|workload|flavor"
add() { cases+=("$1|$2|$3"); }
for s in $SUITES; do case $s in
runtime)
    add "go tokio goro" spawn_join_1m default
    add "go tokio goro" park_1m gate
    add "go tokio goro" yield_pingpong procs_default
    add "go tokio goro" yield_pingpong procs1
    add "go tokio goro" yield_compute default ;;
channels)
    for w in seq spsc mpsc mpmc select_rx select_both; do
        for f in unbuffered bounded1 boundedN unbounded; do
            # seq on one thread deadlocks with a buffer smaller than the
            # message count: crossbeam's suite runs it only unfilled.
            if [ $w = seq ] && { [ $f = unbuffered ] || [ $f = bounded1 ]; }; then continue; fi
            add "$CHAN_IMPLS" $w $f
        done
    done ;;
toolkit)
    add "go tokio goro" mutex_counter g2
    add "go tokio goro" mutex_counter g100
    add "go tokio goro" waitgroup_fanout default
    add "go tokio goro" context_cancel_tree default
    add "go tokio goro" map_read_mostly default ;;
diagnostics)
    # goro-nodiag is goro without its default features (the registry);
    # the two run back to back, and summarize.py compares them.
    # goro-nomonitor is goro with the blocking monitor switched off.
    add "goro goro-nodiag goro-nomonitor" spawn_join_1m default
    add "goro goro-nodiag goro-nomonitor" park_1m gate
    add "goro goro-nodiag goro-nomonitor" spsc bounded1
    add "goro goro-nodiag goro-nomonitor" mpmc unbuffered ;;
esac; done

# ---- machine -----------------------------------------------------------------
mkdir -p results/raw
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
raw="results/raw/$stamp.csv"
machine=results/machine.txt
if [ -n "${PREBUILT:-}" ]; then raw="$BIN/$stamp.csv"; machine="$BIN/machine.txt"; fi
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "rustc: $(rustc --version 2>/dev/null || echo "(built elsewhere)")"
    if [ -n "${PREBUILT:-}" ]; then echo "go: $(cat "$GO")"; else echo "go: $("$GO" version)"; fi
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "reps: $REPS"
    if [ "$PAD" = random ]; then
        echo "heap layout: a random pad per case and rep (PAD=random)"
    else
        echo "heap layout: BENCH_PAD=$PAD for every case"
    fi
    echo "goro features: ${features:-none}"
    if grep -q '^diagnostics *=' ../goro/Cargo.toml; then
        echo "goro diagnostics feature: yes"
    else
        echo "goro diagnostics feature: no (goro and goro-nodiag are the same build)"
    fi
} > "$machine"

# ---- run ---------------------------------------------------------------------
# Draws BENCH_PAD for the next case or round (see PAD above).
draw_pad() {
    if [ "$PAD" = random ]; then
        export BENCH_PAD=$((RANDOM % 256 * 16))
    else
        export BENCH_PAD="$PAD"
    fi
}

echo "impl,workload,flavor,seconds,extra" > "$raw"
declare -A dead=()
total=${#cases[@]}
for rep in $(seq 1 "$REPS"); do
    n=0
    for c in "${cases[@]}"; do
        n=$((n + 1))
        IFS='|' read -r impls w f <<< "$c"
        draw_pad
        echo "== rep $rep/$REPS case $n/$total: $w $f (pad $BENCH_PAD)" >&2
        for imp in $impls; do
            exe="$BIN/$imp"; [ "$imp" = go ] && exe="$BIN/go-bench"
            key="$imp|$w|$f"
            if [ -n "${dead[$key]:-}" ]; then
                echo "$imp,$w,$f,${dead[$key]},not rerun" >> "$raw"; continue
            fi
            set +e
            out="$(timeout "$TIMEOUT" "$exe" "$w" "$f" 2>"$raw.stderr")"
            rc=$?
            set -e
            if [ $rc -eq 124 ]; then
                dead[$key]=timeout; echo "$imp,$w,$f,timeout,>${TIMEOUT}s" >> "$raw"
            elif [ $rc -ne 0 ]; then
                dead[$key]=failed; echo "$imp,$w,$f,failed,rc=$rc" >> "$raw"
                sed 's/^/   /' "$raw.stderr" | tail -3 >&2
            else
                echo "$out" >> "$raw"
            fi
            tail -1 "$raw" >&2
        done
    done
done

# ---- paired phases -------------------------------------------------------------
# paired_rounds OUT W F BIN...: CLOSE_RUNS rounds of case W F, each running
# every BIN once, in a rotating order (round r starts at the r-th), so that
# all see the same noise and layout, a fresh pad each round; appends
# `round,<binary's line>` to OUT. A run that fails or times out is recorded
# as such and gives no ratio.
paired_rounds() {
    local out_csv="$1" w="$2" f="$3"
    shift 3
    local bins=("$@") r k imp out
    echo "== paired: $w $f, ${bins[*]}, $CLOSE_RUNS rounds" >&2
    for ((r = 0; r < CLOSE_RUNS; r++)); do
        draw_pad
        for ((k = 0; k < ${#bins[@]}; k++)); do
            imp="${bins[$(((r + k) % ${#bins[@]}))]}"
            out="$(timeout "$TIMEOUT" "$BIN/$imp" "$w" "$f" 2>/dev/null)" || out="$imp,$w,$f,failed,"
            echo "$r,$out" >> "$out_csv"
        done
    done
}

# Close channel rows: goro against the crates within the margin.
CLOSE_RUNS="${CLOSE_RUNS:-40}"
close="${raw%.csv}.close.csv"
diag="${raw%.csv}.diag.csv"
if [ "$CLOSE_RUNS" -gt 0 ] && ! command -v "${PY:-python3}" >/dev/null; then
    echo "!! no python here: the paired phases are skipped" >&2
elif [ "$CLOSE_RUNS" -gt 0 ]; then
    echo "round,impl,workload,flavor,seconds,extra" > "$close"
    "${PY:-python3}" summarize.py --close "$raw" | while read -r w f near; do
        # shellcheck disable=SC2086 # $near is a list of crates
        paired_rounds "$close" "$w" "$f" goro $near
    done
    # The registry's cost: the diagnostics target's cases, goro against
    # goro-nodiag; a few per cent is below what medians of separate runs
    # resolve (summarize.py reads the rounds for the target).
    if [[ " $SUITES " == *" diagnostics "* ]] && [ -x "$BIN/goro-nodiag" ]; then
        echo "round,impl,workload,flavor,seconds,extra" > "$diag"
        "${PY:-python3}" summarize.py --diag-cases | while read -r w f; do
            paired_rounds "$diag" "$w" "$f" goro goro-nodiag
        done
    fi
fi

# ---- summary and chart -------------------------------------------------------
if [ -n "${PREBUILT:-}" ]; then echo "== wrote $raw, $machine" >&2; exit 0; fi
# (summarize.py finds $close and $diag beside $raw.)
NAME="${NAME:-summary}"
"$PY" summarize.py "$raw" results/machine.txt > "results/$NAME.md"
if [ "$NAME" = summary ]; then "$PY" plot.py "$raw" results/chart.png; fi
echo "== wrote $raw, results/$NAME.md" >&2
