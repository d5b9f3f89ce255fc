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
    Router::new().route("/api/trail", get(trail)).route("/api/role/{arn}/usage", get(role_usage))
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
