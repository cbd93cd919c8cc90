//! Distance benchmark: listings over TLS through a delayed link, as a user far from the API
//! region sees them.
//!
//! The sandbox serves HTTPS (ALPN `h2` and `http/1.1`) behind a relay that holds each
//! direction's bytes for half the round trip. For 1, 10 and 100 pages at 50 ms and 200 ms (and
//! at 0 ms, for the client's and the sandbox's own time), at the default rate limit and with it
//! raised, a fresh client (a fresh provider process) lists
//! every image; the sandbox counts the connections, TLS handshakes and HTTP/2 connections each
//! listing opened. A second listing on the same client shows what a second data source of the
//! same process costs.
//!
//! The bound of a listing is one round trip to connect, one for the TLS 1.3 handshake, then
//! the ideal schedule of its requests: at most `page_concurrency` in flight, consecutive
//! requests at least one rate-limit interval apart, each taking one round trip. A second bound
//! adds what the API imposes: the page count comes with the first page, so the second request
//! waits for the first answer.
//!
//! Run with `cargo run --release --example bench_distance [-- --reps N]`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::settings::{DEFAULT_PAGE_CONCURRENCY, DEFAULT_REQUESTS_PER_SECOND};
use qcloud_provider::qcloud::{Api, ApiVersion, Client, ImageFilter, ImageType, Settings};
use qcloud_sandbox::{Sandbox, SandboxConfig, SandboxHandle, SandboxTls};
use support::fixtures;
use support::relay::Relay;
use support::stats::{Samples, Table, count_from_args, verdict};
use tokio::net::TcpListener;

/// 0 ms shows the client's and the sandbox's own time per listing (no target there).
const ROUND_TRIPS_MS: [u64; 3] = [0, 50, 200];
const PAGES: [usize; 3] = [1, 10, 100];
const RAISED_RATE: f64 = 1000.0;
/// The target: a listing takes at most this many times its bound.
const TARGET: f64 = 1.15;

/// What a run of one setting measured.
struct Figures {
    elapsed: Samples,
    connections: Samples,
    handshakes: Samples,
    http2: Samples,
    second_listing_connections: Samples,
}

/// One listing setting.
#[derive(Clone, Copy)]
struct Setting {
    round_trip: Duration,
    pages: usize,
    rate: f64,
}

impl Setting {
    /// The physical bound: connect, TLS 1.3, then the ideal request schedule.
    fn bound(&self) -> Duration {
        self.schedule(false)
    }

    /// The bound when the page count is only known from the first page's `TotalCount`: the
    /// second request cannot leave before the first answer is back.
    fn bound_first_page_first(&self) -> Duration {
        self.schedule(true)
    }

    fn schedule(&self, first_page_first: bool) -> Duration {
        let rtt = self.round_trip.as_secs_f64();
        let interval = 1.0 / self.rate;
        let mut sent: Vec<f64> = Vec::with_capacity(self.pages);
        for k in 0..self.pages {
            let after_previous = k.checked_sub(1).map_or(0.0, |p| sent[p] + interval);
            let slot_free = k.checked_sub(DEFAULT_PAGE_CONCURRENCY).map_or(0.0, |p| sent[p] + rtt);
            let first_known = if first_page_first && k > 0 { sent[0] + rtt } else { 0.0 };
            sent.push(after_previous.max(slot_free).max(first_known));
        }
        let last_answer = sent.last().map_or(0.0, |s| s + rtt);
        Duration::from_secs_f64(2.0 * rtt + last_answer)
    }
}

/// A ratio to a bound; none at 0 ms, where the bound is (nearly) nothing.
fn ratio_cell(ratio: f64, round_trip_ms: u64) -> String {
    if round_trip_ms == 0 { "–".into() } else { format!("{ratio:.3}") }
}

/// Counts per run: one number when every run agreed, else the range.
fn counts(samples: &Samples) -> String {
    if samples.min() == samples.max() {
        format!("{:.0}", samples.min())
    } else {
        format!("{:.0}–{:.0}", samples.min(), samples.max())
    }
}

/// Client settings for the sandbox behind `relay`, API 3.0 over HTTPS, no retries.
fn settings(relay: &Relay, rate: f64) -> Settings {
    let endpoint = format!("https://{}/", relay.address());
    fixtures::settings(ApiVersion::V3, endpoint, DEFAULT_PAGE_CONCURRENCY, rate)
}

/// Lists every private image of `sandbox` once with `client`; returns the wall time and the
/// connections, TLS handshakes and HTTP/2 connections the sandbox accepted meanwhile.
async fn list(client: &Client, sandbox: &SandboxHandle, images: usize) -> (Duration, [u64; 3]) {
    let stats = sandbox.connections();
    let before = [stats.accepted(), stats.tls_handshakes(), stats.http2()];
    let query = ImageFilter::of_type(ImageType::Private);
    let start = Instant::now();
    let listed = client.describe_images(&query, &Budget::default()).await;
    let elapsed = start.elapsed();
    assert_eq!(listed.expect("the sandbox lists every image").len(), images);
    let after = [stats.accepted(), stats.tls_handshakes(), stats.http2()];
    (elapsed, [0, 1, 2].map(|i| after[i] - before[i]))
}

