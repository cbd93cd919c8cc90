//! Cancellation, as Terraform does it after Ctrl-C: StopProvider ends every read in flight with
//! a "cancelled" diagnostic, and Shutdown ends the process even mid-read, leaving no socket.
//!
//! The built provider runs over mutual TLS against an in-process sandbox whose answers take
//! 10 s, so a read is surely in flight when the stop comes.

mod common;

use std::time::Duration;

use common::reliability::{
    errors, images_config, provider_config, start_sandbox, texts, wait_until, within,
};
use common::{LaunchOptions, Plugin};
use qcloud_provider::cty::Value;
use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;
use qcloud_provider::tfplugin::proto::{self, read_data_source};
use qcloud_sandbox::{SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, SandboxConfig, SandboxHandle};
use tokio::task::JoinHandle;
use tonic::transport::Channel;

/// How long every sandbox answer takes: far longer than any bound checked here.
const LATENCY: Duration = Duration::from_secs(10);
/// How soon reads and the process must end once told to.
const PROMPTLY: Duration = Duration::from_secs(1);
/// Three reads with different API queries, so three listings are in flight.
const IMAGE_TYPES: [&str; 3] = ["public", "private", "shared"];

async fn slow_sandbox() -> SandboxHandle {
    start_sandbox(SandboxConfig { latency: LATENCY, ..SandboxConfig::default() }).await
}

async fn configure(client: &mut ProviderClient<Channel>, sandbox: &SandboxHandle) {
    let config = provider_config(sandbox, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, &[]);
    let reply = client
        .configure_provider(proto::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config,
            client_capabilities: None,
        })
        .await
        .expect("ConfigureProvider answers")
        .into_inner();
    assert!(errors(&reply.diagnostics).is_empty(), "{}", texts(&reply.diagnostics));
}

fn read_request(image_type: &str) -> read_data_source::Request {
    read_data_source::Request {
        type_name: "qcloud_images".into(),
        config: images_config(&[("image_type", Value::from(image_type))]),
        ..Default::default()
    }
}

type Read = JoinHandle<Result<read_data_source::Response, tonic::Status>>;

/// Starts one read per image type, each on its own clone of the client.
fn start_reads(client: &ProviderClient<Channel>) -> Vec<Read> {
    IMAGE_TYPES
        .iter()
        .map(|image_type| {
            let mut client = client.clone();
            let request = read_request(image_type);
            tokio::spawn(async move {
                client.read_data_source(request).await.map(tonic::Response::into_inner)
            })
        })
        .collect()
}

/// Waits until the sandbox has received one request per read: every read is in flight.
async fn reads_in_flight(sandbox: &SandboxHandle) {
    let count = IMAGE_TYPES.len() as u64;
    wait_until(Duration::from_secs(15), "every read to reach the sandbox", || {
        sandbox.request_count() >= count
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_provider_ends_every_read_in_flight_with_a_cancelled_diagnostic() {
    let sandbox = slow_sandbox().await;
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    configure(&mut client, &sandbox).await;
    let reads = start_reads(&client);
    reads_in_flight(&sandbox).await;

    let stop = client.stop_provider(proto::stop_provider::Request {}).await;
    assert_eq!(stop.expect("StopProvider answers").into_inner().error, "");
    let replies = within(PROMPTLY, "every read after StopProvider", async {
        let mut replies = Vec::new();
        for read in reads {
            replies.push(read.await.expect("the read task ends"));
        }
        replies
    })
    .await;
    for reply in replies {
        let reply = reply.expect("a cancelled read is a diagnostic, not a gRPC status");
        assert!(reply.state.is_none(), "a cancelled read has no state");
        let found = errors(&reply.diagnostics);
        assert_eq!(found.len(), 1, "{}", texts(&reply.diagnostics));
        assert!(found[0].summary.contains("cancelled"), "{}", texts(&reply.diagnostics));
    }
    assert_eq!(sandbox.request_count(), IMAGE_TYPES.len() as u64, "no request after the stop");

    // The provider keeps serving: configured against a fast sandbox, the next read succeeds.
    let fast = start_sandbox(SandboxConfig::default()).await;
    configure(&mut client, &fast).await;
    let reply = client.read_data_source(read_request("public")).await.expect("answers");
    let reply = reply.into_inner();
    assert!(errors(&reply.diagnostics).is_empty(), "{}", texts(&reply.diagnostics));
    assert!(reply.state.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_mid_read_exits_promptly_and_leaves_no_socket() {
    let sandbox = slow_sandbox().await;
    let temp = tempfile::Builder::new().prefix("qc").tempdir().expect("a temp dir");
    let tmpdir = temp.path().to_str().expect("a UTF-8 temp path").to_string();
    let options =
        LaunchOptions { env: vec![("TMPDIR".into(), tmpdir)], ..LaunchOptions::default() };
    let plugin = Plugin::launch(options).await;
    let socket = plugin.handshake.address.clone();
    assert!(socket.starts_with(temp.path()), "the socket is under the TMPDIR given");
    let mut client = plugin.provider().await;
    configure(&mut client, &sandbox).await;
    let reads = start_reads(&client);
    reads_in_flight(&sandbox).await;

    let mut controller = plugin.controller().await;
    // The reply may or may not arrive before the connection closes; the exit is what counts.
    let _ = controller.shutdown(qcloud_provider::tfplugin::controller_proto::Empty {}).await;
    let finished = within(PROMPTLY, "the process exit after Shutdown", plugin.finish()).await;
    assert_eq!(finished.status.code(), Some(0), "{finished:?}");
    within(PROMPTLY, "the reads after Shutdown", async {
        for read in reads {
            // Each read ends, with a status: the connection went away mid-call.
            let _ = read.await.expect("the read task ends");
        }
    })
    .await;
    assert!(std::fs::symlink_metadata(&socket).is_err(), "the socket file is left behind");
    let left: Vec<_> = std::fs::read_dir(temp.path())
        .expect("the temp dir is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    assert!(left.is_empty(), "stray files left in TMPDIR: {left:?}");
}
