//! The image domain: types and statuses with every name they go by, the filters a listing
//! sends, and the images it returns.
//!
//! Plain data: must not depend on the transport, the parsers or Terraform types.

use std::collections::BTreeMap;

/// Whose images to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageType {
    /// Images created by this account.
    Private,
    /// Tencent Cloud's public images.
    Public,
    /// Service marketplace images (not offered in North America).
    Marketplace,
    /// Images other accounts shared with this one.
    Shared,
}

/// The state of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImageStatus {
    /// Being created.
    Creating,
    /// Ready to use.
    Normal,
    /// In use.
    InUse,
    /// Synchronising to other regions.
    Syncing,
    /// Being copied.
    Copying,
}

/// Every type with its API 2.0 `imageType` code, its name in configurations and state, and its
/// API 3.0 `image-type` name. The one table of type names.
const IMAGE_TYPES: [(ImageType, u8, &str, &str); 4] = [
    (ImageType::Private, 1, "private", "PRIVATE_IMAGE"),
    (ImageType::Public, 2, "public", "PUBLIC_IMAGE"),
    (ImageType::Marketplace, 3, "marketplace", "MARKET_IMAGE"),
    (ImageType::Shared, 4, "shared", "SHARED_IMAGE"),
];

/// Every status with its API 2.0 `status` code, its name in configurations and state, and its
/// API 3.0 `ImageState` name. The one table of status names.
///
/// API 3.0 documents no state for an image being copied to another region; its answers are
/// read as `COPYING`, and a `copying` listing is filtered on the client.
const IMAGE_STATUSES: [(ImageStatus, u8, &str, &str); 5] = [
    (ImageStatus::Creating, 1, "creating", "CREATING"),
    (ImageStatus::Normal, 2, "normal", "NORMAL"),
    (ImageStatus::InUse, 3, "in_use", "USING"),
    (ImageStatus::Syncing, 4, "syncing", "SYNCING"),
    (ImageStatus::Copying, 5, "copying", "COPYING"),
];

impl ImageType {
    /// Every type, in code order.
    pub const ALL: [ImageType; 4] = [Self::Private, Self::Public, Self::Marketplace, Self::Shared];

    fn row(self) -> (ImageType, u8, &'static str, &'static str) {
        IMAGE_TYPES[self as usize]
    }

    /// The API 2.0 code (1-4).
    pub fn code(self) -> u8 {
        self.row().1
    }

    /// `private`, `public`, `marketplace` or `shared`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The API 3.0 name, e.g. `PUBLIC_IMAGE`.
    pub fn v3_name(self) -> &'static str {
        self.row().3
    }

    /// The type of an API 2.0 code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        IMAGE_TYPES.iter().find(|row| i64::from(row.1) == code).map(|row| row.0)
    }

    /// The type of an API 3.0 name, in any case, if it is one.
    pub fn from_v3_name(name: &str) -> Option<Self> {
        IMAGE_TYPES.iter().find(|row| row.3.eq_ignore_ascii_case(name.trim())).map(|row| row.0)
    }
}

impl ImageStatus {
    /// Every status, in code order.
    pub const ALL: [ImageStatus; 5] =
        [Self::Creating, Self::Normal, Self::InUse, Self::Syncing, Self::Copying];

    fn row(self) -> (ImageStatus, u8, &'static str, &'static str) {
        IMAGE_STATUSES[self as usize]
    }

    /// The API 2.0 code (1-5).
    pub fn code(self) -> u8 {
        self.row().1
    }

    /// `creating`, `normal`, `in_use`, `syncing` or `copying`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// The API 3.0 `ImageState` name, e.g. `USING`.
    pub fn v3_name(self) -> &'static str {
        self.row().3
    }

    /// The value an API 3.0 `image-state` filter can take; `None` for a state the API cannot
    /// filter on.
    pub fn v3_filter(self) -> Option<&'static str> {
        (self != Self::Copying).then(|| self.v3_name())
    }

    /// The status of an API 2.0 code, if it is one.
    pub fn from_code(code: i64) -> Option<Self> {
        IMAGE_STATUSES.iter().find(|row| i64::from(row.1) == code).map(|row| row.0)
    }

    /// The status of an API 3.0 name, in any case, if it is one.
    pub fn from_v3_name(name: &str) -> Option<Self> {
        IMAGE_STATUSES.iter().find(|row| row.3.eq_ignore_ascii_case(name.trim())).map(|row| row.0)
    }
}

