//! Helpers shared by the reliability tests: configurations encoded as Terraform sends them, an
//! in-process sandbox, and small readers of replies and of the provider process.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use qcloud_provider::cty::{Value, encode_msgpack};
use qcloud_provider::provider::{Provider, QcloudProvider};
use qcloud_provider::schema::Block;
use qcloud_provider::tfplugin::proto::{self, DynamicValue, diagnostic::Severity};
use qcloud_sandbox::{SANDBOX_REGION, Sandbox, SandboxConfig, SandboxHandle};

/// The provider block's schema.
pub fn provider_block() -> Block {
    QcloudProvider::new().schema().provider.block.clone()
}

/// The `qcloud_images` block's schema.
pub fn images_block() -> Block {
    let provider = QcloudProvider::new();
    provider.schema().data_sources["qcloud_images"].block.clone()
}

/// A msgpack configuration of `block`: every attribute null except those in `set`.
pub fn config(block: &Block, set: &[(&str, Value)]) -> Option<DynamicValue> {
    let mut attributes: BTreeMap<String, Value> =
        block.attributes.iter().map(|a| (a.name.clone(), Value::Null)).collect();
    for (name, value) in set {
        assert!(attributes.contains_key(*name), "{name} is not in the schema");
        attributes.insert((*name).to_string(), value.clone());
    }
    let bytes = encode_msgpack(&Value::Object(attributes), &block.value_type())
        .expect("test configurations fit the schema");
    Some(DynamicValue { msgpack: bytes, json: Vec::new() })
}

/// A provider block pointing at `sandbox` with the given key pair, plus `extra`.
pub fn provider_config(
    sandbox: &SandboxHandle,
    secret_id: &str,
    secret_key: &str,
    extra: &[(&str, Value)],
) -> Option<DynamicValue> {
    let mut set = vec![
        ("endpoint", Value::from(sandbox.url().as_str())),
        ("region", Value::from(SANDBOX_REGION)),
        ("secret_id", Value::from(secret_id)),
        ("secret_key", Value::from(secret_key)),
    ];
    set.extend(extra.iter().cloned());
    config(&provider_block(), &set)
}

/// A `qcloud_images` configuration.
pub fn images_config(set: &[(&str, Value)]) -> Option<DynamicValue> {
    config(&images_block(), set)
}

/// Starts a sandbox on the current runtime, on a loopback port.
pub async fn start_sandbox(config: SandboxConfig) -> SandboxHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("loopback listens");
    Sandbox::start(config, listener).expect("the sandbox starts")
}

/// The error diagnostics of a reply.
pub fn errors(diagnostics: &[proto::Diagnostic]) -> Vec<&proto::Diagnostic> {
    diagnostics.iter().filter(|d| d.severity == Severity::Error as i32).collect()
}

/// Every summary and detail of `diagnostics`, one per line, for messages and greps.
pub fn texts(diagnostics: &[proto::Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{}\n{}\n", d.summary, d.detail)).collect()
}

/// The attribute name the diagnostic's path starts with, if any.
pub fn first_attribute(diagnostic: &proto::Diagnostic) -> Option<&str> {
    use proto::attribute_path::step::Selector;
    let step = diagnostic.attribute.as_ref()?.steps.first()?;
    match step.selector.as_ref()? {
        Selector::AttributeName(name) => Some(name),
        _ => None,
    }
}

/// Waits until `ready` holds, checking every few milliseconds, for at most `limit`.
pub async fn wait_until(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(limit, async {
        while !ready() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "timed out after {limit:?} waiting for {what}");
}

/// Runs `future` with a deadline, failing the test with `what` if it does not finish.
pub async fn within<T>(limit: Duration, what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, future).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {limit:?}"),
    }
}

/// A value from `/proc/<pid>/status`, in kB (e.g. `VmHWM`, `VmRSS`).
pub fn proc_status_kb(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("procfs readable");
    let line = status
        .lines()
        .find(|line| line.starts_with(&format!("{key}:")))
        .unwrap_or_else(|| panic!("{key} missing from /proc/{pid}/status"));
    let number = line.trim_start_matches(&format!("{key}:")).trim().trim_end_matches("kB").trim();
    number.parse().unwrap_or_else(|e| panic!("{key} is not a number in {line:?}: {e}"))
}
