"""Runs PMapper (NCC Group's Principal Mapper, PyPI `principalmapper`) on every case of the labelled
escalation corpus (crates/graph/tests/corpus/escalation) and prints, per case, the label and PMapper's
verdict, then PMapper's tp/fp/fn/tn, precision and recall, in the shape of compare-escalations.sh.

PMapper reads an account only through live AWS API calls, so each case is replayed into a local moto
server (127.0.0.1, a free port, stopped by its own PID at the end): users, groups, roles with their
trust policies, managed policies (default version), inline policies, attachments, permissions
boundaries, group memberships and instance profiles. PMapper then builds its graph against that
endpoint exactly as `pmapper graph create --localstack-endpoint URL --include-regions us-east-1`
does (all of its edge checkers), and its verdict is that of `pmapper query 'preset privesc ARN'`:
the principal "is an administrative principal" (PMapper counts a principal that can rewrite its own
policies as an admin) or "can escalate privileges" to one. The replay is checked against the case:
moto's own get-account-authorization-details must match the case's file (users, groups, roles,
policies, documents); any difference is printed as a note under the table. Moto leaves out of that
answer two things PMapper reads: a managed policy's PolicyName, and a user's permissions boundary
(moto does not keep user boundaries at all). Those fields, and only those, are filled in from the
case file in moto's answer as PMapper's client receives it (a botocore after-call hook), and each
case where that was needed is named in a note.

Not part of the test run: it needs PyPI. Run it through scripts/compare-pmapper.sh, which makes the
private virtual environment (principalmapper, moto[server]) and calls this with its python.
Usage: python compare-pmapper.py [-v]   (-v: print PMapper's path for each principal it flags)
"""
import collections
import collections.abc
import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from importlib.metadata import version

# principalmapper 1.1.5 imports Mapping from `collections`, which Python 3.10 removed.
if sys.version_info >= (3, 10):
    collections.Mapping, collections.MutableMapping = collections.abc.Mapping, collections.abc.MutableMapping
warnings.simplefilter("ignore")  # SDK deprecation notices on stderr; errors are still raised and reported

REGION = "us-east-1"
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "graph", "tests", "corpus",
                      "escalation")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(account, load_aws_policies):
    port = free_port()
    env = dict(os.environ, MOTO_ACCOUNT_ID=account,
               MOTO_IAM_LOAD_MANAGED_POLICIES="true" if load_aws_policies else "false")
    exe = os.path.join(os.path.dirname(sys.executable), "moto_server")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("moto_server exited with code %s" % proc.returncode)
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("moto_server did not answer on " + url)


def reset_moto(url):
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"), timeout=10)


def doc(d):
    return d if isinstance(d, str) else json.dumps(d)


def tags(t):
    return {"Tags": t} if t else {}


def replay(iam, gaad):
    """Recreates the case's IAM entities in moto. Returns a list of error strings (empty: all went in)."""
    errors = []

    def call(what, fn, **kw):
        try:
            fn(**kw)
        except Exception as ex:  # noqa: BLE001 - reported, not hidden
            errors.append(f"{what}: {type(ex).__name__}: {ex}")

    for p in gaad.get("Policies", []):
        if ":aws:policy/" in p["Arn"]:
            continue  # AWS-managed: moto preloads them (MOTO_IAM_LOAD_MANAGED_POLICIES)
        versions = sorted(p["PolicyVersionList"], key=lambda v: v["IsDefaultVersion"])  # default last
        call("create_policy " + p["PolicyName"], iam.create_policy, PolicyName=p["PolicyName"],
             Path=p.get("Path", "/"), PolicyDocument=doc(versions[0]["Document"]))
        for v in versions[1:]:
            call("create_policy_version " + p["PolicyName"], iam.create_policy_version, PolicyArn=p["Arn"],
                 PolicyDocument=doc(v["Document"]), SetAsDefault=v["IsDefaultVersion"])
    for g in gaad.get("GroupDetailList", []):
        call("create_group " + g["GroupName"], iam.create_group, GroupName=g["GroupName"], Path=g.get("Path", "/"))
        for ip in g.get("GroupPolicyList", []):
            call("put_group_policy " + g["GroupName"], iam.put_group_policy, GroupName=g["GroupName"],
                 PolicyName=ip["PolicyName"], PolicyDocument=doc(ip["PolicyDocument"]))
        for mp in g.get("AttachedManagedPolicies", []):
            call("attach_group_policy " + g["GroupName"], iam.attach_group_policy, GroupName=g["GroupName"],
                 PolicyArn=mp["PolicyArn"])
    for u in gaad.get("UserDetailList", []):
        kw = {"UserName": u["UserName"], "Path": u.get("Path", "/"), **tags(u.get("Tags"))}
        if u.get("PermissionsBoundary"):
            kw["PermissionsBoundary"] = u["PermissionsBoundary"]["PermissionsBoundaryArn"]
        call("create_user " + u["UserName"], iam.create_user, **kw)
        for ip in u.get("UserPolicyList", []):
            call("put_user_policy " + u["UserName"], iam.put_user_policy, UserName=u["UserName"],
                 PolicyName=ip["PolicyName"], PolicyDocument=doc(ip["PolicyDocument"]))
        for mp in u.get("AttachedManagedPolicies", []):
            call("attach_user_policy " + u["UserName"], iam.attach_user_policy, UserName=u["UserName"],
                 PolicyArn=mp["PolicyArn"])
        for gname in u.get("GroupList", []):
            call("add_user_to_group " + u["UserName"], iam.add_user_to_group, UserName=u["UserName"],
                 GroupName=gname)
    profiles = {}
    for r in gaad.get("RoleDetailList", []):
        kw = {"RoleName": r["RoleName"], "Path": r.get("Path", "/"),
              "AssumeRolePolicyDocument": doc(r["AssumeRolePolicyDocument"]), **tags(r.get("Tags"))}
        if r.get("PermissionsBoundary"):
            kw["PermissionsBoundary"] = r["PermissionsBoundary"]["PermissionsBoundaryArn"]
        call("create_role " + r["RoleName"], iam.create_role, **kw)
        for ip in r.get("RolePolicyList", []):
            call("put_role_policy " + r["RoleName"], iam.put_role_policy, RoleName=r["RoleName"],
                 PolicyName=ip["PolicyName"], PolicyDocument=doc(ip["PolicyDocument"]))
        for mp in r.get("AttachedManagedPolicies", []):
            call("attach_role_policy " + r["RoleName"], iam.attach_role_policy, RoleName=r["RoleName"],
                 PolicyArn=mp["PolicyArn"])
        for prof in r.get("InstanceProfileList", []):
            name = prof["InstanceProfileName"]
            if name not in profiles:
                profiles[name] = True
                call("create_instance_profile " + name, iam.create_instance_profile, InstanceProfileName=name,
                     Path=prof.get("Path", "/"))
            call("add_role_to_instance_profile " + name, iam.add_role_to_instance_profile,
                 InstanceProfileName=name, RoleName=r["RoleName"])
    return errors


