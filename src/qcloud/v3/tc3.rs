//! The API 3.0 signature (TC3-HMAC-SHA256): a pure function of the request, the credentials
//! and a timestamp chosen by the caller. Each stage is a type whose `Display` is the exact text
//! that is hashed or signed, so tests can compare stage by stage.
//!
//! Must not depend on the HTTP transport, the clock or Terraform types.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// The algorithm name, first in `Authorization` and in the string to sign.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The last element of the credential scope.
pub const TERMINATOR: &str = "tc3_request";

/// The canonical form of a request: method, path, query, the signed headers (lower-case
/// names, trimmed values, sorted by name) and the hex SHA-256 of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    method: String,
    path: String,
    query: String,
    /// `(name, value)`, names lower-case, sorted.
    headers: Vec<(String, String)>,
    payload_hash: String,
}

impl CanonicalRequest {
    /// The canonical request for `body` sent with `method` to `path?query`, signing `headers`.
    pub fn new(
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Self {
        let mut headers: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        headers.sort();
        Self {
            method: method.to_ascii_uppercase(),
            path: if path.is_empty() { "/".into() } else { path.into() },
            query: query.into(),
            headers,
            payload_hash: sha256_hex(body),
        }
    }

    /// `content-type;host`: the signed header names, `;`-separated.
    pub fn signed_headers(&self) -> String {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        names.join(";")
    }

    /// The hex SHA-256 of the canonical text: what the string to sign carries.
    pub fn hash(&self) -> String {
        sha256_hex(self.to_string().as_bytes())
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}\n{}\n{}", self.method, self.path, self.query)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}:{value}")?;
        }
        write!(f, "\n{}\n{}", self.signed_headers(), self.payload_hash)
    }
}

/// `<date>/<service>/tc3_request`: the date (UTC) and service a signature is valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    /// `YYYY-MM-DD`, the UTC date of the timestamp.
    pub date: String,
    /// The service, e.g. `cvm`.
    pub service: String,
}

impl CredentialScope {
    /// The scope of a request sent at `timestamp` (unix seconds) to `service`.
    pub fn new(timestamp: i64, service: &str) -> Self {
        Self { date: utc_date(timestamp), service: service.into() }
    }
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{TERMINATOR}", self.date, self.service)
    }
}

/// The exact text that is signed: algorithm, timestamp, scope, hashed canonical request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    timestamp: i64,
    scope: CredentialScope,
    hashed_request: String,
}

impl StringToSign {
    /// The string to sign for `request` sent at `timestamp` within `scope`.
    pub fn new(timestamp: i64, scope: &CredentialScope, request: &CanonicalRequest) -> Self {
        Self { timestamp, scope: scope.clone(), hashed_request: request.hash() }
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{ALGORITHM}\n{}\n{}\n{}", self.timestamp, self.scope, self.hashed_request)
    }
}

/// The hex signature of `text` under `secret_key`: the key is derived from the scope's date
/// and service, then signs the text.
pub fn signature(secret_key: &str, scope: &CredentialScope, text: &StringToSign) -> String {
    let date_key = hmac(format!("TC3{secret_key}").as_bytes(), scope.date.as_bytes());
    let service_key = hmac(&date_key, scope.service.as_bytes());
    let signing_key = hmac(&service_key, TERMINATOR.as_bytes());
    hex::encode(hmac(&signing_key, text.to_string().as_bytes()))
}

/// The `Authorization` header value.
pub fn authorization(
    secret_id: &str,
    scope: &CredentialScope,
    signed_headers: &str,
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, \
         Signature={signature}"
    )
}

