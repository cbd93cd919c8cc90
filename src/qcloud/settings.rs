//! Client settings and credentials: provider block values, then environment, then defaults.
//! (Skeleton: the lookup rules and validation are owned by the API client work.)

use std::time::Duration;

use super::SignatureMethod;

/// Settings as written in the provider block; `None` when unset.
#[derive(Clone, Default)]
pub struct RawSettings {
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub security_token: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub signature_method: Option<String>,
    pub max_retries: Option<i64>,
    pub request_timeout: Option<i64>,
    pub requests_per_second: Option<f64>,
    pub page_concurrency: Option<i64>,
}

/// API credentials. Secrets are redacted in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    pub secret_id: String,
    pub secret_key: String,
    pub security_token: Option<String>,
}

/// Validated settings of one configured provider.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `None` until a read needs them: then a clear error names the arguments and variables.
    pub credentials: Option<Credentials>,
    pub region: String,
    pub endpoint: String,
    pub signature_method: SignatureMethod,
    pub max_retries: u32,
    pub request_timeout: Duration,
    pub requests_per_second: f64,
    pub page_concurrency: usize,
}

/// A setting that is invalid, named by its provider-block argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The provider-block argument, e.g. `max_retries`.
    pub setting: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Settings {
    /// Resolves `raw` against the environment (`env` looks a variable up) and the defaults.
    pub fn resolve(
        _raw: RawSettings,
        _env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, Vec<SettingError>> {
        Err(vec![SettingError {
            setting: "region",
            message: "settings are not implemented yet".into(),
        }])
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("security_token", &self.security_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl std::fmt::Debug for RawSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSettings").field("region", &self.region).finish_non_exhaustive()
    }
}
