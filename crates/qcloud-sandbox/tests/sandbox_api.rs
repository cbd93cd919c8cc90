//! The sandbox over real HTTP: requests are built here, by hand, signed with the sandbox's own
//! API 2.0 signature (checked against the published vectors in its unit tests), and sent with
//! reqwest or over a raw TCP stream (to see exactly what a fault sends). The binary is run too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use qcloud_sandbox::v2::{SignatureMethod, StringToSign, sign};
use qcloud_sandbox::{
    Catalog, FaultKind, FaultRule, ImageType, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox,
    SandboxClock, SandboxConfig, SandboxCredential, SandboxHandle,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The sandbox clock in most tests.
const NOW: i64 = 1_700_000_000;

/// Request parameters as written in a test.
type Pairs<'a> = &'a [(&'a str, &'a str)];
/// Parameters to send, parameters to leave out, and the expected message.
type InvalidCase = (Vec<(String, String)>, &'static [&'static str], &'static str);

/// Nonces are never reused across the tests of this file.
static NEXT_NONCE: AtomicU64 = AtomicU64::new(1);

fn nonce() -> String {
    NEXT_NONCE.fetch_add(1, Ordering::SeqCst).to_string()
}

async fn start(config: SandboxConfig) -> SandboxHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    Sandbox::start(config, listener).expect("the listener has an address")
}

fn fixed_clock() -> SandboxConfig {
    SandboxConfig { clock: SandboxClock::Fixed(NOW), ..SandboxConfig::default() }
}

/// A caller of the sandbox that signs its own requests.
#[derive(Clone)]
struct Api {
    address: SocketAddr,
    secret_id: String,
    secret_key: String,
    method: SignatureMethod,
    timestamp: i64,
    token: Option<String>,
}

impl Api {
    fn new(handle: &SandboxHandle) -> Self {
        Self {
            address: handle.local_addr(),
            secret_id: SANDBOX_SECRET_ID.into(),
            secret_key: SANDBOX_SECRET_KEY.into(),
            method: SignatureMethod::HmacSha256,
            timestamp: NOW,
            token: None,
        }
    }

    /// The signed parameters: common ones, then `params` (which may override them), then
    /// `edit`, then `Signature` (raw Base64).
    fn signed_with(
        &self,
        http_method: &str,
        params: &[(&str, &str)],
        edit: impl FnOnce(&mut BTreeMap<String, String>),
    ) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        map.insert("Action".into(), "DescribeImages".into());
        map.insert("Region".into(), "ap-guangzhou".into());
        map.insert("SecretId".into(), self.secret_id.clone());
        map.insert("Timestamp".into(), self.timestamp.to_string());
        map.insert("Nonce".into(), nonce());
        if self.method == SignatureMethod::HmacSha256 {
            map.insert("SignatureMethod".into(), "HmacSHA256".into());
        }
        if let Some(token) = &self.token {
            map.insert("Token".into(), token.clone());
        }
        for (name, value) in params {
            map.insert((*name).into(), (*value).into());
        }
        edit(&mut map);
        let host = self.address.to_string();
        let text = StringToSign::new(http_method, &host, "/v2/index.php", &map);
        map.insert("Signature".into(), sign(&text, self.secret_key.as_bytes(), self.method));
        map
    }

    fn signed(&self, params: &[(&str, &str)]) -> BTreeMap<String, String> {
        self.signed_with("GET", params, |_| {})
    }

    fn url(&self, query: &str) -> String {
        format!("http://{}/v2/index.php?{query}", self.address)
    }

    /// GET with the parameters URL-encoded once; the JSON answer.
    async fn get(&self, params: &[(&str, &str)]) -> Value {
        self.send_query(&encode(&self.signed(params))).await
    }

    async fn send_query(&self, query: &str) -> Value {
        let response = reqwest::get(self.url(query)).await.expect("the sandbox answers");
        assert_eq!(response.status(), 200);
        let text = response.text().await.expect("a whole body");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

fn encode(params: &BTreeMap<String, String>) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
}

