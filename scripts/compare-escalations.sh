#!/usr/bin/env bash
# Runs Cloudsplaining (PyPI, in a private virtual environment) on every case of the labelled
# escalation corpus (crates/graph/tests/corpus/escalation) and prints, per case, the label,
# rolegraph's verdict (from `rolegraph escalations --json`) and Cloudsplaining's (a
# PrivilegeEscalation finding on a policy of the principal or of its groups), then precision
# and recall of each. Not part of the test run: it needs PyPI. Usage:
#   scripts/compare-escalations.sh [path/to/rolegraph]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/release/rolegraph}"
VENV="${VENV:-/tmp/rolegraph-cloudsplaining}"
[ -x "$VENV/bin/cloudsplaining" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q cloudsplaining; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for d in crates/graph/tests/corpus/escalation/*/; do
  name="$(basename "$d")"
  mkdir -p "$OUT/$name"
  "$VENV/bin/cloudsplaining" scan --input-file "$d/iam-get-account-authorization-details.json" --output "$OUT/$name" \
    --skip-open-report >/dev/null 2>&1
  "$BIN" escalations "$d" --json > "$OUT/$name/rolegraph.json" 2>/dev/null
done
python3 - "$OUT" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
rows, counts = [], {"rolegraph": [0, 0, 0, 0], "cloudsplaining": [0, 0, 0, 0]}
for d in sorted(glob.glob("crates/graph/tests/corpus/escalation/*/")):
    name = os.path.basename(d.rstrip("/"))
    label = json.load(open(os.path.join(d, "label.json")))
    who = label["principal"]
    rg = json.load(open(os.path.join(out, name, "rolegraph.json")))
    ours = any(e["node"]["id"] == who for e in rg["escalations"])
    cs = json.load(open(glob.glob(os.path.join(out, name, "iam-results-*.json"))[0]))
    principal = next((p for kind in ("users", "roles") for p in cs[kind].values() if p["arn"] == who), None)
    policies = []
    if principal:
        for kind in ("inline_policies", "customer_managed_policies", "aws_managed_policies"):
            policies += [(kind, pid) for pid in principal.get(kind, {})]
        for g in principal.get("groups", {}) or {}:
            grp = next((x for x in cs["groups"].values() if x["name"] == g), None)
            for kind in ("inline_policies", "customer_managed_policies", "aws_managed_policies"):
                policies += [(kind, pid) for pid in (grp or {}).get(kind, {})]
    theirs = any(cs[k].get(pid, {}).get("PrivilegeEscalation", {}).get("findings") for k, pid in policies)
    for tool, v in (("rolegraph", ours), ("cloudsplaining", theirs)):
        c = counts[tool]
        c[{(True, True): 0, (False, True): 1, (True, False): 2, (False, False): 3}[(label["escalates"], v)]] += 1
    rows.append((name, label["escalates"], ours, theirs))
print("| case | label | rolegraph | Cloudsplaining |")
print("|---|---|---|---|")
for n, l, o, t in rows:
    yn = lambda b: "escalates" if b else "no"
    print(f"| `{n}` | {yn(l)} | {yn(o)}{'' if o == l else ' ✗'} | {yn(t)}{'' if t == l else ' ✗'} |")
for tool, (tp, fp, fn, tn) in counts.items():
    p = tp / max(tp + fp, 1); r = tp / max(tp + fn, 1)
    print(f"{tool}: tp {tp} fp {fp} fn {fn} tn {tn}, precision {p:.2f}, recall {r:.2f}")
PY
