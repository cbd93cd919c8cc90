//! Plan-overhead benchmark (performance target 2): the wall time of `terraform plan` for a
//! configuration with one `qcloud_images` data source (against an in-process sandbox, no
//! injected latency) against one with only Terraform's built-in `terraform_data` resource,
//! run alternately; the ratio of the medians is the figure.
//!
//! A third variant, the same `qcloud_images` plan with `TF_DISABLE_PLUGIN_TLS=1`, runs in the
//! same alternation: the difference from the first is what the automatic mutual TLS costs,
//! mostly on Terraform's side (it makes a P-521 client certificate for every plugin process).
//!
//! Two more variants measure the read alone: a plan whose only use of the provider is one
//! provider-function call, and the same plan with the data source added; the difference of
//! their medians is what the read itself adds.
//!
//! Then one more plan with Terraform's trace log, which times each provider process from
//! `starting plugin` to `plugin exited`, and Terraform's certificate making before each.
//!
//! Terraform finds the provider through a `dev_overrides` CLI configuration in a temporary
//! directory (`TF_CLI_CONFIG_FILE`); no `terraform init`, no network. Build the binary first:
//! `cargo build --release -p terraform-provider-qcloud --bin terraform-provider-qcloud &&
//!  cargo run --release --example bench_plan [-- --runs N]`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use qcloud_sandbox::{
    SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig,
};
use support::plugin::provider_binary;
use support::stats::{Samples, Table, count_from_args, verdict};

const BASELINE: &str = "resource \"terraform_data\" \"x\" {}\n";

/// The provider block for the sandbox at `endpoint`.
fn provider_block(endpoint: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    qcloud = {{ source = "qcloud/qcloud" }}
  }}
}}

provider "qcloud" {{
  endpoint   = "{endpoint}"
  region     = "{SANDBOX_REGION}"
  secret_id  = "{SANDBOX_SECRET_ID}"
  secret_key = "{SANDBOX_SECRET_KEY}"
}}
"#
    )
}

/// One `qcloud_images` data source: the newest public Ubuntu image.
const READ: &str = r#"
data "qcloud_images" "ubuntu" {
  image_type  = "public"
  os_name     = "ubuntu"
  most_recent = true
}

output "image_id" {
  value = data.qcloud_images.ubuntu.image_id
}
"#;

/// One provider-function call, no data source.
const FUNCTION: &str = r#"
output "pinned" {
  value = provider::qcloud::public_image_id("CentOS 7.2 64-bit")
}
"#;

/// Two working directories and a CLI configuration that points Terraform at the binary.
struct Workspace {
    root: tempfile::TempDir,
}

