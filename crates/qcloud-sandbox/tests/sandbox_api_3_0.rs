//! API 3.0 over real HTTP: requests built and signed here by hand with the sandbox's own
//! signature code (checked against the published vectors and the official SDKs' golden
//! vectors), sent with reqwest: TC3 over POST and GET, signature v1 over GET and a form POST,
//! both actions, the exact `Content-Type`, the documented error codes, regions, the request
//! log, and faults matched by the `Offset` of any form.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use qcloud_sandbox::v2::{SignatureMethod, StringToSign, sign};
use qcloud_sandbox::v3::tc3::StringToSign as Tc3Text;
use qcloud_sandbox::v3::tc3::{Authorization, CanonicalRequest, CredentialScope, signature};
use qcloud_sandbox::{
    Catalog, FaultKind, FaultRule, ImageType, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox,
    SandboxClock, SandboxConfig, SandboxHandle,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The sandbox clock in these tests.
const NOW: i64 = 1_700_000_000;

async fn start(config: SandboxConfig) -> SandboxHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    let config = SandboxConfig { clock: SandboxClock::Fixed(NOW), ..config };
    Sandbox::start(config, listener).expect("the listener has an address")
}

/// An answer: status, `Content-Type` and JSON body.
struct Answer {
    content_type: String,
    json: Value,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().expect("text").to_owned())
            .unwrap_or_default();
        let text = response.text().await.expect("a body");
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        Self { content_type, json }
    }

    fn error_code(&self) -> &str {
        self.json["Response"]["Error"]["Code"].as_str().unwrap_or_default()
    }

    fn ids(&self) -> Vec<String> {
        let set = self.json["Response"]["ImageSet"].as_array();
        let set = set.unwrap_or_else(|| panic!("no ImageSet in {}", self.json));
        set.iter().map(|i| i["ImageId"].as_str().expect("an id").to_owned()).collect()
    }
}

/// A caller that signs its own 3.0 requests.
struct Api {
    address: SocketAddr,
    key: String,
    region: String,
}

impl Api {
    fn new(sandbox: &SandboxHandle) -> Self {
        Self {
            address: sandbox.local_addr(),
            key: SANDBOX_SECRET_KEY.to_owned(),
            region: "ap-guangzhou".to_owned(),
        }
    }

    fn url(&self, query: &str) -> String {
        format!("http://{}/?{query}", self.address)
    }

    /// TC3: a POST of `body`, or a GET of `query` when `body` is `None`.
    async fn tc3(&self, action: &str, body: Option<Value>, query: &str) -> Answer {
        let host = self.address.to_string();
        let (method, content_type) = match body {
            Some(_) => ("POST", "application/json; charset=utf-8"),
            None => ("GET", "application/x-www-form-urlencoded"),
        };
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let canonical = CanonicalRequest::new(
            method,
            "/",
            query,
            &[("content-type", content_type), ("host", &host)],
            body.as_bytes(),
        );
        let scope = CredentialScope::new(NOW, "cvm");
        let text = Tc3Text::new(NOW, &scope, &canonical);
        let authorization = Authorization {
            secret_id: SANDBOX_SECRET_ID.to_owned(),
            signature: signature(&self.key, &scope, &text),
            scope,
            signed_headers: vec!["content-type".to_owned(), "host".to_owned()],
        };
        let client = reqwest::Client::new();
        let request = if method == "POST" {
            client.post(self.url(query)).body(body)
        } else {
            client.get(self.url(query))
        };
        let response = request
            .header("Content-Type", content_type)
            .header("X-TC-Action", action)
            .header("X-TC-Version", "2017-03-12")
            .header("X-TC-Region", &self.region)
            .header("X-TC-Timestamp", NOW.to_string())
            .header("Authorization", authorization.to_string())
            .send()
            .await
            .expect("the sandbox answers");
        Answer::of(response).await
    }

    /// Signature v1: `own` (the action's flat pairs, or common ones to override) over GET or
    /// a form POST.
    async fn v1(&self, http: &str, method: SignatureMethod, own: &[(&str, &str)]) -> Answer {
        let mut pairs: BTreeMap<String, String> = [
            ("Action", "DescribeImages"),
            ("Version", "2017-03-12"),
            ("Region", self.region.as_str()),
            ("SecretId", SANDBOX_SECRET_ID),
            ("Nonce", "4242"),
            ("Timestamp", "1700000000"),
            ("SignatureMethod", method.as_param()),
        ]
        .iter()
        .chain(own)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let text = StringToSign::new(http, &self.address.to_string(), "/", &pairs);
        pairs.insert("Signature".into(), sign(&text, self.key.as_bytes(), method));
        let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let client = reqwest::Client::new();
        let request = if http == "POST" {
            client
                .post(self.url(""))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(encoded)
        } else {
            client.get(self.url(&encoded))
        };
        Answer::of(request.send().await.expect("the sandbox answers")).await
    }
}

