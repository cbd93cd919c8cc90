//! `qcloud-package`: builds a release binary and lays it out as a Terraform provider package.
//!
//! ```text
//! cargo run --bin qcloud-package                 # release build, then package into dist/
//! qcloud-package --binary PATH --out DIR         # package an existing binary
//! ```
//!
//! Output (for version V on OS_ARCH, e.g. linux_amd64):
//! - `DIR/mirror/registry.terraform.io/qcloud/qcloud/V/OS_ARCH/terraform-provider-qcloud_vV`:
//!   an unpacked filesystem mirror for `provider_installation { filesystem_mirror { ... } }`;
//! - `DIR/release/terraform-provider-qcloud_V_OS_ARCH.zip`, `..._V_manifest.json` and
//!   `..._V_SHA256SUMS`: the files a Registry release holds.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sha2::{Digest, Sha256};

const NAME: &str = "terraform-provider-qcloud";
const VERSION: &str = env!("CARGO_PKG_VERSION");
const MANIFEST: &str = include_str!("../../terraform-registry-manifest.json");

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("qcloud-package: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Options {
    binary: Option<PathBuf>,
    out: PathBuf,
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options { binary: None, out: PathBuf::from("dist") };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--binary" => options.binary = Some(PathBuf::from(value()?)),
            "--out" => options.out = PathBuf::from(value()?),
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    Ok(options)
}

fn usage() -> String {
    "usage: qcloud-package [--binary PATH] [--out DIR]\n\
     Without --binary, builds `cargo build --release --bin terraform-provider-qcloud` first."
        .to_string()
}

fn run(args: Vec<String>) -> Result<(), String> {
    let options = parse(args)?;
    let binary = match options.binary {
        Some(path) => path,
        None => build_release()?,
    };
    let platform = platform()?;
    let installed = lay_out_mirror(&binary, &options.out, &platform)?;
    let zip = write_release(&binary, &options.out, &platform)?;
    println!("{}", installed.display());
    println!("{}", zip.display());
    Ok(())
}

/// Runs the release build and returns the path of the provider binary it produced.
fn build_release() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--bin", NAME])
        .status()
        .map_err(|e| format!("could not run {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build --release failed ({status})"));
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    Ok(Path::new(&target).join("release").join(NAME))
}

/// Terraform's `OS_ARCH` name for this machine, e.g. `linux_amd64`.
fn platform() -> Result<String, String> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        other => return Err(format!("unsupported architecture {other}")),
    };
    Ok(format!("{}_{arch}", std::env::consts::OS))
}

fn lay_out_mirror(binary: &Path, out: &Path, platform: &str) -> Result<PathBuf, String> {
    let dir = out.join("mirror/registry.terraform.io/qcloud/qcloud").join(VERSION).join(platform);
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let target = dir.join(format!("{NAME}_v{VERSION}"));
    fs::copy(binary, &target).map_err(|e| format!("could not copy {}: {e}", binary.display()))?;
    Ok(target)
}

fn write_release(binary: &Path, out: &Path, platform: &str) -> Result<PathBuf, String> {
    let dir = out.join("release");
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let zip_name = format!("{NAME}_{VERSION}_{platform}.zip");
    let zip_path = dir.join(&zip_name);
    let executable =
        fs::read(binary).map_err(|e| format!("could not read {}: {e}", binary.display()))?;
    let zip_bytes = zip_executable(&format!("{NAME}_v{VERSION}"), &executable)?;
    write(&zip_path, &zip_bytes)?;
    let manifest_name = format!("{NAME}_{VERSION}_manifest.json");
    write(&dir.join(&manifest_name), MANIFEST.as_bytes())?;
    let sums = format!(
        "{}  {zip_name}\n{}  {manifest_name}\n",
        hex_sha256(&zip_bytes),
        hex_sha256(MANIFEST.as_bytes())
    );
    write(&dir.join(format!("{NAME}_{VERSION}_SHA256SUMS")), sums.as_bytes())?;
    Ok(zip_path)
}

fn zip_executable(name: &str, executable: &[u8]) -> Result<Vec<u8>, String> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    let fail = |e: &dyn std::fmt::Display| format!("could not write the zip: {e}");
    writer.start_file(name, options).map_err(|e| fail(&e))?;
    writer.write_all(executable).map_err(|e| fail(&e))?;
    Ok(writer.finish().map_err(|e| fail(&e))?.into_inner())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("could not write {}: {e}", path.display()))
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
