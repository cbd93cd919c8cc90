//! `DescribeImageFromFamily` in API 3.0: the latest image of a family that can be used (state
//! `NORMAL` and not deprecated), or `null` when the family is unknown, empty, or has no such
//! image. `ImageFamily` is optional, as the API documents it: without it the answer is `null`.
//!
//! "Latest" is the newest create time; images created at the same time go by catalog order.
//! A family name holds letters, digits, `-`, `_` and `.` (the sandbox's reading of the API's
//! `InvalidParameterValue.InvalidImageFamily`, "a malformed family name").
//!
//! Must not depend on HTTP types or on the server.

use std::collections::BTreeMap;

use super::error::{Code, Error};
use super::params::ActionParams;
use crate::catalog::{Catalog, CatalogImage, is_north_america};
use crate::model::ImageType;

/// The parameters `DescribeImageFromFamily` takes.
pub const PARAMETERS: [&str; 1] = ["ImageFamily"];

/// A validated `DescribeImageFromFamily` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyQuery {
    /// The region, as the API names it.
    pub region: String,
    /// `ImageFamily`, if sent.
    pub image_family: Option<String>,
}

impl FamilyQuery {
    /// Validates the parameters of a request for `region` (already resolved).
    pub fn parse(region: &str, params: &ActionParams) -> Result<Self, Error> {
        params.only(&PARAMETERS)?;
        let image_family = params.string("ImageFamily")?.filter(|f| !f.is_empty());
        if let Some(family) = image_family
            && !family.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(Error::new(
                Code::InvalidImageFamily,
                format!(
                    "the image family {family:?} is malformed: it holds letters, digits, -, _ and ."
                ),
            ));
        }
        Ok(Self { region: region.to_owned(), image_family: image_family.map(str::to_owned) })
    }

    /// The latest usable image of the family in `catalog`, if any.
    pub fn latest<'a>(&self, catalog: &'a Catalog) -> Option<&'a CatalogImage> {
        let family = self.image_family.as_deref()?;
        let hidden = |image: &CatalogImage| {
            image.image_type == ImageType::Marketplace && is_north_america(&self.region)
        };
        catalog
            .images()
            .iter()
            .filter(|image| image.attributes.image_family == family)
            .filter(|image| image.is_usable() && !hidden(image))
            .rev()
            .max_by(|a, b| a.create_time.cmp(&b.create_time))
    }

    /// The request as the log shows it.
    pub fn logged(&self) -> BTreeMap<String, String> {
        self.image_family.iter().map(|family| ("ImageFamily".to_owned(), family.clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn latest(family: serde_json::Value) -> Option<String> {
        let params = ActionParams::from_json(family.to_string().as_bytes()).expect("an object");
        let query = FamilyQuery::parse("ap-guangzhou", &params).expect("valid");
        query.latest(&Catalog::builtin()).map(|image| image.image_id.clone())
    }

    #[test]
    fn the_latest_usable_build_of_each_family() {
        let web = latest(json!({"ImageFamily": "web-golden"}));
        assert_eq!(
            web.as_deref(),
            Some("img-wg25b02k"),
            "newer builds are not ready or deprecated"
        );
        assert_eq!(latest(json!({"ImageFamily": "arm-base"})).as_deref(), Some("img-ar25b14m"));
        assert_eq!(
            latest(json!({"ImageFamily": "platform-base"})).as_deref(),
            Some("img-sp25c20t")
        );
    }

    #[test]
    fn no_usable_image_is_null() {
        assert_eq!(latest(json!({"ImageFamily": "legacy-app"})), None, "deprecated or not ready");
        assert_eq!(latest(json!({"ImageFamily": "no-such-family"})), None);
        assert_eq!(latest(json!({"ImageFamily": ""})), None);
        assert_eq!(latest(json!({})), None, "ImageFamily is optional");
    }

    #[test]
    fn equal_create_times_go_by_catalog_order() {
        let mut catalog = Catalog::builtin();
        let mut twin = catalog.get("img-wg25b02k").expect("built in").clone();
        twin.image_id = "img-wg25b02z".into();
        catalog.insert_first(twin).expect("a new id");
        let params = ActionParams::from_json(br#"{"ImageFamily":"web-golden"}"#).expect("object");
        let query = FamilyQuery::parse("ap-guangzhou", &params).expect("valid");
        assert_eq!(query.latest(&catalog).map(|i| i.image_id.as_str()), Some("img-wg25b02z"));
    }

    #[test]
    fn malformed_names_and_unknown_parameters() {
        for body in [json!({"ImageFamily": "web golden"}), json!({"ImageFamily": "web/golden"})] {
            let params = ActionParams::from_json(body.to_string().as_bytes()).expect("object");
            let error = FamilyQuery::parse("ap-guangzhou", &params).expect_err("malformed");
            assert!(error.is(Code::InvalidImageFamily), "{body}: {error:?}");
        }
        let params = ActionParams::from_json(br#"{"ImageFamily":"a","Limit":1}"#).expect("object");
        let error = FamilyQuery::parse("ap-guangzhou", &params).expect_err("unknown");
        assert!(error.is(Code::UnknownParameter), "{error:?}");
        let params = ActionParams::from_json(br#"{"ImageFamily":["a"]}"#).expect("object");
        assert!(
            FamilyQuery::parse("ap-guangzhou", &params)
                .expect_err("not text")
                .is(Code::InvalidParameter)
        );
    }
}
