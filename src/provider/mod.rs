//! The provider contract the gRPC service calls, and the qcloud provider behind it.

mod qcloud;

use std::collections::BTreeMap;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::cty::Value;
use crate::diag::Diagnostics;
use crate::schema::{Function, Schema};

pub use qcloud::QcloudProvider;

/// Every schema the provider serves.
#[derive(Debug, Clone, Default)]
pub struct ProviderSchema {
    /// The provider block.
    pub provider: Schema,
    /// Data sources by type name (`qcloud_images`).
    pub data_sources: BTreeMap<String, Schema>,
    /// Provider-defined functions by name (`public_image_id`).
    pub functions: BTreeMap<String, Function>,
}

/// The outcome of a data source read: the new state (when it succeeded) and any diagnostics.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    /// Wholly known and conforming to the data source schema; `None` on error.
    pub state: Option<State>,
    pub diagnostics: Diagnostics,
}

/// A data source's state as a read produced it.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// A value, which the protocol layer encodes with the data source's type.
    Value(Value),
    /// Already msgpack of the data source's type: a large state written piece by piece, so it
    /// never exists as one value.
    Msgpack(Vec<u8>),
}

impl From<Value> for State {
    fn from(value: Value) -> Self {
        State::Value(value)
    }
}

/// A failed function call: the message, and the argument it is about (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<i64>,
}

/// What a Terraform provider does, free of protocol details.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider, data source and function schemas.
    fn schema(&self) -> &ProviderSchema;

    /// Checks the provider block offline. Values may be unknown.
    fn validate_provider_config(&self, config: &Value) -> Diagnostics;

    /// Configures the provider; may be called more than once (debug mode).
    async fn configure(&self, config: &Value) -> Diagnostics;

    /// Checks a data source block offline. Values may be unknown.
    fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics;

    /// Reads a data source. `cancel` fires when Terraform sends StopProvider.
    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadOutcome;

    /// Calls a provider-defined function. Works without configuration.
    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError>;
}