impl Workspace {
    fn new(binary: &Path, endpoint: &str) -> std::io::Result<Self> {
        let root = tempfile::Builder::new().prefix("qcplan").tempdir()?;
        let plugins = root.path().join("plugins");
        std::fs::create_dir(&plugins)?;
        std::os::unix::fs::symlink(binary, plugins.join("terraform-provider-qcloud"))?;
        let overrides = format!(
            "provider_installation {{\n  dev_overrides {{\n    \
             \"registry.terraform.io/qcloud/qcloud\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            plugins.display()
        );
        std::fs::write(root.path().join("cli.tfrc"), overrides)?;
        let provider = provider_block(endpoint);
        let configs = [
            ("qcloud", format!("{provider}{READ}")),
            ("baseline", BASELINE.into()),
            ("function", format!("{provider}{FUNCTION}")),
            ("function_and_read", format!("{provider}{FUNCTION}{READ}")),
        ];
        for (dir, main) in configs {
            std::fs::create_dir(root.path().join(dir))?;
            std::fs::write(root.path().join(dir).join("main.tf"), main)?;
        }
        Ok(Self { root })
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// `terraform plan` in `dir`, isolated from the caller's Terraform settings, with `env`.
    fn plan(&self, dir: &str, log: Option<&Path>, env: &[(&str, &str)]) -> (Duration, Output) {
        let mut command = Command::new("terraform");
        command.args(["plan", "-input=false", "-no-color"]).current_dir(self.dir(dir));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("TF_") {
                command.env_remove(key);
            }
        }
        command
            .env("TF_CLI_CONFIG_FILE", self.root.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1");
        if let Some(log) = log {
            command.env("TF_LOG", "trace").env("TF_LOG_PATH", log);
        }
        command.envs(env.iter().copied());
        let started = Instant::now();
        let output = command.output().expect("terraform runs (is it on PATH?)");
        (started.elapsed(), output)
    }

    /// A plan that must succeed; its wall time.
    fn timed_plan(&self, dir: &str, env: &[(&str, &str)]) -> Duration {
        let (elapsed, output) = self.plan(dir, None, env);
        if !output.status.success() {
            eprintln!(
                "terraform plan in {dir} failed:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            std::process::exit(1);
        }
        elapsed
    }
}

/// What a Terraform trace log tells of each provider process, in milliseconds.
#[derive(Debug, Default)]
struct ProcessTimes {
    /// `starting plugin` → `using plugin` (the handshake line was read).
    handshake: Vec<f64>,
    /// `starting plugin` → `plugin process exited`.
    lifetime: Vec<f64>,
    /// `configuring client automatic mTLS` → `starting plugin`: Terraform making its client
    /// certificate before it starts the process.
    client_certificate: Vec<f64>,
}

/// Reads provider process times from a Terraform trace log. Processes are started one at a
/// time, so a `using plugin` line belongs to the latest one started; exits are matched by pid.
/// Timestamps have millisecond resolution.
fn process_times(log: &str) -> ProcessTimes {
    let mut times = ProcessTimes::default();
    let mut spawned: BTreeMap<String, f64> = BTreeMap::new();
    let mut starting: Option<f64> = None;
    let mut latest: Option<f64> = None;
    let mut configuring: Option<f64> = None;
    for line in log.lines() {
        let Some(at) = line.get(..28).and_then(timestamp_ms) else { continue };
        if line.contains("configuring client automatic mTLS") {
            configuring = Some(at);
        } else if line.contains("starting plugin:") && line.contains("terraform-provider-qcloud") {
            if let Some(began) = configuring.take() {
                times.client_certificate.push(at - began);
            }
            starting = Some(at);
        } else if line.contains("plugin started:") && line.contains("terraform-provider-qcloud") {
            if let (Some(pid), Some(spawn)) = (field(line, "pid="), starting.take()) {
                spawned.insert(pid, spawn);
                latest = Some(spawn);
            }
        } else if line.contains("provider: using plugin:") {
            if let Some(spawn) = latest.take() {
                times.handshake.push(at - spawn);
            }
        } else if line.contains("plugin process exited:")
            && line.contains("terraform-provider-qcloud")
            && let Some(spawn) = field(line, " id=").and_then(|pid| spawned.remove(&pid))
        {
            times.lifetime.push(at - spawn);
        }
    }
    times
}

/// The provider's own time for each `ReadDataSource`, from its `answered ... after N ms` lines.
fn read_times(log: &str) -> Vec<f64> {
    log.lines()
        .filter(|line| line.contains("ReadDataSource for") && line.contains(" answered with "))
        .filter_map(|line| {
            let after = line.split(" after ").nth(1)?;
            after.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

fn field(line: &str, name: &str) -> Option<String> {
    let start = line.find(name)? + name.len();
    Some(line[start..].split_whitespace().next()?.to_string())
}

/// Milliseconds within the day of `2025-01-01T12:34:56.789Z`-style timestamps (plans do not
/// cross midnight often enough to matter for a benchmark).
fn timestamp_ms(text: &str) -> Option<f64> {
    let time = text.split('T').nth(1)?;
    let hms: Vec<&str> = time.get(..12)?.split(':').collect();
    let [h, m, s] = hms[..] else { return None };
    let (h, m, s): (f64, f64, f64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    Some(((h * 60.0 + m) * 60.0 + s) * 1000.0)
}

fn main() {
    let binary = provider_binary().unwrap_or_else(|message| {
        eprintln!("bench_plan: {message}");
        std::process::exit(2);
    });
    let runs = count_from_args("--runs", 25);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let sandbox = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        Sandbox::start(SandboxConfig::default(), listener).expect("the sandbox starts")
    });
    let workspace = Workspace::new(&binary, &sandbox.url()).expect("the temp workspace");
    const NO_TLS: &[(&str, &str)] = &[("TF_DISABLE_PLUGIN_TLS", "1")];
    for dir in ["baseline", "qcloud", "function", "function_and_read"] {
        workspace.timed_plan(dir, &[]); // warm-up: page cache, Terraform's own caches
    }
    let (mut qcloud, mut baseline, mut plaintext) =
        (Samples::new(), Samples::new(), Samples::new());
    let (mut function, mut function_and_read) = (Samples::new(), Samples::new());
    let before = sandbox.request_count();
    for run in 0..runs {
        eprintln!("run {}/{runs}", run + 1);
        baseline.push(workspace.timed_plan("baseline", &[]));
        qcloud.push(workspace.timed_plan("qcloud", &[]));
        plaintext.push(workspace.timed_plan("qcloud", NO_TLS));
        function.push(workspace.timed_plan("function", &[]));
        function_and_read.push(workspace.timed_plan("function_and_read", &[]));
    }
    let requests = sandbox.request_count() - before;

    let log_path = workspace.root.path().join("trace.log");
    let (_, traced) = workspace.plan("qcloud", Some(&log_path), &[]);
    assert!(traced.status.success(), "the traced plan succeeds");
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let processes = process_times(&log);

    let traced_log = |dir: &str| {
        let path = workspace.root.path().join(format!("{dir}.log"));
        let (_, traced) = workspace.plan(dir, Some(&path), &[]);
        assert!(traced.status.success(), "the traced plan in {dir} succeeds");
        std::fs::read_to_string(&path).unwrap_or_default()
    };
    let function_processes = process_times(&traced_log("function")).lifetime.len();
    let read_log = traced_log("function_and_read");
    let function_and_read_processes = process_times(&read_log).lifetime.len();
    let read_in_provider = read_times(&read_log);

    let ratio = qcloud.median() / baseline.median();
    let mut table = Table::new(&["figure", "median (min–max, n)", "target", "result"]);
    table.row(vec![
        "plan, terraform_data only, ms".into(),
        baseline.summary(1),
        "—".into(),
        "—".into(),
    ]);
    table.row(vec![
        "plan, one qcloud_images data source, ms".into(),
        qcloud.summary(1),
        "—".into(),
        "—".into(),
    ]);
    table.row(vec![
        "ratio of medians".into(),
        format!("{ratio:.2}"),
        "≤ 1.6".into(),
        verdict(ratio <= 1.6).into(),
    ]);
    table.row(vec![
        "plan, the same with TF_DISABLE_PLUGIN_TLS=1, ms".into(),
        plaintext.summary(1),
        "—".into(),
        "—".into(),
    ]);
    let plaintext_ratio = plaintext.median() / baseline.median();
    table.row(vec![
        "ratio of medians without TLS".into(),
        format!("{plaintext_ratio:.2}"),
        "≤ 1.4".into(),
        verdict(plaintext_ratio <= 1.4).into(),
    ]);
    table.row(vec![
        "plan, one provider-function call only, ms".into(),
        function.summary(1),
        "—".into(),
        "—".into(),
    ]);
    table.row(vec![
        "plan, the function call and the data source, ms".into(),
        function_and_read.summary(1),
        "—".into(),
        "—".into(),
    ]);
    table.row(vec![
        "provider processes per plan: function only, function and data source".into(),
        format!("{function_processes}, {function_and_read_processes}"),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "ReadDataSource, received → answered inside the provider (trace log), ms".into(),
        format!("{read_in_provider:?}"),
        "(reported)".into(),
        "—".into(),
    ]);
    let read_alone = function_and_read.median() - function.median();
    table.row(vec![
        "function and data source − function only (medians), ms".into(),
        format!("{read_alone:.1}"),
        "≤ 5".into(),
        verdict(read_alone <= 5.0).into(),
    ]);
    table.row(vec![
        "data source only − function only (medians; 3 processes each), ms".into(),
        format!("{:.1}", qcloud.median() - function.median()),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "DescribeImages requests per plan".into(),
        format!("{:.1}", requests as f64 / (3 * runs) as f64),
        "—".into(),
        "—".into(),
    ]);
    table.row(vec![
        "provider processes per plan (trace log)".into(),
        processes.lifetime.len().to_string(),
        "—".into(),
        "—".into(),
    ]);
    table.row(vec![
        "per process: spawn → handshake read by Terraform, ms".into(),
        format!("{:?}", processes.handshake),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "per process: Terraform makes its client certificate, ms".into(),
        format!("{:?}", processes.client_certificate),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "per process: spawn → exit after Shutdown, ms".into(),
        format!("{:?}", processes.lifetime),
        "(reported)".into(),
        "—".into(),
    ]);
    println!("terraform plan, {runs} runs of each variant, alternating\n");
    println!("{}", table.render());
    drop(sandbox);
}
