use super::*;
use crate::qcloud::{Credentials, SignatureMethod};

const ID: &str = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA";
const KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";
const STAMP: Stamp = Stamp { timestamp: 1465185768, nonce: 11886 };

fn credentials(token: Option<&str>) -> Credentials {
    Credentials {
        secret_id: ID.into(),
        secret_key: KEY.into(),
        security_token: token.map(str::to_string),
    }
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("test URL is valid")
}

fn target<'a>(endpoint: &'a Url, creds: &'a Credentials, method: SignatureMethod) -> Target<'a> {
    Target { endpoint, region: "gz", credentials: creds, signature_method: method }
}

/// A call with a few action parameters, as an action would hand it in.
fn call() -> Call {
    let params = [("imageType", "2"), ("offset", "200"), ("limit", "100")];
    Call {
        action: "DescribeImages",
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

#[test]
fn params_are_the_common_ones_plus_the_action_ones() {
    let endpoint = url("https://image.api.qcloud.com/v2/index.php");
    let creds = credentials(None);
    let params = params(&target(&endpoint, &creds, SignatureMethod::HmacSha256), &call(), STAMP);
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("Action", "DescribeImages"),
            ("Nonce", "11886"),
            ("Region", "gz"),
            ("SecretId", ID),
            ("SignatureMethod", "HmacSHA256"),
            ("Timestamp", "1465185768"),
            ("imageType", "2"),
            ("limit", "100"),
            ("offset", "200"),
        ]
    );
}

#[test]
fn string_to_sign_is_sorted_and_carries_host_and_path() {
    let endpoint = url("https://image.api.qcloud.com/v2/index.php");
    let creds = credentials(None);
    let params = params(&target(&endpoint, &creds, SignatureMethod::HmacSha1), &call(), STAMP);
    assert_eq!(
        string_to_sign(&endpoint, &params).as_str(),
        "GETimage.api.qcloud.com/v2/index.php?Action=DescribeImages&Nonce=11886&Region=gz\
         &SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA1\
         &Timestamp=1465185768&imageType=2&limit=100&offset=200"
    );
}

#[test]
fn token_is_sent_only_when_set() {
    let endpoint = url("https://image.api.qcloud.com/v2/index.php");
    let without = credentials(None);
    let with = credentials(Some("temp/token+1"));
    for (creds, expect_token) in [(&without, None), (&with, Some("temp/token+1"))] {
        let request = build(&target(&endpoint, creds, SignatureMethod::HmacSha256), &call(), STAMP);
        assert_eq!(request.params.get("Token").map(String::as_str), expect_token);
        let query = request.url.query().unwrap_or_default();
        assert_eq!(query.contains("Token=temp%2Ftoken%2B1"), expect_token.is_some(), "{query}");
    }
}

#[test]
fn published_vectors_are_reproduced_and_encoded_once() {
    let endpoint = url("https://cvm.api.qcloud.com/v2/index.php");
    let creds = credentials(None);
    let vector: BTreeMap<String, String> = [
        ("Action", "DescribeInstances"),
        ("Nonce", "11886"),
        ("Region", "gz"),
        ("SecretId", ID),
        ("Timestamp", "1465185768"),
        ("instanceIds.0", "ins-09dx96dg"),
        ("limit", "20"),
        ("offset", "0"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let sha1 = target(&endpoint, &creds, SignatureMethod::HmacSha1);
    let request = sign_params(&sha1, vector.clone());
    assert_eq!(request.params["Signature"], "NSI3UqqD99b/UJb4tbG/xZpRW64=");
    let query = request.url.query().unwrap_or_default();
    assert!(query.contains("&Signature=NSI3UqqD99b%2FUJb4tbG%2FxZpRW64%3D&"), "{query}");

    let mut with_method = vector;
    with_method.insert("SignatureMethod".into(), "HmacSHA256".into());
    let sha256 = Target { signature_method: SignatureMethod::HmacSha256, ..sha1 };
    let request = sign_params(&sha256, with_method);
    assert_eq!(request.params["Signature"], "PSWUwVv4TfW2sQP1FT9KbbLjIZ9bmK8f1cL6fbpf3KI=");
    let query = request.url.query().unwrap_or_default();
    assert!(query.contains("Signature=PSWUwVv4TfW2sQP1FT9KbbLjIZ9bmK8f1cL6fbpf3KI%3D"), "{query}");
    assert_eq!(
        request.url.as_str().split('?').next(),
        Some("https://cvm.api.qcloud.com/v2/index.php")
    );
}

#[test]
fn signature_with_plus_slash_and_equals_is_escaped_exactly_once() {
    let endpoint = url("https://image.api.qcloud.com/v2/index.php");
    let creds = credentials(None);
    let target = target(&endpoint, &creds, SignatureMethod::HmacSha256);
    let request = (1..10_000)
        .map(|nonce| build(&target, &call(), Stamp { nonce, ..STAMP }))
        .find(|r| ["+", "/", "="].iter().all(|c| r.params["Signature"].contains(c)))
        .expect("some nonce below 10000 gives a signature with + / and =");
    let signature = &request.params["Signature"];
    let query = request.url.query().unwrap_or_default();
    let sent = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("Signature="))
        .expect("the query carries the signature");
    assert_eq!(sent, signature.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D"));
    assert!(!sent.contains("%25"), "encoded twice: {sent}");
}

#[test]
fn host_carries_the_port_only_when_it_is_not_the_default() {
    let cases = [
        ("http://127.0.0.1:8080/v2/index.php", "GET127.0.0.1:8080/v2/index.php?"),
        ("https://image.api.qcloud.com:443/v2/index.php", "GETimage.api.qcloud.com/v2/index.php?"),
        ("http://localhost:80/x", "GETlocalhost/x?"),
        ("https://h.example.com:8443", "GETh.example.com:8443/?"),
        ("http://[::1]:9000/v2/index.php", "GET[::1]:9000/v2/index.php?"),
    ];
    let params = BTreeMap::from([("a".to_string(), "b".to_string())]);
    for (endpoint, prefix) in cases {
        let text = string_to_sign(&url(endpoint), &params);
        assert_eq!(text.as_str(), format!("{prefix}a=b"), "{endpoint}");
    }
}

#[test]
fn values_are_percent_encoded_as_rfc3986() {
    let params = BTreeMap::from([
        ("imageIds.0".to_string(), "img-a b/c+d=e&f~g_h.i".to_string()),
        ("x".to_string(), "中".to_string()),
    ]);
    assert_eq!(encode_query(&params), "imageIds.0=img-a%20b%2Fc%2Bd%3De%26f~g_h.i&x=%E4%B8%AD");
}

#[test]
fn debug_hides_token_and_signature() {
    let endpoint = url("https://image.api.qcloud.com/v2/index.php");
    let creds = credentials(Some("TOPSECRETTOKEN"));
    let request = build(&target(&endpoint, &creds, SignatureMethod::HmacSha256), &call(), STAMP);
    let debug = format!("{request:?}");
    assert!(!debug.contains("TOPSECRETTOKEN"), "{debug}");
    assert!(!debug.contains(&request.params["Signature"]), "{debug}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains("DescribeImages"), "{debug}");
}
