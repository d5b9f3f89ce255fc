//! The JSON API under `/api/` (documented in `docs/openapi.yaml`): the overview, the roles
//! (paged, sorted, filtered), one role's record, findings and graph, the findings (paged,
//! filtered), the rules, the accounts and the gaps. Every response carries `schema_version`.
//! The history endpoints are in [`crate::history`], the CloudTrail ones in [`crate::trail`].

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

use access::record::{RoleSummary, UseStatus, role_record};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use model::Gap;
use rules::{Finding, Severity};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::SCHEMA_VERSION;
use crate::graph_view::role_graph;
use crate::state::AppState;

type St = State<Arc<AppState>>;

/// The largest page the API returns.
pub const MAX_LIMIT: usize = 1000;
/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;
/// The most nodes of a role graph when `limit` is not given.
pub const DEFAULT_GRAPH_LIMIT: usize = 200;
/// The most hops back from the role a graph is walked.
pub const MAX_GRAPH_DEPTH: usize = 8;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/status", get(ready))
        .route("/api/overview", get(overview))
        .route("/api/roles", get(roles))
        .route("/api/role/{arn}", get(role))
        .route("/api/role/{arn}/graph", get(graph))
        .route("/api/findings", get(findings))
        .route("/api/rules", get(rules_list))
        .route("/api/accounts", get(accounts))
        .route("/api/gaps", get(gaps))
        .route("/api/users", get(users))
        .route("/api/resources", get(resources))
        .route("/api/resource/{arn}", get(resource))
        .route("/api/role/{arn}/resources", get(role_resources))
        .route("/api/{*rest}", get(not_found))
}

pub(crate) fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "schema_version": SCHEMA_VERSION, "error": message }))).into_response()
}

/// `/api/status` of a server whose analysis is done (while it warms up, the warming router
/// answers it: [`crate::warming_router`]).
async fn ready() -> Response {
    Json(json!({ "schema_version": SCHEMA_VERSION, "ready": true })).into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such endpoint".into())
}

pub(crate) fn page_bounds(offset: Option<usize>, limit: Option<usize>, total: usize) -> (usize, usize) {
    let offset = offset.unwrap_or(0).min(total);
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    (offset, limit)
}

/// A row of the roles table: the summary of `rolegraph roles` and the role's findings.
#[derive(Serialize)]
struct RoleRow<'a> {
    #[serde(flatten)]
    summary: &'a RoleSummary,
    findings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    worst_severity: Option<Severity>,
}

fn row<'a>(st: &'a AppState, s: &'a RoleSummary) -> RoleRow<'a> {
    RoleRow { summary: s, findings: st.findings_of(&s.arn).count(), worst_severity: st.worst_severity(&s.arn) }
}

/// How risky a role looks: its worst finding, then its privilege, then how many findings.
fn risk_key(st: &AppState, s: &RoleSummary) -> (Option<Severity>, access::PrivilegeLevel, usize) {
    (st.worst_severity(&s.arn), s.privilege, st.findings_of(&s.arn).count())
}

