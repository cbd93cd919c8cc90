//! The API 2.0 signature, as the API documents it: every parameter sent but `Signature`, sorted
//! by name in byte order, joined as raw `name=value` pairs with `&` (an `_` in a name read as
//! `.`), prefixed with the method, host and path and a `?`; then HMAC-SHA1, or HMAC-SHA256
//! when `SignatureMethod=HmacSHA256`, keyed with the SecretKey, in Base64.
//!
//! API 3.0 documents the same algorithm as its "signature v1" (with the path `/`), so
//! [`crate::v3::auth`] checks those requests with it too.
//!
//! Written from the documentation, not shared with any client, and tested stage by stage
//! against the published vectors (and, in `tests/official_sdks.rs`, against the official
//! SDKs' signatures). Pure: no I/O, no clock.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};

/// The HMAC a request is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureMethod {
    /// `SignatureMethod` absent, or anything but `HmacSHA256`.
    HmacSha1,
    /// `SignatureMethod=HmacSHA256`.
    HmacSha256,
}

impl SignatureMethod {
    /// The method a `SignatureMethod` parameter selects: `HmacSHA256`, or else HMAC-SHA1.
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some("HmacSHA256") => Self::HmacSha256,
            _ => Self::HmacSha1,
        }
    }

    /// The method `value` names exactly, if any.
    pub fn from_name(value: &str) -> Option<Self> {
        [Self::HmacSha1, Self::HmacSha256].into_iter().find(|method| method.as_param() == value)
    }

    /// The `SignatureMethod` value that names this method.
    pub fn as_param(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HmacSHA1",
            Self::HmacSha256 => "HmacSHA256",
        }
    }
}

/// The exact text that is signed: `METHOD` + host + path + `?` + the sorted raw pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign(String);

impl StringToSign {
    /// The text for a request sent with `method` to `host` (as sent, with any `:port`) and
    /// `path`, carrying `params` (a `Signature` among them is left out).
    pub fn new(method: &str, host: &str, path: &str, params: &BTreeMap<String, String>) -> Self {
        let mut pairs: Vec<(String, &str)> = params
            .iter()
            .filter(|(name, _)| name.as_str() != "Signature")
            .map(|(name, value)| (name.replace('_', "."), value.as_str()))
            .collect();
        pairs.sort_unstable();
        let joined: Vec<String> =
            pairs.iter().map(|(name, value)| format!("{name}={value}")).collect();
        Self(format!("{method}{host}{path}?{}", joined.join("&")))
    }

    /// The text itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Base64 `Signature` of `text` under `secret_key` (before any URL encoding).
pub fn sign(text: &StringToSign, secret_key: &[u8], method: SignatureMethod) -> String {
    let data = text.as_str().as_bytes();
    let digest = match method {
        SignatureMethod::HmacSha1 => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret_key).expect(ANY_KEY);
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        SignatureMethod::HmacSha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret_key).expect(ANY_KEY);
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
    };
    base64::engine::general_purpose::STANDARD.encode(digest)
}

const ANY_KEY: &str = "HMAC takes keys of any length";

#[cfg(test)]
mod tests {
    use super::*;

    // The published vectors (DescribeInstances on the CVM host).
    const SECRET_ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA";
    const SECRET_KEY: &[u8] = b"Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";
    const HOST: &str = "cvm.api.qcloud.com";
    const PATH: &str = "/v2/index.php";

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn instances() -> BTreeMap<String, String> {
        params(&[
            ("Action", "DescribeInstances"),
            ("Nonce", "11886"),
            ("Region", "gz"),
            ("SecretId", SECRET_ID),
            ("Timestamp", "1465185768"),
            ("instanceIds.0", "ins-09dx96dg"),
            ("limit", "20"),
            ("offset", "0"),
        ])
    }

    #[test]
    fn vector_one_hmac_sha1() {
        let text = StringToSign::new("GET", HOST, PATH, &instances());
        assert_eq!(
            text.as_str(),
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=11886&Region=gz\
             &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768\
             &instanceIds.0=ins-09dx96dg&limit=20&offset=0"
        );
        assert_eq!(
            sign(&text, SECRET_KEY, SignatureMethod::HmacSha1),
            "NSI3UqqD99b/UJb4tbG/xZpRW64="
        );
    }

    #[test]
    fn vector_two_hmac_sha256() {
        let mut with_method = instances();
        with_method.insert("SignatureMethod".into(), "HmacSHA256".into());
        let text = StringToSign::new("GET", HOST, PATH, &with_method);
        assert_eq!(
            text.as_str(),
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=11886&Region=gz\
             &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA256\
             &Timestamp=1465185768&instanceIds.0=ins-09dx96dg&limit=20&offset=0"
        );
        let method =
            SignatureMethod::from_param(with_method.get("SignatureMethod").map(String::as_str));
        assert_eq!(method, SignatureMethod::HmacSha256);
        assert_eq!(sign(&text, SECRET_KEY, method), "PSWUwVv4TfW2sQP1FT9KbbLjIZ9bmK8f1cL6fbpf3KI=");
    }

    #[test]
    fn vector_three_hmac_sha1() {
        let text = StringToSign::new(
            "GET",
            HOST,
            PATH,
            &params(&[
                ("Action", "DescribeInstances"),
                ("Nonce", "345122"),
                ("Region", "gz"),
                ("SecretId", SECRET_ID),
                ("Timestamp", "1408704141"),
            ]),
        );
        assert_eq!(
            text.as_str(),
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=345122&Region=gz\
             &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1408704141"
        );
        assert_eq!(
            sign(&text, SECRET_KEY, SignatureMethod::HmacSha1),
            "HgIYOPcx5lN6gz8JsCFBNAWp2oQ="
        );
    }

    #[test]
    fn signature_is_left_out_underscores_become_dots_and_upper_case_sorts_first() {
        let text = StringToSign::new(
            "POST",
            "127.0.0.1:8080",
            "/p",
            &params(&[("Signature", "x"), ("image_ids_0", "a"), ("Action", "A"), ("Zeta", "z")]),
        );
        assert_eq!(text.as_str(), "POST127.0.0.1:8080/p?Action=A&Zeta=z&image.ids.0=a");
    }

    #[test]
    fn signature_method_names() {
        assert_eq!(SignatureMethod::from_param(Some("HmacSHA256")), SignatureMethod::HmacSha256);
        for other in [Some("HmacSHA1"), Some("hmacsha256"), None] {
            assert_eq!(SignatureMethod::from_param(other), SignatureMethod::HmacSha1, "{other:?}");
        }
        assert_eq!(SignatureMethod::HmacSha256.as_param(), "HmacSHA256");
        assert_eq!(SignatureMethod::HmacSha1.as_param(), "HmacSHA1");
    }
}
