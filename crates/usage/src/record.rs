//! The light view of one CloudTrail record: only the fields that attribution, action mapping
//! and resources need, borrowed from the input where the JSON has no escapes. Everything else in
//! a record (responseElements, tlsDetails, fields added by log shippers) is skipped unread.
//!
//! The record fields CloudTrail defines are strings; a record where one of them is not is
//! malformed and skipped by the reader. `requestParameters` differ by API, so the few fields read
//! from them are [`Loose`]: any other JSON type there is treated as absent, not as an error.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One CloudTrail record, as far as usage needs it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<'a> {
    #[serde(borrow, default)]
    pub event_source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub event_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub event_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub aws_region: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "sourceIPAddress")]
    pub source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_identity: Option<Identity<'a>>,
    #[serde(borrow, default)]
    pub request_parameters: Option<Params<'a>>,
    #[serde(borrow, default)]
    pub resources: Option<Vec<ResourceRef<'a>>>,
    /// `eventTime` in seconds since the epoch, set by the reader once the record is valid.
    #[serde(skip)]
    pub time: i64,
}

impl Record<'_> {
    pub fn source(&self) -> &str {
        self.event_source.as_deref().unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.event_name.as_deref().unwrap_or("")
    }

    /// The account the call was made to: `recipientAccountId`, else the caller's account.
    pub fn account(&self) -> &str {
        self.recipient_account_id
            .as_deref()
            .or_else(|| self.user_identity.as_ref().and_then(|u| u.account_id.as_deref()))
            .unwrap_or("")
    }

    pub fn region(&self) -> &str {
        self.aws_region.as_deref().unwrap_or("")
    }

    /// Checks the fields every record must have and sets [`Record::time`].
    pub fn validate(&mut self) -> Result<(), String> {
        for (field, value) in [("eventSource", &self.event_source), ("eventName", &self.event_name)] {
            if value.as_deref().is_none_or(str::is_empty) {
                return Err(format!("`{field}` is missing"));
            }
        }
        let Some(t) = self.event_time.as_deref() else { return Err("`eventTime` is missing".into()) };
        match chrono::DateTime::parse_from_rfc3339(t) {
            Ok(d) => {
                self.time = d.timestamp();
                Ok(())
            }
            Err(e) => Err(format!("`eventTime` `{t}` is not a time: {e}")),
        }
    }

    /// Whether the call was refused by authorization (not merely failed).
    pub fn is_access_denied(&self) -> bool {
        self.error_code.as_deref().is_some_and(|c| {
            let c = c.trim_start_matches("Client.");
            c.starts_with("AccessDenied") || c == "UnauthorizedOperation" || c == "UnauthorizedAccess" || c == "AuthorizationError"
        })
    }
}

/// `userIdentity`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity<'a> {
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub principal_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub session_context: Option<SessionContext<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow, default)]
    pub session_issuer: Option<Issuer<'a>>,
}

/// `userIdentity.sessionContext.sessionIssuer`: the role (or user, for federation) whose
/// credentials made the session; for a role chain, the last role assumed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer<'a> {
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_name: Option<Cow<'a, str>>,
}

/// One entry of `resources[]`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ResourceRef<'a> {
    #[serde(borrow, default, rename = "ARN", alias = "arn")]
    pub arn: Option<Cow<'a, str>>,
}

/// The fields of `requestParameters` that name resources, for the services listed in
/// `docs/usage.md`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params<'a> {
    #[serde(borrow, default)]
    pub bucket_name: Loose<'a>,
    #[serde(borrow, default)]
    pub key: Loose<'a>,
    #[serde(borrow, default)]
    pub role_arn: Loose<'a>,
    #[serde(borrow, default)]
    pub role_name: Loose<'a>,
    #[serde(borrow, default)]
    pub user_name: Loose<'a>,
    #[serde(borrow, default)]
    pub policy_arn: Loose<'a>,
    #[serde(borrow, default)]
    pub function_name: Loose<'a>,
    #[serde(borrow, default)]
    pub secret_id: Loose<'a>,
    #[serde(borrow, default)]
    pub table_name: Loose<'a>,
    #[serde(borrow, default)]
    pub queue_url: Loose<'a>,
    #[serde(borrow, default)]
    pub topic_arn: Loose<'a>,
    #[serde(borrow, default)]
    pub key_id: Loose<'a>,
    #[serde(borrow, default)]
    pub log_group_name: Loose<'a>,
    #[serde(borrow, default)]
    pub snapshot_id: Loose<'a>,
    #[serde(borrow, default)]
    pub name: Loose<'a>,
}

/// A string if the JSON value is one; anything else (a number, an object) reads as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loose<'a>(pub Option<Cow<'a, str>>);

impl Loose<'_> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Loose(Some(Cow::Owned(v))))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Loose(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose(None))
            }
        }
        d.deserialize_any(V)
    }
}