async fn overview(State(st): St) -> Response {
    let mut accounts = Vec::new();
    for a in &st.snapshot.accounts {
        let findings = st.findings.iter().filter(|f| f.subject.account == a.id).count();
        accounts.push(json!({ "id": a.id, "name": a.display_name(), "roles": a.roles.len(), "findings": findings }));
    }
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_privilege: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &st.roles {
        for k in &r.kinds {
            *by_kind.entry(k.as_str()).or_default() += 1;
        }
        *by_privilege.entry(r.privilege.as_str()).or_default() += 1;
    }
    let mut by_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &st.findings {
        *by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    let mut riskiest: Vec<&RoleSummary> = st.roles.iter().collect();
    riskiest.sort_by_cached_key(|s| (Reverse(risk_key(&st, s)), s.arn.clone()));
    let riskiest: Vec<RoleRow<'_>> = riskiest.into_iter().take(10).map(|s| row(&st, s)).collect();
    let top: Vec<&Finding> = st.findings.iter().filter(|f| f.suppressed.is_none()).take(10).collect();
    Json(json!({
        "schema_version": SCHEMA_VERSION,
        "now": st.now,
        "accounts": accounts,
        "roles": st.roles.len(),
        "roles_by_kind": by_kind,
        "roles_by_privilege": by_privilege,
        "findings": st.findings.len(),
        "findings_by_severity": by_severity,
        "gaps": st.snapshot.gaps.len(),
        "riskiest_roles": riskiest,
        "top_findings": top,
    }))
    .into_response()
}

/// The query of `/api/roles`.
#[derive(Debug, Default, Deserialize)]
pub struct RolesQuery {
    pub offset: Option<usize>,
    pub limit: Option<usize>,
    /// Case-insensitive substring of the name, the ARN or a trusted entity.
    pub q: Option<String>,
    pub kind: Option<String>,
    /// An account id or name.
    pub account: Option<String>,
    /// A trust category (`service`, `same-account`, `cross-account`, `oidc`, ...).
    pub trusted_by: Option<String>,
    pub privilege: Option<String>,
    /// `used`, `never` or `unknown`.
    pub used: Option<String>,
    /// `name`, `account`, `kind`, `trusted`, `resources`, `privilege`, `last_used`, `findings`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub order: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

fn role_matches(st: &AppState, q: &RolesQuery, s: &RoleSummary) -> bool {
    if let Some(text) = non_empty(&q.q) {
        let t = text.to_lowercase();
        let hit = s.name.to_lowercase().contains(&t)
            || s.arn.to_lowercase().contains(&t)
            || s.trusted.iter().any(|x| x.to_lowercase().contains(&t));
        if !hit {
            return false;
        }
    }
    if let Some(k) = non_empty(&q.kind)
        && !s.kinds.iter().any(|x| x.as_str() == k)
    {
        return false;
    }
    if let Some(a) = non_empty(&q.account)
        && s.account_id != a
        && s.account_name.as_deref() != Some(a)
    {
        return false;
    }
    if let Some(c) = non_empty(&q.trusted_by)
        && !s.trusted_by.iter().any(|x| x.as_str() == c)
    {
        return false;
    }
    if let Some(p) = non_empty(&q.privilege)
        && s.privilege.as_str() != p
    {
        return false;
    }
    if let Some(u) = non_empty(&q.used) {
        let status = match s.last_used.status {
            UseStatus::Used => "used",
            UseStatus::Never => "never",
            UseStatus::Unknown => "unknown",
        };
        if status != u {
            return false;
        }
    }
    let _ = st;
    true
}

async fn roles(State(st): St, Query(q): Query<RolesQuery>) -> Response {
    let mut rows: Vec<&RoleSummary> = st.roles.iter().filter(|s| role_matches(&st, &q, s)).collect();
    let sort = non_empty(&q.sort).unwrap_or("account");
    match sort {
        "name" => rows.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.arn.cmp(&b.arn))),
        "account" => rows.sort_by(|a, b| a.account_id.cmp(&b.account_id).then(a.arn.cmp(&b.arn))),
        "kind" => rows.sort_by(|a, b| a.kinds.cmp(&b.kinds).then(a.arn.cmp(&b.arn))),
        "trusted" => rows.sort_by(|a, b| a.trusted.cmp(&b.trusted).then(a.arn.cmp(&b.arn))),
        "resources" => rows.sort_by(|a, b| a.resources.cmp(&b.resources).then(a.arn.cmp(&b.arn))),
        "privilege" => rows.sort_by(|a, b| a.privilege.cmp(&b.privilege).then(a.arn.cmp(&b.arn))),
        "last_used" => rows.sort_by(|a, b| {
            (a.last_used.status, a.last_used.date).cmp(&(b.last_used.status, b.last_used.date)).then(a.arn.cmp(&b.arn))
        }),
        "findings" => rows.sort_by_cached_key(|s| (risk_key(&st, s), s.arn.clone())),
        other => return error(StatusCode::BAD_REQUEST, format!("cannot sort by `{other}`")),
    }
    match non_empty(&q.order) {
        None | Some("asc") => {}
        Some("desc") => rows.reverse(),
        Some(other) => return error(StatusCode::BAD_REQUEST, format!("order `{other}`: expected asc or desc")),
    }
    let total = rows.len();
    let (offset, limit) = page_bounds(q.offset, q.limit, total);
    let page: Vec<RoleRow<'_>> = rows.into_iter().skip(offset).take(limit).map(|s| row(&st, s)).collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "total": total, "offset": offset, "limit": limit, "roles": page }))
        .into_response()
}

/// The query of `/api/role/{arn}`.
#[derive(Debug, Default, Deserialize)]
pub struct RoleQuery {
    /// Also list the actions that explicit denies refuse.
    pub show_denied: Option<bool>,
    /// For the graph: the most nodes besides the role.
    pub limit: Option<usize>,
    /// For the graph: how many hops back from the role (default 1).
    pub depth: Option<usize>,
    /// For the graph: also what the role reaches in one hop (default false).
    pub reach: Option<bool>,
}

fn no_role(arn: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("no role `{arn}`"))
}