fn code(answer: &Value) -> i64 {
    answer["code"].as_i64().unwrap_or_else(|| panic!("no code in {answer}"))
}

fn ids(answer: &Value) -> Vec<String> {
    answer["imageSet"]
        .as_array()
        .unwrap_or_else(|| panic!("no imageSet in {answer}"))
        .iter()
        .map(|image| image["unImgId"].as_str().expect("every image has an id").to_owned())
        .collect()
}

fn assert_error(answer: &Value, want_code: i64, want_desc: &str, want_message: &str) {
    assert_eq!(code(answer), want_code, "{answer}");
    assert_eq!(answer["codeDesc"], want_desc, "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains(want_message), "want {want_message:?} in {answer}");
    assert!(answer.get("imageSet").is_none(), "an error has no imageSet: {answer}");
}

#[tokio::test]
async fn a_valid_request_gets_the_right_page() {
    let sandbox = start(fixed_clock()).await;
    let api = Api::new(&sandbox);
    let answer = api.get(&[("imageType", "2"), ("offset", "10"), ("limit", "5")]).await;
    assert_eq!(code(&answer), 0, "{answer}");
    assert_eq!(answer["message"], "");
    assert_eq!(answer["totalCount"], 60);
    // The public images in catalog order; the provider's tests check that they are its pins.
    let catalog = Catalog::builtin();
    let reference: Vec<_> =
        catalog.images().iter().filter(|i| i.image_type == ImageType::Public).collect();
    let reference_ids: Vec<&str> = reference.iter().map(|i| i.image_id.as_str()).collect();
    assert_eq!(ids(&answer), reference_ids[10..15]);
    let first = &answer["imageSet"][0];
    assert_eq!(first["unImgId"], reference[10].image_id);
    assert_eq!(first["imageName"], reference[10].image_name);
    assert_eq!(first["imageType"], 2);
    assert_eq!(first["status"], 2);
    assert_eq!(first["creator"], "tencentcloud");
    let created = first["createTime"].as_str().expect("a create time");
    assert!(created.len() == 19 && created.starts_with("201"), "{created}");
    assert!(first["osName"].as_str().is_some_and(|os| !os.is_empty()));
    assert!(first["imageDescription"].is_string());
    sandbox.shutdown().await.expect("a clean shutdown");
}

#[tokio::test]
async fn both_signature_methods_and_post_are_accepted() {
    let sandbox = start(fixed_clock()).await;
    let sha1 = Api { method: SignatureMethod::HmacSha1, ..Api::new(&sandbox) };
    assert_eq!(code(&sha1.get(&[("imageType", "2")]).await), 0);
    let sha256 = Api::new(&sandbox);
    assert_eq!(code(&sha256.get(&[("imageType", "2")]).await), 0);
    let params = sha256.signed_with("POST", &[("imageType", "4")], |_| {});
    let response = reqwest::Client::new()
        .post(sha256.url(""))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&params))
        .send()
        .await
        .expect("the sandbox answers");
    let answer: Value = serde_json::from_str(&response.text().await.expect("a body")).unwrap();
    assert_eq!(code(&answer), 0, "{answer}");
    assert_eq!(answer["totalCount"], 5, "five images are shared in the built-in catalog");
    let methods: Vec<String> = sandbox.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "GET", "POST"]);
}