fn catalog_ids(image_type: ImageType) -> Vec<String> {
    let catalog = Catalog::builtin();
    catalog
        .images()
        .iter()
        .filter(|i| i.image_type == image_type)
        .map(|i| i.image_id.clone())
        .collect()
}

#[tokio::test]
async fn answers_and_errors_are_exactly_application_json() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api::new(&sandbox);
    let ok = api.tc3("DescribeImages", Some(json!({ "Limit": 1 })), "").await;
    assert_eq!(ok.content_type, "application/json");
    let refused = Api { key: "not-the-key".into(), ..Api::new(&sandbox) };
    let error = refused.tc3("DescribeImages", Some(json!({})), "").await;
    assert_eq!(
        (error.content_type.as_str(), error.error_code()),
        ("application/json", "AuthFailure.SignatureFailure")
    );
    let v2 =
        reqwest::get(format!("http://{}/v2/index.php?Action=DescribeImages", sandbox.local_addr()))
            .await
            .expect("the sandbox answers");
    assert_eq!(Answer::of(v2).await.content_type, "application/json", "API 2.0 too");
}

#[tokio::test]
async fn every_signing_mode_lists_the_same_page() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api::new(&sandbox);
    let filter = json!({ "Filters": [{ "Name": "image-type", "Values": ["PUBLIC_IMAGE"] }], "Offset": 5, "Limit": 7 });
    let public = catalog_ids(ImageType::Public);
    let expected = public[5..12].to_vec();
    let post = api.tc3("DescribeImages", Some(filter), "").await;
    assert_eq!(post.ids(), expected);
    assert_eq!(post.json["Response"]["TotalCount"], public.len());
    let query = "Filters.0.Name=image-type&Filters.0.Values.0=PUBLIC_IMAGE&Offset=5&Limit=7";
    assert_eq!(api.tc3("DescribeImages", None, query).await.ids(), expected, "TC3 over GET");
    let own = [
        ("Filters.0.Name", "image-type"),
        ("Filters.0.Values.0", "PUBLIC_IMAGE"),
        ("Offset", "5"),
        ("Limit", "7"),
    ];
    for http in ["GET", "POST"] {
        for method in [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256] {
            let answer = api.v1(http, method, &own).await;
            assert_eq!(answer.ids(), expected, "v1 {http} {method:?}: {}", answer.json);
        }
    }
    let records = sandbox.requests();
    assert_eq!(records.len(), 6);
    assert!(records.iter().all(|r| r.code == Some(0) && r.params["Offset"] == "5"));
    assert!(records.iter().all(|r| r.params["Filters.image-type"] == "PUBLIC_IMAGE"));
    assert_eq!(records.iter().filter(|r| r.method == "GET").count(), 3);
}

#[tokio::test]
async fn a_wrong_key_is_refused_in_every_form() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api { key: "not-the-key".into(), ..Api::new(&sandbox) };
    let mut answers = vec![
        api.tc3("DescribeImages", Some(json!({})), "").await,
        api.tc3("DescribeImages", None, "Limit=5").await,
        api.tc3("DescribeImageFromFamily", Some(json!({ "ImageFamily": "web-golden" })), "").await,
    ];
    for http in ["GET", "POST"] {
        for method in [SignatureMethod::HmacSha1, SignatureMethod::HmacSha256] {
            answers.push(api.v1(http, method, &[]).await);
        }
    }
    for answer in &answers {
        assert_eq!(answer.error_code(), "AuthFailure.SignatureFailure", "{}", answer.json);
        assert!(
            answer.json["Response"]["ImageSet"].is_null()
                && answer.json["Response"]["Image"].is_null()
        );
    }
    assert!(sandbox.requests().iter().all(|r| r.code == Some(4100)));
}

