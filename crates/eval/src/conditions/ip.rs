//! IP address operators: `IpAddress` and `NotIpAddress` (negated by the caller).
//!
//! Policy values are IPv4 or IPv6 ranges in CIDR notation (RFC 4632); a bare address stands for
//! itself (`/32` or `/128`). Host bits below the prefix are ignored (`10.0.0.1/8` is
//! `10.0.0.0/8`). The context value (`aws:SourceIp`) must be a bare address; anything else
//! matches no range. An IPv4 address never falls in an IPv6 range or the reverse, including
//! IPv4-mapped IPv6 addresses: AWS documents no mapping between them.

use std::net::IpAddr;

use ipnet::IpNet;
use policy::Condition;

use super::Tri;

/// Reads a CIDR range or a bare address.
fn parse_range(text: &str) -> Option<IpNet> {
    if text.contains('/') { text.parse().ok() } else { text.parse::<IpAddr>().ok().map(IpNet::from) }
}

/// Checks that every policy value is an address or a range.
pub(super) fn check(cond: &Condition) -> Result<(), String> {
    match cond.values.iter().find(|v| parse_range(&v.text).is_none()) {
        Some(v) => {
            Err(format!("the value `{}` of `{}` on `{}` is not an IP address or CIDR range", v.text, cond.operator.raw, cond.key))
        }
        None => Ok(()),
    }
}

/// Whether the context address is in one of the policy ranges.
pub(super) fn in_any(cond: &Condition, value: &str) -> Tri {
    let Ok(addr) = value.parse::<IpAddr>() else {
        return Tri::False;
    };
    Tri::any(cond.values.iter().map(|v| Tri::from(parse_range(&v.text).is_some_and(|net| net.contains(&addr)))))
}

#[cfg(test)]
mod tests {
    use super::super::Truth;
    use super::super::test_support::*;
    use serde_json::json;

    fn e(op: &str, p: serde_json::Value, ip: &str) -> Truth {
        eval(op, "aws:SourceIp", p, &[("aws:sourceip", ip)])
    }

    #[test]
    fn ipv4() {
        assert_eq!(e("IpAddress", json!("203.0.113.0/24"), "203.0.113.7"), Truth::True);
        assert_eq!(e("IpAddress", json!("203.0.113.0/24"), "203.0.114.7"), Truth::False);
        assert_eq!(e("IpAddress", json!("203.0.113.7"), "203.0.113.7"), Truth::True);
        assert_eq!(e("IpAddress", json!("203.0.113.7"), "203.0.113.8"), Truth::False);
        assert_eq!(e("IpAddress", json!("10.1.2.3/8"), "10.200.0.1"), Truth::True);
        assert_eq!(e("IpAddress", json!("0.0.0.0/0"), "8.8.8.8"), Truth::True);
        assert_eq!(e("IpAddress", json!(["192.0.2.0/24", "203.0.113.0/24"]), "203.0.113.1"), Truth::True);
        assert_eq!(e("NotIpAddress", json!(["192.0.2.0/24", "203.0.113.0/24"]), "203.0.113.1"), Truth::False);
        assert_eq!(e("NotIpAddress", json!(["192.0.2.0/24", "203.0.113.0/24"]), "198.51.100.1"), Truth::True);
    }

    #[test]
    fn ipv6() {
        assert_eq!(e("IpAddress", json!("2001:db8::/32"), "2001:db8:1234::1"), Truth::True);
        assert_eq!(e("IpAddress", json!("2001:DB8::/32"), "2001:0db8:0000::0001"), Truth::True);
        assert_eq!(e("IpAddress", json!("2001:db8::/32"), "2001:db9::1"), Truth::False);
        assert_eq!(e("IpAddress", json!("2001:db8::1"), "2001:db8::1"), Truth::True);
        assert_eq!(e("IpAddress", json!("2001:db8::1"), "2001:db8::2"), Truth::False);
        assert_eq!(e("IpAddress", json!("::/0"), "2001:db8::2"), Truth::True);
        // Families never mix.
        assert_eq!(e("IpAddress", json!("::/0"), "10.0.0.1"), Truth::False);
        assert_eq!(e("IpAddress", json!("0.0.0.0/0"), "::ffff:10.0.0.1"), Truth::False);
        assert_eq!(e("NotIpAddress", json!("2001:db8::/32"), "10.0.0.1"), Truth::True);
    }

    #[test]
    fn bad_context_value_matches_nothing() {
        assert_eq!(e("IpAddress", json!("0.0.0.0/0"), "garbage"), Truth::False);
        assert_eq!(e("NotIpAddress", json!("0.0.0.0/0"), "garbage"), Truth::True);
        assert_eq!(e("IpAddress", json!("10.0.0.0/8"), "10.0.0.0/8"), Truth::False);
    }

    #[test]
    fn absent_if_exists_and_sets() {
        assert_eq!(eval("IpAddress", "aws:SourceIp", json!("10.0.0.0/8"), &[]), Truth::False);
        assert_eq!(eval("NotIpAddress", "aws:SourceIp", json!("10.0.0.0/8"), &[]), Truth::True);
        assert_eq!(eval("IpAddressIfExists", "aws:SourceIp", json!("10.0.0.0/8"), &[]), Truth::True);
        assert_eq!(
            eval("NotIpAddressIfExists", "aws:SourceIp", json!("10.0.0.0/8"), &[("aws:sourceip", "10.0.0.1")]),
            Truth::False
        );
        assert_eq!(eval("ForAnyValue:IpAddress", "k", json!("10.0.0.0/8"), &[("k", "1.1.1.1|10.0.0.1")]), Truth::True);
        assert_eq!(eval("ForAllValues:IpAddress", "k", json!("10.0.0.0/8"), &[("k", "1.1.1.1|10.0.0.1")]), Truth::False);
    }

    #[test]
    fn malformed_policy_value() {
        for bad in ["10.0.0.0/33", "2001:db8::/129", "10.0.0", "garbage", "10.0.0.0/", ""] {
            let t = e("IpAddress", json!(bad), "10.0.0.1");
            assert!(cne(&t, &[&format!("`{bad}`"), "`IpAddress`", "`aws:SourceIp`"]), "{bad}: {t:?}");
        }
    }
}
