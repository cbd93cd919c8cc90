//! Request parameters: the raw `name=value` pairs of an API 2.0 request, and the validated
//! `DescribeImages` query they describe.
//!
//! Must not depend on HTTP types or on the server.

use std::collections::BTreeMap;

use super::response::Error;
use crate::catalog::CatalogImage;
use crate::model::{ImageStatus, ImageType};
use crate::region::Regions;

/// At most this many `imageIds.N` per request.
pub const MAX_IMAGE_IDS: usize = 10;
/// The largest `limit`.
pub const MAX_LIMIT: usize = 100;
/// `limit` when it is not sent.
pub const DEFAULT_LIMIT: usize = 20;

/// URL-decoded `application/x-www-form-urlencoded` pairs; `Err` names a parameter sent twice
/// (the signature would be ambiguous). Both API versions read parameters this way.
pub(crate) fn decode_pairs(encoded: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(encoded) {
        if map.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(name.into_owned());
        }
    }
    Ok(map)
}

/// The parameters of one request, URL-decoded, each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` text (a query string or a form body).
    /// A name sent twice is a 4000 error: the signature would be ambiguous.
    pub fn parse(encoded: &[u8]) -> Result<Self, Error> {
        decode_pairs(encoded).map(Self).map_err(|name| {
            Error::invalid_parameter(format!(
                "parameter {name} is sent more than once; send each parameter once"
            ))
        })
    }

    /// The value of `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Every parameter, by name.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The value of `name`, or a 4000 error that says it is required.
    pub fn required(&self, name: &str) -> Result<&str, Error> {
        match self.get(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(Error::invalid_parameter(format!("missing required parameter {name}"))),
        }
    }

    /// `offset` as sent (0 when absent), if it is a number; used to match fault rules.
    pub fn offset_hint(&self) -> Option<u64> {
        self.get("offset").map_or(Some(0), |v| v.parse().ok())
    }
}

impl FromIterator<(String, String)> for Params {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// A validated API 2.0 `DescribeImages` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// `Region`, as its long name (`gz` is read as `ap-guangzhou`).
    pub region: String,
    /// `imageType`.
    pub image_type: ImageType,
    /// `imageIds.0` .. `imageIds.9`; empty means every id.
    pub image_ids: Vec<String>,
    /// `status`; `None` (sent as 0 or not at all) means every status.
    pub status: Option<ImageStatus>,
    /// `offset`.
    pub offset: u64,
    /// `limit`, 1-100.
    pub limit: usize,
}

impl Query {
    /// Validates the action's parameters and `Region`, which must be one of `regions` (a long
    /// or a short name); every failure is a 4000 error.
    pub fn from_params(params: &Params, regions: &Regions) -> Result<Self, Error> {
        let region = params.required("Region")?;
        let region = regions
            .resolve_2_0(region)
            .map_err(|unknown| Error::invalid_parameter(format!("invalid Region: {unknown}")))?;
        Ok(Query {
            region,
            image_type: image_type(params)?,
            image_ids: image_ids(params)?,
            status: status(params)?,
            offset: offset(params)?,
            limit: limit(params)?,
        })
    }

    /// Whether `image` matches the type, ids and status asked for.
    pub fn matches(&self, image: &CatalogImage) -> bool {
        image.image_type == self.image_type
            && (self.image_ids.is_empty() || self.image_ids.contains(&image.image_id))
            && self.status.is_none_or(|status| image.status == status)
    }
}

fn integer(params: &Params, name: &str) -> Result<Option<i64>, Error> {
    let Some(text) = params.get(name) else { return Ok(None) };
    text.parse().map(Some).map_err(|_| {
        Error::invalid_parameter(format!("parameter {name} must be an integer, not {text:?}"))
    })
}

