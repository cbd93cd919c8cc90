//! A scripted stand-in for the image API 2.0 endpoint, on 127.0.0.1, for client tests.
//!
//! Every request is checked the way the API checks it: the signature is recomputed with the
//! signer from the parameters, host and path as received (a mismatch answers 4100), the
//! SecretId must be the expected one (4104), the timestamp within five minutes and the
//! nonce fresh (4500), and the parameters well-formed (4000). Only then does the test's
//! script decide the answer, so a client sending garbage cannot pass any test.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use qcloud_provider::qcloud::SignatureMethod;
use qcloud_provider::qcloud::v2::sign::{StringToSign, sign};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const SECRET_ID: &str = "AKIDmockmockmockmockmockmockmockmock";
pub const SECRET_KEY: &str = "mockSecretKeyForTheImageApi0001";

/// A request the mock received, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    /// 0-based arrival order.
    pub index: usize,
    /// Query parameters, decoded once.
    pub params: BTreeMap<String, String>,
    /// The `Host` header.
    pub host: String,
    /// Why the mock refused it itself (signature, replay...), if it did.
    pub refused: Option<i64>,
}

impl Received {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    pub fn offset(&self) -> u64 {
        self.param("offset").and_then(|o| o.parse().ok()).unwrap_or(u64::MAX)
    }

    /// `imageIds.0`, `imageIds.1`, ... in index order.
    pub fn image_ids(&self) -> Vec<String> {
        (0..).map_while(|i| self.params.get(&format!("imageIds.{i}")).cloned()).collect()
    }
}

/// What the mock answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status and a JSON body.
    Json(u16, Value),
    /// A status and a raw body.
    Raw(u16, String),
    /// The same reply after a delay.
    After(Duration, Box<Reply>),
    /// Close the connection without answering.
    Close,
}

impl Reply {
    pub fn ok(value: Value) -> Self {
        Reply::Json(200, value)
    }

    pub fn code(code: i64, desc: &str) -> Self {
        Reply::ok(json!({"code": code, "message": format!("mock error {code}"), "codeDesc": desc}))
    }

    pub fn after(delay: Duration, reply: Reply) -> Self {
        Reply::After(delay, Box::new(reply))
    }
}

type Script = dyn Fn(&Received) -> Reply + Send + Sync;

