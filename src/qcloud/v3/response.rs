//! Parsing an API 3.0 `DescribeImages` answer, as leniently as the 2.0 parser: the
//! `{"Response":{"TotalCount","ImageSet","RequestId"}}` success, the `Response.Error` failure,
//! and a 2.0-shaped body (an endpoint of the wrong generation) as a clear error.
//!
//! Images become the same [`Image`] as under 2.0: type and state names become the 2.0 codes,
//! and `CreatedTime` (ISO 8601, UTC) becomes the 2.0 text in Beijing time, so both versions give
//! identical results for the attributes they share.
//!
//! Must not depend on the HTTP transport.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};

use super::names::{image_status_of, image_type_of};
use crate::qcloud::Image;
use crate::qcloud::error::Error;
use crate::qcloud::response::{Page, body_start, envelope_error, int, parse_page_fields, text};

/// Parses a body: a [`Page`], or [`Error::Api`] for an error answer, or [`Error::NotJson`] /
/// [`Error::UnexpectedResponse`] for anything else. `status` is the HTTP status, for messages.
pub fn parse_describe_images(status: u16, body: &[u8]) -> Result<Page, Error> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| Error::NotJson { status, body_start: body_start(body) })?;
    let unexpected = |problem: &str| Error::UnexpectedResponse {
        problem: problem.into(),
        body_start: body_start(body),
    };
    let Some(response) = value.get("Response") else {
        if value.get("code").is_some() {
            return Err(unexpected(
                "an API 2.0 answer, but api_version is 3.0; point endpoint at the API 3.0 host \
                 (https://cvm.tencentcloudapi.com) or set api_version to 2.0",
            ));
        }
        return Err(unexpected("there is no Response object"));
    };
    if let Some(error) = envelope_error(response) {
        return Err(error);
    }
    let Value::Object(fields) = response else {
        return Err(unexpected("Response is not an object"));
    };
    parse_page(fields).map_err(|problem| unexpected(&problem))
}

fn parse_page(response: &Map<String, Value>) -> Result<Page, String> {
    parse_page_fields(response, ["TotalCount", "ImageSet"], parse_image)
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
            .and_then(|name| image_type_of(&name))
            .map(|t| i64::from(t.code())),
        os_name: field("OsName"),
        create_time: field("CreatedTime").map(|t| beijing_text(&t)),
        creator: field("ImageCreator"),
        status: image_state.as_deref().and_then(image_status_of).map(|s| i64::from(s.code())),
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

/// A boolean field: JSON `true`/`false`, or the strings `"true"`/`"false"` in any case.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
