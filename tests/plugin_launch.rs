//! Launching the built provider binary the way Terraform does: handshake, mutual TLS,
//! plaintext mode, health, Shutdown, signals, `--version` and `-debug`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::tls::exists;
use common::{ClientIdentity, LaunchOptions, Plugin, connect, run_to_exit};
use qcloud_provider::tfplugin::proto::get_provider_schema;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;

#[tokio::test]
async fn handshake_line_has_the_go_plugin_format_in_both_version_orders() {
    for versions in ["5,6", "6,5"] {
        let plugin = Plugin::launch(LaunchOptions::with_versions(versions)).await;
        let handshake = &plugin.handshake;
        assert_eq!((handshake.core_version, handshake.protocol_version), (1, 6), "{versions}");
        assert_eq!((handshake.network.as_str(), handshake.protocol.as_str()), ("unix", "grpc"));
        assert!(handshake.address.starts_with(plugin.temp_dir()), "socket under TMPDIR");
        assert!(handshake.address.as_os_str().len() < 108, "fits sun_path");
        let prefix = format!("1|6|unix|{}|grpc|", handshake.address.display());
        assert!(plugin.line.starts_with(&prefix), "{}", plugin.line);
        let certificate = handshake.certificate.as_ref().expect("mutual TLS: a certificate");
        assert!(!plugin.line.ends_with('='), "base64 without padding");
        assert!(x509_is_plausible(certificate));
        let finished = plugin.shutdown().await;
        assert!(finished.status.success(), "{finished:?}");
    }
}

/// A DER certificate starts with a SEQUENCE with a two-byte length.
fn x509_is_plausible(der: &[u8]) -> bool {
    der.len() > 100 && der[0] == 0x30 && der[1] == 0x82
}

#[tokio::test]
async fn missing_or_wrong_cookie_exits_1_with_an_explanation() {
    for cookie in [None, Some("not-the-cookie")] {
        let output = run_to_exit(LaunchOptions {
            cookie: cookie.map(String::from),
            ..LaunchOptions::default()
        })
        .await;
        assert_eq!(output.status.code(), Some(1), "{cookie:?}");
        assert!(output.stdout.is_empty(), "nothing on stdout");
        let stderr = String::from_utf8_lossy(&output.stderr);
        for needle in ["plugin", "Terraform", "terraform init", "dev_overrides"] {
            assert!(stderr.contains(needle), "{needle:?} missing from:\n{stderr}");
        }
    }
}

#[tokio::test]
async fn versions_without_6_fail_with_one_explanatory_stdout_line() {
    for versions in ["5", "4,5", "7"] {
        let output = run_to_exit(LaunchOptions::with_versions(versions)).await;
        assert!(!output.status.success(), "{versions}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {stdout:?}");
        assert!(lines[0].contains("protocol 6") && lines[0].contains(versions), "{stdout}");
    }
}

/// Calls GetProviderSchema over `channel`, with a deadline so a refused client cannot hang.
async fn schema_call(
    channel: tonic::transport::Channel,
) -> Result<get_provider_schema::Response, tonic::Status> {
    use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;
    let mut client = ProviderClient::new(channel);
    let call = client.get_provider_schema(get_provider_schema::Request {});
    match tokio::time::timeout(common::plugin::STEP_TIMEOUT, call).await {
        Ok(reply) => reply.map(tonic::Response::into_inner),
        Err(_) => Err(tonic::Status::deadline_exceeded("no answer")),
    }
}

#[tokio::test]
async fn client_without_certificate_is_refused() {
    let plugin = Plugin::start().await;
    let refused = match connect(&plugin.target(), None).await {
        Err(_) => true,
        Ok(channel) => schema_call(channel).await.is_err(),
    };
    assert!(refused, "a client without a certificate got an answer");
    // Terraform itself is still served.
    assert!(schema_call(plugin.channel().await).await.is_ok());
}

#[tokio::test]
async fn client_with_a_different_certificate_is_refused() {
    let plugin = Plugin::start().await;
    let stranger = ClientIdentity::terraform_like();
    let refused = match connect(&plugin.target(), Some(&stranger)).await {
        Err(_) => true,
        Ok(channel) => schema_call(channel).await.is_err(),
    };
    assert!(refused, "a client with another certificate got an answer");
    assert!(schema_call(plugin.channel().await).await.is_ok());
}

#[tokio::test]
async fn plaintext_only_when_terraform_turns_tls_off() {
    let plugin = Plugin::launch(LaunchOptions::plaintext()).await;
    assert_eq!(plugin.handshake.certificate, None);
    assert!(plugin.line.ends_with("|grpc|"), "{}", plugin.line);
    let reply = schema_call(plugin.channel().await).await.expect("plaintext works");
    assert!(reply.provider.is_some());
    assert!(plugin.shutdown().await.status.success());
}

#[tokio::test]
async fn a_launch_with_no_client_certificate_and_tls_on_is_refused() {
    let no_certificate = LaunchOptions { client: None, ..LaunchOptions::default() };
    let output = run_to_exit(no_certificate).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no handshake line: {:?}", output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("PLUGIN_CLIENT_CERT is not set"), "{stderr}");
    assert!(stderr.contains("refusing to serve without TLS"), "{stderr}");
}

