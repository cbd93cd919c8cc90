//! Secrets never leave the provider: the built binary runs under `TF_LOG_PROVIDER=trace`
//! through every error path the tests can reach, and neither its whole stderr, nor any
//! diagnostic, nor `result_output_file` holds the secret key or the token. Every type that
//! holds them redacts them in `Debug`, which is what a panic message would show.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::reliability::{
    config, errors, images_config, provider_block, start_sandbox, texts, wait_until,
};
use common::{LaunchOptions, Plugin};
use qcloud_provider::cty::Value;
use qcloud_provider::provider::settings::{RawSettings, resolve};
use qcloud_provider::qcloud::call::{Stamp, Target};
use qcloud_provider::qcloud::images::v2::page_params;
use qcloud_provider::qcloud::{Client, ImageType};
use qcloud_provider::qcloud::{ImageFilter, v2};
use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;
use qcloud_provider::tfplugin::proto::{self, DynamicValue};
use qcloud_sandbox::{FaultKind, FaultRule, SandboxConfig, SandboxCredential, SandboxHandle};
use tonic::transport::Channel;

/// The secrets looked for: distinctive, so any copy of them is found.
const SECRET_KEY: &str = "SecretKeyQx7Distinctive4242Zz";
const TOKEN: &str = "SecurityTokenWq3Distinctive9191Yy";
/// Not secret: the SecretId goes in every request.
const SECRET_ID: &str = "AKIDreliabilitySecretsTest00000001";

fn credential() -> SandboxCredential {
    SandboxCredential::new(SECRET_ID, SECRET_KEY).with_token(TOKEN)
}

async fn sandbox(faults: Vec<FaultRule>, latency: Duration) -> SandboxHandle {
    start_sandbox(SandboxConfig {
        credentials: vec![credential()],
        faults,
        latency,
        ..SandboxConfig::default()
    })
    .await
}

/// Every text the provider produced for one scenario.
#[derive(Default)]
struct Seen {
    texts: Vec<String>,
}

impl Seen {
    fn add(&mut self, scenario: &str, diagnostics: &[proto::Diagnostic]) {
        let mut text = format!("--- {scenario}\n{}", texts(diagnostics));
        for diagnostic in diagnostics {
            text.push_str(&format!("{:?}\n", diagnostic.attribute));
        }
        self.texts.push(text);
    }
}

/// A provider block: the endpoint, the key pair in the block, the token from the
/// environment, and `extra`.
fn block(endpoint: &str, secret_id: &str, extra: &[(&str, Value)]) -> Option<DynamicValue> {
    let mut set = vec![
        ("endpoint", Value::from(endpoint)),
        ("secret_id", Value::from(secret_id)),
        ("secret_key", Value::from(SECRET_KEY)),
        ("max_retries", Value::from(1)),
    ];
    for (name, value) in extra {
        set.retain(|(n, _)| n != name);
        set.push((name, value.clone()));
    }
    set.retain(|(_, value)| *value != Value::Null);
    config(&provider_block(), &set)
}

struct Conversation {
    client: ProviderClient<Channel>,
    seen: Seen,
}

impl Conversation {
    /// Validates and configures with `config`, recording every diagnostic.
    async fn configure(&mut self, scenario: &str, config: Option<DynamicValue>) -> bool {
        let validated = self
            .client
            .validate_provider_config(proto::validate_provider_config::Request {
                config: config.clone(),
            })
            .await
            .expect("ValidateProviderConfig answers")
            .into_inner();
        self.seen.add(&format!("{scenario} (validate)"), &validated.diagnostics);
        let configured = self
            .client
            .configure_provider(proto::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config,
                client_capabilities: None,
            })
            .await
            .expect("ConfigureProvider answers")
            .into_inner();
        self.seen.add(&format!("{scenario} (configure)"), &configured.diagnostics);
        errors(&configured.diagnostics).is_empty()
    }

    /// Reads `qcloud_images` with `set`, recording the diagnostics; whether it succeeded.
    async fn read(&mut self, scenario: &str, set: &[(&str, Value)]) -> bool {
        let reply = self
            .client
            .read_data_source(proto::read_data_source::Request {
                type_name: "qcloud_images".into(),
                config: images_config(set),
                ..Default::default()
            })
            .await
            .expect("ReadDataSource answers")
            .into_inner();
        self.seen.add(&format!("{scenario} (read)"), &reply.diagnostics);
        if let Some(state) = &reply.state {
            self.seen.texts.push(String::from_utf8_lossy(&state.msgpack).into_owned());
        }
        reply.state.is_some()
    }

    /// Configures with `config` (which must work) and reads; whether the read succeeded.
    async fn configure_and_read(
        &mut self,
        scenario: &str,
        config: Option<DynamicValue>,
        set: &[(&str, Value)],
    ) -> bool {
        assert!(self.configure(scenario, config).await, "{scenario}: configure failed");
        self.read(scenario, set).await
    }
}