async fn role(State(st): St, Path(arn): Path<String>, Query(q): Query<RoleQuery>) -> Response {
    let Some(r) = st.find_role(&arn) else {
        return no_role(&arn);
    };
    let findings: Vec<&Finding> = st.findings_of(&r.arn).collect();
    let summary = st.summary(&r.arn);
    let verdict = st.verdicts.get(&r.arn).cloned().unwrap_or_default();
    match role_value(&st.snapshot, r, &q, Some(&verdict), json!(findings), json!(summary.map(|s| &s.trusted))) {
        Ok(v) => Json(v).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The body of `/api/role/{arn}`: the role's record with the schema version, its findings and
/// who trusts it (null while a warming server answers before the analysis: [`crate::Phase`];
/// its privilege is then that of the role's own permissions, `settled: false`).
pub(crate) fn role_value(
    snapshot: &model::Snapshot,
    role: &model::Role,
    q: &RoleQuery,
    verdict: Option<&access::privilege::GraphVerdict>,
    findings: serde_json::Value,
    trusted: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Error> {
    let mut value = serde_json::to_value(role_record(snapshot, role, q.show_denied.unwrap_or(false), verdict))?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("schema_version".into(), json!(SCHEMA_VERSION));
        obj.insert("findings".into(), findings);
        obj.insert("trusted".into(), trusted);
    }
    Ok(value)
}

async fn graph(State(st): St, Path(arn): Path<String>, Query(q): Query<RoleQuery>) -> Response {
    let Some(r) = st.find_role(&arn) else {
        return no_role(&arn);
    };
    let limit = q.limit.unwrap_or(DEFAULT_GRAPH_LIMIT).clamp(1, MAX_LIMIT);
    let depth = q.depth.unwrap_or(1).clamp(1, MAX_GRAPH_DEPTH);
    match role_graph(&st.graph, &r.arn, depth, limit, q.reach.unwrap_or(false)) {
        Some(g) => Json(g).into_response(),
        None => no_role(&arn),
    }
}

/// The query of `/api/findings`.
#[derive(Debug, Default, Deserialize)]
pub struct FindingsQuery {
    pub offset: Option<usize>,
    pub limit: Option<usize>,
    pub rule: Option<String>,
    /// One severity, or several separated by commas.
    pub severity: Option<String>,
    /// An account id.
    pub account: Option<String>,
    /// The subject's ARN.
    pub subject: Option<String>,
    /// Case-insensitive substring of the message or the subject.
    pub q: Option<String>,
    /// Only findings whose subject a principal outside the organization can reach (`true`), or
    /// only the others (`false`).
    pub outside: Option<bool>,
}

async fn findings(State(st): St, Query(q): Query<FindingsQuery>) -> Response {
    let severities: Option<Vec<Severity>> = match non_empty(&q.severity) {
        None => None,
        Some(text) => {
            let mut out = Vec::new();
            for part in text.split(',') {
                match Severity::parse(part.trim()) {
                    Some(s) => out.push(s),
                    None => return error(StatusCode::BAD_REQUEST, format!("unknown severity `{part}`")),
                }
            }
            Some(out)
        }
    };
    let text = non_empty(&q.q).map(str::to_lowercase);
    let matching: Vec<&Finding> = st
        .findings
        .iter()
        .filter(|f| non_empty(&q.rule).is_none_or(|r| f.rule == r))
        .filter(|f| severities.as_ref().is_none_or(|s| s.contains(&f.severity)))
        .filter(|f| non_empty(&q.account).is_none_or(|a| f.subject.account == a))
        .filter(|f| non_empty(&q.subject).is_none_or(|a| f.subject.arn == a))
        .filter(|f| q.outside.is_none_or(|o| st.outside.contains(&f.subject.arn) == o))
        .filter(|f| {
            text.as_ref().is_none_or(|t| {
                f.message.to_lowercase().contains(t.as_str()) || f.subject.arn.to_lowercase().contains(t.as_str())
            })
        })
        .collect();
    let total = matching.len();
    let (offset, limit) = page_bounds(q.offset, q.limit, total);
    let page: Vec<serde_json::Value> = matching
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|f| {
            let mut v = json!(f);
            if let Some(o) = v.as_object_mut() {
                o.insert("reachable_from_outside".into(), json!(st.outside.contains(&f.subject.arn)));
            }
            v
        })
        .collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "total": total, "offset": offset, "limit": limit, "findings": page }))
        .into_response()
}

async fn rules_list(State(st): St) -> Response {
    let list: Vec<serde_json::Value> = rules::RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            let count = st.findings.iter().filter(|f| f.rule == m.id).count();
            json!({ "id": m.id, "name": m.name, "category": m.category, "severity": m.severity, "findings": count, "doc": m.markdown() })
        })
        .collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "rules": list })).into_response()
}

