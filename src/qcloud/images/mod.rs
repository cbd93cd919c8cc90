//! The image actions: `DescribeImages` (every page of a listing) in both API versions, and
//! `DescribeImageFromFamily` (API 3.0).
//!
//! - [`model`]: types, statuses, filters and images: what callers see.
//! - [`listing`]: every page of every batch of ids, concurrently, robust to a changing
//!   `totalCount`.
//! - [`v2`] and [`v3`]: `DescribeImages` as each API version spells it (parameters, answer
//!   fields, what the API cannot filter), behind the [`Dialect`] seam.
//!
//! Must not depend on Terraform types.

pub mod listing;
pub mod model;
pub mod v2;
pub mod v3;

use super::call::Budget;
use serde_json::{Map, Value};

use super::call::Call;
use super::json::int;
use super::transport::{Transport, read_answer};
use super::{ApiVersion, Error};
pub use model::{
    Image, ImageDetails, ImageFilter, ImageStatus, ImageType, Snapshot, image_status_name,
    image_type_name, is_image_id,
};

/// The action's name in both API versions.
pub const DESCRIBE_IMAGES: &str = "DescribeImages";
/// The action that picks a family's latest image (API 3.0).
pub const DESCRIBE_IMAGE_FROM_FAMILY: &str = "DescribeImageFromFamily";
/// `limit` of every page: the API's maximum.
pub const PAGE_SIZE: u32 = 100;
/// The most image ids one request carries.
pub const MAX_IDS_PER_REQUEST: usize = 10;

/// One page of a `DescribeImages` answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// The announced total, when present and a non-negative integer.
    pub total_count: Option<u64>,
    /// The page's images, in the API's order.
    pub images: Vec<Image>,
}

/// `DescribeImages` as one API version spells it.
pub trait Dialect: Sync {
    /// The call for one page of one batch of ids (empty: every id).
    fn page_call(&self, filter: &ImageFilter, ids: &[String], offset: u64, limit: u32) -> Call;

    /// One page from the answer's content.
    fn parse_page(&self, content: &Map<String, Value>) -> Result<Page, String>;

    /// Whether a listed image satisfies the parts of `filter` the API could not apply.
    fn keeps(&self, filter: &ImageFilter, image: &Image) -> bool;
}

/// The dialect of `version`: the one place the version picks the action's code.
pub fn dialect(version: ApiVersion) -> &'static dyn Dialect {
    match version {
        ApiVersion::V2 => &v2::V2,
        ApiVersion::V3 => &v3::V3,
    }
}

/// The listings that together list `filter` in `version`: API 2.0 takes one `imageType` per
/// request, so a filter of several types becomes one listing per type; API 3.0 lists them at
/// once. Callers run them separately so that identical listings can be shared.
pub fn listings(filter: &ImageFilter, version: ApiVersion) -> Vec<ImageFilter> {
    match version {
        ApiVersion::V2 if filter.image_types.len() > 1 => filter
            .image_types
            .iter()
            .map(|t| ImageFilter { image_types: vec![*t], ..filter.clone() })
            .collect(),
        _ => vec![filter.clone()],
    }
}

/// Every image matching `filter`, every page, each image once (the first occurrence), in the
/// API's order. All or nothing: if any page fails for good, the listing fails. Under API 2.0
/// the filter must name exactly one type (see [`listings`]) and no 3.0-only filter.
pub async fn describe_images(
    transport: &Transport,
    filter: &ImageFilter,
    budget: &Budget,
) -> Result<Vec<Image>, Error> {
    if budget.cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let version = transport.settings().api_version();
    if version == ApiVersion::V2 {
        check_2_0(filter)?;
    }
    let dialect = dialect(version);
    let lister = listing::Lister::new(transport, dialect, filter, budget);
    let images = tokio::select! {
        biased;
        () = budget.cancel.cancelled() => Err(Error::Cancelled),
        result = lister.run() => result,
    }?;
    Ok(images.into_iter().filter(|image| dialect.keeps(filter, image)).collect())
}

/// What an API 2.0 listing cannot express.
fn check_2_0(filter: &ImageFilter) -> Result<(), Error> {
    let not_offered =
        |what: &str| Err(Error::NotOffered { what: what.to_string(), version: ApiVersion::V2 });
    match filter.image_types.len() {
        0 => not_offered("listing images without an image type"),
        1 if filter.uses_api_3_0_filters() => {
            not_offered("filtering by instance type, platform or tags")
        }
        1 => Ok(()),
        _ => not_offered("listing several image types in one request"),
    }
}

