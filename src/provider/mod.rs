//! The provider contract the gRPC service calls, and the qcloud provider behind it.
//!
//! - [`qcloud`]: the qcloud provider: configuration, dispatch through the data-source
//!   registry, functions.
//! - [`block`]: the provider block's schema and values; [`settings`]: those values, the
//!   environment and the defaults → the API client's settings, in Terraform's words.
//!
//! Must not depend on protobuf.

mod block;
mod qcloud;
pub mod settings;

use std::collections::BTreeMap;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::cty::Value;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::{Function, Schema};

pub use crate::data_sources::{ReadOutcome, State};
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

    /// The schema of data source `type_name`, or the error naming the ones that exist.
    fn data_source_schema(&self, type_name: &str) -> Result<&Schema, Diagnostic>;

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
