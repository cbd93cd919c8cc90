//! The qcloud provider: the provider block, configuration, and dispatch to the `qcloud_images`
//! data source and the pinned-image functions.
//!
//! Each configuration gets its own [`SharedListings`], so identical queries in one plan are
//! listed once and a new configuration starts afresh. Must not depend on protobuf.

mod block;
mod client_source;

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{FunctionError, Provider, ProviderSchema, ReadOutcome, State};
use crate::cty::Value;
use crate::data_sources::images::{self, ImageSource, ReadContext, SharedListings};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::functions;
use crate::qcloud::{RawSettings, SettingError, Settings};
use block::{Stage, raw_settings, setting_diagnostic};
use client_source::ClientSource;

/// Looks an environment variable up.
pub(crate) type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;
/// Resolves raw settings against an environment lookup (normally [`Settings::resolve`]).
pub(crate) type Resolver = Arc<
    dyn Fn(RawSettings, &dyn Fn(&str) -> Option<String>) -> Result<Settings, Vec<SettingError>>
        + Send
        + Sync,
>;
/// Builds the image source of a configured provider (normally the API client).
pub(crate) type Connector =
    Arc<dyn Fn(Settings) -> Result<Arc<dyn ImageSource>, String> + Send + Sync>;

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
            resolve: Arc::new(|raw, env| Settings::resolve(raw, env)),
            connect: Arc::new(|settings| {
                Ok(Arc::new(ClientSource::connect(settings)?) as Arc<dyn ImageSource>)
            }),
        }
    }
}

/// A configured provider: its region and its listings.
struct Configured {
    region: String,
    listings: SharedListings,
}

/// The qcloud provider.
pub struct QcloudProvider {
    schema: ProviderSchema,
    backend: Backend,
    configured: RwLock<Option<Arc<Configured>>>,
}

impl QcloudProvider {
    /// A provider that is not configured yet, using the process environment and the real API.
    pub fn new() -> Self {
        Self::with_backend(Backend::real())
    }

    /// A provider that reaches the outside through `backend`.
    pub(crate) fn with_backend(backend: Backend) -> Self {
        let schema = ProviderSchema {
            provider: block::schema(),
            data_sources: [(images::TYPE_NAME.to_string(), images::schema())].into(),
            functions: functions::definitions(),
        };
        Self { schema, backend, configured: RwLock::new(None) }
    }

    fn configured(&self) -> Option<Arc<Configured>> {
        self.configured.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_configured(&self, configured: Option<Configured>) {
        *self.configured.write().unwrap_or_else(PoisonError::into_inner) = configured.map(Arc::new);
    }

    /// Resolves and connects, or says why not.
    fn connect(&self, config: &Value) -> Result<Configured, Diagnostics> {
        let (raw, _, diagnostics) = raw_settings(config, Stage::Configure);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let env = &*self.backend.env;
        let settings = (self.backend.resolve)(raw, env)
            .map_err(|errors| Diagnostics(errors.iter().map(setting_diagnostic).collect()))?;
        let region = settings.region.clone();
        log::debug!(
            "configuring: region {region}, endpoint host {}, signature method {:?}, credentials \
             {}, security token {}",
            crate::qcloud::settings::parse_endpoint(&settings.endpoint)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .unwrap_or_default(),
            settings.signature_method,
            if settings.credentials.is_some() { "set" } else { "not set" },
            match &settings.credentials {
                Some(c) if c.security_token.is_some() => "set",
                _ => "not set",
            }
        );
        log::trace!(
            "client limits: max_retries {}, request_timeout {:?}, requests_per_second {}, \
             page_concurrency {}",
            settings.max_retries,
            settings.request_timeout,
            settings.requests_per_second,
            settings.page_concurrency
        );
        let source = (self.backend.connect)(settings).map_err(|error| {
            Diagnostics::from(Diagnostic::error(
                "Cannot create the Tencent Cloud API client",
                format!("{error}. Check the provider settings, endpoint in particular."),
            ))
        })?;
        Ok(Configured { region, listings: SharedListings::new(source) })
    }
}

impl Default for QcloudProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for QcloudProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let region = self.configured().map(|c| c.region.clone());
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
        if let Err(errors) = (self.backend.resolve)(raw, &*self.backend.env) {
            let own = errors.iter().filter(|error| set.contains(&error.setting));
            diagnostics.0.extend(own.map(setting_diagnostic));
        }
        diagnostics
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        // A new configuration never reuses the listings of the old one.
        self.set_configured(None);
        match self.connect(config) {
            Ok(configured) => {
                self.set_configured(Some(configured));
                Diagnostics::new()
            }
            Err(diagnostics) => diagnostics,
        }
    }

    fn validate_data_source(&self, type_name: &str, config: &Value) -> Diagnostics {
        if type_name != images::TYPE_NAME {
            return unknown_data_source(type_name).into();
        }
        images::validate(config)
    }

    async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
        cancel: CancellationToken,
    ) -> ReadOutcome {
        if type_name != images::TYPE_NAME {
            return ReadOutcome { state: None, diagnostics: unknown_data_source(type_name).into() };
        }
        let Some(configured) = self.configured() else {
            let diagnostic = Diagnostic::error(
                "Provider not configured",
                "The qcloud provider was not configured before this read (or its configuration \
                 failed); fix the errors reported for the provider block.",
            );
            return ReadOutcome { state: None, diagnostics: diagnostic.into() };
        };
        let context = ReadContext {
            region: &configured.region,
            source: &configured.listings,
            home: (self.backend.env)("HOME").filter(|h| !h.is_empty()).map(PathBuf::from),
        };
        let started = std::time::Instant::now();
        let result = images::read(config, &context, &cancel).await;
        log::debug!(
            "read of {type_name} done in {:?}: {} image(s), {} error(s), {} warning(s)",
            started.elapsed(),
            result.image_count,
            result.diagnostics.0.iter().filter(|d| d.severity == Severity::Error).count(),
            result.diagnostics.0.iter().filter(|d| d.severity == Severity::Warning).count()
        );
        for diagnostic in &result.diagnostics.0 {
            log::trace!("read of {type_name}: {:?}: {}", diagnostic.severity, diagnostic.summary);
        }
        ReadOutcome { state: result.state.map(State::Msgpack), diagnostics: result.diagnostics }
    }

    fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        functions::call(name, arguments)
            .map_err(|error| FunctionError { text: error.text, argument: error.argument })
    }
}

fn unknown_data_source(type_name: &str) -> Diagnostic {
    Diagnostic::error(
        "Unknown data source",
        format!("The qcloud provider has no data source {type_name:?}; it offers qcloud_images."),
    )
}

#[cfg(test)]
mod tests;
