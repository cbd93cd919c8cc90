//! Catalogs in JSON: the file format, and the API's `imageSet` entries.
//!
//! A catalog file is a JSON list of image objects that use the API's field names, in serving
//! order. A saved `DescribeImages` answer (an object with an `imageSet` list) is accepted too.
//!
//! ```json
//! [
//!   {
//!     "unImgId": "img-m3k8q2vd",
//!     "imageName": "web-server-2024-05-01",
//!     "imageDescription": "Nginx web tier",
//!     "imageType": 1,
//!     "osName": "CentOS 7.9 64bit",
//!     "createTime": "2024-05-01 03:00:00",
//!     "creator": "100012345678",
//!     "status": 2,
//!     "architecture": "x86_64",
//!     "tags": {"team": "web", "env": "prod"},
//!     "snapshotSet": [{"snapshotId": "snap-m3k8q2vs", "diskUsage": "SYSTEM_DISK", "diskSize": 50}],
//!     "licenseType": "TencentCloud",
//!     "imageFamily": "web-server",
//!     "imageDeprecated": false,
//!     "syncPercent": 100
//!   }
//! ]
//! ```
//!
//! `unImgId` (`img-` and 8 lower-case letters or digits, unique) and `imageType` (1 private,
//! 2 public, 3 marketplace, 4 shared) are required. The text fields default to empty and are
//! served as written; `status` (1-5) defaults to 2 (normal). `createor`, the reference's
//! misspelling, is accepted for `creator`. Unknown fields are ignored.
//!
//! The last seven fields are optional and only API 3.0 reports them: `architecture`
//! (`x86_64` or `arm64`; by default `arm64` when the name or OS name mentions ARM),
//! `tags` (an object of key to value), `snapshotSet` (`diskUsage` `SYSTEM_DISK` or
//! `DATA_DISK`, `diskSize` in GiB), `licenseType` (`TencentCloud`, the default, or `BYOL`),
//! `imageFamily` (default none), `imageDeprecated` (default false) and `syncPercent` (0-100,
//! default 100).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Catalog, CatalogImage, ImageAttributes, Snapshot, Tag};
use crate::model::{Architecture, DiskUsage, ImageStatus, ImageType, LicenseType};

/// Why a catalog could not be built or loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read.
    #[error("cannot read the catalog file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("the catalog is not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The JSON is neither a list nor an object with `imageSet`.
    #[error(
        "the catalog must be a JSON list of image objects, or an object with an \"imageSet\" list"
    )]
    Shape,
    /// One entry is not an image object.
    #[error("catalog entry {index} (counting from 0) is not a valid image: {source}")]
    Entry {
        /// The entry's position, from 0.
        index: usize,
        /// What is wrong with it.
        #[source]
        source: serde_json::Error,
    },
    /// An `unImgId` is malformed.
    #[error(
        "catalog entry {index} (counting from 0): unImgId {id:?} is not \"img-\" followed by 8 \
         lower-case letters or digits"
    )]
    InvalidId {
        /// The entry's position, from 0.
        index: usize,
        /// The id as written.
        id: String,
    },
    /// Two images share an `unImgId`.
    #[error("the catalog has more than one image with unImgId {id:?}; ids must be unique")]
    DuplicateId {
        /// The id used twice.
        id: String,
    },
    /// An `imageType` is not 1-4.
    #[error(
        "catalog entry {index} (counting from 0): imageType {value} is not 1 (private), \
         2 (public), 3 (marketplace) or 4 (shared)"
    )]
    InvalidType {
        /// The entry's position, from 0.
        index: usize,
        /// The code as written.
        value: i64,
    },
    /// A `status` is not 1-5.
    #[error(
        "catalog entry {index} (counting from 0): status {value} is not 1 (creating), 2 (normal), \
         3 (in use), 4 (syncing) or 5 (copying)"
    )]
    InvalidStatus {
        /// The entry's position, from 0.
        index: usize,
        /// The code as written.
        value: i64,
    },
    /// One of the attributes only API 3.0 reports has a value it cannot take.
    #[error(
        "catalog entry {index} (counting from 0): {field} {value} is invalid; it must be {expected}"
    )]
    InvalidAttribute {
        /// The entry's position, from 0.
        index: usize,
        /// The field, e.g. `architecture`.
        field: &'static str,
        /// The value as written (JSON).
        value: String,
        /// What it may be.
        expected: String,
    },
}