/// The latest image of `family` that instances can use, or `None` when the family has none
/// (`DescribeImageFromFamily`, API 3.0 only).
pub async fn describe_image_from_family(
    transport: &Transport,
    family: &str,
    budget: &Budget,
) -> Result<Option<Image>, Error> {
    let version = transport.settings().api_version();
    if version != ApiVersion::V3 {
        return Err(Error::NotOffered { what: DESCRIBE_IMAGE_FROM_FAMILY.into(), version });
    }
    let body = serde_json::json!({ "ImageFamily": family }).to_string();
    let call = Call::V3(crate::qcloud::v3::Call {
        service: v3::SERVICE,
        version: v3::VERSION,
        action: DESCRIBE_IMAGE_FROM_FAMILY,
        body,
    });
    let parse = |content: &Map<String, Value>| match content.get("Image") {
        None | Some(Value::Null) => Ok(None),
        Some(image) => v3::image_of(image).map(Some),
    };
    transport.send(&call, &format!("family {family:?}"), &parse, budget).await
}

/// One `DescribeImages` answer of `version`, read as the client reads it: the envelope, then
/// the page. For fuzzing and benchmarks of the parsers.
pub fn parse_page_answer(version: ApiVersion, status: u16, body: &[u8]) -> Result<Page, Error> {
    let dialect = dialect(version);
    read_answer(version, status, body, &|content: &Map<String, Value>| dialect.parse_page(content))
}

/// A page from its count and image-list fields (named per API version), each image parsed by
/// `parse_image`; a missing or null list is an empty page.
pub(crate) fn parse_page_fields(
    content: &Map<String, Value>,
    [count_field, set_field]: [&str; 2],
    parse_image: fn(usize, &Value) -> Result<Image, String>,
) -> Result<Page, String> {
    let total_count = content.get(count_field).and_then(int).and_then(|n| u64::try_from(n).ok());
    let images = match content.get(set_field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .map(|(i, entry)| parse_image(i, entry))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(format!("{set_field} is not a list")),
    };
    Ok(Page { total_count, images })
}

/// Splits `ids` into request batches of at most [`MAX_IDS_PER_REQUEST`], dropping repeated
/// ids (the first occurrence stays). No ids gives one batch without ids: list everything.
pub fn id_batches(ids: &[String]) -> Vec<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<String> = ids.iter().filter(|id| seen.insert(id.as_str())).cloned().collect();
    if unique.is_empty() {
        return vec![Vec::new()];
    }
    unique.chunks(MAX_IDS_PER_REQUEST).map(<[String]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("img-{i:08}")).collect()
    }

    #[test]
    fn several_types_are_one_listing_per_type_under_2_0_and_one_under_3_0() {
        let filter = ImageFilter {
            image_types: vec![ImageType::Private, ImageType::Shared],
            status: Some(ImageStatus::Normal),
            ..ImageFilter::default()
        };
        let v2 = listings(&filter, ApiVersion::V2);
        let types: Vec<Vec<ImageType>> = v2.iter().map(|f| f.image_types.clone()).collect();
        assert_eq!(types, [vec![ImageType::Private], vec![ImageType::Shared]]);
        assert!(v2.iter().all(|f| f.status == Some(ImageStatus::Normal)));
        assert_eq!(listings(&filter, ApiVersion::V3), std::slice::from_ref(&filter));
        let one = ImageFilter::of_type(ImageType::Public);
        assert_eq!(listings(&one, ApiVersion::V2), [one]);
    }

    #[test]
    fn api_2_0_refuses_what_it_cannot_express() {
        let no_type = ImageFilter::default();
        let platform = ImageFilter {
            platform: Some("Ubuntu".into()),
            ..ImageFilter::of_type(ImageType::Public)
        };
        let two = ImageFilter {
            image_types: vec![ImageType::Private, ImageType::Public],
            ..ImageFilter::default()
        };
        for filter in [no_type, platform, two] {
            assert!(matches!(check_2_0(&filter), Err(Error::NotOffered { .. })), "{filter:?}");
        }
        assert!(check_2_0(&ImageFilter::of_type(ImageType::Public)).is_ok());
    }

    #[test]
    fn ids_are_batched_by_ten_without_repeats() {
        assert_eq!(id_batches(&[]), vec![Vec::<String>::new()]);
        let batches = id_batches(&ids(25));
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 5]);
        assert_eq!(batches.concat(), ids(25));

        let mut repeated = ids(10);
        repeated.extend(ids(3));
        assert_eq!(id_batches(&repeated), vec![ids(10)]);
        assert_eq!(id_batches(&ids(10)).len(), 1);
        assert_eq!(id_batches(&ids(11)).len(), 2);
    }
}
