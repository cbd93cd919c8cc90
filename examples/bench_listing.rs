//! Listing benchmark (performance target 3): 10,000 images (100 pages) behind an in-process
//! sandbox that adds 50 ms to every request.
//!
//! - concurrent paging (`page_concurrency = 8`) against strictly sequential paging
//!   (`page_concurrency = 1`), both with `requests_per_second` raised out of the way (1000);
//! - the concurrent time against the bound `(1 + ceil((pages - 1) / page_concurrency)) × latency`;
//! - the request count of each listing (must equal the page count);
//! - a listing at the default rate limit (10 requests/second): the rate the sandbox saw.
//!
//! Run with `cargo run --release --example bench_listing [-- --reps N]`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::{Duration, Instant, SystemTime};

use qcloud_provider::qcloud::Api;
use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::settings::DEFAULT_REQUESTS_PER_SECOND;
use qcloud_provider::qcloud::{Client, ImageFilter, ImageType};
use qcloud_sandbox::{RequestRecord, Sandbox, SandboxConfig, SandboxHandle};
use support::fixtures;
use support::stats::{Samples, Table, count_from_args, verdict};
use tokio::net::TcpListener;

const LATENCY: Duration = Duration::from_millis(50);
const CONCURRENCY: usize = 8;
const FAST_RATE: f64 = 1000.0;

/// One listing: how long it took, how many requests reached the sandbox, what it returned.
struct Run {
    elapsed: Duration,
    requests: u64,
    images: usize,
    /// The sandbox's records of this listing's requests.
    records: Vec<RequestRecord>,
}

/// Lists every private image with a fresh client (a fresh connection pool, as in a new
/// provider process).
async fn list_once(sandbox: &SandboxHandle, page_concurrency: usize, rate: f64) -> Run {
    let before = sandbox.request_count();
    let settings = fixtures::sandbox_settings(sandbox, page_concurrency, rate);
    let client = Client::new(settings).expect("the sandbox settings are valid");
    let query = ImageFilter::of_type(ImageType::Private);
    let start = Instant::now();
    let images = client.describe_images(&query, &Budget::default()).await;
    let elapsed = start.elapsed();
    let images = images.expect("the sandbox lists every image");
    let records = sandbox.requests().into_iter().filter(|r| r.number > before).collect();
    Run { elapsed, requests: sandbox.request_count() - before, images: images.len(), records }
}

/// Arrival times of `records` in seconds since the first one.
fn arrivals(records: &[RequestRecord]) -> Vec<f64> {
    let first = records.first().map_or(SystemTime::UNIX_EPOCH, |r| r.received_at);
    records
        .iter()
        .map(|r| r.received_at.duration_since(first).unwrap_or_default().as_secs_f64())
        .collect()
}

/// The most arrivals in any window `[t, t + 1 s)` that starts at an arrival.
fn busiest_second(times: &[f64]) -> usize {
    times
        .iter()
        .map(|start| times.iter().filter(|t| **t >= *start && **t < start + 1.0).count())
        .max()
        .unwrap_or(0)
}

/// The highest rate over any `intervals` consecutive gaps between arrivals.
fn fastest_rate(times: &[f64], intervals: usize) -> f64 {
    times
        .windows(intervals + 1)
        .map(|w| intervals as f64 / (w[intervals] - w[0]).max(1e-9))
        .fold(0.0, f64::max)
}

struct RateFigures {
    achieved: Samples,
    fastest: Samples,
    busiest: Samples,
    min_gap_ms: Samples,
    elapsed: Samples,
}

