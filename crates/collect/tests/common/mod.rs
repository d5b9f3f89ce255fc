//! What the collection tests share: a moto server on a free loopback port (stopped by its
//! process id when dropped), an SDK configuration pointing at an endpoint, and a recording,
//! fault-injecting proxy (`proxy`).

#![allow(dead_code, reason = "shared by several test crates, each using a part")]

pub mod proxy;
pub mod seed;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};

/// The moto version installed when `moto_server` is not on `PATH`.
pub const MOTO_VERSION: &str = "5.2.1";

/// A moto server, killed (by process id) and reaped when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let exe = moto_server();
        let child = Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}`: {e}", exe.display()));
        let moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen on port {port} within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// `moto_server` from `PATH`, else from a venv under the target's tmp folder, installed there
/// once (`python3 -m venv` and pip install of the pinned `moto[server]`).
fn moto_server() -> PathBuf {
    if let Some(p) = on_path("moto_server") {
        return p;
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-{MOTO_VERSION}"));
    let exe = venv.join("bin").join("moto_server");
    if exe.is_file() {
        return exe;
    }
    // Test binaries run at once: the first to create the lock folder installs, others wait.
    let lock = venv.with_extension("lock");
    if std::fs::create_dir_all(venv.parent().unwrap()).is_ok() && std::fs::create_dir(&lock).is_ok() {
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
            && Command::new(venv.join("bin").join("pip"))
                .args(["install", "--quiet", &format!("moto[server]=={MOTO_VERSION}")])
                .status()
                .is_ok_and(|s| s.success());
        let _ = std::fs::remove_dir(&lock);
        assert!(ok, "cannot install moto[server]=={MOTO_VERSION} into `{}`", venv.display());
    } else {
        let deadline = Instant::now() + Duration::from_secs(600);
        while lock.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    assert!(exe.is_file(), "moto_server is not on PATH and could not be installed into `{}`", venv.display());
    exe
}

/// An SDK configuration for `endpoint` with static test credentials in us-east-1.
pub async fn sdk(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sts::config::Credentials::new("AKIAMOTOTEST", "secret", None, None, "test"))
        .load()
        .await
}

/// Collection options for tests: quick retries and report polls, no progress bars.
pub fn options(out: PathBuf) -> rolegraph_collect::Options {
    let mut o = rolegraph_collect::Options::new(out);
    o.regions = vec!["us-east-1".to_owned()];
    o.initial_backoff = Duration::from_millis(20);
    o.report_poll_interval = Duration::from_millis(100);
    o.progress = false;
    o
}