struct State {
    script: Box<Script>,
    received: Mutex<Vec<Received>>,
    stamps: Mutex<HashSet<(String, String)>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running mock API; the server stops when this is dropped.
pub struct MockApi {
    pub url: String,
    state: Arc<State>,
    server: JoinHandle<()>,
}

impl Drop for MockApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl MockApi {
    /// Starts a mock whose answers (to requests that pass its checks) come from `script`.
    pub async fn start(script: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr: SocketAddr = listener.local_addr().expect("a bound listener has an address");
        let state = Arc::new(State {
            script: Box::new(script),
            received: Mutex::new(Vec::new()),
            stamps: Mutex::new(HashSet::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let server = tokio::spawn(accept_loop(listener, state.clone()));
        Self { url: format!("http://{addr}/v2/index.php"), state, server }
    }

    /// Every request received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("no test panicked holding the lock").clone()
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    while let Ok((stream, _)) = listener.accept().await {
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(state.clone(), request));
            // A connection ending in an error is how `Reply::Close` works.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Closing the connection: returned as the service's error so hyper drops the socket.
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("closing the connection on purpose")
    }
}

impl std::error::Error for CloseConnection {}

async fn answer(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<String>, CloseConnection> {
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = {
        let received = receive(&state, &request);
        match received.refused {
            Some(code) => Reply::code(code, "refused by the mock"),
            None => (state.script)(&received),
        }
    };
    let result = render(reply).await;
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    result
}

async fn render(mut reply: Reply) -> Result<Response<String>, CloseConnection> {
    loop {
        return match reply {
            Reply::After(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
                continue;
            }
            Reply::Close => Err(CloseConnection),
            Reply::Json(status, value) => {
                Ok(response(status, "application/json", value.to_string()))
            }
            Reply::Raw(status, body) => Ok(response(status, "text/html", body)),
        };
    }
}

fn response(status: u16, content_type: &str, body: String) -> Response<String> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(body)
        .expect("a status, a header and a body make a valid response")
}

/// Decodes and checks a request, and records it.
fn receive(state: &State, request: &Request<Incoming>) -> Received {
    let query = request.uri().query().unwrap_or_default();
    let decoded = reqwest::Url::parse(&format!("http://x/?{query}")).expect("any query parses");
    let params: BTreeMap<String, String> = decoded.query_pairs().into_owned().collect();
    let host =
        request.headers().get("host").and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
    let refused = check(state, request.method().as_str(), &host, request.uri().path(), &params);
    let mut received = state.received.lock().expect("no test panicked holding the lock");
    let entry = Received { index: received.len(), params, host, refused };
    received.push(entry.clone());
    entry
}

/// The API's own checks; `Some(code)` refuses the request.
fn check(
    state: &State,
    method: &str,
    host: &str,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Option<i64> {
    let Some(signature) = params.get("Signature") else { return Some(4100) };
    let algorithm = SignatureMethod::from_param(params.get("SignatureMethod").map(String::as_str));
    let text = StringToSign::new(method, host, path, params);
    if sign(&text, SECRET_KEY.as_bytes(), algorithm) != *signature {
        return Some(4100);
    }
    if params.get("SecretId").map(String::as_str) != Some(SECRET_ID) {
        return Some(4104);
    }
    let number = |name: &str| params.get(name).and_then(|v| v.parse::<u64>().ok());
    let (Some(timestamp), Some(nonce)) = (number("Timestamp"), number("Nonce")) else {
        return Some(4000);
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if timestamp.abs_diff(now) > 300 || nonce == 0 {
        return Some(4500);
    }
    let stamp = (params["Timestamp"].clone(), params["Nonce"].clone());
    if !state.stamps.lock().expect("no test panicked holding the lock").insert(stamp) {
        return Some(4500);
    }
    let well_formed = params.get("Action").map(String::as_str) == Some("DescribeImages")
        && params.get("Region").is_some_and(|r| !r.is_empty())
        && params.get("imageType").is_some_and(|t| ["1", "2", "3", "4"].contains(&t.as_str()))
        && params.get("limit").and_then(|l| l.parse::<u32>().ok()).is_some_and(|l| l <= 100)
        && params.get("offset").and_then(|o| o.parse::<u64>().ok()).is_some()
        && !params.contains_key("imageIds.10");
    if well_formed { None } else { Some(4000) }
}

/// `n` synthetic images with ids `img-00000000`, `img-00000001`, ...
pub fn catalog(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "unImgId": image_id(i),
                "imageName": format!("image {i}"),
                "imageType": 2,
                "osName": "CentOS 7.2 64-bit",
                "createTime": "2016-03-01 10:00:00",
                "creator": "1000",
                "status": 2,
            })
        })
        .collect()
}

pub fn image_id(i: usize) -> String {
    format!("img-{i:08}")
}

/// The page of `images` a request asks for (filtered by its `imageIds` if any), announcing
/// `total` as `totalCount` (the real count when `None`).
pub fn page_of(images: &[Value], request: &Received, total: Option<u64>) -> Reply {
    let ids = request.image_ids();
    let matching: Vec<&Value> = images
        .iter()
        .filter(|image| ids.is_empty() || ids.iter().any(|id| image["unImgId"] == id.as_str()))
        .collect();
    let offset = usize::try_from(request.offset()).unwrap_or(usize::MAX);
    let limit: usize = request.param("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
    let page: Vec<&Value> = matching.iter().skip(offset).take(limit).copied().collect();
    let total = total.unwrap_or(matching.len() as u64);
    Reply::ok(json!({"code": 0, "message": "", "totalCount": total, "imageSet": page}))
}

/// Counts how often each offset was asked for.
pub fn offsets(received: &[Received]) -> BTreeMap<u64, usize> {
    let mut counts = BTreeMap::new();
    for r in received {
        *counts.entry(r.offset()).or_insert(0) += 1;
    }
    counts
}

/// A shared counter of how often a script saw something, for "fail the first N times".
#[derive(Debug, Default, Clone)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// The count before this call.
    pub fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
}

/// Raw-sends a GET with the given query to the mock, bypassing the client.
pub async fn raw_get(url: &str, query: &str) -> Value {
    let body = reqwest::get(format!("{url}?{query}"))
        .await
        .expect("the mock answers")
        .text()
        .await
        .expect("the mock sends a body");
    serde_json::from_str(&body).expect("the mock answers JSON")
}

pub const ALL_PAGES: Option<u64> = None;
