//! The sandbox held to Tencent Cloud's official SDKs, at the versions pinned in
//! `sdk/requirements.txt`: `tencentcloud-sdk-python` (API 3.0) under TC3-HMAC-SHA256 (also
//! with an unsigned body) and both signature v1 algorithms, over GET and POST, and `qcloudapi-sdk-python` (API 2.0) over GET
//! and POST with both algorithms. Each SDK builds, signs and sends its own requests and reads
//! the answers with its own models; the sandbox runs in this process, on loopback.
//!
//! Also: the SDKs' signatures for fixed inputs (`sdk/golden_vectors.py`) are recomputed with
//! the sandbox's own signature code, which must agree.
//!
//! Needs Python 3 with venv and pip, and PyPI; the first run makes the virtual environment
//! (see `sdk/mod.rs`). Never skipped.

mod sdk;

use qcloud_sandbox::v2::{SignatureMethod, StringToSign, sign};
use qcloud_sandbox::v3::tc3::{
    CanonicalRequest, CredentialScope, StringToSign as Tc3Text, signature,
};
use qcloud_sandbox::{
    Catalog, CatalogImage, ImageType, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox,
    SandboxConfig, SandboxCredential, SandboxHandle,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// How an API 3.0 SDK client signs and sends.
#[derive(Debug, Clone, Copy)]
struct Mode {
    sign_method: &'static str,
    http_method: &'static str,
    /// TC3 only: the SDK's option to leave the body unsigned.
    unsigned_payload: bool,
}

const fn mode(sign_method: &'static str, http_method: &'static str) -> Mode {
    Mode { sign_method, http_method, unsigned_payload: false }
}

/// Every way the API 3.0 SDK can call: TC3 (also with an unsigned body) and both v1
/// algorithms, GET and POST.
const MODES_3_0: [Mode; 7] = [
    mode("TC3-HMAC-SHA256", "POST"),
    Mode { unsigned_payload: true, ..mode("TC3-HMAC-SHA256", "POST") },
    mode("TC3-HMAC-SHA256", "GET"),
    mode("HmacSHA1", "GET"),
    mode("HmacSHA1", "POST"),
    mode("HmacSHA256", "GET"),
    mode("HmacSHA256", "POST"),
];

/// Every way the API 2.0 SDK can call: GET and POST, both algorithms.
const MODES_2_0: [(&str, &str); 4] =
    [("GET", "HmacSHA1"), ("GET", "HmacSHA256"), ("POST", "HmacSHA1"), ("POST", "HmacSHA256")];

async fn start(config: SandboxConfig) -> SandboxHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    Sandbox::start(config, listener).expect("the listener has an address")
}

/// Runs a driver off the runtime the sandbox answers on.
async fn drive(script: &'static str, plan: Value) -> Value {
    tokio::task::spawn_blocking(move || sdk::run(script, &plan)).await.expect("the driver ran")
}

/// Runs `calls` through the API 3.0 SDK in `mode`; one result per call.
async fn api_3_0(
    sandbox: &SandboxHandle,
    mode: Mode,
    token: Option<&str>,
    calls: Value,
) -> Vec<Value> {
    let plan = json!({
        "endpoint": sandbox.local_addr().to_string(),
        "secret_id": SANDBOX_SECRET_ID,
        "secret_key": SANDBOX_SECRET_KEY,
        "token": token,
        "sign_method": mode.sign_method,
        "http_method": mode.http_method,
        "unsigned_payload": mode.unsigned_payload,
        "region": "ap-guangzhou",
        "calls": calls,
    });
    let output = drive("api3_driver.py", plan).await;
    assert_eq!(output["warnings"], json!([]), "{mode:?}: the SDK warned while reading answers");
    output["results"].as_array().expect("a list of results").clone()
}

/// The answer of a successful call.
fn ok(result: &Value, what: &str) -> Value {
    assert_eq!(result["ok"], true, "{what}: {result}");
    result["response"].clone()
}

fn ids(response: &Value) -> Vec<String> {
    response["ImageSet"]
        .as_array()
        .unwrap_or_else(|| panic!("no ImageSet in {response}"))
        .iter()
        .map(|image| image["ImageId"].as_str().expect("every image has an id").to_owned())
        .collect()
}

