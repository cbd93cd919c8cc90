//! TC3-HMAC-SHA256, the API 3.0 signature, as the API documents it:
//!
//! 1. the canonical request: method, path, query, the signed headers (lower-case names,
//!    trimmed values, sorted), a blank line, their names joined with `;`, and the hex SHA-256
//!    of the body;
//! 2. the string to sign: `TC3-HMAC-SHA256`, the timestamp, the credential scope
//!    `<UTC date>/<service>/tc3_request`, and the hex SHA-256 of the canonical request;
//! 3. the signing key: HMAC-SHA256 of the date under `TC3` + SecretKey, then of the service,
//!    then of `tc3_request`; the signature is the hex HMAC-SHA256 of the string to sign;
//! 4. `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=<names>,
//!    Signature=<hex>`.
//!
//! Each stage is a type whose `Display` is the exact text, so tests compare stage by stage
//! with the published vector. Written from the documentation, not shared with any client.
//! Pure: no I/O, no clock.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// The algorithm, first in `Authorization` and in the string to sign.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
/// The last part of the credential scope.
pub const TERMINATOR: &str = "tc3_request";

/// Stage 1: the canonical form of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    method: String,
    path: String,
    query: String,
    /// `(name, value)`: names lower-case, values trimmed, sorted by name.
    headers: Vec<(String, String)>,
    body_hash: String,
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
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        headers.sort();
        Self {
            method: method.to_ascii_uppercase(),
            path: if path.is_empty() { "/".to_owned() } else { path.to_owned() },
            query: query.to_owned(),
            headers,
            body_hash: sha256_hex(body),
        }
    }

    /// The signed header names joined with `;`, e.g. `content-type;host`.
    pub fn signed_headers(&self) -> String {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        names.join(";")
    }

    /// The hex SHA-256 of the canonical text, as the string to sign carries it.
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
        write!(f, "\n{}\n{}", self.signed_headers(), self.body_hash)
    }
}

/// `<date>/<service>/tc3_request`: the UTC date and the service a signature is valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// e.g. `cvm`.
    pub service: String,
}

impl CredentialScope {
    /// The scope of a request stamped `timestamp` (unix seconds) for `service`.
    pub fn new(timestamp: i64, service: &str) -> Self {
        Self { date: utc_date(timestamp), service: service.to_owned() }
    }
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{TERMINATOR}", self.date, self.service)
    }
}

/// Stage 2: the exact text that is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    timestamp: i64,
    scope: CredentialScope,
    hashed_request: String,
}

impl StringToSign {
    /// The string to sign for `request` stamped `timestamp`, within `scope`.
    pub fn new(timestamp: i64, scope: &CredentialScope, request: &CanonicalRequest) -> Self {
        Self { timestamp, scope: scope.clone(), hashed_request: request.hash() }
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{ALGORITHM}\n{}\n{}\n{}", self.timestamp, self.scope, self.hashed_request)
    }
}

/// Stage 3: the key derived from the SecretKey for `scope`.
pub fn signing_key(secret_key: &str, scope: &CredentialScope) -> Vec<u8> {
    let date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), scope.date.as_bytes());
    let service = hmac_sha256(&date, scope.service.as_bytes());
    hmac_sha256(&service, TERMINATOR.as_bytes())
}

/// Stage 3: the hex signature of `text` under `secret_key`.
pub fn signature(secret_key: &str, scope: &CredentialScope, text: &StringToSign) -> String {
    hex::encode(hmac_sha256(&signing_key(secret_key, scope), text.to_string().as_bytes()))
}

/// Stage 4: an `Authorization` header, as a server reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The `SecretId` of the credential.
    pub secret_id: String,
    /// The scope the signature claims.
    pub scope: CredentialScope,
    /// The signed header names, lower-case, in the order sent.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

impl Authorization {
    /// Reads a header value; `None` when it does not have the TC3 shape.
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
        let (mut credential, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (name, value) = part.trim().split_once('=')?;
            let slot = match name {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return None,
            };
            *slot = Some(value);
        }
        let mut parts = credential?.split('/');
        let (secret_id, date, service) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next()? != TERMINATOR || parts.next().is_some() || secret_id.is_empty() {
            return None;
        }
        Some(Self {
            secret_id: secret_id.to_owned(),
            scope: CredentialScope { date: date.to_owned(), service: service.to_owned() },
            signed_headers: signed?.split(';').map(str::to_ascii_lowercase).collect(),
            signature: signature?.to_owned(),
        })
    }
}