async fn accounts(State(st): St) -> Response {
    let list: Vec<serde_json::Value> = st
        .snapshot
        .accounts
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "name": a.name,
                "aliases": a.aliases,
                "display_name": a.display_name(),
                "roles": a.roles.len(),
                "findings": st.findings.iter().filter(|f| f.subject.account == a.id).count(),
                "gaps": st.snapshot.gaps.iter().filter(|g| g.account.as_deref() == Some(a.id.as_str())).count(),
            })
        })
        .collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "accounts": list })).into_response()
}

async fn gaps(State(st): St) -> Response {
    let list: &[Gap] = &st.snapshot.gaps;
    Json(json!({ "schema_version": SCHEMA_VERSION, "gaps": list })).into_response()
}

/// `rolegraph users` (`access::users::UsersReport`): users and their credentials per account
/// (console password and MFA, access keys with their age and last use, the root user), each user
/// with the number of its findings.
async fn users(State(st): St) -> Response {
    let report = access::users::users_report(&st.snapshot, Some(st.now));
    let mut value = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    if let Some(accounts) = value.get_mut("accounts").and_then(|a| a.as_array_mut()) {
        for u in accounts.iter_mut().filter_map(|a| a.get_mut("users")).filter_map(|u| u.as_array_mut()).flatten() {
            let arn = u["arn"].as_str().unwrap_or_default().to_owned();
            let worst = st.worst_severity(&arn);
            if let Some(o) = u.as_object_mut() {
                o.insert("findings".into(), json!(st.findings_of(&arn).count()));
                o.insert("worst_severity".into(), json!(worst));
            }
        }
    }
    Json(value).into_response()
}

/// `/api/resources`: every resource with a resource-based policy, with who its policy lets act
/// on it from outside the organization (the external-access question) and its findings.
async fn resources(State(st): St) -> Response {
    let list: Vec<serde_json::Value> = st
        .external
        .iter()
        .map(|r| {
            let outside: Vec<serde_json::Value> = r
                .access
                .iter()
                .filter(|a| a.who.outside)
                .map(|a| json!({ "who": a.who, "levels": a.level_words(), "top_level": a.top_level() }))
                .collect();
            let services: Vec<&str> = r
                .access
                .iter()
                .filter(|a| a.who.kind == graph::resources::GranteeKind::Service)
                .map(|a| a.who.id.as_str())
                .collect();
            json!({
                "arn": r.arn,
                "kind": r.kind,
                "kind_label": r.kind_label,
                "name": r.name,
                "account": r.account,
                "has_policy": r.has_policy,
                "public_policy": r.public_policy,
                "outside": outside,
                "services": services,
                "refused": r.refused,
                "findings": st.findings_of(&r.arn).count(),
                "worst_severity": st.worst_severity(&r.arn),
            })
        })
        .collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "resources": list })).into_response()
}

/// `/api/resource/{arn}`: who can act on one resource (`rolegraph who-can-access`), every user
/// and role of the snapshot and what its policy names, with its findings.
async fn resource(State(st): St, Path(arn): Path<String>) -> Response {
    let Some(r) = st.snapshot.accounts.iter().flat_map(|a| a.resources.iter()).find(|r| r.arn == arn) else {
        return error(StatusCode::NOT_FOUND, format!("no resource `{arn}`"));
    };
    let access = graph::resources::resource_access(&st.snapshot, r, graph::resources::Askers::Everyone, None);
    let findings: Vec<&Finding> = st.findings_of(&r.arn).collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "resource": access, "findings": findings })).into_response()
}

/// `/api/role/{arn}/resources`: the resources with resource-based policies a role can act on,
/// itself or as a role it reaches in the graph.
async fn role_resources(State(st): St, Path(arn): Path<String>) -> Response {
    let Some(r) = st.find_role(&arn) else {
        return no_role(&arn);
    };
    let (list, not_asked) = graph::resources::reachable_access(&st.snapshot, &st.graph, &r.arn, None);
    let rows: Vec<serde_json::Value> = list
        .iter()
        .map(|x| {
            json!({
                "resource": x.resource,
                "levels": x.levels.iter().map(|l| json!({
                    "level": l.level,
                    "unconditional": l.unconditional,
                    "actions": l.actions,
                    "conditional_actions": l.conditional_actions,
                    "condition": l.check.condition.as_ref().filter(|_| l.check.is_conditional()).map(|c| c.text()),
                    "objects": l.objects,
                })).collect::<Vec<_>>(),
                "via": x.via,
            })
        })
        .collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "resources": rows, "roles_not_asked": not_asked })).into_response()
}
