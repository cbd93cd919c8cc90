//! API 2.0, the protocol: common parameters, the HMAC signature over the sorted query, and the
//! `{"code","message","codeDesc"}` envelope. Knows no action: actions hand in a [`Call`].
//!
//! - [`sign`]: the pure signer (the string to sign, HMAC-SHA1 / HMAC-SHA256, Base64).
//! - [`request`]: a call plus the common parameters → a signed URL.
//! - [`envelope`]: an answer → its JSON object, or the API's error.
//!
//! Must not depend on the HTTP transport or on Terraform types.

pub mod envelope;
pub mod request;
pub mod sign;

use std::collections::BTreeMap;

pub use request::SignedRequest;
pub use sign::SignatureMethod;

/// The HTTP method requests are sent (and signed) with.
pub const METHOD: &str = "GET";

/// An API 2.0 call: the action and its own parameters (the common ones are added when signing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub action: &'static str,
    /// Raw, not encoded; names as the API spells them (`imageIds.0`).
    pub params: BTreeMap<String, String>,
}
