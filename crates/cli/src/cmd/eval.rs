//! `rolegraph eval`: decide one request (or a batch of JSON cases, one per line) and explain it.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use eval::{Case, Context, ContextValue, DecisionReport, PolicySet, Request, Unknowns};

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
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_text(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(out: &mut impl Write, r: &DecisionReport) -> Result<()> {
    writeln!(out, "{}", r.decision)?;
    if let Some(cond) = &r.allowed_if {
        writeln!(out, "  allowed if: {cond}")?;
    }
    for s in &r.decided_by {
        let sid = s.sid.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
        let verb = if r.decision == "ExplicitlyDenied" { "denied by" } else { "allowed by" };
        writeln!(out, "  {verb} {} policy `{}` statement {}{sid} at `{}`", s.policy_type, s.policy, s.statement, s.pointer)?;
    }
    if !r.blocked_by.is_empty() {
        writeln!(out, "  blocked by: {}", r.blocked_by.join(", "))?;
    }
    if let Some(rule) = r.aws_rule {
        writeln!(out, "  by a rule of AWS: {rule}")?;
    }
    for c in &r.could_not_evaluate {
        writeln!(out, "  could not evaluate: {c}")?;
    }
    Ok(())
}

fn run_batch(path: &Path) -> Result<ExitCode> {
    let reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut errors = 0usize;
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading `{}`", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|v| Case::from_json(&v).map_err(|e| e.to_string()));
        match parsed {
            Ok(case) => {
                let d = case.evaluate();
                serde_json::to_writer(&mut out, &DecisionReport::new(case.name.clone(), &d, &case.policies))?;
            }
            Err(e) => {
                errors += 1;
                let msg = format!("`{}` line {}: {e}", path.display(), i + 1);
                eprintln!("error: {msg}");
                serde_json::to_writer(&mut out, &serde_json::json!({"schema_version": DecisionReport::SCHEMA_VERSION, "line": i + 1, "error": msg}))?;
            }
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(if errors > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
