//! A self-contained evaluation case: the policies and the request, as JSON. It is the format of
//! `rolegraph eval --batch` (one case per line in, one decision per line out) and of the
//! evaluation corpus, and it reads the request shape of the public `iam-simulate` test vectors
//! too, so that decisions can be compared with other tools at scale.
//!
//! ```json
//! {"name": "optional",
//!  "request": {"principal": "arn:aws:iam::111122223333:user/alice",
//!              "action": "s3:GetObject",
//!              "resource": "arn:aws:s3:::bucket/key",      // or {"resource": ..., "accountId": ...}
//!              "resourceAccount": "111122223333",           // optional
//!              "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]},
//!              "unknownKeys": "all"},                       // optional: "all" or ["key", ...]
//!  "identityPolicies": [POLICY, ...], "resourcePolicy": POLICY, "resourcePolicies": [POLICY],
//!  "permissionBoundaries": [POLICY], "sessionPolicy": POLICY, "endpointPolicies": [POLICY],
//!  "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": [POLICY]}, ...],
//!  "resourceControlPolicies": [{"orgIdentifier": "r-root", "policies": [POLICY]}, ...]}
//! ```
//! A POLICY is a policy document (object or URL-encoded string), or `{"name": ..., "policy": ...}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::{Context, ContextValue, Unknowns};
use crate::decide::{Decision, PolicySet, Request, evaluate};

