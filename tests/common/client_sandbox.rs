//! Shared helpers for the tests that put the real image API client against the real sandbox:
//! starting a sandbox on 127.0.0.1:0, a client configured for it (tiny backoff, no rate limit
//! in the way), reading the sandbox's request log, and two stand-ins for what the sandbox
//! cannot express itself: a proxy that rewrites the sandbox's JSON answers, and a TLS server
//! whose certificate no client trusts.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use qcloud_provider::provider::settings::{RawSettings, resolve};
use qcloud_provider::qcloud::Api;
use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::{
    Client, Error, Image, ImageFilter, ImageStatus, ImageType, Settings,
};
use qcloud_sandbox::{
    Catalog, FaultRule, RequestRecord, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox,
    SandboxConfig, SandboxHandle,
};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The retries every test client allows unless it says otherwise.
pub const MAX_RETRIES: u32 = 3;

/// Starts a sandbox on a fresh loopback port.
pub async fn start(config: SandboxConfig) -> SandboxHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    Sandbox::start(config, listener).expect("a bound listener has an address")
}

/// A sandbox serving `catalog` with `faults`, otherwise as by default.
pub async fn start_with(catalog: Catalog, faults: Vec<FaultRule>) -> SandboxHandle {
    start(SandboxConfig { catalog, faults, ..SandboxConfig::default() }).await
}

/// `n` synthetic private images (always the same ones).
pub fn synthetic(n: usize) -> Catalog {
    Catalog::synthetic(n, 42)
}

/// Provider settings for a sandbox at `url`: its well-known credential, [`MAX_RETRIES`],
/// four pages at once, and a rate limit high enough never to slow a test down.
pub fn raw_settings(url: &str) -> RawSettings {
    RawSettings {
        secret_id: Some(SANDBOX_SECRET_ID.into()),
        secret_key: Some(SANDBOX_SECRET_KEY.into()),
        endpoint: Some(url.into()),
        max_retries: Some(i64::from(MAX_RETRIES)),
        requests_per_second: Some(1000.0),
        page_concurrency: Some(4),
        ..RawSettings::default()
    }
}

/// A client with `raw` settings (resolved without any environment) and a backoff of a few
/// milliseconds.
pub fn client(raw: RawSettings) -> Client {
    let settings = resolve(raw, |_| None).expect("test settings are valid");
    Client::new(settings)
        .expect("test settings build a client")
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// A client for `sandbox` with the default test settings.
pub fn client_for(sandbox: &SandboxHandle) -> Client {
    client(raw_settings(&sandbox.url()))
}

/// Every image of this type, without ids or status.
pub fn query(image_type: ImageType) -> ImageFilter {
    ImageFilter::of_type(image_type)
}

/// Lists without ever cancelling.
pub async fn list(client: &Client, query: &ImageFilter) -> Result<Vec<Image>, Error> {
    client.describe_images(query, &Budget::default()).await.map(|images| images.to_vec())
}

/// The ids of a listing, in its order.
pub fn ids(images: &[Image]) -> Vec<String> {
    images.iter().map(|i| i.image_id.clone()).collect()
}

/// The ids of the catalog's images of this type, in serving order.
pub fn catalog_ids(catalog: &Catalog, image_type: ImageType) -> Vec<String> {
    catalog
        .images()
        .iter()
        .filter(|i| i.image_type == sandbox_type(image_type))
        .map(|i| i.image_id.clone())
        .collect()
}

/// The sandbox's name for the client's image type: the two meet on the wire as one 2.0 code.
pub fn sandbox_type(image_type: ImageType) -> qcloud_sandbox::ImageType {
    qcloud_sandbox::ImageType::from_code(i64::from(image_type.code()))
        .expect("the client and the sandbox know the same four types")
}

/// The sandbox's name for the client's image status, through its 2.0 code.
pub fn sandbox_status(status: ImageStatus) -> qcloud_sandbox::ImageStatus {
    qcloud_sandbox::ImageStatus::from_code(i64::from(status.code()))
        .expect("the client and the sandbox know the same five statuses")
}

/// How often each `offset` was asked for (requests without one count as offset 0).
pub fn offsets(records: &[RequestRecord]) -> BTreeMap<u64, usize> {
    let mut counts = BTreeMap::new();
    for record in records {
        let offset = record.params.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        *counts.entry(offset).or_insert(0) += 1;
    }
    counts
}

/// `(offset, count)` pairs of a listing that asked `asked[offset]` times for each page of
/// `pages` pages of 100, and once for every other page.
pub fn each_page_once_except(pages: u64, asked: &[(u64, usize)]) -> BTreeMap<u64, usize> {
    (0..pages)
        .map(|p| p * 100)
        .map(|offset| {
            let count = asked.iter().find(|(o, _)| *o == offset).map_or(1, |(_, c)| *c);
            (offset, count)
        })
        .collect()
}

/// A parameter of a logged request.
pub fn param<'a>(record: &'a RequestRecord, name: &str) -> Option<&'a str> {
    record.params.get(name).map(String::as_str)
}

