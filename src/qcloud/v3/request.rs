//! One signed API 3.0 request: a pure function of the target, the call and the timestamp.
//!
//! Must not depend on the HTTP transport (no I/O, no clock here).

use std::fmt;

use reqwest::Url;

use super::tc3::{CanonicalRequest, CredentialScope, StringToSign, authorization, signature};
use super::{CONTENT_TYPE, Call, METHOD};
use crate::qcloud::call::Target;
use crate::qcloud::settings::host_as_sent;

/// A request ready to send: URL, headers (in sending order) and JSON body.
///
/// `Debug` shows neither the token nor the `Authorization` header.
#[derive(Clone)]
pub struct SignedRequest {
    pub url: Url,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl SignedRequest {
    /// The value of header `name` (exact, case-sensitive name as built).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| match *name {
                "Authorization" | "X-TC-Token" => (*name, "<redacted>"),
                _ => (*name, value.as_str()),
            })
            .collect();
        f.debug_struct("SignedRequest")
            .field("endpoint", &format_args!("{}", host_as_sent(&self.url)))
            .field("headers", &shown)
            .field("body", &self.body)
            .finish()
    }
}

/// The whole request of one attempt of `call`, sent at `timestamp` (unix seconds).
pub fn build(target: &Target<'_>, call: &Call, timestamp: i64) -> SignedRequest {
    let host = host_as_sent(target.endpoint);
    let canonical = CanonicalRequest::new(
        METHOD,
        target.endpoint.path(),
        "",
        &[("content-type", CONTENT_TYPE), ("host", &host)],
        call.body.as_bytes(),
    );
    let scope = CredentialScope::new(timestamp, call.service);
    let text = StringToSign::new(timestamp, &scope, &canonical);
    let credentials = target.credentials;
    let signature = signature(&credentials.secret_key, &scope, &text);
    let mut headers = vec![
        ("Content-Type", CONTENT_TYPE.to_string()),
        ("Host", host),
        ("X-TC-Action", call.action.to_string()),
        ("X-TC-Version", call.version.to_string()),
        ("X-TC-Region", target.region.to_string()),
        ("X-TC-Timestamp", timestamp.to_string()),
    ];
    if let Some(token) = &credentials.security_token {
        headers.push(("X-TC-Token", token.clone()));
    }
    let auth =
        authorization(&credentials.secret_id, &scope, &canonical.signed_headers(), &signature);
    headers.push(("Authorization", auth));
    SignedRequest { url: target.endpoint.clone(), headers, body: call.body.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qcloud::{Credentials, SignatureMethod};

    fn credentials(token: Option<&str>) -> Credentials {
        Credentials {
            secret_id: "AKIDexample".into(),
            secret_key: "key-example".into(),
            security_token: token.map(Into::into),
        }
    }

    fn call() -> Call {
        Call {
            service: "cvm",
            version: "2017-03-12",
            action: "DescribeImages",
            body: r#"{"Offset":0,"Limit":100}"#.into(),
        }
    }

    #[test]
    fn request_carries_tc_headers_and_a_verifiable_signature() {
        let endpoint = Url::parse("http://127.0.0.1:8080/").unwrap();
        let creds = credentials(Some("token-secret"));
        let target = Target {
            endpoint: &endpoint,
            region: "ap-guangzhou",
            credentials: &creds,
            signature_method: SignatureMethod::HmacSha256,
        };
        let request = build(&target, &call(), 1_700_000_000);
        assert_eq!(request.header("Content-Type"), Some(CONTENT_TYPE));
        assert_eq!(request.header("X-TC-Action"), Some("DescribeImages"));
        assert_eq!(request.header("X-TC-Version"), Some("2017-03-12"));
        assert_eq!(request.header("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(request.header("X-TC-Timestamp"), Some("1700000000"));
        assert_eq!(request.header("X-TC-Token"), Some("token-secret"));
        assert_eq!(request.header("Host"), Some("127.0.0.1:8080"));
        assert_eq!(request.body, call().body);
        let canonical = CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[("content-type", CONTENT_TYPE), ("host", "127.0.0.1:8080")],
            request.body.as_bytes(),
        );
        let scope = CredentialScope::new(1_700_000_000, "cvm");
        assert_eq!(scope.to_string(), "2023-11-14/cvm/tc3_request");
        let expected =
            signature("key-example", &scope, &StringToSign::new(1_700_000_000, &scope, &canonical));
        assert_eq!(
            request.header("Authorization"),
            Some(
                format!(
                    "TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/cvm/tc3_request, \
                     SignedHeaders=content-type;host, Signature={expected}"
                )
                .as_str()
            )
        );
        let debug = format!("{request:?}");
        assert!(!debug.contains("token-secret") && !debug.contains(&expected), "{debug}");
    }

    #[test]
    fn no_token_header_without_a_token() {
        let endpoint = Url::parse("https://cvm.tencentcloudapi.com").unwrap();
        let creds = credentials(None);
        let target = Target {
            endpoint: &endpoint,
            region: "ap-guangzhou",
            credentials: &creds,
            signature_method: SignatureMethod::HmacSha256,
        };
        let request = build(&target, &call(), 1_700_000_000);
        assert_eq!(request.header("X-TC-Token"), None);
        assert_eq!(request.header("Host"), Some("cvm.tencentcloudapi.com"));
    }
}
