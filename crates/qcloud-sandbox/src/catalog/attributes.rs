//! What API 3.0 reports about an image beyond the 2.0 fields: its architecture, tags,
//! snapshots, license, family, deprecation and sync progress; and the values derived from the
//! 2.0 fields when a catalog does not give them (architecture, platform, size).
//!
//! Plain data: must not depend on HTTP, on the server, or on either version's answers.

use super::CatalogImage;
use crate::model::{Architecture, DiskUsage, ImageStatus, LicenseType};

/// One tag on an image: `Tags[]` in 3.0.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: String,
}

/// One snapshot an image is made of: `SnapshotSet[]` in 3.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// `SnapshotId`, e.g. `snap-1a2b3c4d`.
    pub snapshot_id: String,
    /// `DiskUsage`: the system disk or a data disk.
    pub disk_usage: DiskUsage,
    /// `DiskSize`, in GiB.
    pub disk_size: u32,
}

/// The attributes only API 3.0 reports. The default is what a plain image has: architecture
/// derived from its names, no tags, no snapshots, a Tencent Cloud license, no family, not
/// deprecated, fully synchronised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageAttributes {
    /// `Architecture`; `None` derives it from the name and OS name (see
    /// [`CatalogImage::architecture`]).
    pub architecture: Option<Architecture>,
    /// `Tags`, sorted by key, each key once.
    pub tags: Vec<Tag>,
    /// `SnapshotSet`.
    pub snapshots: Vec<Snapshot>,
    /// `LicenseType`.
    pub license_type: LicenseType,
    /// `ImageFamily`; empty when the image belongs to none.
    pub image_family: String,
    /// `ImageDeprecated`.
    pub image_deprecated: bool,
    /// `SyncPercent`, 0-100; `None` is 100.
    pub sync_percent: Option<u8>,
}

impl CatalogImage {
    /// The architecture: the catalog's, or `arm64` when the name or OS name mentions ARM
    /// (`arm`, `aarch64`), else `x86_64`.
    pub fn architecture(&self) -> Architecture {
        self.attributes.architecture.unwrap_or_else(|| {
            let text = format!("{} {}", self.image_name, self.os_name).to_ascii_lowercase();
            if text.contains("arm") || text.contains("aarch64") {
                Architecture::Arm64
            } else {
                Architecture::X86_64
            }
        })
    }

    /// `Platform`: the OS family, the OS name's first word (`Other` when it has none).
    pub fn platform(&self) -> &str {
        self.os_name.split_whitespace().next().unwrap_or("Other")
    }

    /// Whether the OS is Windows.
    pub fn is_windows(&self) -> bool {
        self.os_name.to_ascii_lowercase().contains("windows")
    }

    /// `ImageSize` in GiB: the system disk snapshot's size, else 50 for Windows and 20 for
    /// the rest.
    pub fn image_size(&self) -> u32 {
        let system =
            self.attributes.snapshots.iter().find(|s| s.disk_usage == DiskUsage::SystemDisk);
        system.map_or(if self.is_windows() { 50 } else { 20 }, |s| s.disk_size)
    }

    /// `SyncPercent`: the catalog's, else 100.
    pub fn sync_percent(&self) -> u8 {
        self.attributes.sync_percent.unwrap_or(100)
    }

    /// The value of tag `key`, if the image has that tag.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.attributes.tags.iter().find(|t| t.key == key).map(|t| t.value.as_str())
    }

    /// Whether `DescribeImageFromFamily` may answer this image: ready (`NORMAL`) and not
    /// deprecated.
    pub fn is_usable(&self) -> bool {
        self.status == ImageStatus::Normal && !self.attributes.image_deprecated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ImageType;

    fn image(name: &str, os: &str) -> CatalogImage {
        CatalogImage {
            image_id: "img-abcdefgh".into(),
            image_name: name.into(),
            image_description: String::new(),
            image_type: ImageType::Private,
            os_name: os.into(),
            create_time: String::new(),
            creator: String::new(),
            status: ImageStatus::Normal,
            attributes: ImageAttributes::default(),
        }
    }

    #[test]
    fn derived_values() {
        let plain = image("web", "CentOS 7.9 64bit");
        assert_eq!(plain.architecture(), Architecture::X86_64);
        assert_eq!(
            (plain.platform(), plain.image_size(), plain.sync_percent()),
            ("CentOS", 20, 100)
        );
        let arm = image("Ubuntu 22.04 ARM", "Ubuntu Server 22.04 LTS 64bit");
        assert_eq!(arm.architecture(), Architecture::Arm64);
        let windows = image("w", "Windows Server 2022 Datacenter 64bit");
        assert_eq!((windows.platform(), windows.image_size()), ("Windows", 50));
        assert_eq!(image("x", "").platform(), "Other");
    }

    #[test]
    fn the_catalog_wins_over_derivation() {
        let mut given = image("arm-looking", "Ubuntu");
        given.attributes = ImageAttributes {
            architecture: Some(Architecture::X86_64),
            snapshots: vec![Snapshot {
                snapshot_id: "snap-aaaaaaaa".into(),
                disk_usage: DiskUsage::SystemDisk,
                disk_size: 80,
            }],
            tags: vec![Tag { key: "team".into(), value: "web".into() }],
            sync_percent: Some(40),
            ..ImageAttributes::default()
        };
        assert_eq!(given.architecture(), Architecture::X86_64);
        assert_eq!((given.image_size(), given.sync_percent()), (80, 40));
        assert_eq!((given.tag("team"), given.tag("env")), (Some("web"), None));
    }

    #[test]
    fn usable_means_normal_and_not_deprecated() {
        let mut candidate = image("x", "CentOS");
        assert!(candidate.is_usable());
        candidate.attributes.image_deprecated = true;
        assert!(!candidate.is_usable());
        candidate.attributes.image_deprecated = false;
        candidate.status = ImageStatus::Creating;
        assert!(!candidate.is_usable());
    }
}
