//! Launch benchmark (performance targets 1 and 6, and the process lifetime of target 2): the
//! release binary launched as Terraform launches it, many times.
//!
//! For each launch: process start → handshake line on stdout; start → first
//! GetProviderSchema answered over mutual TLS; start → exit after GRPCController.Shutdown
//! (the shortest life of a provider process); the peak RSS of that idle process. Then the
//! size of the release binary.
//!
//! Build the binary first, then run:
//! `cargo build --release -p terraform-provider-qcloud --bin terraform-provider-qcloud &&
//!  cargo run --release --example bench_launch [-- --launches N]`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Instant;

use qcloud_provider::tfplugin::proto::get_provider_schema;
use support::plugin::{ClientIdentity, launch, load_average, provider_binary, provider_client};
use support::stats::{Samples, Table, count_from_args, verdict};

const WARM_UP: usize = 3;

/// The figures of every launch.
#[derive(Default)]
struct Figures {
    handshake: Samples,
    schema: Samples,
    lifetime: Samples,
    cpu: Samples,
    peak_rss_mib: Samples,
}

/// One launch: handshake, GetProviderSchema, Shutdown.
async fn launch_once(binary: &Path, identity: &ClientIdentity, figures: &mut Figures) {
    let temp = tempfile::Builder::new().prefix("qcb").tempdir().expect("a temp dir");
    let launched = launch(binary, identity, temp.path()).expect("the provider starts");
    figures.handshake.push(launched.to_handshake);
    let channel = launched.channel(identity).await.expect("mutual TLS works");
    let schema = provider_client(channel.clone())
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema answers");
    figures.schema.push(launched.spawned_at.elapsed());
    assert!(schema.get_ref().data_source_schemas.contains_key("qcloud_images"));
    if let Some(kib) = launched.peak_rss_kib() {
        figures.peak_rss_mib.push_value(kib as f64 / 1024.0);
    }
    let exited = launched.shutdown(channel).await.expect("the provider exits");
    figures.lifetime.push(exited.lifetime);
    figures.cpu.push(exited.cpu);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let binary = provider_binary().unwrap_or_else(|message| {
        eprintln!("bench_launch: {message}");
        std::process::exit(2);
    });
    let launches = count_from_args("--launches", 50);
    let identity = ClientIdentity::terraform_like();
    let load_before = load_average();
    let started = Instant::now();
    let mut warm_up = Figures::default();
    for _ in 0..WARM_UP {
        launch_once(&binary, &identity, &mut warm_up).await;
    }
    let mut figures = Figures::default();
    for _ in 0..launches {
        launch_once(&binary, &identity, &mut figures).await;
    }
    eprintln!("{launches} launches in {:.1} s", started.elapsed().as_secs_f64());

    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    let mut table = Table::new(&["figure", "median (min–max, n)", "target", "result"]);
    table.row(vec![
        "start → handshake line, ms".into(),
        figures.handshake.summary(2),
        "≤ 5".into(),
        verdict(figures.handshake.median() <= 5.0).into(),
    ]);
    table.row(vec![
        "start → GetProviderSchema answered (mTLS), ms".into(),
        figures.schema.summary(2),
        "≤ 15".into(),
        verdict(figures.schema.median() <= 15.0).into(),
    ]);
    table.row(vec![
        "start → exit after Shutdown (schema only), ms".into(),
        figures.lifetime.summary(2),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "CPU time of that process (user + system), ms".into(),
        figures.cpu.summary(2),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "peak RSS of that process, MiB".into(),
        figures.peak_rss_mib.summary(2),
        "(reported)".into(),
        "—".into(),
    ]);
    table.row(vec![
        "release binary size, bytes".into(),
        format!("{size} ({:.2} MiB)", size as f64 / 1_048_576.0),
        "reported".into(),
        "—".into(),
    ]);
    println!(
        "Launch of {} ({launches} launches after {WARM_UP} warm-up; load average {} before, \
         {} after)\n",
        binary.display(),
        load_before,
        load_average()
    );
    println!("{}", table.render());
}