fn catalog_ids(keep: impl Fn(&CatalogImage) -> bool) -> Vec<String> {
    Catalog::builtin().images().iter().filter(|i| keep(i)).map(|i| i.image_id.clone()).collect()
}

fn describe(params: Value) -> Value {
    json!({ "action": "DescribeImages", "params": params })
}

fn type_filter(types: &[&str]) -> Value {
    json!({ "Name": "image-type", "Values": types })
}

#[tokio::test(flavor = "multi_thread")]
async fn api_3_0_sdk_pages_ids_filters_instance_types_and_families_in_every_mode() {
    let sandbox = start(SandboxConfig::default()).await;
    let public = catalog_ids(|i| i.image_type == ImageType::Public);
    let pages = public.len().div_ceil(10);
    let mut calls: Vec<Value> = (0..pages)
        .map(|page| describe(json!({ "Filters": [type_filter(&["PUBLIC_IMAGE"])], "Offset": page * 10, "Limit": 10 })))
        .collect();
    calls.extend([
        describe(json!({ "ImageIds": ["img-s2h8a1rd", "img-m3k8q2vd", "img-31tjrtph", "img-zzzzzzzz"] })),
        describe(json!({ "Filters": [type_filter(&["PRIVATE_IMAGE", "SHARED_IMAGE"])], "Limit": 100 })),
        describe(json!({ "Filters": [{ "Name": "tag:team", "Values": ["web"] }, { "Name": "image-state", "Values": ["NORMAL"] }] })),
        describe(json!({ "Filters": [type_filter(&["PRIVATE_IMAGE"]), { "Name": "platform", "Values": ["Windows"] }] })),
        describe(json!({ "Filters": [{ "Name": "image-name", "Values": ["arm-base"] }, { "Name": "tag-key", "Values": ["env"] }] })),
        describe(json!({ "Filters": [type_filter(&["PRIVATE_IMAGE"])], "InstanceType": "SR1.MEDIUM4", "Limit": 100 })),
        describe(json!({ "Filters": [{ "Name": "image-id", "Values": ["img-wg25a01k"] }, { "Name": "tag-value", "Values": ["prod"] }] })),
        json!({ "action": "DescribeImageFromFamily", "params": { "ImageFamily": "web-golden" } }),
        json!({ "action": "DescribeImageFromFamily", "params": { "ImageFamily": "legacy-app" } }),
        json!({ "action": "DescribeImageFromFamily", "params": { "ImageFamily": "no-such-family" } }),
    ]);
    for mode in MODES_3_0 {
        let results = api_3_0(&sandbox, mode, None, Value::Array(calls.clone())).await;
        let what = |name: &str| format!("{mode:?} {name}");
        let mut listed = Vec::new();
        for result in &results[..pages] {
            let page = ok(result, &what("page"));
            assert_eq!(page["TotalCount"], public.len(), "{mode:?}");
            listed.extend(ids(&page));
        }
        assert_eq!(listed, public, "{mode:?}: every public image once, in order");
        let rest = &results[pages..];
        let by_ids = ok(&rest[0], &what("ids"));
        assert_eq!(
            ids(&by_ids),
            ["img-31tjrtph", "img-m3k8q2vd", "img-s2h8a1rd"],
            "{mode:?}: ids of any type"
        );
        let private_or_shared =
            catalog_ids(|i| matches!(i.image_type, ImageType::Private | ImageType::Shared));
        assert_eq!(ids(&ok(&rest[1], &what("two types"))), private_or_shared, "{mode:?}");
        assert_eq!(
            ids(&ok(&rest[2], &what("tag"))),
            ["img-wg25a01k", "img-wg25b02k", "img-wg25c03k"],
            "{mode:?}"
        );
        let windows = ok(&rest[3], &what("platform"));
        assert_eq!(ids(&windows), ["img-by22w01n"], "{mode:?}");
        assert_eq!(windows["ImageSet"][0]["LicenseType"], "BYOL", "{mode:?}");
        assert_eq!(ids(&ok(&rest[4], &what("name and tag key"))), ["img-ar25b14m"], "{mode:?}");
        let arm = ok(&rest[5], &what("instance type"));
        assert_eq!(ids(&arm), ["img-ar24k11m", "img-ar25b14m"], "{mode:?}: SR1 boots arm64 only");
        assert!(
            arm["ImageSet"]
                .as_array()
                .is_some_and(|s| s.iter().all(|i| i["Architecture"] == "arm64"))
        );
        let snapshots = ok(&rest[6], &what("image id"));
        let image = &snapshots["ImageSet"][0];
        assert_eq!(image["SnapshotSet"][1]["DiskUsage"], "DATA_DISK", "{mode:?}: {image}");
        assert_eq!(
            image["Tags"],
            json!([{ "Key": "env", "Value": "prod" }, { "Key": "team", "Value": "web" }])
        );
        assert_eq!(
            (image["ImageFamily"].as_str(), image["ImageDeprecated"].as_bool()),
            (Some("web-golden"), Some(false))
        );
        let family = ok(&rest[7], &what("family"));
        assert_eq!(family["Image"]["ImageId"], "img-wg25b02k", "{mode:?}: the latest usable build");
        assert!(ok(&rest[8], &what("unusable family"))["Image"].is_null(), "{mode:?}");
        assert!(ok(&rest[9], &what("unknown family"))["Image"].is_null(), "{mode:?}");
    }
    let methods: Vec<String> = sandbox.requests().iter().map(|r| r.method.clone()).collect();
    assert!(methods.contains(&"GET".to_owned()) && methods.contains(&"POST".to_owned()));
    assert!(sandbox.requests().iter().all(|r| r.code == Some(0)), "every call answered");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_3_0_sdk_raises_each_documented_error_in_every_mode() {
    let sandbox = start(SandboxConfig::default()).await;
    let eleven: Vec<Value> =
        (0..11).map(|_| json!({ "Name": "platform", "Values": ["CentOS"] })).collect();
    let cases: Vec<(Value, &str)> = vec![
        (
            describe(
                json!({ "ImageIds": ["img-31tjrtph"], "Filters": [type_filter(&["PUBLIC_IMAGE"])] }),
            ),
            "InvalidParameter.InvalidParameterCoexistImageIdsFilters",
        ),
        (describe(json!({ "Limit": 101 })), "InvalidParameterValue.InvalidParameterValueLimit"),
        (
            describe(json!({ "Filters": [{ "Name": "os-name", "Values": ["CentOS"] }] })),
            "InvalidFilter",
        ),
        (
            describe(
                json!({ "Filters": [{ "Name": "image-name", "Values": ["a", "b", "c", "d", "e", "f"] }] }),
            ),
            "InvalidFilterValue.LimitExceeded",
        ),
        (describe(json!({ "Filters": eleven })), "InvalidParameterValue.LimitExceeded"),
        (describe(json!({ "ImageIds": ["img-NOT-AN-ID"] })), "InvalidImageId.Malformed"),
        (describe(json!({ "InstanceType": "huge" })), "InvalidInstanceType.Malformed"),
        (
            describe(json!({ "InstanceType": "ZZ9.LARGE8" })),
            "InvalidParameterValue.InstanceTypeNotFound",
        ),
        (
            json!({ "action": "DescribeImageFromFamily", "params": { "ImageFamily": "web golden" } }),
            "InvalidParameterValue.InvalidImageFamily",
        ),
        (
            json!({ "action": "DescribeImages", "params": {}, "region": "ap-nowhere" }),
            "InvalidParameterValue",
        ),
        (
            json!({ "action": "DescribeImages", "params": {}, "secret_key": "not-the-key" }),
            "AuthFailure.SignatureFailure",
        ),
        (
            json!({ "action": "DescribeImageFromFamily", "params": { "ImageFamily": "web-golden" }, "secret_key": "not-the-key" }),
            "AuthFailure.SignatureFailure",
        ),
        (
            json!({ "action": "DescribeImages", "params": {}, "secret_id": "AKIDnobody" }),
            "AuthFailure.SecretIdNotFound",
        ),
    ];
    let calls: Vec<Value> = cases.iter().map(|(call, _)| call.clone()).collect();
    for mode in MODES_3_0 {
        let results = api_3_0(&sandbox, mode, None, Value::Array(calls.clone())).await;
        for ((call, code), result) in cases.iter().zip(&results) {
            assert_eq!(result["ok"], false, "{mode:?} {call}: {result}");
            assert_eq!(result["code"], *code, "{mode:?} {call}: {result}");
            let request_id = result["request_id"].as_str().unwrap_or_default();
            assert!(
                request_id.starts_with("sandbox-"),
                "{mode:?}: the SDK read the envelope: {result}"
            );
        }
        let region = &results[9]["message"];
        assert!(
            region.as_str().is_some_and(|m| m.contains("ap-nowhere") && m.contains("Region")),
            "{region}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn api_3_0_sdk_sends_the_token_of_a_temporary_credential() {
    let credential = SandboxCredential::sandbox_default().with_token("session-token");
    let sandbox =
        start(SandboxConfig { credentials: vec![credential], ..SandboxConfig::default() }).await;
    let call = json!([describe(json!({ "Limit": 1 }))]);
    for mode in MODES_3_0 {
        let with = api_3_0(&sandbox, mode, Some("session-token"), call.clone()).await;
        assert_eq!(
            ok(&with[0], "the right token")["TotalCount"],
            Catalog::builtin().len(),
            "{mode:?}"
        );
        let wrong = api_3_0(&sandbox, mode, Some("other-token"), call.clone()).await;
        assert_eq!(wrong[0]["code"], "AuthFailure.TokenFailure", "{mode:?}: {}", wrong[0]);
        let none = api_3_0(&sandbox, mode, None, call.clone()).await;
        assert_eq!(none[0]["code"], "AuthFailure.TokenFailure", "{mode:?}: {}", none[0]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn api_2_0_sdk_get_and_post_with_both_algorithms() {
    let sandbox = start(SandboxConfig::default()).await;
    let public = catalog_ids(|i| i.image_type == ImageType::Public);
    let creating = catalog_ids(|i| i.image_type == ImageType::Private && i.status.code() == 1);
    let calls = json!([
        { "action": "DescribeImages", "params": { "imageType": 2, "offset": 0, "limit": 20 } },
        { "action": "DescribeImages", "params": { "imageType": 2, "offset": 20, "limit": 100 } },
        { "action": "DescribeImages", "params": { "imageType": 1, "imageIds": ["img-m3k8q2vd", "img-r7t2x9wb"] } },
        { "action": "DescribeImages", "params": { "imageType": 1, "status": 1 } },
        { "action": "DescribeImages", "params": { "imageType": 3 }, "region": "gz" },
        { "action": "DescribeImages", "params": { "imageType": 2, "limit": 101 } },
        { "action": "DescribeImages", "params": { "imageType": 9 } },
        { "action": "DescribeImages", "params": { "imageType": 2 }, "secret_key": "not-the-key" },
        { "action": "DescribeImages", "params": { "imageType": 2 }, "secret_id": "AKIDnobody" },
        { "action": "DescribeImages", "params": { "imageType": 2 }, "region": "ap-nowhere" },
    ]);
    for (method, signature_method) in MODES_2_0 {
        let plan = json!({
            "endpoint": sandbox.local_addr().to_string(),
            "secret_id": SANDBOX_SECRET_ID,
            "secret_key": SANDBOX_SECRET_KEY,
            "method": method,
            "signature_method": signature_method,
            "region": "ap-guangzhou",
            "calls": calls,
        });
        let output = drive("api2_driver.py", plan).await;
        let results = output["results"].as_array().expect("a list of results");
        let mode = format!("{method} {signature_method}");
        let listed_ids = |answer: &Value| -> Vec<String> {
            assert_eq!(answer["code"], 0, "{mode}: {answer}");
            let set = answer["imageSet"].as_array().unwrap_or_else(|| panic!("{mode}: {answer}"));
            set.iter().map(|i| i["unImgId"].as_str().expect("an id").to_owned()).collect()
        };
        let mut listed = listed_ids(&results[0]);
        listed.extend(listed_ids(&results[1]));
        assert_eq!(listed, public, "{mode}: both pages, in order");
        assert_eq!(results[0]["totalCount"], public.len(), "{mode}");
        assert_eq!(listed_ids(&results[2]), ["img-m3k8q2vd", "img-r7t2x9wb"], "{mode}");
        assert_eq!(listed_ids(&results[3]), creating, "{mode}");
        assert_eq!(listed_ids(&results[4]).len(), 4, "{mode}: the short region name gz");
        for (answer, code) in results[5..].iter().zip([4000, 4000, 4100, 4104, 4000]) {
            assert_eq!(answer["code"], code, "{mode}: {answer}");
            assert!(answer.get("imageSet").is_none(), "{mode}: {answer}");
        }
        assert!(
            results[9]["message"].as_str().is_some_and(|m| m.contains("invalid Region")),
            "{mode}"
        );
    }
    let methods: Vec<String> = sandbox.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods.iter().filter(|m| *m == "POST").count(), methods.len() / 2);
    let sent = |name: &str| {
        sandbox
            .requests()
            .iter()
            .filter(|r| r.params.get("SignatureMethod").is_some_and(|m| m == name))
            .count()
    };
    assert_eq!(sent("HmacSHA1"), sent("HmacSHA256"), "both algorithms were used");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sdks_golden_vectors_agree_with_the_sandbox_signers() {
    let vectors = drive("golden_vectors.py", json!({})).await;
    let pairs = |vector: &Value| -> std::collections::BTreeMap<String, String> {
        serde_json::from_value(vector["params"].clone()).expect("string parameters")
    };
    let method = |vector: &Value| match vector["signature_method"].as_str() {
        Some("HmacSHA256") => SignatureMethod::HmacSha256,
        _ => SignatureMethod::HmacSha1,
    };
    let str_of = |value: &Value| value.as_str().expect("text").to_owned();
    let v2 = vectors["v2"].as_array().expect("API 2.0 vectors");
    assert_eq!(v2.len(), 4);
    for vector in v2 {
        let text = StringToSign::new(
            &str_of(&vector["method"]),
            &str_of(&vector["host"]),
            &str_of(&vector["path"]),
            &pairs(vector),
        );
        let key = b"Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";
        assert_eq!(sign(&text, key, method(vector)), str_of(&vector["signature"]), "{vector}");
    }
    let v1 = vectors["v1"].as_array().expect("signature v1 vectors");
    assert_eq!(v1.len(), 2);
    for vector in v1 {
        let text = StringToSign::new(
            &str_of(&vector["method"]),
            &str_of(&vector["host"]),
            &str_of(&vector["path"]),
            &pairs(vector),
        );
        assert_eq!(text.as_str(), str_of(&vector["string_to_sign"]), "{vector}");
        let key = b"Gu5t9xGARNpq86cd98joQYCN3Cozk1qA";
        assert_eq!(sign(&text, key, method(vector)), str_of(&vector["signature"]), "{vector}");
    }
    let tc3 = vectors["tc3"].as_array().expect("TC3 vectors");
    assert_eq!(tc3.len(), 3);
    for vector in tc3 {
        let timestamp = vector["timestamp"].as_i64().expect("a timestamp");
        let content_type = str_of(&vector["content_type"]);
        let canonical = CanonicalRequest::new(
            "POST",
            "/",
            "",
            &[("content-type", &content_type), ("host", "cvm.tencentcloudapi.com")],
            str_of(&vector["body"]).as_bytes(),
        );
        let scope = CredentialScope::new(timestamp, "cvm");
        let text = Tc3Text::new(timestamp, &scope, &canonical);
        let computed = signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", &scope, &text);
        assert_eq!(computed, str_of(&vector["signature"]), "{vector}");
        if let Some(authorization) = vector["authorization"].as_str() {
            assert!(
                authorization.contains(&format!("/{}/cvm/tc3_request", scope.date)),
                "{authorization}"
            );
            assert!(authorization.ends_with(&computed), "{authorization}");
        }
    }
}