fn public() -> Vec<(&'static str, Value)> {
    vec![("image_type", Value::from("public"))]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_diagnostic_or_output_file_holds_a_secret() {
    let out = tempfile::tempdir().expect("a temp dir");
    let plugin = Plugin::launch(LaunchOptions {
        env: vec![
            ("TF_LOG_PROVIDER".into(), "trace".into()),
            ("QCLOUD_SECURITY_TOKEN".into(), TOKEN.into()),
        ],
        ..LaunchOptions::default()
    })
    .await;
    let mut conversation = Conversation { client: plugin.provider().await, seen: Seen::default() };
    let healthy = sandbox(Vec::new(), Duration::ZERO).await;
    let url = healthy.url();

    // Success, with result_output_file written.
    let output = out.path().join("images.json");
    let mut set = public();
    set.push(("result_output_file", Value::from(output.to_str().expect("UTF-8"))));
    assert!(conversation.configure_and_read("success", block(&url, SECRET_ID, &[]), &set).await);

    // The wrong key (the sandbox knows another one for this id): 4100.
    let other = start_sandbox(SandboxConfig {
        credentials: vec![SandboxCredential::new(SECRET_ID, "another-key").with_token(TOKEN)],
        ..SandboxConfig::default()
    })
    .await;
    let wrong_key = block(&other.url(), SECRET_ID, &[]);
    assert!(!conversation.configure_and_read("wrong key", wrong_key, &public()).await);
    // An unknown SecretId: 4104.
    let unknown = block(&url, "AKIDunknownToTheSandbox000000000", &[]);
    assert!(!conversation.configure_and_read("unknown id", unknown, &public()).await);

    // Faults that are retried and recovered, then faults that exhaust the retries.
    let recovering = sandbox(
        vec![
            FaultRule::on_request(1, FaultKind::HttpStatus(503)),
            FaultRule::on_request(2, FaultKind::ApiError { code: 4400, message: None }),
            FaultRule::on_request(3, FaultKind::ResetConnection),
            FaultRule::on_request(4, FaultKind::TruncatedBody),
            FaultRule::on_request(5, FaultKind::HtmlPage(502)),
            FaultRule::on_request(6, FaultKind::ApiError { code: 4500, message: None }),
        ],
        Duration::ZERO,
    )
    .await;
    let retries = block(&recovering.url(), SECRET_ID, &[("max_retries", Value::from(8))]);
    assert!(conversation.configure_and_read("retried faults", retries, &public()).await);
    let failing = sandbox(vec![FaultRule::every(FaultKind::MalformedJson)], Duration::ZERO).await;
    let exhausted = block(&failing.url(), SECRET_ID, &[]);
    assert!(!conversation.configure_and_read("retries exhausted", exhausted, &public()).await);
    let refusing = sandbox(
        vec![FaultRule::every(FaultKind::ApiError { code: 4000, message: None })],
        Duration::ZERO,
    )
    .await;
    let refused = block(&refusing.url(), SECRET_ID, &[]);
    assert!(!conversation.configure_and_read("API error 4000", refused, &public()).await);

    // A timeout, and an endpoint nobody listens on.
    let slow = sandbox(Vec::new(), Duration::from_millis(1500)).await;
    let timeout = block(
        &slow.url(),
        SECRET_ID,
        &[("request_timeout", Value::from(1)), ("max_retries", Value::from(0))],
    );
    assert!(!conversation.configure_and_read("timeout", timeout, &public()).await);
    let closed = block("http://127.0.0.1:1/v2/index.php", SECRET_ID, &[]);
    assert!(!conversation.configure_and_read("connection refused", closed, &public()).await);

    // Cancellation by StopProvider mid-read.
    let stalled = sandbox(Vec::new(), Duration::from_secs(10)).await;
    assert!(conversation.configure("cancelled", block(&stalled.url(), SECRET_ID, &[])).await);
    let mut reader = conversation.client.clone();
    let read = tokio::spawn(async move {
        let request = proto::read_data_source::Request {
            type_name: "qcloud_images".into(),
            config: images_config(&public()),
            ..Default::default()
        };
        reader.read_data_source(request).await.expect("ReadDataSource answers").into_inner()
    });
    wait_until(Duration::from_secs(10), "the read to reach the sandbox", || {
        stalled.request_count() > 0
    })
    .await;
    conversation
        .client
        .stop_provider(proto::stop_provider::Request {})
        .await
        .expect("StopProvider");
    let reply = read.await.expect("the read ends");
    assert!(reply.state.is_none());
    conversation.seen.add("cancelled (read)", &reply.diagnostics);

    // Missing and half credentials, and bad settings with the secrets set.
    let no_credentials =
        block(&url, SECRET_ID, &[("secret_id", Value::Null), ("secret_key", Value::Null)]);
    assert!(
        !conversation.configure_and_read("missing credentials", no_credentials, &public()).await
    );
    let half = block(&url, SECRET_ID, &[("secret_id", Value::Null)]);
    assert!(!conversation.configure("half credentials", half).await);
    let spaced = block(&url, SECRET_ID, &[("secret_key", Value::from(format!("{SECRET_KEY} x")))]);
    assert!(!conversation.configure("a key with a space", spaced).await);
    // Credentials pasted into the URL (where they do not belong) are not quoted back.
    let endpoints = [
        "ftp://image.api.qcloud.com/v2/index.php".to_string(),
        format!("https://{SECRET_ID}:{SECRET_KEY}@image.api.qcloud.com/v2/index.php"),
        format!("https://image.api.qcloud.com/v2/index.php?Token={TOKEN}"),
        format!("http://{SECRET_KEY}:{TOKEN}@example.com:99999/"),
    ];
    for endpoint in endpoints {
        let bad = block(&endpoint, SECRET_ID, &[]);
        assert!(!conversation.configure("a bad endpoint", bad).await, "{endpoint}");
    }
    let bad_region = block(&url, SECRET_ID, &[("region", Value::from("Bad Region"))]);
    assert!(!conversation.configure("a bad region", bad_region).await);

    // Read-side errors: a bad regex, an unwritable result_output_file, no match.
    assert!(conversation.configure("read errors", block(&url, SECRET_ID, &[])).await);
    let mut set = public();
    set.push(("name_regex", Value::from("(unclosed")));
    assert!(!conversation.read("bad regex", &set).await);
    let blocker = out.path().join("a-file");
    std::fs::write(&blocker, "x").expect("a plain file");
    let mut set = public();
    set.push((
        "result_output_file",
        Value::from(blocker.join("images.json").to_str().expect("UTF-8")),
    ));
    assert!(!conversation.read("unwritable output", &set).await);
    let mut set = public();
    set.extend([("most_recent", Value::from(true)), ("os_name", Value::from("no such os"))]);
    assert!(!conversation.read("no match", &set).await);

    let finished = plugin.shutdown().await;
    let written = std::fs::read_to_string(&output).expect("the output file was written");
    assert!(written.contains("img-"), "the output file lists images");
    assert!(finished.stderr.contains("\"@level\""), "trace logging is on:\n{}", finished.stderr);
    println!(
        "{} bytes of trace log, {} scenario texts checked",
        finished.stderr.len(),
        conversation.seen.texts.len()
    );
    let places = [("stderr", finished.stderr.clone()), ("output file", written)]
        .into_iter()
        .chain(conversation.seen.texts.iter().map(|t| ("a diagnostic", t.clone())));
    for (place, text) in places {
        for secret in [SECRET_KEY, TOKEN] {
            if let Some(part) = leaked_part(secret, &text) {
                panic!("{part:?}, part of a secret, found in {place}:\n{text}");
            }
        }
    }
}

/// Any run of [`LEAK_CHARS`] characters of `secret` found in `text`: a message cut short
/// must not show the start of a secret either.
fn leaked_part<'a>(secret: &'a str, text: &str) -> Option<&'a str> {
    const LEAK_CHARS: usize = 10;
    (0..=secret.len() - LEAK_CHARS)
        .map(|at| &secret[at..at + LEAK_CHARS])
        .find(|part| text.contains(part))
}

