//! `DescribeImages` in API 3.0 (CVM, version `2017-03-12`): `ImageIds` or `Filters`
//! (`image-type`, `image-state`), `Offset`, `Limit`; an answer of `TotalCount` and `ImageSet`
//! entries, read into the same [`Image`] as API 2.0 (type and state names become the 2.0 codes,
//! `CreatedTime` in UTC becomes the 2.0 text in Beijing time).
//!
//! `ImageIds` may not be combined with `Filters`: a page with ids sends only the ids, and type
//! and status are then applied on the client ([`Dialect::keeps`]). So is `copying`, which has no
//! `image-state` name.
//!
//! Must not depend on the transport or on Terraform types.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};

use super::{
    DESCRIBE_IMAGES, Dialect, Image, ImageDetails, ImageFilter, ImageStatus, ImageType, Page,
    Snapshot, parse_page_fields,
};
use crate::qcloud::call::Call;
use crate::qcloud::json::{boolean, int, text};
use crate::qcloud::v3;

/// The service of CVM's actions (the credential scope).
pub const SERVICE: &str = "cvm";
/// CVM's `X-TC-Version`.
pub const VERSION: &str = "2017-03-12";

/// The API 3.0 dialect.
pub struct V3;

impl Dialect for V3 {
    fn page_call(&self, filter: &ImageFilter, ids: &[String], offset: u64, limit: u32) -> Call {
        Call::V3(v3::Call {
            service: SERVICE,
            version: VERSION,
            action: DESCRIBE_IMAGES,
            body: body_json(filter, ids, offset, limit),
        })
    }

    fn parse_page(&self, content: &Map<String, Value>) -> Result<Page, String> {
        parse_page_fields(content, ["TotalCount", "ImageSet"], parse_image)
    }

    /// With ids the API applies no filter, so every filter is applied here; without ids the
    /// API applied them all but `copying` and deprecation, which it has no filter for.
    fn keeps(&self, filter: &ImageFilter, image: &Image) -> bool {
        if !filter.image_ids.is_empty() {
            return filter.admits(image);
        }
        let status_ok = match filter.status {
            Some(status) if status.v3_filter().is_none() => {
                image.status == Some(i64::from(status.code()))
            }
            _ => true,
        };
        status_ok && (filter.include_deprecated || !image.is_deprecated())
    }
}

/// How many `Filters` a listing of `filter` sends (without ids), and the most values one of
/// them carries: the API allows at most [`MAX_FILTERS`] of [`MAX_FILTER_VALUES`] values.
pub fn filter_shape(filter: &ImageFilter) -> (usize, usize) {
    let filters = filters(filter);
    (filters.len(), filters.iter().map(|f| f.values.len()).max().unwrap_or(0))
}

/// The most `Filters` one request may carry.
pub const MAX_FILTERS: usize = 10;
/// The most values one filter may carry.
pub const MAX_FILTER_VALUES: usize = 5;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    image_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    filters: Vec<Filter<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_type: Option<&'a str>,
    offset: u64,
    limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter<'a> {
    name: Cow<'a, str>,
    values: Vec<&'a str>,
}

/// The `Filters` of a listing without ids: `image-type` (every type asked for), `image-state`
/// when the API can apply it, `platform`, and one `tag:<key>` per tag.
fn filters(filter: &ImageFilter) -> Vec<Filter<'_>> {
    let named = |name: &'static str, values| Filter { name: Cow::Borrowed(name), values };
    let mut filters = Vec::new();
    if !filter.image_types.is_empty() {
        filters.push(named("image-type", filter.image_types.iter().map(|t| t.v3_name()).collect()));
    }
    if let Some(state) = filter.status.and_then(ImageStatus::v3_filter) {
        filters.push(named("image-state", vec![state]));
    }
    if let Some(platform) = &filter.platform {
        filters.push(named("platform", vec![platform.as_str()]));
    }
    for (key, value) in &filter.tags {
        filters
            .push(Filter { name: Cow::Owned(format!("tag:{key}")), values: vec![value.as_str()] });
    }
    filters
}

