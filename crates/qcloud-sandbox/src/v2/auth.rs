//! The checks of one API 2.0 request: the `SecretId` must be known, the `Signature` must
//! match under its key, a temporary credential's `Token` must match, the `Timestamp` must be
//! within the window of the sandbox clock, and a `Nonce` may be used once.
//!
//! Must not depend on HTTP types or on the server: the request line is passed in as text.

use super::query::Params;
use super::response::Error;
use super::signature::{SignatureMethod, StringToSign, sign};
use crate::auth::{Authenticator, NonceRefusal, same_text};
use crate::config::SandboxCredential;

/// What the signature covers besides the parameters.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The `Host` header as sent (with `:port` if any).
    pub host: &'a str,
    /// The request path, e.g. `/v2/index.php`.
    pub path: &'a str,
}

/// Authenticates one request against `auth`; on success its nonce is used up.
pub fn authenticate(
    auth: &Authenticator,
    line: RequestLine<'_>,
    params: &Params,
) -> Result<(), Error> {
    let secret_id = params.required("SecretId")?;
    let signature = params.required("Signature")?;
    let timestamp = integer_param(params, "Timestamp")?;
    let nonce = nonce_param(params)?;
    let credential = auth.credential(secret_id).ok_or_else(|| {
        Error::new(4104, format!("the SecretId {secret_id} does not exist: check the secret id"))
    })?;
    check_signature(credential, line, params, signature)?;
    check_token(credential, params)?;
    let now = auth.now();
    auth.check_timestamp(timestamp, now).map_err(|stale| Error::new(4500, stale.to_string()))?;
    auth.use_nonce(secret_id, nonce, timestamp, now).map_err(nonce_error)
}

/// The 2.0 answer to a refused nonce.
fn nonce_error(refusal: NonceRefusal) -> Error {
    match refusal {
        NonceRefusal::CacheFull => {
            Error::new(4400, "request limit exceeded: too many requests in the replay window")
        }
        NonceRefusal::Replayed(nonce) => Error::new(
            4500,
            format!(
                "replay attack: Nonce {nonce} was already used with this SecretId; use a new \
                 nonce for every request"
            ),
        ),
    }
}

fn integer_param(params: &Params, name: &str) -> Result<i64, Error> {
    let text = params.required(name)?;
    text.parse().map_err(|_| {
        Error::invalid_parameter(format!("{name} must be an integer (unix seconds), not {text:?}"))
    })
}

fn nonce_param(params: &Params) -> Result<u64, Error> {
    let text = params.required("Nonce")?;
    text.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
        Error::invalid_parameter(format!("Nonce must be a positive integer, not {text:?}"))
    })
}

fn check_signature(
    credential: &SandboxCredential,
    line: RequestLine<'_>,
    params: &Params,
    signature: &str,
) -> Result<(), Error> {
    let method = SignatureMethod::from_param(params.get("SignatureMethod"));
    let text = StringToSign::new(line.method, line.host, line.path, params.as_map());
    let expected = sign(&text, credential.secret_key.as_bytes(), method);
    if same_text(&expected, signature) {
        return Ok(());
    }
    Err(Error::new(
        4100,
        format!(
            "authentication failed: the signature does not match ({} over the string to sign \
             {:?}); check the secret id and key, and that the signature is URL-encoded once",
            method.as_param(),
            redact_token(text.as_str(), params.get("Token"))
        ),
    ))
}

/// The string to sign with the `Token` value hidden: a token is a secret.
pub(crate) fn redact_token(text: &str, token: Option<&str>) -> String {
    match token {
        Some(token) if !token.is_empty() => {
            text.replace(&format!("Token={token}"), "Token=<redacted>")
        }
        _ => text.to_owned(),
    }
}