#[tokio::test]
async fn a_wrong_signature_is_refused() {
    let sandbox = start(fixed_clock()).await;
    let api = Api::new(&sandbox);
    let wrong_key = Api { secret_key: "not-the-key".into(), ..api.clone() };
    let answer = wrong_key.get(&[("imageType", "2")]).await;
    assert_error(&answer, 4100, "AuthFailure", "signature does not match");

    let mut tampered = api.signed(&[("imageType", "2")]);
    tampered.insert("imageType".into(), "1".into());
    assert_error(&api.send_query(&encode(&tampered)).await, 4100, "AuthFailure", "");

    let once = encode(&api.signed(&[("imageType", "2")]));
    let twice: Vec<String> = once
        .split('&')
        .map(|pair| match pair.strip_prefix("Signature=") {
            Some(signature) => format!("Signature={}", signature.replace('%', "%25")),
            None => pair.to_owned(),
        })
        .collect();
    let twice = twice.join("&");
    assert_ne!(twice, once, "a Base64 signature always has characters to encode");
    let answer = api.send_query(&twice).await;
    assert_error(&answer, 4100, "AuthFailure", "URL-encoded once");

    let other_path = {
        let host = api.address.to_string();
        let mut map = api.signed(&[("imageType", "2")]);
        let text = StringToSign::new("GET", &host, "/v3/index.php", &map);
        map.insert("Signature".into(), sign(&text, SANDBOX_SECRET_KEY.as_bytes(), api.method));
        map
    };
    assert_error(&api.send_query(&encode(&other_path)).await, 4100, "AuthFailure", "");
    let codes: Vec<Option<i64>> = sandbox.requests().iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(4100); 4]);
}

#[tokio::test]
async fn an_unknown_secret_id_is_4104() {
    let sandbox = start(fixed_clock()).await;
    let stranger = Api { secret_id: "AKIDnobodyEXAMPLE".into(), ..Api::new(&sandbox) };
    let answer = stranger.get(&[("imageType", "2")]).await;
    assert_error(&answer, 4104, "SecretIdNotFound", "AKIDnobodyEXAMPLE");
}

#[tokio::test]
async fn several_credentials_and_tokens() {
    let config = SandboxConfig {
        credentials: vec![
            SandboxCredential::new("AKIDfirst", "key-1"),
            SandboxCredential::new("AKIDtemporary", "key-2").with_token("session-token"),
        ],
        ..fixed_clock()
    };
    let sandbox = start(config).await;
    let first =
        Api { secret_id: "AKIDfirst".into(), secret_key: "key-1".into(), ..Api::new(&sandbox) };
    assert_eq!(code(&first.get(&[("imageType", "2")]).await), 0);
    let temporary = Api { secret_id: "AKIDtemporary".into(), secret_key: "key-2".into(), ..first };
    assert_error(&temporary.get(&[("imageType", "2")]).await, 4105, "TokenFailure", "Token");
    let with_token = Api { token: Some("session-token".into()), ..temporary.clone() };
    assert_eq!(code(&with_token.get(&[("imageType", "2")]).await), 0);
    let wrong_token = Api { token: Some("other".into()), ..temporary };
    assert_error(&wrong_token.get(&[("imageType", "2")]).await, 4105, "TokenFailure", "");
    let logged = &sandbox.requests()[2].params;
    assert_eq!(logged.get("Token").map(String::as_str), Some("<redacted>"));
    assert!(!logged.contains_key("Signature"));
    assert_eq!(logged.get("SecretId").map(String::as_str), Some("AKIDtemporary"));
}

#[tokio::test]
async fn a_replayed_nonce_is_4500() {
    let sandbox = start(fixed_clock()).await;
    let api = Api::new(&sandbox);
    let query = encode(&api.signed(&[("imageType", "2")]));
    assert_eq!(code(&api.send_query(&query).await), 0);
    let replay = api.send_query(&query).await;
    assert_error(&replay, 4500, "ReplayAttack", "already used");
}

#[tokio::test]
async fn timestamps_outside_the_window_are_4500() {
    let sandbox = start(fixed_clock()).await;
    let api = Api::new(&sandbox);
    for (timestamp, accepted) in
        [(NOW - 301, false), (NOW + 301, false), (NOW - 300, true), (NOW + 300, true)]
    {
        let answer = Api { timestamp, ..api.clone() }.get(&[("imageType", "2")]).await;
        if accepted {
            assert_eq!(code(&answer), 0, "{timestamp}: {answer}");
        } else {
            assert_error(&answer, 4500, "ReplayAttack", "check the clock");
        }
    }
}

