//! `cargo run --example quickstart`: the whole job, end to end, on the built-in sandbox.
//!
//! 1. builds the provider alone
//!    (`cargo build -p terraform-provider-qcloud --bin terraform-provider-qcloud`);
//! 2. starts the sandbox API on loopback with its well-known credentials;
//! 3. points Terraform at the build with a temporary `dev_overrides` CLI configuration;
//! 4. runs `terraform apply` on `examples/quickstart/` and prints the image ids it chose;
//! 5. removes everything it created.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use qcloud_sandbox::{
    SANDBOX_REGION, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxConfig,
};

const PROVIDER: &str = "terraform-provider-qcloud";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quickstart: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let provider = build_provider()?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("tokio runtime: {e}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| format!("could not listen on loopback: {e}"))?;
    let sandbox = runtime
        .block_on(async { Sandbox::start(SandboxConfig::default(), listener) })
        .map_err(|e| format!("could not start the sandbox: {e}"))?;
    println!("sandbox API listening at {}", sandbox.url());

    let scratch = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let workdir = prepare(scratch.path(), &provider)?;
    let terraform = |args: &[&str]| {
        Command::new("terraform")
            .args(args)
            .current_dir(&workdir)
            .env("TF_CLI_CONFIG_FILE", scratch.path().join("dev.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("QCLOUD_ENDPOINT", sandbox.url())
            .env("QCLOUD_REGION", SANDBOX_REGION)
            .env("QCLOUD_SECRET_ID", SANDBOX_SECRET_ID)
            .env("QCLOUD_SECRET_KEY", SANDBOX_SECRET_KEY)
            .output()
            .map_err(|e| format!("could not run terraform (is it installed and on PATH?): {e}"))
    };

    let apply = terraform(&["apply", "-auto-approve", "-input=false", "-no-color"])?;
    print!("{}", String::from_utf8_lossy(&apply.stdout));
    if !apply.status.success() {
        return Err(format!("terraform apply failed:\n{}", String::from_utf8_lossy(&apply.stderr)));
    }
    let output = terraform(&["output", "-json"])?;
    if !output.status.success() {
        return Err(format!(
            "terraform output failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    print_choices(&output.stdout)?;
    runtime.block_on(sandbox.shutdown()).map_err(|e| format!("stopping the sandbox: {e}"))?;
    Ok(())
}

/// Builds the provider binary and returns its path.
fn build_provider() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(&cargo)
        .args(["build", "--quiet", "-p", PROVIDER, "--bin", PROVIDER, "--message-format=json"])
        .output()
        .map_err(|e| format!("could not run {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the provider failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["target"]["name"] == PROVIDER)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo did not report the provider binary".to_string())
}

/// Lays out the scratch directory: the binary for `dev_overrides`, the CLI configuration, and
/// a copy of the quickstart configuration. Returns the working directory.
fn prepare(scratch: &Path, provider: &Path) -> Result<PathBuf, String> {
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    let plugins = scratch.join("plugins");
    let workdir = scratch.join("quickstart");
    std::fs::create_dir_all(&plugins).map_err(|e| io("plugins directory", e))?;
    std::fs::create_dir_all(&workdir).map_err(|e| io("working directory", e))?;
    std::os::unix::fs::symlink(provider, plugins.join(PROVIDER)).map_err(|e| io("symlink", e))?;
    let cli_config = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/qcloud/qcloud\" = {:?}\n  }}\n  direct {{}}\n}}\n",
        plugins.display().to_string()
    );
    std::fs::write(scratch.join("dev.tfrc"), cli_config).map_err(|e| io("CLI configuration", e))?;
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf");
    std::fs::copy(&example, workdir.join("main.tf")).map_err(|e| io("copying main.tf", e))?;
    Ok(workdir)
}

/// Prints the outputs that hold image ids.
fn print_choices(json: &[u8]) -> Result<(), String> {
    let outputs: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("terraform output -json: {e}"))?;
    println!("\nImages Terraform chose:");
    for (name, output) in outputs.as_object().into_iter().flatten() {
        println!("  {name:<22} {}", output["value"].as_str().unwrap_or("(none)"));
    }
    Ok(())
}