/// Whether `id` has an image id's form: `img-` and 8 lower-case ASCII letters or digits.
pub fn is_image_id(id: &str) -> bool {
    id.strip_prefix("img-").is_some_and(|rest| {
        rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The name of a raw `imageType` code: the type's name, or the code itself when it is none.
pub fn image_type_name(code: i64) -> String {
    ImageType::from_code(code).map_or_else(|| code.to_string(), |t| t.name().to_string())
}

/// The name of a raw `status` code: the status's name, or the code itself when it is none.
pub fn image_status_name(code: i64) -> String {
    ImageStatus::from_code(code).map_or_else(|| code.to_string(), |s| s.name().to_string())
}

/// What a `DescribeImages` listing asks the API for. API 3.0 applies the filters it can and
/// the client the rest; API 2.0 knows only types, ids and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ImageFilter {
    /// The types to list, sorted, each once. API 2.0 takes exactly one per listing; under 3.0,
    /// empty lists every type (useful with ids).
    pub image_types: Vec<ImageType>,
    /// Exact image ids; empty means all. Any number: a listing batches them.
    pub image_ids: Vec<String>,
    /// `None` lists every status.
    pub status: Option<ImageStatus>,
    /// API 3.0 only: only images that instances of this type can boot (`InstanceType`).
    pub instance_type: Option<String>,
    /// API 3.0 only: the OS family (`platform`), compared ignoring case.
    pub platform: Option<String>,
    /// API 3.0 only: images carrying every one of these tags with that value (`tag:<key>`).
    pub tags: BTreeMap<String, String>,
    /// Keep images the API marks deprecated (only API 3.0 reports deprecation).
    pub include_deprecated: bool,
}

impl ImageFilter {
    /// Every image of one type.
    pub fn of_type(image_type: ImageType) -> Self {
        Self { image_types: vec![image_type], ..Self::default() }
    }

    /// Whether any filter only API 3.0 offers is set.
    pub fn uses_api_3_0_filters(&self) -> bool {
        self.instance_type.is_some() || self.platform.is_some() || !self.tags.is_empty()
    }

    /// Whether an image passes the filters that can be checked on its fields: types, ids,
    /// status, platform, tags and deprecation. (`instance_type` cannot be: only the API knows
    /// which images a type boots.)
    pub fn admits(&self, image: &Image) -> bool {
        let code = |c: u8| Some(i64::from(c));
        let type_ok = self.image_types.is_empty()
            || self.image_types.iter().any(|t| image.image_type == code(t.code()));
        let id_ok = self.image_ids.is_empty() || self.image_ids.contains(&image.image_id);
        let status_ok = self.status.is_none_or(|s| image.status == code(s.code()));
        let details = image.details();
        let platform_ok = self.platform.as_deref().is_none_or(|wanted| {
            details.platform.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(wanted))
        });
        let tags_ok = self.tags.iter().all(|(key, value)| {
            details.tags.as_ref().is_some_and(|tags| tags.get(key) == Some(value))
        });
        let deprecation_ok = self.include_deprecated || !image.is_deprecated();
        type_ok && id_ok && status_ok && platform_ok && tags_ok && deprecation_ok
    }
}

/// One snapshot an image is made of (API 3.0 `SnapshotSet`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub snapshot_id: Option<String>,
    /// `SYSTEM_DISK` or `DATA_DISK`.
    pub disk_usage: Option<String>,
    /// GiB.
    pub disk_size: Option<i64>,
}

/// One image as the API describes it, as lenient as the API: every field but the id may be
/// absent. Both API versions fill the same fields; what only API 3.0 returns is in
/// [`Image::details`], absent under 2.0 (so a large 2.0 listing does not carry a dozen empty
/// fields per image).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// `unImgId` (2.0), `ImageId` (3.0).
    pub image_id: String,
    pub image_name: Option<String>,
    pub image_description: Option<String>,
    /// The raw API 2.0 type code (3.0 names are read as their code).
    pub image_type: Option<i64>,
    pub os_name: Option<String>,
    /// The API 2.0 `createTime` text (Beijing time, no zone); 3.0 times are converted to it.
    pub create_time: Option<String>,
    /// `creator` (or the reference's misspelling `createor`), `ImageCreator` (3.0).
    pub creator: Option<String>,
    /// The raw API 2.0 status code (3.0 names are read as their code).
    pub status: Option<i64>,
    /// What only API 3.0 returns.
    pub details: Option<Box<ImageDetails>>,
}

/// The fields of an image that only API 3.0 returns; each may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageDetails {
    /// `Architecture` (`x86_64`, `arm64`, ...).
    pub architecture: Option<String>,
    /// `Platform` (the OS family, e.g. `CentOS`).
    pub platform: Option<String>,
    /// `ImageSize`, in GiB.
    pub image_size: Option<i64>,
    /// `ImageSource` (`OFFICIAL`, `CREATE_IMAGE`, `EXTERNAL_IMPORT`, ...).
    pub image_source: Option<String>,
    /// The raw `ImageState` (`NORMAL`, `CREATEFAILED`, ...).
    pub image_state: Option<String>,
    /// `IsSupportCloudinit`.
    pub is_support_cloudinit: Option<bool>,
    /// `SnapshotSet`.
    pub snapshots: Option<Vec<Snapshot>>,
    /// `Tags`, key → value.
    pub tags: Option<BTreeMap<String, String>>,
    /// `LicenseType` (`TencentCloud`, `BYOL`).
    pub license_type: Option<String>,
    /// `ImageFamily`; `None` when the image has none (the API sends it empty).
    pub image_family: Option<String>,
    /// `ImageDeprecated`.
    pub image_deprecated: Option<bool>,
    /// `SyncPercent`.
    pub sync_percent: Option<i64>,
}