#[tokio::test]
async fn invalid_parameters_are_4000() {
    let sandbox = start(fixed_clock()).await;
    let api = Api::new(&sandbox);
    let eleven: Vec<(String, String)> =
        (0..11).map(|i| (format!("imageIds.{i}"), format!("img-{i:08}"))).collect();
    let ten = eleven[..10].to_vec();
    let cases: Vec<InvalidCase> = vec![
        (vec![], &["imageType"], "missing required parameter imageType"),
        (vec![("imageType".into(), "9".into())], &[], "imageType 9 is invalid"),
        (vec![("imageType".into(), "x".into())], &[], "imageType must be an integer"),
        (vec![("imageType".into(), "2".into()), ("limit".into(), "101".into())], &[], "limit 101"),
        (vec![("imageType".into(), "2".into()), ("limit".into(), "0".into())], &[], "limit 0"),
        (vec![("imageType".into(), "2".into()), ("offset".into(), "-1".into())], &[], "offset -1"),
        (vec![("imageType".into(), "2".into()), ("status".into(), "6".into())], &[], "status 6"),
        ([vec![("imageType".into(), "1".into())], eleven].concat(), &[], "at most 10"),
        (
            vec![("imageType".into(), "1".into()), ("imageIds.1".into(), "img-00000001".into())],
            &[],
            "imageIds.0 is missing",
        ),
        (vec![("imageType".into(), "2".into())], &["Region"], "missing required parameter Region"),
        (
            vec![("imageType".into(), "2".into()), ("Region".into(), "ap-guangzou".into())],
            &[],
            "invalid Region: \"ap-guangzou\" is not a Tencent Cloud region; did you mean \
             ap-guangzhou",
        ),
        (vec![("imageType".into(), "2".into())], &["Action"], "missing required parameter Action"),
    ];
    for (params, remove, want) in cases {
        let params: Vec<(&str, &str)> =
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let signed = api.signed_with("GET", &params, |map| {
            for name in remove {
                map.remove(*name);
            }
        });
        assert_error(&api.send_query(&encode(&signed)).await, 4000, "InvalidParameter", want);
    }
    let ten: Vec<(&str, &str)> = ten.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let answer = api.get(&[[("imageType", "1")].as_slice(), &ten].concat()).await;
    assert_eq!(code(&answer), 0, "ten ids are allowed: {answer}");
    let other_action = api.get(&[("Action", "DescribeInstances"), ("imageType", "2")]).await;
    assert_error(&other_action, 6100, "UnsupportedAction", "DescribeInstances");
}

fn small_catalog() -> Catalog {
    let images: Vec<Value> = (1..=12)
        .map(|i| {
            let status = [2, 1, 2, 3, 2, 4, 2, 5, 2, 2, 2, 2][i - 1];
            serde_json::json!({
                "unImgId": format!("img-test{i:04}"),
                "imageName": format!("image {i}"),
                "imageType": if i <= 10 { 1 } else { 3 },
                "status": status,
                "createTime": format!("2024-01-{i:02} 00:00:00"),
            })
        })
        .collect();
    Catalog::from_json_str(&Value::Array(images).to_string()).expect("a valid catalog")
}

