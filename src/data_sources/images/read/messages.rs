//! What a read tells the user when it cannot give what was asked, or gives less: API
//! failures, no usable match, ids the API did not return, and a state that does not encode.
//!
//! Pure: no API client, no I/O.

use super::plan::Plan;
use crate::arguments::SECURITY_TOKEN;
use crate::cty::AttributePath;
use crate::data_sources::api_error::{Circumstances, describe_in, where_credentials_go};
use crate::data_sources::images::config::{Lookup, quoted};
use crate::data_sources::images::schema::attr;
use crate::diag::Diagnostic;
use crate::qcloud::images::image_status_name;
use crate::qcloud::{ApiErrorKind, Error, Image, regions};

/// How many missing ids a warning names before it only counts the rest.
const MISSING_IDS_SHOWN: usize = 5;

/// What a listing found, for the no-match error.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// Images the API returned (after the filters it could not apply).
    pub listed: usize,
    /// Matching images passed over because they cannot be launched.
    pub unusable: usize,
}

/// A listing that failed for good.
pub fn listing_failed(error: &Error, region: &str, circumstances: &Circumstances) -> Diagnostic {
    match error {
        Error::Cancelled => Diagnostic::error(
            "Image listing cancelled",
            "Terraform asked the provider to stop (for example after Ctrl-C) before \
             DescribeImages finished, so nothing was read.",
        ),
        Error::MissingCredentials => Diagnostic::error(
            "Missing Tencent Cloud credentials",
            format!(
                "Listing images needs API credentials. Set {}. Temporary credentials also need \
                 {} or {}.",
                where_credentials_go(),
                SECURITY_TOKEN.name,
                SECURITY_TOKEN.main_env()
            ),
        ),
        error => Diagnostic::error(
            "Could not list images",
            format!(
                "DescribeImages failed in region {region}: {}{}",
                describe_in(error, circumstances),
                region_suggestion(error, region)
            ),
        ),
    }
}

/// For an API that does not know the region: the known regions closest to it.
fn region_suggestion(error: &Error, region: &str) -> String {
    let unknown = error.api_error().is_some_and(|api| api.kind() == ApiErrorKind::UnknownRegion);
    if unknown { regions::did_you_mean(region) } else { String::new() }
}

/// The ids asked for that the listing did not return, as a warning; `None` when all came.
pub fn missing_ids<'a>(
    lookup: &Lookup,
    listed: impl Iterator<Item = &'a Image>,
    region: &str,
) -> Option<Diagnostic> {
    let wanted = &lookup.filter.image_ids;
    if wanted.is_empty() {
        return None;
    }
    let found: std::collections::HashSet<&str> = listed.map(|i| i.image_id.as_str()).collect();
    let missing: Vec<&str> =
        wanted.iter().map(String::as_str).filter(|id| !found.contains(id)).collect();
    if missing.is_empty() {
        return None;
    }
    let shown = missing.iter().take(MISSING_IDS_SHOWN).copied().collect::<Vec<_>>().join(", ");
    let more = missing.len().saturating_sub(MISSING_IDS_SHOWN);
    let rest = if more > 0 { format!(" and {more} more") } else { String::new() };
    Some(
        Diagnostic::warning(
            format!("{} of {} image ids not found", missing.len(), wanted.len()),
            format!(
                "The API returned no image for {shown}{rest}. They do not exist in {region}, or \
                 they are not of the image type, status or other filters asked for. The result \
                 holds only the images that were found."
            ),
        )
        .at(AttributePath::attr(attr::IMAGE_IDS)),
    )
}

/// The `most_recent` error: every effective criterion, and what the API returned.
pub fn no_match(lookup: &Lookup, plan: &Plan, region: &str, found: Found) -> Diagnostic {
    let filter = &lookup.filter;
    let quoted = |text: Option<&str>| text.map_or("not set".to_string(), quoted);
    let types = match filter.image_types.as_slice() {
        [] => "any".to_string(),
        types => types
            .iter()
            .map(|t| format!("{} ({})", t.name(), t.code()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let status = filter.status.map_or("any".to_string(), |s| {
        format!("{} ({})", image_status_name(i64::from(s.code())), s.code())
    });
    let ids = if filter.image_ids.is_empty() { "any".into() } else { filter.image_ids.join(", ") };
    let api = if plan.listings.is_empty() && plan.marketplace_skipped {
        format!("No API call was made: marketplace images are not offered in {region}.")
    } else {
        format!(
            "The API returned {} image(s) before name_regex and os_name were applied.",
            found.listed
        )
    };
    let skipped = match found.unusable {
        0 => String::new(),
        n => format!(
            "\n{n} matching image(s) were skipped because they cannot be launched yet (creating, \
             syncing, copying, or failed); set status to pick among them anyway."
        ),
    };
    Diagnostic::error(
        "No image matches the query",
        format!(
            "most_recent = true needs at least one matching image that can be launched, but none \
             matched:\n\
             \x20 region:     {region}\n\
             \x20 image_type: {types}\n\
             \x20 status:     {status}\n\
             \x20 image_ids:  {ids}\n\
             \x20 name_regex: {}\n\
             \x20 os_name:    {}\n\
             {api}{skipped}\n\
             Loosen the criteria, or set most_recent = false to accept an empty result.",
            quoted(lookup.name_regex.as_ref().map(regex::Regex::as_str)),
            quoted(lookup.os_name.as_deref()),
        ),
    )
}

/// The state did not fit the schema: a bug, never the user's input.
pub fn state_failed(error: &crate::cty::CodecError) -> Diagnostic {
    Diagnostic::error(
        "Provider produced an invalid state",
        format!(
            "The qcloud_images state could not be encoded: {error}. This is a bug in the \
             provider; please report it."
        ),
    )
}