#[test]
fn debug_output_of_every_type_holding_a_secret_is_redacted() {
    let raw = RawSettings {
        secret_id: Some(SECRET_ID.into()),
        secret_key: Some(SECRET_KEY.into()),
        security_token: Some(TOKEN.into()),
        endpoint: Some("http://127.0.0.1:1/v2/index.php".into()),
        ..RawSettings::default()
    };
    let no_env = |_: &str| None;
    let settings = resolve(raw.clone(), no_env).expect("valid settings");
    let credentials = settings.credentials().cloned().expect("credentials were given");
    let client = Client::new(settings.clone()).expect("a client");
    let endpoint = settings.endpoint().clone();
    let target = Target {
        endpoint: &endpoint,
        region: "ap-guangzhou",
        credentials: &credentials,
        signature_method: Default::default(),
    };
    let params = page_params(&ImageFilter::of_type(ImageType::Public), &[], 0, 100);
    let page = v2::Call { action: "DescribeImages", params };
    let request = v2::request::build(&target, &page, Stamp { timestamp: 1_700_000_000, nonce: 7 });
    assert_eq!(request.params.get("Token").map(String::as_str), Some(TOKEN), "the token is sent");
    let launch = qcloud_provider::plugin::Launch {
        args: Vec::new(),
        env: [
            ("QCLOUD_SECRET_ID", SECRET_ID),
            ("QCLOUD_SECRET_KEY", SECRET_KEY),
            ("QCLOUD_SECURITY_TOKEN", TOKEN),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    let shown: BTreeMap<&str, String> = BTreeMap::from([
        ("RawSettings", format!("{raw:?}")),
        ("Settings", format!("{settings:?}")),
        ("Credentials", format!("{credentials:?}")),
        ("Client", format!("{client:?}")),
        ("SignedRequest", format!("{request:?}")),
        ("SandboxCredential", format!("{:?}", credential())),
        ("Launch", format!("{launch:?}")),
    ]);
    for (name, text) in shown {
        // The SecretId is not secret; the launch shows variable names only.
        let shows_id = name != "Launch";
        assert_eq!(text.contains(SECRET_ID), shows_id, "{name}: {text}");
        for secret in [SECRET_KEY, TOKEN] {
            assert!(!text.contains(secret), "{name} shows a secret: {text}");
        }
    }
}
