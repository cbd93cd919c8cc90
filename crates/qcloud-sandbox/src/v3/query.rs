//! The API 3.0 request: the `X-TC-*` headers and the JSON body, validated into a [`Query`],
//! and the page of the catalog it asks for.
//!
//! Must not depend on HTTP types or on the server.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{ACTION, Error, Headers, VERSION};
use crate::catalog::{Catalog, CatalogImage, Page, is_north_america};
use crate::model::{ImageStatus, ImageType};
use crate::v2;

/// The most `ImageIds` one request may carry.
pub const MAX_IMAGE_IDS: usize = 100;
/// The largest `Limit`.
pub const MAX_LIMIT: u64 = 100;
/// `Limit` when it is not sent.
pub const DEFAULT_LIMIT: u64 = 20;

/// A validated 3.0 `DescribeImages` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// `X-TC-Region`.
    pub region: String,
    /// `image-type` filter values; empty means every type.
    pub image_types: Vec<ImageType>,
    /// `ImageIds`; empty means every id.
    pub image_ids: Vec<String>,
    /// `image-state` filter values; empty means every state.
    pub states: Vec<ImageStatus>,
    /// `Offset`.
    pub offset: u64,
    /// `Limit`, 1-100.
    pub limit: u64,
}

/// Validates the `X-TC-*` headers and the JSON body.
pub fn parse_query(headers: &Headers, body: &[u8]) -> Result<Query, Error> {
    let header = |name: &str| headers.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    match header("x-tc-action") {
        Some(ACTION) => {}
        Some(other) => {
            return Err(Error::new(
                "InvalidAction",
                6100,
                format!("the action {other} is not supported here: this endpoint serves {ACTION}"),
            ));
        }
        None => return Err(Error::invalid("missing the X-TC-Action header")),
    }
    if header("x-tc-version") != Some(VERSION) {
        return Err(Error::invalid(format!("X-TC-Version must be {VERSION}")));
    }
    let region = header("x-tc-region").ok_or_else(|| Error::invalid("missing X-TC-Region"))?;
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(Error::invalid("the body must be a JSON object"));
    };
    let image_ids = image_ids(body.get("ImageIds"))?;
    let (image_types, states) = filters(body.get("Filters"))?;
    if !image_ids.is_empty() && body.get("Filters").is_some() {
        return Err(Error::invalid("ImageIds and Filters cannot be specified at the same time"));
    }
    Ok(Query {
        region: region.to_owned(),
        image_types,
        image_ids,
        states,
        offset: whole(body.get("Offset"), "Offset", 0, u64::MAX)?.unwrap_or(0),
        limit: whole(body.get("Limit"), "Limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT),
    })
}

fn whole(value: Option<&Value>, name: &str, min: u64, max: u64) -> Result<Option<u64>, Error> {
    match value {
        None => Ok(None),
        Some(v) => v.as_u64().filter(|n| (min..=max).contains(n)).map(Some).ok_or_else(|| {
            Error::invalid(format!("{name} must be an integer between {min} and {max}"))
        }),
    }
}

fn strings(value: &Value, name: &str) -> Result<Vec<String>, Error> {
    let list = value.as_array().ok_or_else(|| Error::invalid(format!("{name} must be a list")))?;
    list.iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error::invalid(format!("{name} must hold strings")))
}

fn image_ids(value: Option<&Value>) -> Result<Vec<String>, Error> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let ids = strings(value, "ImageIds")?;
    if ids.len() > MAX_IMAGE_IDS {
        return Err(Error::invalid(format!("at most {MAX_IMAGE_IDS} ImageIds per request")));
    }
    Ok(ids)
}

fn filters(value: Option<&Value>) -> Result<(Vec<ImageType>, Vec<ImageStatus>), Error> {
    let (mut types, mut states) = (Vec::new(), Vec::new());
    let Some(value) = value else { return Ok((types, states)) };
    let list = value.as_array().ok_or_else(|| Error::invalid("Filters must be a list"))?;
    for filter in list {
        let name = filter.get("Name").and_then(Value::as_str).unwrap_or_default();
        let values = strings(filter.get("Values").unwrap_or(&Value::Null), "Filters.Values")?;
        for value in values {
            let bad = || Error::invalid(format!("filter {name} has the invalid value {value:?}"));
            match name {
                "image-type" => types.push(ImageType::from_name(&value).ok_or_else(bad)?),
                "image-state" => states.push(ImageStatus::from_name(&value).ok_or_else(bad)?),
                _ => {
                    return Err(Error::invalid(format!(
                        "the sandbox supports the filters image-type and image-state, not {name:?}"
                    )));
                }
            }
        }
    }
    Ok((types, states))
}

