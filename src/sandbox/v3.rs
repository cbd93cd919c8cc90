//! The sandbox's API 3.0 `DescribeImages` (CVM, Version `2017-03-12`), served at `POST /`:
//! the TC3-HMAC-SHA256 `Authorization` checked against the sandbox credentials, the `X-TC-*`
//! headers and the JSON body validated, the same catalog answered with the 3.0 field names.
//!
//! Every error is answered with HTTP 200 and `{"Response":{"Error":{"Code","Message"},
//! "RequestId"}}`; the request log records the equivalent 2.0 code:
//!
//! | code | 2.0 | when |
//! |---|---|---|
//! | `AuthFailure.InvalidAuthorization` | 4100 | `Authorization` is missing or malformed, or does not sign `content-type` and `host` |
//! | `AuthFailure.SignatureFailure` | 4100 | the signature does not match |
//! | `AuthFailure.SecretIdNotFound` | 4104 | the `SecretId` is unknown |
//! | `AuthFailure.TokenFailure` | 4105 | the credential has a token and `X-TC-Token` is missing or different |
//! | `AuthFailure.SignatureExpire` | 4500 | `X-TC-Timestamp` is outside the window |
//! | `InvalidParameter` | 4000 | a header or body field is missing or invalid, or `ImageIds` comes with `Filters` |
//! | `InvalidAction` | 6100 | `X-TC-Action` is not `DescribeImages` |
//!
//! Images get the 3.0 fields the catalog does not hold, derived from what it does: the type and
//! state names, `CreatedTime` in ISO 8601 UTC (empty when the catalog's time is empty),
//! `Architecture` (`arm64` when the name or OS says ARM), `Platform` (the OS name's first word),
//! `ImageSize` (50 GiB for Windows, else 20), `ImageSource` and `IsSupportCloudinit` (not on
//! Windows).
//!
//! Must not depend on HTTP types or on the API client: headers come in as a lower-case map.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use time::PrimitiveDateTime;
use time::macros::{format_description, offset};

use super::auth::Authenticator;
use super::catalog::{Catalog, CatalogImage, Page, is_north_america};
use super::params::DescribeImages;
use crate::qcloud::tc3::{
    CanonicalRequest, CredentialScope, StringToSign, parse_authorization, signature, utc_date,
};
use crate::qcloud::v3::names::{image_state_name, image_status_of, image_type_name, image_type_of};
use crate::qcloud::v3::{ACTION, SERVICE, VERSION};
use crate::qcloud::{ImageStatus, ImageType};

/// The path the 3.0 API is served at.
pub const API_PATH_3_0: &str = "/";
/// The most `ImageIds` one request may carry.
pub const MAX_IMAGE_IDS_3_0: usize = 100;
/// The largest `Limit`.
pub const MAX_LIMIT_3_0: u64 = 100;
/// `Limit` when it is not sent.
pub const DEFAULT_LIMIT_3_0: u64 = 20;

/// Request headers, names lower-case.
pub type Headers = BTreeMap<String, String>;

/// An API 3.0 error: its dotted code, message, and the 2.0 code recorded in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error3 {
    pub code: String,
    pub message: String,
    pub code_2_0: i64,
}

impl Error3 {
    fn new(code: &str, code_2_0: i64, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), code_2_0 }
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidParameter", 4000, message)
    }

    /// The 3.0 error for a 2.0 code (used by `code=N` faults).
    pub fn from_code_2_0(code: i64, message: &str) -> Self {
        let name = match code {
            4000 => "InvalidParameter",
            4100 => "AuthFailure.SignatureFailure",
            4101..=4103 | 4110 | 4300 => "UnauthorizedOperation",
            4104 => "AuthFailure.SecretIdNotFound",
            4105 => "AuthFailure.TokenFailure",
            4200 | 4500 => "AuthFailure.SignatureExpire",
            4400 => "RequestLimitExceeded",
            4600 => "UnsupportedProtocol",
            5000 => "ResourceNotFound",
            6100 => "InvalidAction",
            6200 => "ServiceUnavailable",
            _ => "InternalError",
        };
        Self::new(name, code, message)
    }

    /// `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
    pub fn to_json(&self, request_id: &str) -> String {
        serde_json::json!({
            "Response": {
                "Error": { "Code": self.code, "Message": self.message },
                "RequestId": request_id,
            }
        })
        .to_string()
    }
}

