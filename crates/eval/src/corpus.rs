//! Running public test vectors of the `iam-simulate` format (read from `../shared`, never
//! copied) through the engine, and saying for each whether we agree. No I/O: callers read the
//! files and pass the JSON.
//!
//! What counts as a decision test: a vector with a `request` (the core engine's format), or a
//! `simulation` whose expected result is `single`. Vectors whose request resource is a wildcard
//! pattern (`resultType: wildcard`) test that library's own what-if simulation over resource
//! patterns rather than a decision, and are counted apart. In that library's *discovery* mode the
//! context keys a request does not give are unknown: the engine evaluates them partially, and a
//! `Conditional` outcome agrees with an expected `Allowed` that carries conditions.

use serde_json::{Map, Value};

use crate::case::Case;
use crate::context::Unknowns;
use crate::decide::{Decision, Outcome};

/// The verdict on one vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Agree,
    Disagree {
        expected: String,
        got: String,
    },
    /// Not a decision test; the reason.
    NotADecision(String),
    /// The vector could not be read as a case; the error.
    Unreadable(String),
}

/// One vector's result.
#[derive(Debug, Clone)]
pub struct VectorResult {
    pub name: String,
    pub verdict: Verdict,
}

fn is_discovery(v: &Value) -> bool {
    v.pointer("/simulation/mode").and_then(Value::as_str) == Some("Discovery")
        || v.pointer("/simulationOptions/simulationMode").and_then(Value::as_str) == Some("Discovery")
}

/// Rewrites a `simulation` vector into the case format.
fn simulation_to_case(sim: &Map<String, Value>) -> Value {
    let mut case = Map::new();
    let mut request = sim.get("request").cloned().unwrap_or(Value::Null);
    if let Value::Object(r) = &mut request
        && let Some(ctx) = r.remove("contextVariables")
    {
        r.insert("context".into(), ctx);
    }
    case.insert("request".into(), request);
    for (from, to) in [
        ("identityPolicies", "identityPolicies"),
        ("permissionBoundaryPolicies", "permissionBoundaries"),
        ("permissionBoundaries", "permissionBoundaries"),
        ("serviceControlPolicies", "serviceControlPolicies"),
        ("resourceControlPolicies", "resourceControlPolicies"),
        ("resourcePolicy", "resourcePolicy"),
        ("sessionPolicy", "sessionPolicy"),
    ] {
        if let Some(v) = sim.get(from).filter(|v| !v.is_null()) {
            case.insert(to.into(), v.clone());
        }
    }
    Value::Object(case)
}

fn outcome_agrees(expected: &str, d: &Decision, discovery: bool, expects_conditions: bool) -> bool {
    match (expected, d.outcome) {
        ("Allowed", Outcome::Allowed) => !expects_conditions,
        ("Allowed", Outcome::Conditional) => discovery && !d.allowed_if.has_unevaluable() || expects_conditions,
        ("ExplicitlyDenied", Outcome::ExplicitlyDenied) | ("ImplicitlyDenied", Outcome::ImplicitlyDenied) => true,
        _ => false,
    }
}

/// The keys that a discovery-mode vector declares known (`valueIsKnown`), as lower-case globs.
fn discovery_known_keys(v: &Value) -> Vec<policy::Pattern> {
    let constraints = v
        .pointer("/simulation/discoveryContextKeyConstraints")
        .or_else(|| v.pointer("/simulationOptions/discoveryContextKeyConstraints"));
    constraints
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| c.get("valueIsKnown").and_then(Value::as_bool) == Some(true))
        .filter_map(|c| c.get("keyName").and_then(Value::as_str))
        .map(|k| {
            // `/regex/` forms in the vectors use `.*` only.
            let k = k.strip_prefix('/').and_then(|k| k.strip_suffix('/')).unwrap_or(k);
            policy::Pattern::new(&k.replace(".*", "*").to_ascii_lowercase())
        })
        .collect()
}

