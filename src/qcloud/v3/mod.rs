//! API 3.0, the protocol: JSON POSTs with `X-TC-*` headers, the TC3-HMAC-SHA256
//! `Authorization`, and the `{"Response":{...}}` envelope. Knows no action: actions hand in a
//! [`Call`].
//!
//! - [`tc3`]: the pure signer, stage by stage.
//! - [`request`]: a call → headers, body and signature.
//! - [`envelope`]: an answer → its `Response` object, or the API's error.
//!
//! Must not depend on the HTTP transport or on Terraform types.

pub mod envelope;
pub mod request;
pub mod tc3;

pub use request::SignedRequest;

/// The `Content-Type` of every request (signed).
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The HTTP method of every request.
pub const METHOD: &str = "POST";

/// An API 3.0 call: which service and version it goes to, the action and its JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The service in the credential scope, e.g. `cvm`.
    pub service: &'static str,
    /// `X-TC-Version`, e.g. `2017-03-12`.
    pub version: &'static str,
    /// `X-TC-Action`.
    pub action: &'static str,
    /// The JSON body, exactly as sent and signed.
    pub body: String,
}