/// A validated 3.0 `DescribeImages` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query3 {
    pub region: String,
    /// `image-type` filter values; empty means every type.
    pub image_types: Vec<ImageType>,
    /// `ImageIds`; empty means every id.
    pub image_ids: Vec<String>,
    /// `image-state` filter values; empty means every state.
    pub states: Vec<ImageStatus>,
    pub offset: u64,
    pub limit: u64,
}

/// Checks the `Authorization` header against `auth`'s credentials, then the token and the
/// timestamp window. `path` is the request path as sent, `body` the raw body.
pub fn authenticate(
    auth: &Authenticator,
    headers: &Headers,
    path: &str,
    body: &[u8],
) -> Result<(), Error3> {
    let header = |name: &str| headers.get(name).map(String::as_str);
    let invalid_auth = |why: &str| Error3::new("AuthFailure.InvalidAuthorization", 4100, why);
    let parsed = header("authorization")
        .and_then(parse_authorization)
        .ok_or_else(|| invalid_auth("Authorization is missing or is not TC3-HMAC-SHA256"))?;
    let timestamp: i64 = header("x-tc-timestamp")
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| Error3::invalid("X-TC-Timestamp must be unix seconds"))?;
    let credential = auth.credential(&parsed.secret_id).ok_or_else(|| {
        Error3::new(
            "AuthFailure.SecretIdNotFound",
            4104,
            format!("the SecretId {} does not exist: check the secret id", parsed.secret_id),
        )
    })?;
    let signed = &parsed.signed_headers;
    if !(signed.iter().any(|h| h == "content-type") && signed.iter().any(|h| h == "host")) {
        return Err(invalid_auth("SignedHeaders must include content-type and host"));
    }
    let values: Vec<(&str, &str)> =
        signed.iter().map(|name| (name.as_str(), header(name).unwrap_or_default())).collect();
    let canonical = CanonicalRequest::new("POST", path, "", &values, body);
    let scope = CredentialScope { date: parsed.date.clone(), service: parsed.service.clone() };
    let expected = signature(
        &credential.secret_key,
        &scope,
        &StringToSign::new(timestamp, &scope, &canonical),
    );
    if parsed.service != SERVICE
        || parsed.date != utc_date(timestamp)
        || expected != parsed.signature
    {
        return Err(Error3::new(
            "AuthFailure.SignatureFailure",
            4100,
            format!(
                "the signature does not match (TC3-HMAC-SHA256 over the canonical request \
                 {:?} with the scope {}/{SERVICE}/tc3_request); check the secret id and key",
                canonical.to_string(),
                utc_date(timestamp)
            ),
        ));
    }
    if let Some(token) = &credential.token
        && header("x-tc-token") != Some(token.as_str())
    {
        return Err(Error3::new(
            "AuthFailure.TokenFailure",
            4105,
            "the SecretId belongs to a temporary credential: send its token in X-TC-Token",
        ));
    }
    auth.check_timestamp(timestamp, auth.now())
        .map_err(|e| Error3::new("AuthFailure.SignatureExpire", 4500, e.message))
}

/// Validates the `X-TC-*` headers and the JSON body.
pub fn parse_query(headers: &Headers, body: &[u8]) -> Result<Query3, Error3> {
    let header = |name: &str| headers.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    match header("x-tc-action") {
        Some(ACTION) => {}
        Some(other) => {
            return Err(Error3::new(
                "InvalidAction",
                6100,
                format!("the action {other} is not supported here: this endpoint serves {ACTION}"),
            ));
        }
        None => return Err(Error3::invalid("missing the X-TC-Action header")),
    }
    if header("x-tc-version") != Some(VERSION) {
        return Err(Error3::invalid(format!("X-TC-Version must be {VERSION}")));
    }
    let region = header("x-tc-region").ok_or_else(|| Error3::invalid("missing X-TC-Region"))?;
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Err(Error3::invalid("the body must be a JSON object"));
    };
    let image_ids = image_ids(body.get("ImageIds"))?;
    let (image_types, states) = filters(body.get("Filters"))?;
    if !image_ids.is_empty() && body.get("Filters").is_some() {
        return Err(Error3::invalid("ImageIds and Filters cannot be specified at the same time"));
    }
    Ok(Query3 {
        region: region.to_owned(),
        image_types,
        image_ids,
        states,
        offset: whole(body.get("Offset"), "Offset", 0, u64::MAX)?.unwrap_or(0),
        limit: whole(body.get("Limit"), "Limit", 1, MAX_LIMIT_3_0)?.unwrap_or(DEFAULT_LIMIT_3_0),
    })
}

