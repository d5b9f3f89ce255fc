//! The CloudTrail endpoints, answered from the usage table of `rolegraph serve --trail`
//! (`rolegraph-usage`), read once at start-up: whether the server has a trail and what it
//! covers, and one role's usage (the `usage::RoleUsage` of `rolegraph role --trail --json`),
//! with each observed assumer checked against the can-assume edges of the graph. Without a
//! trail, `/api/trail` answers `trail: false` (as `/api/snapshots` answers `history: false`)
//! and a role's usage is a 404.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::SCHEMA_VERSION;
use crate::api::error;
use crate::state::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/trail", get(trail))
        .route("/api/role/{arn}/usage", get(role_usage))
        .route("/api/role/{arn}/suggest-policy", get(suggest_policy))
        .route("/api/least-privilege", get(least_privilege))
}

/// Whether the server has a trail, and what it read: the window, the events, the files.
async fn trail(State(st): State<Arc<AppState>>) -> Response {
    let Some(u) = &st.usage else {
        return Json(json!({ "schema_version": SCHEMA_VERSION, "trail": false })).into_response();
    };
    let not_possible = st.graph.observed().iter().filter(|o| o.is_flagged()).count();
    Json(json!({
        "schema_version": SCHEMA_VERSION,
        "trail": true,
        "window_from": u.window_from,
        "window_to": u.window_to,
        "events": u.events,
        "out_of_window": u.out_of_window,
        "unattributed": u.unattributed,
        "read": u.read,
        "assumptions": u.assumptions.len(),
        "assumptions_not_possible": not_possible,
    }))
    .into_response()
}

/// What the graph says of one observed assumption (`possible`, `not-possible`, `denied-only`,
/// `unknown-role`), when it was placed.
fn verdict(st: &AppState, e: &usage::AssumeEdge) -> Option<&'static str> {
    st.graph
        .observed()
        .iter()
        .find(|o| o.seen.role == e.role && o.seen.caller == e.caller && o.seen.caller_kind == e.caller_kind.as_str())
        .map(|o| o.status.as_str())
}

/// One role's usage: a role of the snapshot by ARN, name or ACCOUNT/NAME, or the ARN of a role
/// seen only in the trail. Each assumer gets `graph`: what the graph says of the assumption.
async fn role_usage(State(st): State<Arc<AppState>>, Path(arn): Path<String>) -> Response {
    let Some(u) = &st.usage else {
        return error(StatusCode::NOT_FOUND, "no CloudTrail: start `rolegraph serve` with `--trail PATH`".into());
    };
    let target = match st.find_role(&arn) {
        Some(r) => r.arn.clone(),
        None if arn.contains(":role/") && u.principal(&arn).is_some() => arn.clone(),
        None => return error(StatusCode::NOT_FOUND, format!("no role `{arn}`")),
    };
    let report = usage::role_usage(&st.snapshot, u, &target);
    let mut value = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert("schema_version".into(), json!(SCHEMA_VERSION));
        if let Some(list) = obj.get_mut("assumers").and_then(|a| a.as_array_mut()) {
            for (item, e) in list.iter_mut().zip(&report.assumers) {
                if let Some(o) = item.as_object_mut() {
                    o.insert("graph".into(), json!(verdict(&st, e)));
                }
            }
        }
    }
    Json(value).into_response()
}

/// `rolegraph suggest-policy` for one role of the snapshot: the least-privilege policy from what
/// the trail recorded, with the engine's proof and what the trail cannot show.
async fn suggest_policy(State(st): State<Arc<AppState>>, Path(arn): Path<String>) -> Response {
    let Some(u) = &st.usage else {
        return error(StatusCode::NOT_FOUND, "no CloudTrail: start `rolegraph serve` with `--trail PATH`".into());
    };
    let Some(role) = st.find_role(&arn) else {
        return error(StatusCode::NOT_FOUND, format!("no role `{arn}`"));
    };
    match usage::suggest_policy(&st.snapshot, u, role) {
        Ok(s) => Json(s).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A row of `/api/least-privilege`: one role's used against granted actions.
#[derive(Debug, serde::Serialize)]
pub struct LeastRow {
    pub arn: String,
    pub name: String,
    pub account: String,
    /// Whether a call of the role passed authorization in the window.
    pub active: bool,
    pub events: u64,
    pub granted: usize,
    pub used: usize,
    pub unused: usize,
    pub services_unused: usize,
    pub used_not_granted: usize,
}

/// The query of `/api/least-privilege`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LeastQuery {
    pub offset: Option<usize>,
    pub limit: Option<usize>,
    pub account: Option<String>,
}

/// Used against granted for every role of the snapshot (or of one account), most unused first:
/// the roles whose policies most exceed what the trail saw them do.
async fn least_privilege(State(st): State<Arc<AppState>>, axum::extract::Query(q): axum::extract::Query<LeastQuery>) -> Response {
    let Some(u) = &st.usage else {
        return error(StatusCode::NOT_FOUND, "no CloudTrail: start `rolegraph serve` with `--trail PATH`".into());
    };
    let all = st.least_privilege.get_or_init(|| {
        let mut rows: Vec<LeastRow> = Vec::new();
        for a in &st.snapshot.accounts {
            for r in &a.roles {
                let ru = usage::role_usage(&st.snapshot, u, &r.arn);
                rows.push(LeastRow {
                    arn: r.arn.clone(),
                    name: r.name.clone(),
                    account: a.id.clone(),
                    active: ru.active,
                    events: ru.events,
                    granted: ru.granted_count,
                    used: ru.used.len(),
                    unused: ru.granted_unused.len(),
                    services_unused: ru.granted_services_unused.len(),
                    used_not_granted: ru.used_not_granted.len(),
                });
            }
        }
        rows.sort_by(|a, b| b.unused.cmp(&a.unused).then_with(|| a.arn.cmp(&b.arn)));
        rows
    });
    let account = q.account.as_deref().filter(|x| !x.is_empty());
    let rows: Vec<&LeastRow> = all.iter().filter(|r| account.is_none_or(|a| r.account == a)).collect();
    let total = rows.len();
    let (offset, limit) = crate::api::page_bounds(q.offset, q.limit, total);
    let page: Vec<&LeastRow> = rows.into_iter().skip(offset).take(limit).collect();
    Json(json!({ "schema_version": SCHEMA_VERSION, "total": total, "offset": offset, "limit": limit, "roles": page }))
        .into_response()
}