/// An error in a case: where (a JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at `{pointer}`: {message}")]
pub struct CaseError {
    pub pointer: String,
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ResourceSpec {
    Plain(String),
    WithAccount {
        resource: String,
        #[serde(rename = "accountId")]
        account_id: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum PrincipalSpec {
    Arn(String),
    /// `{"type": "Anonymous"}`.
    Typed {
        #[serde(rename = "type")]
        kind: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Unknown {
    All(String),
    Keys(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest {
    principal: PrincipalSpec,
    action: String,
    resource: ResourceSpec,
    resource_account: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, Value>,
    unknown_keys: Option<Unknown>,
}

#[derive(Debug, Clone, Deserialize)]
struct OrgLevel {
    #[serde(rename = "orgIdentifier")]
    org_identifier: Option<String>,
    #[serde(default)]
    policies: Vec<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCase {
    name: Option<String>,
    request: RawRequest,
    #[serde(default)]
    identity_policies: Vec<Value>,
    resource_policy: Option<Value>,
    #[serde(default)]
    resource_policies: Vec<Value>,
    #[serde(default)]
    permission_boundaries: Vec<Value>,
    session_policy: Option<Value>,
    #[serde(default)]
    endpoint_policies: Vec<Value>,
    #[serde(default)]
    service_control_policies: Vec<OrgLevel>,
    #[serde(default)]
    resource_control_policies: Vec<OrgLevel>,
}

/// A parsed case, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: Option<String>,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    pub context: Context,
    pub policies: PolicySet,
}

fn parse_policy(v: &Value, pointer: &str, default_name: &str) -> Result<(String, Arc<policy::Policy>), CaseError> {
    let (name, doc, doc_pointer) = match v {
        Value::Object(m) if m.contains_key("policy") && !m.contains_key("Statement") => (
            m.get("name").and_then(Value::as_str).unwrap_or(default_name).to_owned(),
            m.get("policy").unwrap_or(&Value::Null),
            format!("{pointer}/policy"),
        ),
        _ => (default_name.to_owned(), v, pointer.to_owned()),
    };
    let parsed = policy::Policy::from_json(doc).map_err(|e| CaseError {
        pointer: match e.pointer() {
            Some(p) if p != "/" => format!("{doc_pointer}{p}"),
            _ => doc_pointer.clone(),
        },
        message: e.to_string(),
    })?;
    Ok((name, Arc::new(parsed)))
}

fn context_value(v: &Value) -> Option<ContextValue> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match v {
        Value::Array(items) => items.iter().map(text).collect::<Option<Vec<_>>>().map(ContextValue::Many),
        v => text(v).map(ContextValue::One),
    }
}

impl Case {
    /// Parses a case from a JSON value.
    pub fn from_json(v: &Value) -> Result<Case, CaseError> {
        let raw: RawCase = serde_path_to_error::deserialize(v).map_err(|e| CaseError {
            pointer: format!("/{}", e.path().to_string().replace('.', "/")),
            message: e.inner().to_string(),
        })?;
        let (resource, spec_account) = match raw.request.resource {
            ResourceSpec::Plain(r) => (r, None),
            ResourceSpec::WithAccount { resource, account_id } => (resource, account_id),
        };
        let mut context = Context::new();
        for (k, v) in &raw.request.context {
            let value = context_value(v).ok_or_else(|| CaseError {
                pointer: format!("/request/context/{k}"),
                message: "a context value must be a string, number, boolean, or an array of them".into(),
            })?;
            context.insert(k, value);
        }
        context = match raw.request.unknown_keys {
            None => context,
            Some(Unknown::All(s)) if s == "all" => context.with_unknowns(Unknowns::All),
            Some(Unknown::All(s)) => {
                return Err(CaseError {
                    pointer: "/request/unknownKeys".into(),
                    message: format!("expected `all` or a list of keys, not `{s}`"),
                });
            }
            Some(Unknown::Keys(keys)) => {
                context.with_unknowns(Unknowns::Keys(keys.iter().map(|k| k.to_ascii_lowercase()).collect()))
            }
        };
        let mut set = PolicySet::new();
        for (i, p) in raw.identity_policies.iter().enumerate() {
            let (name, pol) = parse_policy(p, &format!("/identityPolicies/{i}"), &format!("identity-{i}"))?;
            set.identity(name, pol);
        }
        if let Some(p) = &raw.resource_policy {
            let (name, pol) = parse_policy(p, "/resourcePolicy", "resource")?;
            set.resource(name, pol);
        }
        for (i, p) in raw.resource_policies.iter().enumerate() {
            let (name, pol) = parse_policy(p, &format!("/resourcePolicies/{i}"), &format!("resource-{i}"))?;
            set.resource(name, pol);
        }
        for (i, p) in raw.permission_boundaries.iter().enumerate() {
            let (name, pol) = parse_policy(p, &format!("/permissionBoundaries/{i}"), &format!("boundary-{i}"))?;
            set.boundary(name, pol);
        }
        if let Some(p) = &raw.session_policy {
            let (name, pol) = parse_policy(p, "/sessionPolicy", "session")?;
            set.session(name, pol);
        }
        for (i, p) in raw.endpoint_policies.iter().enumerate() {
            let (name, pol) = parse_policy(p, &format!("/endpointPolicies/{i}"), &format!("endpoint-{i}"))?;
            set.endpoint(name, pol);
        }
        for (field, levels, scp) in [
            ("serviceControlPolicies", &raw.service_control_policies, true),
            ("resourceControlPolicies", &raw.resource_control_policies, false),
        ] {
            for (li, level) in levels.iter().enumerate() {
                let l = if scp { set.scp_level() } else { set.rcp_level() };
                let org = level.org_identifier.clone().unwrap_or_else(|| format!("level-{li}"));
                for (i, p) in level.policies.iter().enumerate() {
                    let (name, pol) = parse_policy(p, &format!("/{field}/{li}/policies/{i}"), &format!("{org}/{i}"))?;
                    if scp {
                        set.scp(l, name, pol)
                    } else {
                        set.rcp(l, name, pol)
                    };
                }
            }
        }
        let principal = match raw.request.principal {
            PrincipalSpec::Arn(a) => a,
            PrincipalSpec::Typed { kind } if kind.eq_ignore_ascii_case("anonymous") => String::new(),
            PrincipalSpec::Typed { kind } => {
                return Err(CaseError {
                    pointer: "/request/principal/type".into(),
                    message: format!("unknown principal type `{kind}`"),
                });
            }
        };
        Ok(Case {
            name: raw.name,
            principal,
            action: raw.request.action,
            resource,
            resource_account: raw.request.resource_account.or(spec_account),
            context,
            policies: set,
        })
    }

    /// Evaluates the case.
    pub fn evaluate(&self) -> Decision {
        let req = Request {
            principal: &self.principal,
            action: &self.action,
            resource: &self.resource,
            resource_account: self.resource_account.as_deref(),
            context: &self.context,
        };
        evaluate(&req, &self.policies)
    }
}

/// A decision as JSON: the output of `rolegraph eval --json` and `--batch`.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionReport {
    pub schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub decision: &'static str,
    /// Statements that decided it: `{policy_type, policy, statement, sid, pointer}`.
    pub decided_by: Vec<StatementReport>,
    pub blocked_by: Vec<&'static str>,
    /// The residual condition, when the decision is `Conditional`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_if: Option<String>,
    pub could_not_evaluate: Vec<String>,
    /// A rule of AWS that decided the request whatever the policies say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_rule: Option<&'static str>,
}

/// One statement in a report.
#[derive(Debug, Clone, Serialize)]
pub struct StatementReport {
    pub policy_type: &'static str,
    pub policy: String,
    pub statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub pointer: String,
}

impl DecisionReport {
    pub const SCHEMA_VERSION: u32 = 1;

    pub fn new(name: Option<String>, d: &Decision, set: &PolicySet) -> Self {
        let decided_by = d
            .decided_by
            .iter()
            .filter_map(|r| set.statement(r))
            .map(|(e, s)| StatementReport {
                policy_type: e.kind.as_str(),
                policy: e.name.to_string(),
                statement: s.index,
                sid: s.sid.clone(),
                pointer: s.pointer.clone(),
            })
            .collect();
        DecisionReport {
            schema_version: Self::SCHEMA_VERSION,
            name,
            decision: d.outcome.as_str(),
            decided_by,
            blocked_by: d.blocked_by.iter().map(|k| k.as_str()).collect(),
            allowed_if: (!d.allowed_if.is_known()).then(|| d.allowed_if.to_string()),
            could_not_evaluate: d.could_not_evaluate.clone(),
            aws_rule: d.aws_rule,
        }
    }
}