def canon(d):
    if isinstance(d, str):
        d = json.loads(urllib.request.unquote(d))
    return json.dumps(d, sort_keys=True)


def summary(gaad):
    """What PMapper reads of get-account-authorization-details, in a comparable form."""
    out = {}
    for u in gaad.get("UserDetailList", []):
        out[u["Arn"]] = {
            "path": u.get("Path"), "groups": sorted(u.get("GroupList", [])),
            "inline": {p["PolicyName"]: canon(p["PolicyDocument"]) for p in u.get("UserPolicyList", [])},
            "attached": sorted(p["PolicyArn"] for p in u.get("AttachedManagedPolicies", [])),
            "boundary": (u.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")}
    for g in gaad.get("GroupDetailList", []):
        out[g["Arn"]] = {
            "path": g.get("Path"),
            "inline": {p["PolicyName"]: canon(p["PolicyDocument"]) for p in g.get("GroupPolicyList", [])},
            "attached": sorted(p["PolicyArn"] for p in g.get("AttachedManagedPolicies", []))}
    for r in gaad.get("RoleDetailList", []):
        out[r["Arn"]] = {
            "path": r.get("Path"), "trust": canon(r["AssumeRolePolicyDocument"]),
            "inline": {p["PolicyName"]: canon(p["PolicyDocument"]) for p in r.get("RolePolicyList", [])},
            "attached": sorted(p["PolicyArn"] for p in r.get("AttachedManagedPolicies", [])),
            "profiles": sorted(p["Arn"] for p in r.get("InstanceProfileList", [])),
            "boundary": (r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")}
    for p in gaad.get("Policies", []):
        if ":aws:policy/" in p["Arn"]:
            continue
        out[p["Arn"]] = {"default": canon(next(v["Document"] for v in p["PolicyVersionList"] if v["IsDefaultVersion"]))}
    return out


def fill_moto_gaps(gaad, filled):
    """A botocore after-call hook: adds to moto's get-account-authorization-details answer the fields
    it leaves out (managed policies' PolicyName, users' PermissionsBoundary), taken from the case."""
    names = {p["Arn"]: p["PolicyName"] for p in gaad.get("Policies", [])}
    bounds = {u["Arn"]: u["PermissionsBoundary"] for u in gaad.get("UserDetailList", []) if u.get("PermissionsBoundary")}

    def hook(parsed, **_):
        for p in parsed.get("Policies", []):
            if "PolicyName" not in p and p["Arn"] in names:
                p["PolicyName"] = names[p["Arn"]]
                filled.add("PolicyName of " + p["Arn"])
        for u in parsed.get("UserDetailList", []):
            if "PermissionsBoundary" not in u and u["Arn"] in bounds:
                u["PermissionsBoundary"] = bounds[u["Arn"]]
                filled.add("PermissionsBoundary of " + u["Arn"])
    return hook


def replay_diffs(want, got):
    want, got = summary(want), summary(got)
    diffs = []
    for arn in sorted(set(want) | set(got)):
        if arn not in got:
            diffs.append(f"{arn} missing from moto")
        elif arn not in want:
            diffs.append(f"{arn} extra in moto")
        else:
            for k in sorted(set(want[arn]) | set(got[arn])):
                if want[arn].get(k) != got[arn].get(k):
                    diffs.append(f"{arn} {k}: case {want[arn].get(k)!r} != moto {got[arn].get(k)!r}")
    return diffs


def main():
    verbose = "-v" in sys.argv[1:]
    import botocore.session
    from principalmapper.graphing import graph_actions
    from principalmapper.graphing.edge_identification import checker_map
    from principalmapper.querying.presets.privesc import can_privesc

    cases = []
    for d in sorted(glob.glob(os.path.join(CORPUS, "*", ""))):
        label = json.load(open(os.path.join(d, "label.json")))
        gaad = json.load(open(os.path.join(d, "iam-get-account-authorization-details.json")))
        cases.append((os.path.basename(d.rstrip("/")), label, gaad))
    accounts = sorted({label["principal"].split(":")[4] for _, label, _ in cases})
    load_aws = any(":aws:policy/" in json.dumps(g) for _, _, g in cases)

    # Fake credentials, no profile file: nothing can reach a real account.
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
                      AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    os.environ.pop("AWS_PROFILE", None)

    results, notes = {}, []
    for account in accounts:
        proc, url = start_moto(account, load_aws)
        try:
            os.environ["AWS_ENDPOINT_URL"] = url
            for name, label, gaad in cases:
                if label["principal"].split(":")[4] != account:
                    continue
                reset_moto(url)
                session = botocore.session.get_session()
                iam = session.create_client("iam", endpoint_url=url, region_name=REGION)
                errors = replay(iam, gaad)
                for e in errors:
                    notes.append(f"`{name}`: replay error: {e}")
                got = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
                for page in iam.get_paginator("get_account_authorization_details").paginate():
                    for k in got:
                        got[k] += page.get(k, [])
                filled = set()
                hook = fill_moto_gaps(gaad, filled)
                hook(got)
                for diff in replay_diffs(gaad, got):
                    notes.append(f"`{name}`: replay differs: {diff}")
                filled_before = set(filled)
                session.register("after-call.iam.GetAccountAuthorizationDetails", hook)
                try:
                    services = ("autoscaling", "cloudformation", "codebuild", "ec2", "iam", "kms", "lambda",
                                "sagemaker", "s3", "ssm", "secretsmanager", "sns", "sts", "sqs")
                    graph = graph_actions.create_new_graph(session, list(checker_map), [REGION], None, None,
                                                           {s: {"endpoint_url": url} for s in services})
                    node = next((n for n in graph.nodes if n.arn == label["principal"]), None)
                    if node is None:
                        raise LookupError(f"no node {label['principal']} in PMapper's graph")
                    if node.is_admin:
                        verdict, why = True, "is an administrative principal"
                    else:
                        verdict, edges = can_privesc(graph, node)
                        why = " -> ".join(e.describe_edge() for e in edges) if verdict else ""
                    results[name] = (label["escalates"], verdict, why)
                except Exception as ex:  # noqa: BLE001 - reported as 'not run'
                    results[name] = (label["escalates"], None, "")
                    notes.append(f"`{name}`: PMapper failed: {type(ex).__name__}: {ex}")
                for f in sorted(filled_before):
                    notes.append(f"`{name}`: filled in from the case (moto leaves it out): {f}")
        finally:
            os.environ.pop("AWS_ENDPOINT_URL", None)
            proc.terminate()
            proc.wait(timeout=10)

    print(f"principalmapper {version('principalmapper')}, moto {version('moto')}, botocore {version('botocore')}, "
          f"python {sys.version.split()[0]}")
    print()
    print("| case | label | PMapper |")
    print("|---|---|---|")
    tp = fp = fn = tn = 0
    yn = lambda b: "escalates" if b else "no"  # noqa: E731
    for name, label, _ in cases:
        lab, v, why = results[name]
        if v is None:
            print(f"| `{name}` | {yn(lab)} | not run |")
            continue
        tp += lab and v; fp += (not lab) and v; fn += lab and not v; tn += (not lab) and not v
        print(f"| `{name}` | {yn(lab)} | {yn(v)}{'' if v == lab else ' ✗'} |")
    p = tp / max(tp + fp, 1); r = tp / max(tp + fn, 1)
    print(f"pmapper: tp {tp} fp {fp} fn {fn} tn {tn}, precision {p:.2f}, recall {r:.2f}")
    if verbose:
        print()
        for name, _, _ in cases:
            if results[name][2]:
                print(f"- `{name}`: {results[name][2]}")
    if notes:
        print()
        for n in notes:
            print("- " + n)


if __name__ == "__main__":
    main()
