//! Building the provider for a release: `cargo build --release` for one target, fully static
//! on Linux.
//!
//! A static Linux binary (`-C target-feature=+crt-static`, glibc static-pie) starts in any
//! container Terraform runs in: Alpine (musl), distroless, scratch. The flag is given for the
//! explicit `--target` build only, so build scripts and proc macros stay dynamic. The provider
//! then resolves names with hickory-dns instead of glibc's NSS modules (see its `Cargo.toml`).
//! A static binary also cannot find glibc's `getrandom` through `dlsym`, where the `getrandom`
//! crate looks for it, and would fall back to reading `/dev/urandom`, absent from scratch
//! images: the static build tells the crate to call the `getrandom` system call directly.
//!
//! Must not depend on the provider crate: it only runs cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::NAME;

/// The `RUSTFLAGS` of a static build: glibc linked in, and random numbers from the system call
/// rather than `/dev/urandom`.
pub const STATIC_FLAGS: &str =
    "-C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\"";

/// How the C runtime is linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// Everything in the binary: it needs no shared library at run time.
    Static,
    /// The platform's usual shared C runtime.
    Dynamic,
}

/// One build of the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// The Rust target triple, e.g. `x86_64-unknown-linux-gnu`.
    pub target: String,
    /// The cargo profile: `release` for what ships.
    pub profile: String,
    /// How the C runtime is linked.
    pub linkage: Linkage,
}

impl Build {
    /// The release build for `target`: static on Linux (glibc), the usual linkage elsewhere
    /// (macOS has no static C runtime; other platforms are built natively on their own runners).
    pub fn release(target: &str) -> Self {
        let linkage =
            if target.ends_with("-linux-gnu") { Linkage::Static } else { Linkage::Dynamic };
        Self { target: target.to_owned(), profile: "release".to_owned(), linkage }
    }

    /// The `RUSTFLAGS` for this build: the caller's, plus `+crt-static` when static.
    pub fn rustflags(&self, callers: Option<&str>) -> String {
        let mut flags = callers.unwrap_or_default().trim().to_owned();
        if self.linkage == Linkage::Static {
            if !flags.is_empty() {
                flags.push(' ');
            }
            flags.push_str(STATIC_FLAGS);
        }
        flags
    }

    /// Where cargo writes the binary, under the target directory `target_dir`.
    pub fn output(&self, target_dir: &Path) -> PathBuf {
        let profile = if self.profile == "dev" { "debug" } else { &self.profile };
        target_dir.join(&self.target).join(profile).join(NAME)
    }

    /// Runs the build and returns the path of the binary.
    pub fn run(&self) -> Result<PathBuf, String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let root = workspace_root();
        let rustflags = self.rustflags(std::env::var("RUSTFLAGS").ok().as_deref());
        let status = Command::new(&cargo)
            .current_dir(&root)
            .args(["build", "--locked", "--profile", &self.profile, "--target", &self.target])
            .args(["-p", NAME, "--bin", NAME])
            // The encoded form would win over RUSTFLAGS; this build sets its own.
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env("RUSTFLAGS", rustflags)
            .status()
            .map_err(|e| format!("could not run {cargo}: {e}"))?;
        if !status.success() {
            return Err(format!("cargo build --profile {} failed ({status})", self.profile));
        }
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root.join("target"), |dir| root.join(dir));
        Ok(self.output(&target_dir))
    }
}

/// The Rust target triple of this machine, from `rustc -vV`.
pub fn host_target() -> Result<String, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("could not run {rustc} -vV: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_owned())
        .ok_or_else(|| format!("{rustc} -vV printed no host line"))
}

/// The workspace root: the directory above this crate.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_gnu_releases_are_static_and_others_are_not() {
        let linux = Build::release("x86_64-unknown-linux-gnu");
        assert_eq!((linux.linkage, linux.profile.as_str()), (Linkage::Static, "release"));
        assert_eq!(Build::release("aarch64-apple-darwin").linkage, Linkage::Dynamic);
        assert_eq!(Build::release("x86_64-pc-windows-msvc").linkage, Linkage::Dynamic);
    }

    #[test]
    fn static_builds_add_crt_static_to_the_callers_flags() {
        let linux = Build::release("x86_64-unknown-linux-gnu");
        assert_eq!(
            linux.rustflags(None),
            "-C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\""
        );
        assert_eq!(
            linux.rustflags(Some("-C opt-level=2 ")),
            "-C opt-level=2 -C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\""
        );
        assert_eq!(Build::release("aarch64-apple-darwin").rustflags(Some("-g")), "-g");
    }

    #[test]
    fn the_binary_is_under_the_target_and_profile() {
        let mut build = Build::release("x86_64-unknown-linux-gnu");
        let out = build.output(Path::new("t"));
        assert_eq!(out, Path::new("t/x86_64-unknown-linux-gnu/release").join(NAME));
        build.profile = "dev".into();
        assert_eq!(
            build.output(Path::new("t")).parent(),
            Some(Path::new("t/x86_64-unknown-linux-gnu/debug"))
        );
    }

    #[test]
    fn the_host_target_is_known() {
        let host = host_target().expect("rustc runs");
        assert!(host.contains('-'), "{host}");
    }
}