#[tokio::test]
async fn filters_by_status_and_ids() {
    let sandbox = start(SandboxConfig { catalog: small_catalog(), ..fixed_clock() }).await;
    let api = Api::new(&sandbox);
    let cases: &[(Pairs, &[&str])] = &[
        (
            &[("status", "2")],
            &[
                "img-test0001",
                "img-test0003",
                "img-test0005",
                "img-test0007",
                "img-test0009",
                "img-test0010",
            ],
        ),
        (&[("status", "1")], &["img-test0002"]),
        (&[("status", "5")], &["img-test0008"]),
        (
            &[("imageIds.0", "img-test0004"), ("imageIds.1", "img-test0002")],
            &["img-test0002", "img-test0004"],
        ),
        (&[("imageIds.0", "img-test0004"), ("status", "2")], &[]),
        (&[("imageIds.0", "img-test0011")], &[]),
    ];
    for (params, want) in cases {
        let all = [[("imageType", "1")].as_slice(), params].concat();
        let answer = api.get(&all).await;
        assert_eq!(ids(&answer), *want, "{params:?}");
        assert_eq!(answer["totalCount"], want.len(), "{params:?}");
    }
}

#[tokio::test]
async fn marketplace_is_empty_in_north_america() {
    let sandbox = start(fixed_clock()).await;
    let api = Api::new(&sandbox);
    let guangzhou = api.get(&[("imageType", "3")]).await;
    assert_eq!(guangzhou["totalCount"], 4);
    let private_images =
        Catalog::builtin().images().iter().filter(|i| i.image_type == ImageType::Private).count();
    // Long names, and the short names API 2.0 also took (usw: Silicon Valley, ca: Toronto).
    for region in ["na-ashburn", "na-siliconvalley", "na-toronto", "usw", "ca"] {
        let answer = api.get(&[("imageType", "3"), ("Region", region)]).await;
        assert_eq!(code(&answer), 0);
        assert_eq!(answer["totalCount"], 0, "{region}");
        assert_eq!(answer["imageSet"], serde_json::json!([]), "{region}");
        let private = api.get(&[("imageType", "1"), ("Region", region)]).await;
        assert_eq!(private["totalCount"], private_images, "{region}: only marketplace is hidden");
    }
}

#[tokio::test]
async fn paging_covers_every_image_exactly_once() {
    let catalog = Catalog::synthetic(1_000, 11);
    let expected: Vec<String> = catalog.images().iter().map(|i| i.image_id.clone()).collect();
    let sandbox = start(SandboxConfig { catalog, ..fixed_clock() }).await;
    let api = Api::new(&sandbox);
    for limit in [100, 37] {
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let (o, l) = (offset.to_string(), limit.to_string());
            let answer = api.get(&[("imageType", "1"), ("offset", &o), ("limit", &l)]).await;
            assert_eq!(answer["totalCount"], 1_000);
            let page = ids(&answer);
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= limit);
            offset += page.len();
            seen.extend(page);
        }
        assert_eq!(seen, expected, "limit {limit}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 1_000);
    }
    let offsets: Vec<String> =
        sandbox.requests().iter().take(3).map(|r| r.params["offset"].clone()).collect();
    assert_eq!(offsets, ["0", "100", "200"], "the log shows the paging");
    assert_eq!(sandbox.request_count(), 11 + 29);
}

#[tokio::test]
async fn other_paths_are_404_and_not_counted() {
    let sandbox = start(fixed_clock()).await;
    let response = reqwest::get(format!("http://{}/v2/other.php", sandbox.local_addr()))
        .await
        .expect("an answer");
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap_or_default().contains("/v2/index.php"));
    assert_eq!(sandbox.request_count(), 0);
    let put = reqwest::Client::new().put(sandbox.url()).send().await.expect("an answer");
    assert_eq!(put.status(), 405);
}

/// What came back on a raw connection: whatever bytes arrived, and how the stream ended.
struct RawAnswer {
    status: Option<u16>,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    /// `None`: a clean end of stream.
    error: Option<io::ErrorKind>,
    bytes: usize,
}

impl RawAnswer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// One GET on a fresh connection (`Connection: close`), read to the end.
async fn raw_get(address: SocketAddr, query: &str) -> RawAnswer {
    let mut stream = TcpStream::connect(address).await.expect("the sandbox listens");
    let request = format!(
        "GET /v2/index.php?{query} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("the request is sent");
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let error = loop {
        match stream.read(&mut buffer).await {
            Ok(0) => break None,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e) => break Some(e.kind()),
        }
    };
    parse_raw(received, error)
}

