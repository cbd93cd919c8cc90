//! Image types and statuses as the API names them: the integer codes of API 2.0 (`imageType`,
//! `status`) and the names of API 3.0 (`ImageType`, `ImageState`, and the `image-type` and
//! `image-state` filters). Each enum has one table from which every conversion is read. Also
//! the values of the fields only API 3.0 reports: `Architecture`, `LicenseType` and a
//! snapshot's `DiskUsage`.
//!
//! Plain data: must not depend on anything else in the crate.

/// Whose image it is: `imageType` in 2.0, `ImageType` in 3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageType {
    /// 1, `PRIVATE_IMAGE`: created by this account.
    Private,
    /// 2, `PUBLIC_IMAGE`: Tencent Cloud's public images.
    Public,
    /// 3, `MARKET_IMAGE`: service marketplace images (not offered in North America).
    Marketplace,
    /// 4, `SHARED_IMAGE`: shared with this account by another one.
    Shared,
}

/// The state of an image: `status` in 2.0, `ImageState` in 3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageStatus {
    /// 1, `CREATING`: being created.
    Creating,
    /// 2, `NORMAL`: ready to use.
    Normal,
    /// 3, `USING`: in use.
    InUse,
    /// 4, `SYNCING`: being synchronised to other regions.
    Syncing,
    /// 5, `COPYING`: being copied. API 3.0 documents no such state; the sandbox uses this name.
    Copying,
}

impl ImageType {
    /// Every type with its 2.0 code and 3.0 name.
    const TABLE: [(Self, u8, &'static str); 4] = [
        (Self::Private, 1, "PRIVATE_IMAGE"),
        (Self::Public, 2, "PUBLIC_IMAGE"),
        (Self::Marketplace, 3, "MARKET_IMAGE"),
        (Self::Shared, 4, "SHARED_IMAGE"),
    ];

    /// Every type, in code order.
    pub const ALL: [Self; 4] = [Self::Private, Self::Public, Self::Marketplace, Self::Shared];

    fn row(self) -> (Self, u8, &'static str) {
        Self::TABLE.into_iter().find(|row| row.0 == self).unwrap_or(Self::TABLE[0])
    }

    /// The 2.0 code (1-4).
    pub fn code(self) -> u8 {
        self.row().1
    }

    /// The type of a 2.0 code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::TABLE.into_iter().find(|row| i64::from(row.1) == code).map(|row| row.0)
    }

    /// The 3.0 name, e.g. `PUBLIC_IMAGE`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The type a 3.0 name stands for, ignoring case and surrounding spaces.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::TABLE.into_iter().find(|row| row.2.eq_ignore_ascii_case(name)).map(|row| row.0)
    }
}

impl ImageStatus {
    /// Every status with its 2.0 code and 3.0 name.
    const TABLE: [(Self, u8, &'static str); 5] = [
        (Self::Creating, 1, "CREATING"),
        (Self::Normal, 2, "NORMAL"),
        (Self::InUse, 3, "USING"),
        (Self::Syncing, 4, "SYNCING"),
        (Self::Copying, 5, "COPYING"),
    ];

    /// Every status, in code order.
    pub const ALL: [Self; 5] =
        [Self::Creating, Self::Normal, Self::InUse, Self::Syncing, Self::Copying];

    fn row(self) -> (Self, u8, &'static str) {
        Self::TABLE.into_iter().find(|row| row.0 == self).unwrap_or(Self::TABLE[0])
    }

    /// The 2.0 code (1-5).
    pub fn code(self) -> u8 {
        self.row().1
    }

    /// The status of a 2.0 code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        Self::TABLE.into_iter().find(|row| i64::from(row.1) == code).map(|row| row.0)
    }

    /// The 3.0 name, e.g. `NORMAL`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The status a 3.0 name stands for, ignoring case and surrounding spaces.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::TABLE.into_iter().find(|row| row.2.eq_ignore_ascii_case(name)).map(|row| row.0)
    }
}

