//! The validated policy AST: what a policy says, typed, with each element compiled for matching
//! and carrying the JSON pointer of where it was written (for evidence and errors).

use crate::arn::ResourceMatcher;
use crate::template::Template;
use crate::wildcard::Pattern;

/// The policy language version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `2008-10-17`: no policy variables.
    V2008_10_17,
    /// `2012-10-17`: the current version, with policy variables.
    V2012_10_17,
}

impl Version {
    /// The text as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2008_10_17 => "2008-10-17",
            Version::V2012_10_17 => "2012-10-17",
        }
    }
}

/// A parsed policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `None` when the document has no `Version` (treated as 2008-10-17 by AWS).
    pub version: Option<Version>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// Whether `Statement` was written as a single object rather than an array (for printing).
    pub single_statement: bool,
}

impl Policy {
    /// Whether policy variables are substituted (version 2012-10-17 only).
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(Version::V2012_10_17)
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A list that is either the element (`Action`) or its negation (`NotAction`).
#[derive(Clone, Debug, PartialEq)]
pub enum Block<T> {
    Only(Vec<T>),
    Not(Vec<T>),
}

impl<T> Block<T> {
    /// The items, whichever the polarity.
    pub fn items(&self) -> &[T] {
        match self {
            Block::Only(v) | Block::Not(v) => v,
        }
    }

    /// Whether this is the negated form.
    pub fn is_not(&self) -> bool {
        matches!(self, Block::Not(_))
    }

    /// Whether the block applies, given whether any item matches.
    pub fn applies(&self, any_item_matches: bool) -> bool {
        match self {
            Block::Only(_) => any_item_matches,
            Block::Not(_) => !any_item_matches,
        }
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    /// The position in the `Statement` array (0 for a single object).
    pub index: usize,
    /// The JSON pointer of the statement in its document (`/Statement/2` or `/Statement`).
    pub pointer: String,
    pub effect: Effect,
    pub action: Block<ActionPattern>,
    /// `None` when the statement has neither `Resource` nor `NotResource` (trust policies).
    pub resource: Option<Block<ResourcePattern>>,
    /// `None` when the statement has neither `Principal` nor `NotPrincipal` (identity policies).
    pub principal: Option<Block<Principal>>,
    pub conditions: Vec<Condition>,
}

/// An action pattern such as `s3:Get*`, compiled lower-case (actions match case-insensitively).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionPattern {
    /// As written.
    pub raw: String,
    /// Lower-cased and compiled.
    pub pattern: Pattern,
}

impl ActionPattern {
    pub fn new(raw: &str) -> Self {
        ActionPattern { raw: raw.to_owned(), pattern: Pattern::new(&raw.to_ascii_lowercase()) }
    }

    /// Whether the action (already lower-cased, `service:name`) matches.
    pub fn matches_lower(&self, action_lower: &str) -> bool {
        self.pattern.matches(action_lower)
    }

    /// The service prefix as written in lower case (`s3` of `s3:Get*`), if the pattern has one.
    pub fn service(&self) -> Option<String> {
        self.raw.split_once(':').map(|(s, _)| s.to_ascii_lowercase())
    }
}

/// A resource pattern, with its variables located and, when it has none, its matcher compiled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourcePattern {
    pub raw: String,
    pub template: Template,
    /// Compiled when the pattern has no variables.
    pub matcher: Option<ResourceMatcher>,
}

impl ResourcePattern {
    pub fn new(raw: &str, variables: bool) -> Self {
        let template = Template::parse(raw, variables);
        let matcher = if template.has_variables() {
            None
        } else {
            match template.resolve(true, |_| crate::template::VarValue::Missing) {
                crate::template::Resolved::Pattern(p) => Some(ResourceMatcher::new(&p)),
                _ => None,
            }
        };
        ResourcePattern { raw: raw.to_owned(), template, matcher }
    }
}

/// A principal named in a resource-based or trust policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// `"Principal": "*"`: everyone, including anonymous callers.
    Any,
    /// `{"AWS": ...}`: an account id, an account root ARN, a user, role, role session,
    /// federated user, or `*`.
    Aws(String),
    /// `{"Service": ...}`: an AWS service principal such as `lambda.amazonaws.com`.
    Service(String),
    /// `{"Federated": ...}`: a SAML or OIDC provider ARN, or a web identity provider name.
    Federated(String),
    /// `{"CanonicalUser": ...}`: an S3 canonical user id.
    CanonicalUser(String),
}

