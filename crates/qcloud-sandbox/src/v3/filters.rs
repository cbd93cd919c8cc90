//! `DescribeImages` `Filters`: at most 10, each a `Name` and at most 5 `Values`; filters are
//! ANDed, the values of one filter ORed. The names the API documents:
//!
//! | name | an image matches when |
//! |---|---|
//! | `image-id` | its id is one of the values |
//! | `image-type` | its type is one of `PRIVATE_IMAGE`, `PUBLIC_IMAGE`, `SHARED_IMAGE` (or `MARKET_IMAGE`) given |
//! | `image-state` | its state is one of the values (`NORMAL`, `CREATING`, ...) |
//! | `image-name` | its name contains a value, ignoring case (fuzzy) |
//! | `platform` | its platform (`CentOS`, `Ubuntu`, ...) is a value, ignoring case |
//! | `tag-key` | it has a tag with one of the keys |
//! | `tag-value` | it has a tag with one of the values |
//! | `tag:<key>` | it has tag `<key>` with one of the values |
//!
//! Any other name is `InvalidFilter`; more than 10 filters `InvalidParameterValue.LimitExceeded`,
//! more than 5 values `InvalidFilterValue.LimitExceeded`.
//!
//! Must not depend on HTTP types or on the server.

use serde_json::Value;

use super::error::{Code, Error};
use super::params::strings_of;
use crate::catalog::{CatalogImage, is_valid_image_id};
use crate::model::{ImageStatus, ImageType};

/// The most filters one request may carry.
pub const MAX_FILTERS: usize = 10;
/// The most values one filter may carry.
pub const MAX_FILTER_VALUES: usize = 5;
/// The filter names, but `tag:<key>`.
pub const NAMES: [&str; 7] =
    ["image-id", "image-type", "image-state", "image-name", "platform", "tag-key", "tag-value"];

/// One validated filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `image-id`.
    ImageId(Vec<String>),
    /// `image-type`.
    ImageType(Vec<ImageType>),
    /// `image-state`.
    ImageState(Vec<ImageStatus>),
    /// `image-name`, fuzzy.
    ImageName(Vec<String>),
    /// `platform`.
    Platform(Vec<String>),
    /// `tag-key`.
    TagKey(Vec<String>),
    /// `tag-value`.
    TagValue(Vec<String>),
    /// `tag:<key>`.
    Tag {
        /// The tag's key.
        key: String,
        /// Its accepted values.
        values: Vec<String>,
    },
}

/// Reads the `Filters` parameter (absent: none).
pub fn parse_filters(value: Option<&Value>) -> Result<Vec<Filter>, Error> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let list = value.as_array().ok_or_else(|| Error::invalid("Filters must be a list"))?;
    if list.len() > MAX_FILTERS {
        return Err(Error::new(
            Code::LimitExceeded,
            format!("{} Filters were sent; at most {MAX_FILTERS} are allowed", list.len()),
        ));
    }
    list.iter().enumerate().map(|(index, filter)| parse_filter(index, filter)).collect()
}

