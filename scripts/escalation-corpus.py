#!/usr/bin/env python3
"""Writes the labelled privilege-escalation corpus (crates/graph/tests/corpus/escalation/):
one folder per case with an `iam get-account-authorization-details` export of account
111111111111 and `label.json` (the principal, whether it can become an administrator of the
account, why, and the documentation or lab the case follows). Run it after editing the cases;
the folders are committed so that the tests need no Python.

    python3 scripts/escalation-corpus.py
"""
import json
import os
import shutil

ACCT = "111111111111"
OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "graph", "tests", "corpus", "escalation")
RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
PF = "https://pathfinding.cloud"
DOC_EVAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
DOC_BOUNDARY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
DOC_TRUST = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html"
DOC_SLR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resource="*"):
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def deny(actions, resource="*"):
    return {"Effect": "Deny", "Action": actions, "Resource": resource}


ADMIN = doc(allow("*"))
READ = doc(allow(["s3:GetObject", "s3:ListBucket", "ec2:Describe*"]))


def trust_service(service):
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def trust_account(account=ACCT):
    return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"})


def user(name, inline=None, managed=(), groups=(), boundary=None):
    u = {
        "Path": "/", "UserName": name, "UserId": "AIDA" + name.upper().replace("-", "")[:16].ljust(16, "X"),
        "Arn": f"arn:aws:iam::{ACCT}:user/{name}", "CreateDate": "2025-01-01T00:00:00Z",
        "GroupList": list(groups),
        "UserPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in (inline or {}).items()],
        "AttachedManagedPolicies": [{"PolicyName": p.rsplit("/", 1)[1], "PolicyArn": p} for p in managed],
        "Tags": [],
    }
    if boundary:
        u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    return u


def role(name, trust, inline=None, profile=False, path="/"):
    arn = f"arn:aws:iam::{ACCT}:role{path}{name}"
    r = {
        "Path": path, "RoleName": name, "RoleId": "AROA" + name.upper().replace("-", "")[:16].ljust(16, "X"),
        "Arn": arn, "CreateDate": "2025-01-01T00:00:00Z", "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [], "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in (inline or {}).items()],
        "AttachedManagedPolicies": [], "Tags": [], "RoleLastUsed": {},
    }
    if profile:
        r["InstanceProfileList"] = [{
            "Path": "/", "InstanceProfileName": name, "InstanceProfileId": "AIPA" + name.upper()[:16].ljust(16, "X"),
            "Arn": f"arn:aws:iam::{ACCT}:instance-profile/{name}", "CreateDate": "2025-01-01T00:00:00Z", "Roles": [],
        }]
    return r


def group(name, inline):
    return {
        "Path": "/", "GroupName": name, "GroupId": "AGPA" + name.upper()[:16].ljust(16, "X"),
        "Arn": f"arn:aws:iam::{ACCT}:group/{name}", "CreateDate": "2025-01-01T00:00:00Z",
        "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline.items()], "AttachedManagedPolicies": [],
    }


def managed(name, document, attached=1):
    return {
        "PolicyName": name, "PolicyId": "ANPA" + name.upper()[:16].ljust(16, "X"), "Arn": f"arn:aws:iam::{ACCT}:policy/{name}",
        "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": attached, "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True, "CreateDate": "2025-01-01T00:00:00Z", "UpdateDate": "2025-01-01T00:00:00Z",
        "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": "2025-01-01T00:00:00Z"}],
    }


def admin_user():
    return user("admin", {"admin": ADMIN})


def admin_role(trust, profile=False, name="admin-role"):
    return role(name, trust, {"admin": ADMIN}, profile=profile)


CASES = []


def case(name, principal, escalates, why, source, users=(), roles=(), groups=(), policies=()):
    CASES.append(dict(name=name, principal=principal, escalates=escalates, why=why, source=source,
                      users=list(users), roles=list(roles), groups=list(groups), policies=list(policies)))


