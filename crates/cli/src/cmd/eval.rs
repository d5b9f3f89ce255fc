//! `rolegraph eval`: decide one request (or a batch of JSON cases, one per line) and explain it.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use eval::{Case, Context, ContextValue, DecisionReport, PolicySet, Request, Unknowns};
use model::Safe;

#[derive(clap::Args)]
pub struct Args {
    /// An identity-based policy (JSON or URL-encoded JSON); repeat for several.
    #[arg(long = "policy", value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// The resource-based policy (a bucket policy, a trust policy, a key policy).
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// The permission boundary.
    #[arg(long, value_name = "FILE")]
    boundary: Option<PathBuf>,
    /// A session policy.
    #[arg(long, value_name = "FILE")]
    session_policy: Option<PathBuf>,
    /// SCPs of one level of the organization (comma-separated files); repeat per level, root first.
    #[arg(long = "scp", value_name = "FILE[,FILE]")]
    scps: Vec<String>,
    /// RCPs of one level of the organization (comma-separated files); repeat per level, root first.
    #[arg(long = "rcp", value_name = "FILE[,FILE]")]
    rcps: Vec<String>,
    /// The caller: a user, role, role-session or root ARN, a service principal, or a provider ARN.
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,
    /// The action, `service:Action`.
    #[arg(long)]
    action: Option<String>,
    /// The resource ARN (`*` for actions without resource-level permissions).
    #[arg(long, default_value = "*")]
    resource: String,
    /// The account that owns the resource, when its ARN does not say (S3).
    #[arg(long, value_name = "ACCOUNT")]
    resource_account: Option<String>,
    /// A context key and value, `key=value`; repeat a key for a multi-valued key.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    context: Vec<String>,
    /// Treat this context key as unknown (partial evaluation); repeat for several.
    #[arg(long = "unknown", value_name = "KEY")]
    unknown: Vec<String>,
    /// Treat every context key not given as unknown: answer with the conditions under which the
    /// request would be allowed.
    #[arg(long)]
    partial: bool,
    /// Read cases from FILE (`-` for stdin), one JSON case per line; write one JSON decision per
    /// line. The case format is documented in docs/eval-batch.md.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["policies", "principal", "action"])]
    batch: Option<PathBuf>,
    /// Print the decision as JSON.
    #[arg(long)]
    json: bool,
}

fn read_policy(path: &Path) -> Result<Arc<policy::Policy>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let p = policy::Policy::parse_str(&text).with_context(|| format!("in `{}`", path.display()))?;
    Ok(Arc::new(p))
}

fn build_context(args: &Args) -> Result<Context> {
    let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
    for kv in &args.context {
        let Some((k, v)) = kv.split_once('=') else { bail!("`--context {kv}`: expected KEY=VALUE") };
        match pairs.iter_mut().find(|(key, _)| key.eq_ignore_ascii_case(k)) {
            Some((_, vals)) => vals.push(v.to_owned()),
            None => pairs.push((k.to_owned(), vec![v.to_owned()])),
        }
    }
    let mut ctx = Context::new();
    for (k, mut vals) in pairs {
        let value = if vals.len() == 1 { ContextValue::One(vals.remove(0)) } else { ContextValue::Many(vals) };
        ctx.insert(&k, value);
    }
    Ok(if args.partial {
        ctx.with_unknowns(Unknowns::All)
    } else if !args.unknown.is_empty() {
        ctx.with_unknowns(Unknowns::Keys(args.unknown.iter().map(|k| k.to_ascii_lowercase()).collect()))
    } else {
        ctx
    })
}