fn parse_filter(index: usize, filter: &Value) -> Result<Filter, Error> {
    let at = format!("Filters.{index}");
    let name = filter
        .get("Name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid(format!("{at}.Name must be a filter name")))?;
    let values = strings_of(filter.get("Values").unwrap_or(&Value::Null), &format!("{at}.Values"))?;
    if values.is_empty() {
        return Err(Error::invalid(format!("{at}.Values ({name}) must hold at least one value")));
    }
    if values.len() > MAX_FILTER_VALUES {
        return Err(Error::new(
            Code::FilterValueLimitExceeded,
            format!(
                "the filter {name} has {} values; at most {MAX_FILTER_VALUES} are allowed",
                values.len()
            ),
        ));
    }
    filter_of(name, values)
}

/// The filter `name` with `values` (already counted).
fn filter_of(name: &str, values: Vec<String>) -> Result<Filter, Error> {
    Ok(match name {
        "image-id" => match values.iter().find(|id| !is_valid_image_id(id)) {
            Some(bad) => return Err(malformed_id(bad)),
            None => Filter::ImageId(values),
        },
        "image-type" => Filter::ImageType(named(
            name,
            &values,
            ImageType::from_name,
            "PRIVATE_IMAGE, PUBLIC_IMAGE or SHARED_IMAGE",
        )?),
        "image-state" => Filter::ImageState(named(
            name,
            &values,
            ImageStatus::from_name,
            "NORMAL, CREATING, USING or SYNCING",
        )?),
        "image-name" => Filter::ImageName(values),
        "platform" => Filter::Platform(values),
        "tag-key" => Filter::TagKey(values),
        "tag-value" => Filter::TagValue(values),
        _ => match name.strip_prefix("tag:") {
            Some(key) if !key.is_empty() => Filter::Tag { key: key.to_owned(), values },
            _ => {
                return Err(Error::new(
                    Code::InvalidFilter,
                    format!(
                        "the filter {name:?} is not valid: use {} or tag:<key>",
                        NAMES.join(", ")
                    ),
                ));
            }
        },
    })
}

/// `values` read as names by `from_name`; `InvalidParameterValue` for one that is none.
fn named<T>(
    filter: &str,
    values: &[String],
    from_name: fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Vec<T>, Error> {
    values
        .iter()
        .map(|value| {
            from_name(value).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameterValue,
                    format!("the filter {filter} cannot take {value:?}: use {expected}"),
                )
            })
        })
        .collect()
}

/// `InvalidImageId.Malformed` for `id`.
pub fn malformed_id(id: &str) -> Error {
    Error::new(
        Code::MalformedImageId,
        format!("the image id {id:?} is malformed: it is img- and 8 lower-case letters or digits"),
    )
}

impl Filter {
    /// The filter's name, e.g. `tag:team`.
    pub fn name(&self) -> String {
        let name = match self {
            Filter::ImageId(_) => "image-id",
            Filter::ImageType(_) => "image-type",
            Filter::ImageState(_) => "image-state",
            Filter::ImageName(_) => "image-name",
            Filter::Platform(_) => "platform",
            Filter::TagKey(_) => "tag-key",
            Filter::TagValue(_) => "tag-value",
            Filter::Tag { key, .. } => return format!("tag:{key}"),
        };
        name.to_owned()
    }

    /// The values, as the API names them.
    pub fn values(&self) -> Vec<&str> {
        match self {
            Filter::ImageType(types) => types.iter().map(|t| t.name()).collect(),
            Filter::ImageState(states) => states.iter().map(|s| s.name()).collect(),
            Filter::ImageId(v)
            | Filter::ImageName(v)
            | Filter::Platform(v)
            | Filter::TagKey(v)
            | Filter::TagValue(v)
            | Filter::Tag { values: v, .. } => v.iter().map(String::as_str).collect(),
        }
    }

