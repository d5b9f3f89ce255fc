//! Which resource types of a service an ARN is, by matching it against the ARN formats of the
//! Service Authorization Reference (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`): the
//! basis for suggesting the resource-scoped statements of a least-privilege policy.
//!
//! In a format, each `${Variable}` matches a non-empty run of characters without `:` or `/`,
//! except a variable that ends the format, which may also span `/` (object keys, role paths).
//! Everything else is literal and case-sensitive. When several formats fit, only the most
//! specific are kept, those with the most literal characters: `arn:aws:s3:::b/k` fits both
//! `${BucketName}` and `${BucketName}/${ObjectName}`, and is an `object`. The ARN is taken as
//! written: a `*` in it is an ordinary character, so `arn:aws:s3:::bucket/*` is an `object`.

use crate::{Catalog, ResourceTypeId};

/// Whether `arn` fits the ARN `format`.
pub(crate) fn matches_format(format: &str, arn: &str) -> bool {
    match_bytes(format.as_bytes(), arn.as_bytes())
}

fn match_bytes(mut fmt: &[u8], mut arn: &[u8]) -> bool {
    loop {
        if let Some(after) = fmt.strip_prefix(b"${") {
            let Some(close) = after.iter().position(|&b| b == b'}') else {
                // An unclosed `${` is literal text.
                return literal_step(&mut fmt, &mut arn) && match_bytes(fmt, arn);
            };
            let rest = after.get(close + 1..).unwrap_or(&[]);
            let is_last = rest.is_empty();
            for (n, &c) in arn.iter().enumerate() {
                if c == b':' || (c == b'/' && !is_last) {
                    return false;
                }
                if match_bytes(rest, arn.get(n + 1..).unwrap_or(&[])) {
                    return true;
                }
            }
            return false;
        }
        match fmt.first() {
            None => return arn.is_empty(),
            Some(_) => {
                if !literal_step(&mut fmt, &mut arn) {
                    return false;
                }
            }
        }
    }
}

/// The number of literal (non-variable) characters of a format: its specificity.
pub(crate) fn literal_len(format: &str) -> usize {
    let mut n = 0;
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        n += i;
        match rest.get(i..).and_then(|r| r.find('}')) {
            Some(close) => rest = rest.get(i + close + 1..).unwrap_or(""),
            None => return n + rest.len() - i,
        }
    }
    n + rest.len()
}

/// Consumes one literal byte of the format, which the ARN must have next.
fn literal_step(fmt: &mut &[u8], arn: &mut &[u8]) -> bool {
    match (fmt.split_first(), arn.split_first()) {
        (Some((f, frest)), Some((a, arest))) if f == a => {
            *fmt = frest;
            *arn = arest;
            true
        }
        _ => false,
    }
}

impl Catalog {
    /// The resource types of `service` (an action prefix, case-insensitive) whose ARN format
    /// `arn` fits most specifically (see the module's documentation), in the service's order.
    /// Empty when the service is unknown or nothing fits.
    pub fn resource_types_for_arn(&self, service: &str, arn: &str) -> Vec<ResourceTypeId> {
        let Some(s) = self.service(service).and_then(|id| self.services.get(id.0 as usize)) else {
            return Vec::new();
        };
        let fits: Vec<(ResourceTypeId, usize)> = s
            .resource_types
            .range()
            .filter_map(|i| {
                let format = self.resource_types.get(i as usize)?.arn_format.str(&self.arena);
                matches_format(format, arn).then(|| (ResourceTypeId(i), literal_len(format)))
            })
            .collect();
        let best = fits.iter().map(|&(_, n)| n).max().unwrap_or(0);
        fits.into_iter().filter(|&(_, n)| n == best).map(|(id, _)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{literal_len, matches_format};

    #[test]
    fn specificity_counts_literal_characters() {
        assert_eq!(literal_len("arn:${Partition}:s3:::${BucketName}"), 10);
        assert_eq!(literal_len("arn:${Partition}:s3:::${BucketName}/${ObjectName}"), 11);
        assert_eq!(literal_len("plain"), 5);
        assert_eq!(literal_len("a${B"), 4);
    }

    #[test]
    fn variables_stay_within_a_segment() {
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let topic = "arn:${Partition}:sns:${Region}:${Account}:${TopicName}";
        assert!(matches_format(bucket, "arn:aws:s3:::my-bucket"));
        assert!(matches_format(bucket, "arn:aws:s3:::my-bucket/key"), "a last variable spans `/`");
        assert!(!matches_format(topic, "arn:aws:sns:us-east-1:1:t:x"), "no variable spans `:`");
        assert!(!matches_format(object, "arn:aws:s3:us-east-1:1:b/k"));
        assert!(matches_format(object, "arn:aws:s3:::my-bucket/a/b/c.txt"));
        assert!(matches_format(object, "arn:aws:s3:::my-bucket/*"));
        assert!(!matches_format(object, "arn:aws:s3:::my-bucket"));
        assert!(!matches_format(object, "arn:aws:s3:::my-bucket/"), "a variable is never empty");
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(matches_format(role, "arn:aws:iam::123456789012:role/path/to/Admin"));
        assert!(!matches_format(role, "arn:aws:iam::123456789012:user/Admin"));
        assert!(!matches_format(role, "arn:aws:iam::1:2:role/Admin"), "`${{Account}}` spans no `:`");
        let stream = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
        assert!(matches_format(stream, "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"));
        assert!(!matches_format(
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
            "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"
        ));
    }

    #[test]
    fn literals_are_case_sensitive_and_exact() {
        assert!(!matches_format("arn:${Partition}:s3:::${BucketName}", "ARN:aws:s3:::b"));
        assert!(matches_format("plain", "plain"));
        assert!(!matches_format("plain", "plain2"));
        assert!(matches_format("a${B", "a${B"), "an unclosed variable is literal");
        assert!(!matches_format("", "x"));
    }
}