impl Principal {
    /// The key under which the principal is written (`AWS`, `Service`, ...), `*` for `Any`.
    pub fn kind(&self) -> &'static str {
        match self {
            Principal::Any => "*",
            Principal::Aws(_) => "AWS",
            Principal::Service(_) => "Service",
            Principal::Federated(_) => "Federated",
            Principal::CanonicalUser(_) => "CanonicalUser",
        }
    }

    /// The value as written (`*` for `Any`).
    pub fn value(&self) -> &str {
        match self {
            Principal::Any => "*",
            Principal::Aws(v) | Principal::Service(v) | Principal::Federated(v) | Principal::CanonicalUser(v) => v,
        }
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// The condition operators AWS documents, without qualifier or `IfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl BaseOperator {
    /// Every operator with its name.
    pub const ALL: [(BaseOperator, &'static str); 27] = [
        (BaseOperator::StringEquals, "StringEquals"),
        (BaseOperator::StringNotEquals, "StringNotEquals"),
        (BaseOperator::StringEqualsIgnoreCase, "StringEqualsIgnoreCase"),
        (BaseOperator::StringNotEqualsIgnoreCase, "StringNotEqualsIgnoreCase"),
        (BaseOperator::StringLike, "StringLike"),
        (BaseOperator::StringNotLike, "StringNotLike"),
        (BaseOperator::NumericEquals, "NumericEquals"),
        (BaseOperator::NumericNotEquals, "NumericNotEquals"),
        (BaseOperator::NumericLessThan, "NumericLessThan"),
        (BaseOperator::NumericLessThanEquals, "NumericLessThanEquals"),
        (BaseOperator::NumericGreaterThan, "NumericGreaterThan"),
        (BaseOperator::NumericGreaterThanEquals, "NumericGreaterThanEquals"),
        (BaseOperator::DateEquals, "DateEquals"),
        (BaseOperator::DateNotEquals, "DateNotEquals"),
        (BaseOperator::DateLessThan, "DateLessThan"),
        (BaseOperator::DateLessThanEquals, "DateLessThanEquals"),
        (BaseOperator::DateGreaterThan, "DateGreaterThan"),
        (BaseOperator::DateGreaterThanEquals, "DateGreaterThanEquals"),
        (BaseOperator::Bool, "Bool"),
        (BaseOperator::BinaryEquals, "BinaryEquals"),
        (BaseOperator::IpAddress, "IpAddress"),
        (BaseOperator::NotIpAddress, "NotIpAddress"),
        (BaseOperator::ArnEquals, "ArnEquals"),
        (BaseOperator::ArnLike, "ArnLike"),
        (BaseOperator::ArnNotEquals, "ArnNotEquals"),
        (BaseOperator::ArnNotLike, "ArnNotLike"),
        (BaseOperator::Null, "Null"),
    ];

    /// The operator of this exact name (operator names are case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(op, _)| *op)
    }

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(op, _)| *op == self).map_or("", |(_, n)| n)
    }

    /// Whether the operator is a negated one (`StringNotEquals`, `NotIpAddress`, ...), which
    /// AWS evaluates as true when the key is absent.
    pub fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// Whether policy variables are substituted in this operator's values (string and ARN
    /// operators).
    pub fn substitutes_variables(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringEquals
                | StringNotEquals
                | StringEqualsIgnoreCase
                | StringNotEqualsIgnoreCase
                | StringLike
                | StringNotLike
                | ArnEquals
                | ArnLike
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

/// A condition operator as written: qualifier, base operator, `IfExists`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    /// As written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub raw: String,
    pub qualifier: Option<SetQualifier>,
    /// `None` for an operator AWS does not document: the evaluator reports it as not evaluable.
    pub base: Option<BaseOperator>,
    pub if_exists: bool,
}

impl Operator {
    /// Parses an operator name. Unknown names are kept with `base: None`.
    pub fn parse(raw: &str) -> Self {
        let (qualifier, rest) = if let Some(r) = raw.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = raw.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, raw)
        };
        let (if_exists, name) = match rest.strip_suffix("IfExists") {
            Some(n) if n != "Null" => (true, n),
            _ => (false, rest),
        };
        Operator { raw: raw.to_owned(), qualifier, base: BaseOperator::from_name(name), if_exists }
    }
}

/// How a condition value was written in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    String,
    Number,
    Bool,
}

/// One value of a condition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionValue {
    /// The text (numbers and booleans as JSON prints them).
    pub text: String,
    pub kind: ValueKind,
    /// The value with its policy variables located, when the operator substitutes variables.
    pub template: Template,
}

/// One condition: an operator, a key, and its values (any of which may match).
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    /// The key as written.
    pub key: String,
    /// The key lower-cased: keys are case-insensitive.
    pub key_lower: String,
    pub values: Vec<ConditionValue>,
    /// Whether the values were written as a JSON array (for printing).
    pub values_as_array: bool,
    /// The JSON pointer of the key in the document.
    pub pointer: String,
}
