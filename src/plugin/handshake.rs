//! The go-plugin handshake: the magic cookie check, protocol version negotiation, and the
//! lines the plugin prints for its host (the handshake line, and in debug mode the
//! `TF_REATTACH_PROVIDERS` line).
//!
//! Pure functions: no I/O, no environment access. Must not depend on gRPC or TLS.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// The environment variable Terraform sets to prove that it launched the plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";

/// The value Terraform gives [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The environment variable listing the plugin protocol versions Terraform speaks.
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";

/// The only plugin protocol version this provider speaks (tfplugin6).
pub const PROTOCOL_VERSION: u32 = 6;

/// go-plugin's own handshake format version, the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// The binary was started without Terraform's magic cookie: someone ran it by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLaunchedByTerraform;

impl fmt::Display for NotLaunchedByTerraform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(concat!(
            "This binary is a plugin: the qcloud provider for Terraform. It is not meant to be ",
            "run directly; Terraform starts it when a configuration uses the provider.\n",
            "To use it, declare it in your configuration with\n",
            "  terraform { required_providers { qcloud = { source = \"qcloud/qcloud\" } } }\n",
            "and run `terraform init`, or, for a local build, list its directory under ",
            "`provider_installation { dev_overrides { ... } }` in the Terraform CLI ",
            "configuration and run `terraform plan` without `terraform init`.\n",
            "To attach a debugger, run it with -debug and follow the instructions it prints.",
        ))
    }
}

impl std::error::Error for NotLaunchedByTerraform {}

/// Checks the magic cookie (the value of [`MAGIC_COOKIE_KEY`], if set).
pub fn check_cookie(value: Option<&str>) -> Result<(), NotLaunchedByTerraform> {
    match value {
        Some(MAGIC_COOKIE_VALUE) => Ok(()),
        _ => Err(NotLaunchedByTerraform),
    }
}

/// The host offered no protocol version this provider speaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "This provider speaks Terraform plugin protocol {PROTOCOL_VERSION} only, but the client \
     offered {offered:?}: use Terraform 1.0 or later, or OpenTofu."
)]
pub struct UnsupportedVersions {
    /// The value of `PLUGIN_PROTOCOL_VERSIONS`, as given.
    pub offered: String,
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (a comma-separated list in any
/// order). Unset or empty means the host takes the plugin's version, as go-plugin does.
pub fn negotiate_version(offered: Option<&str>) -> Result<u32, UnsupportedVersions> {
    let offered = offered.unwrap_or("").trim();
    if offered.is_empty() {
        return Ok(PROTOCOL_VERSION);
    }
    let mut versions = offered.split(',').filter_map(|v| v.trim().parse::<u32>().ok());
    if versions.any(|v| v == PROTOCOL_VERSION) {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(UnsupportedVersions { offered: offered.to_string() })
    }
}

/// The handshake line: `1|6|unix|<socket>|grpc|<server certificate>`, where the certificate
/// is its DER in standard base64 without padding, or empty when serving plaintext.
pub fn handshake_line(socket: &Path, server_certificate_der: Option<&[u8]>) -> String {
    let certificate = server_certificate_der.map(|der| STANDARD_NO_PAD.encode(der));
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|unix|{}|grpc|{}",
        socket.display(),
        certificate.unwrap_or_default()
    )
}

/// The `TF_REATTACH_PROVIDERS='...'` line that lets Terraform use a provider started with
/// `-debug`. `"Test": true` is required: without it Terraform assumes protocol 5.
pub fn reattach_line(provider_address: &str, pid: u32, socket: &Path) -> String {
    let config = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": "unix", "String": socket.to_string_lossy() },
        }
    });
    format!("TF_REATTACH_PROVIDERS='{config}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_be_exactly_terraforms() {
        assert_eq!(check_cookie(Some(MAGIC_COOKIE_VALUE)), Ok(()));
        let wrong = ["", "d602bf8f", &MAGIC_COOKIE_VALUE.to_uppercase(), " d602"];
        for value in wrong {
            assert_eq!(check_cookie(Some(value)), Err(NotLaunchedByTerraform), "{value:?}");
        }
        assert_eq!(check_cookie(None), Err(NotLaunchedByTerraform));
    }

    #[test]
    fn cookie_message_says_what_the_binary_is_and_how_to_use_it() {
        let message = NotLaunchedByTerraform.to_string();
        for needle in ["plugin", "Terraform", "terraform init", "dev_overrides", "qcloud/qcloud"] {
            assert!(message.contains(needle), "missing {needle:?} in {message}");
        }
    }

    #[test]
    fn version_six_is_found_in_any_order_and_spacing() {
        for offered in ["6", "5,6", "6,5", " 5 , 6 ", "4,6,5", "x,6", "7,6"] {
            assert_eq!(negotiate_version(Some(offered)), Ok(6), "{offered:?}");
        }
    }

    #[test]
    fn unset_or_empty_versions_mean_the_plugins_own() {
        assert_eq!(negotiate_version(None), Ok(6));
        assert_eq!(negotiate_version(Some("")), Ok(6));
        assert_eq!(negotiate_version(Some("  ")), Ok(6));
    }

    #[test]
    fn versions_without_six_are_refused_with_a_clear_line() {
        for offered in ["5", "4,5", "7", "16", "60", "x"] {
            let error = negotiate_version(Some(offered)).expect_err(offered);
            assert_eq!(error.offered, offered);
            let line = error.to_string();
            assert!(!line.contains('\n'), "one line only: {line}");
            assert!(line.contains("protocol 6") && line.contains(offered), "{line}");
        }
    }

    #[test]
    fn handshake_line_with_certificate_uses_unpadded_standard_base64() {
        // 4 bytes encode to 6 characters plus "==" padding, which must be dropped;
        // 0xfb 0xff exercise the characters where the standard and URL alphabets differ.
        let line =
            handshake_line(Path::new("/tmp/plugin1/grpc.sock"), Some(&[0xfb, 0xff, 0xbf, 1]));
        assert_eq!(line, "1|6|unix|/tmp/plugin1/grpc.sock|grpc|+/+/AQ");
    }

    #[test]
    fn handshake_line_without_certificate_has_an_empty_last_field() {
        let line = handshake_line(Path::new("/tmp/p/grpc.sock"), None);
        assert_eq!(line, "1|6|unix|/tmp/p/grpc.sock|grpc|");
    }

    #[test]
    fn reattach_line_is_quoted_json_with_test_true() {
        let line = reattach_line("registry.terraform.io/qcloud/qcloud", 42, Path::new("/tmp/s"));
        let json = line
            .strip_prefix("TF_REATTACH_PROVIDERS='")
            .and_then(|rest| rest.strip_suffix('\''))
            .expect("the JSON is single-quoted after the variable name");
        let parsed: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
        let expected = serde_json::json!({
            "registry.terraform.io/qcloud/qcloud": {
                "Protocol": "grpc",
                "ProtocolVersion": 6,
                "Pid": 42,
                "Test": true,
                "Addr": { "Network": "unix", "String": "/tmp/s" },
            }
        });
        assert_eq!(parsed, expected);
    }
}