impl Image {
    /// The API 3.0 fields, empty under 2.0.
    pub fn details(&self) -> &ImageDetails {
        static NONE: ImageDetails = ImageDetails {
            architecture: None,
            platform: None,
            image_size: None,
            image_source: None,
            image_state: None,
            is_support_cloudinit: None,
            snapshots: None,
            tags: None,
            license_type: None,
            image_family: None,
            image_deprecated: None,
            sync_percent: None,
        };
        self.details.as_deref().unwrap_or(&NONE)
    }

    /// The API 3.0 fields, to fill in (created empty on first use).
    pub fn details_mut(&mut self) -> &mut ImageDetails {
        self.details.get_or_insert_with(Box::default)
    }

    /// Whether the API marks the image deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.details().image_deprecated == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for t in ImageType::ALL {
            assert_eq!(ImageType::from_code(i64::from(t.code())), Some(t));
            assert_eq!(ImageType::from_v3_name(t.v3_name()), Some(t));
        }
        for s in ImageStatus::ALL {
            assert_eq!(ImageStatus::from_code(i64::from(s.code())), Some(s));
            assert_eq!(ImageStatus::from_v3_name(s.v3_name()), Some(s));
        }
        assert_eq!(ImageType::from_v3_name("public_image"), Some(ImageType::Public));
        assert_eq!(ImageType::from_v3_name("OTHER_IMAGE"), None);
        assert_eq!(ImageStatus::from_v3_name("CREATEFAILED"), None);
        assert_eq!(ImageStatus::Copying.v3_filter(), None);
        assert_eq!(ImageStatus::InUse.v3_filter(), Some("USING"));
    }

    #[test]
    fn codes_and_names_follow_the_api() {
        let types: Vec<(u8, &str)> = ImageType::ALL.iter().map(|t| (t.code(), t.name())).collect();
        assert_eq!(types, [(1, "private"), (2, "public"), (3, "marketplace"), (4, "shared")]);
        let statuses: Vec<(u8, &str)> =
            ImageStatus::ALL.iter().map(|s| (s.code(), s.name())).collect();
        assert_eq!(
            statuses,
            [(1, "creating"), (2, "normal"), (3, "in_use"), (4, "syncing"), (5, "copying")]
        );
        assert_eq!(ImageType::from_code(0), None);
        assert_eq!(ImageStatus::from_code(6), None);
    }

    #[test]
    fn filters_admit_images_by_their_fields() {
        let details = ImageDetails {
            platform: Some("Ubuntu".into()),
            tags: Some(BTreeMap::from([("team".into(), "web".into())])),
            image_deprecated: Some(false),
            ..ImageDetails::default()
        };
        let image = Image {
            image_id: "img-aaaaaaaa".into(),
            image_type: Some(1),
            status: Some(2),
            details: Some(Box::new(details)),
            ..Image::default()
        };
        let private = ImageFilter::of_type(ImageType::Private);
        let tagged = |key: &str, value: &str| ImageFilter {
            tags: BTreeMap::from([(key.to_string(), value.to_string())]),
            ..private.clone()
        };
        let cases = [
            (private.clone(), true),
            (ImageFilter::default(), true),
            (ImageFilter::of_type(ImageType::Public), false),
            (
                ImageFilter {
                    image_types: vec![ImageType::Public, ImageType::Private],
                    ..ImageFilter::default()
                },
                true,
            ),
            (ImageFilter { image_ids: vec!["img-bbbbbbbb".into()], ..private.clone() }, false),
            (ImageFilter { status: Some(ImageStatus::InUse), ..private.clone() }, false),
            (ImageFilter { platform: Some("ubuntu".into()), ..private.clone() }, true),
            (ImageFilter { platform: Some("CentOS".into()), ..private.clone() }, false),
            (tagged("team", "web"), true),
            (tagged("team", "db"), false),
            (tagged("owner", "web"), false),
        ];
        for (filter, admitted) in cases {
            assert_eq!(filter.admits(&image), admitted, "{filter:?}");
        }
        let deprecated = Image {
            details: Some(Box::new(ImageDetails {
                image_deprecated: Some(true),
                ..image.details().clone()
            })),
            ..image
        };
        assert!(!private.admits(&deprecated));
        assert!(ImageFilter { include_deprecated: true, ..private }.admits(&deprecated));
    }

    #[test]
    fn unknown_codes_are_named_by_their_number() {
        assert_eq!(image_type_name(2), "public");
        assert_eq!(image_type_name(9), "9");
        assert_eq!(image_status_name(3), "in_use");
        assert_eq!(image_status_name(-1), "-1");
    }
}
