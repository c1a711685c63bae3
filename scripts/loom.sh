#!/usr/bin/env bash
# Runs the loom models (tests named loom_*) under cfg(loom), bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
# A separate target dir keeps the loom build from invalidating the normal one.
timeout 900 cargo test -p goro --lib --release --target-dir target/loom -- loom_
