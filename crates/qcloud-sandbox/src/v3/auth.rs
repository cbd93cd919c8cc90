//! The checks of one API 3.0 request, for either signature:
//!
//! - TC3-HMAC-SHA256: the `Authorization` header must sign at least `content-type` and
//!   `host`, from a known `SecretId`, for the timestamp's date and `cvm`, with the right
//!   signature over the method, path, query string, signed headers and the body's hash (or the
//!   hash of `UNSIGNED-PAYLOAD` when `X-TC-Content-SHA256` says so); a temporary credential's
//!   `X-TC-Token` must match.
//! - Signature v1: `SecretId`, `Nonce` and `Signature` must be sent; the signature is HMAC-SHA1
//!   (or HMAC-SHA256 with `SignatureMethod=HmacSHA256`) over the method, host, path and the
//!   sorted pairs, as API 2.0 signs ([`crate::v2::signature`]); `Token` must match.
//!
//! Then the timestamp must be within the window of the sandbox clock. API 3.0 documents no
//! replay error, so a v1 `Nonce` must be a positive integer but may repeat.
//!
//! Must not depend on HTTP types or on the server: the request comes in as text.

use std::collections::BTreeMap;

use super::SERVICE;
use super::error::{Code, Error};
use super::request::{Envelope, HttpRequest, Signing};
use super::tc3::{Authorization, CanonicalRequest, CredentialScope, StringToSign, signature};
use crate::auth::{Authenticator, same_text};
use crate::config::SandboxCredential;
use crate::v2::signature::{self as v1, SignatureMethod};

/// What `X-TC-Content-SHA256` holds when the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Checks the signature of `request` (read into `envelope`) against `auth`'s credentials, then
/// the token and the timestamp window.
pub fn authenticate(
    auth: &Authenticator,
    request: &HttpRequest<'_>,
    envelope: &Envelope,
) -> Result<(), Error> {
    let (credential, token) = match &envelope.signing {
        Signing::Tc3 => {
            let token = request.headers.get("x-tc-token").map(String::as_str);
            (check_tc3(auth, request, envelope.timestamp)?, token)
        }
        Signing::V1(pairs) => {
            (check_v1(auth, request, pairs)?, pairs.get("Token").map(String::as_str))
        }
    };
    if let Some(expected) = &credential.token
        && !token.is_some_and(|sent| same_text(sent, expected))
    {
        return Err(Error::new(
            Code::TokenFailure,
            "the SecretId belongs to a temporary credential: send its token (X-TC-Token, or \
             Token with signature v1)",
        ));
    }
    auth.check_timestamp(envelope.timestamp, auth.now())
        .map_err(|stale| Error::new(Code::SignatureExpire, stale.to_string()))
}

fn unknown_secret_id(secret_id: &str) -> Error {
    Error::new(
        Code::SecretIdNotFound,
        format!("the SecretId {secret_id} does not exist: check the secret id"),
    )
}

