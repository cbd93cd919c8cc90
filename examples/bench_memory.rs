//! Memory benchmark (performance target 4): the peak RSS (`VmHWM`) of the release provider
//! process serving a 10,000-image read, launched as Terraform launches it and configured
//! against an in-process sandbox (no injected latency).
//!
//! Each run: launch → GetProviderSchema → ConfigureProvider → ReadDataSource (every private
//! image: 100 pages listed, all 10,000 in the state) → VmHWM → Shutdown.
//!
//! Build the binary first, then run:
//! `cargo build --release -p terraform-provider-qcloud --bin terraform-provider-qcloud &&
//!  cargo run --release --example bench_memory [-- --reps N]`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Instant;

use qcloud_provider::cty::encode_msgpack;
use qcloud_provider::tfplugin::proto::{
    DynamicValue, configure_provider, get_provider_schema, read_data_source,
};
use qcloud_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use support::fixtures;
use support::plugin::{ClientIdentity, launch, provider_binary, provider_client};
use support::stats::{Samples, Table, count_from_args, verdict};
use tokio::net::TcpListener;

fn msgpack(value: &qcloud_provider::cty::Value, ty: &qcloud_provider::cty::Type) -> DynamicValue {
    DynamicValue {
        msgpack: encode_msgpack(value, ty).expect("the config conforms to its schema"),
        json: Vec::new(),
    }
}

#[derive(Default)]
struct Figures {
    peak_rss_mib: Samples,
    configured_rss_mib: Samples,
    read_ms: Samples,
    state_mib: Samples,
    lifetime: Samples,
    cpu: Samples,
    requests: Vec<u64>,
}

/// One provider process serving one 10,000-image read.
async fn serve_one_read(
    binary: &Path,
    identity: &ClientIdentity,
    sandbox: &SandboxHandle,
    figures: &mut Figures,
) {
    let temp = tempfile::Builder::new().prefix("qcb").tempdir().expect("a temp dir");
    let launched = launch(binary, identity, temp.path()).expect("the provider starts");
    let channel = launched.channel(identity).await.expect("mutual TLS works");
    let mut client = provider_client(channel.clone());
    client.get_provider_schema(get_provider_schema::Request {}).await.expect("schema");
    let config = msgpack(&fixtures::provider_config(&sandbox.url(), 8), &fixtures::provider_type());
    let configured = client
        .configure_provider(configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(config),
            client_capabilities: None,
        })
        .await
        .expect("ConfigureProvider answers");
    assert!(configured.get_ref().diagnostics.is_empty(), "{:?}", configured.get_ref());
    let kib = launched.peak_rss_kib().expect("/proc/<pid>/status is readable");
    figures.configured_rss_mib.push_value(kib as f64 / 1024.0);
    let before = sandbox.request_count();
    let started = Instant::now();
    let read = client
        .read_data_source(read_data_source::Request {
            type_name: "qcloud_images".into(),
            config: Some(msgpack(&fixtures::all_private_config(), &fixtures::images_type())),
            provider_meta: None,
            client_capabilities: None,
        })
        .await
        .expect("ReadDataSource answers");
    figures.read_ms.push(started.elapsed());
    figures.requests.push(sandbox.request_count() - before);
    let read = read.into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let state = read.state.map_or(0, |s| s.msgpack.len());
    figures.state_mib.push_value(state as f64 / 1_048_576.0);
    let kib = launched.peak_rss_kib().expect("/proc/<pid>/status is readable");
    figures.peak_rss_mib.push_value(kib as f64 / 1024.0);
    let exited = launched.shutdown(channel).await.expect("the provider exits");
    figures.lifetime.push(exited.lifetime);
    figures.cpu.push(exited.cpu);
}

#[tokio::main]
async fn main() {
    let binary = provider_binary().unwrap_or_else(|message| {
        eprintln!("bench_memory: {message}");
        std::process::exit(2);
    });
    let reps = count_from_args("--reps", 5);
    let config =
        SandboxConfig { catalog: fixtures::catalog(fixtures::IMAGES), ..SandboxConfig::default() };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let sandbox = Sandbox::start(config, listener).expect("the sandbox starts");
    let identity = ClientIdentity::terraform_like();
    let mut figures = Figures::default();
    for rep in 0..reps {
        eprintln!("run {}/{reps}", rep + 1);
        serve_one_read(&binary, &identity, &sandbox, &mut figures).await;
    }

    let mut table = Table::new(&["figure", "median (min–max, n)", "target", "result"]);
    table.row(vec![
        "peak RSS (VmHWM), MiB".into(),
        figures.peak_rss_mib.summary(2),
        "≤ 20 MB (19.07 MiB)".into(),
        verdict(figures.peak_rss_mib.median() * 1_048_576.0 <= 20e6).into(),
    ]);
    table.row(vec![
        "peak RSS before the read (after ConfigureProvider), MiB".into(),
        figures.configured_rss_mib.summary(2),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "ReadDataSource round trip, ms".into(),
        figures.read_ms.summary(1),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "state sent to Terraform (msgpack), MiB".into(),
        figures.state_mib.summary(2),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "start → exit after Shutdown (one read), ms".into(),
        figures.lifetime.summary(1),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "CPU time of that process (user + system), ms".into(),
        figures.cpu.summary(1),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "DescribeImages requests per read".into(),
        format!("{:?}", figures.requests),
        format!("= {}", fixtures::IMAGES / fixtures::PAGE_SIZE),
        verdict(figures.requests.iter().all(|n| *n == 100)).into(),
    ]);
    println!(
        "Provider process serving a {}-image read ({} pages), sandbox without latency\n",
        fixtures::IMAGES,
        fixtures::IMAGES / fixtures::PAGE_SIZE
    );
    println!("{}", table.render());
    sandbox.shutdown().await.expect("the sandbox stops");
}
