//! `secret-readable-by-exposed-compute`: a KMS key or secret that a role running
//! internet-facing compute can read.

use graph::resources::GranteeKind;
use model::{ResourceKind, UseKind};

use super::lambda_function_invokable_by_anyone::invokes_freely;
use super::{finding, level_evidence, role_subject};
use crate::finding::{Evidence, Finding, Severity};
use crate::rule::Rule;
use crate::{RuleContext, declare_rule};

/// The actions that read a secret or decrypt with a key.
const READS: [&str; 3] = ["secretsmanager:GetSecretValue", "kms:Decrypt", "kms:GenerateDataKey"];

declare_rule! {
    /// ## What it finds
    /// A role that runs compute open to the internet (an EC2 instance with a public IP address,
    /// a Lambda function anyone may invoke) and that can read a Secrets Manager secret
    /// (`secretsmanager:GetSecretValue`) or decrypt with a KMS key (`kms:Decrypt`,
    /// `kms:GenerateDataKey`), as the policy engine decides it with the role's policies and the
    /// secret's or key's own policy (a key policy must allow explicitly), or through a KMS
    /// grant.
    ///
    /// ## Why it matters
    /// Whoever compromises the instance or the function (an SSRF to the metadata service, a
    /// vulnerable dependency, a malicious event) gets the role's credentials, and with them the
    /// secrets: database passwords, API keys, the data the key protects.
    ///
    /// ## Severity
    /// High; medium when the read holds only under a condition on the caller.
    ///
    /// ## Example
    /// An instance with a public IP and `legacy-batch-ec2`, which a secret's policy lets read
    /// `prod/payments/db`.
    ///
    /// ## Remediation
    /// Move the compute behind a load balancer or a private subnet, or give the secret to a
    /// role that does not face the internet; narrow the key and secret policies to the roles
    /// that need them.
    ///
    /// ## False positives
    /// A public instance whose only exposed port is closed by its security group: security
    /// groups are not read. Suppress with the reason.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access.html
    /// - https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    pub struct SecretReadableByExposedCompute {
        id: "secret-readable-by-exposed-compute", name: "Secret or key readable by internet-facing compute",
        category: Resources, severity: High,
    }
}

impl Rule for SecretReadableByExposedCompute {
    fn meta(&self) -> &'static crate::rule::RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if !cx
            .snapshot
            .accounts
            .iter()
            .any(|a| a.resources.iter().any(|r| matches!(r.kind, ResourceKind::KmsKey | ResourceKind::Secret)))
        {
            return;
        }
        let public_functions: Vec<&str> = cx
            .analysis()
            .external_access()
            .iter()
            .filter(|r| r.kind == ResourceKind::LambdaFunction)
            .filter(|r| r.access.iter().any(|a| a.who.kind == GranteeKind::Anyone && invokes_freely(a)))
            .map(|r| r.arn.as_str())
            .collect();
        for v in cx.roles() {
            let exposed: Vec<String> = v
                .uses
                .iter()
                .filter_map(|u| match u.kind {
                    UseKind::Ec2Instance => v
                        .account
                        .ec2_instances
                        .iter()
                        .find(|i| i.instance_id == u.resource && i.public_ip.is_some())
                        .map(|i| format!("EC2 instance {} (public IP {})", u.name, i.public_ip.as_deref().unwrap_or(""))),
                    UseKind::LambdaFunction if public_functions.contains(&u.resource.as_str()) => {
                        Some(format!("Lambda function {} (invokable by anyone)", u.name))
                    }
                    _ => None,
                })
                .collect();
            let Some(compute) = exposed.first() else { continue };
            let keys_and_secrets = |r: &model::PolicyResource| matches!(r.kind, ResourceKind::KmsKey | ResourceKind::Secret);
            for (r, levels) in
                graph::resources::principal_access_of(cx.snapshot, &v.role.arn, Some(cx.now), keys_and_secrets, Some(&READS))
            {
                let reads: Vec<_> =
                    levels.iter().filter(|l| l.actions.iter().chain(&l.conditional_actions).any(|x| READS.contains(x))).collect();
                let Some(first) = reads.first() else { continue };
                let unconditional = reads.iter().any(|l| l.actions.iter().any(|x| READS.contains(x)));
                let severity = if unconditional { Severity::High } else { Severity::Medium };
                let mut evidence = level_evidence(first);
                evidence.push(Evidence::Note { text: format!("runs: {}", exposed.join("; ")) });
                out.push(finding(
                    &Self::META,
                    severity,
                    role_subject(v.account, v.role),
                    &r.arn,
                    format!(
                        "role `{}` runs internet-facing compute ({compute}) and can read {} `{}`{}",
                        v.role.name,
                        r.kind_label,
                        r.name,
                        if unconditional { "" } else { " under a condition" }
                    ),
                    evidence,
                ));
            }
        }
    }
}