/// `YYYY-MM-DD` of unix seconds, in UTC (empty when out of range).
pub fn utc_date(timestamp: i64) -> String {
    let format = format_description!("[year]-[month]-[day]");
    OffsetDateTime::from_unix_timestamp(timestamp)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// Lower-case hex of SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Tencent's documented example (DescribeInstances on cvm.tencentcloudapi.com).
    const BODY: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const TIMESTAMP: i64 = 1_551_113_065;
    const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA";
    const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    const CONTENT_TYPE: &str = "application/json; charset=utf-8";

    fn canonical() -> CanonicalRequest {
        CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[("Host", "cvm.tencentcloudapi.com"), ("Content-Type", CONTENT_TYPE)],
            BODY.as_bytes(),
        )
    }

    #[test]
    fn stage_one_canonical_request() {
        let request = canonical();
        assert_eq!(
            request.to_string(),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\n\
             host:cvm.tencentcloudapi.com\n\ncontent-type;host\n\
             35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(request.signed_headers(), "content-type;host");
        assert_eq!(
            request.hash(),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
    }

    #[test]
    fn stage_two_string_to_sign() {
        let scope = CredentialScope::new(TIMESTAMP, "cvm");
        assert_eq!(scope.to_string(), "2019-02-25/cvm/tc3_request");
        let text = StringToSign::new(TIMESTAMP, &scope, &canonical());
        assert_eq!(
            text.to_string(),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
    }

    #[test]
    fn stage_three_signature_and_authorization() {
        let scope = CredentialScope::new(TIMESTAMP, "cvm");
        let text = StringToSign::new(TIMESTAMP, &scope, &canonical());
        let signature = signature(SECRET_KEY, &scope, &text);
        assert_eq!(signature, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
        let header = authorization(SECRET_ID, &scope, "content-type;host", &signature);
        assert_eq!(
            header,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA/2019-02-25/cvm/\
             tc3_request, SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    /// Golden vectors from Tencent's own SDK, tencentcloud-sdk-python-common 3.1.195 with
    /// tencentcloud-sdk-python-cvm 3.1.178: whole requests as its client builds and signs them
    /// at a fixed time (its JSON body, its `Content-Type`, its `Authorization`), and its
    /// signature of the body and `Content-Type` this client sends. Recompute with
    /// `crates/qcloud-sandbox/sdk/golden_vectors.py`.
    #[test]
    fn official_sdk_golden_vectors() {
        let cases = [
            (
                1_700_000_000,
                "application/json",
                r#"{"Filters": [{"Name": "image-type", "Values": ["PUBLIC_IMAGE"]}], "Offset": 0, "Limit": 100}"#,
                "162c9858ae6c45798132e7032e88c928b165bf0820e14e4da6d24219cde4d599",
            ),
            (
                1_735_689_599,
                "application/json",
                r#"{"ImageFamily": "web-golden"}"#,
                "ade3b8c6ca3c6ca7f190a7deb3de13978c3c69be667e857122ff235576006998",
            ),
            (
                1_700_000_000,
                CONTENT_TYPE,
                r#"{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}],"Offset":0,"Limit":100}"#,
                "cb25f5d6c97c7b75a73dae31ba463be26e0c74c82852efa165bcb6d109e490ea",
            ),
        ];
        for (timestamp, content_type, body, expected) in cases {
            let request = CanonicalRequest::new(
                "POST",
                "/",
                "",
                &[("content-type", content_type), ("host", "cvm.tencentcloudapi.com")],
                body.as_bytes(),
            );
            let scope = CredentialScope::new(timestamp, "cvm");
            let text = StringToSign::new(timestamp, &scope, &request);
            assert_eq!(signature(SECRET_KEY, &scope, &text), expected, "{body}");
        }
        let scope = CredentialScope::new(1_735_689_599, "cvm");
        assert_eq!(
            authorization(
                SECRET_ID,
                &scope,
                "content-type;host",
                "ade3b8c6ca3c6ca7f190a7deb3de13978c3c69be667e857122ff235576006998"
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA/2024-12-31/cvm/\
             tc3_request, SignedHeaders=content-type;host, \
             Signature=ade3b8c6ca3c6ca7f190a7deb3de13978c3c69be667e857122ff235576006998",
            "the header the SDK sent"
        );
    }

    #[test]
    fn any_change_changes_the_signature() {
        let scope = CredentialScope::new(TIMESTAMP, "cvm");
        let reference =
            signature(SECRET_KEY, &scope, &StringToSign::new(TIMESTAMP, &scope, &canonical()));
        let other_body = CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[("content-type", CONTENT_TYPE), ("host", "cvm.tencentcloudapi.com")],
            b"{}",
        );
        let changed = [
            signature("other", &scope, &StringToSign::new(TIMESTAMP, &scope, &canonical())),
            signature(SECRET_KEY, &scope, &StringToSign::new(TIMESTAMP + 1, &scope, &canonical())),
            signature(SECRET_KEY, &scope, &StringToSign::new(TIMESTAMP, &scope, &other_body)),
        ];
        for signature in changed {
            assert_ne!(signature, reference);
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_551_139_199), "2019-02-25");
        assert_eq!(utc_date(1_551_139_200), "2019-02-26");
    }
}
