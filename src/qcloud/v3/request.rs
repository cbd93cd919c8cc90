//! Building one signed API 3.0 `DescribeImages` request: a pure function of the target, the
//! page asked for and the timestamp.
//!
//! `ImageIds` may not be combined with `Filters`: a page with ids sends only the ids, and the
//! type and status are then applied on the client ([`keeps`]). So is `copying`, which has no
//! 3.0 `image-state` name.
//!
//! Must not depend on the HTTP transport (no I/O, no clock here).

use std::fmt;

use reqwest::Url;
use serde::Serialize;

use super::names::{image_state_filter, image_type_name};
use super::{ACTION, CONTENT_TYPE, SERVICE, VERSION};
use crate::qcloud::request::{PageRequest, Target, host_as_sent};
use crate::qcloud::tc3::{
    CanonicalRequest, CredentialScope, StringToSign, authorization, signature,
};
use crate::qcloud::{Image, ImageQuery};

/// The HTTP method of every 3.0 request.
pub const METHOD: &str = "POST";

/// A request ready to send: URL, headers (in sending order) and JSON body.
///
/// `Debug` shows neither the token nor the `Authorization` header.
#[derive(Clone)]
pub struct SignedRequest3 {
    pub url: Url,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl SignedRequest3 {
    /// The value of header `name` (exact, case-sensitive name as built).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for SignedRequest3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| match *name {
                "Authorization" | "X-TC-Token" => (*name, "<redacted>"),
                _ => (*name, value.as_str()),
            })
            .collect();
        f.debug_struct("SignedRequest3")
            .field("endpoint", &format_args!("{}", host_as_sent(&self.url)))
            .field("headers", &shown)
            .field("body", &self.body)
            .finish()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    image_ids: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    filters: Vec<Filter>,
    offset: u64,
    limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Filter {
    name: &'static str,
    values: Vec<&'static str>,
}

/// The JSON body of a page: `ImageIds` when the page has ids, else the `image-type` filter and
/// the `image-state` filter when the API can apply it; then `Offset` and `Limit`.
pub fn body_json(page: &PageRequest<'_>) -> String {
    let by_ids = !page.image_ids.is_empty();
    let mut filters = Vec::new();
    if !by_ids {
        filters.push(Filter { name: "image-type", values: vec![image_type_name(page.image_type)] });
        if let Some(state) = page.status.and_then(image_state_filter) {
            filters.push(Filter { name: "image-state", values: vec![state] });
        }
    }
    let body = Body {
        image_ids: by_ids.then_some(page.image_ids),
        filters,
        offset: page.offset,
        limit: page.limit,
    };
    serde_json::to_string(&body).expect("a body of strings and integers always serializes")
}

/// Builds the whole request of one attempt sent at `timestamp` (unix seconds).
pub fn build_request(
    target: &Target<'_>,
    page: &PageRequest<'_>,
    timestamp: i64,
) -> SignedRequest3 {
    let body = body_json(page);
    let host = host_as_sent(target.endpoint);
    let path = target.endpoint.path();
    let canonical = CanonicalRequest::new(
        METHOD,
        path,
        "",
        &[("content-type", CONTENT_TYPE), ("host", &host)],
        body.as_bytes(),
    );
    let scope = CredentialScope::new(timestamp, SERVICE);
    let text = StringToSign::new(timestamp, &scope, &canonical);
    let credentials = target.credentials;
    let signature = signature(&credentials.secret_key, &scope, &text);
    let mut headers = vec![
        ("Content-Type", CONTENT_TYPE.to_string()),
        ("Host", host),
        ("X-TC-Action", ACTION.to_string()),
        ("X-TC-Version", VERSION.to_string()),
        ("X-TC-Region", target.region.to_string()),
        ("X-TC-Timestamp", timestamp.to_string()),
    ];
    if let Some(token) = &credentials.security_token {
        headers.push(("X-TC-Token", token.clone()));
    }
    let auth =
        authorization(&credentials.secret_id, &scope, &canonical.signed_headers(), &signature);
    headers.push(("Authorization", auth));
    SignedRequest3 { url: target.endpoint.clone(), headers, body }
}

/// Whether a listed image satisfies the parts of `query` the API could not apply: type and
/// status when the query has ids, and a `copying` status always.
pub fn keeps(query: &ImageQuery, image: &Image) -> bool {
    let by_ids = !query.image_ids.is_empty();
    let type_ok = !by_ids || image.image_type == Some(i64::from(query.image_type.code()));
    let status_ok = match query.status {
        Some(status) if by_ids || image_state_filter(status).is_none() => {
            image.status == Some(i64::from(status.code()))
        }
        _ => true,
    };
    type_ok && status_ok
}

#[cfg(test)]
mod tests;
