//! The images a sandbox serves, and the selection of one page of them.
//!
//! A catalog is an ordered list of images with unique, well-formed ids. The order is the order
//! pages are served in. It comes from the built-in data file ([`Catalog::builtin`]), a JSON
//! file ([`Catalog::from_json_file`]) or a seeded generator ([`Catalog::synthetic`]).
//!
//! Must not depend on HTTP or on the server. Pages are selected for an API 2.0 query
//! ([`v2::Query`]); API 3.0 selects through [`crate::v3::Query::select`].

mod attributes;
mod builtin;
mod file;
mod synthetic;

use std::collections::HashSet;
use std::fmt;

use time::OffsetDateTime;
use time::macros::format_description;

use crate::model::{ImageStatus, ImageType};
use crate::v2;

pub use attributes::{ImageAttributes, Snapshot, Tag};
pub use file::CatalogError;
pub(crate) use file::ImageJson;
pub(crate) use synthetic::synthetic_id;

/// One image as the API describes it. Text fields may be empty, as the API's may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogImage {
    /// `unImgId`: `img-` and 8 lower-case letters or digits.
    pub image_id: String,
    /// `imageName`.
    pub image_name: String,
    /// `imageDescription`.
    pub image_description: String,
    /// `imageType`.
    pub image_type: ImageType,
    /// `osName`.
    pub os_name: String,
    /// `createTime`: `YYYY-MM-DD HH:MM:SS` (Beijing time), or empty.
    pub create_time: String,
    /// `creator`: the owner's account id.
    pub creator: String,
    /// `status`.
    pub status: ImageStatus,
    /// What only API 3.0 reports: architecture, tags, snapshots, license, family, deprecation.
    pub attributes: ImageAttributes,
}

/// An ordered list of images with unique, well-formed ids.
#[derive(Clone, Default)]
pub struct Catalog {
    images: Vec<CatalogImage>,
    ids: HashSet<String>,
}

/// One answer to `DescribeImages`: the number of matches and the requested page of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `totalCount`: every match, before paging.
    pub total_count: usize,
    /// `imageSet`: the matches from `offset`, at most `limit` of them.
    pub images: Vec<CatalogImage>,
}

