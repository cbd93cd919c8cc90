//! Tests of the gRPC service against a fake provider, calling the handlers directly.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use tokio::sync::Notify;
use tonic::Request;

use super::*;
use crate::cty::encode_msgpack;
use crate::diag::Severity;
use crate::provider::{ProviderSchema, ReadOutcome, State};
use crate::schema::{Attribute, Block, Function, Parameter, Presence};
use proto::provider_server::Provider as _;

/// A provider whose data sources are `fake_things` (echoes its config) and `fake_slow`
/// (waits for StopProvider), and whose function `echo` returns its argument.
#[derive(Default)]
struct Fake {
    schema: ProviderSchema,
    /// Every call the service made: (what, the value it passed).
    calls: Mutex<Vec<(String, Value)>>,
    read_started: Notify,
}

impl Fake {
    fn new() -> Arc<Self> {
        let thing = Schema {
            version: 0,
            block: Block {
                attributes: vec![
                    Attribute::new("name", Type::String, Presence::Required, "Name."),
                    Attribute::new("id", Type::String, Presence::Computed, "ID."),
                ],
                ..Block::default()
            },
        };
        let provider = Schema {
            version: 0,
            block: Block {
                attributes: vec![Attribute::new("region", Type::String, Presence::Optional, "")],
                ..Block::default()
            },
        };
        let echo = Function {
            parameters: vec![Parameter {
                name: "text".into(),
                ty: Type::String,
                allow_null: false,
                allow_unknown: false,
                description: String::new(),
            }],
            variadic: None,
            return_type: Type::String,
            summary: "Echo".into(),
            description: String::new(),
            deprecation_message: String::new(),
        };
        let schema = ProviderSchema {
            provider,
            data_sources: BTreeMap::from([
                ("fake_slow".to_string(), thing.clone()),
                ("fake_things".to_string(), thing),
            ]),
            functions: BTreeMap::from([("echo".to_string(), echo)]),
        };
        Arc::new(Self { schema, ..Self::default() })
    }

    fn record(&self, what: &str, value: &Value) {
        self.calls.lock().expect("not poisoned").push((what.to_string(), value.clone()));
    }

    fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().expect("not poisoned").clone()
    }
}

#[async_trait]
impl Provider for Fake {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        self.record("validate_provider_config", config);
        Diagnostics::new()
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        self.record("configure", config);
        Diagnostic::warning("Configured", "for the test").into()
    }

    fn data_source_schema(&self, type_name: &str) -> Result<&Schema, Diagnostic> {
        self.schema.data_sources.get(type_name).ok_or_else(|| {
            let known: Vec<&str> = self.schema.data_sources.keys().map(String::as_str).collect();
            let detail = format!("no \"{type_name}\"; it offers: {}.", known.join(", "));
            Diagnostic::error("Unknown data source", detail)
        })
    }

    fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        self.record(type_name, config);
        Diagnostics::new()
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadOutcome {
        self.record(type_name, config);
        if type_name == "fake_slow" {
            self.read_started.notify_one();
            cancel.cancelled().await;
            return ReadOutcome::failed(Diagnostic::error("Interrupted", "stopped"));
        }
        let name = config.get_attr("name").cloned().unwrap_or(Value::Null);
        let state = Value::object([("name", name), ("id", Value::from("id-1"))]);
        ReadOutcome { state: Some(state.into()), ..ReadOutcome::default() }
    }

    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        self.record(name, &Value::Tuple(arguments.to_vec()));
        arguments
            .first()
            .cloned()
            .ok_or(FunctionError { text: "no argument".into(), argument: None })
    }
}

fn service(fake: &Arc<Fake>) -> ProviderService {
    ProviderService::new(fake.clone())
}

/// msgpack `{"name": "web"}` plus `"id": nil`, as Terraform encodes a data source config.
fn thing_config() -> Option<proto::DynamicValue> {
    let bytes = [&[0x82, 0xa4][..], b"name", &[0xa3], b"web", &[0xa2], b"id", &[0xc0]].concat();
    Some(proto::DynamicValue { msgpack: bytes, json: Vec::new() })
}

fn garbage() -> Option<proto::DynamicValue> {
    Some(proto::DynamicValue { msgpack: vec![0xc1], json: Vec::new() })
}

fn only_error(diagnostics: &[proto::Diagnostic]) -> &proto::Diagnostic {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].severity, proto::diagnostic::Severity::Error as i32);
    &diagnostics[0]
}