U = lambda n: f"arn:aws:iam::{ACCT}:user/{n}"
R = lambda n: f"arn:aws:iam::{ACCT}:role/{n}"
P = lambda n: f"arn:aws:iam::{ACCT}:policy/{n}"

# Positives: the documented methods, each with what it needs.
case("create-policy-version-on-own-policy", U("attacker"), True,
     "iam:CreatePolicyVersion on a customer-managed policy attached to itself: a new default version grants anything",
     RHINO + " (method 1)", users=[user("attacker", managed=[P("self-policy")])],
     policies=[managed("self-policy", doc(allow("iam:CreatePolicyVersion", P("self-policy"))))])
case("attach-user-policy-to-self", U("attacker"), True, "iam:AttachUserPolicy on itself: attach AdministratorAccess",
     RHINO + " (method 5)", users=[user("attacker", {"p": doc(allow("iam:AttachUserPolicy", U("attacker")))})])
case("put-user-policy-on-self", U("attacker"), True, "iam:PutUserPolicy on itself: write an allow-everything inline policy",
     RHINO + " (method 8)", users=[user("attacker", {"p": doc(allow("iam:PutUserPolicy", U("attacker")))})])
case("add-self-to-admin-group", U("attacker"), True, "iam:AddUserToGroup into a group with administrator access",
     RHINO + " (method 11)", users=[user("attacker", {"p": doc(allow("iam:AddUserToGroup", f"arn:aws:iam::{ACCT}:group/admins"))})],
     groups=[group("admins", {"admin": ADMIN})])
case("create-access-key-for-admin", U("attacker"), True, "iam:CreateAccessKey on an administrator user",
     RHINO + " (method 4)", users=[user("attacker", {"p": doc(allow("iam:CreateAccessKey", U("admin")))}), admin_user()])
case("update-trust-of-admin-role", U("attacker"), True,
     "iam:UpdateAssumeRolePolicy on an administrator role, and sts:AssumeRole on it", RHINO + " (method 14)",
     users=[user("attacker", {"p": doc(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], R("admin-role")))})],
     roles=[admin_role(trust_service("ec2.amazonaws.com"))])
case("pass-role-to-ec2", U("attacker"), True,
     "iam:PassRole of an administrator role with an instance profile, and ec2:RunInstances", RHINO + " (method 3)",
     users=[user("attacker", {"p": doc(allow(["iam:PassRole", "ec2:RunInstances"]))})],
     roles=[admin_role(trust_service("ec2.amazonaws.com"), profile=True)])
case("pass-role-to-lambda", U("attacker"), True,
     "iam:PassRole of an administrator role that trusts Lambda, lambda:CreateFunction and lambda:InvokeFunction",
     RHINO + " (method 15)",
     users=[user("attacker", {"p": doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))})],
     roles=[admin_role(trust_service("lambda.amazonaws.com"))])
case("assume-admin-role", U("attacker"), True, "sts:AssumeRole on an administrator role whose trust names the account",
     PF + " (sts-001)", users=[user("attacker", {"p": doc(allow("sts:AssumeRole", R("admin-role")))})],
     roles=[admin_role(trust_account())])
case("role-attaches-policy-to-itself", R("app"), True, "a role with iam:AttachRolePolicy on itself",
     RHINO + " (method 6)", roles=[role("app", trust_service("lambda.amazonaws.com"), {"p": doc(allow("iam:AttachRolePolicy", R("app")))})])
case("two-hop-chain", U("attacker"), True,
     "sts:AssumeRole on a CI role that may pass an administrator role to EC2: two hops", PF + " (sts-001, ec2-001)",
     users=[user("attacker", {"p": doc(allow("sts:AssumeRole", R("ci")))})],
     roles=[role("ci", trust_account(), {"p": doc(allow(["iam:PassRole", "ec2:RunInstances"]))}),
            admin_role(trust_service("ec2.amazonaws.com"), profile=True)])

