//! The read flow: validated lookup → plan → listings (concurrently) → selection → output file
//! → state.
//!
//! - [`plan`](mod@plan): what the lookup asks the API, checked against the API version.
//! - [`messages`]: what the read says when it gives less than asked, or nothing.

mod messages;
pub mod plan;

use std::path::PathBuf;

use futures_util::future::try_join_all;
use tokio_util::sync::CancellationToken;

use super::config::Lookup;
use super::output_file::write_images;
use super::query_id::query_id;
use super::schema::attr;
use super::select::select;
use super::state::encode_state;
use crate::cty::{AttributePath, Value};
use crate::data_sources::image_object::image_value;
use crate::data_sources::timeouts::DEFAULT_READ;
use crate::data_sources::{ReadContext, ReadOutcome, State};
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::call::Budget;
use messages::{Found, listing_failed, missing_ids, no_match, state_failed};
use plan::plan;

/// Reads `qcloud_images` for `config`. `cancel` fires when Terraform asks the provider to stop.
pub async fn read(
    config: &Value,
    context: &ReadContext<'_>,
    cancel: &CancellationToken,
) -> ReadOutcome {
    let lookup = match Lookup::from_config(config) {
        Ok(lookup) => lookup,
        Err(diagnostics) => return ReadOutcome::failed(diagnostics),
    };
    let plan = match plan(&lookup, context.region, context.api_version) {
        Ok(plan) => plan,
        Err(diagnostics) => return ReadOutcome::failed(diagnostics),
    };
    let mut diagnostics = plan.warnings.clone();
    let total = lookup.read_timeout.unwrap_or(DEFAULT_READ);
    let budget = Budget::new(cancel.clone(), Some(total));
    let listings = plan.listings.iter().map(|filter| context.api.describe_images(filter, &budget));
    let listed = match try_join_all(listings).await {
        Ok(listed) => listed,
        Err(error) => {
            let failure = listing_failed(&error, context.region, &context.circumstances());
            return failed(diagnostics, failure);
        }
    };
    let all = || listed.iter().flat_map(|images| images.iter());
    if let Some(warning) = missing_ids(&lookup, all(), context.region) {
        diagnostics.push(warning);
    }
    let selection = select(all(), &lookup);
    if lookup.most_recent && selection.most_recent.is_none() {
        let found = Found { listed: all().count(), unusable: selection.unusable };
        return failed(diagnostics, no_match(&lookup, &plan, context.region, found));
    }
    if let Some(path) = &lookup.result_output_file {
        let images = Value::List(selection.images.iter().copied().map(image_value).collect());
        if let Err(error) = write_output(path, images, context.home.clone()).await {
            return failed(diagnostics, output_failed(error));
        }
    }
    let state = match encode_state(config, &query_id(context.region, &lookup), &selection) {
        Ok(state) => state,
        Err(error) => return failed(diagnostics, state_failed(&error)),
    };
    let summary = format!("{} image(s)", selection.images.len());
    ReadOutcome { state: Some(State::Msgpack(state)), diagnostics, summary }
}

fn failed(mut diagnostics: Diagnostics, error: Diagnostic) -> ReadOutcome {
    diagnostics.push(error);
    ReadOutcome::failed(diagnostics)
}

async fn write_output(path: &str, images: Value, home: Option<PathBuf>) -> Result<(), String> {
    let path = path.to_string();
    let task = tokio::task::spawn_blocking(move || write_images(&path, &images, home.as_deref()));
    match task.await {
        Ok(written) => written.map(|_| ()),
        Err(error) => Err(format!("the write did not finish: {error}")),
    }
}

fn output_failed(error: String) -> Diagnostic {
    Diagnostic::error(
        "Cannot write result_output_file",
        format!("{error}. Choose a path in a writable directory, or remove result_output_file."),
    )
    .at(AttributePath::attr(attr::RESULT_OUTPUT_FILE))
}

#[cfg(test)]
mod tests;