#[tokio::test]
async fn schema_lists_everything_and_makes_itself_optional() {
    let fake = Fake::new();
    let reply = service(&fake)
        .get_provider_schema(Request::new(proto::get_provider_schema::Request {}))
        .await
        .expect("never a status")
        .into_inner();
    let provider = reply.provider.and_then(|p| p.block).expect("a provider block");
    assert_eq!(provider.attributes[0].name, "region");
    // Protobuf maps have no order.
    let mut data_sources: Vec<_> = reply.data_source_schemas.keys().cloned().collect();
    data_sources.sort();
    assert_eq!(data_sources, ["fake_slow", "fake_things"]);
    assert!(reply.data_source_schemas.values().all(|s| s.block.is_some()));
    assert_eq!(reply.functions.keys().collect::<Vec<_>>(), ["echo"]);
    assert!(reply.resource_schemas.is_empty() && reply.ephemeral_resource_schemas.is_empty());
    let capabilities = reply.server_capabilities.expect("capabilities are sent");
    assert!(capabilities.get_provider_schema_optional);
    assert!(reply.diagnostics.is_empty());
}

#[tokio::test]
async fn metadata_and_functions_name_what_the_schema_has() {
    let fake = Fake::new();
    let service = service(&fake);
    let metadata = service
        .get_metadata(Request::new(proto::get_metadata::Request {}))
        .await
        .expect("never a status")
        .into_inner();
    let names: Vec<_> = metadata.data_sources.iter().map(|d| d.type_name.as_str()).collect();
    assert_eq!(names, ["fake_slow", "fake_things"]);
    assert_eq!(metadata.functions.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["echo"]);
    assert!(metadata.resources.is_empty() && metadata.ephemeral_resources.is_empty());
    assert!(metadata.server_capabilities.is_some_and(|c| c.get_provider_schema_optional));
    let functions = service
        .get_functions(Request::new(proto::get_functions::Request {}))
        .await
        .expect("never a status")
        .into_inner();
    let echo = functions.functions.get("echo").expect("echo is listed");
    assert_eq!(echo.parameters[0].name, "text");
}

#[tokio::test]
async fn unknown_data_source_is_an_error_naming_the_known_ones() {
    let fake = Fake::new();
    let service = service(&fake);
    let validate = service
        .validate_data_resource_config(Request::new(
            proto::validate_data_resource_config::Request {
                type_name: "fake_nothing".into(),
                config: thing_config(),
            },
        ))
        .await
        .expect("never a status")
        .into_inner();
    let read = service
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "fake_nothing".into(),
            config: thing_config(),
            ..Default::default()
        }))
        .await
        .expect("never a status")
        .into_inner();
    assert!(read.state.is_none());
    for diagnostics in [&validate.diagnostics, &read.diagnostics] {
        let error = only_error(diagnostics);
        assert!(error.detail.contains("\"fake_nothing\""), "{}", error.detail);
        assert!(error.detail.contains("fake_slow, fake_things"), "{}", error.detail);
    }
    assert!(fake.calls().is_empty(), "the provider is not called");
}

#[tokio::test]
async fn undecodable_values_are_error_diagnostics_and_never_reach_the_provider() {
    let fake = Fake::new();
    let service = service(&fake);
    let mut found = Vec::new();
    let validate_provider = service
        .validate_provider_config(Request::new(proto::validate_provider_config::Request {
            config: garbage(),
        }))
        .await;
    found.push(validate_provider.expect("never a status").into_inner().diagnostics);
    let configure = service
        .configure_provider(Request::new(proto::configure_provider::Request {
            config: garbage(),
            ..Default::default()
        }))
        .await;
    found.push(configure.expect("never a status").into_inner().diagnostics);
    let validate = service
        .validate_data_resource_config(Request::new(
            proto::validate_data_resource_config::Request {
                type_name: "fake_things".into(),
                config: garbage(),
            },
        ))
        .await;
    found.push(validate.expect("never a status").into_inner().diagnostics);
    let read = service
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "fake_things".into(),
            config: None,
            ..Default::default()
        }))
        .await;
    found.push(read.expect("never a status").into_inner().diagnostics);
    for diagnostics in &found {
        assert!(only_error(diagnostics).summary.starts_with("Invalid "), "{diagnostics:?}");
    }
    assert!(fake.calls().is_empty(), "the provider is not called");
}

