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

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};

use super::{
    DESCRIBE_IMAGES, Dialect, Image, ImageFilter, ImageStatus, ImageType, Page, parse_page_fields,
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

    fn keeps(&self, filter: &ImageFilter, image: &Image) -> bool {
        let by_ids = !filter.image_ids.is_empty();
        let type_ok = !by_ids || image.image_type == Some(i64::from(filter.image_type.code()));
        let status_ok = match filter.status {
            Some(status) if by_ids || status.v3_filter().is_none() => {
                image.status == Some(i64::from(status.code()))
            }
            _ => true,
        };
        type_ok && status_ok
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    image_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    filters: Vec<Filter>,
    offset: u64,
    limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter {
    name: &'static str,
    values: Vec<&'static str>,
}

/// The JSON body of a page: `ImageIds` when the page has ids, else the `image-type` filter and
/// the `image-state` filter when the API can apply it; then `Offset` and `Limit`.
pub fn body_json(filter: &ImageFilter, ids: &[String], offset: u64, limit: u32) -> String {
    let by_ids = !ids.is_empty();
    let mut filters = Vec::new();
    if !by_ids {
        filters.push(Filter { name: "image-type", values: vec![filter.image_type.v3_name()] });
        if let Some(state) = filter.status.and_then(ImageStatus::v3_filter) {
            filters.push(Filter { name: "image-state", values: vec![state] });
        }
    }
    let body = Body { image_ids: by_ids.then_some(ids), filters, offset, limit };
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
        architecture: field("Architecture"),
        platform: field("Platform"),
        image_size: fields.get("ImageSize").and_then(int),
        image_source: field("ImageSource"),
        image_state,
        is_support_cloudinit: fields.get("IsSupportCloudinit").and_then(boolean),
    })
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