impl fmt::Display for Authorization {
    /// The header value, as a client sends it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
            self.secret_id,
            self.scope,
            self.signed_headers.join(";"),
            self.signature
        )
    }
}

/// `YYYY-MM-DD` of unix seconds, in UTC (empty when out of range).
pub fn utc_date(timestamp: i64) -> String {
    let format = format_description!("[year]-[month]-[day]");
    OffsetDateTime::from_unix_timestamp(timestamp)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// Lower-case hex of the SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Tencent's documented example: DescribeInstances on cvm.tencentcloudapi.com.
    const BODY: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const TIMESTAMP: i64 = 1_551_113_065;
    const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA";
    const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
    const HASHED_REQUEST: &str = "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031";
    const SIGNATURE: &str = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168";

    fn canonical() -> CanonicalRequest {
        CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[
                ("Host", "cvm.tencentcloudapi.com"),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
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
        assert_eq!(request.hash(), HASHED_REQUEST);
    }

    #[test]
    fn stage_two_string_to_sign() {
        let scope = CredentialScope::new(TIMESTAMP, "cvm");
        assert_eq!(scope.to_string(), "2019-02-25/cvm/tc3_request");
        let text = StringToSign::new(TIMESTAMP, &scope, &canonical());
        assert_eq!(
            text.to_string(),
            format!("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n{HASHED_REQUEST}")
        );
    }

    #[test]
    fn stage_three_signature() {
        let scope = CredentialScope::new(TIMESTAMP, "cvm");
        let text = StringToSign::new(TIMESTAMP, &scope, &canonical());
        assert_eq!(signing_key(SECRET_KEY, &scope).len(), 32);
        assert_eq!(signature(SECRET_KEY, &scope, &text), SIGNATURE);
    }

    #[test]
    fn stage_four_authorization() {
        let header = format!(
            "TC3-HMAC-SHA256 Credential={SECRET_ID}/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature={SIGNATURE}"
        );
        let parsed = Authorization::parse(&header).expect("the documented header parses");
        assert_eq!(parsed.secret_id, SECRET_ID);
        assert_eq!(parsed.scope, CredentialScope::new(TIMESTAMP, "cvm"));
        assert_eq!(parsed.signed_headers, ["content-type", "host"]);
        assert_eq!(parsed.signature, SIGNATURE);
        assert_eq!(parsed.to_string(), header, "printed back as sent");
    }

    #[test]
    fn any_change_changes_the_signature() {
        let scope = CredentialScope::new(TIMESTAMP, "cvm");
        let sign = |key: &str, timestamp: i64, request: &CanonicalRequest| {
            signature(key, &scope, &StringToSign::new(timestamp, &scope, request))
        };
        let other_body = CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[
                ("content-type", "application/json; charset=utf-8"),
                ("host", "cvm.tencentcloudapi.com"),
            ],
            b"{}",
        );
        for changed in [
            sign("other", TIMESTAMP, &canonical()),
            sign(SECRET_KEY, TIMESTAMP + 1, &canonical()),
            sign(SECRET_KEY, TIMESTAMP, &other_body),
        ] {
            assert_ne!(changed, SIGNATURE);
        }
    }

    #[test]
    fn malformed_authorization_headers_are_refused() {
        for bad in [
            "",
            "HMAC Credential=a/b/c/tc3_request, SignedHeaders=host, Signature=x",
            "TC3-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=x",
            "TC3-HMAC-SHA256 Credential=a/b/c/other, SignedHeaders=host, Signature=x",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request/x, SignedHeaders=host, Signature=x",
            "TC3-HMAC-SHA256 Credential=/b/c/tc3_request, SignedHeaders=host, Signature=x",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, Signature=x",
            "TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host, Bogus=x",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_551_139_199), "2019-02-25");
        assert_eq!(utc_date(1_551_139_200), "2019-02-26");
    }
}