impl Query {
    /// Whether `image` matches the types, ids and states asked for.
    pub fn matches(&self, image: &CatalogImage) -> bool {
        let hidden = image.image_type == ImageType::Marketplace && is_north_america(&self.region);
        !hidden
            && (self.image_types.is_empty() || self.image_types.contains(&image.image_type))
            && (self.image_ids.is_empty() || self.image_ids.contains(&image.image_id))
            && (self.states.is_empty() || self.states.contains(&image.status))
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

    /// The nearest 2.0 query, for the faults that change the catalog.
    pub fn to_v2(&self) -> v2::Query {
        v2::Query {
            region: self.region.clone(),
            image_type: self.image_types.first().copied().unwrap_or(ImageType::Private),
            image_ids: self.image_ids.clone(),
            status: self.states.first().copied(),
            offset: self.offset,
            limit: usize::try_from(self.limit).unwrap_or(usize::MAX),
        }
    }

    /// The request as the log shows it.
    pub fn logged(&self) -> BTreeMap<String, String> {
        let mut params = BTreeMap::new();
        params.insert("Action".to_owned(), ACTION.to_owned());
        params.insert("Region".to_owned(), self.region.clone());
        params.insert("Offset".to_owned(), self.offset.to_string());
        params.insert("Limit".to_owned(), self.limit.to_string());
        for (i, id) in self.image_ids.iter().enumerate() {
            params.insert(format!("ImageIds.{i}"), id.clone());
        }
        let types: Vec<&str> = self.image_types.iter().map(|t| t.name()).collect();
        let states: Vec<&str> = self.states.iter().map(|s| s.name()).collect();
        for (name, values) in [("image-type", types), ("image-state", states)] {
            if !values.is_empty() {
                params.insert(format!("Filters.{name}"), values.join(","));
            }
        }
        params
    }
}

/// `Offset` of a body, if it has one that is a number (0 when absent); to match fault rules.
pub fn offset_hint(body: &[u8]) -> Option<u64> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("Offset").map_or(Some(0), Value::as_u64)
}

#[cfg(test)]
mod tests {
    use super::super::auth::testing::signed;
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn queries_are_validated() {
        let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
        let query = parse_query(&headers, body.as_bytes()).expect("valid");
        assert_eq!(query.image_types, [ImageType::Public]);
        assert_eq!(query.states, [ImageStatus::Normal]);
        assert_eq!((query.offset, query.limit), (0, 100));
        let ids = vec!["img-aaaaaaaa".to_string()];
        let (headers, body) = signed("AKIDone", "key-one", None, NOW, &ids);
        let query = parse_query(&headers, body.as_bytes()).expect("valid");
        assert_eq!((query.image_ids.clone(), query.image_types.len()), (ids, 0));
        let bad_bodies = [
            r#"{"ImageIds":["img-aaaaaaaa"],"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}]}"#,
            r#"{"Limit":0}"#,
            r#"{"Limit":101}"#,
            r#"{"Offset":-1}"#,
            r#"{"Filters":[{"Name":"image-type","Values":["NO_IMAGE"]}]}"#,
            r#"{"Filters":[{"Name":"platform","Values":["CentOS"]}]}"#,
            r#"[]"#,
        ];
        for bad in bad_bodies {
            let error = parse_query(&headers, bad.as_bytes()).expect_err(bad);
            assert_eq!(error.code, "InvalidParameter", "{bad}");
        }
        let mut other = headers.clone();
        other.insert("x-tc-action".into(), "DescribeInstances".into());
        assert_eq!(parse_query(&other, b"{}").expect_err("action").code, "InvalidAction");
    }

    #[test]
    fn selection_by_type_and_by_ids() {
        let catalog = Catalog::builtin();
        let query = |types: Vec<ImageType>, ids: Vec<String>| Query {
            region: "ap-guangzhou".into(),
            image_types: types,
            image_ids: ids,
            states: Vec::new(),
            offset: 0,
            limit: 100,
        };
        let public = query(vec![ImageType::Public], vec![]).select(&catalog);
        let expected =
            catalog.images().iter().filter(|i| i.image_type == ImageType::Public).count();
        assert_eq!(public.total_count, expected);
        let mixed = vec!["img-m3k8q2vd".to_string(), "img-s2h8a1rd".to_string()];
        let by_ids = query(vec![], mixed).select(&catalog);
        assert_eq!(by_ids.total_count, 2, "ids alone match every type");
        let market = query(vec![ImageType::Marketplace], vec![]);
        assert_eq!(market.select(&catalog).total_count, 4);
        let hidden = Query { region: "na-ashburn".into(), ..market };
        assert_eq!(hidden.select(&catalog).total_count, 0, "no marketplace in North America");
    }

    #[test]
    fn the_log_shows_the_query_with_3_0_names() {
        let (headers, body) = signed("AKIDone", "key-one", None, NOW, &[]);
        let logged = parse_query(&headers, body.as_bytes()).expect("valid").logged();
        assert_eq!(logged["Filters.image-type"], "PUBLIC_IMAGE");
        assert_eq!(logged["Filters.image-state"], "NORMAL");
        assert_eq!((logged["Offset"].as_str(), logged["Limit"].as_str()), ("0", "100"));
        assert_eq!(offset_hint(br#"{"Offset":300}"#), Some(300));
        assert_eq!(offset_hint(b"{}"), Some(0));
        assert_eq!(offset_hint(b"not json"), None);
    }
}
