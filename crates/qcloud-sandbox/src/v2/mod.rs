//! API 2.0 `DescribeImages` at `/v2/index.php` (GET with a query string, POST with a form body).
//!
//! # Error codes
//! Every API error is answered with HTTP 200 and the 2.0 shape
//! `{"code":N,"message":"...","codeDesc":"..."}`:
//!
//! | code | when |
//! |---|---|
//! | 4000 | a parameter is missing, repeated, or invalid (`imageType`, `limit`, `offset`, `status`, `imageIds.N`, `Timestamp`, `Nonce`), or `Region` is missing or not a Tencent Cloud region (message `invalid Region: "..." is not a Tencent Cloud region; did you mean ...?`) |
//! | 4100 | the signature does not match |
//! | 4104 | the `SecretId` is unknown |
//! | 4105 | the credential has a token and `Token` is missing or different |
//! | 4400 | too many nonces are remembered at once (the replay cache is full) |
//! | 4500 | `Timestamp` is outside the window (default ±300 s), or the nonce was already used |
//! | 6100 | `Action` is not `DescribeImages` |
//!
//! `Region` takes Tencent Cloud's region names and the short names API 2.0 also took (`gz`,
//! `bj`, `sh`, ...; see [`crate::region`]). No 2.0 documentation of the answer to an unknown
//! region survives; the sandbox answers 4000, the code for an invalid parameter.
//!
//! The real API documents 4200 ("request expired") too; the sandbox answers a stale or future
//! timestamp with 4500, as the API's replay protection does, and never sends 4200.
//!
//! # Layout
//! - [`query`]: the raw request parameters ([`Params`]) and the validated query ([`Query`]).
//! - [`signature`]: the 2.0 string to sign and its HMAC-SHA1 / HMAC-SHA256 signature.
//! - [`auth`]: the checks of one request: signature, token, timestamp, nonce.
//! - [`response`]: the 2.0 answers: success, [`Error`], and the bodies of some faults.
//!
//! Must not depend on HTTP types or on the server.

pub mod auth;
pub mod query;
pub mod response;
pub mod signature;

pub use auth::{RequestLine, authenticate};
pub use query::{DEFAULT_LIMIT, MAX_IMAGE_IDS, MAX_LIMIT, Params, Query};
pub use response::{Error, success_json};
pub use signature::{SignatureMethod, StringToSign, sign};
