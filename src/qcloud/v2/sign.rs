//! The API 2.0 signature: a pure function of the parameters, the request line and the key.
//! Time and nonce are ordinary parameters chosen by the caller. The text signed (which holds
//! the token) and the HMAC state derived from the key are wiped from memory when dropped.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};

/// The HMAC used for `Signature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignatureMethod {
    #[default]
    HmacSha256,
    HmacSha1,
}

impl SignatureMethod {
    /// The `SignatureMethod` parameter's value.
    pub fn as_param(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha256 => "HmacSHA256",
            SignatureMethod::HmacSha1 => "HmacSHA1",
        }
    }

    /// The method a `SignatureMethod` parameter names: `HmacSHA256`, anything else HmacSHA1.
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some("HmacSHA256") => SignatureMethod::HmacSha256,
            _ => SignatureMethod::HmacSha1,
        }
    }
}

/// The exact text that is signed: `METHOD` + host + path + `?` + sorted raw `name=value` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign(String);

impl StringToSign {
    /// Builds the text from every parameter that is sent, except `Signature`.
    pub fn new(method: &str, host: &str, path: &str, params: &BTreeMap<String, String>) -> Self {
        let sorted: BTreeMap<String, &str> = params
            .iter()
            .filter(|(name, _)| name.as_str() != "Signature")
            .map(|(name, value)| (name.replace('_', "."), value.as_str()))
            .collect();
        let query: Vec<String> = sorted.iter().map(|(n, v)| format!("{n}={v}")).collect();
        Self(format!("{method}{host}{path}?{}", query.join("&")))
    }

    /// The text itself.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for StringToSign {
    /// The text carries the `Token` of temporary credentials: wipe it once signed.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Base64 `Signature` of `text` under `secret_key` (not yet URL-encoded).
pub fn sign(text: &StringToSign, secret_key: &[u8], method: SignatureMethod) -> String {
    let engine = &base64::engine::general_purpose::STANDARD;
    let data = text.as_str().as_bytes();
    match method {
        SignatureMethod::HmacSha1 => {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret_key).expect(ANY_KEY_LENGTH);
            mac.update(data);
            engine.encode(mac.finalize().into_bytes())
        }
        SignatureMethod::HmacSha256 => {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret_key).expect(ANY_KEY_LENGTH);
            mac.update(data);
            engine.encode(mac.finalize().into_bytes())
        }
    }
}

