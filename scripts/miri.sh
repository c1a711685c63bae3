#!/usr/bin/env bash
# Runs the channel and select tests under Miri, which checks the unsafe code
# they exercise (the select's arena of case ops, the wait queues' bare
# pointers, the slots, the signal's shared counts) for use after free,
# aliasing violations and data races, as loom cannot: loom checks
# orderings, not what a pointer may reach.
#
# Miri is a nightly tool; the toolchain is pinned so that a run today and a
# run in a year check the same rules. MIRI_TOOLCHAIN overrides it.
#
# Skipped: the tests whose loops outlast their own time limits at Miri's
# speed (about a thousandth of a native run). They exercise the same code
# as the rest, many more times.
set -euo pipefail
cd "$(dirname "$0")/.."
toolchain="${MIRI_TOOLCHAIN:-nightly-2026-05-20}"
rustup toolchain install "$toolchain" --profile minimal --component miri,rust-src >/dev/null
# The runtime's worker and monitor threads are daemons: the process ends
# without joining them, which Miri reports unless told to ignore leaks.
export MIRIFLAGS="-Zmiri-disable-isolation -Zmiri-ignore-leaks ${MIRIFLAGS:-}"
skip=(
    default_select_wakes_the_parked_counterpart_it_takes
    unbuffered_select_sends_deliver_exactly_once
    goroutines_ping_pong
    requeued_receive_wakes_its_latest_waker
    threads_many_to_many
)
cargo +"$toolchain" miri test -p goro --target-dir target/miri \
    --test select_basic --test chan_basic -- "${skip[@]/#/--skip=}"
# The channel's and select's own unit tests: the spin lock under Miri's race
# detector, a plain thread's parker, the select cache, the wait reasons.
cargo +"$toolchain" miri test -p goro --target-dir target/miri --lib -- chan:: select::
