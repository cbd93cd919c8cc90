//! The read flow: validated lookup → warnings → listing → selection → output file → state.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::config::{Lookup, quoted};
use super::output_file::write_images;
use super::query_id::query_id;
use super::schema::attr;
use super::select::select;
use super::state::{encode_state, image_object};
use crate::arguments::{SECRET_ID, SECRET_KEY, SECURITY_TOKEN};
use crate::cty::{AttributePath, Value};
use crate::data_sources::api_error::describe;
use crate::data_sources::{ReadContext, ReadOutcome, State};
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::Error;
use crate::qcloud::images::{ImageType, image_status_name};

/// Reads `qcloud_images` for `config`. `cancel` fires when Terraform asks the provider to stop.
pub async fn read(
    config: &Value,
    context: &ReadContext<'_>,
    cancel: &CancellationToken,
) -> ReadOutcome {
    let query = match Lookup::from_config(config) {
        Ok(query) => query,
        Err(diagnostics) => return ReadOutcome::failed(diagnostics),
    };
    let diagnostics = warnings(&query, context.region);
    let listed = if marketplace_unavailable(&query, context.region) {
        Arc::new(Vec::new())
    } else {
        match context.api.describe_images(&query.filter(), cancel).await {
            Ok(listed) => listed,
            Err(error) => return failed(diagnostics, listing_failed(&error, context.region)),
        }
    };
    let selection = select(&listed, &query);
    if query.most_recent && selection.most_recent.is_none() {
        return failed(diagnostics, no_match(&query, context.region, listed.len()));
    }
    if let Some(path) = &query.result_output_file {
        let images = Value::List(selection.images.iter().copied().map(image_object).collect());
        if let Err(error) = write_output(path, images, context.home.clone()).await {
            return failed(diagnostics, output_failed(error));
        }
    }
    let state = match encode_state(config, &query_id(context.region, &query), &selection) {
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

/// The state did not fit the schema: a bug, never the user's input.
fn state_failed(error: &crate::cty::CodecError) -> Diagnostic {
    Diagnostic::error(
        "Provider produced an invalid state",
        format!(
            "The qcloud_images state could not be encoded: {error}. This is a bug in the \
             provider; please report it."
        ),
    )
}

/// Marketplace images are not offered in North America (`na-*` regions).
fn marketplace_unavailable(query: &Lookup, region: &str) -> bool {
    query.image_type == ImageType::Marketplace && region.starts_with("na-")
}

/// The warnings a query earns before anything is listed.
fn warnings(query: &Lookup, region: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    if marketplace_unavailable(query, region) {
        diagnostics.push(
            Diagnostic::warning(
                format!("Marketplace images are not offered in {region}"),
                "Tencent Cloud does not offer marketplace images in North America regions \
                 (na-*), so this lookup returns no images and makes no API call. Use public or \
                 private images there, or a region outside North America.",
            )
            .at(AttributePath::attr(attr::IMAGE_TYPE)),
        );
    }
    let others_publish = matches!(query.image_type, ImageType::Shared | ImageType::Marketplace);
    if query.most_recent && others_publish && query.image_ids.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                "most_recent may pick an image someone else published",
                format!(
                    "image_type = {} lists images that other accounts publish. With \
                     most_recent = true and no image_ids, a newer image from any of them that \
                     matches the filters would be picked on the next plan, and everything built \
                     from it would follow. Pin image_ids to the images you trust.",
                    query.image_type.name()
                ),
            )
            .at(AttributePath::attr(attr::MOST_RECENT)),
        );
    }
    diagnostics
}

fn listing_failed(error: &Error, region: &str) -> Diagnostic {
    match error {
        Error::Cancelled => Diagnostic::error(
            "Image listing cancelled",
            "Terraform asked the provider to stop (for example after Ctrl-C) before \
             DescribeImages finished, so nothing was read.",
        ),
        Error::MissingCredentials => Diagnostic::error(
            "Missing Tencent Cloud credentials",
            format!(
                "Listing images needs API credentials. Set {} and {} in the provider \"qcloud\" \
                 block, or the environment variables {} and {} ({} and {} are read too). \
                 Temporary credentials also need {} or {}.",
                SECRET_ID.name,
                SECRET_KEY.name,
                SECRET_ID.env[0],
                SECRET_KEY.env[0],
                SECRET_ID.env[1],
                SECRET_KEY.env[1],
                SECURITY_TOKEN.name,
                SECURITY_TOKEN.main_env()
            ),
        ),
        error => Diagnostic::error(
            "Could not list images",
            format!("DescribeImages failed in region {region}: {}", describe(error)),
        ),
    }
}

/// The `most_recent` error: every effective criterion, and what the API returned.
fn no_match(query: &Lookup, region: &str, listed: usize) -> Diagnostic {
    let quoted = |text: Option<&str>| text.map_or("not set".to_string(), quoted);
    let code = query.image_type.code();
    let status = query.status.map_or("any".to_string(), |s| {
        format!("{} ({})", image_status_name(i64::from(s.code())), s.code())
    });
    let ids = if query.image_ids.is_empty() { "any".into() } else { query.image_ids.join(", ") };
    let api = if marketplace_unavailable(query, region) {
        format!("No API call was made: marketplace images are not offered in {region}.")
    } else {
        format!("The API returned {listed} image(s) before name_regex and os_name were applied.")
    };
    Diagnostic::error(
        "No image matches the query",
        format!(
            "most_recent = true needs at least one matching image, but none matched:\n\
             \x20 region:     {region}\n\
             \x20 image_type: {} ({code})\n\
             \x20 status:     {status}\n\
             \x20 image_ids:  {ids}\n\
             \x20 name_regex: {}\n\
             \x20 os_name:    {}\n\
             {api}\n\
             Loosen the criteria, or set most_recent = false to accept an empty result.",
            query.image_type.name(),
            quoted(query.name_regex.as_ref().map(regex::Regex::as_str)),
            quoted(query.os_name.as_deref()),
        ),
    )
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
