//! Boolean expressions over condition atoms: the result of partial evaluation.
//!
//! Evaluating a statement against a request whose context is only partly known gives true,
//! false, or a residual: the conditions that would have to hold. Residuals combine with
//! smart constructors that simplify constants away, so a fully known request never builds a
//! tree (and never allocates).

use std::fmt;
use std::sync::Arc;

use policy::Condition;

use crate::decide::StatementRef;

/// A leaf of a residual expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    /// The condition holds (its key was unknown).
    Condition { source: StatementRef, condition: Arc<Condition> },
    /// Something the engine could not evaluate: an undocumented operator, a malformed value,
    /// a resource pattern whose variable is unknown.
    CouldNotEvaluate { source: StatementRef, what: String },
}

/// A boolean expression over atoms.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    True,
    False,
    Atom(Arc<Atom>),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

impl Default for Expr {
    /// `False`: the identity of `or`.
    fn default() -> Self {
        Expr::False
    }
}

impl Expr {
    pub fn from_bool(b: bool) -> Expr {
        if b { Expr::True } else { Expr::False }
    }

    pub fn is_true(&self) -> bool {
        matches!(self, Expr::True)
    }

    pub fn is_false(&self) -> bool {
        matches!(self, Expr::False)
    }

    /// Whether the expression is a constant.
    pub fn is_known(&self) -> bool {
        matches!(self, Expr::True | Expr::False)
    }

    /// Conjunction, simplified.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::False, _) | (_, Expr::False) => Expr::False,
            (Expr::True, x) | (x, Expr::True) => x,
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), x) | (x, Expr::And(mut a)) => {
                a.push(x);
                Expr::And(a)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    /// Disjunction, simplified.
    pub fn or(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::True, _) | (_, Expr::True) => Expr::True,
            (Expr::False, x) | (x, Expr::False) => x,
            (Expr::Or(mut a), Expr::Or(b)) => {
                a.extend(b);
                Expr::Or(a)
            }
            (Expr::Or(mut a), x) | (x, Expr::Or(mut a)) => {
                a.push(x);
                Expr::Or(a)
            }
            (a, b) => Expr::Or(vec![a, b]),
        }
    }

    /// Negation, simplified.
    #[allow(clippy::should_implement_trait, reason = "`not` simplifies while it negates; `std::ops::Not` would hide that")]
    pub fn not(self) -> Expr {
        match self {
            Expr::True => Expr::False,
            Expr::False => Expr::True,
            Expr::Not(x) => *x,
            x => Expr::Not(Box::new(x)),
        }
    }

    /// The atoms, in order of appearance.
    pub fn atoms(&self) -> Vec<&Arc<Atom>> {
        let mut out = Vec::new();
        self.collect_atoms(&mut out);
        out
    }

    fn collect_atoms<'a>(&'a self, out: &mut Vec<&'a Arc<Atom>>) {
        match self {
            Expr::True | Expr::False => {}
            Expr::Atom(a) => out.push(a),
            Expr::Not(x) => x.collect_atoms(out),
            Expr::And(xs) | Expr::Or(xs) => xs.iter().for_each(|x| x.collect_atoms(out)),
        }
    }

    /// Whether any atom is one the engine could not evaluate.
    pub fn has_unevaluable(&self) -> bool {
        self.atoms().iter().any(|a| matches!(***a, Atom::CouldNotEvaluate { .. }))
    }

    /// Substitutes a truth value for every atom with `f`, where it gives one.
    pub fn assign(&self, f: &impl Fn(&Atom) -> Option<bool>) -> Expr {
        match self {
            Expr::True => Expr::True,
            Expr::False => Expr::False,
            Expr::Atom(a) => f(a).map_or_else(|| Expr::Atom(a.clone()), Expr::from_bool),
            Expr::Not(x) => x.assign(f).not(),
            Expr::And(xs) => xs.iter().fold(Expr::True, |acc, x| acc.and(x.assign(f))),
            Expr::Or(xs) => xs.iter().fold(Expr::False, |acc, x| acc.or(x.assign(f))),
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Condition { condition, .. } => {
                let values: Vec<&str> = condition.values.iter().map(|v| v.text.as_str()).collect();
                if values.len() == 1 {
                    write!(f, "{} {} `{}`", condition.key, condition.operator.raw, values.join(""))
                } else {
                    write!(
                        f,
                        "{} {} [{}]",
                        condition.key,
                        condition.operator.raw,
                        values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                    )
                }
            }
            Atom::CouldNotEvaluate { what, .. } => write!(f, "could not evaluate: {what}"),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::True => f.write_str("true"),
            Expr::False => f.write_str("false"),
            Expr::Atom(a) => write!(f, "{a}"),
            Expr::Not(x) => write!(f, "not ({x})"),
            Expr::And(xs) | Expr::Or(xs) => {
                let sep = if matches!(self, Expr::And(_)) { " and " } else { " or " };
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    match x {
                        Expr::And(_) | Expr::Or(_) => write!(f, "({x})")?,
                        _ => write!(f, "{x}")?,
                    }
                }
                Ok(())
            }
        }
    }
}
