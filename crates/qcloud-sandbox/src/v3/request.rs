//! One request at the API 3.0 endpoint, read whatever way it is signed:
//!
//! - TC3-HMAC-SHA256: an `Authorization` header, the common parameters in `X-TC-*` headers,
//!   and the action's parameters in a JSON body (`POST`) or the query string (`GET`);
//! - signature v1 (`HmacSHA1` / `HmacSHA256`): no `Authorization`; every parameter, common
//!   (`Action`, `Version`, `Region`, `Timestamp`, `Nonce`, `SecretId`, `SignatureMethod`,
//!   `Signature`, ...) and the action's, as flat pairs in the query string (`GET`) or an
//!   `application/x-www-form-urlencoded` body (`POST`).
//!
//! Reading checks only that the common parameters are there and well-formed
//! (`MissingParameter`, `InvalidParameter`); [`super::auth`] checks the signature.
//!
//! Must not depend on HTTP types or on the server: the request comes in as text.

use std::collections::BTreeMap;

use super::Headers;
use super::error::Error;
use super::params::ActionParams;

/// What arrived at the API 3.0 endpoint, as text.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The `Host` header as sent (with `:port` if any).
    pub host: &'a str,
    /// The path, e.g. `/`.
    pub path: &'a str,
    /// The query string as sent, without `?`.
    pub query: &'a str,
    /// The headers, names lower-case.
    pub headers: &'a Headers,
    /// The body.
    pub body: &'a [u8],
}

/// How a request is signed.
#[derive(Debug, Clone, PartialEq)]
pub enum Signing {
    /// TC3-HMAC-SHA256, in the `Authorization` header (refused later when it is missing).
    Tc3,
    /// Signature v1: every pair sent, `Signature` among them.
    V1(BTreeMap<String, String>),
}

/// A request's common parameters and the action's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// How it is signed.
    pub signing: Signing,
    /// `X-TC-Action` / `Action`.
    pub action: String,
    /// `X-TC-Version` / `Version`.
    pub version: String,
    /// `X-TC-Region` / `Region`, if sent.
    pub region: Option<String>,
    /// `X-TC-Timestamp` / `Timestamp`, unix seconds.
    pub timestamp: i64,
    /// The action's parameters.
    pub params: ActionParams,
}

/// The common parameters of signature v1; the other pairs are the action's.
const COMMON_V1: [&str; 11] = [
    "Action",
    "Version",
    "Region",
    "Timestamp",
    "Nonce",
    "SecretId",
    "SignatureMethod",
    "Signature",
    "Token",
    "Language",
    "RequestClient",
];

impl Envelope {
    /// Its `Offset`, if that is a number (0 when absent); to match fault rules.
    pub fn offset_hint(&self) -> Option<u64> {
        match self.params.integer("Offset") {
            Ok(offset) => u64::try_from(offset.unwrap_or(0)).ok(),
            Err(_) => None,
        }
    }

    /// Reads `request`: TC3 when it has an `Authorization` header or a JSON body, signature
    /// v1 otherwise.
    pub fn read(request: &HttpRequest<'_>) -> Result<Self, Error> {
        if is_tc3(request) { read_tc3(request) } else { read_v1(request) }
    }

    /// The signature v1 pair `name`, if the request is signed that way and sent it.
    pub fn v1_param(&self, name: &str) -> Option<&str> {
        match &self.signing {
            Signing::V1(pairs) => pairs.get(name).map(String::as_str),
            Signing::Tc3 => None,
        }
    }
}

fn is_tc3(request: &HttpRequest<'_>) -> bool {
    let content_type = request.headers.get("content-type").map(String::as_str).unwrap_or_default();
    let form =
        content_type.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded");
    request.headers.contains_key("authorization") || (request.method == "POST" && !form)
}

fn read_tc3(request: &HttpRequest<'_>) -> Result<Envelope, Error> {
    let header = |name: &str| request.headers.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let required = |name: &str, shown: &str| header(name).ok_or_else(|| Error::missing(shown));
    let params = if request.method == "GET" {
        ActionParams::from_pairs(
            pairs(request.query.as_bytes())?.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )?
    } else {
        ActionParams::from_json(request.body)?
    };
    Ok(Envelope {
        signing: Signing::Tc3,
        action: required("x-tc-action", "X-TC-Action")?.to_owned(),
        version: required("x-tc-version", "X-TC-Version")?.to_owned(),
        region: header("x-tc-region").map(str::to_owned),
        timestamp: timestamp(required("x-tc-timestamp", "X-TC-Timestamp")?, "X-TC-Timestamp")?,
        params,
    })
}

