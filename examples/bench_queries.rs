//! Identical-queries benchmark (performance target 5): 20 `qcloud_images` data sources with
//! the same query, read concurrently as Terraform does in one plan, cause one listing.
//!
//! Reads go through [`QcloudProvider`] and the [`Provider`] trait, configured with a provider
//! block that points at an in-process sandbox (1,000 images, 10 pages, 50 ms per request).
//! The sandbox's request counter says how many `DescribeImages` calls were made.
//!
//! Run with `cargo run --release --example bench_queries`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use qcloud_provider::cty::{Number, Value};
use qcloud_provider::provider::{Provider, QcloudProvider};
use qcloud_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use support::fixtures;
use support::stats::{Table, verdict};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const DATA_SOURCES: usize = 20;
const IMAGES: usize = 1_000;
const LATENCY: Duration = Duration::from_millis(50);

async fn configured(sandbox: &SandboxHandle) -> Arc<QcloudProvider> {
    let provider = QcloudProvider::new();
    let diagnostics = provider.configure(&fixtures::provider_config(&sandbox.url(), 8)).await;
    assert!(!diagnostics.has_errors(), "configure failed: {diagnostics:?}");
    Arc::new(provider)
}

/// The i-th data source's config: the same server-side query for every i; with `vary`, a
/// different client-side filter each.
fn data_source(i: usize, vary: bool) -> Value {
    if !vary {
        return fixtures::newest_web_server_config();
    }
    fixtures::images_config(&[
        ("image_type", "private".into()),
        ("name_regex", format!("-{:02}", i % 60).into()),
        ("max_results", Value::Number(Number::Int(5))),
    ])
}

async fn read(provider: &QcloudProvider, config: &Value) {
    let outcome =
        provider.read_data_source("qcloud_images", config, CancellationToken::new()).await;
    assert!(outcome.state.is_some(), "read failed: {:?}", outcome.diagnostics);
}

/// One scenario: its wall time and the requests the sandbox received.
struct Outcome {
    elapsed: Duration,
    requests: u64,
}

async fn measure<T>(sandbox: &SandboxHandle, work: impl Future<Output = T>) -> Outcome {
    let before = sandbox.request_count();
    let start = Instant::now();
    let _ = work.await;
    Outcome { elapsed: start.elapsed(), requests: sandbox.request_count() - before }
}

#[tokio::main]
async fn main() {
    let catalog = fixtures::catalog(IMAGES);
    let pages = IMAGES.div_ceil(fixtures::PAGE_SIZE) as u64;
    let config = SandboxConfig { catalog, latency: LATENCY, ..SandboxConfig::default() };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let sandbox = Sandbox::start(config, listener).expect("the sandbox starts");

    let mut table =
        Table::new(&["scenario", "wall ms", "requests", "listings", "target", "result"]);
    let mut add = |name: &str, outcome: Outcome, expected_listings: u64| {
        let listings = outcome.requests as f64 / pages as f64;
        table.row(vec![
            name.to_string(),
            format!("{:.1}", outcome.elapsed.as_secs_f64() * 1000.0),
            outcome.requests.to_string(),
            format!("{listings:.2}"),
            format!("{} request(s)", expected_listings * pages),
            verdict(outcome.requests == expected_listings * pages).to_string(),
        ]);
    };

    let provider = configured(&sandbox).await;
    let config = data_source(0, false);
    let identical = join_all((0..DATA_SOURCES).map(|_| read(&provider, &config)));
    add("20 identical data sources, concurrent", measure(&sandbox, identical).await, 1);

    let provider = configured(&sandbox).await;
    let configs: Vec<Value> = (0..DATA_SOURCES).map(|i| data_source(i, true)).collect();
    let filters = join_all(configs.iter().map(|config| read(&provider, config)));
    add(
        "20 data sources, same API query, different filters, concurrent",
        measure(&sandbox, filters).await,
        1,
    );

    let provider = configured(&sandbox).await;
    let one_by_one = async {
        for _ in 0..DATA_SOURCES {
            read(&provider, &config).await;
        }
    };
    add("20 identical data sources, one after another", measure(&sandbox, one_by_one).await, 1);

    let unshared = async {
        let mut providers = Vec::new();
        for _ in 0..DATA_SOURCES {
            providers.push(configured(&sandbox).await);
        }
        join_all(providers.iter().map(|provider| read(provider, &config))).await;
    };
    add(
        "control: 20 reads, each in its own configured provider",
        measure(&sandbox, unshared).await,
        DATA_SOURCES as u64,
    );

    println!(
        "Identical queries: {DATA_SOURCES} data sources, {IMAGES} images ({pages} pages), \
         sandbox latency {} ms per request\n",
        LATENCY.as_millis()
    );
    println!("{}", table.render());
    sandbox.shutdown().await.expect("the sandbox stops");
}
