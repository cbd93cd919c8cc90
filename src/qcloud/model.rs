//! The API's domain objects: what a listing asks for and what it returns.
//!
//! Plain data: must not depend on the transport, the parser or Terraform types.

/// `imageType`: whose images to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageType {
    /// 1: images created by this account.
    Private = 1,
    /// 2: Tencent Cloud's public images.
    Public = 2,
    /// 3: service marketplace images (not offered in North America).
    Marketplace = 3,
    /// 4: images other accounts shared with this one.
    Shared = 4,
}

/// `status`: the state of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageStatus {
    /// 1: being created.
    Creating = 1,
    /// 2: ready to use.
    Normal = 2,
    /// 3: in use.
    InUse = 3,
    /// 4: synchronising to other regions.
    Syncing = 4,
    /// 5: being copied.
    Copying = 5,
}

impl ImageType {
    /// The API code (1-4).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type for an API code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        [Self::Private, Self::Public, Self::Marketplace, Self::Shared]
            .into_iter()
            .find(|t| i64::from(t.code()) == code)
    }
}

impl ImageStatus {
    /// The API code (1-5).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status for an API code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        [Self::Creating, Self::Normal, Self::InUse, Self::Syncing, Self::Copying]
            .into_iter()
            .find(|s| i64::from(s.code()) == code)
    }
}

/// A `DescribeImages` listing: the server-side filters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageQuery {
    /// `imageType`: required by the API.
    pub image_type: ImageType,
    /// Exact image ids; empty means all. Any number: the client batches them by 10.
    pub image_ids: Vec<String>,
    /// `None` lists every status.
    pub status: Option<ImageStatus>,
}

/// One entry of `imageSet`, as lenient as the API: every field but the id may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// `unImgId`.
    pub image_id: String,
    /// `imageName`.
    pub image_name: Option<String>,
    /// `imageDescription`.
    pub image_description: Option<String>,
    /// The raw `imageType` code.
    pub image_type: Option<i64>,
    /// `osName`.
    pub os_name: Option<String>,
    /// The raw `createTime` text (Beijing time, no zone).
    pub create_time: Option<String>,
    /// `creator`, or the reference's misspelling `createor`.
    pub creator: Option<String>,
    /// The raw `status` code.
    pub status: Option<i64>,
    /// API 3.0 only: `Architecture` (`x86_64`, `arm64`, ...).
    pub architecture: Option<String>,
    /// API 3.0 only: `Platform` (the OS family, e.g. `CentOS`).
    pub platform: Option<String>,
    /// API 3.0 only: `ImageSize`, in GiB.
    pub image_size: Option<i64>,
    /// API 3.0 only: `ImageSource` (`OFFICIAL`, `CREATE_IMAGE`, `EXTERNAL_IMPORT`, ...).
    pub image_source: Option<String>,
    /// API 3.0 only: the raw `ImageState` (`NORMAL`, `CREATEFAILED`, ...).
    pub image_state: Option<String>,
    /// API 3.0 only: `IsSupportCloudinit`.
    pub is_support_cloudinit: Option<bool>,
}
