//! Timestamps as the AWS CLI writes them, which vary by service and CLI version: ISO 8601 with
//! `Z`, `+00:00` or `+0000`, with or without fractions, and epoch seconds (CLI v1 on JSON
//! protocol services). One type reads them all and writes RFC 3339 in UTC.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Parses the forms the AWS CLI writes; `None` if `text` is none of them.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let t = text.trim();
        if let Ok(d) = DateTime::parse_from_rfc3339(t) {
            return Some(Timestamp(d.with_timezone(&Utc)));
        }
        // `2019-04-30T16:26:38.618+0000` (Lambda) and the same with a space.
        for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
            if let Ok(d) = DateTime::parse_from_str(t, f) {
                return Some(Timestamp(d.with_timezone(&Utc)));
            }
        }
        // No offset: UTC.
        for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
            if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
                return Some(Timestamp(Utc.from_utc_datetime(&d)));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return d.and_hms_opt(0, 0, 0).map(|d| Timestamp(Utc.from_utc_datetime(&d)));
        }
        None
    }

    /// From epoch seconds (fractions allowed).
    pub fn from_epoch_seconds(secs: f64) -> Option<Timestamp> {
        if !secs.is_finite() {
            return None;
        }
        let whole = secs.floor();
        let nanos = ((secs - whole) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
        // Bounds checked by chrono; values out of range give `None`.
        if whole < i64::MIN as f64 || whole > i64::MAX as f64 {
            return None;
        }
        DateTime::from_timestamp(whole as i64, nanos).map(Timestamp)
    }

    /// RFC 3339, UTC, `Z`, with fractions only when present.
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// Whole days from `self` to `now` (negative if `self` is later).
    pub fn days_until(&self, now: Timestamp) -> i64 {
        (now.0 - self.0).num_days()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp (ISO 8601 text or epoch seconds)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Timestamp::parse(v).ok_or_else(|| E::custom(format!("invalid timestamp `{v}`")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
        DateTime::from_timestamp(v, 0).map(Timestamp).ok_or_else(|| E::custom(format!("timestamp `{v}` is out of range")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
        i64::try_from(v)
            .ok()
            .and_then(|v| DateTime::from_timestamp(v, 0))
            .map(Timestamp)
            .ok_or_else(|| E::custom(format!("timestamp `{v}` is out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
        Timestamp::from_epoch_seconds(v).ok_or_else(|| E::custom(format!("timestamp `{v}` is out of range")))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        d.deserialize_any(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_the_cli_writes() {
        let expected = "2019-04-30T16:26:38.618Z";
        for text in [
            "2019-04-30T16:26:38.618Z",
            "2019-04-30T16:26:38.618+00:00",
            "2019-04-30T16:26:38.618+0000",
            "2019-04-30T18:26:38.618+02:00",
            "2019-04-30T16:26:38.618000000Z",
            "2019-04-30 16:26:38.618+00:00",
            "2019-04-30T16:26:38.618",
        ] {
            assert_eq!(Timestamp::parse(text).map(|t| t.to_rfc3339()).as_deref(), Some(expected), "{text}");
        }
        assert_eq!(Timestamp::parse("2019-04-30").map(|t| t.to_rfc3339()).as_deref(), Some("2019-04-30T00:00:00Z"));
        assert_eq!(Timestamp::parse("N/A"), None);
        assert_eq!(Timestamp::parse("not_supported"), None);
    }

    #[test]
    fn epoch_seconds_and_errors() {
        let t: Timestamp = serde_json::from_str("1546387200.5").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-01-02T00:00:00.500Z");
        let t: Timestamp = serde_json::from_str("1546387200").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-01-02T00:00:00Z");
        let e = serde_json::from_str::<Timestamp>("\"yesterday\"").unwrap_err().to_string();
        assert!(e.contains("invalid timestamp `yesterday`"), "{e}");
        let e = serde_json::from_str::<Timestamp>("true").unwrap_err().to_string();
        assert!(e.contains("expected a timestamp"), "{e}");
    }

    #[test]
    fn round_trips() {
        let t = Timestamp::parse("2026-11-22T11:08:38.114000+00:00").unwrap();
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(s, "\"2026-11-22T11:08:38.114Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&s).unwrap(), t);
        let later = Timestamp::parse("2026-12-02T11:08:38Z").unwrap();
        assert_eq!(t.days_until(later), 9);
    }
}