#[tokio::test]
async fn health_reports_plugin_serving() {
    let plugin = Plugin::start().await;
    let request = HealthCheckRequest { service: "plugin".to_string() };
    let reply = plugin.health().await.check(request).await.expect("health answers");
    assert_eq!(reply.into_inner().status, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn shutdown_ends_the_process_and_removes_the_socket() {
    let plugin = Plugin::start().await;
    let socket = plugin.handshake.address.clone();
    let socket_dir = socket.parent().expect("the socket has a directory").to_path_buf();
    assert!(exists(&socket));
    schema_call(plugin.channel().await).await.expect("served before Shutdown");
    let finished = plugin.shutdown().await;
    assert_eq!(finished.status.code(), Some(0), "{finished:?}");
    assert!(!exists(&socket), "socket left behind");
    assert!(!exists(&socket_dir), "socket directory left behind");
    assert_eq!(finished.stdout_rest, "", "stdout carries the handshake line only");
}

#[tokio::test]
async fn socket_is_owner_only() {
    let plugin = Plugin::start().await;
    let socket = &plugin.handshake.address;
    let mode = std::fs::metadata(socket).expect("the socket exists").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "socket mode {mode:o}");
    let dir = socket.parent().expect("the socket has a directory");
    let mode = std::fs::metadata(dir).expect("the directory exists").permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "directory mode {mode:o}");
}

#[tokio::test]
async fn server_certificate_is_fresh_for_each_launch() {
    let first = Plugin::start().await;
    let second = Plugin::start().await;
    assert!(first.handshake.certificate.is_some());
    assert_ne!(first.handshake.certificate, second.handshake.certificate);
    assert_ne!(first.handshake.address, second.handshake.address);
}

#[tokio::test]
async fn sigint_is_ignored_while_serving_terraform() {
    let plugin = Plugin::start().await;
    plugin.signal(libc::SIGINT);
    // An answer after the signal shows the process survived it (it had to run to answer).
    schema_call(plugin.channel().await).await.expect("still serving after SIGINT");
    let finished = plugin.shutdown().await;
    assert_eq!(finished.status.code(), Some(0), "{finished:?}");
}

#[tokio::test]
async fn sigterm_ends_the_process_cleanly() {
    let plugin = Plugin::start().await;
    let socket = plugin.handshake.address.clone();
    plugin.signal(libc::SIGTERM);
    let finished = plugin.finish().await;
    assert_eq!(finished.status.code(), Some(0), "{finished:?}");
    assert!(!exists(&socket), "socket left behind");
}

#[tokio::test]
async fn version_flag_prints_the_version() {
    let options = LaunchOptions {
        cookie: None,
        versions: None,
        client: None,
        args: vec!["--version".to_string()],
        ..LaunchOptions::default()
    };
    let output = run_to_exit(options).await;
    assert!(output.status.success());
    let expected = format!("terraform-provider-qcloud {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected);
}

#[tokio::test]
async fn debug_mode_prints_reattach_json_and_serves_plaintext_until_interrupted() {
    use qcloud_provider::provider::{Provider, QcloudProvider};
    use qcloud_provider::tfplugin::proto::configure_provider;

    let plugin = Plugin::launch_debug().await;
    let reattach = plugin.reattach.as_ref().expect("debug mode prints the reattach line");
    let entry = &reattach["registry.terraform.io/qcloud/qcloud"];
    assert_eq!(entry["Test"], true, "{reattach}");
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], plugin.pid());
    assert_eq!(entry["Addr"]["Network"], "unix");
    let socket = plugin.handshake.address.clone();
    assert!(exists(&socket), "the reattach address is the live socket");

    let mut client = plugin.provider().await;
    for _ in 0..2 {
        let reply = client.get_provider_schema(get_provider_schema::Request {}).await;
        assert!(reply.expect("schema served").into_inner().provider.is_some());
    }
    let provider = QcloudProvider::new();
    let provider_block = &provider.schema().provider.block;
    let configure = || configure_provider::Request {
        terraform_version: "1.11.4".to_string(),
        config: common::values::msgpack(common::values::empty_config(provider_block)),
        client_capabilities: None,
    };
    let first = client.configure_provider(configure()).await.expect("configured once");
    let second = client.configure_provider(configure()).await.expect("configured again");
    assert_eq!(first.into_inner(), second.into_inner(), "configuring again changes nothing");

    plugin.signal(libc::SIGINT);
    let finished = plugin.finish().await;
    assert_eq!(finished.status.code(), Some(0), "{finished:?}");
    assert!(!exists(&socket), "socket left behind");
}

#[tokio::test]
async fn startup_time_to_handshake_line() {
    const LAUNCHES: usize = 20;
    let mut times = Vec::with_capacity(LAUNCHES);
    for _ in 0..LAUNCHES {
        let plugin = Plugin::start().await;
        times.push(plugin.startup);
        assert!(plugin.shutdown().await.status.success());
    }
    times.sort();
    let median = times[LAUNCHES / 2];
    let (fastest, slowest) = (times[0], times[LAUNCHES - 1]);
    println!(
        "process start to handshake line over {LAUNCHES} launches: median {}, fastest {}, \
         slowest {}",
        millis(median),
        millis(fastest),
        millis(slowest)
    );
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}