fn check_tc3<'a>(
    auth: &'a Authenticator,
    request: &HttpRequest<'_>,
    timestamp: i64,
) -> Result<&'a SandboxCredential, Error> {
    let header = |name: &str| request.headers.get(name).map(String::as_str);
    let invalid = |why: &str| Error::new(Code::InvalidAuthorization, why);
    let parsed = header("authorization")
        .and_then(Authorization::parse)
        .ok_or_else(|| invalid("Authorization is missing or is not TC3-HMAC-SHA256"))?;
    let credential =
        auth.credential(&parsed.secret_id).ok_or_else(|| unknown_secret_id(&parsed.secret_id))?;
    let signed = &parsed.signed_headers;
    if !(signed.iter().any(|h| h == "content-type") && signed.iter().any(|h| h == "host")) {
        return Err(invalid("SignedHeaders must include content-type and host"));
    }
    let values: Vec<(&str, &str)> =
        signed.iter().map(|name| (name.as_str(), header(name).unwrap_or_default())).collect();
    let unsigned = header("x-tc-content-sha256").is_some_and(|v| v.trim() == UNSIGNED_PAYLOAD);
    let payload = if unsigned { UNSIGNED_PAYLOAD.as_bytes() } else { request.body };
    let canonical =
        CanonicalRequest::new(request.method, request.path, request.query, &values, payload);
    let expected_scope = CredentialScope::new(timestamp, SERVICE);
    let text = StringToSign::new(timestamp, &parsed.scope, &canonical);
    let expected = signature(&credential.secret_key, &parsed.scope, &text);
    if parsed.scope != expected_scope || !same_text(&expected, &parsed.signature) {
        return Err(Error::new(
            Code::SignatureFailure,
            format!(
                "the signature does not match (TC3-HMAC-SHA256 over the canonical request \
                 {:?} with the scope {}/{SERVICE}/tc3_request); check the secret id and key",
                canonical.to_string(),
                expected_scope.date
            ),
        ));
    }
    Ok(credential)
}

fn check_v1<'a>(
    auth: &'a Authenticator,
    request: &HttpRequest<'_>,
    pairs: &BTreeMap<String, String>,
) -> Result<&'a SandboxCredential, Error> {
    let required = |name: &str| {
        pairs
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::missing(name))
    };
    let secret_id = required("SecretId")?;
    let sent = required("Signature")?;
    let nonce = required("Nonce")?;
    if !nonce.parse::<u64>().is_ok_and(|n| n > 0) {
        return Err(Error::invalid(format!("Nonce must be a positive integer, not {nonce:?}")));
    }
    let method = match pairs.get("SignatureMethod") {
        None => SignatureMethod::HmacSha1,
        Some(name) => SignatureMethod::from_name(name).ok_or_else(|| {
            Error::new(
                Code::InvalidParameterValue,
                format!("SignatureMethod {name:?} is invalid: use HmacSHA1 or HmacSHA256"),
            )
        })?,
    };
    let credential = auth.credential(secret_id).ok_or_else(|| unknown_secret_id(secret_id))?;
    let text = v1::StringToSign::new(request.method, request.host, request.path, pairs);
    if same_text(&v1::sign(&text, credential.secret_key.as_bytes(), method), sent) {
        return Ok(credential);
    }
    let shown =
        crate::v2::auth::redact_token(text.as_str(), pairs.get("Token").map(String::as_str));
    Err(Error::new(
        Code::SignatureFailure,
        format!(
            "the signature does not match ({} over the string to sign {shown:?}); check the \
             secret id and key",
            method.as_param()
        ),
    ))
}

/// Requests signed the way the API documents, for the tests of this module and the modules
/// that read requests.
#[cfg(test)]
pub(crate) mod testing {
    use super::super::request::{Envelope, HttpRequest};
    use super::super::tc3::{Authorization, CanonicalRequest, CredentialScope, StringToSign};
    use super::super::{Headers, SERVICE, VERSION};
    use crate::v2::signature::{self as v1, SignatureMethod};

    /// The host every test request is sent to.
    pub const HOST: &str = "127.0.0.1:8080";
    /// The `content-type` of a TC3 `POST`.
    pub const JSON: &str = "application/json; charset=utf-8";

    /// A signed request, as text.
    #[derive(Debug, Clone)]
    pub struct Signed {
        pub method: &'static str,
        pub query: String,
        pub headers: Headers,
        pub body: Vec<u8>,
    }

    impl Signed {
        /// The request as the server reads it.
        pub fn request(&self) -> HttpRequest<'_> {
            HttpRequest {
                method: self.method,
                host: HOST,
                path: "/",
                query: &self.query,
                headers: &self.headers,
                body: &self.body,
            }
        }

