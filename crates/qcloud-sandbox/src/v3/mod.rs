//! API 3.0 (CVM, Version `2017-03-12`), served at `/`: `DescribeImages` and
//! `DescribeImageFromFamily` over the same catalog, credentials and faults as API 2.0, signed
//! either way the API accepts: TC3-HMAC-SHA256 (`POST` with a JSON body, or `GET`) or
//! signature v1 (`HmacSHA1` / `HmacSHA256`, `GET` or a form `POST`).
//!
//! Every error is answered with HTTP 200, `Content-Type: application/json` and
//! `{"Response":{"Error":{"Code","Message"},"RequestId"}}`, with the code the API documents;
//! the request log records the equivalent 2.0 code:
//!
//! | code | 2.0 | when |
//! |---|---|---|
//! | `AuthFailure.InvalidAuthorization` | 4100 | `Authorization` is missing or malformed, or does not sign `content-type` and `host` |
//! | `AuthFailure.SignatureFailure` | 4100 | the signature (TC3 or v1) does not match |
//! | `AuthFailure.SecretIdNotFound` | 4104 | the `SecretId` is unknown |
//! | `AuthFailure.TokenFailure` | 4105 | the credential has a token and `X-TC-Token` (v1: `Token`) is missing or different |
//! | `AuthFailure.SignatureExpire` | 4500 | the timestamp is outside the window |
//! | `MissingParameter` | 4000 | a common parameter is missing (`X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp`, `X-TC-Region`; v1: `Action`, `Version`, `Timestamp`, `Region`, `SecretId`, `Nonce`, `Signature`) |
//! | `InvalidParameter` | 4000 | a parameter has the wrong type or shape (a body that is not a JSON object, a text `Limit` in JSON, a filter without values, a name sent twice) |
//! | `InvalidParameterValue` | 4000 | an unknown region ("A value specified in `X-TC-Region` is not valid, ..."), an unknown `image-type` or `image-state` value, a negative `Offset`, an unknown `SignatureMethod` |
//! | `UnknownParameter` | 4000 | a parameter the action does not take |
//! | `InvalidAction` | 6100 | the action is neither `DescribeImages` nor `DescribeImageFromFamily` |
//! | `NoSuchVersion` | 6100 | the version is not `2017-03-12` |
//! | `InvalidParameter.InvalidParameterCoexistImageIdsFilters` | 4000 | `ImageIds` with `Filters` |
//! | `InvalidParameterValue.InvalidParameterValueLimit` | 4000 | `Limit` outside 1-100 |
//! | `InvalidParameterValue.LimitExceeded` | 4000 | more than 10 `Filters`, or more than 100 `ImageIds` |
//! | `InvalidFilter` | 4000 | a filter name other than `image-id`, `image-type`, `image-state`, `image-name`, `platform`, `tag-key`, `tag-value`, `tag:<key>` |
//! | `InvalidFilterValue.LimitExceeded` | 4000 | a filter with more than 5 values |
//! | `InvalidImageId.Malformed` | 4000 | an image id that is not `img-` and 8 lower-case letters or digits |
//! | `InvalidInstanceType.Malformed` | 4000 | an `InstanceType` that is not `FAMILY.SIZE` |
//! | `InvalidParameterValue.InstanceTypeNotFound` | 4000 | an `InstanceType` of an unknown family |
//! | `InvalidParameterValue.InvalidImageFamily` | 4000 | an `ImageFamily` with characters other than letters, digits, `-`, `_`, `.` |
//!
//! Checks run in that order: the common parameters are read, the signature checked, then the
//! action, version and region, then the action's parameters.
//!
//! # Layout
//! - [`request`]: one request as text, read into its common parameters and the action's
//!   ([`Envelope`]), whichever signature it carries.
//! - [`params`]: the action's parameters as JSON, from a JSON body or flat pairs.
//! - [`tc3`]: the TC3-HMAC-SHA256 signature: canonical request, string to sign, signing key,
//!   and the `Authorization` header.
//! - [`auth`]: the checks of one request, TC3 or v1: signature, token, timestamp.
//! - [`query`]: `DescribeImages` validated into a [`Query`], and its page; [`filters`] and
//!   [`instance_type`] are its filters and its `InstanceType` compatibility table.
//! - [`family`]: the `DescribeImageFromFamily` query and its answer.
//! - [`response`]: the 3.0 answers: [`Image`] and the success bodies.
//! - [`error`]: the documented error codes and the error envelope.
//!
//! Must not depend on HTTP types or on the server: requests come in as text.

pub mod auth;
pub mod error;
pub mod family;
pub mod filters;
pub mod instance_type;
pub mod params;
pub mod query;
pub mod request;
pub mod response;
pub mod tc3;

use std::collections::BTreeMap;

pub use auth::authenticate;
pub use error::{Code, Error};
pub use family::FamilyQuery;
pub use query::{DEFAULT_LIMIT, MAX_IMAGE_IDS, MAX_LIMIT, Query};
pub use request::{Envelope, HttpRequest, Signing};
pub use response::{Image, family_json, success_json, utc_iso};

use crate::region::Regions;

/// `DescribeImages`.
pub const ACTION: &str = "DescribeImages";
/// `DescribeImageFromFamily`.
pub const FAMILY_ACTION: &str = "DescribeImageFromFamily";
/// `X-TC-Version`: the CVM API version.
pub const VERSION: &str = "2017-03-12";
/// The service in the credential scope.
pub const SERVICE: &str = "cvm";

/// Request headers, names lower-case.
pub type Headers = BTreeMap<String, String>;

