//! Data sources: the [`DataSource`] trait each one implements, and the [`Registry`] the
//! provider serves them from. Adding a data source is one folder here and one line in
//! [`Registry::builtin`] (see ARCHITECTURE.md, "Adding a data source").
//!
//! - [`images`](mod@images): `qcloud_images`.
//! - [`image_from_family`](mod@image_from_family): `qcloud_image_from_family`.
//! - [`image_object`]: one image as both data sources show it; [`timeouts`]: the time budget
//!   block every data source takes.
//! - [`api_error`]: how an API failure reads in Terraform's and the environment's words, for
//!   every data source.
//!
//! Must not depend on protobuf, HTTP or the provider module; the API comes in through
//! [`ReadContext`].

pub mod api_error;
pub mod image_from_family;
pub mod image_object;
pub mod images;
pub mod timeouts;

use std::collections::BTreeMap;
use std::path::PathBuf;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::cty::Value;
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::{Api, ApiVersion};
use crate::schema::Schema;

/// What a read needs besides its configuration: the configured API and where it points, and
/// the home directory that `~` in paths stands for.
pub struct ReadContext<'a> {
    /// The configured provider's API; identical calls share one answer.
    pub api: &'a dyn Api,
    /// The configured region.
    pub region: &'a str,
    /// The configured API version.
    pub api_version: ApiVersion,
    pub home: Option<PathBuf>,
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

/// The outcome of a read: the new state (when it succeeded) and any diagnostics.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    /// Wholly known and conforming to the data source schema; `None` on error.
    pub state: Option<State>,
    pub diagnostics: Diagnostics,
    /// What was read, for the log (e.g. `38 image(s)`).
    pub summary: String,
}

impl ReadOutcome {
    /// A failed read: no state, these diagnostics.
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        Self { state: None, diagnostics: diagnostics.into(), summary: "nothing".into() }
    }
}

/// One data source: its type name, schema, offline validation and read.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The type name in configurations, e.g. `qcloud_images`.
    fn type_name(&self) -> &'static str;

    /// Arguments and attributes, with descriptions.
    fn schema(&self) -> Schema;

    /// Checks a configuration offline; values may be unknown (and are then skipped).
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Reads the data source for a wholly known configuration. `cancel` fires when Terraform
    /// asks the provider to stop.
    async fn read(
        &self,
        config: &Value,
        context: &ReadContext<'_>,
        cancel: &CancellationToken,
    ) -> ReadOutcome;
}

/// The data sources a provider serves, by type name.
pub struct Registry {
    by_name: BTreeMap<&'static str, Box<dyn DataSource>>,
}

impl Registry {
    /// A registry of `sources`.
    pub fn new(sources: Vec<Box<dyn DataSource>>) -> Self {
        Self { by_name: sources.into_iter().map(|s| (s.type_name(), s)).collect() }
    }

    /// Every data source of this provider: register a new one here.
    pub fn builtin() -> Self {
        Self::new(vec![Box::new(images::Images), Box::new(image_from_family::ImageFromFamily)])
    }

    /// The data source named `type_name`, or the one error for a type this provider lacks.
    pub fn get(&self, type_name: &str) -> Result<&dyn DataSource, Diagnostic> {
        self.by_name.get(type_name).map(|source| &**source).ok_or_else(|| {
            let offered: Vec<&str> = self.by_name.keys().copied().collect();
            Diagnostic::error(
                "Unknown data source",
                format!(
                    "This provider has no data source named \"{type_name}\". It offers: {}.",
                    if offered.is_empty() { "none".to_string() } else { offered.join(", ") }
                ),
            )
        })
    }

    /// Every schema, by type name.
    pub fn schemas(&self) -> BTreeMap<String, Schema> {
        self.by_name.iter().map(|(name, source)| (name.to_string(), source.schema())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_registry_serves_each_data_source_by_its_name() {
        let registry = Registry::builtin();
        let source = registry.get("qcloud_images").expect("registered");
        assert_eq!(source.type_name(), "qcloud_images");
        let names = ["qcloud_image_from_family", "qcloud_images"];
        assert_eq!(registry.schemas().keys().collect::<Vec<_>>(), names);
    }

    #[test]
    fn an_unknown_type_names_the_ones_offered() {
        let registry = Registry::builtin();
        let Err(error) = registry.get("qcloud_instances") else { panic!("not registered") };
        assert_eq!(error.summary, "Unknown data source");
        assert!(error.detail.contains("\"qcloud_instances\""), "{}", error.detail);
        let offered = "It offers: qcloud_image_from_family, qcloud_images.";
        assert!(error.detail.contains(offered), "{}", error.detail);
        let Err(error) = Registry::new(Vec::new()).get("x") else { panic!("empty") };
        assert!(error.detail.contains("It offers: none."), "{}", error.detail);
    }
}
