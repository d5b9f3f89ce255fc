//! The catalog's vocabulary: dense ids, access levels, condition key types, and the borrowed
//! views ([`ActionInfo`], [`ServiceInfo`], ...) that lookups return.
//!
//! Views borrow from the catalog's flat arrays rather than owning copies, so that a lookup costs
//! nothing and the decoded catalog is a handful of allocations.

use std::fmt;
use std::ops::Range;

use serde::{Serialize, Serializer};

/// A dense id of an action: its index in the catalog's order (lower-cased `service:action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(pub u32);

/// A dense id of a service: its index in the order of service prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId(pub u32);

/// A dense id of a resource type (grouped by service, then ordered by name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceTypeId(pub u32);

/// A dense id of a service's condition key (grouped by service, then ordered by lower-cased
/// name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionKeyId(pub u32);

impl ActionId {
    /// The index into per-action arrays.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The access level of an action, as the Service Authorization Reference classifies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    /// Every level, in the order used for grouping.
    pub const ALL: [AccessLevel; 5] =
        [AccessLevel::List, AccessLevel::Read, AccessLevel::Write, AccessLevel::PermissionsManagement, AccessLevel::Tagging];

    /// The name as AWS spells it (`Permissions management`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// Parses the name as AWS spells it.
    pub fn from_aws(text: &str) -> Option<AccessLevel> {
        AccessLevel::ALL.into_iter().find(|l| l.as_str() == text)
    }

    pub(crate) fn code(self) -> u8 {
        match self {
            AccessLevel::List => 0,
            AccessLevel::Read => 1,
            AccessLevel::Write => 2,
            AccessLevel::PermissionsManagement => 3,
            AccessLevel::Tagging => 4,
        }
    }

    pub(crate) fn from_code(code: u32) -> Option<AccessLevel> {
        AccessLevel::ALL.into_iter().find(|l| u32::from(l.code()) == code)
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AccessLevel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The type of a condition key, as the Service Authorization Reference names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConditionType {
    String,
    ArrayOfString,
    Arn,
    ArrayOfArn,
    Bool,
    ArrayOfBool,
    Date,
    ArrayOfDate,
    Numeric,
    ArrayOfNumeric,
    IpAddress,
    ArrayOfIpAddress,
}

impl ConditionType {
    const ALL: [ConditionType; 12] = [
        ConditionType::String,
        ConditionType::ArrayOfString,
        ConditionType::Arn,
        ConditionType::ArrayOfArn,
        ConditionType::Bool,
        ConditionType::ArrayOfBool,
        ConditionType::Date,
        ConditionType::ArrayOfDate,
        ConditionType::Numeric,
        ConditionType::ArrayOfNumeric,
        ConditionType::IpAddress,
        ConditionType::ArrayOfIpAddress,
    ];

    /// The name as AWS spells it (`ARN`, `ArrayOfString`, `IPAddress`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::String => "String",
            ConditionType::ArrayOfString => "ArrayOfString",
            ConditionType::Arn => "ARN",
            ConditionType::ArrayOfArn => "ArrayOfARN",
            ConditionType::Bool => "Bool",
            ConditionType::ArrayOfBool => "ArrayOfBool",
            ConditionType::Date => "Date",
            ConditionType::ArrayOfDate => "ArrayOfDate",
            ConditionType::Numeric => "Numeric",
            ConditionType::ArrayOfNumeric => "ArrayOfNumeric",
            ConditionType::IpAddress => "IPAddress",
            ConditionType::ArrayOfIpAddress => "ArrayOfIPAddress",
        }
    }

    /// Parses the name as AWS spells it.
    pub fn from_aws(text: &str) -> Option<ConditionType> {
        ConditionType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// Whether the key is multivalued (`ArrayOf...`), so that conditions on it need a set
    /// operator (`ForAnyValue:` / `ForAllValues:`).
    pub fn is_array(self) -> bool {
        self.as_str().starts_with("ArrayOf")
    }

    pub(crate) fn code(self) -> u8 {
        ConditionType::ALL.iter().position(|t| *t == self).map_or(0, |i| i as u8)
    }

    pub(crate) fn from_code(code: u32) -> Option<ConditionType> {
        ConditionType::ALL.get(code as usize).copied()
    }
}

impl fmt::Display for ConditionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ConditionType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A resource type an action applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActionResource {
    pub resource_type: ResourceTypeId,
    /// Marked with `*` in the Service Authorization Reference: the action needs a resource of
    /// this type.
    pub required: bool,
}

/// A service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceInfo<'c> {
    pub id: ServiceId,
    /// The prefix used in actions (`s3`).
    pub prefix: &'c str,
    /// The full name (`Amazon S3`).
    pub name: &'c str,
    /// The ids of its actions (contiguous).
    pub actions: Range<u32>,
    /// The ids of its resource types (contiguous).
    pub resource_types: Range<u32>,
    /// The ids of its condition keys (contiguous).
    pub condition_keys: Range<u32>,
}

/// An action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionInfo<'c> {
    pub id: ActionId,
    pub service: ServiceId,
    /// The service prefix (`s3`).
    pub prefix: &'c str,
    /// The action name as AWS spells it (`GetObject`).
    pub name: &'c str,
    /// `prefix:name` (`s3:GetObject`).
    pub full_name: &'c str,
    /// The access level rolegraph uses: AWS's, except the promotions to Permissions
    /// management described in `docs/catalog.md`.
    pub access_level: AccessLevel,
    /// The access level in the Service Authorization Reference.
    pub aws_access_level: AccessLevel,
    pub resource_types: &'c [ActionResource],
    pub condition_keys: &'c [ConditionKeyId],
    /// Actions that AWS also checks when this one is called (`ec2:RunInstances` needs
    /// `iam:PassRole` to attach a role).
    pub dependent_actions: &'c [ActionId],
}

impl ActionInfo<'_> {
    /// Whether [`ActionInfo::access_level`] differs from AWS's classification.
    pub fn is_overridden(&self) -> bool {
        self.access_level != self.aws_access_level
    }
}

/// A resource type of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceTypeInfo<'c> {
    pub id: ResourceTypeId,
    pub service: ServiceId,
    /// The name used in the Service Authorization Reference (`object`).
    pub name: &'c str,
    /// The ARN format, with `${Partition}`-style variables.
    pub arn_format: &'c str,
    pub condition_keys: &'c [ConditionKeyId],
}

/// A condition key of a service (service-specific keys and the `aws:` keys it supports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConditionKeyInfo<'c> {
    pub id: ConditionKeyId,
    pub service: ServiceId,
    /// As AWS spells it (`s3:ExistingObjectTag/<key>`, `aws:RequestTag/${TagKey}`).
    pub name: &'c str,
    pub ty: ConditionType,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_levels_round_trip() {
        for l in AccessLevel::ALL {
            assert_eq!(AccessLevel::from_aws(l.as_str()), Some(l));
            assert_eq!(AccessLevel::from_code(u32::from(l.code())), Some(l));
        }
        assert_eq!(AccessLevel::from_aws("permissions management"), None);
        assert_eq!(AccessLevel::from_code(5), None);
    }

    #[test]
    fn condition_types_round_trip() {
        for t in ConditionType::ALL {
            assert_eq!(ConditionType::from_aws(t.as_str()), Some(t));
            assert_eq!(ConditionType::from_code(u32::from(t.code())), Some(t));
        }
        assert!(ConditionType::ArrayOfArn.is_array());
        assert!(!ConditionType::Arn.is_array());
        assert_eq!(ConditionType::from_aws("Arn"), None);
    }
}