fn parse_raw(received: Vec<u8>, error: Option<io::ErrorKind>) -> RawAnswer {
    let bytes = received.len();
    let split = received.windows(4).position(|w| w == b"\r\n\r\n");
    let Some(split) = split else {
        return RawAnswer { status: None, headers: HashMap::new(), body: received, error, bytes };
    };
    let head = String::from_utf8_lossy(&received[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawAnswer { status, headers, body: received[split + 4..].to_vec(), error, bytes }
}

/// Checks what a fault on request 2 produced, given the fault-free answer to the same query.
fn check_fault(kind: &FaultKind, got: &RawAnswer, truth: &Value, truth_body: &[u8]) {
    let label = format!("{kind:?}");
    match kind {
        FaultKind::HttpStatus(status) => {
            assert_eq!(got.status, Some(*status), "{label}");
            assert!(serde_json::from_slice::<Value>(&got.body).is_err(), "{label}");
        }
        FaultKind::ApiError { code: want, message } => {
            let answer = got.json();
            assert_eq!(got.status, Some(200), "{label}");
            assert_eq!(code(&answer), *want, "{label}");
            let desc = match want {
                4400 => "RequestLimitExceeded",
                4500 => "ReplayAttack",
                6000 => "InternalError",
                6200 => "ResourceUnavailable",
                _ => "UnknownError",
            };
            assert_eq!(answer["codeDesc"], desc, "{label}");
            if let Some(message) = message {
                assert_eq!(answer["message"], message.as_str(), "{label}");
            }
        }
        FaultKind::MalformedJson => {
            assert_eq!(got.status, Some(200));
            assert!(got.header("content-type").starts_with("application/json"));
            assert!(!got.body.is_empty());
            assert!(serde_json::from_slice::<Value>(&got.body).is_err());
        }
        FaultKind::HtmlPage(status) => {
            assert_eq!(got.status, Some(*status));
            assert_eq!(got.header("content-type"), "text/html");
            assert!(got.body.starts_with(b"<html>"));
        }
        FaultKind::EmptyBody => {
            assert_eq!(got.status, Some(200));
            assert_eq!(got.header("content-length"), "0");
            assert!(got.body.is_empty());
        }
        FaultKind::TruncatedBody => {
            assert_eq!(got.status, Some(200));
            assert_eq!(got.header("content-length"), truth_body.len().to_string());
            assert_eq!(got.body, truth_body[..truth_body.len() / 2], "half of the true body");
        }
        FaultKind::CloseConnection => {
            assert_eq!((got.bytes, got.error), (0, None), "closed without a byte");
        }
        FaultKind::ResetConnection => {
            assert_eq!(got.bytes, 0);
            assert_eq!(got.error, Some(io::ErrorKind::ConnectionReset));
        }
        FaultKind::WrongTotalCount(delta) => {
            let answer = got.json();
            let truth_total = truth["totalCount"].as_i64().expect("a count");
            assert_eq!(answer["totalCount"].as_i64(), Some(truth_total + delta));
            assert_eq!(answer["imageSet"], truth["imageSet"]);
        }
        FaultKind::AddImage => {
            let answer = got.json();
            assert_eq!(answer["totalCount"], truth["totalCount"].as_i64().expect("a count") + 1);
            let (got_ids, true_ids) = (ids(&answer), ids(truth));
            assert!(!true_ids.contains(&got_ids[0]), "a new image comes first");
            assert_eq!(got_ids[1..], true_ids[..true_ids.len() - 1], "the rest shifts by one");
        }
        FaultKind::RemoveImage => {
            let answer = got.json();
            assert_eq!(answer["totalCount"], truth["totalCount"].as_i64().expect("a count") - 1);
            let (got_ids, true_ids) = (ids(&answer), ids(truth));
            assert_eq!(got_ids[..got_ids.len() - 1], true_ids[1..], "the first one is gone");
        }
        FaultKind::Slow(_) => assert_eq!(got.body, truth_body),
    }
}

#[tokio::test]
async fn each_fault_hits_the_chosen_request_only() {
    let kinds = [
        FaultKind::HttpStatus(500),
        FaultKind::HttpStatus(502),
        FaultKind::HttpStatus(503),
        FaultKind::HttpStatus(429),
        FaultKind::ApiError { code: 4400, message: None },
        FaultKind::ApiError { code: 4500, message: None },
        FaultKind::ApiError { code: 6000, message: None },
        FaultKind::ApiError { code: 6200, message: None },
        FaultKind::ApiError { code: 1234, message: Some("a custom failure".into()) },
        FaultKind::Slow(Duration::from_millis(1)),
        FaultKind::MalformedJson,
        FaultKind::HtmlPage(502),
        FaultKind::HtmlPage(200),
        FaultKind::EmptyBody,
        FaultKind::TruncatedBody,
        FaultKind::CloseConnection,
        FaultKind::ResetConnection,
        FaultKind::WrongTotalCount(5),
        FaultKind::WrongTotalCount(-3),
        FaultKind::AddImage,
        FaultKind::RemoveImage,
    ];
    for kind in kinds {
        let faults = vec![FaultRule::on_request(2, kind.clone())];
        let sandbox = start(SandboxConfig { faults, ..fixed_clock() }).await;
        let api = Api::new(&sandbox);
        let params = [("imageType", "1"), ("limit", "5")];
        let first = raw_get(api.address, &encode(&api.signed(&params))).await;
        let second = raw_get(api.address, &encode(&api.signed(&params))).await;
        let third = raw_get(api.address, &encode(&api.signed(&params))).await;
        assert_eq!(code(&first.json()), 0, "{kind:?}: request 1 is untouched");
        check_fault(&kind, &second, &first.json(), &first.body);
        if matches!(kind, FaultKind::AddImage | FaultKind::RemoveImage) {
            assert_eq!(third.json()["totalCount"], second.json()["totalCount"], "{kind:?}");
        } else {
            assert_eq!(third.body, first.body, "{kind:?}: request 3 is untouched");
        }
        let faults: Vec<Option<FaultKind>> =
            sandbox.requests().into_iter().map(|r| r.fault).collect();
        assert_eq!(faults, [None, Some(kind.clone()), None], "{kind:?}");
        sandbox.shutdown().await.expect("a clean shutdown");
    }
}

#[tokio::test]
async fn rules_by_offset_first_requests_and_budget() {
    let faults = vec![
        FaultRule::at_offset(20, FaultKind::HttpStatus(500)).times(1),
        FaultRule::first(2, FaultKind::ApiError { code: 4400, message: None }),
    ];
    let sandbox = start(SandboxConfig { faults, ..fixed_clock() }).await;
    let api = Api::new(&sandbox);
    let mut statuses = Vec::new();
    for offset in ["0", "0", "0", "20", "20", "0"] {
        let params = [("imageType", "2"), ("offset", offset)];
        let got = raw_get(api.address, &encode(&api.signed(&params))).await;
        let code = if got.status == Some(200) { code(&got.json()) } else { -1 };
        statuses.push((got.status, code));
    }
    let ok = (Some(200), 0);
    assert_eq!(statuses, [(Some(200), 4400), (Some(200), 4400), ok, (Some(500), -1), ok, ok]);
}

#[tokio::test(start_paused = true)]
async fn latency_and_slow_responses_delay_the_answer() {
    let faults = vec![FaultRule::on_request(2, FaultKind::Slow(Duration::from_secs(45)))];
    let latency = Duration::from_secs(30);
    let sandbox = start(SandboxConfig { latency, faults, ..fixed_clock() }).await;
    let api = Api::new(&sandbox);
    let mut elapsed = Vec::new();
    for _ in 0..2 {
        let started = tokio::time::Instant::now();
        let got = raw_get(api.address, &encode(&api.signed(&[("imageType", "2")]))).await;
        assert_eq!(code(&got.json()), 0);
        elapsed.push(started.elapsed());
    }
    assert!(elapsed[0] >= latency, "{elapsed:?}");
    assert!(elapsed[1] >= latency + Duration::from_secs(45), "{elapsed:?}");
}

#[tokio::test]
async fn serve_stops_when_its_shutdown_future_completes() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(Sandbox::serve(listener, fixed_clock(), async {
        let _ = stopped.await;
    }));
    let response = reqwest::get(format!("http://{address}/v2/index.php")).await.expect("served");
    let answer: Value = serde_json::from_str(&response.text().await.expect("a body")).unwrap();
    assert_eq!(code(&answer), 4000, "no parameters: {answer}");
    stop.send(()).expect("the server is waiting");
    server.await.expect("the task ends").expect("a clean stop");
    assert!(TcpStream::connect(address).await.is_err(), "the port is closed");
}

mod binary {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};

    use super::*;

    fn spawn(args: &[&str]) -> (Child, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qcloud-sandbox"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.as_mut().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the URL line");
        (child, line)
    }

    /// Waits (at most 10 s) for the child to exit: its status, and the rest of stdout and stderr.
    fn wait(child: Child) -> std::process::Output {
        let (done, finished) = std::sync::mpsc::channel();
        let pid = child.id();
        std::thread::spawn(move || {
            let _ = done.send(child.wait_with_output());
        });
        match finished.recv_timeout(Duration::from_secs(10)) {
            Ok(output) => output.expect("the child's output"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                panic!("the sandbox did not exit within 10 s");
            }
        }
    }

    fn now() -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    }

    #[tokio::test]
    async fn prints_its_url_answers_and_exits_on_sigterm() {
        let (child, line) = spawn(&["--listen", "127.0.0.1:0", "--verbose"]);
        let url = line.trim_end().to_owned();
        let address: SocketAddr = url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v2/index.php"))
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("not a sandbox URL: {line:?}"));
        let api = Api {
            address,
            secret_id: SANDBOX_SECRET_ID.into(),
            secret_key: SANDBOX_SECRET_KEY.into(),
            method: SignatureMethod::HmacSha1,
            timestamp: now(),
            token: None,
        };
        let answer = api.get(&[("imageType", "2"), ("limit", "3")]).await;
        assert_eq!(code(&answer), 0, "{answer}");
        assert_eq!(answer["totalCount"], 60);
        let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        assert!(killed.is_ok_and(|s| s.success()), "SIGTERM is sent");
        let output = wait(child);
        assert!(output.status.success(), "{:?}", output.status);
        assert!(output.stdout.is_empty(), "exactly one line on stdout");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("#1 GET Action=DescribeImages"), "verbose log: {stderr}");
    }

    #[tokio::test]
    async fn exits_when_stdin_closes_if_asked() {
        let (mut child, line) = spawn(&["--exit-on-stdin-close", "--synthetic", "10"]);
        assert!(line.starts_with("http://127.0.0.1:"), "{line}");
        drop(child.stdin.take());
        let output = wait(child);
        assert!(output.status.success(), "{:?}", output.status);
    }

    #[test]
    fn help_and_usage_errors() {
        let help = Command::new(env!("CARGO_BIN_EXE_qcloud-sandbox")).arg("--help").output();
        let help = help.expect("the binary runs");
        assert!(help.status.success());
        assert!(String::from_utf8_lossy(&help.stdout).contains("--fault SPEC"));
        let bad = Command::new(env!("CARGO_BIN_EXE_qcloud-sandbox"))
            .args(["--fault", "sometimes:http=500"])
            .output()
            .expect("the binary runs");
        assert_eq!(bad.status.code(), Some(2));
        assert!(bad.stdout.is_empty());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown WHEN"));
    }
}