fn name_of(path: &Path) -> String {
    path.display().to_string()
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(batch) = &args.batch {
        return run_batch(batch);
    }
    let (Some(principal), Some(action)) = (&args.principal, &args.action) else {
        bail!("`--principal` and `--action` are required (or use `--batch FILE`)");
    };
    let mut set = PolicySet::new();
    for p in &args.policies {
        set.identity(name_of(p), read_policy(p)?);
    }
    if let Some(p) = &args.resource_policy {
        set.resource(name_of(p), read_policy(p)?);
    }
    if let Some(p) = &args.boundary {
        set.boundary(name_of(p), read_policy(p)?);
    }
    if let Some(p) = &args.session_policy {
        set.session(name_of(p), read_policy(p)?);
    }
    for level in &args.scps {
        let l = set.scp_level();
        for f in level.split(',').filter(|f| !f.is_empty()) {
            set.scp(l, f, read_policy(Path::new(f))?);
        }
    }
    for level in &args.rcps {
        let l = set.rcp_level();
        for f in level.split(',').filter(|f| !f.is_empty()) {
            set.rcp(l, f, read_policy(Path::new(f))?);
        }
    }
    let ctx = build_context(&args)?;
    let req = Request {
        principal,
        action,
        resource: &args.resource,
        resource_account: args.resource_account.as_deref(),
        context: &ctx,
    };
    let d = eval::evaluate(&req, &set);
    let report = DecisionReport::new(None, &d, &set);
    if args.json {
        crate::output::json(&report)?;
    } else {
        print_text(&mut crate::output::text(), &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(out: &mut impl Write, r: &DecisionReport) -> Result<()> {
    writeln!(out, "{}", r.decision)?;
    if let Some(cond) = &r.allowed_if {
        writeln!(out, "  allowed if: {}", Safe(cond))?;
    }
    for s in &r.decided_by {
        let sid = s.sid.as_deref().map(|s| format!(" ({})", Safe(s))).unwrap_or_default();
        let verb = if r.decision == "ExplicitlyDenied" { "denied by" } else { "allowed by" };
        writeln!(
            out,
            "  {verb} {} policy `{}` statement {}{sid} at `{}`",
            s.policy_type,
            Safe(&s.policy),
            s.statement,
            Safe(&s.pointer)
        )?;
    }
    if !r.blocked_by.is_empty() {
        writeln!(out, "  blocked by: {}", r.blocked_by.join(", "))?;
    }
    if let Some(rule) = r.aws_rule {
        writeln!(out, "  by a rule of AWS: {rule}")?;
    }
    for c in &r.could_not_evaluate {
        writeln!(out, "  could not evaluate: {}", Safe(c))?;
    }
    Ok(())
}

/// The longest line of a batch, in bytes: a longer one is answered with an error line and
/// skipped, so that memory stays bounded whatever the input (`--batch /dev/zero`).
pub const MAX_BATCH_LINE: usize = 8 << 20;

/// One line of a batch, as [`read_line`] gives it.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// The line's bytes (without its newline) are in the buffer.
    Complete,
    /// The line is longer than the limit; the buffer holds its first bytes. The rest of the
    /// line is skipped by the next call.
    TooLong,
}

/// Reads the next line into `buf` (cleared first), holding at most `max` bytes of it; `None` at
/// the end of the input. `skipping` carries over the rest of a line that was too long.
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize, skipping: &mut bool) -> std::io::Result<Option<Line>> {
    buf.clear();
    let mut seen = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            let was_skipping = std::mem::take(skipping);
            return Ok((seen && !was_skipping).then_some(Line::Complete));
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let take = newline.map_or(available.len(), |i| i + 1);
        if *skipping {
            reader.consume(take);
            if newline.is_some() {
                *skipping = false;
            }
            continue;
        }
        seen = true;
        let content = available.get(..newline.unwrap_or(available.len())).unwrap_or_default();
        if buf.len() + content.len() > max {
            let room = max - buf.len();
            buf.extend_from_slice(content.get(..room).unwrap_or_default());
            // The rest of this line (up to its newline, if it is in this chunk) is skipped: by
            // this call when the newline is here, by the next ones otherwise.
            reader.consume(take);
            *skipping = newline.is_none();
            return Ok(Some(Line::TooLong));
        }
        buf.extend_from_slice(content);
        reader.consume(take);
        if newline.is_some() {
            return Ok(Some(Line::Complete));
        }
    }
}

/// The decision of one line of a batch, or why there is none.
fn decide_line(bytes: &[u8]) -> Result<String, String> {
    let line = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let value = serde_json::from_str::<serde_json::Value>(line).map_err(|e| format!("not JSON: {e}"))?;
    let case = Case::from_json(&value).map_err(|e| e.to_string())?;
    let d = case.evaluate();
    serde_json::to_string(&DecisionReport::new(case.name.clone(), &d, &case.policies)).map_err(|e| e.to_string())
}

