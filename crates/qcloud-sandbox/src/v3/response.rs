//! What the sandbox answers API 3.0 requests with: the catalog's images with the 3.0 field
//! names, and the success body. Errors are [`super::Error`].
//!
//! Images get the 3.0 fields the catalog does not hold, derived from what it does: the type and
//! state names, `CreatedTime` in ISO 8601 UTC (empty when the catalog's time is empty),
//! `Architecture` (`arm64` when the name or OS says ARM), `Platform` (the OS name's first word),
//! `ImageSize` (50 GiB for Windows, else 20), `ImageSource` and `IsSupportCloudinit` (not on
//! Windows).

use serde::Serialize;
use time::PrimitiveDateTime;
use time::macros::{format_description, offset};

use crate::catalog::{CatalogImage, Page};
use crate::model::ImageType;

/// One `ImageSet` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Image {
    image_id: String,
    image_name: String,
    image_description: String,
    image_type: &'static str,
    os_name: String,
    created_time: String,
    image_creator: String,
    image_state: &'static str,
    image_size: u32,
    architecture: &'static str,
    platform: String,
    image_source: &'static str,
    is_support_cloudinit: bool,
    sync_percent: u32,
}

impl From<&CatalogImage> for Image {
    fn from(image: &CatalogImage) -> Self {
        let windows = image.os_name.to_ascii_lowercase().contains("windows");
        let text = format!("{} {}", image.image_name, image.os_name).to_ascii_lowercase();
        let arm = text.contains("arm") || text.contains("aarch64");
        Image {
            image_id: image.image_id.clone(),
            image_name: image.image_name.clone(),
            image_description: image.image_description.clone(),
            image_type: image.image_type.name(),
            os_name: image.os_name.clone(),
            created_time: utc_iso(&image.create_time),
            image_creator: image.creator.clone(),
            image_state: image.status.name(),
            image_size: if windows { 50 } else { 20 },
            architecture: if arm { "arm64" } else { "x86_64" },
            platform: image.os_name.split_whitespace().next().unwrap_or("Other").to_owned(),
            image_source: match image.image_type {
                ImageType::Public | ImageType::Marketplace => "OFFICIAL",
                ImageType::Private | ImageType::Shared => "CREATE_IMAGE",
            },
            is_support_cloudinit: !windows,
            sync_percent: 100,
        }
    }
}

/// A catalog create time (Beijing time) as ISO 8601 UTC; empty when empty or unreadable.
pub fn utc_iso(beijing: &str) -> String {
    let input = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let output = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    PrimitiveDateTime::parse(beijing.trim(), input)
        .ok()
        .map(|t| t.assume_offset(offset!(+8)).to_offset(offset!(UTC)))
        .and_then(|t| t.format(output).ok())
        .unwrap_or_default()
}

/// The success body for `page`, with `TotalCount` as given.
pub fn success_json(page: &Page, total_count: u64, request_id: &str) -> String {
    let images: Vec<Image> = page.images.iter().map(Image::from).collect();
    serde_json::json!({
        "Response": { "TotalCount": total_count, "ImageSet": images, "RequestId": request_id }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn images_have_the_3_0_fields() {
        let catalog = Catalog::builtin();
        let images = ["img-m3k8q2vd", "img-s2h8a1rd"]
            .map(|id| catalog.get(id).expect("built in").clone())
            .to_vec();
        let page = Page { total_count: 2, images };
        let json: Value = serde_json::from_str(&success_json(&page, 2, "r")).expect("JSON");
        let first = &json["Response"]["ImageSet"][0];
        assert_eq!(first["ImageType"], "PRIVATE_IMAGE");
        assert_eq!(first["CreatedTime"], "2024-04-30T19:00:00Z");
        assert_eq!(first["Architecture"], "x86_64");
        assert_eq!(first["Platform"], "CentOS");
        assert_eq!(first["ImageSource"], "CREATE_IMAGE");
        assert_eq!(first["IsSupportCloudinit"], true);
        assert_eq!(json["Response"]["ImageSet"][1]["ImageType"], "SHARED_IMAGE");
        assert_eq!(json["Response"]["TotalCount"], 2);
        assert_eq!(json["Response"]["RequestId"], "r");
    }

    #[test]
    fn created_time_is_utc_or_empty() {
        assert_eq!(utc_iso("2014-09-27 10:11:00"), "2014-09-27T02:11:00Z");
        assert_eq!(utc_iso("2014-01-01 03:00:00"), "2013-12-31T19:00:00Z");
        assert_eq!(utc_iso(""), "");
        assert_eq!(utc_iso("soon"), "");
    }
}
