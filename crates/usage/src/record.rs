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
        if let Some(secs) = utc_seconds(t) {
            self.time = secs;
            return Ok(());
        }
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
            c.starts_with("AccessDenied")
                || c == "UnauthorizedOperation"
                || c == "UnauthorizedAccess"
                || c == "AuthorizationError"
        })
    }
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`, the form CloudTrail writes, without
/// the general RFC 3339 parser; `None` for any other form (or an invalid date), which the
/// general parser then decides.
fn utc_seconds(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() != 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b'T')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || b.get(19) != Some(&b'Z')
    {
        return None;
    }
    let num = |from: usize, len: usize| -> Option<i64> {
        b.get(from..from + len)?.iter().try_fold(0i64, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hh, mm, ss) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_days || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
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
    /// For `SAMLUser` and `WebIdentityUser`: the provider (an OIDC provider's ARN, a web
    /// identity provider such as `accounts.google.com`, or the SAML issuer's hash).
    #[serde(borrow, default)]
    pub identity_provider: Option<Cow<'a, str>>,
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
    /// `AssumeRoleWithSAML`: the SAML provider's ARN.
    #[serde(borrow, default)]
    pub principal_arn: Loose<'a>,
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

/// Reads a record into an existing one, reset first: a log file's records are decoded one after
/// the other into one place instead of being built and moved (a record is about 900 bytes, and
/// moving it showed in profiles). It accepts what the derived `Deserialize` of [`Record`]
/// accepts and fails (with a data error) where that fails; the reader then reads the record
/// again with the derived one, for its message.
pub struct InPlace<'r, 'a>(pub &'r mut Record<'a>);

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for InPlace<'_, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// The fields of [`Record`], in the order of the bits of the seen-mask.
const FIELDS: [&str; 11] = [
    "eventSource",
    "eventName",
    "eventTime",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "recipientAccountId",
    "userIdentity",
    "requestParameters",
    "resources",
];

/// A key of a record: the index of a field of [`FIELDS`], or `None` for any other.
struct Key(Option<usize>);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                // A `match` compares lengths before bytes; most keys of a record are not read.
                Ok(Key(match v {
                    "eventSource" => Some(0),
                    "eventName" => Some(1),
                    "eventTime" => Some(2),
                    "awsRegion" => Some(3),
                    "sourceIPAddress" => Some(4),
                    "userAgent" => Some(5),
                    "errorCode" => Some(6),
                    "recipientAccountId" => Some(7),
                    "userIdentity" => Some(8),
                    "requestParameters" => Some(9),
                    "resources" => Some(10),
                    _ => None,
                }))
            }
        }
        d.deserialize_identifier(V)
    }
}

/// `Option<Cow<str>>` borrowed from the input where it has no escapes, as `#[serde(borrow)]`
/// reads it.
struct OptStr;

impl<'de> de::DeserializeSeed<'de> for OptStr {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptStr {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(Str).map(Some)
    }
}

struct Str;

impl<'de> Visitor<'de> for Str {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

impl<'de: 'a, 'a> Visitor<'de> for InPlace<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CloudTrail record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let r = self.0;
        r.event_source = None;
        r.event_name = None;
        r.event_time = None;
        r.aws_region = None;
        r.source_ip_address = None;
        r.user_agent = None;
        r.error_code = None;
        r.recipient_account_id = None;
        r.user_identity = None;
        r.request_parameters = None;
        r.resources = None;
        r.time = 0;
        let mut seen = 0u32;
        while let Some(Key(k)) = map.next_key::<Key>()? {
            let Some(i) = k else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen & (1 << i) != 0 {
                return Err(de::Error::duplicate_field(FIELDS.get(i).copied().unwrap_or("")));
            }
            seen |= 1 << i;
            match i {
                0 => r.event_source = map.next_value_seed(OptStr)?,
                1 => r.event_name = map.next_value_seed(OptStr)?,
                2 => r.event_time = map.next_value_seed(OptStr)?,
                3 => r.aws_region = map.next_value_seed(OptStr)?,
                4 => r.source_ip_address = map.next_value_seed(OptStr)?,
                5 => r.user_agent = map.next_value_seed(OptStr)?,
                6 => r.error_code = map.next_value_seed(OptStr)?,
                7 => r.recipient_account_id = map.next_value_seed(OptStr)?,
                8 => r.user_identity = map.next_value()?,
                9 => r.request_parameters = map.next_value()?,
                _ => r.resources = map.next_value()?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "a test stops at the first unexpected value"
    )]

    #[test]
    fn keys_name_the_fields_in_order() {
        for (i, f) in super::FIELDS.iter().enumerate() {
            let k: super::Key = serde_json::from_str(&format!("\"{f}\"")).unwrap();
            assert_eq!(k.0, Some(i), "{f}");
        }
        let k: super::Key = serde_json::from_str("\"eventID\"").unwrap();
        assert_eq!(k.0, None);
    }

    #[test]
    fn the_fast_time_parser_agrees_with_chrono() {
        for t in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2024-05-17T10:11:12Z",
            "2100-03-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2400-02-29T12:00:00Z",
        ] {
            let want = chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp();
            assert_eq!(super::utc_seconds(t), Some(want), "{t}");
        }
        for t in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01T00:00:00.5Z",
            "x024-01-01T00:00:00Z",
        ] {
            assert_eq!(super::utc_seconds(t), None, "{t}");
        }
    }
}