/// `reps` runs of `setting`, each with a fresh client, then a second listing on it.
async fn measure(setting: Setting, sandbox: &SandboxHandle, reps: usize) -> Figures {
    let relay = Relay::start(sandbox.local_addr(), setting.round_trip).await;
    let images = setting.pages * fixtures::PAGE_SIZE;
    let mut figures = Figures {
        elapsed: Samples::new(),
        connections: Samples::new(),
        handshakes: Samples::new(),
        http2: Samples::new(),
        second_listing_connections: Samples::new(),
    };
    for _ in 0..reps {
        let client = Client::new(settings(&relay, setting.rate)).expect("the settings are valid");
        let (elapsed, [accepted, handshakes, http2]) = list(&client, sandbox, images).await;
        figures.elapsed.push(elapsed);
        figures.connections.push_value(accepted as f64);
        figures.handshakes.push_value(handshakes as f64);
        figures.http2.push_value(http2 as f64);
        let (_, [again, _, _]) = list(&client, sandbox, images).await;
        figures.second_listing_connections.push_value(again as f64);
    }
    figures
}

/// A TLS sandbox holding `pages` full pages of private images.
fn start_sandbox(pages: usize, tls: &SandboxTls, listener: TcpListener) -> SandboxHandle {
    let catalog = fixtures::catalog(pages * fixtures::PAGE_SIZE);
    let config = SandboxConfig { catalog, ..SandboxConfig::default() };
    Sandbox::start_tls(config, listener, tls).expect("the sandbox starts")
}

fn main() {
    let reps = count_from_args("--reps", 3);
    let tls = SandboxTls::generate(&[]).expect("certificates for the sandbox");
    let ca_file =
        std::env::temp_dir().join(format!("bench-distance-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, tls.ca_pem()).expect("the CA certificate is written");
    // SAFETY: set before the runtime starts, while this is the only thread.
    unsafe { std::env::set_var("SSL_CERT_FILE", &ca_file) };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(run(reps, &tls));
    let _ = std::fs::remove_file(ca_file);
}

async fn run(reps: usize, tls: &SandboxTls) {
    let mut table = Table::new(&[
        "round trip",
        "pages",
        "requests/s",
        "wall time ms: median (min–max, n)",
        "bound ms",
        "median / bound",
        "bound, page count from page 1, ms",
        "median / that bound",
        "connections",
        "TLS handshakes",
        "HTTP/2",
        "2nd listing: new connections",
        "result",
    ]);
    let mut all_pass = true;
    for pages in PAGES {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let sandbox = start_sandbox(pages, tls, listener);
        for round_trip_ms in ROUND_TRIPS_MS {
            for rate in [DEFAULT_REQUESTS_PER_SECOND, RAISED_RATE] {
                let round_trip = Duration::from_millis(round_trip_ms);
                let setting = Setting { round_trip, pages, rate };
                eprintln!("{pages} pages at {round_trip_ms} ms, {rate} requests/s");
                let figures = measure(setting, &sandbox, reps).await;
                let bound_ms = setting.bound().as_secs_f64() * 1000.0;
                let ratio = figures.elapsed.median() / bound_ms;
                let known_ms = setting.bound_first_page_first().as_secs_f64() * 1000.0;
                let one_connection = figures.connections.max() <= 1.0;
                let pass = ratio <= TARGET && one_connection;
                if round_trip_ms > 0 {
                    all_pass &= pass;
                }
                table.row(vec![
                    format!("{round_trip_ms} ms"),
                    pages.to_string(),
                    format!("{rate}"),
                    figures.elapsed.summary(1),
                    format!("{bound_ms:.0}"),
                    ratio_cell(ratio, round_trip_ms),
                    format!("{known_ms:.0}"),
                    ratio_cell(figures.elapsed.median() / known_ms, round_trip_ms),
                    counts(&figures.connections),
                    counts(&figures.handshakes),
                    counts(&figures.http2),
                    counts(&figures.second_listing_connections),
                    if round_trip_ms > 0 { verdict(pass) } else { "(shown)" }.into(),
                ]);
            }
        }
        sandbox.shutdown().await.expect("the sandbox stops");
    }
    println!(
        "Listings over TLS through a delayed link, API 3.0, page_concurrency = \
         {DEFAULT_PAGE_CONCURRENCY}, {} images per page, a fresh client per run\n",
        fixtures::PAGE_SIZE
    );
    println!("{}", table.render());
    println!(
        "Targets at 50 and 200 ms: median ≤ {TARGET} × bound, one connection per client. \
         All met: {}",
        verdict(all_pass)
    );
}
