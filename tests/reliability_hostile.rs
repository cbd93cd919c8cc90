//! Hostile values sent to the built provider over gRPC, as a broken or malicious Terraform
//! could send them: deep nesting, huge strings, invalid UTF-8, absurd declared lengths, and a
//! value of the wrong type (or a wrong value) for every attribute. Each must come back as an
//! error diagnostic, never a gRPC status or a crash, and the process must answer the next RPC.

mod common;

use common::Plugin;
use common::reliability::{
    config, errors, first_attribute, images_block, proc_status_kb, provider_block, provider_config,
    start_sandbox, texts,
};
use qcloud_provider::cty::Value;
use qcloud_provider::schema::{AttributeType, Block};
use qcloud_provider::tfplugin::proto::provider_client::ProviderClient;
use qcloud_provider::tfplugin::proto::{self, DynamicValue};
use qcloud_sandbox::{SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, SandboxConfig, SandboxHandle};
use tonic::transport::Channel;

const OK: &str = "writing to a Vec cannot fail";
/// 8 MiB: a string far beyond anything a configuration holds.
const HUGE: usize = 8 * 1024 * 1024;
/// 256 KiB: a huge value for the arguments that are parsed (a regex, a number).
const PARSED: usize = 256 * 1024;
/// The longest diagnostic text accepted for a huge value: it is quoted, not echoed whole.
const MAX_DIAGNOSTIC_BYTES: usize = 8 * 1024;

fn msgpack(bytes: Vec<u8>) -> Option<DynamicValue> {
    Some(DynamicValue { msgpack: bytes, json: Vec::new() })
}

fn json(bytes: Vec<u8>) -> Option<DynamicValue> {
    Some(DynamicValue { msgpack: Vec::new(), json: bytes })
}

/// A msgpack map of every attribute of `block`, null except `name`, whose value is `raw`
/// (bytes written as they are, whatever they declare).
fn with_raw(block: &Block, name: &str, raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let count = u32::try_from(block.attributes.len()).expect("a small schema");
    rmp::encode::write_map_len(&mut out, count).expect(OK);
    for attribute in &block.attributes {
        rmp::encode::write_str(&mut out, &attribute.name).expect(OK);
        if attribute.name == name {
            out.extend_from_slice(raw);
        } else {
            rmp::encode::write_nil(&mut out).expect(OK);
        }
    }
    out
}

/// The replies a data source configuration gets from validation and from a read.
async fn data_source_replies(
    client: &mut ProviderClient<Channel>,
    config: Option<DynamicValue>,
) -> [Vec<proto::Diagnostic>; 2] {
    let validate = client
        .validate_data_resource_config(proto::validate_data_resource_config::Request {
            type_name: "qcloud_images".into(),
            config: config.clone(),
        })
        .await
        .expect("a diagnostic, not a gRPC status")
        .into_inner();
    let read = client
        .read_data_source(proto::read_data_source::Request {
            type_name: "qcloud_images".into(),
            config,
            ..Default::default()
        })
        .await
        .expect("a diagnostic, not a gRPC status")
        .into_inner();
    assert!(read.state.is_none(), "a refused configuration has no state");
    [validate.diagnostics, read.diagnostics]
}

/// The replies a provider configuration gets from validation and from ConfigureProvider.
async fn provider_replies(
    client: &mut ProviderClient<Channel>,
    config: Option<DynamicValue>,
) -> [Vec<proto::Diagnostic>; 2] {
    let validate = client
        .validate_provider_config(proto::validate_provider_config::Request {
            config: config.clone(),
        })
        .await
        .expect("a diagnostic, not a gRPC status")
        .into_inner();
    let configure = client
        .configure_provider(proto::configure_provider::Request { config, ..Default::default() })
        .await
        .expect("a diagnostic, not a gRPC status")
        .into_inner();
    [validate.diagnostics, configure.diagnostics]
}

