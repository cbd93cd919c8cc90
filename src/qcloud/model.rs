//! The API's domain objects: what a listing asks for and what it returns.

/// `imageType`: whose images to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageType {
    Private = 1,
    Public = 2,
    Marketplace = 3,
    Shared = 4,
}

/// `status`: the state of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageStatus {
    Creating = 1,
    Normal = 2,
    InUse = 3,
    Syncing = 4,
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
    pub image_name: Option<String>,
    pub image_description: Option<String>,
    /// The raw `imageType` code.
    pub image_type: Option<i64>,
    pub os_name: Option<String>,
    /// The raw `createTime` text (Beijing time, no zone).
    pub create_time: Option<String>,
    /// `creator`, or the reference's misspelling `createor`.
    pub creator: Option<String>,
    /// The raw `status` code.
    pub status: Option<i64>,
}