#[tokio::test]
async fn resource_and_ephemeral_rpcs_answer_with_an_error_naming_the_type() {
    let fake = Fake::new();
    let service = service(&fake);
    let t = || "qcloud_instance".to_string();
    let replies = [
        (
            "resources",
            service
                .validate_resource_config(Request::new(proto::validate_resource_config::Request {
                    type_name: t(),
                    config: None,
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "resources",
            service
                .upgrade_resource_state(Request::new(proto::upgrade_resource_state::Request {
                    type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "resources",
            service
                .read_resource(Request::new(proto::read_resource::Request {
                    type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "resources",
            service
                .plan_resource_change(Request::new(proto::plan_resource_change::Request {
                    type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "resources",
            service
                .apply_resource_change(Request::new(proto::apply_resource_change::Request {
                    type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "resources",
            service
                .import_resource_state(Request::new(proto::import_resource_state::Request {
                    type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "resources",
            service
                .move_resource_state(Request::new(proto::move_resource_state::Request {
                    target_type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "ephemeral resources",
            service
                .validate_ephemeral_resource_config(Request::new(
                    proto::validate_ephemeral_resource_config::Request {
                        type_name: t(),
                        config: None,
                    },
                ))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "ephemeral resources",
            service
                .open_ephemeral_resource(Request::new(proto::open_ephemeral_resource::Request {
                    type_name: t(),
                    ..Default::default()
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "ephemeral resources",
            service
                .renew_ephemeral_resource(Request::new(proto::renew_ephemeral_resource::Request {
                    type_name: t(),
                    private: None,
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
        (
            "ephemeral resources",
            service
                .close_ephemeral_resource(Request::new(proto::close_ephemeral_resource::Request {
                    type_name: t(),
                    private: None,
                }))
                .await
                .map(|r| r.into_inner().diagnostics),
        ),
    ];
    for (kind, reply) in replies {
        let diagnostics = reply.expect("never a status");
        let error = only_error(&diagnostics);
        assert_eq!(error.summary, format!("This provider has no {kind}"));
        assert!(error.detail.contains("\"qcloud_instance\""), "{}", error.detail);
        assert!(error.detail.contains("fake_slow, fake_things"), "{}", error.detail);
    }
}

async fn call(
    service: &ProviderService,
    name: &str,
    arguments: Vec<proto::DynamicValue>,
) -> proto::call_function::Response {
    service
        .call_function(Request::new(proto::call_function::Request { name: name.into(), arguments }))
        .await
        .expect("never a status")
        .into_inner()
}

#[tokio::test]
async fn function_failures_are_function_errors() {
    let fake = Fake::new();
    let service = service(&fake);
    let unknown = call(&service, "nope", Vec::new()).await;
    let error = unknown.error.expect("an unknown function fails");
    assert!(unknown.result.is_none());
    assert!(error.text.contains("\"nope\"") && error.function_argument.is_none(), "{error:?}");

    let garbage = garbage().expect("a value");
    let undecodable = call(&service, "echo", vec![garbage.clone()]).await;
    let error = undecodable.error.expect("an undecodable argument fails");
    assert_eq!(error.function_argument, Some(0));

    let too_many = call(&service, "echo", vec![garbage.clone(), garbage]).await;
    let error = too_many.error.expect("too many arguments fail");
    assert!(error.function_argument.is_some());
    assert!(fake.calls().is_empty(), "the provider is not called");
}

#[test]
fn read_state_must_be_present_and_wholly_known() {
    let ty = Type::object([("id", Type::String)]);
    let mut no_errors = Diagnostics::new();
    assert!(ProviderService::read_state(None, &ty, &mut no_errors).is_none());
    assert!(no_errors.has_errors(), "a read with neither state nor error is a bug");

    let mut failed: Diagnostics = Diagnostic::error("Lookup failed", "because").into();
    assert!(ProviderService::read_state(None, &ty, &mut failed).is_none());
    assert_eq!(failed.0.len(), 1, "the read's own error is enough");

    let mut unknown = Diagnostics::new();
    let state = Value::object([("id", Value::Unknown)]);
    assert!(ProviderService::read_state(Some(state.into()), &ty, &mut unknown).is_none());
    assert_eq!(unknown.0[0].severity, Severity::Error);
    assert!(unknown.0[0].detail.contains("unknown"));
}

#[test]
fn a_state_the_data_source_encoded_is_passed_on_unchanged() {
    let ty = Type::object([("id", Type::String)]);
    let bytes = encode_msgpack(&Value::object([("id", "x".into())]), &ty).expect("encodes");
    let mut diagnostics = Diagnostics::new();
    let state =
        ProviderService::read_state(Some(State::Msgpack(bytes.clone())), &ty, &mut diagnostics);
    assert_eq!(state.map(|s| s.msgpack), Some(bytes));
    assert!(diagnostics.is_empty());
}

// The tests below decode and encode real values, so they rely on the cty msgpack codec.

#[tokio::test]
async fn configs_reach_the_provider_decoded() {
    let fake = Fake::new();
    let service = service(&fake);
    // {"region": "ap-guangzhou"}
    let region = [&[0x81, 0xa6][..], b"region", &[0xac], b"ap-guangzhou"].concat();
    let config = || Some(proto::DynamicValue { msgpack: region.clone(), json: Vec::new() });
    let validate = service
        .validate_provider_config(Request::new(proto::validate_provider_config::Request {
            config: config(),
        }))
        .await
        .expect("never a status")
        .into_inner();
    assert!(validate.diagnostics.is_empty(), "{:?}", validate.diagnostics);
    let configure = service
        .configure_provider(Request::new(proto::configure_provider::Request {
            config: config(),
            ..Default::default()
        }))
        .await
        .expect("never a status")
        .into_inner();
    let warning = &configure.diagnostics[0];
    assert_eq!(warning.severity, proto::diagnostic::Severity::Warning as i32);
    let expected = Value::object([("region", Value::from("ap-guangzhou"))]);
    let calls = fake.calls();
    assert_eq!(calls[0], ("validate_provider_config".to_string(), expected.clone()));
    assert_eq!(calls[1], ("configure".to_string(), expected));
}

#[tokio::test]
async fn read_returns_the_state_as_msgpack() {
    let fake = Fake::new();
    let reply = service(&fake)
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "fake_things".into(),
            config: thing_config(),
            ..Default::default()
        }))
        .await
        .expect("never a status")
        .into_inner();
    assert!(reply.diagnostics.is_empty(), "{:?}", reply.diagnostics);
    let state = reply.state.expect("a successful read has a state");
    // {"id": "id-1", "name": "web"}: every attribute, msgpack, no JSON.
    let expected = [&[0x82, 0xa2][..], b"id", &[0xa4], b"id-1", &[0xa4], b"name", &[0xa3], b"web"];
    assert_eq!(state.msgpack, expected.concat());
    assert!(state.json.is_empty());
}

#[tokio::test]
async fn stop_provider_cancels_reads_in_flight() {
    let fake = Fake::new();
    let service = Arc::new(service(&fake));
    let mut reading = tokio::spawn({
        let service = service.clone();
        async move {
            let request = proto::read_data_source::Request {
                type_name: "fake_slow".into(),
                config: thing_config(),
                ..Default::default()
            };
            service.read_data_source(Request::new(request)).await
        }
    });
    tokio::select! {
        () = fake.read_started.notified() => {}
        ended = &mut reading => panic!("the read ended without waiting: {ended:?}"),
    }
    service
        .stop_provider(Request::new(proto::stop_provider::Request {}))
        .await
        .expect("never a status");
    let reply = reading.await.expect("the read task ends").expect("never a status").into_inner();
    assert_eq!(only_error(&reply.diagnostics).summary, "Interrupted");
    // Later reads get a fresh token and complete.
    let later = service
        .read_data_source(Request::new(proto::read_data_source::Request {
            type_name: "fake_things".into(),
            config: thing_config(),
            ..Default::default()
        }))
        .await
        .expect("never a status")
        .into_inner();
    assert!(later.state.is_some(), "{:?}", later.diagnostics);
}

#[tokio::test]
async fn function_results_come_back_as_msgpack() {
    let fake = Fake::new();
    let service = service(&fake);
    let hello = proto::DynamicValue { msgpack: [&[0xa5][..], b"hello"].concat(), json: Vec::new() };
    let reply = call(&service, "echo", vec![hello.clone()]).await;
    assert!(reply.error.is_none(), "{:?}", reply.error);
    assert_eq!(reply.result, Some(hello));
}
