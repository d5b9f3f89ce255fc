//! How `rolegraph` grows with the size of an organization: synthetic organizations of several
//! sizes (`rolegraph-synth`, 20 accounts or fewer), and for each the wall time and peak memory
//! of the commands users run on one (`scan --format json`, `roles --json`, `escalations
//! --json`, `who-can-assume`, `path`, `who-can-access` on a bucket), beside the time Python's `json.load` takes to parse the
//! same files (the yardstick of the issue on organization scale). A bench binary, not a timed
//! test: one run of the largest size takes a minute or more.
//!
//! ```sh
//! cargo bench -p rolegraph --bench scale                      # 1,000 and 10,000 roles
//! ROLEGRAPH_SCALE=1000,10000,100000,300000 cargo bench -p rolegraph --bench scale
//! ```
//!
//! Generated data goes to `ROLEGRAPH_SCALE_DIR` (default: the system's temporary folder) and is
//! kept for reruns. Peak memory is the child's `VmHWM` from `/proc`, read every 5 ms.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a bench stops at the first failure"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs a command with stdout discarded; returns its wall time and peak resident memory (KiB).
fn measure(cmd: &mut Command) -> (Duration, u64, bool) {
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_path)
            && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kb: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            return (start.elapsed(), peak, status.success() || status.code() == Some(1));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn generate(dir: &Path, roles: usize) -> PathBuf {
    let accounts = (roles / 5000).clamp(2, 20);
    let out = dir.join(format!("rolegraph-scale-{roles}-r"));
    if out.join("organizations-describe-organization.json").exists() || out.join(".done").exists() {
        return out;
    }
    let config = synth::SynthConfig {
        accounts,
        roles_per_account: roles / accounts,
        users_per_account: (roles / accounts / 25).max(10),
        seed: 7,
        only_authorization_details: false,
        url_encoded_percent: 0,
        // Half as many resources with policies as roles (the issue's 100,000 roles and 50,000
        // resources).
        resources_per_account: roles / accounts / 2,
    };
    let _ = std::fs::remove_dir_all(&out);
    synth::generate(&config, &out).expect("generate");
    std::fs::write(out.join(".done"), "").expect("mark");
    out
}

fn python_json_load(dir: &Path) -> Option<Duration> {
    let script = "import json,os,sys,time\nt=time.time()\nfor r,_,fs in os.walk(sys.argv[1]):\n  for f in fs:\n    if f.endswith('.json'):\n      json.load(open(os.path.join(r,f)))\nprint(time.time()-t)";
    let out = Command::new("python3").arg("-c").arg(script).arg(dir).output().ok()?;
    let secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(Duration::from_secs_f64(secs))
}

fn main() {
    let sizes: Vec<usize> = std::env::var("ROLEGRAPH_SCALE")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = std::env::var_os("ROLEGRAPH_SCALE_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let bin = env!("CARGO_BIN_EXE_rolegraph");
    println!("| roles | command | wall time | peak memory | × json.load |");
    println!("|---|---|---|---|---|");
    for roles in sizes {
        let data = generate(&dir, roles);
        let d = data.to_str().expect("utf-8 path");
        let py = python_json_load(&data);
        if let Some(p) = py {
            println!("| {roles} | python3 json.load of every file | {:.2} s | - | 1.0 |", p.as_secs_f64());
        }
        let first_role = first_role(&data);
        let cmds: Vec<(&str, Vec<String>)> = vec![
            (
                "scan --format json",
                vec!["scan".into(), d.into(), "--format".into(), "json".into(), "--fail-on".into(), "never".into()],
            ),
            ("roles --json", vec!["roles".into(), d.into(), "--json".into()]),
            ("escalations --json", vec!["escalations".into(), d.into(), "--json".into()]),
            ("who-can-assume --json", vec!["who-can-assume".into(), d.into(), first_role.clone(), "--json".into()]),
            ("path --json", vec!["path".into(), d.into(), first_role.clone(), first_role.clone(), "--json".into()]),
            ("who-can-access --json", vec!["who-can-access".into(), d.into(), first_bucket(&data), "--json".into()]),
        ];
        for (name, args) in cmds {
            let (t, kb, ok) = measure(Command::new(bin).args(&args));
            let ratio = py.map_or("-".to_owned(), |p| format!("{:.1}", t.as_secs_f64() / p.as_secs_f64()));
            let mark = if ok { "" } else { " (failed)" };
            println!("| {roles} | {name}{mark} | {:.2} s | {:.2} GB | {ratio} |", t.as_secs_f64(), kb as f64 / 1_048_576.0);
        }
    }
}

/// The first bucket of the first account's resources (`rolegraph-synth --resources-per-account`).
fn first_bucket(dir: &Path) -> String {
    let mut accounts: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read").filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    accounts.sort();
    let mut files: Vec<String> = accounts
        .first()
        .and_then(|a| std::fs::read_dir(a.join("resources")).ok())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_prefix("s3api-get-bucket-policy.")?.strip_suffix(".json").map(str::to_owned))
        .collect();
    files.sort();
    files.first().map_or_else(|| "no-bucket".to_owned(), |b| format!("arn:aws:s3:::{b}"))
}

/// The ARN of the first role of the first account (the organization's deployer role).
fn first_role(dir: &Path) -> String {
    let mut accounts: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read").filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    accounts.sort();
    let id = accounts.first().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("000000000000").to_owned();
    format!("arn:aws:iam::{id}:role/org-deployer")
}