#[tokio::main]
async fn main() {
    let reps = count_from_args("--reps", 5);
    let catalog = fixtures::catalog(fixtures::IMAGES);
    let pages = fixtures::IMAGES.div_ceil(fixtures::PAGE_SIZE) as u64;
    let config = SandboxConfig { catalog, latency: LATENCY, ..SandboxConfig::default() };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let sandbox = Sandbox::start(config, listener).expect("the sandbox starts");

    let (mut concurrent, mut sequential) = (Samples::new(), Samples::new());
    let mut request_counts = Vec::new();
    for rep in 0..reps {
        eprintln!("rep {}/{reps}: concurrent, then sequential paging", rep + 1);
        let run = list_once(&sandbox, CONCURRENCY, FAST_RATE).await;
        assert_eq!(run.images, fixtures::IMAGES);
        concurrent.push(run.elapsed);
        request_counts.push(run.requests);
        let run = list_once(&sandbox, 1, FAST_RATE).await;
        assert_eq!(run.images, fixtures::IMAGES);
        sequential.push(run.elapsed);
        request_counts.push(run.requests);
    }
    let rate = rate_limited_runs(&sandbox, reps.clamp(1, 3)).await;
    let per_page = per_page_cost(reps).await;

    let latency_ms = LATENCY.as_secs_f64() * 1000.0;
    let bound = (1 + (pages - 1).div_ceil(CONCURRENCY as u64)) as f64 * latency_ms;
    let mut runs = Table::new(&["listing", "settings", "wall time ms: median (min–max, n)"]);
    let settings = |c: usize, r: f64| format!("page_concurrency={c}, requests_per_second={r}");
    runs.row(vec!["concurrent".into(), settings(CONCURRENCY, FAST_RATE), concurrent.summary(1)]);
    runs.row(vec!["sequential".into(), settings(1, FAST_RATE), sequential.summary(1)]);
    runs.row(vec![
        "default rate".into(),
        settings(CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND),
        rate.elapsed.summary(1),
    ]);
    println!(
        "Listing {} images ({pages} pages), sandbox latency {latency_ms} ms per request\n",
        fixtures::IMAGES
    );
    println!("{}", runs.render());

    let ratio = concurrent.median() / sequential.median();
    let to_bound = concurrent.median() / bound;
    let counts_exact = request_counts.iter().all(|n| *n == pages);
    let mut figures = Table::new(&["figure", "measured", "target", "result"]);
    figures.row(vec![
        "concurrent / sequential (medians)".into(),
        format!("{ratio:.3}"),
        "≤ 0.2".into(),
        verdict(ratio <= 0.2).into(),
    ]);
    figures.row(vec![
        format!("concurrent / bound ({bound:.0} ms)"),
        format!("{to_bound:.3}"),
        "≤ 1.5".into(),
        verdict(to_bound <= 1.5).into(),
    ]);
    figures.row(vec![
        "requests per listing".into(),
        format!("{request_counts:?}"),
        format!("= {pages}"),
        verdict(counts_exact).into(),
    ]);
    figures.row(vec![
        "default rate: requests/s achieved".into(),
        rate.achieved.summary(2),
        format!("≈ {DEFAULT_REQUESTS_PER_SECOND}, never above"),
        verdict(rate.achieved.max() <= DEFAULT_REQUESTS_PER_SECOND * 1.01).into(),
    ]);
    figures.row(vec![
        "default rate: fastest 10 consecutive intervals, requests/s".into(),
        rate.fastest.summary(2),
        format!("≈ {DEFAULT_REQUESTS_PER_SECOND} (± arrival jitter)"),
        verdict(rate.fastest.max() <= DEFAULT_REQUESTS_PER_SECOND * 1.05).into(),
    ]);
    figures.row(vec![
        "default rate: most arrivals in any 1 s window".into(),
        rate.busiest.summary(0),
        format!("≤ {DEFAULT_REQUESTS_PER_SECOND} (± arrival jitter)"),
        "(shown)".into(),
    ]);
    figures.row(vec![
        "default rate: shortest gap between requests, ms".into(),
        rate.min_gap_ms.summary(1),
        format!("≈ {:.0}", 1000.0 / DEFAULT_REQUESTS_PER_SECOND),
        "(shown)".into(),
    ]);
    figures.row(vec![
        "client + sandbox time per page, sequential, no latency, ms".into(),
        per_page.summary(2),
        "(shown)".into(),
        "(shown)".into(),
    ]);
    println!("{}", figures.render());
    sandbox.shutdown().await.expect("the sandbox stops");
}

/// What one page costs on loopback without injected latency: client (sign, send, parse) and
/// sandbox (check, select, serialise) together, one request at a time.
async fn per_page_cost(reps: usize) -> Samples {
    let catalog = fixtures::catalog(fixtures::IMAGES);
    let config = SandboxConfig { catalog, ..SandboxConfig::default() };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let sandbox = Sandbox::start(config, listener).expect("the sandbox starts");
    let mut per_page = Samples::new();
    for _ in 0..reps {
        let run = list_once(&sandbox, 1, FAST_RATE).await;
        per_page.push(run.elapsed / u32::try_from(run.requests.max(1)).unwrap_or(u32::MAX));
    }
    sandbox.shutdown().await.expect("the sandbox stops");
    per_page
}

/// Listings at the default rate limit: the rate the sandbox saw, from its request log.
async fn rate_limited_runs(sandbox: &SandboxHandle, reps: usize) -> RateFigures {
    let mut figures = RateFigures {
        achieved: Samples::new(),
        fastest: Samples::new(),
        busiest: Samples::new(),
        min_gap_ms: Samples::new(),
        elapsed: Samples::new(),
    };
    for rep in 0..reps {
        eprintln!("rep {}/{reps}: default rate limit", rep + 1);
        let run = list_once(sandbox, CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND).await;
        assert_eq!(run.images, fixtures::IMAGES);
        let times = arrivals(&run.records);
        let span = times.last().copied().unwrap_or(0.0);
        figures.achieved.push_value((times.len().saturating_sub(1)) as f64 / span.max(1e-9));
        figures.fastest.push_value(fastest_rate(&times, 10));
        figures.busiest.push_value(busiest_second(&times) as f64);
        let min_gap = times.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min);
        figures.min_gap_ms.push_value(min_gap * 1000.0);
        figures.elapsed.push(run.elapsed);
    }
    figures
}
