//! The `tfplugin6.Provider` gRPC service: each handler decodes the request, calls the
//! [`Provider`], and encodes the reply.
//!
//! Every failure reaches Terraform as an error diagnostic (or a `FunctionError`), never as a
//! gRPC status: Terraform turns a status into a generic "plugin did not respond" message.
//! Must not depend on how the service is served (sockets, TLS, process launch).

use std::sync::{Arc, Mutex, PoisonError};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::convert::{decode_dynamic, diagnostics, encode_dynamic};
use super::proto::{self, provider_server};
use crate::cty::{Type, Value};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::{FunctionError, Provider, State};
use crate::schema::{Function, Schema};

type Reply<T> = Result<Response<T>, Status>;

/// The gRPC service in front of one [`Provider`].
pub struct ProviderService {
    provider: Arc<dyn Provider>,
    /// Cancelled by StopProvider, then replaced: every read in flight holds a clone.
    stop: Mutex<CancellationToken>,
}

impl ProviderService {
    /// A service that answers every RPC from `provider`.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Self { provider, stop: Mutex::new(CancellationToken::new()) }
    }

    /// The token the next read observes.
    fn stop_token(&self) -> CancellationToken {
        self.stop.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Cancels every read in flight; later reads get a fresh token.
    fn stop_in_flight(&self) {
        let mut stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *stop).cancel();
    }

    /// The schema of data source `type_name`, or the diagnostic naming the ones that exist.
    fn data_source(&self, type_name: &str) -> Result<&Schema, Diagnostic> {
        self.provider.data_source_schema(type_name)
    }

    /// The error for every resource and ephemeral-resource RPC.
    fn no_resources(&self, kind: &str, type_name: &str) -> Vec<proto::Diagnostic> {
        log::debug!("{kind} RPC received for {type_name}: refused, this provider has none");
        let offered = list_or_none(self.provider.schema().data_sources.keys());
        let diagnostic = Diagnostic::error(
            format!("This provider has no {kind}s"),
            format!(
                "\"{type_name}\" cannot be used as a {kind}: this provider offers only data \
                 sources ({offered}) and provider-defined functions. Use a `data` block instead."
            ),
        );
        diagnostics(&diagnostic.into())
    }

    /// Decodes a configuration for `schema`, then hands it to `check`.
    fn with_config(
        schema: &Schema,
        config: Option<&proto::DynamicValue>,
        what: &str,
        check: impl FnOnce(&Value) -> Diagnostics,
    ) -> Vec<proto::Diagnostic> {
        match decode_dynamic(config, &schema.block.value_type(), what) {
            Ok(config) => diagnostics(&check(&config)),
            Err(diagnostic) => diagnostics(&diagnostic.into()),
        }
    }

    /// Decodes the arguments, calls the function, and encodes its result.
    fn call(
        &self,
        name: &str,
        arguments: &[proto::DynamicValue],
    ) -> Result<proto::DynamicValue, FunctionError> {
        let function = self.provider.schema().functions.get(name).ok_or_else(|| FunctionError {
            text: format!("This provider has no function named \"{name}\"."),
            argument: None,
        })?;
        let values = decode_arguments(name, function, arguments)?;
        let result = self.provider.call_function(name, &values)?;
        encode_dynamic(&result, &function.return_type, "function result")
            .map_err(|diagnostic| FunctionError { text: diagnostic.detail, argument: None })
    }

    /// Encodes a read's state, insisting that it be wholly known as Terraform requires. A state
    /// the data source encoded itself is passed on as it is.
    fn read_state(
        state: Option<State>,
        ty: &Type,
        diagnostics: &mut Diagnostics,
    ) -> Option<proto::DynamicValue> {
        let bug = |detail: &str| Diagnostic::error("Provider produced an invalid state", detail);
        match state {
            None if !diagnostics.has_errors() => {
                diagnostics.push(bug(
                    "The read returned no state and no error. This is a bug in the provider.",
                ));
                None
            }
            None => None,
            Some(State::Value(state)) if !state.is_wholly_known() => {
                diagnostics
                    .push(bug("The read returned unknown values. This is a bug in the provider."));
                None
            }
            Some(State::Value(state)) => encode_dynamic(&state, ty, "data source state")
                .map_err(|diagnostic| diagnostics.push(diagnostic))
                .ok(),
            Some(State::Msgpack(msgpack)) => {
                Some(proto::DynamicValue { msgpack, json: Vec::new() })
            }
        }
    }
}

