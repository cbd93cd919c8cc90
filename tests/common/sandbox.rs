//! An in-process sandbox API for end-to-end tests, and `terraform` commands pointed at it.

use std::process::Command;

use qcloud_sandbox::{
    SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig, SandboxHandle,
};

use super::terraform::{Run, Terraform};

/// A running sandbox and the runtime that serves it (the handle is dropped first).
pub struct SandboxEnv {
    pub handle: SandboxHandle,
    runtime: tokio::runtime::Runtime,
}

impl SandboxEnv {
    /// A sandbox with the built-in catalog and credentials.
    pub fn start() -> Self {
        Self::with_config(SandboxConfig::default())
    }

    /// A sandbox with `config`.
    pub fn with_config(config: SandboxConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let handle = runtime.block_on(async {
            let listener =
                tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback listens");
            Sandbox::start(config, listener).expect("the sandbox starts")
        });
        Self { handle, runtime }
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