/// Whether `id` has the API's form: `img-` and 8 lower-case ASCII letters or digits.
pub fn is_valid_image_id(id: &str) -> bool {
    id.strip_prefix("img-").is_some_and(|rest| {
        rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Regions where marketplace images are not offered (North America).
pub fn is_north_america(region: &str) -> bool {
    region.starts_with("na-")
}

/// Formats unix seconds as the API's `createTime` text.
pub(crate) fn format_create_time(unix: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

impl Catalog {
    /// A catalog of `images`, in that order. Ids must be well-formed and unique.
    pub fn new(images: Vec<CatalogImage>) -> Result<Self, CatalogError> {
        let mut catalog = Catalog::default();
        for (index, image) in images.into_iter().enumerate() {
            if !is_valid_image_id(&image.image_id) {
                return Err(CatalogError::InvalidId { index, id: image.image_id });
            }
            if catalog.contains(&image.image_id) {
                return Err(CatalogError::DuplicateId { id: image.image_id });
            }
            catalog.ids.insert(image.image_id.clone());
            catalog.images.push(image);
        }
        Ok(catalog)
    }

    /// The images, in serving order.
    pub fn images(&self) -> &[CatalogImage] {
        &self.images
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Whether an image with this id is in the catalog.
    pub fn contains(&self, image_id: &str) -> bool {
        self.ids.contains(image_id)
    }

    /// The image with this id.
    pub fn get(&self, image_id: &str) -> Option<&CatalogImage> {
        self.images.iter().find(|image| image.image_id == image_id)
    }

    /// Puts `image` first (it appears on page one; later pages shift by one).
    /// Refused when its id is malformed or already used.
    pub fn insert_first(&mut self, image: CatalogImage) -> Result<(), CatalogError> {
        if !is_valid_image_id(&image.image_id) {
            return Err(CatalogError::InvalidId { index: 0, id: image.image_id });
        }
        if !self.ids.insert(image.image_id.clone()) {
            return Err(CatalogError::DuplicateId { id: image.image_id });
        }
        self.images.insert(0, image);
        Ok(())
    }

    /// Removes the image with this id (later images shift back by one).
    pub fn remove(&mut self, image_id: &str) -> Option<CatalogImage> {
        let position = self.images.iter().position(|image| image.image_id == image_id)?;
        self.ids.remove(image_id);
        Some(self.images.remove(position))
    }

    /// Every image `query` matches, in serving order, before paging.
    pub fn matching<'a>(
        &'a self,
        query: &'a v2::Query,
    ) -> impl Iterator<Item = &'a CatalogImage> + 'a {
        let hidden = query.image_type == ImageType::Marketplace && is_north_america(&query.region);
        self.images.iter().filter(move |image| !hidden && query.matches(image))
    }

    /// The answer to `query`: the number of matches and the page `offset`..`offset + limit`.
    pub fn select(&self, query: &v2::Query) -> Page {
        let total_count = self.matching(query).count();
        let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
        let images = self.matching(query).skip(offset).take(query.limit).cloned().collect();
        Page { total_count, images }
    }
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog").field("images", &self.images.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str, image_type: ImageType, status: ImageStatus) -> CatalogImage {
        CatalogImage {
            image_id: id.into(),
            image_name: format!("name of {id}"),
            image_description: String::new(),
            image_type,
            os_name: "CentOS 7.9 64bit".into(),
            create_time: "2024-01-01 00:00:00".into(),
            creator: "100000000001".into(),
            status,
            attributes: ImageAttributes::default(),
        }
    }

    fn query(image_type: ImageType) -> v2::Query {
        v2::Query {
            region: "ap-guangzhou".into(),
            image_type,
            image_ids: Vec::new(),
            status: None,
            offset: 0,
            limit: 20,
        }
    }

    fn small() -> Catalog {
        use ImageStatus::*;
        use ImageType::*;
        Catalog::new(vec![
            image("img-aaaaaaa1", Private, Normal),
            image("img-aaaaaaa2", Private, Creating),
            image("img-aaaaaaa3", Public, Normal),
            image("img-aaaaaaa4", Private, Normal),
            image("img-aaaaaaa5", Marketplace, Normal),
            image("img-aaaaaaa6", Shared, InUse),
            image("img-aaaaaaa7", Private, Normal),
        ])
        .expect("the test catalog is well-formed")
    }

    fn ids(page: &Page) -> Vec<&str> {
        page.images.iter().map(|i| i.image_id.as_str()).collect()
    }

    #[test]
    fn image_id_form() {
        for good in ["img-abcdefgh", "img-01234567", "img-7br3ouzr"] {
            assert!(is_valid_image_id(good), "{good}");
        }
        for bad in
            ["img-ABCDEFGH", "img-abcdefg", "img-abcdefghi", "ins-abcdefgh", "", "img-abc_efgh"]
        {
            assert!(!is_valid_image_id(bad), "{bad}");
        }
    }

    #[test]
    fn new_refuses_malformed_and_duplicate_ids() {
        let bad = Catalog::new(vec![image("img-BAD", ImageType::Private, ImageStatus::Normal)]);
        assert!(matches!(bad, Err(CatalogError::InvalidId { index: 0, .. })));
        let dup = Catalog::new(vec![
            image("img-aaaaaaa1", ImageType::Private, ImageStatus::Normal),
            image("img-aaaaaaa1", ImageType::Public, ImageStatus::Normal),
        ]);
        assert!(matches!(dup, Err(CatalogError::DuplicateId { .. })));
    }

    #[test]
    fn filters_by_type_ids_and_status() {
        let catalog = small();
        let cases: Vec<(v2::Query, Vec<&str>)> = vec![
            (
                query(ImageType::Private),
                vec!["img-aaaaaaa1", "img-aaaaaaa2", "img-aaaaaaa4", "img-aaaaaaa7"],
            ),
            (query(ImageType::Shared), vec!["img-aaaaaaa6"]),
            (
                v2::Query { status: Some(ImageStatus::Creating), ..query(ImageType::Private) },
                vec!["img-aaaaaaa2"],
            ),
            (
                v2::Query {
                    image_ids: vec![
                        "img-aaaaaaa7".into(),
                        "img-aaaaaaa3".into(),
                        "img-zzzzzzzz".into(),
                    ],
                    ..query(ImageType::Private)
                },
                vec!["img-aaaaaaa7"],
            ),
        ];
        for (q, want) in cases {
            let page = catalog.select(&q);
            assert_eq!(ids(&page), want, "{q:?}");
            assert_eq!(page.total_count, want.len());
        }
    }

    #[test]
    fn pages_with_offset_and_limit() {
        let catalog = small();
        let cases = [
            (0, 2, vec!["img-aaaaaaa1", "img-aaaaaaa2"]),
            (2, 2, vec!["img-aaaaaaa4", "img-aaaaaaa7"]),
            (3, 5, vec!["img-aaaaaaa7"]),
            (4, 5, vec![]),
            (u64::MAX, 1, vec![]),
        ];
        for (offset, limit, want) in cases {
            let page = catalog.select(&v2::Query { offset, limit, ..query(ImageType::Private) });
            assert_eq!(ids(&page), want, "offset {offset} limit {limit}");
            assert_eq!(page.total_count, 4);
        }
    }

    #[test]
    fn marketplace_is_empty_in_north_america_only() {
        let catalog = small();
        let market = query(ImageType::Marketplace);
        assert_eq!(catalog.select(&market).total_count, 1);
        for region in ["na-ashburn", "na-siliconvalley", "na-toronto"] {
            let page = catalog.select(&v2::Query { region: region.into(), ..market.clone() });
            assert_eq!(page, Page { total_count: 0, images: vec![] }, "{region}");
            let private = v2::Query { region: region.into(), ..query(ImageType::Private) };
            assert_eq!(catalog.select(&private).total_count, 4, "{region}");
        }
    }

    #[test]
    fn insert_first_and_remove_shift_pages() {
        let mut catalog = small();
        let new = image("img-bbbbbbb1", ImageType::Private, ImageStatus::Normal);
        catalog.insert_first(new.clone()).expect("a new id is accepted");
        assert_eq!(catalog.images()[0], new);
        assert!(matches!(catalog.insert_first(new), Err(CatalogError::DuplicateId { .. })));
        assert!(catalog.remove("img-aaaaaaa1").is_some());
        assert!(!catalog.contains("img-aaaaaaa1"));
        assert!(catalog.remove("img-aaaaaaa1").is_none());
        assert_eq!(catalog.len(), 7);
    }

    #[test]
    fn create_time_format() {
        assert_eq!(format_create_time(1_411_812_660), "2014-09-27 10:11:00");
        assert_eq!(format_create_time(0), "1970-01-01 00:00:00");
    }
}
