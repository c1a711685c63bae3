#!/usr/bin/env bash
# The whole test suite: unit, integration, doc tests, the loom models, then
# the tour.
# This is the command the README names and .ci/run calls. It ends with one
# line totalling every `test result:` line above it.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --release 2>&1 | tee "$log"
scripts/loom.sh 2>&1 | tee -a "$log"
# The tour runs the seed programs, asserting what they compute; it counts
# as one suite, and a hang fails it after two minutes.
if timeout 120 cargo run --release -q -p goro --example tour >/dev/null; then
    echo "test result: ok. 1 passed; 0 failed; 0 ignored (the tour)" | tee -a "$log"
else
    echo "test result: FAILED. 0 passed; 1 failed; 0 ignored (the tour)" | tee -a "$log"
fi
# A summary can share its line with a test's own output (stderr and stdout
# both go to the log), so it is matched anywhere in a line, not only at
# the start.
awk '{ while (match($0, /test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed; [0-9]+ ignored/)) {
         split(substr($0, RSTART, RLENGTH), w, " "); p += w[4]; f += w[6]; i += w[8]
         $0 = substr($0, RSTART + RLENGTH) } }
     END { printf "all suites: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"
