//! The Tencent Cloud image API (2.0 `DescribeImages`): settings and credentials, the request
//! signer, the HTTP transport with retries and rate limiting, paging, and typed errors.
//!
//! Must not depend on Terraform types (`cty`, `schema`, `diag`, `tfplugin`).

pub mod client;
pub mod error;
pub mod model;
pub mod settings;
pub mod signer;

pub use client::Client;
pub use error::Error;
pub use model::{Image, ImageQuery, ImageStatus, ImageType};
pub use settings::{Credentials, RawSettings, SettingError, Settings};
pub use signer::SignatureMethod;