fn check_token(credential: &SandboxCredential, params: &Params) -> Result<(), Error> {
    let Some(expected) = &credential.token else { return Ok(()) };
    match params.get("Token") {
        Some(token) if same_text(expected, token) => Ok(()),
        Some(_) => Err(Error::new(4105, "the Token does not match the temporary credential")),
        None => {
            Err(Error::new(4105, "the SecretId belongs to a temporary credential: send its Token"))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::SandboxClock;

    const NOW: i64 = 1_700_000_000;
    const LINE: RequestLine<'static> =
        RequestLine { method: "GET", host: "127.0.0.1:8080", path: "/v2/index.php" };

    fn authenticator() -> Authenticator {
        let creds = [
            SandboxCredential::new("AKIDone", "key-one"),
            SandboxCredential::new("AKIDtemp", "key-temp").with_token("tok"),
        ];
        Authenticator::new(&creds, SandboxClock::Fixed(NOW), Duration::from_secs(300))
    }

    fn signed(
        id: &str,
        key: &str,
        method: SignatureMethod,
        extra: &[(&str, &str)],
        timestamp: i64,
        nonce: u64,
    ) -> Params {
        let mut map: std::collections::BTreeMap<String, String> = [
            ("Action", "DescribeImages"),
            ("Region", "ap-guangzhou"),
            ("SecretId", id),
            ("imageType", "2"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        map.insert("Timestamp".into(), timestamp.to_string());
        map.insert("Nonce".into(), nonce.to_string());
        if method == SignatureMethod::HmacSha256 {
            map.insert("SignatureMethod".into(), "HmacSHA256".into());
        }
        let text = StringToSign::new(LINE.method, LINE.host, LINE.path, &map);
        map.insert("Signature".into(), sign(&text, key.as_bytes(), method));
        map.into_iter().collect()
    }

    fn code(result: Result<(), Error>) -> i64 {
        result.err().map_or(0, |e| e.code)
    }

    #[test]
    fn accepts_both_algorithms() {
        let auth = authenticator();
        for (nonce, method) in [(1, SignatureMethod::HmacSha1), (2, SignatureMethod::HmacSha256)] {
            let params = signed("AKIDone", "key-one", method, &[], NOW, nonce);
            assert_eq!(code(authenticate(&auth, LINE, &params)), 0, "{method:?}");
        }
    }

    #[test]
    fn refusals() {
        let auth = authenticator();
        let sha1 = SignatureMethod::HmacSha1;
        let tampered = {
            let mut p = signed("AKIDone", "key-one", sha1, &[], NOW, 10);
            p = p
                .as_map()
                .iter()
                .map(|(k, v)| (k.clone(), if k == "imageType" { "1".into() } else { v.clone() }))
                .collect();
            p
        };
        let other_host = signed("AKIDone", "key-one", sha1, &[], NOW, 11);
        let cases: Vec<(&str, Params, RequestLine<'_>, i64)> = vec![
            ("wrong key", signed("AKIDone", "key-two", sha1, &[], NOW, 1), LINE, 4100),
            ("tampered parameter", tampered, LINE, 4100),
            ("other host", other_host, RequestLine { host: "127.0.0.1", ..LINE }, 4100),
            (
                "POST signature on GET",
                signed("AKIDone", "key-one", sha1, &[], NOW, 12),
                RequestLine { method: "POST", ..LINE },
                4100,
            ),
            ("unknown id", signed("AKIDnobody", "key-one", sha1, &[], NOW, 2), LINE, 4104),
            ("stale", signed("AKIDone", "key-one", sha1, &[], NOW - 301, 3), LINE, 4500),
            ("future", signed("AKIDone", "key-one", sha1, &[], NOW + 301, 4), LINE, 4500),
            ("no token", signed("AKIDtemp", "key-temp", sha1, &[], NOW, 5), LINE, 4105),
            (
                "wrong token",
                signed("AKIDtemp", "key-temp", sha1, &[("Token", "bad")], NOW, 6),
                LINE,
                4105,
            ),
            ("zero nonce", signed("AKIDone", "key-one", sha1, &[], NOW, 0), LINE, 4000),
        ];
        for (name, params, line, want) in cases {
            assert_eq!(code(authenticate(&auth, line, &params)), want, "{name}");
        }
        let edge = signed("AKIDone", "key-one", sha1, &[], NOW - 300, 7);
        assert_eq!(code(authenticate(&auth, LINE, &edge)), 0, "the window's edge is inside");
        let token = signed("AKIDtemp", "key-temp", sha1, &[("Token", "tok")], NOW, 8);
        assert_eq!(code(authenticate(&auth, LINE, &token)), 0, "the right token");
    }

    #[test]
    fn missing_common_parameters_are_4000() {
        let auth = authenticator();
        let full = signed("AKIDone", "key-one", SignatureMethod::HmacSha1, &[], NOW, 1);
        for name in ["SecretId", "Signature", "Timestamp", "Nonce"] {
            let params: Params = full
                .as_map()
                .iter()
                .filter(|(k, _)| *k != name)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let err = authenticate(&auth, LINE, &params).expect_err(name);
            assert_eq!(err.code, 4000, "{name}");
            assert!(err.message.contains(name), "{}", err.message);
        }
    }

    #[test]
    fn a_nonce_is_used_once_per_secret_id() {
        let auth = Authenticator::new(
            &[SandboxCredential::new("AKIDone", "k1"), SandboxCredential::new("AKIDtwo", "k2")],
            SandboxClock::Fixed(NOW),
            Duration::from_secs(300),
        );
        let sha1 = SignatureMethod::HmacSha1;
        let first = signed("AKIDone", "k1", sha1, &[], NOW, 99);
        assert_eq!(code(authenticate(&auth, LINE, &first)), 0);
        assert_eq!(code(authenticate(&auth, LINE, &first)), 4500);
        let again = signed("AKIDone", "k1", sha1, &[("limit", "5")], NOW - 1, 99);
        assert_eq!(code(authenticate(&auth, LINE, &again)), 4500, "same nonce, other request");
        let other_id = signed("AKIDtwo", "k2", sha1, &[], NOW, 99);
        assert_eq!(code(authenticate(&auth, LINE, &other_id)), 0);
        let refused = signed("AKIDone", "wrong", sha1, &[], NOW, 100);
        assert_eq!(code(authenticate(&auth, LINE, &refused)), 4100);
        let after = signed("AKIDone", "k1", sha1, &[], NOW, 100);
        assert_eq!(code(authenticate(&auth, LINE, &after)), 0, "a refused request uses no nonce");
    }

    #[test]
    fn a_full_replay_cache_is_4400_and_a_replay_4500() {
        assert_eq!(nonce_error(NonceRefusal::CacheFull).code, 4400);
        let replay = nonce_error(NonceRefusal::Replayed(7));
        assert_eq!((replay.code, replay.code_desc.as_str()), (4500, "ReplayAttack"));
        assert!(replay.message.contains("Nonce 7 was already used"), "{}", replay.message);
    }

    #[test]
    fn the_signature_error_shows_the_string_to_sign_not_the_key() {
        let auth = authenticator();
        let params = signed("AKIDone", "key-two", SignatureMethod::HmacSha256, &[], NOW, 1);
        let err = authenticate(&auth, LINE, &params).expect_err("wrong key");
        assert!(err.message.contains("GET127.0.0.1:8080/v2/index.php?Action=DescribeImages"));
        assert!(err.message.contains("HmacSHA256"));
        assert!(!err.message.contains("key-one"));
        let with_token = signed(
            "AKIDtemp",
            "key-one",
            SignatureMethod::HmacSha1,
            &[("Token", "s3cr3t")],
            NOW,
            2,
        );
        let err = authenticate(&auth, LINE, &with_token).expect_err("wrong key");
        assert!(err.message.contains("Token=<redacted>") && !err.message.contains("s3cr3t"));
    }
}
