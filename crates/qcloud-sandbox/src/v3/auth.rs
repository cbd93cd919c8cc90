//! The checks of one API 3.0 request: the `Authorization` header must be TC3-HMAC-SHA256 over
//! at least `content-type` and `host`, from a known `SecretId`, for today's scope, with the
//! right signature; a temporary credential's `X-TC-Token` must match; `X-TC-Timestamp` must be
//! within the window of the sandbox clock.
//!
//! Must not depend on HTTP types or on the server: headers come in as a lower-case map.

use super::tc3::{Authorization, CanonicalRequest, CredentialScope, StringToSign, signature};
use super::{Error, Headers, SERVICE};
use crate::auth::{Authenticator, same_text};

/// Checks the `Authorization` header against `auth`'s credentials, then the token and the
/// timestamp window. `path` is the request path as sent, `body` the raw body.
pub fn authenticate(
    auth: &Authenticator,
    headers: &Headers,
    path: &str,
    body: &[u8],
) -> Result<(), Error> {
    let header = |name: &str| headers.get(name).map(String::as_str);
    let invalid_auth = |why: &str| Error::new("AuthFailure.InvalidAuthorization", 4100, why);
    let parsed = header("authorization")
        .and_then(Authorization::parse)
        .ok_or_else(|| invalid_auth("Authorization is missing or is not TC3-HMAC-SHA256"))?;
    let timestamp: i64 = header("x-tc-timestamp")
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| Error::invalid("X-TC-Timestamp must be unix seconds"))?;
    let credential = auth.credential(&parsed.secret_id).ok_or_else(|| {
        Error::new(
            "AuthFailure.SecretIdNotFound",
            4104,
            format!("the SecretId {} does not exist: check the secret id", parsed.secret_id),
        )
    })?;
    let signed = &parsed.signed_headers;
    if !(signed.iter().any(|h| h == "content-type") && signed.iter().any(|h| h == "host")) {
        return Err(invalid_auth("SignedHeaders must include content-type and host"));
    }
    let values: Vec<(&str, &str)> =
        signed.iter().map(|name| (name.as_str(), header(name).unwrap_or_default())).collect();
    let canonical = CanonicalRequest::new("POST", path, "", &values, body);
    let expected_scope = CredentialScope::new(timestamp, SERVICE);
    let text = StringToSign::new(timestamp, &parsed.scope, &canonical);
    let expected = signature(&credential.secret_key, &parsed.scope, &text);
    if parsed.scope != expected_scope || !same_text(&expected, &parsed.signature) {
        return Err(Error::new(
            "AuthFailure.SignatureFailure",
            4100,
            format!(
                "the signature does not match (TC3-HMAC-SHA256 over the canonical request \
                 {:?} with the scope {}/{SERVICE}/tc3_request); check the secret id and key",
                canonical.to_string(),
                expected_scope.date
            ),
        ));
    }
    if let Some(token) = &credential.token
        && !header("x-tc-token").is_some_and(|sent| same_text(sent, token))
    {
        return Err(Error::new(
            "AuthFailure.TokenFailure",
            4105,
            "the SecretId belongs to a temporary credential: send its token in X-TC-Token",
        ));
    }
    auth.check_timestamp(timestamp, auth.now())
        .map_err(|stale| Error::new("AuthFailure.SignatureExpire", 4500, stale.to_string()))
}

/// Requests signed the way the API documents, for the tests of this module and of
/// [`super::query`].
#[cfg(test)]
pub(crate) mod testing {
    use super::super::tc3::{Authorization, CanonicalRequest, CredentialScope, StringToSign};
    use super::super::{ACTION, Headers, SERVICE, VERSION};

    /// The `content-type` a client sends.
    pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

