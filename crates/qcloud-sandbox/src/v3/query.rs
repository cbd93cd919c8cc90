//! `DescribeImages` in API 3.0: its parameters (`ImageIds`, `Filters`, `InstanceType`, `Offset`,
//! `Limit`) validated into a [`Query`], and the page of the catalog it asks for.
//!
//! Errors are the API's documented ones: `ImageIds` with `Filters` is
//! `InvalidParameter.InvalidParameterCoexistImageIdsFilters`, `Limit` outside 1-100
//! `InvalidParameterValue.InvalidParameterValueLimit`, more than 100 ids
//! `InvalidParameterValue.LimitExceeded`, a malformed id `InvalidImageId.Malformed`; the
//! filters' errors are in [`super::filters`], the instance type's in
//! [`super::instance_type`].
//!
//! Must not depend on HTTP types or on the server.

use std::collections::BTreeMap;

use super::error::{Code, Error};
use super::filters::{Filter, malformed_id, parse_filters};
use super::instance_type::InstanceType;
use super::params::ActionParams;
use crate::catalog::{Catalog, CatalogImage, Page, is_north_america, is_valid_image_id};
use crate::model::ImageType;
use crate::v2;

/// The most `ImageIds` one request may carry.
pub const MAX_IMAGE_IDS: usize = 100;
/// The largest `Limit`.
pub const MAX_LIMIT: u64 = 100;
/// `Limit` when it is not sent.
pub const DEFAULT_LIMIT: u64 = 20;
/// The parameters `DescribeImages` takes.
pub const PARAMETERS: [&str; 5] = ["ImageIds", "Filters", "InstanceType", "Offset", "Limit"];

/// A validated 3.0 `DescribeImages` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The region, as the API names it.
    pub region: String,
    /// `ImageIds`; empty means every id.
    pub image_ids: Vec<String>,
    /// `Filters`, all of which an image must pass.
    pub filters: Vec<Filter>,
    /// `InstanceType`: only images its instances can boot.
    pub instance_type: Option<InstanceType>,
    /// `Offset`.
    pub offset: u64,
    /// `Limit`, 1-100.
    pub limit: u64,
}

impl Query {
    /// Validates the parameters of a request for `region` (already resolved).
    pub fn parse(region: &str, params: &ActionParams) -> Result<Self, Error> {
        params.only(&PARAMETERS)?;
        let image_ids = image_ids(params)?;
        let filters = parse_filters(params.get("Filters"))?;
        if !image_ids.is_empty() && !filters.is_empty() {
            return Err(Error::new(
                Code::CoexistImageIdsFilters,
                "ImageIds and Filters cannot be specified at the same time: send one or the other",
            ));
        }
        let instance_type = params.string("InstanceType")?.map(InstanceType::parse).transpose()?;
        Ok(Query {
            region: region.to_owned(),
            image_ids,
            filters,
            instance_type,
            offset: offset(params)?,
            limit: limit(params)?,
        })
    }

    /// Whether `image` matches the ids, filters and instance type asked for.
    pub fn matches(&self, image: &CatalogImage) -> bool {
        let hidden = image.image_type == ImageType::Marketplace && is_north_america(&self.region);
        !hidden
            && (self.image_ids.is_empty() || self.image_ids.contains(&image.image_id))
            && self.filters.iter().all(|filter| filter.matches(image))
            && self.instance_type.as_ref().is_none_or(|t| t.boots(image.architecture()))
    }

    /// The answer: every match counted, the page `Offset`..`Offset + Limit` returned.
    pub fn select(&self, catalog: &Catalog) -> Page {
        let matching = || catalog.images().iter().filter(|image| self.matches(image));
        let offset = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        Page {
            total_count: matching().count(),
            images: matching().skip(offset).take(limit).cloned().collect(),
        }
    }

