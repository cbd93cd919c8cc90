//! The `qcloud_image_from_family` data source: the latest usable image of an image family
//! (`DescribeImageFromFamily`, API 3.0), the way families are meant to be consumed: "always
//! the latest build of my golden image".
//!
//! Must not depend on protobuf, HTTP or the provider module.

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::api_error::describe_in;
use super::image_object::{self, image_value};
use super::{DataSource, ReadContext, ReadOutcome, State, timeouts};
use crate::arguments::API_VERSION;
use crate::cty::{AttributePath, Type, Value};
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::ApiVersion;
use crate::qcloud::call::Budget;
use crate::schema::{Attribute, Block, Presence, Schema};

/// The data source's type name in Terraform configurations.
pub const TYPE_NAME: &str = "qcloud_image_from_family";

/// Argument and attribute names.
pub mod attr {
    pub const IMAGE_FAMILY: &str = "image_family";
    pub const IMAGE_ID: &str = "image_id";
    pub const IMAGE: &str = "image";
}

/// `qcloud_image_from_family`.
pub struct ImageFromFamily;

#[async_trait]
impl DataSource for ImageFromFamily {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let problems = [family(config).err(), timeouts::read_timeout(config).err()];
        Diagnostics(problems.into_iter().flatten().collect())
    }

    async fn read(
        &self,
        config: &Value,
        context: &ReadContext<'_>,
        cancel: &CancellationToken,
    ) -> ReadOutcome {
        let family = match family(config) {
            Ok(Some(family)) => family,
            Ok(None) => return ReadOutcome::failed(not_known()),
            Err(diagnostic) => return ReadOutcome::failed(diagnostic),
        };
        if context.api_version != ApiVersion::V3 {
            return ReadOutcome::failed(needs_3_0());
        }
        let total = match timeouts::read_timeout(config) {
            Ok(total) => total.unwrap_or(timeouts::DEFAULT_READ),
            Err(diagnostic) => return ReadOutcome::failed(diagnostic),
        };
        let budget = Budget::new(cancel.clone(), Some(total));
        let image = match context.api.describe_image_from_family(family, &budget).await {
            Ok(Some(image)) => image,
            Ok(None) => return ReadOutcome::failed(no_image(family, context.region)),
            Err(error) => return ReadOutcome::failed(failed(family, context, &error)),
        };
        let state = Value::object([
            (attr::IMAGE_FAMILY, family.into()),
            (attr::IMAGE_ID, image.image_id.as_str().into()),
            (attr::IMAGE, image_value(&image)),
        ]);
        let summary = format!("image {} of family {family:?}", image.image_id);
        ReadOutcome { state: Some(State::Value(state)), diagnostics: Diagnostics::new(), summary }
    }
}

/// The schema: the family in, its latest image out.
pub fn schema() -> Schema {
    use Presence::{Computed, Required};
    let attributes = vec![
        Attribute::new(attr::IMAGE_FAMILY, Type::String, Required, IMAGE_FAMILY),
        Attribute::new(attr::IMAGE_ID, Type::String, Computed, IMAGE_ID),
        Attribute::new(attr::IMAGE, image_object::image_type(), Computed, &image_description()),
    ];
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: vec![timeouts::block()],
            description: DESCRIPTION.to_string(),
            deprecated: false,
        },
    }
}

const DESCRIPTION: &str = "The latest image of an image family that instances can use, with \
`DescribeImageFromFamily`. Deprecated images are never offered. Needs `api_version = \"3.0\"`.";
const IMAGE_FAMILY: &str = "The image family, e.g. `web-golden`: the name that successive builds \
of an image share.";
const IMAGE_ID: &str = "The id of the family's latest usable image.";

fn image_description() -> String {
    format!(
        "The family's latest usable image, with the same attributes as an element of \
         `qcloud_images.images`: {}",
        image_object::DESCRIPTION
    )
}

/// The family asked for: `None` while unknown; an error when it is empty.
fn family(config: &Value) -> Result<Option<&str>, Diagnostic> {
    let at = AttributePath::attr(attr::IMAGE_FAMILY);
    match config.get_attr(attr::IMAGE_FAMILY) {
        Some(Value::String(family)) if !family.trim().is_empty() => Ok(Some(family.as_str())),
        Some(Value::String(_)) => Err(Diagnostic::error(
            "Empty image_family",
            "image_family is empty: give the name of an image family, e.g. \"web-golden\".",
        )
        .at(at)),
        Some(Value::Unknown) => Ok(None),
        _ => Err(Diagnostic::error("Missing image_family", "image_family is required.").at(at)),
    }
}

fn not_known() -> Diagnostic {
    Diagnostic::error(
        "image_family is not known yet",
        "image_family must be known before the family can be looked up; Terraform normally \
         waits for values that come from other resources, so this is a bug in Terraform or the \
         provider.",
    )
    .at(AttributePath::attr(attr::IMAGE_FAMILY))
}

fn needs_3_0() -> Diagnostic {
    Diagnostic::error(
        "qcloud_image_from_family needs api_version = \"3.0\"",
        format!(
            "Image families exist only in API 3.0 (DescribeImageFromFamily), and the provider \
             speaks API 2.0. Set api_version = \"3.0\" in the provider block (or {}=3.0).",
            API_VERSION.main_env()
        ),
    )
}

fn no_image(family: &str, region: &str) -> Diagnostic {
    Diagnostic::error(
        "No usable image in the family",
        format!(
            "The image family {family:?} has no image that instances can use in region \
             {region}: it does not exist there, all its images are deprecated, or none is \
             ready yet. Check the family name and the region, or build an image into the \
             family."
        ),
    )
    .at(AttributePath::attr(attr::IMAGE_FAMILY))
}

fn failed(family: &str, context: &ReadContext<'_>, error: &crate::qcloud::Error) -> Diagnostic {
    Diagnostic::error(
        "Could not look the image family up",
        format!(
            "DescribeImageFromFamily for family {family:?} failed in region {}: {}",
            context.region,
            describe_in(error, &context.circumstances())
        ),
    )
}

#[cfg(test)]
mod tests;