fn image_type(params: &Params) -> Result<ImageType, Error> {
    const EXPECTED: &str = "1 (private), 2 (public), 3 (marketplace) or 4 (shared)";
    let Some(code) = integer(params, "imageType")? else {
        return Err(Error::invalid_parameter(format!(
            "missing required parameter imageType: {EXPECTED}"
        )));
    };
    ImageType::from_code(code).ok_or_else(|| {
        Error::invalid_parameter(format!("imageType {code} is invalid: use {EXPECTED}"))
    })
}

fn status(params: &Params) -> Result<Option<ImageStatus>, Error> {
    match integer(params, "status")? {
        None | Some(0) => Ok(None),
        Some(code) => ImageStatus::from_code(code).map(Some).ok_or_else(|| {
            Error::invalid_parameter(format!(
                "status {code} is invalid: use 0 (all), 1 (creating), 2 (normal), 3 (in use), \
                 4 (syncing) or 5 (copying)"
            ))
        }),
    }
}

fn offset(params: &Params) -> Result<u64, Error> {
    let offset = integer(params, "offset")?.unwrap_or(0);
    u64::try_from(offset).map_err(|_| {
        Error::invalid_parameter(format!("offset {offset} is invalid: it must be 0 or more"))
    })
}

fn limit(params: &Params) -> Result<usize, Error> {
    let Some(limit) = integer(params, "limit")? else { return Ok(DEFAULT_LIMIT) };
    usize::try_from(limit).ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
        Error::invalid_parameter(format!(
            "limit {limit} is invalid: it must be between 1 and {MAX_LIMIT}"
        ))
    })
}