/// One image in the API's JSON shape: an `imageSet` entry, and a catalog file entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImageJson {
    pub un_img_id: String,
    #[serde(default)]
    pub image_name: String,
    #[serde(default)]
    pub image_description: String,
    pub image_type: i64,
    #[serde(default)]
    pub os_name: String,
    #[serde(default)]
    pub create_time: String,
    #[serde(default, alias = "createor")]
    pub creator: String,
    #[serde(default = "normal_status")]
    pub status: i64,
}

/// One catalog file entry: an `imageSet` entry and the attributes only API 3.0 reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CatalogEntry {
    #[serde(flatten)]
    image: ImageJson,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    architecture: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    snapshot_set: Vec<SnapshotJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    license_type: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    image_family: String,
    #[serde(default, skip_serializing_if = "is_false")]
    image_deprecated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sync_percent: Option<i64>,
}

/// One `snapshotSet` entry of a catalog file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotJson {
    snapshot_id: String,
    disk_usage: String,
    disk_size: u32,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn normal_status() -> i64 {
    i64::from(ImageStatus::Normal.code())
}

impl From<&CatalogImage> for ImageJson {
    fn from(image: &CatalogImage) -> Self {
        ImageJson {
            un_img_id: image.image_id.clone(),
            image_name: image.image_name.clone(),
            image_description: image.image_description.clone(),
            image_type: i64::from(image.image_type.code()),
            os_name: image.os_name.clone(),
            create_time: image.create_time.clone(),
            creator: image.creator.clone(),
            status: i64::from(image.status.code()),
        }
    }
}

impl ImageJson {
    fn into_image(self, index: usize) -> Result<CatalogImage, CatalogError> {
        let image_type = ImageType::from_code(self.image_type)
            .ok_or(CatalogError::InvalidType { index, value: self.image_type })?;
        let status = ImageStatus::from_code(self.status)
            .ok_or(CatalogError::InvalidStatus { index, value: self.status })?;
        Ok(CatalogImage {
            image_id: self.un_img_id,
            image_name: self.image_name,
            image_description: self.image_description,
            image_type,
            os_name: self.os_name,
            create_time: self.create_time,
            creator: self.creator,
            status,
            attributes: ImageAttributes::default(),
        })
    }
}

impl From<&CatalogImage> for CatalogEntry {
    fn from(image: &CatalogImage) -> Self {
        let attributes = &image.attributes;
        CatalogEntry {
            image: ImageJson::from(image),
            architecture: attributes.architecture.map(|a| a.name().to_owned()),
            tags: attributes.tags.iter().map(|t| (t.key.clone(), t.value.clone())).collect(),
            snapshot_set: attributes
                .snapshots
                .iter()
                .map(|s| SnapshotJson {
                    snapshot_id: s.snapshot_id.clone(),
                    disk_usage: s.disk_usage.name().to_owned(),
                    disk_size: s.disk_size,
                })
                .collect(),
            license_type: (attributes.license_type != LicenseType::default())
                .then(|| attributes.license_type.name().to_owned()),
            image_family: attributes.image_family.clone(),
            image_deprecated: attributes.image_deprecated,
            sync_percent: attributes.sync_percent.map(i64::from),
        }
    }
}

