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
    out.clear();
    if let Some(rs) = &rec.resources {
        for r in rs {
            if let Some(a) = r.arn.as_deref().filter(|a| a.starts_with("arn:")) {
                push(out, a.to_owned());
            }
        }
    }
    let Some(p) = &rec.request_parameters else { return };
    let (part, region, account) = (partition(rec), rec.region(), rec.account());
    let arn_or = |v: &str, build: &dyn Fn(&str) -> String| if v.starts_with("arn:") { v.to_owned() } else { build(v) };
    let built: Option<String> = match prefix {
        "s3" => p.bucket_name.get().map(|b| match p.key.get() {
            Some(k) => format!("arn:{part}:s3:::{b}/{k}"),
            None => format!("arn:{part}:s3:::{b}"),
        }),
        "sts" => p.role_arn.get().map(str::to_owned),
        "iam" => p
            .policy_arn
            .get()
            .map(str::to_owned)
            .or_else(|| p.role_name.get().map(|n| format!("arn:{part}:iam::{account}:role/{n}")))
            .or_else(|| p.user_name.get().map(|n| format!("arn:{part}:iam::{account}:user/{n}"))),
        "lambda" => p
            .function_name
            .get()
            .map(|f| arn_or(f, &|n| format!("arn:{part}:lambda:{region}:{account}:function:{n}"))),
        "secretsmanager" => p.secret_id.get().filter(|s| s.starts_with("arn:")).map(str::to_owned),
        "dynamodb" => p
            .table_name
            .get()
            .map(|t| arn_or(t, &|n| format!("arn:{part}:dynamodb:{region}:{account}:table/{n}"))),
        "sqs" => p.queue_url.get().and_then(|u| {
            // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
            let mut it = u.rsplit('/');
            let name = it.next()?;
            let acct = it.next()?;
            Some(format!("arn:{part}:sqs:{region}:{acct}:{name}"))
        }),
        "sns" => p.topic_arn.get().map(str::to_owned),
        "kms" => p.key_id.get().filter(|k| k.starts_with("arn:")).map(str::to_owned),
        "logs" => p.log_group_name.get().map(|g| format!("arn:{part}:logs:{region}:{account}:log-group:{g}")),
        "cloudtrail" => p.name.get().map(|n| arn_or(n, &|n| format!("arn:{part}:cloudtrail:{region}:{account}:trail/{n}"))),
        "ec2" => p.snapshot_id.get().map(|s| format!("arn:{part}:ec2:{region}::snapshot/{s}")),
        "ssm" => p.name.get().map(|n| {
            arn_or(n, &|n| format!("arn:{part}:ssm:{region}:{account}:parameter/{}", n.trim_start_matches('/')))
        }),
        _ => None,
    };
    if let Some(b) = built {
        push(out, b);
    }
}

fn push(out: &mut Vec<String>, arn: String) {
    if !out.contains(&arn) {
        out.push(arn);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
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
            res("sqs", &format!(r#"{{{base},"requestParameters":{{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/444455556666/q"}}}}"#)),
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
        assert_eq!(res("s3", &format!(r#"{{{base},"requestParameters":{{"bucketName":"b","key":{{"x":1}}}}}}"#)), ["arn:aws:s3:::b"]);
    }

    #[test]
    fn resources_array_first_and_deduplicated() {
        let j = r#"{"recipientAccountId":"1","resources":[{"ARN":"arn:aws:iam::1:role/r","type":"AWS::IAM::Role"}],
            "requestParameters":{"roleArn":"arn:aws:iam::1:role/r"}}"#;
        assert_eq!(res("sts", j), ["arn:aws:iam::1:role/r"]);
        assert!(res("s3", r#"{"requestParameters":null}"#).is_empty());
    }
}