/// Decodes each argument with the type of its parameter (the variadic one past the end).
fn decode_arguments(
    name: &str,
    function: &Function,
    arguments: &[proto::DynamicValue],
) -> Result<Vec<Value>, FunctionError> {
    let decode = |(index, argument): (usize, &proto::DynamicValue)| {
        let position = Some(i64::try_from(index).unwrap_or(i64::MAX));
        let parameter = function.parameters.get(index).or(function.variadic.as_ref());
        let parameter = parameter.ok_or_else(|| FunctionError {
            text: format!("Too many arguments: \"{name}\" takes {}.", function.parameters.len()),
            argument: position,
        })?;
        let what = format!("argument \"{}\"", parameter.name);
        decode_dynamic(Some(argument), &parameter.ty, &what)
            .map_err(|diagnostic| FunctionError { text: diagnostic.detail, argument: position })
    };
    arguments.iter().enumerate().map(decode).collect()
}

/// `a, b, c`, or `none` for an empty list.
fn list_or_none<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() { "none".to_string() } else { names.join(", ") }
}

fn capabilities() -> proto::ServerCapabilities {
    proto::ServerCapabilities { get_provider_schema_optional: true, ..Default::default() }
}

#[tonic::async_trait]
impl provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _request: Request<proto::get_metadata::Request>,
    ) -> Reply<proto::get_metadata::Response> {
        log::debug!("GetMetadata received");
        use proto::get_metadata::{DataSourceMetadata, FunctionMetadata, Response as Metadata};
        let schema = self.provider.schema();
        Ok(Response::new(Metadata {
            server_capabilities: Some(capabilities()),
            data_sources: (schema.data_sources.keys())
                .map(|name| DataSourceMetadata { type_name: name.clone() })
                .collect(),
            functions: (schema.functions.keys())
                .map(|name| FunctionMetadata { name: name.clone() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<proto::get_provider_schema::Request>,
    ) -> Reply<proto::get_provider_schema::Response> {
        log::debug!("GetProviderSchema received");
        let schema = self.provider.schema();
        Ok(Response::new(proto::get_provider_schema::Response {
            provider: Some((&schema.provider).into()),
            data_source_schemas: (schema.data_sources.iter())
                .map(|(name, schema)| (name.clone(), schema.into()))
                .collect(),
            functions: (schema.functions.iter())
                .map(|(name, function)| (name.clone(), function.into()))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<proto::validate_provider_config::Request>,
    ) -> Reply<proto::validate_provider_config::Response> {
        log::debug!("ValidateProviderConfig received");
        let request = request.into_inner();
        let schema = &self.provider.schema().provider;
        let diagnostics = Self::with_config(
            schema,
            request.config.as_ref(),
            "provider configuration",
            |config| self.provider.validate_provider_config(config),
        );
        log::trace!("ValidateProviderConfig answered with {} diagnostic(s)", diagnostics.len());
        Ok(Response::new(proto::validate_provider_config::Response { diagnostics }))
    }

    async fn configure_provider(
        &self,
        request: Request<proto::configure_provider::Request>,
    ) -> Reply<proto::configure_provider::Response> {
        log::debug!("ConfigureProvider received");
        let request = request.into_inner();
        let ty = self.provider.schema().provider.block.value_type();
        let diagnostics =
            match decode_dynamic(request.config.as_ref(), &ty, "provider configuration") {
                Ok(config) => diagnostics(&self.provider.configure(&config).await),
                Err(diagnostic) => diagnostics(&diagnostic.into()),
            };
        log::trace!("ConfigureProvider answered with {} diagnostic(s)", diagnostics.len());
        Ok(Response::new(proto::configure_provider::Response { diagnostics }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<proto::validate_data_resource_config::Request>,
    ) -> Reply<proto::validate_data_resource_config::Response> {
        let request = request.into_inner();
        log::debug!("ValidateDataResourceConfig received for {}", request.type_name);
        let diagnostics = match self.data_source(&request.type_name) {
            Ok(schema) => Self::with_config(
                schema,
                request.config.as_ref(),
                "data source configuration",
                |c| self.provider.validate_data_source(&request.type_name, c),
            ),
            Err(diagnostic) => diagnostics(&diagnostic.into()),
        };
        log::trace!(
            "ValidateDataResourceConfig for {} answered with {} diagnostic(s)",
            request.type_name,
            diagnostics.len()
        );
        Ok(Response::new(proto::validate_data_resource_config::Response { diagnostics }))
    }

    async fn read_data_source(
        &self,
        request: Request<proto::read_data_source::Request>,
    ) -> Reply<proto::read_data_source::Response> {
        let received = std::time::Instant::now();
        let request = request.into_inner();
        log::debug!("ReadDataSource received for {}", request.type_name);
        let read = async {
            let schema = self.data_source(&request.type_name)?;
            let ty = schema.block.value_type();
            let config = decode_dynamic(request.config.as_ref(), &ty, "data source configuration")?;
            let cancel = self.stop_token();
            let outcome = self.provider.read_data_source(&request.type_name, &config, cancel).await;
            let mut found = outcome.diagnostics;
            let state = Self::read_state(outcome.state, &ty, &mut found);
            Ok::<_, Diagnostic>((state, found))
        };
        let (state, found) = read.await.unwrap_or_else(|diagnostic| (None, diagnostic.into()));
        log::trace!(
            "ReadDataSource for {} answered with {} diagnostic(s) after {:.1} ms",
            request.type_name,
            found.0.len(),
            received.elapsed().as_secs_f64() * 1000.0
        );
        Ok(Response::new(proto::read_data_source::Response {
            state,
            diagnostics: diagnostics(&found),
            deferred: None,
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<proto::get_functions::Request>,
    ) -> Reply<proto::get_functions::Response> {
        log::debug!("GetFunctions received");
        let functions = (self.provider.schema().functions.iter())
            .map(|(name, function)| (name.clone(), function.into()))
            .collect();
        Ok(Response::new(proto::get_functions::Response { functions, diagnostics: Vec::new() }))
    }

    async fn call_function(
        &self,
        request: Request<proto::call_function::Request>,
    ) -> Reply<proto::call_function::Response> {
        let request = request.into_inner();
        log::debug!("CallFunction received for {}", request.name);
        let response = match self.call(&request.name, &request.arguments) {
            Ok(result) => proto::call_function::Response { result: Some(result), error: None },
            Err(error) => {
                log::debug!("CallFunction {} failed: {}", request.name, error.text);
                proto::call_function::Response { result: None, error: Some((&error).into()) }
            }
        };
        Ok(Response::new(response))
    }

    async fn stop_provider(
        &self,
        _request: Request<proto::stop_provider::Request>,
    ) -> Reply<proto::stop_provider::Response> {
        log::debug!("StopProvider received: cancelling reads in flight");
        self.stop_in_flight();
        Ok(Response::new(proto::stop_provider::Response { error: String::new() }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<proto::validate_resource_config::Request>,
    ) -> Reply<proto::validate_resource_config::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().type_name);
        Ok(Response::new(proto::validate_resource_config::Response { diagnostics }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> Reply<proto::upgrade_resource_state::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().type_name);
        Ok(Response::new(proto::upgrade_resource_state::Response {
            diagnostics,
            upgraded_state: None,
        }))
    }

    async fn read_resource(
        &self,
        request: Request<proto::read_resource::Request>,
    ) -> Reply<proto::read_resource::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().type_name);
        Ok(Response::new(proto::read_resource::Response { diagnostics, ..Default::default() }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<proto::plan_resource_change::Request>,
    ) -> Reply<proto::plan_resource_change::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().type_name);
        Ok(Response::new(proto::plan_resource_change::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<proto::apply_resource_change::Request>,
    ) -> Reply<proto::apply_resource_change::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().type_name);
        Ok(Response::new(proto::apply_resource_change::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<proto::import_resource_state::Request>,
    ) -> Reply<proto::import_resource_state::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().type_name);
        Ok(Response::new(proto::import_resource_state::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<proto::move_resource_state::Request>,
    ) -> Reply<proto::move_resource_state::Response> {
        let diagnostics = self.no_resources("resource", &request.get_ref().target_type_name);
        Ok(Response::new(proto::move_resource_state::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<proto::validate_ephemeral_resource_config::Request>,
    ) -> Reply<proto::validate_ephemeral_resource_config::Response> {
        let diagnostics = self.no_resources("ephemeral resource", &request.get_ref().type_name);
        Ok(Response::new(proto::validate_ephemeral_resource_config::Response { diagnostics }))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<proto::open_ephemeral_resource::Request>,
    ) -> Reply<proto::open_ephemeral_resource::Response> {
        let diagnostics = self.no_resources("ephemeral resource", &request.get_ref().type_name);
        Ok(Response::new(proto::open_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<proto::renew_ephemeral_resource::Request>,
    ) -> Reply<proto::renew_ephemeral_resource::Response> {
        let diagnostics = self.no_resources("ephemeral resource", &request.get_ref().type_name);
        Ok(Response::new(proto::renew_ephemeral_resource::Response {
            diagnostics,
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<proto::close_ephemeral_resource::Request>,
    ) -> Reply<proto::close_ephemeral_resource::Response> {
        let diagnostics = self.no_resources("ephemeral resource", &request.get_ref().type_name);
        Ok(Response::new(proto::close_ephemeral_resource::Response { diagnostics }))
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
