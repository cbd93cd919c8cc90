//! The Tencent Cloud image API (2.0 `DescribeImages`): settings and credentials, the request
//! signer, the HTTP transport with retries and rate limiting, paging, and typed errors.
//!
//! - [`settings`]: provider block → environment → defaults, validated; redacted secrets.
//! - [`signer`] and [`request`]: pure request building and signing (time and nonce passed in).
//! - [`response`]: lenient parsing of every answer shape.
//! - [`error`] and [`retry`]: typed errors with hints, and which of them are retried.
//! - [`rate_limit`], [`client`] and [`paging`]: the transport and the concurrent listing.
//! - [`tc3`] and [`v3`]: the API 3.0 signer (TC3-HMAC-SHA256) and its request and response
//!   shapes; the client picks 2.0 or 3.0 per page request, everything else is shared.
//!
//! Must not depend on Terraform types (`cty`, `schema`, `diag`, `tfplugin`).

pub mod client;
pub mod error;
pub mod model;
pub mod paging;
pub mod rate_limit;
pub mod request;
pub mod response;
pub mod retry;
pub mod settings;
pub mod signer;
pub mod tc3;
pub mod v3;

pub use client::Client;
pub use error::{ApiCode, ApiError, ApiErrorKind, Error};
pub use model::{Image, ImageQuery, ImageStatus, ImageType};
pub use settings::{ApiVersion, Credentials, RawSettings, SettingError, Settings};
pub use signer::SignatureMethod;