    /// The `image-type` values asked for (empty: every type).
    pub fn image_types(&self) -> Vec<ImageType> {
        self.filters
            .iter()
            .flat_map(|f| match f {
                Filter::ImageType(types) => types.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// The nearest 2.0 query, for the faults that change the catalog.
    pub fn to_v2(&self) -> v2::Query {
        let status = self.filters.iter().find_map(|f| match f {
            Filter::ImageState(states) => states.first().copied(),
            _ => None,
        });
        v2::Query {
            region: self.region.clone(),
            image_type: self.image_types().first().copied().unwrap_or(ImageType::Private),
            image_ids: self.image_ids.clone(),
            status,
            offset: self.offset,
            limit: usize::try_from(self.limit).unwrap_or(usize::MAX),
        }
    }

    /// The request as the log shows it: `Offset`, `Limit`, `ImageIds.N`, `InstanceType`, and
    /// one `Filters.<name>` of comma-separated values per filter.
    pub fn logged(&self) -> BTreeMap<String, String> {
        let mut params = BTreeMap::new();
        params.insert("Offset".to_owned(), self.offset.to_string());
        params.insert("Limit".to_owned(), self.limit.to_string());
        for (i, id) in self.image_ids.iter().enumerate() {
            params.insert(format!("ImageIds.{i}"), id.clone());
        }
        for filter in &self.filters {
            params.insert(format!("Filters.{}", filter.name()), filter.values().join(","));
        }
        if let Some(instance_type) = &self.instance_type {
            params.insert("InstanceType".to_owned(), instance_type.to_string());
        }
        params
    }
}

fn image_ids(params: &ActionParams) -> Result<Vec<String>, Error> {
    let ids = params.strings("ImageIds")?.unwrap_or_default();
    if ids.len() > MAX_IMAGE_IDS {
        return Err(Error::new(
            Code::LimitExceeded,
            format!("{} ImageIds were sent; at most {MAX_IMAGE_IDS} are allowed", ids.len()),
        ));
    }
    match ids.iter().find(|id| !is_valid_image_id(id)) {
        Some(bad) => Err(malformed_id(bad)),
        None => Ok(ids),
    }
}

fn offset(params: &ActionParams) -> Result<u64, Error> {
    let offset = params.integer("Offset")?.unwrap_or(0);
    u64::try_from(offset).map_err(|_| {
        Error::new(
            Code::InvalidParameterValue,
            format!("Offset {offset} is invalid: it is 0 or more"),
        )
    })
}

fn limit(params: &ActionParams) -> Result<u64, Error> {
    let Some(limit) = params.integer("Limit")? else { return Ok(DEFAULT_LIMIT) };
    u64::try_from(limit).ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
        Error::new(
            Code::InvalidLimit,
            format!("Limit {limit} is invalid: it is between 1 and {MAX_LIMIT}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ImageStatus;

    fn parse(body: serde_json::Value) -> Result<Query, Error> {
        let params = ActionParams::from_json(body.to_string().as_bytes()).expect("an object");
        Query::parse("ap-guangzhou", &params)
    }

    fn ids(query: &Query) -> Vec<String> {
        query.select(&Catalog::builtin()).images.into_iter().map(|i| i.image_id).collect()
    }

    #[test]
    fn defaults_and_valid_values() {
        let query = parse(json!({})).expect("no parameter is required");
        assert_eq!((query.offset, query.limit), (0, DEFAULT_LIMIT));
        assert!(query.image_ids.is_empty() && query.filters.is_empty());
        let query = parse(json!({"Offset": 7, "Limit": 100, "InstanceType": "SR1.MEDIUM4"}))
            .expect("valid");
        assert_eq!((query.offset, query.limit), (7, 100));
        assert_eq!(query.instance_type.map(|t| t.name), Some("SR1.MEDIUM4".to_owned()));
    }

    #[test]
    fn documented_errors() {
        let hundred_and_one: Vec<String> = (0..101).map(|i| format!("img-{i:08}")).collect();
        let cases: Vec<(serde_json::Value, Code)> = vec![
            (
                json!({"ImageIds": ["img-aaaaaaaa"], "Filters": [{"Name": "image-type", "Values": ["PUBLIC_IMAGE"]}]}),
                Code::CoexistImageIdsFilters,
            ),
            (json!({"Limit": 101}), Code::InvalidLimit),
            (json!({"Limit": 0}), Code::InvalidLimit),
            (json!({"Limit": -1}), Code::InvalidLimit),
            (json!({"Offset": -1}), Code::InvalidParameterValue),
            (json!({"Limit": "20"}), Code::InvalidParameter),
            (json!({"ImageIds": "img-aaaaaaaa"}), Code::InvalidParameter),
            (json!({"ImageIds": hundred_and_one}), Code::LimitExceeded),
            (json!({"ImageIds": ["img-AAAAAAAA"]}), Code::MalformedImageId),
            (json!({"Filters": [{"Name": "os", "Values": ["x"]}]}), Code::InvalidFilter),
            (json!({"InstanceType": "big"}), Code::MalformedInstanceType),
            (json!({"InstanceType": "ZZ9.LARGE8"}), Code::InstanceTypeNotFound),
            (json!({"InstanceType": 5}), Code::InvalidParameter),
            (json!({"Marker": 1}), Code::UnknownParameter),
        ];
        for (body, code) in cases {
            let error = parse(body.clone()).expect_err("refused");
            assert!(error.is(code), "{body}: {error:?}");
        }
    }

    #[test]
    fn several_image_types_in_one_filter_and_ids_of_any_type() {
        let several = parse(json!({
            "Filters": [{"Name": "image-type", "Values": ["PRIVATE_IMAGE", "SHARED_IMAGE"]}],
            "Limit": 100,
        }))
        .expect("valid");
        let catalog = Catalog::builtin();
        let wanted = catalog
            .images()
            .iter()
            .filter(|i| matches!(i.image_type, ImageType::Private | ImageType::Shared))
            .count();
        assert_eq!(several.select(&catalog).total_count, wanted);
        let mixed = parse(
            json!({"ImageIds": ["img-s2h8a1rd", "img-m3k8q2vd", "img-31tjrtph", "img-zzzzzzzz"]}),
        )
        .expect("ids alone");
        assert_eq!(
            ids(&mixed),
            ["img-31tjrtph", "img-m3k8q2vd", "img-s2h8a1rd"],
            "every type, catalog order"
        );
    }

    #[test]
    fn instance_types_keep_the_images_they_boot() {
        let arm = parse(json!({
            "Filters": [{"Name": "image-type", "Values": ["PRIVATE_IMAGE"]}],
            "InstanceType": "SR1.LARGE8",
        }))
        .expect("valid");
        assert_eq!(ids(&arm), ["img-ar24k11m", "img-ar25b14m"]);
        let x86 = parse(
            json!({"ImageIds": ["img-ar24k11m", "img-m3k8q2vd"], "InstanceType": "S5.MEDIUM4"}),
        )
        .expect("ids with an instance type");
        assert_eq!(ids(&x86), ["img-m3k8q2vd"]);
    }

    #[test]
    fn marketplace_is_hidden_in_north_america() {
        let params = ActionParams::from_json(
            br#"{"Filters":[{"Name":"image-type","Values":["MARKET_IMAGE"]}]}"#,
        )
        .expect("an object");
        let catalog = Catalog::builtin();
        let here = Query::parse("ap-guangzhou", &params).expect("valid");
        assert_eq!(here.select(&catalog).total_count, 4);
        let there = Query::parse("na-ashburn", &params).expect("valid");
        assert_eq!(there.select(&catalog).total_count, 0);
    }

    #[test]
    fn the_log_shows_the_query_with_3_0_names() {
        let query = parse(json!({
            "Filters": [
                {"Name": "image-type", "Values": ["PUBLIC_IMAGE", "PRIVATE_IMAGE"]},
                {"Name": "image-state", "Values": ["NORMAL"]},
                {"Name": "tag:team", "Values": ["web"]},
            ],
            "InstanceType": "S5.MEDIUM4",
            "Limit": 100,
        }))
        .expect("valid");
        let logged = query.logged();
        assert_eq!(logged["Filters.image-type"], "PUBLIC_IMAGE,PRIVATE_IMAGE");
        assert_eq!(logged["Filters.image-state"], "NORMAL");
        assert_eq!(logged["Filters.tag:team"], "web");
        assert_eq!(logged["InstanceType"], "S5.MEDIUM4");
        assert_eq!((logged["Offset"].as_str(), logged["Limit"].as_str()), ("0", "100"));
        let v2 = query.to_v2();
        assert_eq!((v2.image_type, v2.status), (ImageType::Public, Some(ImageStatus::Normal)));
    }
}