fn whole(value: Option<&Value>, name: &str, min: u64, max: u64) -> Result<Option<u64>, Error3> {
    match value {
        None => Ok(None),
        Some(v) => v.as_u64().filter(|n| (min..=max).contains(n)).map(Some).ok_or_else(|| {
            Error3::invalid(format!("{name} must be an integer between {min} and {max}"))
        }),
    }
}

fn strings(value: &Value, name: &str) -> Result<Vec<String>, Error3> {
    let list = value.as_array().ok_or_else(|| Error3::invalid(format!("{name} must be a list")))?;
    list.iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error3::invalid(format!("{name} must hold strings")))
}

fn image_ids(value: Option<&Value>) -> Result<Vec<String>, Error3> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let ids = strings(value, "ImageIds")?;
    if ids.len() > MAX_IMAGE_IDS_3_0 {
        return Err(Error3::invalid(format!("at most {MAX_IMAGE_IDS_3_0} ImageIds per request")));
    }
    Ok(ids)
}

fn filters(value: Option<&Value>) -> Result<(Vec<ImageType>, Vec<ImageStatus>), Error3> {
    let (mut types, mut states) = (Vec::new(), Vec::new());
    let Some(value) = value else { return Ok((types, states)) };
    let list = value.as_array().ok_or_else(|| Error3::invalid("Filters must be a list"))?;
    for filter in list {
        let name = filter.get("Name").and_then(Value::as_str).unwrap_or_default();
        let values = strings(filter.get("Values").unwrap_or(&Value::Null), "Filters.Values")?;
        for value in values {
            let bad = || Error3::invalid(format!("filter {name} has the invalid value {value:?}"));
            match name {
                "image-type" => types.push(image_type_of(&value).ok_or_else(bad)?),
                "image-state" => states.push(image_status_of(&value).ok_or_else(bad)?),
                _ => {
                    return Err(Error3::invalid(format!(
                        "the sandbox supports the filters image-type and image-state, not {name:?}"
                    )));
                }
            }
        }
    }
    Ok((types, states))
}

impl Query3 {
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
    pub fn as_describe_images(&self) -> DescribeImages {
        DescribeImages {
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
        let types: Vec<&str> = self.image_types.iter().map(|t| image_type_name(*t)).collect();
        let states: Vec<&str> = self.states.iter().map(|s| image_state_name(*s)).collect();
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

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Image3 {
    image_id: String,
    image_name: String,
    image_description: String,
    image_type: &'static str,
    os_name: String,
    created_time: String,
    image_creator: String,
    image_state: &'static str,
    image_size: u32,
    architecture: &'static str,
    platform: String,
    image_source: &'static str,
    is_support_cloudinit: bool,
    sync_percent: u32,
}

impl From<&CatalogImage> for Image3 {
    fn from(image: &CatalogImage) -> Self {
        let windows = image.os_name.to_ascii_lowercase().contains("windows");
        let text = format!("{} {}", image.image_name, image.os_name).to_ascii_lowercase();
        let arm = text.contains("arm") || text.contains("aarch64");
        Image3 {
            image_id: image.image_id.clone(),
            image_name: image.image_name.clone(),
            image_description: image.image_description.clone(),
            image_type: image_type_name(image.image_type),
            os_name: image.os_name.clone(),
            created_time: utc_iso(&image.create_time),
            image_creator: image.creator.clone(),
            image_state: image_state_name(image.status),
            image_size: if windows { 50 } else { 20 },
            architecture: if arm { "arm64" } else { "x86_64" },
            platform: image.os_name.split_whitespace().next().unwrap_or("Other").to_owned(),
            image_source: match image.image_type {
                ImageType::Public | ImageType::Marketplace => "OFFICIAL",
                ImageType::Private | ImageType::Shared => "CREATE_IMAGE",
            },
            is_support_cloudinit: !windows,
            sync_percent: 100,
        }
    }
}

/// A catalog create time (Beijing time) as ISO 8601 UTC; empty when empty or unreadable.
pub fn utc_iso(beijing: &str) -> String {
    let input = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let output = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    PrimitiveDateTime::parse(beijing.trim(), input)
        .ok()
        .map(|t| t.assume_offset(offset!(+8)).to_offset(offset!(UTC)))
        .and_then(|t| t.format(output).ok())
        .unwrap_or_default()
}

/// The success body for `page`, with `TotalCount` as given.
pub fn success_json(page: &Page, total_count: u64, request_id: &str) -> String {
    let images: Vec<Image3> = page.images.iter().map(Image3::from).collect();
    serde_json::json!({
        "Response": { "TotalCount": total_count, "ImageSet": images, "RequestId": request_id }
    })
    .to_string()
}

#[cfg(test)]
mod tests;