        /// Its envelope (panics when it cannot be read).
        pub fn envelope(&self) -> Envelope {
            Envelope::read(&self.request()).expect("a signed test request reads")
        }
    }

    /// Public images in state NORMAL, offset 0, limit 100.
    pub fn public_normal() -> String {
        serde_json::json!({
            "Filters": [
                { "Name": "image-type", "Values": ["PUBLIC_IMAGE"] },
                { "Name": "image-state", "Values": ["NORMAL"] },
            ],
            "Offset": 0,
            "Limit": 100,
        })
        .to_string()
    }

    /// A TC3 request of `action`: a `POST` of `body`, or a `GET` of `query` when `body` is
    /// `None`; with `X-TC-Token` when `token` is given.
    pub fn tc3(
        id: &str,
        key: &str,
        token: Option<&str>,
        timestamp: i64,
        action: &str,
        body: Option<&str>,
        query: &str,
    ) -> Signed {
        let (method, content_type) = if body.is_some() {
            ("POST", JSON)
        } else {
            ("GET", "application/x-www-form-urlencoded")
        };
        let body = body.unwrap_or_default().as_bytes().to_vec();
        let canonical = CanonicalRequest::new(
            method,
            "/",
            query,
            &[("content-type", content_type), ("host", HOST)],
            &body,
        );
        let scope = CredentialScope::new(timestamp, SERVICE);
        let text = StringToSign::new(timestamp, &scope, &canonical);
        let authorization = Authorization {
            secret_id: id.to_owned(),
            signature: super::signature(key, &scope, &text),
            scope,
            signed_headers: vec!["content-type".to_owned(), "host".to_owned()],
        };
        let mut headers: Headers = [
            ("content-type", content_type.to_owned()),
            ("host", HOST.to_owned()),
            ("x-tc-action", action.to_owned()),
            ("x-tc-version", VERSION.to_owned()),
            ("x-tc-region", "ap-guangzhou".to_owned()),
            ("x-tc-timestamp", timestamp.to_string()),
            ("authorization", authorization.to_string()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        if let Some(token) = token {
            headers.insert("x-tc-token".to_owned(), token.to_owned());
        }
        Signed { method, query: query.to_owned(), headers, body }
    }

    /// A TC3 `POST` of `body` to `DescribeImages`.
    pub fn signed(id: &str, key: &str, token: Option<&str>, timestamp: i64, body: &str) -> Signed {
        tc3(id, key, token, timestamp, "DescribeImages", Some(body), "")
    }

    /// A signature v1 request of `DescribeImages` with the action's pairs `own` (and any common
    /// pair in `own` replacing the default), sent as a form `POST` or a `GET`.
    pub fn v1_signed(
        id: &str,
        key: &str,
        http_method: &'static str,
        method: SignatureMethod,
        timestamp: i64,
        own: &[(&str, &str)],
    ) -> Signed {
        let mut pairs: std::collections::BTreeMap<String, String> = [
            ("Action", "DescribeImages"),
            ("Version", VERSION),
            ("Region", "ap-guangzhou"),
            ("SecretId", id),
            ("Nonce", "12345"),
            ("SignatureMethod", method.as_param()),
        ]
        .iter()
        .chain(own)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        pairs.insert("Timestamp".into(), timestamp.to_string());
        let text = v1::StringToSign::new(http_method, HOST, "/", &pairs);
        pairs.insert("Signature".into(), v1::sign(&text, key.as_bytes(), method));
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let mut headers = Headers::new();
        headers.insert("host".into(), HOST.into());
        if http_method == "POST" {
            headers.insert("content-type".into(), "application/x-www-form-urlencoded".into());
            Signed {
                method: http_method,
                query: String::new(),
                headers,
                body: encoded.into_bytes(),
            }
        } else {
            Signed { method: http_method, query: encoded, headers, body: Vec::new() }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::testing::{Signed, public_normal, signed, tc3, v1_signed};
    use super::*;
    use crate::config::{SandboxClock, SandboxCredential};

    const NOW: i64 = 1_700_000_000;

    fn authenticator() -> Authenticator {
        let creds = [
            SandboxCredential::new("AKIDone", "key-one"),
            SandboxCredential::new("AKIDtemp", "key-temp").with_token("tok"),
        ];
        Authenticator::new(&creds, SandboxClock::Fixed(NOW), Duration::from_secs(300))
    }

    fn check(signed: &Signed) -> Result<(), Error> {
        authenticate(&authenticator(), &signed.request(), &signed.envelope())
    }

    fn code(signed: &Signed) -> String {
        check(signed).err().map(|e| e.code).unwrap_or_default()
    }

    #[test]
    fn a_correct_signature_is_accepted_and_a_wrong_one_refused() {
        assert_eq!(check(&signed("AKIDone", "key-one", None, NOW, &public_normal())), Ok(()));
        let refused = check(&signed("AKIDone", "wrong-key", None, NOW, &public_normal()))
            .expect_err("wrong key");
        assert_eq!(
            (refused.code.as_str(), refused.code_2_0),
            ("AuthFailure.SignatureFailure", 4100)
        );
        assert!(!refused.message.contains("key-one"), "{}", refused.message);
    }

    #[test]
    fn tc3_over_get_and_with_an_unsigned_payload() {
        let get = tc3("AKIDone", "key-one", None, NOW, "DescribeImages", None, "Limit=5&Offset=0");
        assert_eq!(check(&get), Ok(()));
        let mut other_query = get.clone();
        other_query.query = "Limit=6&Offset=0".into();
        assert_eq!(code(&other_query), "AuthFailure.SignatureFailure");
        // Signed over the hash of UNSIGNED-PAYLOAD, so any body passes.
        let mut unsigned =
            tc3("AKIDone", "key-one", None, NOW, "DescribeImages", Some(UNSIGNED_PAYLOAD), "");
        unsigned.headers.insert("x-tc-content-sha256".into(), UNSIGNED_PAYLOAD.into());
        unsigned.body = br#"{"Limit":1}"#.to_vec();
        assert_eq!(check(&unsigned), Ok(()));
        unsigned.headers.remove("x-tc-content-sha256");
        assert_eq!(code(&unsigned), "AuthFailure.SignatureFailure", "the body is signed again");
    }

    #[test]
    fn tampering_with_signed_parts_breaks_the_signature() {
        let good = signed("AKIDone", "key-one", None, NOW, &public_normal());
        let mut other_body = good.clone();
        other_body.body = public_normal().replace("\"Offset\":0", "\"Offset\":100").into_bytes();
        assert_ne!(other_body.body, good.body);
        let mut other_host = good.clone();
        other_host.headers.insert("host".into(), "127.0.0.1:8081".into());
        let mut later = good.clone();
        later.headers.insert("x-tc-timestamp".into(), (NOW + 1).to_string());
        for tampered in [other_body, other_host, later] {
            assert_eq!(code(&tampered), "AuthFailure.SignatureFailure");
        }
    }

    #[test]
    fn credentials_tokens_and_clock_are_checked() {
        let body = public_normal();
        let cases: Vec<(Signed, &str)> = vec![
            (signed("AKIDnobody", "key", None, NOW, &body), "AuthFailure.SecretIdNotFound"),
            (signed("AKIDtemp", "key-temp", None, NOW, &body), "AuthFailure.TokenFailure"),
            (signed("AKIDtemp", "key-temp", Some("other"), NOW, &body), "AuthFailure.TokenFailure"),
            (signed("AKIDtemp", "key-temp", Some("tok"), NOW, &body), ""),
            (signed("AKIDone", "key-one", None, NOW - 301, &body), "AuthFailure.SignatureExpire"),
            (signed("AKIDone", "key-one", None, NOW + 300, &body), ""),
        ];
        for (request, expected) in cases {
            assert_eq!(code(&request), expected, "{:?}", request.headers);
        }
        let mut unsigned = signed("AKIDone", "key-one", None, NOW, &body);
        unsigned.headers.remove("authorization");
        assert_eq!(code(&unsigned), "AuthFailure.InvalidAuthorization");
    }

    #[test]
    fn the_scope_must_be_the_timestamp_date_and_cvm() {
        let good = signed("AKIDone", "key-one", None, NOW, &public_normal());
        let sent = good.headers["authorization"].clone();
        for wrong in [sent.replace("/cvm/", "/cbs/"), sent.replace("2023-11-14", "2023-11-15")] {
            assert_ne!(wrong, sent);
            let mut tampered = good.clone();
            tampered.headers.insert("authorization".into(), wrong);
            assert_eq!(code(&tampered), "AuthFailure.SignatureFailure");
        }
        let mut unsigned_host = good.clone();
        unsigned_host
            .headers
            .insert("authorization".into(), sent.replace("content-type;host", "content-type"));
        assert_eq!(code(&unsigned_host), "AuthFailure.InvalidAuthorization");
    }

    #[test]
    fn signature_v1_both_algorithms_get_and_post() {
        for http in ["GET", "POST"] {
            for method in [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256] {
                let good = v1_signed("AKIDone", "key-one", http, method, NOW, &[("Limit", "5")]);
                assert_eq!(check(&good), Ok(()), "{http} {method:?}");
                let wrong = v1_signed("AKIDone", "key-two", http, method, NOW, &[("Limit", "5")]);
                let refused = check(&wrong).expect_err("wrong key");
                assert_eq!(refused.code, "AuthFailure.SignatureFailure", "{http} {method:?}");
                assert!(refused.message.contains(method.as_param()), "{}", refused.message);
            }
        }
        let sha1 = SignatureMethod::HmacSha1;
        let mut as_get = v1_signed("AKIDone", "key-one", "POST", sha1, NOW, &[]);
        as_get.query = String::from_utf8(std::mem::take(&mut as_get.body)).expect("text");
        as_get.method = "GET";
        as_get.headers.remove("content-type");
        assert_eq!(code(&as_get), "AuthFailure.SignatureFailure", "the method is signed");
    }

    #[test]
    fn signature_v1_refusals() {
        let sha1 = SignatureMethod::HmacSha1;
        let cases: Vec<(Signed, &str)> = vec![
            (v1_signed("AKIDnobody", "k", "GET", sha1, NOW, &[]), "AuthFailure.SecretIdNotFound"),
            (
                v1_signed("AKIDone", "key-one", "GET", sha1, NOW - 301, &[]),
                "AuthFailure.SignatureExpire",
            ),
            (v1_signed("AKIDtemp", "key-temp", "GET", sha1, NOW, &[]), "AuthFailure.TokenFailure"),
            (v1_signed("AKIDtemp", "key-temp", "GET", sha1, NOW, &[("Token", "tok")]), ""),
            (
                v1_signed("AKIDone", "key-one", "GET", sha1, NOW, &[("Nonce", "0")]),
                "InvalidParameter",
            ),
            (
                v1_signed("AKIDone", "key-one", "GET", sha1, NOW, &[("SignatureMethod", "MD5")]),
                "InvalidParameterValue",
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(code(&request), expected, "{}", request.query);
        }
        let mut no_signature = v1_signed("AKIDone", "key-one", "GET", sha1, NOW, &[]);
        no_signature.query = no_signature
            .query
            .split('&')
            .filter(|p| !p.starts_with("Signature="))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(code(&no_signature), "MissingParameter");
    }

    #[test]
    fn a_v1_token_is_redacted_from_the_signature_error() {
        let sha1 = SignatureMethod::HmacSha1;
        let wrong = v1_signed("AKIDtemp", "wrong", "GET", sha1, NOW, &[("Token", "s3cr3t")]);
        let refused = check(&wrong).expect_err("wrong key");
        assert!(refused.message.contains("Token=<redacted>"), "{}", refused.message);
        assert!(!refused.message.contains("s3cr3t"));
    }
}
