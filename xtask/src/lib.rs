//! Release tooling for the provider, run as `cargo xtask <command>`.
//!
//! ```text
//! cargo xtask package                             # static release build for this machine, into dist/
//! cargo xtask package --gpg-key KEY               # ... and sign SHA256SUMS with KEY
//! cargo xtask package --binary PATH --out DIR     # package a binary built elsewhere
//! cargo xtask package --target TRIPLE             # build and name the package for TRIPLE
//! cargo xtask catalog                             # rebuild data/public-images.tsv (API 3.0)
//! ```
//!
//! Output (for version V on OS_ARCH, e.g. linux_amd64, named from a fixed table):
//! - `DIR/mirror/registry.terraform.io/qcloud/qcloud/V/OS_ARCH/terraform-provider-qcloud_vV`:
//!   an unpacked filesystem mirror for `provider_installation { filesystem_mirror { ... } }`;
//! - `DIR/release/terraform-provider-qcloud_V_OS_ARCH.zip`, `..._V_manifest.json`,
//!   `..._V_SHA256SUMS` and, when signed, `..._V_SHA256SUMS.sig`: the files of a Registry
//!   release.
//!
//! # Layout
//! - [`platform`]: Terraform's `OS_ARCH` names, from a fixed table; anything else is refused.
//! - [`compile`]: the release build, fully static on Linux.
//! - [`package`]: the mirror and release layout, zip and `SHA256SUMS`.
//! - [`sign`]: the detached GPG signature of `SHA256SUMS`.
//! - [`catalog`]: `cargo xtask catalog`, the rebuild of the pinned public images' catalog.
//!
//! The provider's tests call these directly. Nothing here is part of the provider.

#![warn(missing_docs)]

pub mod catalog;
pub mod compile;
pub mod package;
pub mod platform;
pub mod sign;

pub use compile::{Build, Linkage};
pub use package::{Packaged, Release, executable_name, package};
pub use platform::Platform;
pub use sign::Signer;

/// The provider's package and binary name.
pub const NAME: &str = "terraform-provider-qcloud";

/// The provider's version: the workspace shares one version between the provider and this
/// tool, so this is the version the provider reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