    /// A request for public images in state NORMAL (or for `ids`, when given), offset 0,
    /// limit 100, sent to `127.0.0.1:8080` at `timestamp`: lower-case headers and the body.
    pub fn signed(
        id: &str,
        key: &str,
        token: Option<&str>,
        timestamp: i64,
        ids: &[String],
    ) -> (Headers, String) {
        let body = if ids.is_empty() {
            serde_json::json!({
                "Filters": [
                    { "Name": "image-type", "Values": ["PUBLIC_IMAGE"] },
                    { "Name": "image-state", "Values": ["NORMAL"] },
                ],
                "Offset": 0,
                "Limit": 100,
            })
        } else {
            serde_json::json!({ "ImageIds": ids, "Offset": 0, "Limit": 100 })
        }
        .to_string();
        let host = "127.0.0.1:8080";
        let canonical = CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[("content-type", CONTENT_TYPE), ("host", host)],
            body.as_bytes(),
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
            ("content-type", CONTENT_TYPE.to_owned()),
            ("host", host.to_owned()),
            ("x-tc-action", ACTION.to_owned()),
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
        (headers, body)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::testing::signed;
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

    fn code(result: Result<(), Error>) -> String {
        result.err().map(|e| e.code).unwrap_or_default()
    }

    #[test]
    fn a_correct_signature_is_accepted_and_a_wrong_one_refused() {
        let auth = authenticator();
        let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
        assert_eq!(authenticate(&auth, &headers, "/", body.as_bytes()), Ok(()));
        let (headers, body) = signed("AKIDone", "wrong-key", None, NOW, &[]);
        let refused = authenticate(&auth, &headers, "/", body.as_bytes()).expect_err("wrong key");
        assert_eq!(
            (refused.code.as_str(), refused.code_2_0),
            ("AuthFailure.SignatureFailure", 4100)
        );
        assert!(!refused.message.contains("key-one"), "{}", refused.message);
    }

    #[test]
    fn tampering_with_signed_parts_breaks_the_signature() {
        let auth = authenticator();
        let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
        let other_body = body.replace("\"Offset\":0", "\"Offset\":100");
        assert_ne!(other_body, body);
        assert_eq!(
            code(authenticate(&auth, &headers, "/", other_body.as_bytes())),
            "AuthFailure.SignatureFailure"
        );
        let mut other_host = headers.clone();
        other_host.insert("host".into(), "127.0.0.1:8081".into());
        assert_eq!(
            code(authenticate(&auth, &other_host, "/", body.as_bytes())),
            "AuthFailure.SignatureFailure"
        );
        let mut later = headers.clone();
        later.insert("x-tc-timestamp".into(), (NOW + 1).to_string());
        assert_eq!(
            code(authenticate(&auth, &later, "/", body.as_bytes())),
            "AuthFailure.SignatureFailure"
        );
    }

    #[test]
    fn credentials_tokens_and_clock_are_checked() {
        let auth = authenticator();
        let cases: Vec<((Headers, String), &str)> = vec![
            (signed("AKIDnobody", "key", None, NOW, &[]), "AuthFailure.SecretIdNotFound"),
            (signed("AKIDtemp", "key-temp", None, NOW, &[]), "AuthFailure.TokenFailure"),
            (signed("AKIDtemp", "key-temp", Some("other"), NOW, &[]), "AuthFailure.TokenFailure"),
            (signed("AKIDtemp", "key-temp", Some("tok"), NOW, &[]), ""),
            (signed("AKIDone", "key-one", None, NOW - 301, &[]), "AuthFailure.SignatureExpire"),
            (signed("AKIDone", "key-one", None, NOW + 300, &[]), ""),
        ];
        for ((headers, body), expected) in cases {
            assert_eq!(
                code(authenticate(&auth, &headers, "/", body.as_bytes())),
                expected,
                "{headers:?}"
            );
        }
        let (mut headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
        headers.remove("authorization");
        assert_eq!(
            code(authenticate(&auth, &headers, "/", body.as_bytes())),
            "AuthFailure.InvalidAuthorization"
        );
    }

    #[test]
    fn the_scope_must_be_the_timestamp_date_and_cvm() {
        let auth = authenticator();
        let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
        let sent = &headers["authorization"];
        for wrong in [sent.replace("/cvm/", "/cbs/"), sent.replace("2023-11-14", "2023-11-15")] {
            assert_ne!(&wrong, sent);
            let mut tampered = headers.clone();
            tampered.insert("authorization".into(), wrong);
            assert_eq!(
                code(authenticate(&auth, &tampered, "/", body.as_bytes())),
                "AuthFailure.SignatureFailure"
            );
        }
        let mut unsigned_host = headers.clone();
        unsigned_host
            .insert("authorization".into(), sent.replace("content-type;host", "content-type"));
        assert_eq!(
            code(authenticate(&auth, &unsigned_host, "/", body.as_bytes())),
            "AuthFailure.InvalidAuthorization"
        );
    }
}
