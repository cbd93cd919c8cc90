//! Every tfplugin6 RPC the provider serves, called over mutual TLS on the built binary the
//! way Terraform calls it. Expectations come from `QcloudProvider::new().schema()`, so they
//! hold as the schema grows.

mod common;

use std::collections::BTreeSet;

use common::Plugin;
use common::values::{empty_config, garbage, msgpack};
use qcloud_provider::provider::{Provider, QcloudProvider};
use qcloud_provider::tfplugin::proto::{self, diagnostic::Severity};

fn expected() -> QcloudProvider {
    QcloudProvider::new()
}

fn errors(diagnostics: &[proto::Diagnostic]) -> Vec<&proto::Diagnostic> {
    diagnostics.iter().filter(|d| d.severity == Severity::Error as i32).collect()
}

fn only_error(diagnostics: &[proto::Diagnostic]) -> &proto::Diagnostic {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].severity, Severity::Error as i32, "{diagnostics:?}");
    &diagnostics[0]
}

#[tokio::test]
async fn get_provider_schema_serves_the_providers_schema() {
    let plugin = Plugin::start().await;
    let reply = plugin
        .provider()
        .await
        .get_provider_schema(proto::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema answers")
        .into_inner();
    let provider = expected();
    let schema = provider.schema();
    assert!(reply.diagnostics.is_empty(), "{:?}", reply.diagnostics);
    assert!(reply.server_capabilities.is_some_and(|c| c.get_provider_schema_optional));

    let block = reply.provider.and_then(|p| p.block).expect("the provider block is never nil");
    let names: Vec<_> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    let want: Vec<_> = schema.provider.block.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, want);
    for attribute in &block.attributes {
        let flags = [attribute.required, attribute.optional, attribute.computed];
        assert!(flags.iter().any(|f| *f) && !(attribute.required && attribute.computed));
    }

    let data_sources: BTreeSet<_> = reply.data_source_schemas.keys().cloned().collect();
    assert_eq!(data_sources, schema.data_sources.keys().cloned().collect());
    assert!(reply.data_source_schemas.values().all(|s| s.block.is_some()));
    let functions: BTreeSet<_> = reply.functions.keys().cloned().collect();
    assert_eq!(functions, schema.functions.keys().cloned().collect());
    assert!(reply.functions.values().all(|f| f.r#return.is_some()));
    assert!(reply.resource_schemas.is_empty() && reply.ephemeral_resource_schemas.is_empty());
}

#[tokio::test]
async fn get_metadata_and_get_functions_name_the_same_things() {
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let metadata = client
        .get_metadata(proto::get_metadata::Request {})
        .await
        .expect("GetMetadata answers")
        .into_inner();
    let provider = expected();
    let schema = provider.schema();
    let data_sources: BTreeSet<_> =
        metadata.data_sources.into_iter().map(|d| d.type_name).collect();
    assert_eq!(data_sources, schema.data_sources.keys().cloned().collect());
    let functions: BTreeSet<_> = metadata.functions.into_iter().map(|f| f.name).collect();
    assert_eq!(functions, schema.functions.keys().cloned().collect());
    assert!(metadata.resources.is_empty() && metadata.ephemeral_resources.is_empty());
    assert!(metadata.server_capabilities.is_some_and(|c| c.get_provider_schema_optional));

    let reply = client
        .get_functions(proto::get_functions::Request {})
        .await
        .expect("GetFunctions answers")
        .into_inner();
    let functions: BTreeSet<_> = reply.functions.keys().cloned().collect();
    assert_eq!(functions, schema.functions.keys().cloned().collect());
}

#[tokio::test]
async fn undecodable_values_are_error_diagnostics_not_statuses() {
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let validate = client
        .validate_provider_config(proto::validate_provider_config::Request { config: garbage() })
        .await
        .expect("a diagnostic, not a status")
        .into_inner();
    let configure = client
        .configure_provider(proto::configure_provider::Request {
            config: garbage(),
            ..Default::default()
        })
        .await
        .expect("a diagnostic, not a status")
        .into_inner();
    for diagnostics in [&validate.diagnostics, &configure.diagnostics] {
        let error = only_error(diagnostics);
        assert_eq!(error.summary, "Invalid provider configuration");
    }
}

#[tokio::test]
async fn requests_larger_than_tonics_default_limit_are_accepted() {
    let plugin = Plugin::start().await;
    // 6 MiB of bytes that are not msgpack: over tonic's 4 MiB default, under the raised limit.
    let big = vec![0xc1; 6 * 1024 * 1024];
    let reply = plugin
        .provider()
        .await
        .validate_provider_config(proto::validate_provider_config::Request { config: msgpack(big) })
        .await
        .expect("a large request is decoded, not refused")
        .into_inner();
    assert_eq!(only_error(&reply.diagnostics).summary, "Invalid provider configuration");
}

#[tokio::test]
async fn unknown_data_source_is_an_error_diagnostic() {
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let validate = client
        .validate_data_resource_config(proto::validate_data_resource_config::Request {
            type_name: "qcloud_nothing".into(),
            config: msgpack(vec![0x80]),
        })
        .await
        .expect("a diagnostic, not a status")
        .into_inner();
    let read = client
        .read_data_source(proto::read_data_source::Request {
            type_name: "qcloud_nothing".into(),
            config: msgpack(vec![0x80]),
            ..Default::default()
        })
        .await
        .expect("a diagnostic, not a status")
        .into_inner();
    assert!(read.state.is_none());
    for diagnostics in [&validate.diagnostics, &read.diagnostics] {
        let error = only_error(diagnostics);
        assert_eq!(error.summary, "Unknown data source");
        assert!(error.detail.contains("\"qcloud_nothing\""), "{}", error.detail);
    }
}

#[tokio::test]
async fn unknown_function_is_a_function_error() {
    let plugin = Plugin::start().await;
    let reply = plugin
        .provider()
        .await
        .call_function(proto::call_function::Request {
            name: "no_such_function".into(),
            arguments: Vec::new(),
        })
        .await
        .expect("a function error, not a status")
        .into_inner();
    assert!(reply.result.is_none());
    let error = reply.error.expect("the call fails");
    assert!(error.text.contains("\"no_such_function\""), "{}", error.text);
}

/// `text` as msgpack, the way Terraform encodes a string.
fn msgpack_string(text: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    rmp::encode::write_str(&mut bytes, text).expect("writing to a Vec cannot fail");
    bytes
}

/// Calls `public_image_id(name)` over gRPC.
async fn public_image_id(plugin: &Plugin, name: &str) -> proto::call_function::Response {
    let request = proto::call_function::Request {
        name: "public_image_id".into(),
        arguments: msgpack(msgpack_string(name)).into_iter().collect(),
    };
    let reply = plugin.provider().await.call_function(request).await;
    reply.expect("a result or a function error, not a status").into_inner()
}

#[tokio::test]
async fn public_image_id_resolves_short_forms_and_refuses_ambiguous_ones_at_argument_zero() {
    let plugin = Plugin::start().await;
    let found = public_image_id(&plugin, "debian 8.2 64").await;
    assert_eq!(found.result.map(|v| v.msgpack), Some(msgpack_string("img-hi93l4ht")));
    let ambiguous = public_image_id(&plugin, "Ubuntu 14.04").await;
    assert!(ambiguous.result.is_none());
    let error = ambiguous.error.expect("the call fails");
    assert_eq!(error.function_argument, Some(0));
    assert!(error.text.contains("fits 2 public images"), "{}", error.text);
    let unknown = public_image_id(&plugin, "Ubuntu 22.04").await.error.expect("the call fails");
    assert!(unknown.text.contains("Did you mean \"Ubuntu Server 14.04.1"), "{}", unknown.text);
}

#[tokio::test]
async fn resource_and_ephemeral_rpcs_answer_with_an_error_diagnostic() {
    let plugin = Plugin::start().await;
    let mut c = plugin.provider().await;
    let t = || "qcloud_instance".to_string();
    let ok = "an error diagnostic, not a status";
    let replies = [
        c.validate_resource_config(proto::validate_resource_config::Request {
            type_name: t(),
            config: msgpack(vec![0x80]),
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.upgrade_resource_state(proto::upgrade_resource_state::Request {
            type_name: t(),
            ..Default::default()
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.read_resource(proto::read_resource::Request { type_name: t(), ..Default::default() })
            .await
            .expect(ok)
            .into_inner()
            .diagnostics,
        c.plan_resource_change(proto::plan_resource_change::Request {
            type_name: t(),
            ..Default::default()
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.apply_resource_change(proto::apply_resource_change::Request {
            type_name: t(),
            ..Default::default()
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.import_resource_state(proto::import_resource_state::Request {
            type_name: t(),
            id: "ins-1".into(),
            client_capabilities: None,
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.move_resource_state(proto::move_resource_state::Request {
            target_type_name: t(),
            ..Default::default()
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.validate_ephemeral_resource_config(proto::validate_ephemeral_resource_config::Request {
            type_name: t(),
            config: None,
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.open_ephemeral_resource(proto::open_ephemeral_resource::Request {
            type_name: t(),
            ..Default::default()
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.renew_ephemeral_resource(proto::renew_ephemeral_resource::Request {
            type_name: t(),
            private: None,
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
        c.close_ephemeral_resource(proto::close_ephemeral_resource::Request {
            type_name: t(),
            private: None,
        })
        .await
        .expect(ok)
        .into_inner()
        .diagnostics,
    ];
    for diagnostics in &replies {
        let error = only_error(diagnostics);
        assert!(error.summary.starts_with("This provider has no "), "{}", error.summary);
        assert!(error.detail.contains("\"qcloud_instance\""), "{}", error.detail);
    }
}

#[tokio::test]
async fn stop_provider_succeeds_and_the_provider_keeps_serving() {
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let reply = client
        .stop_provider(proto::stop_provider::Request {})
        .await
        .expect("StopProvider answers")
        .into_inner();
    assert_eq!(reply.error, "");
    let schema = client.get_provider_schema(proto::get_provider_schema::Request {}).await;
    assert!(schema.expect("still serving").into_inner().provider.is_some());
}

// The two tests below send real configurations, so they rely on the cty msgpack codec.

#[tokio::test]
async fn validate_and_configure_accept_an_empty_provider_block() {
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let provider = expected();
    let config = || msgpack(empty_config(&provider.schema().provider.block));
    let validate = client
        .validate_provider_config(proto::validate_provider_config::Request { config: config() })
        .await
        .expect("ValidateProviderConfig answers")
        .into_inner();
    assert!(errors(&validate.diagnostics).is_empty(), "{:?}", validate.diagnostics);
    let configure = client
        .configure_provider(proto::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: config(),
            client_capabilities: Some(proto::ClientCapabilities {
                deferral_allowed: true,
                write_only_attributes_allowed: true,
            }),
        })
        .await
        .expect("ConfigureProvider answers")
        .into_inner();
    assert!(errors(&configure.diagnostics).is_empty(), "{:?}", configure.diagnostics);
}

#[tokio::test]
async fn data_source_validation_decodes_the_config() {
    let plugin = Plugin::start().await;
    let mut client = plugin.provider().await;
    let provider = expected();
    for (type_name, schema) in &provider.schema().data_sources {
        let reply = client
            .validate_data_resource_config(proto::validate_data_resource_config::Request {
                type_name: type_name.clone(),
                config: msgpack(empty_config(&schema.block)),
            })
            .await
            .expect("ValidateDataResourceConfig answers")
            .into_inner();
        // An empty block may be invalid for the data source, but never undecodable.
        let undecodable =
            reply.diagnostics.iter().any(|d| d.summary == "Invalid data source configuration");
        assert!(!undecodable, "{type_name}: {:?}", reply.diagnostics);
    }
}
