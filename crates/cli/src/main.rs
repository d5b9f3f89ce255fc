//! The `rolegraph` command line: a thin layer over the library crates. Results go to stdout,
//! logs and progress to stderr. Exit codes: 0 success, 1 findings at or above `--fail-on`
//! (where a command has it), 2 an error.

mod cmd;
mod output;
mod render;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: the analysis of a large organization allocates many small, short-lived values on
/// every core, where it is faster than the system allocator and returns memory to it sooner
/// (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "rolegraph", version, about = "Shows and secures the non-human identities of AWS")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide one request against policies, with the statements that decided it.
    Eval(Box<cmd::eval::Args>),
    /// Which actions an action pattern grants, by access level.
    Actions(cmd::actions::Args),
    /// Run the iam-simulate test vectors and report agreement by family.
    Conformance(cmd::conformance::Args),
    /// Run every rule on a folder of exports and report the findings.
    Scan(Box<cmd::scan::Args>),
    /// List the rules.
    Rules(cmd::rules_cmd::ListArgs),
    /// Show one rule's documentation.
    Rule(cmd::rules_cmd::ShowArgs),
    /// What each role used in CloudTrail against what it is granted.
    Usage(Box<cmd::usage::Args>),
    /// A least-privilege policy from a role's observed activity, proved by the engine.
    SuggestPolicy(Box<cmd::suggest_policy::Args>),
    /// Every role: kind, who it trusts, what uses it, its highest privilege, its last use.
    Roles(Box<cmd::roles::Args>),
    /// Everything about one role: trust, resources using it, permissions, privilege.
    Role(Box<cmd::role::Args>),
    /// Users and credentials: access keys, console without MFA, root use.
    Users(Box<cmd::users::Args>),
    /// Keep snapshots in the history database: add, list, show, a role's history.
    Snapshot(Box<cmd::snapshot::Args>),
    /// What changed between two snapshots: roles, trust, privilege, reach, resources, findings.
    Diff(Box<cmd::diff::Args>),
    /// Serve the web UI and its JSON API on 127.0.0.1 (read-only).
    Serve(Box<cmd::serve::Args>),
    /// Every principal that can reach a role, directly or through others, with its path.
    WhoCanAssume(Box<cmd::graph_cmds::WhoArgs>),
    /// Who can act on a bucket, key, function, queue, topic, secret, repository or table, at
    /// which access level, under which conditions.
    WhoCanAccess(Box<cmd::resources::Args>),
    /// Every role a principal can reach, with the path and the role's privilege.
    Reach(Box<cmd::graph_cmds::ReachArgs>),
    /// The paths between two principals, explained edge by edge.
    Path(Box<cmd::graph_cmds::PathArgs>),
    /// Principals that can become administrators without being ones, with the path.
    Escalations(Box<cmd::graph_cmds::EscalationsArgs>),
    /// The authorization graph as JSON, DOT, GraphML or Cypher.
    Graph(Box<cmd::graph_cmds::GraphArgs>),
    /// Collect from AWS through the SDK into an export folder (one account or `--org`).
    Collect(Box<cmd::collect::Args>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Eval(a) => cmd::eval::run(*a),
        Command::Actions(a) => cmd::actions::run(a),
        Command::Conformance(a) => cmd::conformance::run(a),
        Command::Scan(a) => cmd::scan::run(*a),
        Command::Rules(a) => cmd::rules_cmd::list(a),
        Command::Rule(a) => cmd::rules_cmd::show(a),
        Command::Usage(a) => cmd::usage::run(*a),
        Command::SuggestPolicy(a) => cmd::suggest_policy::run(*a),
        Command::Roles(a) => cmd::roles::run(*a),
        Command::Role(a) => cmd::role::run(*a),
        Command::Users(a) => cmd::users::run(*a),
        Command::Snapshot(a) => cmd::snapshot::run(*a),
        Command::Diff(a) => cmd::diff::run(*a),
        Command::Serve(a) => cmd::serve::run(*a),
        Command::WhoCanAssume(a) => cmd::graph_cmds::who_can_assume(*a),
        Command::WhoCanAccess(a) => cmd::resources::run(*a),
        Command::Reach(a) => cmd::graph_cmds::reach(*a),
        Command::Path(a) => cmd::graph_cmds::path(*a),
        Command::Escalations(a) => cmd::graph_cmds::escalations(*a),
        Command::Graph(a) => cmd::graph_cmds::export(*a),
        Command::Collect(a) => cmd::collect::run(*a),
    };
    match result {
        Ok(code) => code,
        // A reader that went away (`rolegraph scan | head`) is not an error of ours.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e);
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| c.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind));
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