/// The role ARN of a role session ARN (`arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R`).
fn session_to_role(principal: &str) -> Option<String> {
    let arn = policy::Arn::parse(principal)?;
    let rest = arn.resource.strip_prefix("assumed-role/")?;
    let role = rest.split('/').next()?;
    Some(format!("arn:{}:iam::{}:role/{role}", arn.partition, arn.account))
}

/// Runs one vector. `supports_resources(action)` says whether an action has resource types in
/// the catalog (`None` if the action is unknown): a request for such an action on the resource
/// `*` is a what-if over every resource, not a request AWS would see.
pub fn run_vector(v: &Value, supports_resources: &dyn Fn(&str) -> Option<bool>) -> VectorResult {
    let name = v.get("name").and_then(Value::as_str).unwrap_or("(unnamed)").to_owned();
    let discovery = is_discovery(v);
    let (case_json, expected, expects_conditions) = if v.get("request").is_some() {
        let expected = v.pointer("/expected/response").and_then(Value::as_str).unwrap_or("").to_owned();
        let conds = v.pointer("/expected/conditions").is_some() || v.pointer("/expected/ignoredRoleSessionName").is_some();
        (v.clone(), expected, conds)
    } else if let Some(Value::Object(sim)) = v.get("simulation") {
        let kind = v.pointer("/expected/resultType").and_then(Value::as_str).unwrap_or("");
        if kind != "single" {
            return VectorResult { name, verdict: Verdict::NotADecision(format!("`{kind}` simulation over resource patterns")) };
        }
        let expected = v.pointer("/expected/overallResult").and_then(Value::as_str).unwrap_or("").to_owned();
        (simulation_to_case(sim), expected, false)
    } else {
        return VectorResult { name, verdict: Verdict::NotADecision("no request".into()) };
    };
    let mut case = match Case::from_json(&case_json) {
        Ok(c) => c,
        Err(e) => return VectorResult { name, verdict: Verdict::Unreadable(e.to_string()) },
    };
    if case.resource != "*" && policy::wildcard::has_wildcard(&case.resource) {
        return VectorResult { name, verdict: Verdict::NotADecision("the request resource is a wildcard pattern".into()) };
    }
    let wildcard_only = case_json.pointer("/request/wildcardOnlyAction").and_then(Value::as_bool);
    if case.resource == "*" && wildcard_only != Some(true) && supports_resources(&case.action) == Some(true) {
        return VectorResult {
            name,
            verdict: Verdict::NotADecision("`*` as the resource of an action that has resource types".into()),
        };
    }
    if discovery {
        // That library's discovery mode asks what conditions would allow the request: the
        // context it gives is a placeholder, unknown unless declared known, and so is a role
        // session's name.
        case.context = case.context.clone().with_unknowns(Unknowns::AllExcept(discovery_known_keys(v)));
        if let Some(role) = session_to_role(&case.principal) {
            case.principal = role;
        }
    }
    let d = case.evaluate();
    let verdict = if outcome_agrees(&expected, &d, discovery, expects_conditions) {
        Verdict::Agree
    } else {
        let got = match d.outcome {
            Outcome::Conditional => format!("Conditional: {}", d.allowed_if),
            o => o.as_str().to_owned(),
        };
        let expected = if expects_conditions { format!("{expected} (with conditions)") } else { expected };
        Verdict::Disagree { expected, got }
    };
    VectorResult { name, verdict }
}

/// Counts of verdicts for one family (the output of `rolegraph conformance --json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub family: String,
    pub agreed: usize,
    pub disagreed: usize,
    pub not_decisions: usize,
    pub unreadable: usize,
}

impl Summary {
    pub fn of(family: &str, results: &[VectorResult]) -> Self {
        let mut s = Summary { family: family.to_owned(), ..Summary::default() };
        for r in results {
            match r.verdict {
                Verdict::Agree => s.agreed += 1,
                Verdict::Disagree { .. } => s.disagreed += 1,
                Verdict::NotADecision(_) => s.not_decisions += 1,
                Verdict::Unreadable(_) => s.unreadable += 1,
            }
        }
        s
    }
}
