#!/usr/bin/env bash
# The whole test suite: unit, integration, doc tests, then the loom models.
# This is the command the README names and .ci/run calls. It ends with one
# line totalling every `test result:` line above it.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --release 2>&1 | tee "$log"
scripts/loom.sh 2>&1 | tee -a "$log"
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     END { printf "all suites: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"
