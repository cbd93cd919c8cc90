//! Release tooling for the provider: `cargo xtask package` lays a provider binary out as a
//! Terraform provider package; `cargo xtask catalog` rebuilds the catalog of public images
//! (see [`catalog`]).
//!
//! ```text
//! cargo xtask package                          # release build, then package into dist/
//! cargo xtask package --binary PATH --out DIR  # package an existing binary
//! ```
//!
//! Output (for version V on OS_ARCH, e.g. linux_amd64):
//! - `DIR/mirror/registry.terraform.io/qcloud/qcloud/V/OS_ARCH/terraform-provider-qcloud_vV`:
//!   an unpacked filesystem mirror for `provider_installation { filesystem_mirror { ... } }`;
//! - `DIR/release/terraform-provider-qcloud_V_OS_ARCH.zip`, `..._V_manifest.json` and
//!   `..._V_SHA256SUMS`: the files a Registry release holds.
//!
//! The provider's tests call [`package`] directly. Nothing here is part of the provider.

#![warn(missing_docs)]

pub mod catalog;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The provider's package and binary name.
pub const NAME: &str = "terraform-provider-qcloud";

/// The provider's version: the workspace shares one version between the provider and this
/// tool, so this is the version the provider reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The Registry manifest shipped with every release.
const MANIFEST: &str = include_str!("../../terraform-registry-manifest.json");

/// What [`package`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packaged {
    /// The executable inside the filesystem mirror.
    pub mirror_executable: PathBuf,
    /// The release zip.
    pub release_zip: PathBuf,
}

/// Lays `binary` out under `out` as a filesystem mirror and a Registry release for
/// `version` on this machine's platform.
pub fn package(binary: &Path, out: &Path, version: &str) -> Result<Packaged, String> {
    let platform = platform()?;
    let mirror_executable = lay_out_mirror(binary, out, version, &platform)?;
    let release_zip = write_release(binary, out, version, &platform)?;
    Ok(Packaged { mirror_executable, release_zip })
}

/// Runs `cargo build --release` for the provider package alone (so that no other member's
/// features are unified into it) and returns the path of the binary it produced.
pub fn build_release() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let root = workspace_root();
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args(["build", "--release", "-p", NAME, "--bin", NAME])
        .status()
        .map_err(|e| format!("could not run {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build --release failed ({status})"));
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    Ok(root.join(target).join("release").join(NAME))
}

/// The workspace root: the directory above this crate.
pub(crate) fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Terraform's `OS_ARCH` name for this machine, e.g. `linux_amd64`.
pub fn platform() -> Result<String, String> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm",
        other => return Err(format!("unsupported architecture {other}")),
    };
    Ok(format!("{}_{arch}", std::env::consts::OS))
}

fn lay_out_mirror(
    binary: &Path,
    out: &Path,
    version: &str,
    platform: &str,
) -> Result<PathBuf, String> {
    let dir = out.join("mirror/registry.terraform.io/qcloud/qcloud").join(version).join(platform);
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let target = dir.join(format!("{NAME}_v{version}"));
    fs::copy(binary, &target).map_err(|e| format!("could not copy {}: {e}", binary.display()))?;
    Ok(target)
}

fn write_release(
    binary: &Path,
    out: &Path,
    version: &str,
    platform: &str,
) -> Result<PathBuf, String> {
    let dir = out.join("release");
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let zip_name = format!("{NAME}_{version}_{platform}.zip");
    let zip_path = dir.join(&zip_name);
    let executable =
        fs::read(binary).map_err(|e| format!("could not read {}: {e}", binary.display()))?;
    let zip_bytes = zip_executable(&format!("{NAME}_v{version}"), &executable)?;
    write(&zip_path, &zip_bytes)?;
    let manifest_name = format!("{NAME}_{version}_manifest.json");
    write(&dir.join(&manifest_name), MANIFEST.as_bytes())?;
    let sums = format!(
        "{}  {zip_name}\n{}  {manifest_name}\n",
        hex_sha256(&zip_bytes),
        hex_sha256(MANIFEST.as_bytes())
    );
    write(&dir.join(format!("{NAME}_{version}_SHA256SUMS")), sums.as_bytes())?;
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
    hex::encode(Sha256::digest(bytes))
}
