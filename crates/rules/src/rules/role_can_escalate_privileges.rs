//! `role-can-escalate-privileges`: a role whose own permissions (as the engine decides them)
//! include a known way to gain more: change IAM policies or credentials, or pass a role to new
//! compute, or take over code that runs with another role.

use std::collections::BTreeSet;

use access::PrivilegeLevel;
use access::privilege::PrivilegeKind;

use super::{finding, role_subject, statement_evidence};
use crate::finding::{Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// Actions that alone let a principal gain permissions (lower case).
const ALONE: [&str; 22] = [
    "iam:addusertogroup",
    "iam:attachgrouppolicy",
    "iam:attachrolepolicy",
    "iam:attachuserpolicy",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:createpolicyversion",
    "iam:deleterolepermissionsboundary",
    "iam:deleteuserpermissionsboundary",
    "iam:putgrouppolicy",
    "iam:putrolepermissionsboundary",
    "iam:putrolepolicy",
    "iam:putuserpermissionsboundary",
    "iam:putuserpolicy",
    "iam:setdefaultpolicyversion",
    "iam:updateassumerolepolicy",
    "iam:updateloginprofile",
    "lambda:updatefunctioncode",
    "glue:updatedevendpoint",
    "ec2-instance-connect:sendsshpublickey",
    "lambda:updatefunctionconfiguration",
    "codestar:associateteammember",
];

/// Actions that create compute a passed role runs in: with `iam:PassRole` they escalate.
const WITH_PASSROLE: [&str; 5] = [
    "ec2:runinstances",
    "lambda:createfunction",
    "cloudformation:createstack",
    "glue:createdevendpoint",
    "datapipeline:createpipeline",
];

declare_rule! {
    /// ## What it finds
    /// A role, not already admin-equivalent, whose permissions (decided by the policy engine over
    /// its identity policies, boundary and SCPs, explicit denies included) include a documented
    /// privilege-escalation method: an IAM action that changes policies, boundaries, trust or
    /// credentials (`iam:PutRolePolicy`, `iam:CreatePolicyVersion`, `iam:CreateAccessKey`, ...),
    /// taking over code that runs with another role (`lambda:UpdateFunctionCode`,
    /// `ec2-instance-connect:SendSSHPublicKey`), or `iam:PassRole` together with an action that
    /// creates compute (`ec2:RunInstances`, `lambda:CreateFunction`, `cloudformation:CreateStack`).
    ///
    /// ## Why it matters
    /// Whoever can act as the role can make themselves more powerful, up to administrator, in a
    /// step or two: the role's real privilege is that of what it can reach.
    ///
    /// ## Example
    /// `{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction",
    /// "lambda:InvokeFunction"], "Resource": "*"}`.
    ///
    /// ## Remediation
    /// Remove the IAM write actions, or restrict them to the resources the role manages; restrict
    /// `iam:PassRole` to named roles with `iam:PassedToService`; add a permissions boundary.
    ///
    /// ## False positives
    /// Deployment roles must create compute and pass roles: suppress with the reason, after
    /// restricting `iam:PassRole` to the roles they deploy. Grants that hold only under conditions
    /// give a medium finding. The graph's escalation paths (which follow the chain to an
    /// administrator) will refine this rule.
    ///
    /// ## References
    /// - https://bishopfox.com/blog/privilege-escalation-in-aws
    /// - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    pub struct RoleCanEscalatePrivileges {
        id: "role-can-escalate-privileges", name: "Role can escalate its privileges",
        category: Escalation, severity: High,
    }
}

impl Rule for RoleCanEscalatePrivileges {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for v in cx.roles().iter().filter(|v| !v.role.is_service_linked()) {
            let p = v.privilege();
            if p.level == PrivilegeLevel::Admin || !p.level.at_least(PrivilegeLevel::PermissionsManagement) {
                continue;
            }
            let Some(cat) = p.categories.iter().find(|c| c.kind == PrivilegeKind::PrivilegeEscalation) else { continue };
            let granted: BTreeSet<String> =
                cat.groups.iter().flat_map(|g| g.actions.iter().map(|a| a.to_ascii_lowercase())).collect();
            let mut methods: Vec<String> = ALONE.iter().filter(|a| granted.contains(**a)).map(|a| (*a).to_owned()).collect();
            if granted.contains("iam:passrole") {
                methods.extend(WITH_PASSROLE.iter().filter(|a| granted.contains(**a)).map(|a| format!("iam:passrole+{a}")));
            }
            if methods.is_empty() {
                continue;
            }
            let severity = if cat.conditional { Severity::Medium } else { Severity::High };
            let shown: Vec<&str> = methods.iter().take(6).map(String::as_str).collect();
            let more =
                if methods.len() > shown.len() { format!(" and {} more", methods.len() - shown.len()) } else { String::new() };
            out.push(finding(
                &Self::META,
                severity,
                role_subject(v.account, v.role),
                "",
                format!("role `{}` can escalate its privileges with {}{more}", v.role.name, shown.join(", ")),
                cat.statements.iter().take(5).map(statement_evidence).collect(),
            ));
        }
    }
}
