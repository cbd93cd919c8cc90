//! The qcloud provider: the provider block, configuration, and dispatch through the
//! data-source [`Registry`] and to the pinned-image functions.
//!
//! Each configuration opens its own [`Session`]: its API client behind a [`SharedApi`], so
//! identical calls in one plan are made once and a new configuration starts afresh.
//!
//! Must not depend on protobuf.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::block::{Stage, raw_settings, setting_diagnostic};
use super::settings::{RawSettings, SettingError, resolve};
use super::{FunctionError, Provider, ProviderSchema, ReadOutcome};
use crate::arguments;
use crate::cty::AttributePath;
use crate::cty::Value;
use crate::data_sources::{ReadContext, Registry};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::functions;
use crate::qcloud::regions;
use crate::qcloud::settings::host_as_sent;
use crate::qcloud::{Api, ApiVersion, Client, Settings, SharedApi};
use crate::schema::Schema;

/// Looks an environment variable up.
pub(crate) type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;
/// Resolves raw settings against an environment lookup (normally [`resolve`]).
pub(crate) type Resolver = Arc<
    dyn Fn(RawSettings, &dyn Fn(&str) -> Option<String>) -> Result<Settings, Vec<SettingError>>
        + Send
        + Sync,
>;
/// Builds the API of a configured provider (normally the API client).
pub(crate) type Connector =
    Arc<dyn Fn(Settings) -> Result<Arc<dyn Api>, crate::qcloud::Error> + Send + Sync>;

/// What the provider reaches outside itself through: the real ones, or fakes in tests.
#[derive(Clone)]
pub(crate) struct Backend {
    pub env: EnvLookup,
    pub resolve: Resolver,
    pub connect: Connector,
}

impl Backend {
    /// The process environment, the real settings rules and the real API client.
    fn real() -> Self {
        Self {
            env: Arc::new(|name| std::env::var(name).ok()),
            resolve: Arc::new(|raw, env| resolve(raw, env)),
            connect: Arc::new(|settings| Ok(Arc::new(Client::new(settings)?) as Arc<dyn Api>)),
        }
    }
}

/// A configured provider: where it points, and its API.
struct Session {
    region: String,
    api_version: ApiVersion,
    token_sent: bool,
    api: SharedApi,
}

/// The qcloud provider.
pub struct QcloudProvider {
    schema: ProviderSchema,
    registry: Registry,
    backend: Backend,
    session: RwLock<Option<Arc<Session>>>,
}

impl QcloudProvider {
    /// A provider that is not configured yet, using the process environment and the real API.
    pub fn new() -> Self {
        Self::with_backend(Backend::real())
    }

    /// A provider that reaches the outside through `backend`.
    pub(crate) fn with_backend(backend: Backend) -> Self {
        let registry = Registry::builtin();
        let schema = ProviderSchema {
            provider: super::block::schema(),
            data_sources: registry.schemas(),
            functions: functions::definitions(),
        };
        Self { schema, registry, backend, session: RwLock::new(None) }
    }

    fn session(&self) -> Option<Arc<Session>> {
        self.session.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_session(&self, session: Option<Session>) {
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = session.map(Arc::new);
    }

    /// Resolves and connects, or says why not.
    fn connect(&self, config: &Value) -> Result<Session, Diagnostics> {
        let (raw, _, diagnostics) = raw_settings(config, Stage::Configure);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let env = &*self.backend.env;
        let settings = (self.backend.resolve)(raw, env)
            .map_err(|errors| Diagnostics(errors.iter().map(setting_diagnostic).collect()))?;
        log_settings(&settings);
        let (region, api_version) = (settings.region().to_string(), settings.api_version());
        let token_sent = settings.credentials().is_some_and(|c| c.security_token.is_some());
        let api = (self.backend.connect)(settings).map_err(|error| {
            Diagnostics::from(Diagnostic::error(
                "Cannot create the Tencent Cloud API client",
                format!("{error}. Check the provider settings, endpoint in particular."),
            ))
        })?;
        Ok(Session { region, api_version, token_sent, api: SharedApi::new(api) })
    }
}

/// The configure line (no secret: only whether credentials are set) and the limits.
fn log_settings(settings: &Settings) {
    let credentials = settings.credentials();
    log::debug!(
        "configuring: region {}, endpoint host {}, API version {}, signature method {}, \
         credentials {}, security token {}",
        settings.region(),
        host_as_sent(settings.endpoint()),
        settings.api_version().as_str(),
        match settings.api_version() {
            ApiVersion::V2 => settings.signature_method().as_param(),
            ApiVersion::V3 => "TC3-HMAC-SHA256",
        },
        if credentials.is_some() { "set" } else { "not set" },
        if credentials.is_some_and(|c| c.security_token.is_some()) { "set" } else { "not set" },
    );
    log::trace!(
        "client limits: max_retries {}, request_timeout {} s, requests_per_second {}, \
         page_concurrency {}",
        settings.max_retries(),
        settings.request_timeout().as_secs(),
        settings.requests_per_second(),
        settings.page_concurrency()
    );
}

impl Default for QcloudProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for QcloudProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let region = self.session().map(|s| s.region.clone());
        f.debug_struct("QcloudProvider").field("configured_region", &region).finish()
    }
}