    /// Whether `image` passes this filter.
    pub fn matches(&self, image: &CatalogImage) -> bool {
        let tags = &image.attributes.tags;
        match self {
            Filter::ImageId(ids) => ids.contains(&image.image_id),
            Filter::ImageType(types) => types.contains(&image.image_type),
            Filter::ImageState(states) => states.contains(&image.status),
            Filter::ImageName(parts) => {
                let name = image.image_name.to_lowercase();
                parts.iter().any(|part| name.contains(&part.to_lowercase()))
            }
            Filter::Platform(platforms) => {
                platforms.iter().any(|p| p.eq_ignore_ascii_case(image.platform()))
            }
            Filter::TagKey(keys) => tags.iter().any(|t| keys.contains(&t.key)),
            Filter::TagValue(values) => tags.iter().any(|t| values.contains(&t.value)),
            Filter::Tag { key, values } => {
                image.tag(key).is_some_and(|value| values.iter().any(|v| v == value))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::Catalog;

    fn ids_matching(filters: Value) -> Vec<String> {
        let filters = parse_filters(Some(&filters)).expect("valid filters");
        Catalog::builtin()
            .images()
            .iter()
            .filter(|image| filters.iter().all(|f| f.matches(image)))
            .map(|image| image.image_id.clone())
            .collect()
    }

    #[test]
    fn every_documented_filter_selects() {
        let tagged_web = ids_matching(json!([{"Name": "tag:team", "Values": ["web"]}]));
        assert_eq!(tagged_web, ["img-wg25a01k", "img-wg25b02k", "img-wg25c03k", "img-wg25d04k"]);
        let staging = ids_matching(json!([
            {"Name": "tag:env", "Values": ["staging"]},
            {"Name": "image-state", "Values": ["NORMAL"]},
        ]));
        assert_eq!(staging, ["img-et24l12p"], "filters are ANDed");
        let either = ids_matching(json!([{"Name": "tag-value", "Values": ["legacy", "data"]}]));
        assert_eq!(either, ["img-lg23f06q", "img-lg23i09q", "img-et24l12p"], "values are ORed");
        let keyed = ids_matching(json!([{"Name": "tag-key", "Values": ["env"]}]));
        assert_eq!(keyed.len(), 6);
        let by_name = ids_matching(json!([{"Name": "image-name", "Values": ["GOLDEN-2025-0"]}]));
        assert_eq!(by_name.len(), 4, "fuzzy and ignoring case");
        let windows = ids_matching(json!([
            {"Name": "platform", "Values": ["windows"]},
            {"Name": "image-type", "Values": ["PRIVATE_IMAGE"]},
        ]));
        assert_eq!(windows, ["img-by22w01n"]);
        let by_id =
            ids_matching(json!([{"Name": "image-id", "Values": ["img-31tjrtph", "img-zzzzzzzz"]}]));
        assert_eq!(by_id, ["img-31tjrtph"]);
        let several = ids_matching(
            json!([{"Name": "image-type", "Values": ["SHARED_IMAGE", "MARKET_IMAGE"]}]),
        );
        assert_eq!(several.len(), 9, "five shared and four marketplace images");
    }

    #[test]
    fn documented_errors() {
        let eleven: Vec<Value> =
            (0..11).map(|_| json!({"Name": "platform", "Values": ["CentOS"]})).collect();
        let six = json!([{"Name": "image-name", "Values": ["a", "b", "c", "d", "e", "f"]}]);
        let cases: Vec<(Value, Code)> = vec![
            (Value::Array(eleven), Code::LimitExceeded),
            (six, Code::FilterValueLimitExceeded),
            (json!([{"Name": "os-name", "Values": ["CentOS"]}]), Code::InvalidFilter),
            (json!([{"Name": "tag:", "Values": ["x"]}]), Code::InvalidFilter),
            (json!([{"Name": "image-type", "Values": ["NO_IMAGE"]}]), Code::InvalidParameterValue),
            (json!([{"Name": "image-state", "Values": ["BROKEN"]}]), Code::InvalidParameterValue),
            (json!([{"Name": "image-id", "Values": ["img-BAD"]}]), Code::MalformedImageId),
            (json!([{"Name": "platform", "Values": []}]), Code::InvalidParameter),
            (json!([{"Values": ["x"]}]), Code::InvalidParameter),
            (json!([{"Name": "platform", "Values": "CentOS"}]), Code::InvalidParameter),
            (json!({"Name": "platform"}), Code::InvalidParameter),
        ];
        for (filters, code) in cases {
            let error = parse_filters(Some(&filters)).expect_err("refused");
            assert!(error.is(code), "{filters}: {error:?}");
        }
        let ten: Vec<Value> = (0..10)
            .map(|_| json!({"Name": "platform", "Values": ["a", "b", "c", "d", "e"]}))
            .collect();
        assert!(
            parse_filters(Some(&Value::Array(ten))).is_ok(),
            "10 filters of 5 values are allowed"
        );
    }

    #[test]
    fn names_and_values_as_sent() {
        let filters = parse_filters(Some(&json!([
            {"Name": "image-type", "Values": ["private_image", "PUBLIC_IMAGE"]},
            {"Name": "tag:team", "Values": ["web"]},
        ])))
        .expect("valid");
        assert_eq!(filters[0].name(), "image-type");
        assert_eq!(filters[0].values(), ["PRIVATE_IMAGE", "PUBLIC_IMAGE"]);
        assert_eq!((filters[1].name(), filters[1].values()), ("tag:team".to_owned(), vec!["web"]));
    }
}
