#!/usr/bin/env bash
# Runs Cloudsplaining and rolegraph on the same exports, for docs/peers.md and
# docs/benchmarks-findings.md. A manual step: not part of the test run.
# Usage: scripts/compare-cloudsplaining.sh [OUT_DIR]   (default target/peers)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/peers}"
venv="${CS_VENV:-target/cloudsplaining-venv}"
mkdir -p "$out"
if [ ! -x "$venv/bin/cloudsplaining" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q cloudsplaining
fi
cargo build -q --release -p rolegraph -p rolegraph-synth
rg=target/release/rolegraph
samples=(
  "../shared/data/samples/cloudsplaining/example-authz-details.json"
  "../shared/data/samples/cloudmapper-demo/iam-get-account-authorization-details.json"
  "demo/production/iam-get-account-authorization-details.json"
)
for f in "${samples[@]}"; do
  name="$(basename "$(dirname "$f")")"
  mkdir -p "$out/$name/cs" "$out/$name/in"
  cp "$f" "$out/$name/in/iam-get-account-authorization-details.json"
  "$venv/bin/cloudsplaining" scan --input-file "$f" --output "$out/$name/cs" --skip-open-report >/dev/null
  "$rg" scan "$out/$name/in" --format json --fail-on never --output "$out/$name/rolegraph.json"
  echo "$name: cloudsplaining -> $out/$name/cs, rolegraph -> $out/$name/rolegraph.json"
done
rm -rf "$out/synth"
target/release/rolegraph-synth --accounts 1 --roles-per-account 2000 --users-per-account 200 --seed 1 \
  --only-authorization-details --out "$out/synth" >/dev/null
input="$(ls "$out"/synth/*/iam-get-account-authorization-details.json)"
echo "timing on $input"
/usr/bin/time -f "rolegraph scan: %e s, %M KB" "$rg" scan "$(dirname "$input")" --format json --fail-on never --output "$out/synth-rolegraph.json"
/usr/bin/time -f "cloudsplaining scan: %e s, %M KB" "$venv/bin/cloudsplaining" scan --input-file "$input" --output "$out/synth-cs" --skip-open-report >/dev/null
