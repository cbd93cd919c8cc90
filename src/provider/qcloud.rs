//! The qcloud provider: the provider block, configuration and dispatch to the data source and
//! functions. (Skeleton: owned by the data source work.)

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{FunctionError, Provider, ProviderSchema, ReadOutcome};
use crate::cty::Value;
use crate::diag::{Diagnostic, Diagnostics};

/// The qcloud provider.
#[derive(Debug, Default)]
pub struct QcloudProvider {
    schema: ProviderSchema,
}

impl QcloudProvider {
    /// A provider that is not configured yet.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Provider for QcloudProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    fn validate_provider_config(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn configure(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    fn validate_data_source(&self, _type_name: &str, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        _config: &Value,
        _cancel: CancellationToken,
    ) -> ReadOutcome {
        ReadOutcome {
            state: None,
            diagnostics: Diagnostic::error(
                "Unknown data source",
                format!("{type_name} is not implemented yet"),
            )
            .into(),
        }
    }

    fn call_function(&self, name: &str, _arguments: &[Value]) -> Result<Value, FunctionError> {
        Err(FunctionError { text: format!("unknown function {name}"), argument: None })
    }
}
