//! What the sandbox answers API 3.0 requests with: the catalog's images with the 3.0 field
//! names, and the success bodies of `DescribeImages` and `DescribeImageFromFamily`. Errors are
//! [`super::Error`].
//!
//! Images carry every field the API documents for `Image`: the type and state names,
//! `CreatedTime` in ISO 8601 UTC (empty when the catalog's time is empty), and the catalog's
//! 3.0 attributes or the values derived from its 2.0 fields (`Architecture`, `Platform`,
//! `ImageSize`; see [`crate::catalog::CatalogImage`]); `ImageSource` and `IsSupportCloudinit`
//! (not on Windows) are derived too. `SnapshotSet` and `Tags` are lists, empty when the image
//! has none.

use serde::Serialize;
use time::PrimitiveDateTime;
use time::macros::{format_description, offset};

use crate::catalog::{CatalogImage, Page};
use crate::model::ImageType;

/// One `ImageSet` entry, or the `Image` of `DescribeImageFromFamily`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Image {
    image_id: String,
    os_name: String,
    image_type: &'static str,
    created_time: String,
    image_name: String,
    image_description: String,
    image_size: u32,
    architecture: &'static str,
    image_state: &'static str,
    platform: String,
    image_creator: String,
    image_source: &'static str,
    sync_percent: u8,
    is_support_cloudinit: bool,
    snapshot_set: Vec<SnapshotEntry>,
    tags: Vec<TagEntry>,
    license_type: &'static str,
    image_family: String,
    image_deprecated: bool,
}

/// One `SnapshotSet` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SnapshotEntry {
    snapshot_id: String,
    disk_usage: &'static str,
    disk_size: u32,
}

/// One `Tags` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagEntry {
    key: String,
    value: String,
}

impl From<&CatalogImage> for Image {
    fn from(image: &CatalogImage) -> Self {
        let attributes = &image.attributes;
        Image {
            image_id: image.image_id.clone(),
            os_name: image.os_name.clone(),
            image_type: image.image_type.name(),
            created_time: utc_iso(&image.create_time),
            image_name: image.image_name.clone(),
            image_description: image.image_description.clone(),
            image_size: image.image_size(),
            architecture: image.architecture().name(),
            image_state: image.status.name(),
            platform: image.platform().to_owned(),
            image_creator: image.creator.clone(),
            image_source: match image.image_type {
                ImageType::Public | ImageType::Marketplace => "OFFICIAL",
                ImageType::Private | ImageType::Shared => "CREATE_IMAGE",
            },
            sync_percent: image.sync_percent(),
            is_support_cloudinit: !image.is_windows(),
            snapshot_set: attributes
                .snapshots
                .iter()
                .map(|s| SnapshotEntry {
                    snapshot_id: s.snapshot_id.clone(),
                    disk_usage: s.disk_usage.name(),
                    disk_size: s.disk_size,
                })
                .collect(),
            tags: attributes
                .tags
                .iter()
                .map(|t| TagEntry { key: t.key.clone(), value: t.value.clone() })
                .collect(),
            license_type: attributes.license_type.name(),
            image_family: attributes.image_family.clone(),
            image_deprecated: attributes.image_deprecated,
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

/// The `DescribeImageFromFamily` success body: `Image` is the image, or `null`.
pub fn family_json(image: Option<&CatalogImage>, request_id: &str) -> String {
    serde_json::json!({
        "Response": { "Image": image.map(Image::from), "RequestId": request_id }
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
    fn images_carry_the_catalog_3_0_attributes() {
        let catalog = Catalog::builtin();
        let image = catalog.get("img-wg25a01k").expect("built in");
        let json: Value = serde_json::from_str(&family_json(Some(image), "r")).expect("JSON");
        let answer = &json["Response"]["Image"];
        assert_eq!(answer["ImageFamily"], "web-golden");
        assert_eq!(answer["ImageDeprecated"], false);
        assert_eq!(answer["LicenseType"], "TencentCloud");
        assert_eq!(
            answer["Tags"],
            serde_json::json!([{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}])
        );
        assert_eq!(
            answer["SnapshotSet"][1],
            serde_json::json!({"SnapshotId": "snap-wg25a01d", "DiskUsage": "DATA_DISK", "DiskSize": 100})
        );
        assert_eq!(
            (answer["ImageSize"].as_u64(), answer["SyncPercent"].as_u64()),
            (Some(50), Some(100))
        );
        assert_eq!(answer["Platform"], "TencentOS");
        let byol = Image::from(catalog.get("img-by22w01n").expect("built in"));
        let byol = serde_json::to_value(byol).expect("JSON");
        assert_eq!(
            (byol["LicenseType"].as_str(), byol["IsSupportCloudinit"].as_bool()),
            (Some("BYOL"), Some(false))
        );
        assert_eq!(byol["Architecture"], "x86_64");
        let none: Value = serde_json::from_str(&family_json(None, "r")).expect("JSON");
        assert!(none["Response"]["Image"].is_null() && none["Response"]["RequestId"] == "r");
    }

    #[test]
    fn created_time_is_utc_or_empty() {
        assert_eq!(utc_iso("2014-09-27 10:11:00"), "2014-09-27T02:11:00Z");
        assert_eq!(utc_iso("2014-01-01 03:00:00"), "2013-12-31T19:00:00Z");
        assert_eq!(utc_iso(""), "");
        assert_eq!(utc_iso("soon"), "");
    }
}
