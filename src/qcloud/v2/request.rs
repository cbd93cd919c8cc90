//! One signed API 2.0 request: a pure function of the target, the call, the timestamp and the
//! nonce.
//!
//! Must not depend on the HTTP transport (no I/O, no clock, no randomness here).

use std::collections::BTreeMap;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;

use super::sign::{StringToSign, sign};
use super::{Call, METHOD};
use crate::qcloud::call::{Stamp, Target};
use crate::qcloud::settings::host_as_sent;

/// Everything but the RFC 3986 unreserved characters is percent-encoded.
const QUERY_VALUE: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

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

/// Every parameter of `call` except `Signature`: the common ones, then the action's.
pub fn params(target: &Target<'_>, call: &Call, stamp: Stamp) -> BTreeMap<String, String> {
    let mut params = call.params.clone();
    let mut put = |name: &str, value: String| params.insert(name.to_string(), value);
    put("Action", call.action.to_string());
    put("Region", target.region.to_string());
    put("Timestamp", stamp.timestamp.to_string());
    put("Nonce", stamp.nonce.to_string());
    put("SecretId", target.credentials.secret_id.clone());
    put("SignatureMethod", target.signature_method.as_param().to_string());
    if let Some(token) = &target.credentials.security_token {
        put("Token", token.clone());
    }
    params
}

/// Signs `params` for `target` and builds the URL: the signature is computed over the raw
/// sorted parameters and URL-encoded exactly once, like every other value.
pub fn sign_params(target: &Target<'_>, mut params: BTreeMap<String, String>) -> SignedRequest {
    let text = string_to_sign(target.endpoint, &params);
    let signature = sign(&text, target.credentials.secret_key.as_bytes(), target.signature_method);
    params.insert("Signature".to_string(), signature);
    let mut url = target.endpoint.clone();
    url.set_query(Some(&encode_query(&params)));
    SignedRequest { params, url }
}

/// The whole request of one attempt of `call`.
pub fn build(target: &Target<'_>, call: &Call, stamp: Stamp) -> SignedRequest {
    sign_params(target, params(target, call, stamp))
}

/// The text signed for a request to `endpoint`.
pub fn string_to_sign(endpoint: &Url, params: &BTreeMap<String, String>) -> StringToSign {
    StringToSign::new(METHOD, &host_as_sent(endpoint), endpoint.path(), params)
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

#[cfg(test)]
mod tests;