/// `--batch`: reads the cases one line at a time (never more than [`MAX_BATCH_LINE`] bytes of
/// one), and writes each decision, or an error line, as soon as it is made. A line that is not
/// UTF-8, not JSON, not a case or too long is an error line and the run goes on; the exit code
/// is then 2.
fn run_batch(path: &Path) -> Result<ExitCode> {
    let mut reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, f))
    };
    batch(&mut reader, &path.display().to_string(), MAX_BATCH_LINE, &mut std::io::BufWriter::new(crate::output::stdout()))
}

fn batch(reader: &mut dyn BufRead, name: &str, max: usize, out: &mut dyn Write) -> Result<ExitCode> {
    let mut errors = 0usize;
    let mut buf = Vec::new();
    let mut skipping = false;
    let mut number = 0usize;
    while let Some(line) = read_line(reader, &mut buf, max, &mut skipping).with_context(|| format!("reading `{name}`"))? {
        number += 1;
        let answer = match line {
            Line::TooLong => Err(format!("longer than {max} bytes: skipped")),
            Line::Complete if buf.trim_ascii().is_empty() => continue,
            Line::Complete => decide_line(&buf),
        };
        match answer {
            Ok(json) => writeln!(out, "{json}")?,
            Err(e) => {
                errors += 1;
                let msg = format!("`{name}` line {number}: {e}");
                crate::output::note("error", &msg);
                let line = serde_json::json!({"schema_version": DecisionReport::SCHEMA_VERSION, "line": number, "error": msg});
                writeln!(out, "{line}")?;
            }
        }
        // Each answer is written as soon as it is made, for a reader that waits for it.
        out.flush()?;
    }
    out.flush()?;
    Ok(if errors > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    const CASE: &str = r#"{"name": "read", "request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}, "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}]}"#;

    fn run(input: impl std::io::Read, max: usize) -> (Option<u8>, Vec<serde_json::Value>) {
        let mut reader = std::io::BufReader::with_capacity(4096, input);
        let mut out = Vec::new();
        let code = batch(&mut reader, "cases", max, &mut out).unwrap();
        let lines = String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        (if code == ExitCode::SUCCESS { Some(0) } else { Some(2) }, lines)
    }

    /// Issue 14: a line that is not UTF-8 is an error line, and the next lines are decided.
    #[test]
    fn a_line_that_is_not_utf8_is_an_error_line_and_the_run_goes_on() {
        let input = [CASE.as_bytes(), b"\n{\"name\": \"\xff\xfe\"}\n\n", CASE.as_bytes(), b"\n"].concat();
        let (code, lines) = run(&input[..], MAX_BATCH_LINE);
        assert_eq!(code, Some(2));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0]["decision"], "Allowed");
        assert_eq!(lines[1]["line"], 2);
        assert!(lines[1]["error"].as_str().unwrap().contains("line 2: not UTF-8"), "{}", lines[1]);
        assert_eq!(lines[2]["decision"], "Allowed", "line 4 (after a blank line) is still decided");
    }

    /// Issue 14: an over-long line (here 3 MB of zeros, then one without a newline at the end)
    /// is an error line, read in bounded memory, and the run goes on.
    #[test]
    fn an_over_long_line_is_an_error_line_and_the_run_goes_on() {
        let zeros = std::io::repeat(0).take(3 << 20);
        let middle = format!("\n{CASE}\n");
        let input = zeros.chain(middle.as_bytes()).chain(std::io::repeat(b'x').take(5000));
        let (code, lines) = run(input, 1 << 12);
        assert_eq!(code, Some(2));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0]["error"].as_str().unwrap().contains("line 1: longer than 4096 bytes"), "{}", lines[0]);
        assert_eq!(lines[1]["decision"], "Allowed");
        assert!(lines[2]["error"].as_str().unwrap().contains("line 3: longer than"), "{}", lines[2]);
    }

    #[test]
    fn a_last_line_without_a_newline_is_decided() {
        let (code, lines) = run(CASE.as_bytes(), MAX_BATCH_LINE);
        assert_eq!((code, lines.len()), (Some(0), 1));
        let (_, lines) = run(&b""[..], MAX_BATCH_LINE);
        assert!(lines.is_empty());
    }
}
