use std::time::Duration;

use reqwest::Url;

use super::*;
use crate::qcloud::request::{PageRequest, Target};
use crate::qcloud::{Credentials, SignatureMethod};
use crate::sandbox::{SandboxClock, SandboxCredential};

const NOW: i64 = 1_700_000_000;

fn authenticator() -> Authenticator {
    let creds = [
        SandboxCredential::new("AKIDone", "key-one"),
        SandboxCredential::new("AKIDtemp", "key-temp").with_token("tok"),
    ];
    Authenticator::new(&creds, SandboxClock::Fixed(NOW), Duration::from_secs(300))
}

/// A request as the client signs it: lower-case headers and the body.
fn signed(
    id: &str,
    key: &str,
    token: Option<&str>,
    timestamp: i64,
    ids: &[String],
) -> (Headers, String) {
    let endpoint = Url::parse("http://127.0.0.1:8080/").expect("a URL");
    let credentials = Credentials {
        secret_id: id.into(),
        secret_key: key.into(),
        security_token: token.map(Into::into),
    };
    let target = Target {
        endpoint: &endpoint,
        region: "ap-guangzhou",
        credentials: &credentials,
        signature_method: SignatureMethod::HmacSha256,
    };
    let page = PageRequest {
        image_type: ImageType::Public,
        image_ids: ids,
        status: Some(ImageStatus::Normal),
        offset: 0,
        limit: 100,
    };
    let request = crate::qcloud::v3::build_request(&target, &page, timestamp);
    let headers =
        request.headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())).collect();
    (headers, request.body)
}

fn code(result: Result<(), Error3>) -> String {
    result.err().map(|e| e.code).unwrap_or_default()
}

#[test]
fn a_correct_signature_is_accepted_and_a_wrong_one_refused() {
    let auth = authenticator();
    let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
    assert_eq!(authenticate(&auth, &headers, "/", body.as_bytes()), Ok(()));
    let (headers, body) = signed("AKIDone", "wrong-key", None, NOW, &[]);
    let refused = authenticate(&auth, &headers, "/", body.as_bytes()).expect_err("wrong key");
    assert_eq!((refused.code.as_str(), refused.code_2_0), ("AuthFailure.SignatureFailure", 4100));
    assert!(!refused.message.contains("key-one"), "{}", refused.message);
}

#[test]
fn tampering_with_signed_parts_breaks_the_signature() {
    let auth = authenticator();
    let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
    let other_body = body.replace("\"Offset\":0", "\"Offset\":100");
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
fn queries_are_validated() {
    let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
    let query = parse_query(&headers, body.as_bytes()).expect("valid");
    assert_eq!(query.image_types, [ImageType::Public]);
    assert_eq!(query.states, [ImageStatus::Normal]);
    assert_eq!((query.offset, query.limit), (0, 100));
    let ids = vec!["img-aaaaaaaa".to_string()];
    let (headers, body) = signed("AKIDone", "key-one", None, NOW, &ids);
    let query = parse_query(&headers, body.as_bytes()).expect("valid");
    assert_eq!((query.image_ids.clone(), query.image_types.len()), (ids, 0));
    let bad_bodies = [
        r#"{"ImageIds":["img-aaaaaaaa"],"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}]}"#,
        r#"{"Limit":0}"#,
        r#"{"Limit":101}"#,
        r#"{"Offset":-1}"#,
        r#"{"Filters":[{"Name":"image-type","Values":["NO_IMAGE"]}]}"#,
        r#"{"Filters":[{"Name":"platform","Values":["CentOS"]}]}"#,
        r#"[]"#,
    ];
    for bad in bad_bodies {
        let error = parse_query(&headers, bad.as_bytes()).expect_err(bad);
        assert_eq!(error.code, "InvalidParameter", "{bad}");
    }
    let mut other = headers.clone();
    other.insert("x-tc-action".into(), "DescribeInstances".into());
    assert_eq!(parse_query(&other, b"{}").expect_err("action").code, "InvalidAction");
}

#[test]
fn selection_and_3_0_fields() {
    let catalog = Catalog::builtin();
    let query = |types: Vec<ImageType>, ids: Vec<String>| Query3 {
        region: "ap-guangzhou".into(),
        image_types: types,
        image_ids: ids,
        states: Vec::new(),
        offset: 0,
        limit: 100,
    };
    let public = query(vec![ImageType::Public], vec![]).select(&catalog);
    let expected = catalog.images().iter().filter(|i| i.image_type == ImageType::Public).count();
    assert_eq!(public.total_count, expected);
    let mixed = vec!["img-m3k8q2vd".to_string(), "img-s2h8a1rd".to_string()];
    let by_ids = query(vec![], mixed).select(&catalog);
    assert_eq!(by_ids.total_count, 2, "ids alone match every type");
    let json: Value = serde_json::from_str(&success_json(&by_ids, 2, "r")).expect("JSON");
    let first = &json["Response"]["ImageSet"][0];
    assert_eq!(first["ImageType"], "PRIVATE_IMAGE");
    assert_eq!(first["CreatedTime"], "2024-04-30T19:00:00Z");
    assert_eq!(first["Architecture"], "x86_64");
    assert_eq!(first["Platform"], "CentOS");
    assert_eq!(first["ImageSource"], "CREATE_IMAGE");
    assert_eq!(first["IsSupportCloudinit"], true);
    assert_eq!(json["Response"]["TotalCount"], 2);
}

#[test]
fn created_time_is_utc_or_empty() {
    assert_eq!(utc_iso("2014-09-27 10:11:00"), "2014-09-27T02:11:00Z");
    assert_eq!(utc_iso("2014-01-01 03:00:00"), "2013-12-31T19:00:00Z");
    assert_eq!(utc_iso(""), "");
    assert_eq!(utc_iso("soon"), "");
}

#[test]
fn fault_codes_map_to_3_0_names_the_client_retries_or_not() {
    use crate::qcloud::retry::{RetryClass, classify};
    use crate::qcloud::{ApiCode, ApiError, Error};
    let cases = [
        (4400, "RequestLimitExceeded", RetryClass::Backoff),
        (6000, "InternalError", RetryClass::Backoff),
        (4100, "AuthFailure.SignatureFailure", RetryClass::Fatal),
        (4104, "AuthFailure.SecretIdNotFound", RetryClass::Fatal),
    ];
    for (code, name, class) in cases {
        let error = Error3::from_code_2_0(code, "m");
        assert_eq!(error.code, name);
        let client = Error::Api(ApiError {
            code: ApiCode::Named(error.code),
            code_desc: None,
            message: "m".into(),
            request_id: None,
        });
        assert_eq!(classify(&client), class, "{code}");
    }
}
