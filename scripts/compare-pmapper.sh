#!/usr/bin/env bash
# Runs PMapper (PyPI `principalmapper`, in a private virtual environment with `moto[server]`) on every
# case of the labelled escalation corpus (crates/graph/tests/corpus/escalation) and prints, per case,
# the label and PMapper's verdict, then its precision and recall: see scripts/compare-pmapper.py for
# how each case is replayed into a local moto server for PMapper to read. Not part of the test run:
# it needs PyPI. Usage:
#   scripts/compare-pmapper.sh [-v]     (-v: also print the path PMapper found for each flagged principal)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-/tmp/rolegraph-pmapper}"
PYTHON="${PYTHON:-python3}"
[ -x "$VENV/bin/moto_server" ] && [ -x "$VENV/bin/pmapper" ] ||
  { "$PYTHON" -m venv "$VENV" && "$VENV/bin/pip" install -q principalmapper 'moto[server]'; }
exec "$VENV/bin/python" scripts/compare-pmapper.py "$@"
