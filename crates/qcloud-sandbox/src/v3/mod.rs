//! API 3.0 `DescribeImages` (CVM, Version `2017-03-12`), served at `POST /`: the
//! TC3-HMAC-SHA256 `Authorization` checked against the sandbox credentials, the `X-TC-*`
//! headers and the JSON body validated, the same catalog answered with the 3.0 field names.
//!
//! Every error is answered with HTTP 200 and `{"Response":{"Error":{"Code","Message"},
//! "RequestId"}}`; the request log records the equivalent 2.0 code:
//!
//! | code | 2.0 | when |
//! |---|---|---|
//! | `AuthFailure.InvalidAuthorization` | 4100 | `Authorization` is missing or malformed, or does not sign `content-type` and `host` |
//! | `AuthFailure.SignatureFailure` | 4100 | the signature does not match |
//! | `AuthFailure.SecretIdNotFound` | 4104 | the `SecretId` is unknown |
//! | `AuthFailure.TokenFailure` | 4105 | the credential has a token and `X-TC-Token` is missing or different |
//! | `AuthFailure.SignatureExpire` | 4500 | `X-TC-Timestamp` is outside the window |
//! | `InvalidParameter` | 4000 | a header or body field is missing or invalid, or `ImageIds` comes with `Filters` |
//! | `InvalidAction` | 6100 | `X-TC-Action` is not `DescribeImages` |
//!
//! # Layout
//! - [`tc3`]: the TC3-HMAC-SHA256 signature: canonical request, string to sign, signing key,
//!   and the `Authorization` header.
//! - [`auth`]: the checks of one request: `Authorization`, token, timestamp.
//! - [`query`]: the `X-TC-*` headers and JSON body, validated into a [`Query`], and its page.
//! - [`response`]: the 3.0 answers: [`Image`] and the success body.
//!
//! Must not depend on HTTP types or on the server: headers come in as a lower-case map.

pub mod auth;
pub mod query;
pub mod response;
pub mod tc3;

use std::collections::BTreeMap;

pub use auth::authenticate;
pub use query::{DEFAULT_LIMIT, MAX_IMAGE_IDS, MAX_LIMIT, Query, offset_hint, parse_query};
pub use response::{Image, success_json, utc_iso};

/// `X-TC-Action`: the one action served.
pub const ACTION: &str = "DescribeImages";
/// `X-TC-Version`: the CVM API version.
pub const VERSION: &str = "2017-03-12";
/// The service in the credential scope.
pub const SERVICE: &str = "cvm";

/// Request headers, names lower-case.
pub type Headers = BTreeMap<String, String>;

/// An API 3.0 error: its dotted code, message, and the 2.0 code recorded in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The 3.0 code, e.g. `AuthFailure.SignatureFailure`.
    pub code: String,
    /// What was wrong, for a person.
    pub message: String,
    /// The 2.0 code of the same failure, for the request log.
    pub code_2_0: i64,
}

impl Error {
    pub(crate) fn new(code: &str, code_2_0: i64, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), code_2_0 }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameter", 4000, message)
    }

    /// The 3.0 error for a 2.0 code (used by `code=N` faults).
    pub fn from_code_2_0(code: i64, message: &str) -> Self {
        let name = match code {
            4000 => "InvalidParameter",
            4100 => "AuthFailure.SignatureFailure",
            4101..=4103 | 4110 | 4300 => "UnauthorizedOperation",
            4104 => "AuthFailure.SecretIdNotFound",
            4105 => "AuthFailure.TokenFailure",
            4200 | 4500 => "AuthFailure.SignatureExpire",
            4400 => "RequestLimitExceeded",
            4600 => "UnsupportedProtocol",
            5000 => "ResourceNotFound",
            6100 => "InvalidAction",
            6200 => "ServiceUnavailable",
            _ => "InternalError",
        };
        Self::new(name, code, message)
    }

    /// `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
    pub fn to_json(&self, request_id: &str) -> String {
        serde_json::json!({
            "Response": {
                "Error": { "Code": self.code, "Message": self.message },
                "RequestId": request_id,
            }
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_codes_map_to_3_0_names() {
        let cases = [
            (4400, "RequestLimitExceeded"),
            (6000, "InternalError"),
            (4100, "AuthFailure.SignatureFailure"),
            (4104, "AuthFailure.SecretIdNotFound"),
            (4500, "AuthFailure.SignatureExpire"),
            (6200, "ServiceUnavailable"),
        ];
        for (code, name) in cases {
            let error = Error::from_code_2_0(code, "m");
            assert_eq!((error.code.as_str(), error.code_2_0), (name, code));
        }
    }

    #[test]
    fn error_body_is_the_3_0_envelope() {
        let json: serde_json::Value =
            serde_json::from_str(&Error::invalid("bad \"x\"").to_json("r-1")).expect("JSON");
        assert_eq!(json["Response"]["Error"]["Code"], "InvalidParameter");
        assert_eq!(json["Response"]["Error"]["Message"], "bad \"x\"");
        assert_eq!(json["Response"]["RequestId"], "r-1");
    }
}