fn read_v1(request: &HttpRequest<'_>) -> Result<Envelope, Error> {
    let encoded = if request.method == "POST" { request.body } else { request.query.as_bytes() };
    let all = pairs(encoded)?;
    let value = |name: &str| all.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let required = |name: &str| value(name).ok_or_else(|| Error::missing(name));
    let own = all.iter().filter(|(name, _)| !COMMON_V1.contains(&name.as_str()));
    let params = ActionParams::from_pairs(own.map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(Envelope {
        action: required("Action")?.to_owned(),
        version: required("Version")?.to_owned(),
        region: value("Region").map(str::to_owned),
        timestamp: timestamp(required("Timestamp")?, "Timestamp")?,
        params,
        signing: Signing::V1(all.clone()),
    })
}

/// URL-decoded pairs; a name sent twice is refused, since the signature would be ambiguous.
fn pairs(encoded: &[u8]) -> Result<BTreeMap<String, String>, Error> {
    crate::v2::query::decode_pairs(encoded)
        .map_err(|name| Error::invalid(format!("the parameter {name} is sent more than once")))
}

fn timestamp(text: &str, name: &str) -> Result<i64, Error> {
    text.parse().map_err(|_| Error::invalid(format!("{name} must be unix seconds, not {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::error::Code;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn request<'a>(
        method: &'a str,
        query: &'a str,
        headers: &'a Headers,
        body: &'a [u8],
    ) -> HttpRequest<'a> {
        HttpRequest { method, host: "127.0.0.1:8080", path: "/", query, headers, body }
    }

    #[test]
    fn tc3_post_reads_headers_and_the_json_body() {
        let h = headers(&[
            ("content-type", "application/json"),
            ("authorization", "TC3-HMAC-SHA256 ..."),
            ("x-tc-action", "DescribeImages"),
            ("x-tc-version", "2017-03-12"),
            ("x-tc-region", "ap-guangzhou"),
            ("x-tc-timestamp", "1700000000"),
        ]);
        let envelope = Envelope::read(&request("POST", "", &h, br#"{"Limit":5}"#)).expect("valid");
        assert_eq!(envelope.signing, Signing::Tc3);
        assert_eq!(
            (envelope.action.as_str(), envelope.version.as_str()),
            ("DescribeImages", "2017-03-12")
        );
        assert_eq!(
            (envelope.region.as_deref(), envelope.timestamp),
            (Some("ap-guangzhou"), 1_700_000_000)
        );
        assert_eq!(envelope.params.integer("Limit"), Ok(Some(5)));
    }

    #[test]
    fn tc3_get_reads_the_query_string() {
        let h = headers(&[
            ("authorization", "TC3-HMAC-SHA256 ..."),
            ("x-tc-action", "DescribeImages"),
            ("x-tc-version", "2017-03-12"),
            ("x-tc-timestamp", "1700000000"),
        ]);
        let envelope = Envelope::read(&request("GET", "Limit=5&ImageIds.0=img-aaaaaaaa", &h, b""))
            .expect("valid");
        assert_eq!(envelope.params.integer("Limit"), Ok(Some(5)));
        assert_eq!(envelope.region, None);
    }

    #[test]
    fn v1_reads_common_and_own_parameters_from_a_form_or_query() {
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        let body =
            b"Action=DescribeImages&Version=2017-03-12&Region=ap-guangzhou&Timestamp=1700000000\
            &Nonce=7&SecretId=AKID&Signature=abc%2B%3D&Limit=5&Language=zh-CN&RequestClient=SDK";
        for (method, query, body) in
            [("POST", "", &body[..]), ("GET", std::str::from_utf8(body).unwrap(), &b""[..])]
        {
            let h = if method == "POST" { form.clone() } else { Headers::new() };
            let envelope = Envelope::read(&request(method, query, &h, body)).expect(method);
            assert!(matches!(envelope.signing, Signing::V1(_)), "{method}");
            assert_eq!(envelope.v1_param("Signature"), Some("abc+="));
            assert_eq!(envelope.params.integer("Limit"), Ok(Some(5)));
            assert_eq!(
                envelope.params.only(&["Limit"]),
                Ok(()),
                "common parameters are not the action's"
            );
        }
    }

    #[test]
    fn missing_and_malformed_common_parameters() {
        let cases: &[(&str, Code, &str)] = &[
            ("Version=2017-03-12&Timestamp=1", Code::MissingParameter, "Action"),
            ("Action=DescribeImages&Timestamp=1", Code::MissingParameter, "Version"),
            ("Action=DescribeImages&Version=2017-03-12", Code::MissingParameter, "Timestamp"),
            (
                "Action=DescribeImages&Version=2017-03-12&Timestamp=soon",
                Code::InvalidParameter,
                "Timestamp",
            ),
            ("Action=A&Action=B", Code::InvalidParameter, "Action"),
        ];
        let none = Headers::new();
        for (query, code, named) in cases {
            let error = Envelope::read(&request("GET", query, &none, b"")).expect_err(query);
            assert!(error.is(*code) && error.message.contains(named), "{query}: {error:?}");
        }
        let json = headers(&[("content-type", "application/json"), ("x-tc-version", "2017-03-12")]);
        let error = Envelope::read(&request("POST", "", &json, b"{}")).expect_err("no action");
        assert!(
            error.is(Code::MissingParameter) && error.message.contains("X-TC-Action"),
            "{error:?}"
        );
    }
}
