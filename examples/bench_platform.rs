//! Server-side `platform` filter benchmark (API 3.0): a public listing of one OS family asked
//! with the `platform` filter, against the same listing fetched whole and filtered on the
//! client. The sandbox's request log counts the pages; both ways must find the same images.
//!
//! The catalog: the sandbox's built-in public images plus 2,000 synthetic public builds over
//! five OS families (so a family is about a fifth), 50 ms per request as from a nearby region.
//!
//! Run with `cargo run --release --example bench_platform`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use qcloud_provider::qcloud::call::Budget;
use qcloud_provider::qcloud::{Api, ApiVersion, Client, ImageFilter, ImageType};
use qcloud_sandbox::{Catalog, Sandbox, SandboxConfig, SandboxHandle};
use support::fixtures::{self, SEED};
use support::stats::Table;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const SYNTHETIC: usize = 2_000;
const LATENCY: Duration = Duration::from_millis(50);
const PLATFORM: &str = "Ubuntu";
const RUNS: usize = 5;

/// The built-in public images and `SYNTHETIC` more, all public.
fn public_catalog() -> Catalog {
    let builtin = Catalog::builtin();
    let public =
        builtin.images().iter().filter(|i| i.image_type == qcloud_sandbox::ImageType::Public);
    let synthetic =
        Catalog::synthetic(SYNTHETIC, SEED).images().to_vec().into_iter().map(|mut i| {
            i.image_type = qcloud_sandbox::ImageType::Public;
            i
        });
    Catalog::new(public.cloned().chain(synthetic).collect()).expect("distinct ids")
}

fn client(sandbox: &SandboxHandle) -> Client {
    let settings = fixtures::settings(ApiVersion::V3, sandbox.url_3_0(), 8, 1_000.0);
    Client::new(settings).expect("a client")
}

/// One way of finding the platform's images: its ids, requests made, images sent, and time.
struct Run {
    ids: BTreeSet<String>,
    requests: usize,
    images_sent: usize,
    elapsed: Duration,
}

async fn find(sandbox: &SandboxHandle, server_side: bool) -> Run {
    let client = client(sandbox);
    let mut filter = ImageFilter::of_type(ImageType::Public);
    if server_side {
        filter.platform = Some(PLATFORM.to_string());
    }
    let before = sandbox.requests().len();
    let started = Instant::now();
    let budget = Budget::cancel_only(CancellationToken::new());
    let images = client.describe_images(&filter, &budget).await.expect("the listing succeeds");
    let elapsed = started.elapsed();
    let images_sent = images.len();
    let ids = images
        .iter()
        .filter(|i| {
            i.details().platform.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(PLATFORM))
        })
        .map(|i| i.image_id.clone())
        .collect();
    Run { ids, requests: sandbox.requests().len() - before, images_sent, elapsed }
}

#[tokio::main]
async fn main() {
    let catalog = public_catalog();
    let total = catalog.len();
    let config = SandboxConfig { catalog, latency: LATENCY, ..SandboxConfig::default() };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("loopback listens");
    let sandbox = Sandbox::start(config, listener).expect("the sandbox starts");

    let mut table = Table::new(&["way", "requests", "images sent", "found", "median time (ms)"]);
    let mut found = Vec::new();
    for (name, server_side) in
        [("platform filter (server)", true), ("whole listing, client filter", false)]
    {
        let mut times = support::stats::Samples::new();
        let mut last = None;
        for _ in 0..RUNS {
            let run = find(&sandbox, server_side).await;
            times.push(run.elapsed);
            last = Some(run);
        }
        let run = last.expect("at least one run");
        table.row(vec![
            name.to_string(),
            run.requests.to_string(),
            run.images_sent.to_string(),
            run.ids.len().to_string(),
            format!("{:.0}", times.median()),
        ]);
        found.push(run.ids);
    }
    println!(
        "Public listing of {total} images, platform = {PLATFORM:?}, {} ms per request, {RUNS} runs each\n",
        LATENCY.as_millis()
    );
    println!("{}", table.render());
    assert_eq!(found[0], found[1], "both ways find the same images");
    println!("Both ways find the same {} images.", found[0].len());
}
