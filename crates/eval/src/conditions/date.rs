//! Date operators: `DateEquals`, `DateNotEquals` (negated by the caller), `DateLessThan`,
//! `DateLessThanEquals`, `DateGreaterThan`, `DateGreaterThanEquals`.
//!
//! AWS takes "one of the W3C implementations of the ISO 8601 date formats or ... epoch (UNIX)
//! time" (*Condition operators*, date condition operators). Both policy values and context
//! values are read as:
//!
//! - epoch seconds: digits with an optional sign and fraction (`1700000000`, `1700000000.5`);
//!   a bare four-digit year is therefore read as epoch seconds, not as the W3C `YYYY` form;
//! - `YYYY-MM`, `YYYY-MM-DD`, then optionally `T` and `hh:mm`, `hh:mm:ss` or `hh:mm:ss.s...`,
//!   then optionally a zone `Z`, `±hh:mm`, `±hhmm` or `±hh`; no zone means UTC, a missing day
//!   means the first, a missing time means midnight.
//!
//! Values compare as instants (to the nanosecond): `2020-01-01` equals `2020-01-01T00:00:00Z`
//! and `2020-01-01T01:00:00+01:00`. The comparison is *context value* `op` *policy value*.
//! Policy variables are not substituted.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use policy::Condition;

use super::Tri;
use super::numeric::Cmp;

/// An instant: seconds since the epoch and nanoseconds within the second.
type Instant = (i64, u32);

/// Checks that every policy value is a date.
pub(super) fn check(cond: &Condition) -> Result<(), String> {
    match cond.values.iter().find(|v| parse_date(&v.text).is_none()) {
        Some(v) => Err(format!(
            "the value `{}` of `{}` on `{}` is not a date (ISO 8601 or epoch seconds)",
            v.text, cond.operator.raw, cond.key
        )),
        None => Ok(()),
    }
}

/// Whether the context date compares as asked with one of the policy dates. A context value
/// that is not a date compares with none.
pub(super) fn compare(cond: &Condition, value: &str, cmp: Cmp) -> Tri {
    let Some(value) = parse_date(value) else {
        return Tri::False;
    };
    Tri::any(cond.values.iter().map(|v| Tri::from(parse_date(&v.text).is_some_and(|p| cmp.holds(value.cmp(&p))))))
}

/// Reads a date in one of the accepted forms.
pub(super) fn parse_date(text: &str) -> Option<Instant> {
    parse_epoch(text).or_else(|| parse_iso(text))
}

