//! Runs the real `terraform` CLI against the built provider, offline: a temporary CLI
//! configuration with `dev_overrides` pointing at a directory that holds only the binary,
//! and a temporary working directory. No `terraform init` (it would ask the registry).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use super::plugin::BINARY;

/// Set to `1` to make a missing `terraform` a failure instead of a skip.
pub const REQUIRE_KEY: &str = "QCLOUD_REQUIRE_TERRAFORM";

/// A Terraform working directory wired to the built provider.
pub struct Terraform {
    program: PathBuf,
    work: tempfile::TempDir,
    cli_config: PathBuf,
    _plugins: tempfile::TempDir,
}

/// The start of a configuration: the provider's source address, and a provider block that
/// takes everything from the environment.
pub const HEADER: &str = r#"
terraform {
  required_providers {
    qcloud = { source = "qcloud/qcloud" }
  }
}

provider "qcloud" {}
"#;

/// A configuration that uses the provider and nothing else.
pub const PROVIDER_ONLY: &str = HEADER;

/// One read of a pinned public image, with no retries so that a failure shows at once.
pub const PINNED_CENTOS_READ: &str = r#"
terraform {
  required_providers {
    qcloud = { source = "qcloud/qcloud" }
  }
}

provider "qcloud" {
  max_retries = 0
}

data "qcloud_images" "centos" {
  image_type  = "public"
  name_regex  = "^CentOS 7\\.2"
  most_recent = true
}

output "id" {
  value = data.qcloud_images.centos.image_id
}
"#;

/// What one `terraform` command did.
#[derive(Debug)]
pub struct Run {
    pub output: Output,
    pub elapsed: Duration,
}

impl Run {
    /// Stdout as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Stderr as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Panics with both streams unless the command succeeded.
    pub fn assert_success(&self, what: &str) {
        assert!(
            self.output.status.success(),
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.output.status,
            self.stdout(),
            self.stderr()
        );
    }
}

impl Terraform {
    /// A fresh working directory, or `None` (after saying why) when `terraform` is not on
    /// PATH and [`REQUIRE_KEY`] is not `1`, in which case the calling test returns early.
    pub fn new_or_skip(test: &str) -> Option<Self> {
        Some(Self::with_program(program_or_skip(test)?))
    }

    /// Like [`Terraform::new_or_skip`], but with `cli_config` as the whole CLI configuration
    /// instead of the `dev_overrides` one (e.g. a `filesystem_mirror`, to test `terraform init`).
    pub fn with_cli_config_or_skip(test: &str, cli_config: &str) -> Option<Self> {
        let program = program_or_skip(test)?;
        let work = tempfile::tempdir().expect("a temp dir");
        let path = work.path().join("cli.tfrc");
        std::fs::write(&path, cli_config).expect("writing the CLI config works");
        let plugins = tempfile::tempdir().expect("a temp dir");
        Some(Self { program, work, cli_config: path, _plugins: plugins })
    }

    /// Copies the files of `dir` (not its subdirectories) into the working directory.
    pub fn copy_files_from(&self, dir: &Path) {
        let entries = std::fs::read_dir(dir).expect("the directory to copy is readable");
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_file() {
                let name = path.file_name().expect("a file has a name");
                std::fs::copy(&path, self.dir().join(name)).expect("copying a file works");
            }
        }
    }

    fn with_program(program: PathBuf) -> Self {
        let plugins = tempfile::tempdir().expect("a temp dir");
        std::os::unix::fs::symlink(BINARY, plugins.path().join("terraform-provider-qcloud"))
            .expect("symlinking the provider works");
        let work = tempfile::tempdir().expect("a temp dir");
        let cli_config = work.path().join("cli.tfrc");
        let overrides = format!(
            "provider_installation {{\n  dev_overrides {{\n    \
             \"registry.terraform.io/qcloud/qcloud\" = \"{}\"\n  }}\n}}\n",
            plugins.path().display()
        );
        std::fs::write(&cli_config, overrides).expect("writing the CLI config works");
        Self { program, work, cli_config, _plugins: plugins }
    }

    /// The working directory.
    pub fn dir(&self) -> &Path {
        self.work.path()
    }

    /// Writes `main.tf` (or any other file) in the working directory.
    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.dir().join(name), contents).expect("writing a config file works");
    }

    /// A `terraform` command in the working directory, isolated from the caller's Terraform
    /// settings; add environment variables before running it with [`Terraform::run_command`].
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.program);
        command.args(args).current_dir(self.dir());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("TF_") && !key.starts_with("TF_LOG") {
                command.env_remove(key.as_ref());
            }
        }
        command
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1");
        command
    }

    /// Runs a prepared command, timing it.
    pub fn run_command(mut command: Command) -> Run {
        let started = Instant::now();
        let output = command.output().expect("terraform runs");
        Run { output, elapsed: started.elapsed() }
    }

    /// Runs `terraform <args>`.
    pub fn run(&self, args: &[&str]) -> Run {
        Self::run_command(self.command(args))
    }
}

/// The `terraform` on PATH, or `None` (after saying why) when there is none and
/// [`REQUIRE_KEY`] is not `1`; panics when it is `1`.
pub fn program_or_skip(test: &str) -> Option<PathBuf> {
    let Some(program) = find_on_path("terraform") else {
        let required = std::env::var(REQUIRE_KEY).is_ok_and(|v| v == "1");
        assert!(!required, "{test}: terraform is not on PATH but {REQUIRE_KEY}=1");
        eprintln!("SKIPPED {test}: terraform is not on PATH (set {REQUIRE_KEY}=1 to fail)");
        return None;
    };
    Some(program)
}

/// The first executable named `name` on PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| {
        std::fs::metadata(candidate)
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}