# Negatives: the same methods, where a target, a deny, a boundary or a trust removes them.
case("pass-role-to-ec2-read-only-target", U("attacker"), False,
     "iam:PassRole and ec2:RunInstances, but the only EC2 role reads S3: nothing more to gain", RHINO + " (method 3)",
     users=[user("attacker", {"p": doc(allow(["iam:PassRole", "ec2:RunInstances"]))})],
     roles=[role("reader", trust_service("ec2.amazonaws.com"), {"read": READ}, profile=True)])
case("create-access-key-denied", U("attacker"), False,
     "iam:CreateAccessKey on an administrator, refused by an explicit Deny", DOC_EVAL,
     users=[user("attacker", {"p": doc(allow("iam:CreateAccessKey", U("admin")), deny("iam:CreateAccessKey"))}), admin_user()])
case("put-user-policy-bounded", U("attacker"), False,
     "iam:PutUserPolicy on itself, but its permissions boundary allows only S3 reads: any policy it writes stays bounded",
     DOC_BOUNDARY, users=[user("attacker", {"p": doc(allow("iam:PutUserPolicy", U("attacker")), allow("s3:GetObject"))},
                                boundary=P("s3-only"))],
     policies=[managed("s3-only", doc(allow(["s3:GetObject", "iam:PutUserPolicy"])))])
case("assume-admin-role-other-account-trust", U("attacker"), False,
     "sts:AssumeRole on an administrator role whose trust names only another account", DOC_TRUST,
     users=[user("attacker", {"p": doc(allow("sts:AssumeRole", "*"))})], roles=[admin_role(trust_account("999988887777"))])
case("create-policy-version-unattached", U("attacker"), False,
     "iam:CreatePolicyVersion on a policy attached to no principal", RHINO + " (method 1)",
     users=[user("attacker", {"p": doc(allow("iam:CreatePolicyVersion", P("orphan")))})],
     policies=[managed("orphan", doc(allow("s3:GetObject")), attached=0)])
case("read-only-iam", U("attacker"), False, "iam:Get* and iam:List*: reads only", RHINO,
     users=[user("attacker", {"p": doc(allow(["iam:Get*", "iam:List*"]))}), admin_user()])
case("pass-role-no-lambda-role", U("attacker"), False,
     "iam:PassRole and lambda:CreateFunction, but no role trusts Lambda", RHINO + " (method 15)",
     users=[user("attacker", {"p": doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))})],
     roles=[admin_role(trust_service("ec2.amazonaws.com"))])
case("add-self-to-read-only-group", U("attacker"), False, "iam:AddUserToGroup into a group that can only read",
     RHINO + " (method 11)", users=[user("attacker", {"p": doc(allow("iam:AddUserToGroup", f"arn:aws:iam::{ACCT}:group/readers"))})],
     groups=[group("readers", {"read": READ})])
case("update-trust-of-service-linked-role", U("attacker"), False,
     "iam:UpdateAssumeRolePolicy and sts:AssumeRole on a service-linked role: only its service can change it", DOC_SLR,
     users=[user("attacker", {"p": doc(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]))})],
     roles=[role("AWSServiceRoleForSupport", trust_service("support.amazonaws.com"), {"admin": ADMIN},
                 path="/aws-service-role/support.amazonaws.com/")])


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    for c in CASES:
        d = os.path.join(OUT, c["name"])
        os.makedirs(d)
        details = {"UserDetailList": c["users"], "GroupDetailList": c["groups"], "RoleDetailList": c["roles"],
                   "Policies": c["policies"]}
        with open(os.path.join(d, "iam-get-account-authorization-details.json"), "w") as f:
            json.dump(details, f, indent=1)
            f.write("\n")
        with open(os.path.join(d, "label.json"), "w") as f:
            json.dump({k: c[k] for k in ("principal", "escalates", "why", "source")}, f, indent=1)
            f.write("\n")
    print(f"{len(CASES)} cases in {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
