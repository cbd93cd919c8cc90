//! Building one signed `DescribeImages` request: a pure function of the settings, the page
//! asked for, the timestamp and the nonce.
//!
//! Must not depend on the HTTP transport (no I/O, no clock, no randomness here).

use std::collections::BTreeMap;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;

use super::signer::{StringToSign, sign};
use super::{Credentials, ImageStatus, ImageType, SignatureMethod};

/// The API action every request performs.
pub const ACTION: &str = "DescribeImages";
/// `limit` of every page: the API's maximum.
pub const PAGE_SIZE: u32 = 100;
/// The API accepts at most this many `imageIds.n` per request.
pub const MAX_IDS_PER_REQUEST: usize = 10;
/// The HTTP method requests are sent (and signed) with.
pub const METHOD: &str = "GET";

/// Everything but the RFC 3986 unreserved characters is percent-encoded.
const QUERY_VALUE: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Where and as whom requests are sent.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The endpoint URL, without query.
    pub endpoint: &'a Url,
    pub region: &'a str,
    pub credentials: &'a Credentials,
    pub signature_method: SignatureMethod,
}

/// One page of one batch of a listing: what a single `DescribeImages` call asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest<'a> {
    pub image_type: ImageType,
    /// At most [`MAX_IDS_PER_REQUEST`]; sent as `imageIds.0`, `imageIds.1`, ...
    pub image_ids: &'a [String],
    pub status: Option<ImageStatus>,
    pub offset: u64,
    pub limit: u32,
}

/// The per-attempt values that make each request unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Unix seconds.
    pub timestamp: u64,
    /// A positive random integer.
    pub nonce: u32,
}

impl Stamp {
    /// The current time and a fresh random nonce.
    pub fn fresh() -> Self {
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self { timestamp, nonce: fastrand::u32(1..=i32::MAX.unsigned_abs()) }
    }
}

/// A request ready to send: the full URL with the signed, encoded query.
///
/// `Debug` shows neither the token nor the signature.
#[derive(Clone)]
pub struct SignedRequest {
    /// Every parameter sent, `Signature` included, raw (not encoded).
    pub params: BTreeMap<String, String>,
    /// The endpoint with the encoded query.
    pub url: Url,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: BTreeMap<&str, &str> = self
            .params
            .iter()
            .map(|(k, v)| match k.as_str() {
                "Token" | "Signature" => (k.as_str(), "<redacted>"),
                _ => (k.as_str(), v.as_str()),
            })
            .collect();
        f.debug_struct("SignedRequest")
            .field("endpoint", &format_args!("{}", host_as_sent(&self.url)))
            .field("params", &shown)
            .finish()
    }
}

/// Every parameter of a `DescribeImages` call except `Signature`.
pub fn describe_images_params(
    target: &Target<'_>,
    page: &PageRequest<'_>,
    stamp: Stamp,
) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut put = |name: &str, value: String| params.insert(name.to_string(), value);
    put("Action", ACTION.to_string());
    put("Region", target.region.to_string());
    put("Timestamp", stamp.timestamp.to_string());
    put("Nonce", stamp.nonce.to_string());
    put("SecretId", target.credentials.secret_id.clone());
    put("SignatureMethod", target.signature_method.as_param().to_string());
    if let Some(token) = &target.credentials.security_token {
        put("Token", token.clone());
    }
    put("imageType", page.image_type.code().to_string());
    for (i, id) in page.image_ids.iter().enumerate() {
        put(&format!("imageIds.{i}"), id.clone());
    }
    if let Some(status) = page.status {
        put("status", status.code().to_string());
    }
    put("offset", page.offset.to_string());
    put("limit", page.limit.to_string());
    params
}

/// Signs `params` for `target` and builds the URL: the signature is computed over the raw
/// sorted parameters and URL-encoded exactly once, like every other value.
pub fn sign_request(target: &Target<'_>, mut params: BTreeMap<String, String>) -> SignedRequest {
    let text = string_to_sign(target.endpoint, &params);
    let signature = sign(&text, target.credentials.secret_key.as_bytes(), target.signature_method);
    params.insert("Signature".to_string(), signature);
    let mut url = target.endpoint.clone();
    url.set_query(Some(&encode_query(&params)));
    SignedRequest { params, url }
}

/// Builds the whole request of one attempt.
pub fn build_request(target: &Target<'_>, page: &PageRequest<'_>, stamp: Stamp) -> SignedRequest {
    sign_request(target, describe_images_params(target, page, stamp))
}

/// The text signed for a request to `endpoint`.
pub fn string_to_sign(endpoint: &Url, params: &BTreeMap<String, String>) -> StringToSign {
    StringToSign::new(METHOD, &host_as_sent(endpoint), endpoint.path(), params)
}

/// The host as it appears in the `Host` header: with `:port` only when it is not the scheme's
/// default.
pub fn host_as_sent(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// `name=value` pairs joined by `&`, names and values percent-encoded (RFC 3986).
pub fn encode_query(params: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = params
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, QUERY_VALUE),
                utf8_percent_encode(value, QUERY_VALUE)
            )
        })
        .collect();
    pairs.join("&")
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
mod tests;