impl CatalogEntry {
    fn into_image(self, index: usize) -> Result<CatalogImage, CatalogError> {
        let invalid = |field: &'static str, value: String, expected: String| {
            CatalogError::InvalidAttribute { index, field, value, expected }
        };
        let one_of = |names: Vec<&str>| names.join(" or ");
        let architecture = match self.architecture {
            None => None,
            Some(name) => Some(Architecture::from_name(&name).ok_or_else(|| {
                invalid("architecture", format!("{name:?}"), one_of(Architecture::names()))
            })?),
        };
        let license_type = match self.license_type {
            None => LicenseType::default(),
            Some(name) => LicenseType::from_name(&name).ok_or_else(|| {
                invalid("licenseType", format!("{name:?}"), one_of(LicenseType::names()))
            })?,
        };
        let sync_percent = match self.sync_percent {
            None => None,
            Some(n) => Some(u8::try_from(n).ok().filter(|p| *p <= 100).ok_or_else(|| {
                invalid("syncPercent", n.to_string(), "an integer from 0 to 100".into())
            })?),
        };
        let snapshots = self
            .snapshot_set
            .into_iter()
            .map(|s| {
                let disk_usage = DiskUsage::from_name(&s.disk_usage).ok_or_else(|| {
                    let names = one_of(DiskUsage::names());
                    invalid("snapshotSet.diskUsage", format!("{:?}", s.disk_usage), names)
                })?;
                Ok(Snapshot { snapshot_id: s.snapshot_id, disk_usage, disk_size: s.disk_size })
            })
            .collect::<Result<Vec<_>, CatalogError>>()?;
        let tags = self.tags.into_iter().map(|(key, value)| Tag { key, value }).collect();
        let mut image = self.image.into_image(index)?;
        image.attributes = ImageAttributes {
            architecture,
            tags,
            snapshots,
            license_type,
            image_family: self.image_family,
            image_deprecated: self.image_deprecated,
            sync_percent,
        };
        Ok(image)
    }
}

