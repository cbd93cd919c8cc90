//! The sandbox over HTTPS: a client that trusts the sandbox's CA (and nothing else) gets HTTP/2
//! or HTTP/1.1 as its ALPN asks, signed requests pass the signature check under both (HTTP/2
//! carries the host as `:authority`), a client that does not trust the CA gets no answer, and
//! the handle counts connections, TLS handshakes and HTTP/2 connections.

use std::collections::BTreeMap;

use qcloud_sandbox::v2::{SignatureMethod, StringToSign, sign};
use qcloud_sandbox::{
    SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, Sandbox, SandboxClock, SandboxConfig, SandboxHandle,
    SandboxTls,
};
use tokio::net::TcpListener;

const NOW: i64 = 1_700_000_000;

async fn start_tls(tls: &SandboxTls) -> SandboxHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
    let config = SandboxConfig { clock: SandboxClock::Fixed(NOW), ..SandboxConfig::default() };
    Sandbox::start_tls(config, listener, tls).expect("the sandbox serves HTTPS")
}

/// A client trusting only `tls`'s CA; HTTP/1.1 only when `http1_only`.
fn client(tls: &SandboxTls, http1_only: bool) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(tls.ca_pem().as_bytes()).expect("a PEM certificate");
    let builder = reqwest::Client::builder().tls_certs_only([ca]).no_proxy();
    let builder = if http1_only { builder.http1_only() } else { builder };
    builder.build().expect("a client")
}

/// A signed `DescribeImages` URL for `host` (as the client sends it), with its own nonce.
fn signed_url(scheme_host: &str, host: &str, nonce: &str) -> String {
    let mut params: BTreeMap<String, String> = [
        ("Action", "DescribeImages"),
        ("Region", "ap-guangzhou"),
        ("SecretId", SANDBOX_SECRET_ID),
        ("SignatureMethod", "HmacSHA256"),
        ("imageType", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    params.insert("Timestamp".into(), NOW.to_string());
    params.insert("Nonce".into(), nonce.into());
    let text = StringToSign::new("GET", host, "/v2/index.php", &params);
    let signature = sign(&text, SANDBOX_SECRET_KEY.as_bytes(), SignatureMethod::HmacSha256);
    params.insert("Signature".into(), signature);
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
    format!("{scheme_host}/v2/index.php?{query}")
}

#[tokio::test]
async fn alpn_picks_http2_or_http1_and_both_pass_the_signature_check() {
    let tls = SandboxTls::generate(&[]).expect("certificates");
    let handle = start_tls(&tls).await;
    assert!(handle.url().starts_with("https://127.0.0.1:"), "{}", handle.url());
    let host = handle.local_addr().to_string();
    let base = format!("https://{host}");

    for (http1_only, nonce, version) in
        [(false, "1", reqwest::Version::HTTP_2), (true, "2", reqwest::Version::HTTP_11)]
    {
        let response = client(&tls, http1_only)
            .get(signed_url(&base, &host, nonce))
            .send()
            .await
            .expect("the sandbox answers over TLS");
        assert_eq!(response.version(), version);
        let text = response.text().await.expect("a whole body");
        let answer: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(answer["code"], 0, "{version:?}: {answer}");
        assert!(answer["totalCount"].as_u64().is_some_and(|n| n > 0), "{answer}");
    }
    let connections = handle.connections();
    assert_eq!(
        (connections.accepted(), connections.tls_handshakes(), connections.http2()),
        (2, 2, 1)
    );
    assert_eq!(handle.request_count(), 2);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_gets_no_answer() {
    let tls = SandboxTls::generate(&[]).expect("certificates");
    let other = SandboxTls::generate(&[]).expect("another CA");
    let handle = start_tls(&tls).await;
    let error = client(&other, false).get(handle.url()).send().await.expect_err("untrusted");
    assert!(error.is_connect(), "{error:?}");
    let connections = handle.connections();
    assert_eq!((connections.accepted(), connections.tls_handshakes()), (1, 0));
    assert_eq!(handle.request_count(), 0);
}

#[tokio::test]
async fn one_http2_connection_carries_many_requests() {
    let tls = SandboxTls::generate(&["sandbox.test".into()]).expect("certificates");
    let handle = start_tls(&tls).await;
    let host = handle.local_addr().to_string();
    let base = format!("https://{host}");
    let client = client(&tls, false);
    for nonce in 10..15 {
        let response =
            client.get(signed_url(&base, &host, &nonce.to_string())).send().await.expect("answer");
        assert_eq!(response.version(), reqwest::Version::HTTP_2);
        assert_eq!(response.status(), 200);
    }
    let connections = handle.connections();
    assert_eq!((connections.accepted(), connections.http2()), (1, 1), "one connection reused");
    assert_eq!(handle.request_count(), 5);
}

#[tokio::test]
async fn the_command_serves_https_with_the_ca_it_wrote() {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("a temp dir");
    let ca_file = dir.path().join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_qcloud-sandbox"))
        .arg("--tls")
        .arg(&ca_file)
        .arg("--exit-on-stdin-close")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox starts");
    let mut url = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    std::io::BufReader::new(stdout).read_line(&mut url).expect("the URL line");
    let url = url.trim();
    assert!(url.starts_with("https://127.0.0.1:") && url.ends_with("/v2/index.php"), "{url}");

    let pem = std::fs::read(&ca_file).expect("the CA file is written before the URL is printed");
    let ca = reqwest::Certificate::from_pem(&pem).expect("a PEM certificate");
    let client = reqwest::Client::builder().tls_certs_only([ca]).no_proxy().build().unwrap();
    let response = client.get(url).send().await.expect("an answer over TLS");
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    // The idle connection would hold the sandbox's graceful shutdown for its 5 s drain.
    drop((response, client));

    drop(child.stdin.take());
    let status = child.wait().expect("the sandbox exits when stdin closes");
    assert!(status.success(), "{status}");
}
