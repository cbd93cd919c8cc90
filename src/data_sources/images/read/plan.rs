//! What a lookup will ask the API, decided before anything is sent: the arguments the
//! configured API version cannot serve, the marketplace rule of North America, the
//! supply-chain warning, and the listings to make.
//!
//! Pure: no API client, no I/O.

use crate::cty::AttributePath;
use crate::data_sources::images::config::Lookup;
use crate::data_sources::images::schema::attr;
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::images::listings;
use crate::qcloud::{ApiVersion, ImageFilter, ImageType};

/// The listings a lookup makes, and the warnings it earns on the way.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Each is one `DescribeImages` listing; none when nothing can be listed.
    pub listings: Vec<ImageFilter>,
    pub warnings: Diagnostics,
    /// Marketplace was asked for in a region that does not offer it.
    pub marketplace_skipped: bool,
}

/// The plan of `lookup` in `region` under `version`, or why it cannot be served.
pub fn plan(lookup: &Lookup, region: &str, version: ApiVersion) -> Result<Plan, Diagnostics> {
    if version == ApiVersion::V2 {
        refuse_what_2_0_cannot_serve(lookup)?;
    }
    let mut filter = lookup.filter.clone();
    let mut warnings = Diagnostics::new();
    let marketplace_skipped =
        filter.image_types.contains(&ImageType::Marketplace) && region.starts_with("na-");
    if marketplace_skipped {
        filter.image_types.retain(|t| *t != ImageType::Marketplace);
        warnings.push(marketplace_warning(region, type_path(lookup)));
    }
    if let Some(warning) = supply_chain_warning(lookup) {
        warnings.push(warning);
    }
    let nothing_to_list = marketplace_skipped && filter.image_types.is_empty();
    let listings = if nothing_to_list { Vec::new() } else { listings(&filter, version) };
    Ok(Plan { listings, warnings, marketplace_skipped })
}

/// The argument that names the types: `image_types` when it was used, else `image_type`.
fn type_path(lookup: &Lookup) -> AttributePath {
    let several = lookup.filter.image_types.len() > 1;
    AttributePath::attr(if several { attr::IMAGE_TYPES } else { attr::IMAGE_TYPE })
}

/// API 2.0 has no instance type, platform or tag filter, and needs a type.
fn refuse_what_2_0_cannot_serve(lookup: &Lookup) -> Result<(), Diagnostics> {
    let filter = &lookup.filter;
    let mut errors = Diagnostics::new();
    let set = [
        (attr::INSTANCE_TYPE, filter.instance_type.is_some()),
        (attr::PLATFORM, filter.platform.is_some()),
        (attr::TAGS, !filter.tags.is_empty()),
    ];
    for (name, _) in set.iter().filter(|(_, is_set)| *is_set) {
        errors.push(needs_3_0(name));
    }
    if filter.image_types.is_empty() {
        errors.push(
            Diagnostic::error(
                "image_ids need a type under API 2.0",
                "API 2.0 cannot look image ids up without an image type: every request names \
                 one. Set image_type (or image_types) to the type of these images, or set \
                 api_version = \"3.0\" in the provider block (or QCLOUD_API_VERSION=3.0), which \
                 finds ids whatever their type.",
            )
            .at(AttributePath::attr(attr::IMAGE_TYPE)),
        );
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn needs_3_0(name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{name} needs api_version = \"3.0\""),
        format!(
            "{name} is an API 3.0 filter, and the provider speaks API 2.0, which has none. Set \
             api_version = \"3.0\" in the provider block (or QCLOUD_API_VERSION=3.0), or \
             remove {name}."
        ),
    )
    .at(AttributePath::attr(name))
}

fn marketplace_warning(region: &str, path: AttributePath) -> Diagnostic {
    Diagnostic::warning(
        format!("Marketplace images are not offered in {region}"),
        "Tencent Cloud does not offer marketplace images in North America regions (na-*), so \
         this lookup lists no marketplace images and makes no API call for them. Use public or \
         private images there, or a region outside North America.",
    )
    .at(path)
}

/// `most_recent` over types other accounts publish, without pinned ids.
fn supply_chain_warning(lookup: &Lookup) -> Option<Diagnostic> {
    let filter = &lookup.filter;
    let published: Vec<&str> = filter
        .image_types
        .iter()
        .filter(|t| matches!(t, ImageType::Shared | ImageType::Marketplace))
        .map(|t| t.name())
        .collect();
    if !lookup.most_recent || published.is_empty() || !filter.image_ids.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            "most_recent may pick an image someone else published",
            format!(
                "image_type = {} lists images that other accounts publish. With most_recent = \
                 true and no image_ids, a newer image from any of them that matches the filters \
                 would be picked on the next plan, and everything built from it would follow. \
                 Pin image_ids to the images you trust.",
                published.join(" and ")
            ),
        )
        .at(AttributePath::attr(attr::MOST_RECENT)),
    )
}

#[cfg(test)]
mod tests;
