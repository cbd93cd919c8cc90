//! The `qcloud_images` data source: look up machine images, filter them on the client, order
//! them deterministically, pick the newest.
//!
//! # Layout
//! - [`schema`](mod@schema): arguments and attributes with their descriptions.
//! - [`config`]: config object → validated [`Lookup`], in two stages, offline.
//! - [`select`]: filters, total order, `max_results`, the `most_recent` pick. Pure.
//! - [`state`]: selection → state, written to msgpack one image at a time; [`create_time`]:
//!   the API's time format.
//! - [`query_id`]: the stable `id`; [`output_file`]: `result_output_file`.
//! - [`read`](mod@read): the read flow tying them together.
//!
//! Must not depend on protobuf, HTTP or the provider module; images come through the
//! [`ReadContext`]'s API.

pub mod config;
pub mod create_time;
pub mod output_file;
pub mod query_id;
pub mod read;
pub mod schema;
pub mod select;
pub mod state;

#[cfg(test)]
mod test_support;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::{DataSource, ReadContext, ReadOutcome};
use crate::cty::Value;
use crate::diag::Diagnostics;
use crate::schema::Schema;
pub use config::{Lookup, validate};

/// The data source's type name in Terraform configurations.
pub const TYPE_NAME: &str = "qcloud_images";

/// `qcloud_images`.
pub struct Images;

#[async_trait]
impl DataSource for Images {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    async fn read(
        &self,
        config: &Value,
        context: &ReadContext<'_>,
        cancel: &CancellationToken,
    ) -> ReadOutcome {
        read::read(config, context, cancel).await
    }
}