#[async_trait]
impl Provider for QcloudProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let (raw, set, mut diagnostics) = raw_settings(config, Stage::Validate);
        if diagnostics.has_errors() {
            return diagnostics;
        }
        // Only what the block itself sets is judged here; the environment and anything not
        // known yet are judged at configure time.
        let region = raw.region.clone();
        match (self.backend.resolve)(raw, &*self.backend.env) {
            Err(errors) => {
                let own = errors.iter().filter(|error| set.contains(&error.setting));
                diagnostics.0.extend(own.map(setting_diagnostic));
            }
            Ok(_) => diagnostics.0.extend(region.as_deref().and_then(unknown_region)),
        }
        diagnostics
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        // A new configuration never reuses the answers of the old one.
        self.set_session(None);
        match self.connect(config) {
            Ok(session) => {
                let warning = unknown_region(&session.region);
                self.set_session(Some(session));
                Diagnostics(warning.into_iter().collect())
            }
            Err(diagnostics) => diagnostics,
        }
    }

    fn data_source_schema(&self, type_name: &str) -> Result<&Schema, Diagnostic> {
        let source = self.registry.get(type_name)?;
        self.schema.data_sources.get(source.type_name()).ok_or_else(|| {
            Diagnostic::error("Unknown data source", format!("{type_name} has no schema"))
        })
    }

    fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.registry.get(type_name) {
            Ok(source) => source.validate(config),
            Err(unknown) => unknown.into(),
        }
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadOutcome {
        let source = match self.registry.get(type_name) {
            Ok(source) => source,
            Err(unknown) => return ReadOutcome::failed(unknown),
        };
        let Some(session) = self.session() else {
            return ReadOutcome::failed(Diagnostic::error(
                "Provider not configured",
                "The qcloud provider was not configured before this read (or its configuration \
                 failed); fix the errors reported for the provider block.",
            ));
        };
        let context = ReadContext {
            api: &session.api,
            region: &session.region,
            api_version: session.api_version,
            token_sent: session.token_sent,
            home: (self.backend.env)("HOME").filter(|h| !h.is_empty()).map(PathBuf::from),
        };
        let started = std::time::Instant::now();
        let outcome = source.read(config, &context, &cancel).await;
        log_read(type_name, started.elapsed(), &outcome);
        outcome
    }

    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        functions::call(name, arguments)
            .map_err(|error| FunctionError { text: error.text, argument: error.argument })
    }
}

/// A warning for a region this provider does not know: probably a typo, possibly a region newer
/// than the provider, so it is not an error.
fn unknown_region(region: &str) -> Option<Diagnostic> {
    if regions::is_known(region) {
        return None;
    }
    let guess = regions::did_you_mean(region);
    Some(
        Diagnostic::warning(
            format!("Unknown region {region:?}"),
            format!(
                "{region:?} is not a Tencent Cloud region this provider knows.{guess} The known \
                 regions are: {}. If the region is newer than this provider, ignore this \
                 warning; otherwise fix region (or {}).",
                regions::REGIONS.join(", "),
                arguments::REGION.main_env()
            ),
        )
        .at(AttributePath::attr(arguments::REGION.name)),
    )
}

fn log_read(type_name: &str, elapsed: std::time::Duration, outcome: &ReadOutcome) {
    let count = |severity| outcome.diagnostics.0.iter().filter(|d| d.severity == severity).count();
    log::debug!(
        "read of {type_name} done in {elapsed:?}: {}, {} error(s), {} warning(s)",
        outcome.summary,
        count(Severity::Error),
        count(Severity::Warning)
    );
    for diagnostic in &outcome.diagnostics.0 {
        let severity = if diagnostic.severity == Severity::Error { "error" } else { "warning" };
        log::trace!("read of {type_name}: {severity}: {}", diagnostic.summary);
    }
}

#[cfg(test)]
mod tests;