/// What an authenticated, validated request asks of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// A page of images.
    DescribeImages(Query),
    /// The latest usable image of a family.
    DescribeImageFromFamily(FamilyQuery),
}

/// Checks the action, version and region of `envelope`, then validates the action's
/// parameters.
pub fn call(envelope: &Envelope, regions: &Regions) -> Result<Call, Error> {
    let action = envelope.action.as_str();
    if action != ACTION && action != FAMILY_ACTION {
        return Err(Error::new(
            Code::InvalidAction,
            format!("the action {action} is not served here: use {ACTION} or {FAMILY_ACTION}"),
        ));
    }
    if envelope.version != VERSION {
        return Err(Error::new(
            Code::NoSuchVersion,
            format!("the version {} of {action} does not exist: use {VERSION}", envelope.version),
        ));
    }
    let region = region(envelope, regions)?;
    Ok(match action {
        ACTION => Call::DescribeImages(Query::parse(&region, &envelope.params)?),
        _ => Call::DescribeImageFromFamily(FamilyQuery::parse(&region, &envelope.params)?),
    })
}

/// The region of `envelope`, resolved: `MissingParameter` when absent, `InvalidParameterValue`
/// (with the API's own words and the closest names) when unknown.
fn region(envelope: &Envelope, regions: &Regions) -> Result<String, Error> {
    let name = match envelope.signing {
        Signing::Tc3 => "X-TC-Region",
        Signing::V1(_) => "Region",
    };
    let sent = envelope.region.as_deref().ok_or_else(|| Error::missing(name))?;
    regions.resolve_3_0(sent).map_err(|unknown| {
        Error::new(
            Code::InvalidParameterValue,
            format!(
                "A value specified in `{name}` is not valid, is unsupported, or cannot be used: \
                 {unknown}"
            ),
        )
    })
}

impl Call {
    /// The request as the log shows it, besides `Action` and `Region`.
    pub fn logged(&self) -> BTreeMap<String, String> {
        match self {
            Call::DescribeImages(query) => query.logged(),
            Call::DescribeImageFromFamily(query) => query.logged(),
        }
    }
}

/// `Offset` of a request, if it reads and has one that is a number (0 when absent); to match
/// fault rules.
pub fn offset_hint(request: &HttpRequest<'_>) -> Option<u64> {
    Envelope::read(request).ok()?.offset_hint()
}

#[cfg(test)]
mod tests {
    use super::auth::testing::{public_normal, signed, tc3, v1_signed};
    use super::*;
    use crate::v2::signature::SignatureMethod;

    const NOW: i64 = 1_700_000_000;

    fn called(envelope: &Envelope) -> Result<Call, Error> {
        call(envelope, &Regions::default())
    }

    #[test]
    fn both_actions_are_served() {
        let images = signed("AKIDone", "k", None, NOW, &public_normal()).envelope();
        assert!(matches!(called(&images), Ok(Call::DescribeImages(_))));
        let family = tc3(
            "AKIDone",
            "k",
            None,
            NOW,
            FAMILY_ACTION,
            Some(r#"{"ImageFamily":"web-golden"}"#),
            "",
        );
        let Ok(Call::DescribeImageFromFamily(query)) = called(&family.envelope()) else {
            panic!("a family query")
        };
        assert_eq!(query.image_family.as_deref(), Some("web-golden"));
    }

    #[test]
    fn action_version_and_region_are_checked() {
        let mut envelope = signed("AKIDone", "k", None, NOW, "{}").envelope();
        let check = |envelope: &Envelope| called(envelope).expect_err("refused");
        envelope.action = "DescribeInstances".into();
        assert!(check(&envelope).is(Code::InvalidAction));
        envelope.action = ACTION.into();
        envelope.version = "2018-01-01".into();
        assert!(check(&envelope).is(Code::NoSuchVersion));
        envelope.version = VERSION.into();
        envelope.region = None;
        let missing = check(&envelope);
        assert!(missing.is(Code::MissingParameter) && missing.message.contains("X-TC-Region"));
        envelope.region = Some("ap-guangzou".into());
        let unknown = check(&envelope);
        assert!(unknown.is(Code::InvalidParameterValue), "{unknown:?}");
        assert!(unknown.message.starts_with("A value specified in `X-TC-Region` is not valid"));
        assert!(unknown.message.contains("did you mean ap-guangzhou"), "{}", unknown.message);
        let mut v1 =
            v1_signed("AKIDone", "k", "GET", SignatureMethod::HmacSha1, NOW, &[("Region", "gz")])
                .envelope();
        let short = check(&v1);
        assert!(
            short.message.contains("`Region`") && short.message.contains("\"gz\""),
            "{}",
            short.message
        );
        v1.region = Some("na-ashburn".into());
        assert!(called(&v1).is_ok());
    }

    #[test]
    fn offset_hints_come_from_any_form() {
        let json = signed("AKIDone", "k", None, NOW, r#"{"Offset":300}"#);
        assert_eq!(offset_hint(&json.request()), Some(300));
        let form = v1_signed(
            "AKIDone",
            "k",
            "POST",
            SignatureMethod::HmacSha256,
            NOW,
            &[("Offset", "200")],
        );
        assert_eq!(offset_hint(&form.request()), Some(200));
        let none = signed("AKIDone", "k", None, NOW, "{}");
        assert_eq!(offset_hint(&none.request()), Some(0));
        let broken = signed("AKIDone", "k", None, NOW, "not json");
        assert_eq!(offset_hint(&broken.request()), None);
    }
}
