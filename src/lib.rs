//! terraform-provider-qcloud: a Terraform provider that looks up Tencent Cloud machine images.
//!
//! # Layout
//! Dependencies point one way, from the top of this list to the bottom:
//!
//! - [`plugin`]: process launch. Magic cookie and protocol version checks, the go-plugin
//!   handshake line, automatic mutual TLS, the controller's Shutdown, `-debug` reattach mode.
//! - [`tfplugin`]: the only module that sees generated protobuf types. Converts them to and
//!   from the crate's own types and hosts the thin gRPC `tfplugin6.Provider` service.
//! - [`provider`]: the [`provider::Provider`] trait the service calls, and the qcloud provider
//!   that implements it (provider block, settings in Terraform's words, dispatch through the
//!   data-source registry).
//! - [`data_sources`] and [`functions`]: the [`data_sources::DataSource`] trait, its
//!   [`data_sources::Registry`] and the data sources (`qcloud_images`,
//!   `qcloud_image_from_family`); the pinned public-image functions. No protobuf, no HTTP.
//! - [`schema`], [`diag`] and [`arguments`]: schema model, diagnostics, and the provider
//!   arguments' names and environment variables, shared by everything above.
//! - [`cty`]: Terraform's value model and its msgpack / JSON codecs. Knows nothing of gRPC or HTTP.
//! - [`qcloud`]: the Tencent Cloud API client: a transport that knows no action, and the image
//!   actions spelled for API 2.0 and 3.0. Knows nothing of Terraform.
//! - [`logging`]: hclog-style JSON log lines on stderr.
//!
//! Not here: the sandbox API the provider is tested against (the `qcloud-sandbox` crate, in
//! `crates/qcloud-sandbox`) and the release tooling (`xtask`). They are workspace members of
//! their own, so the binary Terraform launches carries neither.

pub mod arguments;
pub mod cty;
pub mod data_sources;
pub mod diag;
pub mod functions;
pub mod logging;
pub mod plugin;
pub mod provider;
pub mod qcloud;
pub mod schema;
pub mod tfplugin;

/// The provider's version, as printed by `--version` and reported in packaging.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The provider's source address in the Terraform Registry namespace.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/qcloud/qcloud";