impl Catalog {
    /// Reads a catalog file (see the module docs for the format).
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| CatalogError::Read { path: path.to_owned(), source })?;
        Self::from_json_str(&text)
    }

    /// Parses a catalog from JSON text (see the module docs for the format).
    pub fn from_json_str(text: &str) -> Result<Self, CatalogError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(CatalogError::Json)?;
        let entries = match value {
            serde_json::Value::Array(entries) => entries,
            serde_json::Value::Object(mut object) => match object.remove("imageSet") {
                Some(serde_json::Value::Array(entries)) => entries,
                _ => return Err(CatalogError::Shape),
            },
            _ => return Err(CatalogError::Shape),
        };
        let images = entries
            .into_iter()
            .enumerate()
            .map(|(index, entry)| {
                let json: CatalogEntry = serde_json::from_value(entry)
                    .map_err(|source| CatalogError::Entry { index, source })?;
                json.into_image(index)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Catalog::new(images)
    }

    /// The catalog as a catalog file: a JSON list in the API's shape, with the 3.0-only
    /// attributes that differ from their defaults.
    pub fn to_json(&self) -> String {
        let images: Vec<CatalogEntry> = self.images().iter().map(CatalogEntry::from).collect();
        serde_json::to_string_pretty(&images).unwrap_or_else(|_| "[]".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_list_with_defaults_and_the_misspelled_creator() {
        let text = r#"[
            {"unImgId":"img-abcdefgh","imageType":1,"createor":"1000","createTime":"2014-09-27 10:11:00"},
            {"unImgId":"img-12345678","imageName":"b","imageType":4,"status":3,"extra":true}
        ]"#;
        let catalog = Catalog::from_json_str(text).expect("a valid catalog");
        let first = &catalog.images()[0];
        assert_eq!(first.image_id, "img-abcdefgh");
        assert_eq!(first.creator, "1000");
        assert_eq!(first.status, ImageStatus::Normal);
        assert_eq!(first.image_name, "");
        assert_eq!(first.create_time, "2014-09-27 10:11:00");
        let second = &catalog.images()[1];
        assert_eq!((second.image_type, second.status), (ImageType::Shared, ImageStatus::InUse));
    }

    #[test]
    fn loads_a_saved_answer() {
        let text = r#"{"code":0,"message":"","totalCount":1,"imageSet":[
            {"unImgId":"img-1234test","imageName":"test","imageType":1,"status":2}]}"#;
        let catalog = Catalog::from_json_str(text).expect("a saved answer is a catalog");
        assert_eq!(catalog.len(), 1);
    }

    #[test]
    fn round_trips_the_builtin_catalog() {
        let builtin = Catalog::builtin();
        let again = Catalog::from_json_str(&builtin.to_json()).expect("its own output loads");
        assert_eq!(again.images(), builtin.images());
    }

    #[test]
    fn refuses_bad_catalogs_with_a_clear_reason() {
        let cases: &[(&str, &str)] = &[
            ("not json", "not valid JSON"),
            ("42", "must be a JSON list"),
            (r#"{"images":[]}"#, "must be a JSON list"),
            (
                r#"[{"imageType":1}]"#,
                "entry 0 (counting from 0) is not a valid image: missing field `unImgId`",
            ),
            (r#"[{"unImgId":"img-ABC","imageType":1}]"#, "unImgId \"img-ABC\" is not"),
            (r#"[{"unImgId":"img-abcdefgh","imageType":7}]"#, "imageType 7 is not 1"),
            (r#"[{"unImgId":"img-abcdefgh","imageType":1,"status":0}]"#, "status 0 is not 1"),
            (
                r#"[{"unImgId":"img-abcdefgh","imageType":1},{"unImgId":"img-abcdefgh","imageType":2}]"#,
                "more than one image with unImgId \"img-abcdefgh\"",
            ),
        ];
        for (text, want) in cases {
            let err = Catalog::from_json_str(text).expect_err(text).to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn loads_and_writes_the_3_0_attributes() {
        let text = r#"[{"unImgId":"img-abcdefgh","imageType":1,"architecture":"arm64",
            "tags":{"team":"web","env":"prod"},"licenseType":"BYOL","imageFamily":"web",
            "imageDeprecated":true,"syncPercent":40,
            "snapshotSet":[{"snapshotId":"snap-abcdefgh","diskUsage":"DATA_DISK","diskSize":100}]}]"#;
        let catalog = Catalog::from_json_str(text).expect("a valid catalog");
        let attributes = &catalog.images()[0].attributes;
        assert_eq!(attributes.architecture, Some(Architecture::Arm64));
        let keys: Vec<&str> = attributes.tags.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["env", "team"], "sorted by key");
        assert_eq!(attributes.license_type, LicenseType::Byol);
        assert_eq!(attributes.image_family, "web");
        assert!(attributes.image_deprecated);
        assert_eq!(attributes.sync_percent, Some(40));
        assert_eq!(attributes.snapshots[0].disk_usage, DiskUsage::DataDisk);
        let again = Catalog::from_json_str(&catalog.to_json()).expect("its own output loads");
        assert_eq!(again.images(), catalog.images());
        let plain = Catalog::from_json_str(r#"[{"unImgId":"img-abcdefgh","imageType":1}]"#);
        let written = plain.expect("valid").to_json();
        assert!(!written.contains("tags") && !written.contains("licenseType"), "{written}");
    }

    #[test]
    fn refuses_bad_3_0_attributes() {
        let cases: &[(&str, &str)] = &[
            (
                r#""architecture":"i386""#,
                "architecture \"i386\" is invalid; it must be x86_64 or arm64",
            ),
            (r#""licenseType":"GPL""#, "licenseType \"GPL\" is invalid"),
            (r#""syncPercent":101"#, "syncPercent 101 is invalid; it must be an integer from 0"),
            (
                r#""snapshotSet":[{"snapshotId":"s","diskUsage":"ROOT","diskSize":1}]"#,
                "snapshotSet.diskUsage \"ROOT\" is invalid; it must be SYSTEM_DISK or DATA_DISK",
            ),
        ];
        for (field, want) in cases {
            let text = format!(r#"[{{"unImgId":"img-abcdefgh","imageType":1,{field}}}]"#);
            let err = Catalog::from_json_str(&text).expect_err(field).to_string();
            assert!(err.contains(want), "{field}: {err}");
        }
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let err = Catalog::from_json_file("does/not/exist.json").expect_err("no such file");
        assert!(err.to_string().contains("does/not/exist.json"), "{err}");
    }
}
