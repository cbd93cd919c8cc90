//! Connections used well: against an HTTPS sandbox that offers `h2` and `http/1.1` by ALPN, a
//! client (one configured provider) lists every page over one HTTP/2 connection, with one TLS
//! handshake, and its later listings (further data sources of the same process) open none.
//!
//! The client trusts the sandbox's CA through `SSL_CERT_FILE`, as a user would; the variable is
//! process-wide, so everything runs in one test. Concurrent first requests go through the
//! benchmarks' delayed link, so that they really leave before any connection is up.

mod common;
#[path = "../benches/support/relay.rs"]
mod relay;

use std::time::Duration;

use common::client_sandbox::{client, raw_settings};
use qcloud_provider::provider::settings::RawSettings;
use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::{Api, Client, ImageFilter, ImageStatus, ImageType};
use qcloud_sandbox::{Catalog, Sandbox, SandboxConfig, SandboxHandle, SandboxTls};
use tokio::net::TcpListener;

/// Ten full pages of private images.
const IMAGES: usize = 1_000;

/// A client (the tests' settings: four pages at once, no rate limit in the way) for the
/// sandbox at `endpoint`, in API `version` ("2.0" or "3.0").
fn client_at(endpoint: &str, version: &str) -> Client {
    client(RawSettings { api_version: Some(version.into()), ..raw_settings(endpoint) })
}

/// The sandbox's connection counters: accepted, TLS handshakes, HTTP/2.
fn counters(sandbox: &SandboxHandle) -> [u64; 3] {
    let stats = sandbox.connections();
    [stats.accepted(), stats.tls_handshakes(), stats.http2()]
}

/// What the counters grew by since `before`.
fn since(sandbox: &SandboxHandle, before: [u64; 3]) -> [u64; 3] {
    let now = counters(sandbox);
    [0, 1, 2].map(|i| now[i] - before[i])
}

fn private(status: Option<ImageStatus>) -> ImageFilter {
    ImageFilter { status, ..ImageFilter::of_type(ImageType::Private) }
}

async fn list(client: &Client, filter: &ImageFilter) -> usize {
    client.describe_images(filter, &Budget::default()).await.expect("the sandbox lists").len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_http2_connection_per_client_across_pages_listings_and_api_versions() {
    let tls = SandboxTls::generate(&[]).expect("certificates");
    let ca = tempfile::NamedTempFile::new().expect("a temp file");
    std::fs::write(ca.path(), tls.ca_pem()).expect("the CA is written");
    // SAFETY: the only test of this binary, set before any client reads the environment.
    unsafe { std::env::set_var("SSL_CERT_FILE", ca.path()) };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let config = SandboxConfig { catalog: Catalog::synthetic(IMAGES, 7), ..Default::default() };
    let sandbox = Sandbox::start_tls(config, listener, &tls).expect("the sandbox serves HTTPS");

    for (version, endpoint) in [("2.0", sandbox.url()), ("3.0", sandbox.url_3_0())] {
        let before = counters(&sandbox);
        let requests = sandbox.request_count();
        let client = client_at(&endpoint, version);
        assert_eq!(list(&client, &private(None)).await, IMAGES);
        assert_eq!(sandbox.request_count() - requests, 10, "{version}: one request per page");
        let opened = since(&sandbox, before);
        assert_eq!(
            opened,
            [1, 1, 1],
            "{version}: 10 pages, 4 in flight: [connections, TLS handshakes, HTTP/2]"
        );

        // A second data source of the same process: same client, another query.
        let after_first = counters(&sandbox);
        assert!(list(&client, &private(Some(ImageStatus::Normal))).await > 0);
        assert_eq!(
            counters(&sandbox),
            after_first,
            "{version}: the second listing reused the connection"
        );
    }

    // Data sources read at the same time by a fresh process, 40 ms from the API: their first
    // pages leave together, before the first connection is up.
    let link = relay::Relay::start(sandbox.local_addr(), Duration::from_millis(40)).await;
    let endpoint = format!("https://{}/", link.address());
    let before = counters(&sandbox);
    let client = client_at(&endpoint, "3.0");
    let filters =
        [private(None), private(Some(ImageStatus::Normal)), private(Some(ImageStatus::Creating))];
    let lists = filters.iter().map(|filter| list(&client, filter));
    futures_util::future::join_all(lists).await;
    let opened = since(&sandbox, before);
    assert_eq!(opened, [1, 1, 1], "three concurrent listings of a fresh client");
    assert_eq!(link.connections(), 1, "connections the client opened");
    sandbox.shutdown().await.expect("the sandbox stops");
}
