//! An in-process sandbox API for end-to-end tests, and `terraform` commands pointed at it.
//! Over plain HTTP by default; [`SandboxEnv::start_tls`] serves HTTPS with a fresh CA, whose
//! certificate is in a file for `SSL_CERT_FILE`.

use std::path::{Path, PathBuf};
use std::process::Command;

use qcloud_sandbox::{
    SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig, SandboxHandle,
    SandboxTls,
};

/// The environment variables that choose proxies and trust stores: every command starts without
/// them, so that a test sets exactly the ones it is about.
pub const NETWORK_ENV: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

use super::terraform::{Run, Terraform};

/// A running sandbox and the runtime that serves it (the handle is dropped first).
pub struct SandboxEnv {
    pub handle: SandboxHandle,
    runtime: tokio::runtime::Runtime,
    /// The CA certificate of an HTTPS sandbox, in a temporary directory.
    ca: Option<(tempfile::TempDir, PathBuf)>,
}

impl SandboxEnv {
    /// A sandbox with the built-in catalog and credentials.
    pub fn start() -> Self {
        Self::with_config(SandboxConfig::default())
    }

    /// A sandbox with `config`.
    pub fn with_config(config: SandboxConfig) -> Self {
        let runtime = runtime();
        let handle = runtime.block_on(async {
            let listener =
                tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback listens");
            Sandbox::start(config, listener).expect("the sandbox starts")
        });
        Self { handle, runtime, ca: None }
    }

    /// A sandbox with the built-in catalog serving HTTPS (HTTP/2 and HTTP/1.1) with a fresh
    /// CA's certificate for `localhost` and `127.0.0.1`; [`SandboxEnv::ca_file`] holds the CA.
    pub fn start_tls() -> Self {
        let runtime = runtime();
        let tls = SandboxTls::generate(&[]).expect("the sandbox's certificates");
        let dir = tempfile::tempdir().expect("a temp dir");
        let ca_file = dir.path().join("sandbox-ca.pem");
        tls.write_ca(&ca_file).expect("the CA file is written");
        let handle = runtime.block_on(async {
            let listener =
                tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback listens");
            Sandbox::start_tls(SandboxConfig::default(), listener, &tls)
                .expect("the sandbox starts")
        });
        Self { handle, runtime, ca: Some((dir, ca_file)) }
    }

    /// The CA certificate (PEM) of an HTTPS sandbox.
    pub fn ca_file(&self) -> &Path {
        &self.ca.as_ref().expect("an HTTPS sandbox (start_tls)").1
    }

    /// `terraform <args>` in `terraform`'s directory, with the sandbox's endpoint and credentials.
    pub fn command(&self, terraform: &Terraform, args: &[&str]) -> Command {
        let mut command = terraform.command(args);
        command
            .env("QCLOUD_ENDPOINT", self.handle.url())
            .env("QCLOUD_REGION", SANDBOX_REGION)
            .env("QCLOUD_SECRET_ID", SANDBOX_SECRET_ID)
            .env("QCLOUD_SECRET_KEY", SANDBOX_SECRET_KEY)
            .env_remove("QCLOUD_SECURITY_TOKEN")
            .env_remove("TENCENTCLOUD_SECRET_ID")
            .env_remove("TENCENTCLOUD_SECRET_KEY");
        for name in NETWORK_ENV {
            command.env_remove(name);
        }
        command
    }

    /// Runs `terraform <args>` against the sandbox.
    pub fn run(&self, terraform: &Terraform, args: &[&str]) -> Run {
        Terraform::run_command(self.command(terraform, args))
    }

    /// Runs `terraform <args>` against the sandbox, the provider speaking API `version`
    /// (`"2.0"` or `"3.0"`) at the sandbox's address for it.
    pub fn run_as(&self, terraform: &Terraform, version: &str, args: &[&str]) -> Run {
        let mut command = self.command(terraform, args);
        command.env("QCLOUD_API_VERSION", version);
        if version == "3.0" {
            command.env("QCLOUD_ENDPOINT", self.handle.url_3_0());
        }
        Terraform::run_command(command)
    }

    /// `terraform apply` under API `version`, then `terraform output -json`: the outputs.
    /// Panics, with Terraform's words, when either fails.
    pub fn apply_as(&self, terraform: &Terraform, version: &str) -> serde_json::Value {
        let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
        self.run_as(terraform, version, &apply).assert_success(&format!("apply ({version})"));
        let output = self.run_as(terraform, version, &["output", "-json"]);
        output.assert_success("terraform output");
        serde_json::from_str(&output.stdout()).expect("terraform output -json is JSON")
    }

    /// `terraform plan` under API `version`, which must fail: its error output.
    pub fn plan_failure_as(&self, terraform: &Terraform, version: &str) -> String {
        let run = self.run_as(terraform, version, &["plan", "-input=false", "-no-color"]);
        assert!(!run.output.status.success(), "plan should fail ({version}):\n{}", run.stdout());
        run.stderr()
    }

    /// The runtime serving the sandbox, for tests that drive it further.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
