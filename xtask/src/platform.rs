//! Terraform's platform names (`OS_ARCH`, e.g. `linux_amd64`) from a fixed table of the names
//! the Registry and `terraform init` know. A Rust target whose OS or architecture is not in the
//! table is refused, rather than packaged under a name no Terraform would look for.
//!
//! Pure: no I/O.

use std::fmt;

/// Rust's OS names (the third or fourth part of a target triple, and `std::env::consts::OS`)
/// and the Registry's name for each. macOS is `darwin` to Terraform.
const OPERATING_SYSTEMS: &[(&str, &str)] = &[
    ("linux", "linux"),
    ("darwin", "darwin"),
    ("macos", "darwin"),
    ("windows", "windows"),
    ("freebsd", "freebsd"),
    ("openbsd", "openbsd"),
    ("solaris", "solaris"),
];

/// Rust's architecture names (the first part of a target triple, and `std::env::consts::ARCH`)
/// and the Registry's name for each.
const ARCHITECTURES: &[(&str, &str)] = &[
    ("x86_64", "amd64"),
    ("aarch64", "arm64"),
    ("i686", "386"),
    ("i586", "386"),
    ("x86", "386"),
    ("arm", "arm"),
    ("armv6", "arm"),
    ("armv7", "arm"),
];

/// A platform as Terraform names it: the `OS_ARCH` part of package and mirror paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    /// The Registry's OS name: `linux`, `darwin`, `windows`, `freebsd`, `openbsd` or `solaris`.
    pub os: &'static str,
    /// The Registry's architecture name: `amd64`, `arm64`, `386` or `arm`.
    pub arch: &'static str,
}

impl Platform {
    /// The platform this tool runs on.
    pub fn host() -> Result<Self, String> {
        Self::from_parts(std::env::consts::ARCH, std::env::consts::OS)
    }

    /// The platform of a Rust target triple, e.g. `aarch64-apple-darwin` → `darwin_arm64`.
    pub fn from_target(triple: &str) -> Result<Self, String> {
        let arch = triple.split('-').next().unwrap_or_default();
        let os = triple
            .split('-')
            .skip(1)
            .find(|part| OPERATING_SYSTEMS.iter().any(|(rust, _)| rust == part))
            .ok_or_else(|| {
                format!(
                    "target {triple:?} is for an OS the Terraform Registry has no name for; \
                     supported: {}",
                    supported(OPERATING_SYSTEMS)
                )
            })?;
        Self::from_parts(arch, os)
    }

    /// The platform of Rust's architecture and OS names.
    fn from_parts(arch: &str, os: &str) -> Result<Self, String> {
        let os = lookup(OPERATING_SYSTEMS, os).ok_or_else(|| {
            format!(
                "OS {os:?} has no Terraform Registry name; supported: {}",
                supported(OPERATING_SYSTEMS)
            )
        })?;
        let arch = lookup(ARCHITECTURES, arch).ok_or_else(|| {
            format!(
                "architecture {arch:?} has no Terraform Registry name; supported: {}",
                supported(ARCHITECTURES)
            )
        })?;
        Ok(Self { os, arch })
    }

    /// The file name suffix of executables on this platform (`.exe` on Windows).
    pub fn executable_suffix(&self) -> &'static str {
        if self.os == "windows" { ".exe" } else { "" }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.os, self.arch)
    }
}

fn lookup(table: &[(&str, &'static str)], rust: &str) -> Option<&'static str> {
    table.iter().find(|(name, _)| *name == rust).map(|(_, registry)| *registry)
}

fn supported(table: &[(&str, &str)]) -> String {
    let names: Vec<&str> = table.iter().map(|(rust, _)| *rust).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_get_the_registry_names() {
        let cases = [
            ("x86_64-unknown-linux-gnu", "linux_amd64"),
            ("x86_64-unknown-linux-musl", "linux_amd64"),
            ("aarch64-unknown-linux-gnu", "linux_arm64"),
            ("i686-unknown-linux-gnu", "linux_386"),
            ("armv7-unknown-linux-gnueabihf", "linux_arm"),
            ("x86_64-apple-darwin", "darwin_amd64"),
            ("aarch64-apple-darwin", "darwin_arm64"),
            ("x86_64-pc-windows-msvc", "windows_amd64"),
            ("i686-pc-windows-msvc", "windows_386"),
            ("x86_64-unknown-freebsd", "freebsd_amd64"),
            ("x86_64-unknown-openbsd", "openbsd_amd64"),
            ("x86_64-pc-solaris", "solaris_amd64"),
        ];
        for (triple, want) in cases {
            let platform = Platform::from_target(triple).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(platform.to_string(), want, "{triple}");
        }
    }

    #[test]
    fn macos_is_darwin_to_terraform() {
        assert_eq!(Platform::from_parts("aarch64", "macos").unwrap().to_string(), "darwin_arm64");
        assert_eq!(Platform::from_parts("x86_64", "macos").unwrap().to_string(), "darwin_amd64");
    }

    #[test]
    fn platforms_outside_the_table_are_refused() {
        for (triple, words) in [
            ("riscv64gc-unknown-linux-gnu", "architecture \"riscv64gc\""),
            ("wasm32-unknown-unknown", "no name for"),
            ("x86_64-unknown-netbsd", "no name for"),
            ("powerpc64le-unknown-linux-gnu", "architecture \"powerpc64le\""),
        ] {
            let error = Platform::from_target(triple).expect_err(triple);
            assert!(error.contains(words) && error.contains("supported"), "{triple}: {error}");
        }
    }

    #[test]
    fn windows_executables_end_in_exe() {
        assert_eq!(
            Platform::from_target("x86_64-pc-windows-msvc").unwrap().executable_suffix(),
            ".exe"
        );
        assert_eq!(Platform::from_target("x86_64-apple-darwin").unwrap().executable_suffix(), "");
    }

    #[test]
    fn this_host_has_a_registry_name() {
        let host = Platform::host().expect("the machines building releases are in the table");
        assert!(!host.to_string().contains("macos"), "{host}");
    }
}