#[tokio::test]
async fn documented_error_codes_reach_the_caller() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api::new(&sandbox);
    let cases = [
        (
            json!({ "ImageIds": ["img-31tjrtph"], "Filters": [{ "Name": "image-type", "Values": ["PUBLIC_IMAGE"] }] }),
            "InvalidParameter.InvalidParameterCoexistImageIdsFilters",
        ),
        (json!({ "Limit": 101 }), "InvalidParameterValue.InvalidParameterValueLimit"),
        (json!({ "Filters": [{ "Name": "os-name", "Values": ["CentOS"] }] }), "InvalidFilter"),
        (
            json!({ "Filters": [{ "Name": "platform", "Values": ["a", "b", "c", "d", "e", "f"] }] }),
            "InvalidFilterValue.LimitExceeded",
        ),
        (json!({ "InstanceType": "S5" }), "InvalidInstanceType.Malformed"),
        (json!({ "InstanceType": "QQ1.SMALL1" }), "InvalidParameterValue.InstanceTypeNotFound"),
        (json!({ "ImageIds": ["ami-12345678"] }), "InvalidImageId.Malformed"),
        (json!({ "NextToken": "x" }), "UnknownParameter"),
    ];
    for (body, code) in cases {
        let answer = api.tc3("DescribeImages", Some(body.clone()), "").await;
        assert_eq!(answer.error_code(), code, "{body}: {}", answer.json);
        assert!(
            answer.json["Response"]["RequestId"]
                .as_str()
                .is_some_and(|id| id.starts_with("sandbox-"))
        );
    }
    let v1 = api.v1("GET", SignatureMethod::HmacSha256, &[("Limit", "0")]).await;
    assert_eq!(
        v1.error_code(),
        "InvalidParameterValue.InvalidParameterValueLimit",
        "the same under v1"
    );
    let other_action = api.tc3("RunInstances", Some(json!({})), "").await;
    assert_eq!(other_action.error_code(), "InvalidAction");
    let other_version =
        api.v1("GET", SignatureMethod::HmacSha1, &[("Version", "2018-01-01")]).await;
    assert_eq!(other_version.error_code(), "NoSuchVersion");
    let no_version = api.v1("GET", SignatureMethod::HmacSha1, &[("Version", "")]).await;
    assert_eq!(no_version.error_code(), "MissingParameter", "{}", no_version.json);
    assert!(sandbox.requests().iter().all(|r| r.code == Some(4000) || r.code == Some(6100)));
}

#[tokio::test]
async fn unknown_regions_get_the_api_error_with_the_closest_names() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api { region: "ap-shangai".into(), ..Api::new(&sandbox) };
    let tc3 = api.tc3("DescribeImages", Some(json!({})), "").await;
    assert_eq!(tc3.error_code(), "InvalidParameterValue");
    let message = tc3.json["Response"]["Error"]["Message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "A value specified in `X-TC-Region` is not valid, is unsupported, or cannot be used"
        ),
        "{message}"
    );
    assert!(message.contains("did you mean ap-shanghai"), "{message}");
    let v1 = api.v1("POST", SignatureMethod::HmacSha1, &[]).await;
    assert!(
        v1.json["Response"]["Error"]["Message"].as_str().is_some_and(|m| m.contains("`Region`")),
        "{}",
        v1.json
    );
    let short = Api { region: "gz".into(), ..Api::new(&sandbox) };
    assert_eq!(
        short.tc3("DescribeImages", Some(json!({})), "").await.error_code(),
        "InvalidParameterValue",
        "3.0 takes long names only"
    );
    let missing = Api { region: String::new(), ..Api::new(&sandbox) };
    assert_eq!(
        missing.v1("GET", SignatureMethod::HmacSha1, &[]).await.error_code(),
        "MissingParameter"
    );

    let added = start(SandboxConfig {
        regions: qcloud_sandbox::region::Regions::with_added(["ap-newcity".to_owned()]),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api { region: "ap-newcity".into(), ..Api::new(&added) };
    let answer = api.tc3("DescribeImages", Some(json!({ "Limit": 1 })), "").await;
    assert_eq!(answer.error_code(), "", "an added region is served: {}", answer.json);
}

#[tokio::test]
async fn describe_image_from_family_answers_the_latest_usable_build_or_null() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api::new(&sandbox);
    let family = |name: &str| json!({ "ImageFamily": name });
    let web = api.tc3("DescribeImageFromFamily", Some(family("web-golden")), "").await;
    let image = &web.json["Response"]["Image"];
    assert_eq!(image["ImageId"], "img-wg25b02k", "{}", web.json);
    assert_eq!(
        (image["ImageState"].as_str(), image["ImageDeprecated"].as_bool()),
        (Some("NORMAL"), Some(false))
    );
    assert_eq!(image["ImageFamily"], "web-golden");
    for name in ["legacy-app", "nothing-here"] {
        let answer = api.tc3("DescribeImageFromFamily", Some(family(name)), "").await;
        assert!(answer.json["Response"]["Image"].is_null(), "{name}: {}", answer.json);
        assert!(answer.json["Response"]["RequestId"].is_string());
    }
    let v1 = api
        .v1(
            "GET",
            SignatureMethod::HmacSha256,
            &[("Action", "DescribeImageFromFamily"), ("ImageFamily", "arm-base")],
        )
        .await;
    assert_eq!(v1.json["Response"]["Image"]["ImageId"], "img-ar25b14m", "{}", v1.json);
    assert_eq!(v1.json["Response"]["Image"]["Architecture"], "arm64");
    let records = sandbox.requests();
    assert_eq!(records[0].params.get("ImageFamily").map(String::as_str), Some("web-golden"));
    assert_eq!(records[0].params["Action"], "DescribeImageFromFamily");
}

