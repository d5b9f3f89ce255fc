//! Residual conditions in words, for people: the engine's `Expr` printed with the negations of
//! guardrails folded in (`not (aws:RequestedRegion StringNotEquals [a, b])` reads
//! `aws:RequestedRegion StringEquals [a, b]`), and whether a condition comes only from `Deny`
//! statements (a guardrail: the grant holds wherever the guardrail does not apply) or also from
//! an `Allow` (the grant itself needs the condition: MFA, a source IP, a tag).

use eval::{Atom, Expr, PolicySet};
use policy::{BaseOperator, Condition, Effect};

/// The positive form of a negated operator, when the negation is exact: for a single-valued key,
/// present or absent, `not (k StringNotEquals v)` holds exactly when `k StringEquals v` does
/// (both are false when the key is absent). Set qualifiers and `IfExists` change that, so they
/// are left alone.
fn positive(c: &Condition) -> Option<&'static str> {
    if c.operator.qualifier.is_some() || c.operator.if_exists {
        return None;
    }
    Some(match c.operator.base? {
        BaseOperator::StringNotEquals => "StringEquals",
        BaseOperator::StringNotEqualsIgnoreCase => "StringEqualsIgnoreCase",
        BaseOperator::StringNotLike => "StringLike",
        BaseOperator::NumericNotEquals => "NumericEquals",
        BaseOperator::DateNotEquals => "DateEquals",
        BaseOperator::NotIpAddress => "IpAddress",
        BaseOperator::ArnNotEquals => "ArnEquals",
        BaseOperator::ArnNotLike => "ArnLike",
        _ => return None,
    })
}

fn values(c: &Condition) -> String {
    match c.values.as_slice() {
        [one] => format!("`{}`", one.text),
        many => format!("[{}]", many.iter().map(|v| format!("`{}`", v.text)).collect::<Vec<_>>().join(", ")),
    }
}

/// The expression in words.
pub fn text(e: &Expr) -> String {
    match e {
        Expr::Not(inner) => match &**inner {
            Expr::Atom(a) => match &**a {
                Atom::Condition { condition, .. } => match positive(condition) {
                    Some(op) => format!("{} {op} {}", condition.key, values(condition)),
                    None => format!("not ({a})"),
                },
                Atom::CouldNotEvaluate { .. } => format!("not ({a})"),
            },
            other => format!("not ({})", text(other)),
        },
        Expr::And(xs) | Expr::Or(xs) => {
            let sep = if matches!(e, Expr::And(_)) { " and " } else { " or " };
            let parts: Vec<String> = xs
                .iter()
                .map(|x| match x {
                    Expr::And(_) | Expr::Or(_) => format!("({})", text(x)),
                    _ => text(x),
                })
                .collect();
            parts.join(sep)
        }
        other => other.to_string(),
    }
}

/// Whether every atom of the expression comes from a `Deny` statement.
pub fn only_from_denies(e: &Expr, set: &PolicySet) -> bool {
    let atoms = e.atoms();
    !atoms.is_empty()
        && atoms.iter().all(|a| {
            let source = match &***a {
                Atom::Condition { source, .. } | Atom::CouldNotEvaluate { source, .. } => source,
            };
            set.statement(source).is_some_and(|(_, s)| s.effect == Effect::Deny)
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use eval::{Context, Request, Unknowns};

    fn decide(identity: &str, scp: &str) -> (eval::Decision, PolicySet) {
        let mut set = PolicySet::new();
        set.identity("id", Arc::new(policy::Policy::parse_str(identity).unwrap()));
        let l = set.scp_level();
        set.scp(l, "scp", Arc::new(policy::Policy::parse_str(scp).unwrap()));
        let ctx = Context::new().with_unknowns(Unknowns::All);
        let req = Request {
            principal: "arn:aws:sts::111111111111:assumed-role/r/s",
            action: "s3:GetObject",
            resource: "*",
            resource_account: None,
            context: &ctx,
        };
        (eval::evaluate(&req, &set), set)
    }

    #[test]
    fn folds_guardrail_negations() {
        let (d, set) = decide(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]}"#,
        );
        assert_eq!(text(&d.allowed_if), "aws:RequestedRegion StringEquals [`eu-west-1`, `us-east-1`]");
        assert!(only_from_denies(&d.allowed_if, &set));
    }

    #[test]
    fn keeps_allow_conditions_and_if_exists() {
        let (d, set) = decide(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}}]}"#,
        );
        let t = text(&d.allowed_if);
        assert!(t.contains("aws:MultiFactorAuthPresent Bool `true`"), "{t}");
        assert!(t.contains("not (aws:RequestedRegion StringNotEqualsIfExists `eu-west-1`)"), "{t}");
        assert!(!only_from_denies(&d.allowed_if, &set));
    }
}
