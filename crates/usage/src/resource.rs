//! The resources an event touched: the ARNs of `resources[]`, and for a few common services the
//! ARN rebuilt from `requestParameters` (the list is in `docs/usage.md`). Account and region come
//! from the record (`recipientAccountId`, `awsRegion`); the partition from the caller's ARN.

use crate::record::Record;

fn partition(rec: &Record<'_>) -> &'static str {
    let arn = rec.user_identity.as_ref().and_then(|u| u.arn.as_deref()).unwrap_or("");
    if arn.starts_with("arn:aws-cn:") {
        "aws-cn"
    } else if arn.starts_with("arn:aws-us-gov:") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Pushes the resource ARNs of an event onto `out` (deduplicated, in the order found).
pub fn resources_of(rec: &Record<'_>, prefix: &str, out: &mut Vec<String>) {
    let mut buf = ResourceBuf::default();
    resources_into(rec, prefix, &mut buf);
    out.clear();
    out.extend(buf.as_slice().iter().cloned());
}

/// The resources of one event, written into buffers that are kept from event to event, so
/// that reading a trail allocates nothing per event once the buffers have grown.
#[derive(Clone, Debug, Default)]
pub struct ResourceBuf {
    bufs: Vec<String>,
    len: usize,
}

impl ResourceBuf {
    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The distinct ARNs, in the order found.
    pub fn as_slice(&self) -> &[String] {
        self.bufs.get(..self.len).unwrap_or(&[])
    }

    /// Adds the ARN that `write` writes, unless it is there already.
    fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        if self.len == self.bufs.len() {
            self.bufs.push(String::new());
        }
        let (done, rest) = self.bufs.split_at_mut(self.len);
        let Some(b) = rest.first_mut() else { return };
        b.clear();
        write(b);
        if !done.iter().any(|d| d == b) {
            self.len += 1;
        }
    }

    fn push(&mut self, arn: &str) {
        self.push_with(|b| b.push_str(arn));
    }
}

/// [`resources_of`] into reused buffers.
pub fn resources_into(rec: &Record<'_>, prefix: &str, out: &mut ResourceBuf) {
    use std::fmt::Write as _;
    out.clear();
    if let Some(rs) = &rec.resources {
        for r in rs {
            if let Some(a) = r.arn.as_deref().filter(|a| a.starts_with("arn:")) {
                out.push(a);
            }
        }
    }
    let Some(p) = &rec.request_parameters else { return };
    let (part, region, account) = (partition(rec), rec.region(), rec.account());
    // An ARN as given, else one built from a name.
    let arn_or = |out: &mut ResourceBuf, v: &str, build: &dyn Fn(&mut String, &str)| {
        if v.starts_with("arn:") { out.push(v) } else { out.push_with(|b| build(b, v)) }
    };
    match prefix {
        "s3" => {
            if let Some(bk) = p.bucket_name.get() {
                match p.key.get() {
                    Some(k) => out.push_with(|b| {
                        let _ = write!(b, "arn:{part}:s3:::{bk}/{k}");
                    }),
                    None => out.push_with(|b| {
                        let _ = write!(b, "arn:{part}:s3:::{bk}");
                    }),
                }
            }
        }
        "sts" => {
            if let Some(r) = p.role_arn.get() {
                out.push(r);
            }
        }
        "iam" => {
            if let Some(a) = p.policy_arn.get() {
                out.push(a);
            } else if let Some(n) = p.role_name.get() {
                out.push_with(|b| {
                    let _ = write!(b, "arn:{part}:iam::{account}:role/{n}");
                });
            } else if let Some(n) = p.user_name.get() {
                out.push_with(|b| {
                    let _ = write!(b, "arn:{part}:iam::{account}:user/{n}");
                });
            }
        }
        "lambda" => {
            if let Some(f) = p.function_name.get() {
                arn_or(out, f, &|b, n| {
                    let _ = write!(b, "arn:{part}:lambda:{region}:{account}:function:{n}");
                });
            }
        }
        "secretsmanager" => {
            if let Some(s) = p.secret_id.get().filter(|s| s.starts_with("arn:")) {
                out.push(s);
            }
        }
        "dynamodb" => {
            if let Some(t) = p.table_name.get() {
                arn_or(out, t, &|b, n| {
                    let _ = write!(b, "arn:{part}:dynamodb:{region}:{account}:table/{n}");
                });
            }
        }
        "sqs" => {
            if let Some(u) = p.queue_url.get() {
                let mut it = u.rsplit('/');
                if let (Some(name), Some(acct)) = (it.next(), it.next()) {
                    out.push_with(|b| {
                        let _ = write!(b, "arn:{part}:sqs:{region}:{acct}:{name}");
                    });
                }
            }
        }
        "sns" => {
            if let Some(t) = p.topic_arn.get() {
                out.push(t);
            }
        }
        "kms" => {
            if let Some(k) = p.key_id.get().filter(|k| k.starts_with("arn:")) {
                out.push(k);
            }
        }
        "logs" => {
            if let Some(g) = p.log_group_name.get() {
                out.push_with(|b| {
                    let _ = write!(b, "arn:{part}:logs:{region}:{account}:log-group:{g}");
                });
            }
        }
        "cloudtrail" => {
            if let Some(n) = p.name.get() {
                arn_or(out, n, &|b, n| {
                    let _ = write!(b, "arn:{part}:cloudtrail:{region}:{account}:trail/{n}");
                });
            }
        }
        "ec2" => {
            if let Some(s) = p.snapshot_id.get() {
                out.push_with(|b| {
                    let _ = write!(b, "arn:{part}:ec2:{region}::snapshot/{s}");
                });
            }
        }
        "ssm" => {
            if let Some(n) = p.name.get() {
                arn_or(out, n, &|b, n| {
                    let _ = write!(b, "arn:{part}:ssm:{region}:{account}:parameter/{}", n.trim_start_matches('/'));
                });
            }
        }
        _ => {}
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
    use super::*;

    fn res(prefix: &str, json: &str) -> Vec<String> {
        let r: Record<'_> = serde_json::from_str(json).unwrap();
        let mut out = Vec::new();
        resources_of(&r, prefix, &mut out);
        out
    }

    #[test]
    fn from_request_parameters() {
        let base = r#""awsRegion":"eu-west-1","recipientAccountId":"111122223333""#;
        assert_eq!(
            res("s3", &format!(r#"{{{base},"requestParameters":{{"bucketName":"b","key":"a/b.txt","Host":"x"}}}}"#)),
            ["arn:aws:s3:::b/a/b.txt"]
        );
        assert_eq!(res("s3", &format!(r#"{{{base},"requestParameters":{{"bucketName":"b"}}}}"#)), ["arn:aws:s3:::b"]);
        assert_eq!(
            res("dynamodb", &format!(r#"{{{base},"requestParameters":{{"tableName":"t"}}}}"#)),
            ["arn:aws:dynamodb:eu-west-1:111122223333:table/t"]
        );
        assert_eq!(
            res(
                "sqs",
                &format!(r#"{{{base},"requestParameters":{{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/444455556666/q"}}}}"#)
            ),
            ["arn:aws:sqs:eu-west-1:444455556666:q"]
        );
        assert_eq!(
            res("lambda", &format!(r#"{{{base},"requestParameters":{{"functionName":"f"}}}}"#)),
            ["arn:aws:lambda:eu-west-1:111122223333:function:f"]
        );
        assert_eq!(
            res("ssm", &format!(r#"{{{base},"requestParameters":{{"name":"/app/db"}}}}"#)),
            ["arn:aws:ssm:eu-west-1:111122223333:parameter/app/db"]
        );
        // A key that is not a string is ignored, not an error.
        assert_eq!(
            res("s3", &format!(r#"{{{base},"requestParameters":{{"bucketName":"b","key":{{"x":1}}}}}}"#)),
            ["arn:aws:s3:::b"]
        );
    }

    #[test]
    fn resources_array_first_and_deduplicated() {
        let j = r#"{"recipientAccountId":"1","resources":[{"ARN":"arn:aws:iam::1:role/r","type":"AWS::IAM::Role"}],
            "requestParameters":{"roleArn":"arn:aws:iam::1:role/r"}}"#;
        assert_eq!(res("sts", j), ["arn:aws:iam::1:role/r"]);
        assert!(res("s3", r#"{"requestParameters":null}"#).is_empty());
    }
}