/// `[+-]digits[.digits]` as seconds since the epoch.
fn parse_epoch(text: &str) -> Option<Instant> {
    let (neg, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    let nanos = frac_nanos(frac);
    Some(match (neg, nanos) {
        (false, n) => (secs, n),
        (true, 0) => (-secs, 0),
        (true, n) => (-secs - 1, 1_000_000_000 - n),
    })
}

/// The first nine digits of a fraction of a second, as nanoseconds.
fn frac_nanos(frac: &str) -> u32 {
    let mut nanos = 0u32;
    let mut scale = 100_000_000u32;
    for b in frac.bytes().take(9) {
        nanos += u32::from(b - b'0') * scale;
        scale /= 10;
    }
    nanos
}

/// A cursor over the bytes of a date.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    /// Exactly `n` digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.bytes.get(self.pos..self.pos + n)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos += n;
        Some(s.iter().fold(0, |acc, b| acc * 10 + u32::from(b - b'0')))
    }

    /// Consumes `c` if it is next.
    fn eat(&mut self, c: &[u8]) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        if c.contains(&b) {
            self.pos += 1;
            Some(b)
        } else {
            None
        }
    }

    /// The digits that follow, possibly none.
    fn run_of_digits(&mut self) -> &str {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        std::str::from_utf8(self.bytes.get(start..self.pos).unwrap_or(&[])).unwrap_or("")
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// The W3C profile of ISO 8601 from `YYYY-MM` on, with an optional zone.
fn parse_iso(text: &str) -> Option<Instant> {
    let mut c = Cursor { bytes: text.as_bytes(), pos: 0 };
    let year = c.digits(4)?;
    c.eat(b"-")?;
    let month = c.digits(2)?;
    let day = if c.eat(b"-").is_some() { c.digits(2)? } else { 1 };
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset_secs = 0i64;
    if c.eat(b"Tt").is_some() {
        hour = c.digits(2)?;
        c.eat(b":")?;
        minute = c.digits(2)?;
        if c.eat(b":").is_some() {
            second = c.digits(2)?;
            if c.eat(b".").is_some() {
                let frac = c.run_of_digits();
                if frac.is_empty() {
                    return None;
                }
                nanos = frac_nanos(frac);
            }
        }
        match c.eat(b"Zz+-") {
            None | Some(b'Z' | b'z') => {}
            Some(sign) => {
                let oh = c.digits(2)?;
                let om = if c.done() {
                    0
                } else {
                    c.eat(b":");
                    c.digits(2)?
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                let off = i64::from(oh * 3600 + om * 60);
                offset_secs = if sign == b'-' { -off } else { off };
            }
        }
    }
    if !c.done() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = NaiveDateTime::new(date, time).and_utc();
    Some((utc.timestamp() - offset_secs, utc.timestamp_subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::super::Truth;
    use super::super::test_support::*;
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(s: &str) -> Instant {
        parse_date(s).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn forms() {
        let midnight = (1_577_836_800, 0); // 2020-01-01T00:00:00Z
        assert_eq!(d("2020-01-01"), midnight);
        assert_eq!(d("2020-01"), midnight);
        assert_eq!(d("2020-01-01T00:00Z"), midnight);
        assert_eq!(d("2020-01-01T00:00:00Z"), midnight);
        assert_eq!(d("2020-01-01T00:00:00"), midnight);
        assert_eq!(d("2020-01-01t00:00:00z"), midnight);
        assert_eq!(d("2020-01-01T00:00:00.000Z"), midnight);
        assert_eq!(d("2020-01-01T01:00:00+01:00"), midnight);
        assert_eq!(d("2020-01-01T01:00:00+0100"), midnight);
        assert_eq!(d("2020-01-01T01:00:00+01"), midnight);
        assert_eq!(d("2019-12-31T23:30:00-00:30"), midnight);
        assert_eq!(d("1577836800"), midnight);
        assert_eq!(d("+1577836800"), midnight);
        assert_eq!(d("2020-01-01T00:00:00.25Z"), (1_577_836_800, 250_000_000));
        assert_eq!(d("1577836800.25"), (1_577_836_800, 250_000_000));
        assert_eq!(d("-1.25"), (-2, 750_000_000));
        assert_eq!(d("-1"), (-1, 0));
        assert_eq!(d("0"), (0, 0));
        // Four digits are epoch seconds.
        assert_eq!(d("2020"), (2020, 0));
        for bad in [
            "",
            "x",
            "2020-13-01",
            "2020-02-30",
            "2020-01-01T25:00:00Z",
            "2020-01-01T00:00:60Z",
            "2020-01-01T00:00:00+24:00",
            "2020-01-01T00",
            "2020-1-1",
            "2020-01-01T00:00:00.Z",
            "2020-01-01 00:00:00",
            "2020-01-01Z",
            "1.2.3",
            "2020-01-01T00:00:00ZZ",
            "99999999999999999999",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn operators() {
        let e = |op: &str, p: serde_json::Value, v: &str| eval(op, "aws:CurrentTime", p, &[("aws:currenttime", v)]);
        let now = "2024-06-01T12:00:00Z";
        assert_eq!(e("DateEquals", json!("2024-06-01T12:00:00Z"), now), Truth::True);
        assert_eq!(e("DateEquals", json!("2024-06-01T14:00:00+02:00"), now), Truth::True);
        assert_eq!(e("DateEquals", json!(1_717_243_200), now), Truth::True);
        assert_eq!(e("DateNotEquals", json!("2024-06-01"), now), Truth::True);
        assert_eq!(e("DateNotEquals", json!(["2024-06-01", "1717243200"]), now), Truth::False);
        assert_eq!(e("DateLessThan", json!("2025-01-01"), now), Truth::True);
        assert_eq!(e("DateLessThan", json!("2024-06-01T12:00:00Z"), now), Truth::False);
        assert_eq!(e("DateLessThanEquals", json!("2024-06-01T12:00:00Z"), now), Truth::True);
        assert_eq!(e("DateGreaterThan", json!("2024-06-01"), now), Truth::True);
        assert_eq!(e("DateGreaterThan", json!("2024-06-02"), now), Truth::False);
        assert_eq!(e("DateGreaterThanEquals", json!("2024-06-01T12:00:00.001Z"), now), Truth::False);
        // Epoch seconds in the context.
        assert_eq!(e("DateGreaterThan", json!("2024-06-01"), "1717243200"), Truth::True);
        // A context value that is not a date matches nothing.
        assert_eq!(e("DateLessThan", json!("2025-01-01"), "tomorrow"), Truth::False);
        assert_eq!(e("DateNotEquals", json!("2025-01-01"), "tomorrow"), Truth::True);
    }

    #[test]
    fn if_exists_and_absent() {
        assert_eq!(eval("DateGreaterThan", "aws:TokenIssueTime", json!("2020-01-01"), &[]), Truth::False);
        assert_eq!(eval("DateGreaterThanIfExists", "aws:TokenIssueTime", json!("2020-01-01"), &[]), Truth::True);
        assert_eq!(eval("DateNotEquals", "aws:TokenIssueTime", json!("2020-01-01"), &[]), Truth::True);
    }

    #[test]
    fn malformed_policy_value() {
        let t = eval("DateLessThan", "aws:CurrentTime", json!("next tuesday"), &[]);
        assert!(cne(&t, &["`next tuesday`", "`DateLessThan`", "`aws:CurrentTime`", "not a date"]), "{t:?}");
    }

    proptest! {
        #[test]
        fn iso_and_epoch_agree(secs in -2_000_000_000i64..4_000_000_000, nanos in 0u32..1_000_000_000) {
            let dt = chrono::DateTime::from_timestamp(secs, nanos).unwrap_or_else(|| panic!());
            let iso = dt.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
            prop_assert_eq!(parse_date(&iso), Some((secs, nanos)));
            let shifted = dt.with_timezone(&chrono::FixedOffset::east_opt(-5 * 3600).unwrap_or_else(|| panic!()));
            prop_assert_eq!(parse_date(&shifted.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string()), Some((secs, nanos)));
            prop_assert_eq!(parse_date(&secs.to_string()), Some((secs, 0)));
        }
    }
}
