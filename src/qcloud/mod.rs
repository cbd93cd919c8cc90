//! The Tencent Cloud API client, in two parts: a transport that knows no action, and the
//! actions, each spelled for both API versions.
//!
//! # Layout
//! - [`settings`]: settings valid by construction, credentials (redacted, wiped on drop).
//! - [`call`]: one call as an action states it, before signing.
//! - [`v2`] and [`v3`]: the two protocols: signing (pure, time and nonce passed in), signed
//!   requests, and the answer envelopes.
//! - [`transport`]: sign, send, retry, rate limit, cancel; the error envelope of each version.
//! - [`images`]: the image actions (`DescribeImages`): model, paging, and each version's
//!   parameters and fields behind one seam.
//! - [`api`]: the [`Api`] trait the provider calls, and [`SharedApi`] (identical calls share one
//!   answer); [`client`]: the [`Client`] that implements it.
//! - [`error`] and [`json`]: typed errors in the API's own terms, and lenient JSON reading.
//!
//! Dependencies point one way: `api`/`client` → `images` → `transport` → `v2`/`v3` → `call`,
//! `settings`, `error`, `json`. Must not depend on Terraform types (`cty`, `schema`, `diag`,
//! `tfplugin`) or speak Terraform's words: the provider layer words errors for its users.

pub mod api;
pub mod call;
pub mod client;
pub mod error;
pub mod images;
pub mod json;
pub mod regions;
pub mod settings;
pub mod transport;
pub mod v2;
pub mod v3;

#[cfg(test)]
pub(crate) mod fake;

pub use api::{Api, SharedApi};
pub use client::Client;
pub use error::{ApiCode, ApiError, ApiErrorKind, Error, TransportFailure};
pub use images::{Image, ImageFilter, ImageStatus, ImageType};
pub use settings::{ApiVersion, Credentials, InvalidSetting, Setting, Settings, SignatureMethod};