#[tokio::test]
async fn several_types_in_one_filter_and_ids_without_a_type() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api::new(&sandbox);
    let both = api
        .tc3("DescribeImages", Some(json!({ "Filters": [{ "Name": "image-type", "Values": ["PRIVATE_IMAGE", "SHARED_IMAGE"] }], "Limit": 100 })), "")
        .await;
    let catalog = Catalog::builtin();
    let expected: Vec<String> = catalog
        .images()
        .iter()
        .filter(|i| matches!(i.image_type, ImageType::Private | ImageType::Shared))
        .map(|i| i.image_id.clone())
        .collect();
    assert_eq!(both.ids(), expected);
    let ids =
        json!({ "ImageIds": ["img-m8wp6k2d", "img-s2h8a1rd", "img-m3k8q2vd", "img-31tjrtph"] });
    let any_type = api.tc3("DescribeImages", Some(ids), "").await;
    assert_eq!(any_type.ids(), ["img-31tjrtph", "img-m3k8q2vd", "img-s2h8a1rd", "img-m8wp6k2d"]);
    let records = sandbox.requests();
    assert_eq!(records[0].params["Filters.image-type"], "PRIVATE_IMAGE,SHARED_IMAGE");
    assert!(!records[1].params.contains_key("Filters.image-type"));
    assert_eq!(records[1].params["ImageIds.3"], "img-31tjrtph");
}

#[tokio::test]
async fn tags_platforms_names_and_instance_types_filter() {
    let sandbox = start(SandboxConfig::default()).await;
    let api = Api::new(&sandbox);
    let cases = [
        (
            json!({ "Filters": [{ "Name": "tag:env", "Values": ["prod"] }, { "Name": "tag:team", "Values": ["platform"] }] }),
            vec!["img-ar25b14m"],
        ),
        (
            json!({ "Filters": [{ "Name": "platform", "Values": ["ubuntu"] }, { "Name": "image-type", "Values": ["SHARED_IMAGE"] }] }),
            vec!["img-s2h8a1rd", "img-s5g3n0pw", "img-sp25a20t", "img-sp25c20t"],
        ),
        (
            json!({ "Filters": [{ "Name": "image-name", "Values": ["Legacy-App"] }] }),
            vec!["img-lg23f06q", "img-lg23i09q"],
        ),
        (
            json!({ "Filters": [{ "Name": "image-name", "Values": ["base"] }], "InstanceType": "SR1.2XLARGE16" }),
            vec!["img-ar24k11m", "img-ar25b14m"],
        ),
        (
            json!({ "ImageIds": ["img-ar24k11m", "img-wg25a01k"], "InstanceType": "SA3.MEDIUM4" }),
            vec!["img-wg25a01k"],
        ),
    ];
    for (body, expected) in cases {
        let answer = api.tc3("DescribeImages", Some(body.clone()), "").await;
        assert_eq!(answer.ids(), expected, "{body}");
    }
    let logged = &sandbox.requests()[3].params;
    assert_eq!(
        (logged["InstanceType"].as_str(), logged["Filters.image-name"].as_str()),
        ("SR1.2XLARGE16", "base")
    );
}

#[tokio::test]
async fn faults_match_the_offset_of_any_form() {
    let fault = FaultRule::at_offset(30, FaultKind::ApiError { code: 4400, message: None });
    let sandbox = start(SandboxConfig { faults: vec![fault], ..SandboxConfig::default() }).await;
    let api = Api::new(&sandbox);
    let throttled = api.v1("POST", SignatureMethod::HmacSha256, &[("Offset", "30")]).await;
    assert_eq!(throttled.error_code(), "RequestLimitExceeded");
    let get = api.tc3("DescribeImages", None, "Offset=30").await;
    assert_eq!(get.error_code(), "RequestLimitExceeded");
    let other = api.v1("GET", SignatureMethod::HmacSha1, &[("Offset", "20")]).await;
    assert_eq!(other.error_code(), "");
    assert_eq!(sandbox.requests().iter().filter(|r| r.fault.is_some()).count(), 2);
}