/// Asserts every reply holds an error, optionally at `attribute`, and a short one.
fn assert_refused(what: &str, replies: &[Vec<proto::Diagnostic>], attribute: Option<&str>) {
    for diagnostics in replies {
        let found = errors(diagnostics);
        assert!(!found.is_empty(), "{what}: no error diagnostic in {diagnostics:?}");
        if let Some(name) = attribute {
            let at = found.iter().any(|d| first_attribute(d) == Some(name));
            assert!(at, "{what}: no error at {name}:\n{}", texts(diagnostics));
        }
        let size = texts(diagnostics).len();
        assert!(size <= MAX_DIAGNOSTIC_BYTES, "{what}: {size} bytes of diagnostics");
    }
}

/// The process is alive and serving: GetProviderSchema answers.
async fn assert_alive(client: &mut ProviderClient<Channel>, after: &str) {
    let reply = client.get_provider_schema(proto::get_provider_schema::Request {}).await;
    let reply = reply.unwrap_or_else(|status| panic!("no answer after {after}: {status}"));
    assert!(reply.into_inner().provider.is_some(), "after {after}");
}

/// A running provider configured against a sandbox, so that reads go as far as they can.
/// Keep all three alive for the test.
async fn configured_plugin() -> (Plugin, ProviderClient<Channel>, SandboxHandle) {
    let sandbox = start_sandbox(SandboxConfig::default()).await;
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let config = provider_config(&sandbox, SANDBOX_SECRET_ID, SANDBOX_SECRET_KEY, &[]);
    let [_, configured] = provider_replies(&mut client, config).await;
    assert!(errors(&configured).is_empty(), "{}", texts(&configured));
    (plugin, client, sandbox)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_values_are_error_diagnostics() {
    const DEPTH: usize = 100_000;
    let (_plugin, mut client, _sandbox) = configured_plugin().await;
    let images = images_block();
    // msgpack: a hundred thousand one-element arrays inside image_ids, and as the whole value.
    let mut nested = vec![0x91; DEPTH];
    nested.push(0xc0);
    let cases = [
        ("nested msgpack in image_ids", msgpack(with_raw(&images, "image_ids", &nested))),
        ("nested msgpack as the value", msgpack(nested.clone())),
        (
            "nested JSON in image_ids",
            json(
                format!(
                    r#"{{"image_type":"public","image_ids":{}{}}}"#,
                    "[".repeat(DEPTH),
                    "]".repeat(DEPTH)
                )
                .into_bytes(),
            ),
        ),
        (
            "nested JSON as the value",
            json(format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH)).into_bytes()),
        ),
    ];
    for (what, value) in cases {
        let replies = data_source_replies(&mut client, value.clone()).await;
        assert_refused(what, &replies, None);
        let replies = provider_replies(&mut client, value).await;
        assert_refused(what, &replies, None);
        assert_alive(&mut client, what).await;
    }
}

/// A msgpack str header declaring `len` bytes, and the bytes.
fn msgpack_str(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    rmp::encode::write_str_len(&mut out, u32::try_from(bytes.len()).expect("under 4 GiB"))
        .expect(OK);
    out.extend_from_slice(bytes);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_huge_strings_are_refused_in_a_short_diagnostic() {
    let (_plugin, mut client, _sandbox) = configured_plugin().await;
    let images = images_block();
    let huge = "x".repeat(HUGE);
    let long_id = format!("img-{}", "a".repeat(HUGE));
    // A regex and a number are parsed character by character, slowly in the debug build these
    // tests run; a quarter of a MiB is still four thousand times what an error may quote.
    let parsed = "9".repeat(PARSED);
    // Every string argument, and a huge number; the error quotes the value briefly.
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("image_type", msgpack_str(huge.as_bytes())),
        ("status", msgpack_str(huge.as_bytes())),
        ("name_regex", msgpack_str(format!("({parsed}").as_bytes())),
        ("image_ids", [vec![0x91], msgpack_str(long_id.as_bytes())].concat()),
        ("max_results", msgpack_str(format!("-{parsed}").as_bytes())),
        // Valid, but it fails once the listing is done: no image matches, the file is not made.
        ("os_name", msgpack_str(huge.as_bytes())),
        ("result_output_file", msgpack_str(format!("/{huge}/images.json").as_bytes())),
    ];
    for (name, raw) in cases {
        let value = match name {
            "image_type" => with_raw(&images, name, &raw),
            "os_name" => with_raw_pairs(&images, &[(name, &raw), ("most_recent", &[0xc3])]),
            // Keep image_type valid so the error is about `name` alone.
            _ => with_raw_pair(&images, name, &raw),
        };
        let [validated, read] = data_source_replies(&mut client, msgpack(value)).await;
        if matches!(name, "os_name" | "result_output_file") {
            assert!(errors(&validated).is_empty(), "{name}: {}", texts(&validated));
            assert_refused(name, &[read], None);
        } else {
            assert_refused(name, &[validated, read], Some(name));
        }
        assert_alive(&mut client, name).await;
    }
    let block = provider_block();
    for name in ["region", "endpoint", "signature_method", "secret_id"] {
        let raw = msgpack_str(format!("{huge} ").as_bytes());
        let replies = provider_replies(&mut client, msgpack(with_raw(&block, name, &raw))).await;
        assert_refused(name, &replies, Some(name));
        assert_alive(&mut client, name).await;
    }
}