/// The `imageIds.N` of a logged request, in index order; panics on a gap in the numbering.
pub fn image_ids_sent(record: &RequestRecord) -> Vec<String> {
    let ids: Vec<String> =
        (0..).map_while(|i| record.params.get(&format!("imageIds.{i}")).cloned()).collect();
    let named = record.params.keys().filter(|k| k.starts_with("imageIds.")).count();
    assert_eq!(ids.len(), named, "imageIds are numbered 0, 1, 2... without gaps: {record:?}");
    ids
}

/// A distinct set, for comparing listings regardless of order.
pub fn set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().cloned().collect()
}

/// A loopback port nothing listens on (bound, then released).
pub async fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    listener.local_addr().expect("a bound listener has an address").port()
}

/// How a [`RewritingProxy`] changes one answer: the request's `offset` (0 when absent) and
/// the sandbox's JSON answer in, the answer to send out.
pub type Rewrite = dyn Fn(u64, Value) -> Value + Send + Sync;

/// An HTTP proxy in front of a sandbox that forwards each request unchanged (same path, query
/// and `Host`, so the sandbox still checks the signature the client made) and rewrites the
/// JSON answer before the client sees it: for answers the sandbox cannot give, such as fields
/// of the wrong JSON type or an image repeated on two pages.
pub struct RewritingProxy {
    /// The endpoint to configure the client with.
    pub url: String,
    forwarded: Arc<AtomicU64>,
    server: JoinHandle<()>,
}

impl Drop for RewritingProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RewritingProxy {
    /// Starts a proxy for `sandbox` that rewrites every answer with `rewrite`.
    pub async fn start(
        sandbox: &SandboxHandle,
        rewrite: impl Fn(u64, Value) -> Value + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let address = listener.local_addr().expect("a bound listener has an address");
        let upstream = format!("http://{}", sandbox.local_addr());
        let proxy = Arc::new(Proxy {
            upstream,
            http: reqwest::Client::builder().no_proxy().build().expect("a plain HTTP client"),
            rewrite: Box::new(rewrite),
            forwarded: Arc::new(AtomicU64::new(0)),
        });
        let forwarded = Arc::clone(&proxy.forwarded);
        let server = tokio::spawn(serve_proxy(listener, proxy));
        Self { url: format!("http://{address}/v2/index.php"), forwarded, server }
    }

    /// How many requests were forwarded.
    pub fn forwarded(&self) -> u64 {
        self.forwarded.load(Ordering::SeqCst)
    }
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    rewrite: Box<Rewrite>,
    forwarded: Arc<AtomicU64>,
}

async fn serve_proxy(listener: TcpListener, proxy: Arc<Proxy>) {
    while let Ok((stream, _)) = listener.accept().await {
        let proxy = Arc::clone(&proxy);
        tokio::spawn(async move {
            let service = service_fn(move |request| forward(Arc::clone(&proxy), request));
            // The client hanging up early is not this proxy's business.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn forward(
    proxy: Arc<Proxy>,
    request: Request<Incoming>,
) -> Result<Response<String>, Infallible> {
    proxy.forwarded.fetch_add(1, Ordering::SeqCst);
    let path_and_query = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let host = request.headers().get("host").cloned();
    let offset = request
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(name, _)| name == "offset"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut upstream = proxy.http.get(format!("{}{path_and_query}", proxy.upstream));
    if let Some(host) = host {
        upstream = upstream.header("host", host);
    }
    let answer = upstream.send().await.expect("the sandbox answers the proxy");
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.expect("the sandbox sends a body");
    let body: Value = serde_json::from_slice(&bytes).expect("the sandbox answers JSON");
    let body = (proxy.rewrite)(offset, body).to_string();
    let response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body)
        .expect("a status, a header and a body make a valid response");
    Ok(response)
}

/// A TLS server on 127.0.0.1 with a freshly made self-signed certificate, which no client
/// trusts. It only shakes hands (and counts the attempts); it never answers HTTP.
pub struct UntrustedTlsServer {
    /// An `https://` endpoint on this server.
    pub url: String,
    handshakes: Arc<AtomicU64>,
    server: JoinHandle<()>,
}

impl Drop for UntrustedTlsServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl UntrustedTlsServer {
    /// Starts the server.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let address = listener.local_addr().expect("a bound listener has an address");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(self_signed_server_config()));
        let handshakes = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&handshakes);
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                // The client refuses the certificate, so the handshake fails: that is the test.
                tokio::spawn(async move { drop(acceptor.accept(stream).await) });
            }
        });
        Self { url: format!("https://{address}/v2/index.php"), handshakes, server }
    }

    /// How many connections came to shake hands.
    pub fn handshakes(&self) -> u64 {
        self.handshakes.load(Ordering::SeqCst)
    }
}

fn self_signed_server_config() -> rustls::ServerConfig {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])
        .expect("a self-signed certificate for 127.0.0.1");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the default provider supports the default TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("rcgen made a matching certificate and key")
}
