//! A local HTTP server that behaves like the image API 2.0 `DescribeImages` endpoint, for tests,
//! the quickstart and anyone without an account.
//!
//! It checks what the real API checks (the signature under both algorithms, the timestamp window,
//! nonce replay, the action's parameters) and answers with the API's error codes; it filters and
//! pages a catalog of images; and it can add latency and inject faults on chosen requests so
//! that a client's retries can be exercised.
//!
//! # Layout
//! - [`catalog`]: the images served (built-in, loaded from JSON, or synthetic) and the selection
//!   of one page.
//! - [`params`]: the raw request parameters and the validated `DescribeImages` query.
//! - [`auth`]: signature, timestamp window, nonce replay and token checks.
//! - [`fault`]: the fault plan (which request fails, and how).
//! - [`response`]: the bodies the sandbox answers with (success, API error, faults).
//! - [`server`]: the HTTP server, its handle, and the log of received requests.
//! - [`cli`]: the `qcloud-sandbox` command.
//! - [`v3`]: the API 3.0 `DescribeImages` at `POST /` (TC3 signature, `X-TC-*` headers, JSON),
//!   served next to 2.0 with the same catalog, credentials and faults.
//!
//! # Error codes
//! Every API error is answered with HTTP 200 and the 2.0 shape
//! `{"code":N,"message":"...","codeDesc":"..."}`:
//!
//! | code | when |
//! |---|---|
//! | 4000 | a parameter is missing, repeated, or invalid (`imageType`, `limit`, `offset`, `status`, `imageIds.N`, `Timestamp`, `Nonce`, `Region`) |
//! | 4100 | the signature does not match |
//! | 4104 | the `SecretId` is unknown |
//! | 4105 | the credential has a token and `Token` is missing or different |
//! | 4400 | too many nonces are remembered at once (the replay cache is full) |
//! | 4500 | `Timestamp` is outside the window (default ±300 s), or the nonce was already used |
//! | 6100 | `Action` is not `DescribeImages` |
//!
//! The real API documents 4200 ("request expired") too; the sandbox answers a stale or future
//! timestamp with 4500, as the API's replay protection does, and never sends 4200.
//!
//! Must not depend on the client ([`crate::qcloud::client`]) or on Terraform types: it uses only
//! the signer and the model of [`crate::qcloud`].

pub mod auth;
pub mod catalog;
pub mod cli;
mod config;
pub mod fault;
pub mod params;
pub mod response;
pub mod server;
pub mod v3;

pub use catalog::{Catalog, CatalogError, CatalogImage};
pub use config::{SandboxClock, SandboxConfig, SandboxCredential};
pub use fault::{FaultKind, FaultRule, FaultSpecError, FaultWhen};
pub use server::{RequestRecord, Sandbox, SandboxHandle};

/// The well-known `SecretId` the sandbox accepts by default. Not a real credential: it is
/// published so that the quickstart and the docs can talk to a local sandbox.
pub const SANDBOX_SECRET_ID: &str = "AKIDsandboxEXAMPLE0000000000000000";

/// The well-known `SecretKey` that goes with [`SANDBOX_SECRET_ID`]. Not a real credential.
pub const SANDBOX_SECRET_KEY: &str = "sandboxSecretKeyEXAMPLE000000000";

/// The path the sandbox serves, as the real API does.
pub const API_PATH: &str = "/v2/index.php";

/// The region the quickstart uses; any region is served.
pub const SANDBOX_REGION: &str = "ap-guangzhou";
