//! The history endpoints, answered from the snapshot database of `rolegraph serve --db`
//! (`rolegraph-store`): the stored snapshots, a role across them, and what changed between two
//! of them (the JSON of `rolegraph diff --json`). The database holds the facts of each snapshot
//! in indexed tables, so these read rows and never re-run the engine. Queries run on tokio's
//! blocking threads: a diff of two 10,000-role snapshots reads for about a second.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use store::{Store, StoreError};

use crate::SCHEMA_VERSION;
use crate::api::error;
use crate::state::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/snapshots", get(snapshots))
        .route("/api/role/{arn}/history", get(role_history))
        .route("/api/diff", get(diff))
}

/// Runs `f` on the database on a blocking thread; 404 when the server has no database.
async fn with_store<F>(st: Arc<AppState>, f: F) -> Response
where
    F: FnOnce(&AppState, &Store) -> Result<Response, StoreError> + Send + 'static,
{
    if st.history.is_none() {
        return error(StatusCode::NOT_FOUND, "no history database: start `rolegraph serve` with `--db PATH`".into());
    }
    let joined = tokio::task::spawn_blocking(move || {
        let Some(h) = &st.history else {
            return Err(StoreError::NotFound("history".into()));
        };
        let db = h.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&st, &db)
    })
    .await;
    match joined {
        Ok(Ok(resp)) => resp,
        Ok(Err(e @ (StoreError::NotFound(_) | StoreError::TooFew(_)))) => error(StatusCode::NOT_FOUND, e.to_string()),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("the query stopped: {e}")),
    }
}

/// The stored snapshots, oldest first. Answers without a database too (`history: false`), so
/// that the pages can tell whether to offer the history.
async fn snapshots(State(st): State<Arc<AppState>>) -> Response {
    if st.history.is_none() {
        let none: [(); 0] = [];
        return Json(json!({ "schema_version": SCHEMA_VERSION, "history": false, "served": null, "snapshots": none }))
            .into_response();
    }
    with_store(st, |st, db| {
        let list = db.list()?;
        let served = st.history.as_ref().and_then(|h| h.served.as_ref()).map(|s| s.id);
        Ok(Json(json!({ "schema_version": SCHEMA_VERSION, "history": true, "served": served, "snapshots": list }))
            .into_response())
    })
    .await
}

async fn role_history(State(st): State<Arc<AppState>>, Path(arn): Path<String>) -> Response {
    with_store(st, move |st, db| {
        // A role of the shown snapshot by its ARN, name or ACCOUNT/NAME; else an ARN as given,
        // for a role that is only in older snapshots.
        let known = st.find_role(&arn).map(|r| r.arn.clone());
        let target = known.clone().unwrap_or_else(|| arn.clone());
        let h = store::role_history(db, &target)?;
        if h.versions.is_empty() && known.is_none() {
            return Ok(error(StatusCode::NOT_FOUND, format!("no role `{arn}`")));
        }
        Ok(Json(h).into_response())
    })
    .await
}

/// The query of `/api/diff`: two snapshots by id or label; by default the two newest.
#[derive(Debug, Default, Deserialize)]
pub struct DiffQuery {
    pub old: Option<String>,
    pub new: Option<String>,
}

async fn diff(State(st): State<Arc<AppState>>, Query(q): Query<DiffQuery>) -> Response {
    with_store(st, move |_, db| {
        let pick = |r: &Option<String>| r.as_deref().filter(|s| !s.is_empty()).map(|s| db.resolve(s)).transpose();
        let (old, new) = match (pick(&q.old)?, pick(&q.new)?) {
            (Some(o), Some(n)) => (o, n),
            (None, None) => db.latest_two()?,
            (Some(o), None) => (o, db.latest()?),
            (None, Some(n)) => {
                // The snapshot before `new`, as `rolegraph diff` reads one argument the other way.
                let before = db.list()?.into_iter().rev().find(|s| s.id < n.id);
                match before {
                    Some(o) => (o, n),
                    None => return Err(StoreError::NotFound(format!("a snapshot before #{}", n.id))),
                }
            }
        };
        Ok(Json(store::diff(db, old.id, new.id)?).into_response())
    })
    .await
}