/// `imageIds.0` .. `imageIds.N-1`: numbered from 0 without gaps, at most ten, none empty.
fn image_ids(params: &Params) -> Result<Vec<String>, Error> {
    let mut ids = BTreeMap::new();
    for (name, value) in params.as_map() {
        let Some(rest) = name.strip_prefix("imageIds") else { continue };
        let index = rest
            .strip_prefix('.')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .filter(|n| *n == "0" || !n.starts_with('0'))
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| {
                Error::invalid_parameter(format!(
                    "parameter {name} is invalid: send image ids as imageIds.0, imageIds.1, ..."
                ))
            })?;
        if value.is_empty() {
            return Err(Error::invalid_parameter(format!("parameter {name} is empty")));
        }
        ids.insert(index, value.clone());
    }
    if ids.len() > MAX_IMAGE_IDS {
        return Err(Error::invalid_parameter(format!(
            "{} image ids were sent; at most {MAX_IMAGE_IDS} are allowed per request",
            ids.len()
        )));
    }
    if let Some(gap) = (0..ids.len()).find(|i| !ids.contains_key(i)) {
        return Err(Error::invalid_parameter(format!(
            "imageIds.{gap} is missing: image ids are numbered from imageIds.0 without gaps"
        )));
    }
    Ok(ids.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![("Region", "ap-guangzhou"), ("imageType", "1")]
    }

    fn with(extra: &[(&'static str, &'static str)]) -> Params {
        let mut pairs = base();
        pairs.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        pairs.extend_from_slice(extra);
        params(&pairs)
    }

    #[test]
    fn parse_decodes_and_refuses_repeated_names() {
        let parsed = Params::parse(b"a=1&Signature=ab%2Bc%2F%3D&b=x+y").expect("distinct names");
        assert_eq!(parsed.get("Signature"), Some("ab+c/="));
        assert_eq!(parsed.get("b"), Some("x y"));
        let err = Params::parse(b"Nonce=1&Nonce=2").expect_err("a repeated name");
        assert_eq!(err.code, 4000);
        assert!(err.message.contains("Nonce"), "{}", err.message);
    }

    fn from_params(params: &Params) -> Result<Query, Error> {
        Query::from_params(params, &Regions::default())
    }

    #[test]
    fn regions_long_short_and_unknown() {
        let short = from_params(&with(&[("Region", "gz")])).expect("a short name");
        assert_eq!(short.region, "ap-guangzhou");
        let north_america = from_params(&with(&[("Region", "usw")])).expect("a short name");
        assert_eq!(north_america.region, "na-siliconvalley");
        let unknown = from_params(&with(&[("Region", "ap-guangzou")])).expect_err("unknown");
        assert_eq!((unknown.code, unknown.code_desc.as_str()), (4000, "InvalidParameter"));
        assert!(
            unknown
                .message
                .starts_with("invalid Region: \"ap-guangzou\" is not a Tencent Cloud region")
        );
        assert!(unknown.message.contains("did you mean ap-guangzhou"), "{}", unknown.message);
    }

    #[test]
    fn defaults() {
        let query = from_params(&with(&[])).expect("valid");
        assert_eq!(
            query,
            Query {
                region: "ap-guangzhou".into(),
                image_type: ImageType::Private,
                image_ids: vec![],
                status: None,
                offset: 0,
                limit: 20,
            }
        );
    }

    #[test]
    fn valid_values() {
        let query = from_params(&with(&[
            ("imageType", "4"),
            ("status", "3"),
            ("offset", "200"),
            ("limit", "100"),
            ("imageIds.1", "img-bbbbbbbb"),
            ("imageIds.0", "img-aaaaaaaa"),
        ]))
        .expect("valid");
        assert_eq!(query.image_type, ImageType::Shared);
        assert_eq!(query.status, Some(ImageStatus::InUse));
        assert_eq!((query.offset, query.limit), (200, 100));
        assert_eq!(query.image_ids, vec!["img-aaaaaaaa", "img-bbbbbbbb"]);
        let all = from_params(&with(&[("status", "0"), ("limit", "1")]));
        assert_eq!(all.map(|q| (q.status, q.limit)), Ok((None, 1)));
    }

    #[test]
    fn invalid_values_are_4000_with_a_reason() {
        let eleven: Vec<(String, String)> =
            (0..11).map(|i| (format!("imageIds.{i}"), format!("img-0000000{}", i % 10))).collect();
        let mut too_many = with(&[]);
        too_many.0.extend(eleven);
        let cases: Vec<(Params, &str)> = vec![
            (params(&[("Region", "ap-guangzhou")]), "missing required parameter imageType"),
            (params(&[("imageType", "1")]), "missing required parameter Region"),
            (with(&[("imageType", "0")]), "imageType 0 is invalid"),
            (with(&[("imageType", "5")]), "imageType 5 is invalid"),
            (with(&[("imageType", "one")]), "imageType must be an integer"),
            (with(&[("limit", "101")]), "limit 101 is invalid"),
            (with(&[("limit", "0")]), "limit 0 is invalid"),
            (with(&[("limit", "-1")]), "limit -1 is invalid"),
            (with(&[("offset", "-1")]), "offset -1 is invalid"),
            (with(&[("offset", "1.5")]), "offset must be an integer"),
            (with(&[("status", "6")]), "status 6 is invalid"),
            (with(&[("status", "-1")]), "status -1 is invalid"),
            (too_many, "11 image ids were sent; at most 10"),
            (with(&[("imageIds.1", "img-aaaaaaaa")]), "imageIds.0 is missing"),
            (with(&[("imageIds.0", "a"), ("imageIds.2", "b")]), "imageIds.1 is missing"),
            (with(&[("imageIds.01", "img-aaaaaaaa")]), "imageIds.01 is invalid"),
            (with(&[("imageIds", "img-aaaaaaaa")]), "imageIds is invalid"),
            (with(&[("imageIds.x", "img-aaaaaaaa")]), "imageIds.x is invalid"),
            (with(&[("imageIds.0", "")]), "imageIds.0 is empty"),
        ];
        for (params, want) in cases {
            let err = from_params(&params).expect_err(want);
            assert_eq!(err.code, 4000, "{want}");
            assert!(err.message.contains(want), "want {want:?}, got {:?}", err.message);
        }
    }

    #[test]
    fn offset_hint_for_fault_rules() {
        assert_eq!(with(&[]).offset_hint(), Some(0));
        assert_eq!(with(&[("offset", "300")]).offset_hint(), Some(300));
        assert_eq!(with(&[("offset", "x")]).offset_hint(), None);
    }
}