/// The JSON body of a page: `ImageIds` when the page has ids, else the `Filters`; then
/// `InstanceType` when asked for, `Offset` and `Limit`.
pub fn body_json(filter: &ImageFilter, ids: &[String], offset: u64, limit: u32) -> String {
    let by_ids = !ids.is_empty();
    let body = Body {
        image_ids: by_ids.then_some(ids),
        filters: if by_ids { Vec::new() } else { filters(filter) },
        instance_type: filter.instance_type.as_deref(),
        offset,
        limit,
    };
    serde_json::to_string(&body).expect("a body of strings and integers always serializes")
}

fn parse_image(index: usize, entry: &Value) -> Result<Image, String> {
    let Value::Object(fields) = entry else {
        return Err(format!("ImageSet[{index}] is not an object"));
    };
    let field = |name: &str| fields.get(name).and_then(text);
    let image_id = field("ImageId")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("ImageSet[{index}] has no ImageId"))?;
    let image_state = field("ImageState");
    Ok(Image {
        image_id,
        image_name: field("ImageName"),
        image_description: field("ImageDescription"),
        image_type: field("ImageType")
            .and_then(|name| ImageType::from_v3_name(&name))
            .map(|t| i64::from(t.code())),
        os_name: field("OsName"),
        create_time: field("CreatedTime").map(|t| beijing_text(&t)),
        creator: field("ImageCreator"),
        status: image_state
            .as_deref()
            .and_then(ImageStatus::from_v3_name)
            .map(|s| i64::from(s.code())),
        details: Some(Box::new(details(fields, image_state))),
    })
}

/// The fields only API 3.0 returns.
fn details(fields: &Map<String, Value>, image_state: Option<String>) -> ImageDetails {
    let field = |name: &str| fields.get(name).and_then(text);
    let snapshots = match fields.get("SnapshotSet") {
        Some(Value::Array(entries)) => Some(entries.iter().filter_map(snapshot).collect()),
        _ => None,
    };
    ImageDetails {
        architecture: field("Architecture"),
        platform: field("Platform"),
        image_size: fields.get("ImageSize").and_then(int),
        image_source: field("ImageSource"),
        image_state,
        is_support_cloudinit: fields.get("IsSupportCloudinit").and_then(boolean),
        snapshots,
        tags: fields.get("Tags").and_then(tags),
        license_type: field("LicenseType"),
        // An image in no family has an empty `ImageFamily`: no family, like an absent one.
        image_family: field("ImageFamily").filter(|family| !family.is_empty()),
        image_deprecated: fields.get("ImageDeprecated").and_then(boolean),
        sync_percent: fields.get("SyncPercent").and_then(int),
    }
}

/// One `SnapshotSet` entry; `None` when it is not an object.
fn snapshot(entry: &Value) -> Option<Snapshot> {
    let Value::Object(fields) = entry else { return None };
    Some(Snapshot {
        snapshot_id: fields.get("SnapshotId").and_then(text),
        disk_usage: fields.get("DiskUsage").and_then(text),
        disk_size: fields.get("DiskSize").and_then(int),
    })
}

/// `Tags` as a map; entries without a key are skipped, a repeated key keeps its last value.
fn tags(value: &Value) -> Option<BTreeMap<String, String>> {
    let Value::Array(entries) = value else { return None };
    let pairs = entries.iter().filter_map(|entry| {
        let key = entry.get("Key").and_then(text)?;
        Some((key, entry.get("Value").and_then(text).unwrap_or_default()))
    });
    Some(pairs.collect())
}

/// Reads one `Image` object of an answer (`DescribeImageFromFamily` returns one).
pub fn image_of(value: &Value) -> Result<Image, String> {
    parse_image(0, value)
}

/// An ISO 8601 time as the 2.0 `createTime` text (`YYYY-MM-DD HH:MM:SS`, Beijing time); the
/// text unchanged when it cannot be read (empty stays empty).
pub fn beijing_text(iso: &str) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::parse(iso.trim(), &Rfc3339)
        .ok()
        .and_then(|t| t.to_offset(offset!(+8)).format(format).ok())
        .unwrap_or_else(|| iso.to_string())
}

#[cfg(test)]
mod tests;
