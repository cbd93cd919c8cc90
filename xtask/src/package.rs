//! Lays a provider binary out as a filesystem mirror and as the files of a Registry release.
//!
//! Must not depend on the provider crate: it only copies, zips, hashes and (through [`Signer`])
//! signs files.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::NAME;
use crate::platform::Platform;
use crate::sign::Signer;

/// The Registry manifest shipped with every release.
const MANIFEST: &str = include_str!("../../terraform-registry-manifest.json");

/// What one release is: its version, its platform, and who signs it.
#[derive(Debug, Clone)]
pub struct Release {
    /// The provider version, e.g. `0.1.0`.
    pub version: String,
    /// The platform the binary was built for.
    pub platform: Platform,
    /// Signs `SHA256SUMS`; `None` leaves the release unsigned (fine for a mirror, not for the
    /// Registry).
    pub signer: Option<Signer>,
}

/// What [`package`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packaged {
    /// The executable inside the filesystem mirror.
    pub mirror_executable: PathBuf,
    /// The release zip.
    pub release_zip: PathBuf,
    /// `SHA256SUMS` of the zip and the manifest.
    pub sums: PathBuf,
    /// `SHA256SUMS.sig`, when the release was signed.
    pub signature: Option<PathBuf>,
}

/// Lays `binary` out under `out` as a filesystem mirror (`out/mirror`) and a Registry release
/// (`out/release`).
pub fn package(binary: &Path, out: &Path, release: &Release) -> Result<Packaged, String> {
    let mirror_executable = lay_out_mirror(binary, out, release)?;
    let (release_zip, sums) = write_release(binary, out, release)?;
    let signature = release.signer.as_ref().map(|signer| signer.sign(&sums)).transpose()?;
    Ok(Packaged { mirror_executable, release_zip, sums, signature })
}

/// The executable's name inside the mirror and the zip, e.g. `terraform-provider-qcloud_v0.1.0`.
pub fn executable_name(release: &Release) -> String {
    format!("{NAME}_v{}{}", release.version, release.platform.executable_suffix())
}

fn lay_out_mirror(binary: &Path, out: &Path, release: &Release) -> Result<PathBuf, String> {
    let dir = out
        .join("mirror/registry.terraform.io/qcloud/qcloud")
        .join(&release.version)
        .join(release.platform.to_string());
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let target = dir.join(executable_name(release));
    fs::copy(binary, &target).map_err(|e| format!("could not copy {}: {e}", binary.display()))?;
    Ok(target)
}

fn write_release(
    binary: &Path,
    out: &Path,
    release: &Release,
) -> Result<(PathBuf, PathBuf), String> {
    let dir = out.join("release");
    fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    let version = &release.version;
    let zip_name = format!("{NAME}_{version}_{}.zip", release.platform);
    let zip_path = dir.join(&zip_name);
    let executable =
        fs::read(binary).map_err(|e| format!("could not read {}: {e}", binary.display()))?;
    let zip_bytes = zip_executable(&executable_name(release), &executable)?;
    write(&zip_path, &zip_bytes)?;
    let manifest_name = format!("{NAME}_{version}_manifest.json");
    write(&dir.join(&manifest_name), MANIFEST.as_bytes())?;
    let sums = format!(
        "{}  {zip_name}\n{}  {manifest_name}\n",
        hex_sha256(&zip_bytes),
        hex_sha256(MANIFEST.as_bytes())
    );
    let sums_path = dir.join(format!("{NAME}_{version}_SHA256SUMS"));
    write(&sums_path, sums.as_bytes())?;
    Ok((zip_path, sums_path))
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
