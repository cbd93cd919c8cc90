//! qcloud-sandbox: a local HTTP(S) server that behaves like Tencent Cloud's image API
//! (`DescribeImages` in API 2.0 and API 3.0, `DescribeImageFromFamily` in API 3.0), for
//! tests, the quickstart and anyone without an account.
//!
//! It checks what the real API checks (the signature under every algorithm the API accepts,
//! the timestamp window, nonce replay, the region, the action's parameters) and answers with
//! the API's documented error codes, as exactly `application/json`; it filters and pages a
//! catalog of images; and it can add latency and inject faults on chosen requests so that a
//! client's retries can be exercised. Tencent's official SDKs are run against it by the tests
//! (`tests/official_sdks.rs`, drivers in `sdk/`).
//!
//! # Independence
//! This crate shares no code with the client it tests: its signature checks are written from
//! the API's documentation and tested against the published vectors and the official SDKs'
//! signatures, so a signing bug in a client cannot pass the sandbox's own check. It knows
//! nothing of Terraform.
//!
//! # Layout
//! - [`model`]: image types and statuses, with their 2.0 codes and 3.0 names, and the values
//!   of the 3.0-only fields (architecture, license, disk usage).
//! - [`catalog`]: the images served (built-in, loaded from JSON, or synthetic) with their 3.0
//!   attributes (tags, snapshots, family, deprecation, ...), and the selection of one page. The
//!   built-in images are data files: `catalog/public.json` (public images) and
//!   `catalog/builtin.json` (the others).
//! - [`region`]: the regions served: Tencent Cloud's, API 2.0's short names, and any added.
//! - [`auth`]: what both API versions check alike: credentials, the clock and its window, and
//!   the nonces already used.
//! - [`v2`]: API 2.0 at `/v2/index.php`: request parameters and the validated query
//!   ([`v2::Query`]), the 2.0 signature (HMAC-SHA1 / HMAC-SHA256), its check, and the 2.0
//!   answers and error codes.
//! - [`v3`]: API 3.0 (CVM `2017-03-12`) at `/`: requests signed with TC3-HMAC-SHA256 or
//!   signature v1, read into an [`v3::Envelope`]; `DescribeImages` ([`v3::Query`]: filters,
//!   `InstanceType`) and `DescribeImageFromFamily` ([`v3::FamilyQuery`]); the 3.0 answers
//!   ([`v3::Image`]) and documented errors ([`v3::Error`]). Served next to 2.0 with the same
//!   catalog, credentials and faults.
//! - `config` (private, re-exported): what a sandbox is started with ([`SandboxConfig`]):
//!   credentials, catalog, clock, latency, faults and regions.
//! - [`fault`]: the fault plan (which request fails, and how).
//! - [`server`]: the HTTP server, its handle, and the log of received requests.
//! - [`connection`]: how one connection is served (plain HTTP/1.1, or TLS then HTTP/2 or
//!   HTTP/1.1 by ALPN), and the counts of connections and TLS handshakes.
//! - [`tls`]: HTTPS: a fresh CA and the server certificate it signs.
//! - [`cli`]: the `qcloud-sandbox` command.
//!
//! Error codes are listed in [`v2`] and [`v3`].

#![warn(missing_docs)]

pub mod auth;
pub mod catalog;
pub mod cli;
mod config;
pub mod connection;
pub mod fault;
pub mod model;
pub mod region;
pub mod server;
pub mod tls;
pub mod v2;
pub mod v3;

pub use catalog::{Catalog, CatalogError, CatalogImage};
pub use config::{SandboxClock, SandboxConfig, SandboxCredential};
pub use connection::ConnectionStats;
pub use fault::{FaultKind, FaultRule, FaultSpecError, FaultWhen};
pub use model::{ImageStatus, ImageType};
pub use server::{RequestRecord, Sandbox, SandboxHandle};
pub use tls::SandboxTls;

/// The well-known `SecretId` the sandbox accepts by default. Not a real credential: it is
/// published so that the quickstart and the docs can talk to a local sandbox.
pub const SANDBOX_SECRET_ID: &str = "AKIDsandboxEXAMPLE0000000000000000";

/// The well-known `SecretKey` that goes with [`SANDBOX_SECRET_ID`]. Not a real credential.
pub const SANDBOX_SECRET_KEY: &str = "sandboxSecretKeyEXAMPLE000000000";

/// The path API 2.0 is served at, as the real API does.
pub const API_PATH: &str = "/v2/index.php";

/// The path API 3.0 is served at.
pub const API_PATH_3_0: &str = "/";

/// The region the quickstart uses (one of [`region::REGIONS`]).
pub const SANDBOX_REGION: &str = "ap-guangzhou";
