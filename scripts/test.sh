#!/usr/bin/env bash
# The whole test suite: unit, integration, doc tests, then the loom models.
# This is the command the README names and .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release
scripts/loom.sh