/// Like [`with_raw`], with `image_type = "public"` as well.
fn with_raw_pair(block: &Block, name: &str, raw: &[u8]) -> Vec<u8> {
    with_raw_pairs(block, &[(name, raw)])
}

/// A msgpack map of every attribute of `block`: `image_type = "public"`, the raw values of
/// `raw` (which may replace it), and null for the rest.
fn with_raw_pairs(block: &Block, raw: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let count = u32::try_from(block.attributes.len()).expect("a small schema");
    rmp::encode::write_map_len(&mut out, count).expect(OK);
    for attribute in &block.attributes {
        rmp::encode::write_str(&mut out, &attribute.name).expect(OK);
        match raw.iter().find(|(name, _)| *name == attribute.name) {
            Some((_, bytes)) => out.extend_from_slice(bytes),
            None if attribute.name == "image_type" => {
                rmp::encode::write_str(&mut out, "public").expect(OK);
            }
            None => rmp::encode::write_nil(&mut out).expect(OK),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_is_an_error_diagnostic() {
    let (_plugin, mut client, _sandbox) = configured_plugin().await;
    let invalid: &[u8] = &[b'p', 0xff, 0xfe, 0x80, b'c'];
    let images = images_block();
    let replies = data_source_replies(
        &mut client,
        msgpack(with_raw(&images, "image_type", &msgpack_str(invalid))),
    )
    .await;
    assert_refused("invalid UTF-8 in msgpack", &replies, Some("image_type"));
    let mut text = br#"{"image_type":""#.to_vec();
    text.extend_from_slice(invalid);
    text.extend_from_slice(br#""}"#);
    let replies = data_source_replies(&mut client, json(text)).await;
    assert_refused("invalid UTF-8 in JSON", &replies, None);
    let block = provider_block();
    let raw = with_raw(&block, "secret_key", &msgpack_str(invalid));
    let replies = provider_replies(&mut client, msgpack(raw)).await;
    assert_refused("invalid UTF-8 in the provider block", &replies, Some("secret_key"));
    assert_alive(&mut client, "invalid UTF-8").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_declaring_4_gib_allocate_nothing_of_the_kind() {
    const MIB: u64 = 1024;
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    assert_alive(&mut client, "the launch").await;
    let before = proc_status_kb(plugin.pid(), "VmHWM");
    let images = images_block();
    let four_gib = [0xff, 0xff, 0xff, 0xff];
    let headers: [(&str, u8); 5] =
        [("array32", 0xdd), ("map32", 0xdf), ("str32", 0xdb), ("bin32", 0xc6), ("ext32", 0xc9)];
    for (what, marker) in headers {
        let mut raw = vec![marker];
        raw.extend_from_slice(&four_gib);
        raw.extend_from_slice(&[0xc0; 16]);
        for name in ["image_ids", "image_type", "max_results"] {
            let value = msgpack(with_raw(&images, name, &raw));
            assert_refused(what, &data_source_replies(&mut client, value).await, None);
        }
        // As the whole value, too.
        assert_refused(what, &data_source_replies(&mut client, msgpack(raw.clone())).await, None);
        let value = msgpack(with_raw(&provider_block(), "endpoint", &raw));
        assert_refused(what, &provider_replies(&mut client, value).await, None);
    }
    assert_alive(&mut client, "4 GiB headers").await;
    let after = proc_status_kb(plugin.pid(), "VmHWM");
    println!("provider VmHWM before {before} kB, after the 4 GiB headers {after} kB");
    assert!(after < before + 32 * MIB, "peak memory grew from {before} kB to {after} kB");
}

/// A value of the wrong type for an attribute of type `ty`, and what it is.
fn wrong_value(ty: &AttributeType) -> (&'static str, Vec<u8>) {
    use qcloud_provider::cty::Type;
    let AttributeType::Cty(ty) = ty else { panic!("the schemas use no nested attributes") };
    match ty {
        Type::String => ("an array for a string", vec![0x91, 0x01]),
        Type::Number => ("a non-numeric string for a number", msgpack_str(b"twelve")),
        Type::Bool => ("a string for a bool", msgpack_str(b"true")),
        Type::List(_) => ("a bool for a list", vec![0xc3]),
        Type::Map(_) => ("an array for a map", vec![0x91, 0x01]),
        Type::Object(_) => ("a number for an object", vec![0x05]),
        other => panic!("no wrong value chosen for {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_type_for_every_attribute_is_an_error_at_that_attribute() {
    let (_plugin, mut client, _sandbox) = configured_plugin().await;
    let images = images_block();
    for attribute in &images.attributes {
        let (what, raw) = wrong_value(&attribute.ty);
        let value = msgpack(with_raw_pair(&images, &attribute.name, &raw));
        let replies = data_source_replies(&mut client, value).await;
        assert_refused(
            &format!("qcloud_images.{}: {what}", attribute.name),
            &replies,
            Some(&attribute.name),
        );
    }
    let block = provider_block();
    for attribute in &block.attributes {
        let (what, raw) = wrong_value(&attribute.ty);
        let replies =
            provider_replies(&mut client, msgpack(with_raw(&block, &attribute.name, &raw))).await;
        assert_refused(
            &format!("provider.{}: {what}", attribute.name),
            &replies,
            Some(&attribute.name),
        );
    }
    assert_alive(&mut client, "wrong types").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_value_for_every_argument_is_an_error_at_that_argument() {
    let (_plugin, mut client, _sandbox) = configured_plugin().await;
    let images = images_block();
    let list = |items: &[&str]| Value::List(items.iter().map(|i| Value::from(*i)).collect());
    let image_cases: Vec<(&str, Value)> = vec![
        ("image_type", Value::from("everything")),
        ("image_ids", list(&["img-1", "ins-12345678"])),
        ("status", Value::from("deleted")),
        ("name_regex", Value::from("(unclosed")),
        ("os_name", Value::from("   ")),
        ("max_results", Value::from(0)),
        ("result_output_file", Value::from("")),
    ];
    for (name, value) in image_cases {
        let mut set = vec![("image_type", Value::from("public"))];
        set.retain(|(n, _)| *n != name);
        set.push((name, value));
        let replies = data_source_replies(&mut client, config(&images, &set)).await;
        assert_refused(&format!("qcloud_images.{name}"), &replies, Some(name));
    }
    let block = provider_block();
    let provider_cases: Vec<(&str, Value)> = vec![
        ("secret_id", Value::from("AKID with a space")),
        ("secret_key", Value::from("key\twith a tab")),
        ("security_token", Value::from("token\nwith a line break")),
        ("region", Value::from("Not A Region")),
        ("endpoint", Value::from("ftp://image.api.qcloud.com/v2/index.php")),
        ("api_version", Value::from("4.0")),
        ("signature_method", Value::from("HmacMD5")),
        ("max_retries", Value::from(-1)),
        ("request_timeout", Value::from(0)),
        ("requests_per_second", Value::from(0)),
        ("page_concurrency", Value::from(1000)),
    ];
    assert_eq!(provider_cases.len(), block.attributes.len(), "every provider argument");
    for (name, value) in provider_cases {
        let replies = provider_replies(&mut client, config(&block, &[(name, value)])).await;
        assert_refused(&format!("provider.{name}"), &replies, Some(name));
    }
    assert_alive(&mut client, "wrong values").await;
}