/// The processor architecture an image is built for: `Architecture` in 3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Architecture {
    /// `x86_64`: Intel and AMD instance families.
    X86_64,
    /// `arm64`: ARM instance families.
    Arm64,
}

/// Who licenses an image's operating system: `LicenseType` in 3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum LicenseType {
    /// `TencentCloud`: licensed through Tencent Cloud (the default).
    #[default]
    TencentCloud,
    /// `BYOL`: bring your own license.
    Byol,
}

/// What a snapshot of an image holds: `DiskUsage` in 3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiskUsage {
    /// `SYSTEM_DISK`.
    SystemDisk,
    /// `DATA_DISK`.
    DataDisk,
}

/// One enum's names, in one table; every conversion reads it.
macro_rules! named {
    ($type:ty, [$(($value:expr, $name:literal)),+ $(,)?]) => {
        impl $type {
            const NAMES: &'static [($type, &'static str)] = &[$(($value, $name)),+];

            /// The 3.0 name, e.g. `arm64`.
            pub fn name(self) -> &'static str {
                Self::NAMES.iter().find(|row| row.0 == self).map_or("", |row| row.1)
            }

            /// The value a 3.0 name stands for, exactly as the API spells it.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::NAMES.iter().find(|row| row.1 == name).map(|row| row.0)
            }

            /// Every name, for error messages.
            pub fn names() -> Vec<&'static str> {
                Self::NAMES.iter().map(|row| row.1).collect()
            }
        }
    };
}

named!(Architecture, [(Architecture::X86_64, "x86_64"), (Architecture::Arm64, "arm64")]);
named!(LicenseType, [(LicenseType::TencentCloud, "TencentCloud"), (LicenseType::Byol, "BYOL")]);
named!(DiskUsage, [(DiskUsage::SystemDisk, "SYSTEM_DISK"), (DiskUsage::DataDisk, "DATA_DISK")]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_as_documented() {
        let codes: Vec<u8> = ImageType::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(codes, [1, 2, 3, 4]);
        let codes: Vec<u8> = ImageStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5]);
        assert_eq!(ImageType::from_code(2), Some(ImageType::Public));
        assert_eq!(ImageStatus::from_code(3), Some(ImageStatus::InUse));
        for bad in [0, 5, -1] {
            assert_eq!(ImageType::from_code(bad), None, "{bad}");
        }
        for bad in [0, 6, -1] {
            assert_eq!(ImageStatus::from_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_round_trip() {
        for t in ImageType::ALL {
            assert_eq!(ImageType::from_name(t.name()), Some(t));
            assert_eq!(ImageType::from_code(i64::from(t.code())), Some(t));
        }
        for s in ImageStatus::ALL {
            assert_eq!(ImageStatus::from_name(s.name()), Some(s));
            assert_eq!(ImageStatus::from_code(i64::from(s.code())), Some(s));
        }
        assert_eq!(ImageType::from_name(" public_image "), Some(ImageType::Public));
        assert_eq!(ImageType::Marketplace.name(), "MARKET_IMAGE");
        assert_eq!(ImageStatus::InUse.name(), "USING");
        assert_eq!(ImageType::from_name("OTHER_IMAGE"), None);
        assert_eq!(ImageStatus::from_name("CREATEFAILED"), None);
    }

    #[test]
    fn three_point_zero_only_values_round_trip() {
        for arch in [Architecture::X86_64, Architecture::Arm64] {
            assert_eq!(Architecture::from_name(arch.name()), Some(arch));
        }
        assert_eq!(LicenseType::from_name("BYOL"), Some(LicenseType::Byol));
        assert_eq!(LicenseType::default().name(), "TencentCloud");
        assert_eq!(DiskUsage::from_name("DATA_DISK"), Some(DiskUsage::DataDisk));
        assert_eq!(Architecture::from_name("ARM64"), None, "spelled as the API does");
        assert_eq!(DiskUsage::names(), ["SYSTEM_DISK", "DATA_DISK"]);
    }
}