const ANY_KEY_LENGTH: &str = "HMAC accepts keys of any length";

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";
    const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA";

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn instances_params() -> BTreeMap<String, String> {
        params(&[
            ("Action", "DescribeInstances"),
            ("Nonce", "11886"),
            ("Region", "gz"),
            ("SecretId", ID),
            ("Timestamp", "1465185768"),
            ("instanceIds.0", "ins-09dx96dg"),
            ("limit", "20"),
            ("offset", "0"),
        ])
    }

    #[test]
    fn string_to_sign_sorts_raw_pairs_by_byte_order() {
        let text =
            StringToSign::new("GET", "cvm.api.qcloud.com", "/v2/index.php", &instances_params());
        assert_eq!(
            text.as_str(),
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=11886&Region=gz\
             &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1465185768\
             &instanceIds.0=ins-09dx96dg&limit=20&offset=0"
        );
    }

    #[test]
    fn published_hmac_sha1_vector() {
        let text =
            StringToSign::new("GET", "cvm.api.qcloud.com", "/v2/index.php", &instances_params());
        assert_eq!(sign(&text, KEY, SignatureMethod::HmacSha1), "NSI3UqqD99b/UJb4tbG/xZpRW64=");
    }

    #[test]
    fn published_hmac_sha256_vector() {
        let mut p = instances_params();
        p.insert("SignatureMethod".into(), "HmacSHA256".into());
        let text = StringToSign::new("GET", "cvm.api.qcloud.com", "/v2/index.php", &p);
        assert!(text.as_str().contains(&format!("SecretId={ID}&SignatureMethod=HmacSHA256&")));
        assert_eq!(
            sign(&text, KEY, SignatureMethod::HmacSha256),
            "PSWUwVv4TfW2sQP1FT9KbbLjIZ9bmK8f1cL6fbpf3KI="
        );
    }

    #[test]
    fn second_published_hmac_sha1_vector() {
        let p = params(&[
            ("Action", "DescribeInstances"),
            ("Nonce", "345122"),
            ("Region", "gz"),
            ("SecretId", ID),
            ("Timestamp", "1408704141"),
        ]);
        let text = StringToSign::new("GET", "cvm.api.qcloud.com", "/v2/index.php", &p);
        assert_eq!(
            text.as_str(),
            "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&Nonce=345122&Region=gz\
             &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&Timestamp=1408704141"
        );
        assert_eq!(sign(&text, KEY, SignatureMethod::HmacSha1), "HgIYOPcx5lN6gz8JsCFBNAWp2oQ=");
    }

    /// Golden vectors from Tencent's own SDKs for fixed inputs: `Sign.make` of
    /// qcloudapi-sdk-python 2.0.15 (API 2.0), and `_format_sign_string` + `Sign.sign` of
    /// tencentcloud-sdk-python-common 3.1.195 (signature v1 of API 3.0, the same algorithm).
    /// Recompute with `crates/qcloud-sandbox/sdk/golden_vectors.py`.
    #[test]
    fn official_sdk_golden_vectors() {
        let describe_images = |method: &str, token: Option<&str>| {
            let mut p = params(&[
                ("Action", "DescribeImages"),
                ("Nonce", "11886"),
                ("Region", "ap-guangzhou"),
                ("SecretId", ID),
                ("SignatureMethod", method),
                ("Timestamp", "1700000000"),
                ("imageIds.0", "img-31tjrtph"),
                ("imageType", "2"),
                ("limit", "100"),
                ("offset", "0"),
            ]);
            if let Some(token) = token {
                p.insert("Token".into(), token.into());
            }
            p
        };
        let (sha1, sha256) = (SignatureMethod::HmacSha1, SignatureMethod::HmacSha256);
        let token = Some("temporary-token");
        let host = "image.api.qcloud.com";
        let cases = [
            ("GET", describe_images("HmacSHA1", None), sha1, "kVU2eY/hy6hyJ2GIQ473yMveeYA="),
            (
                "GET",
                describe_images("HmacSHA256", None),
                sha256,
                "3gcHfDjhqGIOg2rj4q4ID7Fz8h9Wluk7ZzVWX5Zcl4s=",
            ),
            ("POST", describe_images("HmacSHA1", token), sha1, "uFTst73vX1lrNwozXZQJMeRQFho="),
            (
                "POST",
                describe_images("HmacSHA256", token),
                sha256,
                "cPGH3W0zgf0uDWT2ZQ+R9Bu91bOMCP+qP635hkl/fRM=",
            ),
        ];
        for (http_method, p, method, expected) in cases {
            let text = StringToSign::new(http_method, host, "/v2/index.php", &p);
            assert_eq!(sign(&text, KEY, method), expected, "{http_method} {method:?}");
        }
        let v1 = |method: &str| {
            params(&[
                ("Action", "DescribeImages"),
                ("Filters.0.Name", "image-type"),
                ("Filters.0.Values.0", "PUBLIC_IMAGE"),
                ("Limit", "100"),
                ("Nonce", "345122"),
                ("Offset", "0"),
                ("Region", "ap-guangzhou"),
                ("SecretId", ID),
                ("SignatureMethod", method),
                ("Timestamp", "1700000000"),
                ("Version", "2017-03-12"),
            ])
        };
        let get = StringToSign::new("GET", "cvm.tencentcloudapi.com", "/", &v1("HmacSHA1"));
        assert_eq!(
            get.as_str(),
            "GETcvm.tencentcloudapi.com/?Action=DescribeImages&Filters.0.Name=image-type\
             &Filters.0.Values.0=PUBLIC_IMAGE&Limit=100&Nonce=345122&Offset=0&Region=ap-guangzhou\
             &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA1\
             &Timestamp=1700000000&Version=2017-03-12"
        );
        assert_eq!(sign(&get, KEY, sha1), "qJS9QC6lcjlauSRA/Wl5U8KDuQQ=");
        let post = StringToSign::new("POST", "cvm.tencentcloudapi.com", "/", &v1("HmacSHA256"));
        assert_eq!(sign(&post, KEY, sha256), "+N5e1ZENNcPkEb6XR9RZp2u0eJzxSoKDzCOEZ6IMcq8=");
    }

    #[test]
    fn signature_parameter_is_left_out_and_underscores_become_dots() {
        let p = params(&[("Signature", "x"), ("instance_ids_0", "a"), ("Action", "A")]);
        let text = StringToSign::new("POST", "h:8080", "/p", &p);
        assert_eq!(text.as_str(), "POSTh:8080/p?Action=A&instance.ids.0=a");
    }

    #[test]
    fn hmac_state_derived_from_the_key_is_wiped_on_drop() {
        // An HMAC keeps the key as two hash states (key ^ ipad, key ^ opad): these cores.
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<sha1::block_api::Sha1Core>();
        wiped_on_drop::<sha2::block_api::Sha256VarCore>();
    }

    #[test]
    fn signature_method_parameter_names() {
        assert_eq!(SignatureMethod::from_param(Some("HmacSHA256")), SignatureMethod::HmacSha256);
        assert_eq!(SignatureMethod::from_param(Some("HmacSHA1")), SignatureMethod::HmacSha1);
        assert_eq!(SignatureMethod::from_param(None), SignatureMethod::HmacSha1);
    }
}
