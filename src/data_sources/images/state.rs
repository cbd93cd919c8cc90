//! A selection → the `qcloud_images` state: every attribute of the schema, wholly known.
//!
//! Pure: no API client, no I/O.

use std::collections::BTreeMap;

use super::create_time;
use super::schema::{SELECTED_FIELDS, attr, schema};
use super::select::Selection;
use crate::cty::{Number, Value};
use crate::qcloud::{Image, ImageStatus, ImageType};

/// The state for `config` (already validated and wholly known) with the read's results.
pub fn state(config: &Value, id: &str, selection: &Selection) -> Value {
    let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
    for attribute in schema().block.attributes {
        let value = config.get_attr(&attribute.name).cloned().unwrap_or(Value::Null);
        attributes.insert(attribute.name, value);
    }
    let images: Vec<Value> = selection.images.iter().map(image_object).collect();
    let ids = selection.images.iter().map(|image| Value::from(image.image_id.as_str())).collect();
    let total = i64::try_from(selection.total_count).unwrap_or(i64::MAX);
    attributes.insert(attr::ID.into(), id.into());
    attributes.insert(attr::TOTAL_COUNT.into(), Value::Number(Number::Int(total)));
    attributes.insert(attr::IDS.into(), Value::List(ids));
    attributes.insert(attr::IMAGES.into(), Value::List(images));
    let picked = selection.most_recent.as_ref().map(image_object);
    for name in SELECTED_FIELDS {
        let value = picked.as_ref().and_then(|p| p.get_attr(name)).cloned();
        attributes.insert(name.into(), value.unwrap_or(Value::Null));
    }
    if attributes.get(attr::OS_NAME).is_none_or(Value::is_null) {
        let os = selection.most_recent.as_ref().and_then(|image| image.os_name.as_deref());
        attributes.insert(attr::OS_NAME.into(), Value::opt_string(os));
    }
    Value::Object(attributes)
}

/// One element of `images`.
pub fn image_object(image: &Image) -> Value {
    Value::object([
        (attr::IMAGE_ID, image.image_id.as_str().into()),
        (attr::IMAGE_NAME, Value::opt_string(image.image_name.as_deref())),
        (attr::IMAGE_DESCRIPTION, Value::opt_string(image.image_description.as_deref())),
        (attr::IMAGE_TYPE, Value::opt_string(image.image_type.map(image_type_name))),
        (attr::OS_NAME, Value::opt_string(image.os_name.as_deref())),
        (attr::CREATE_TIME, Value::opt_string(create_time::display(image.create_time.as_deref()))),
        (attr::CREATOR, Value::opt_string(image.creator.as_deref())),
        (attr::STATUS, Value::opt_string(image.status.map(status_name))),
        (attr::ARCHITECTURE, Value::opt_string(image.architecture.as_deref())),
        (attr::PLATFORM, Value::opt_string(image.platform.as_deref())),
        (attr::IMAGE_SIZE, image.image_size.map_or(Value::Null, |n| Value::Number(Number::Int(n)))),
        (attr::IMAGE_SOURCE, Value::opt_string(image.image_source.as_deref())),
        (attr::IMAGE_STATE, Value::opt_string(image.image_state.as_deref())),
        (attr::IS_SUPPORT_CLOUDINIT, image.is_support_cloudinit.map_or(Value::Null, Value::Bool)),
    ])
}

/// `private`, `public`, `marketplace`, `shared`, or the code itself when it is none of them.
pub fn image_type_name(code: i64) -> String {
    match ImageType::from_code(code) {
        Some(ImageType::Private) => "private".into(),
        Some(ImageType::Public) => "public".into(),
        Some(ImageType::Marketplace) => "marketplace".into(),
        Some(ImageType::Shared) => "shared".into(),
        None => code.to_string(),
    }
}

/// `creating`, `normal`, `in_use`, `syncing`, `copying`, or the code itself.
pub fn status_name(code: i64) -> String {
    match ImageStatus::from_code(code) {
        Some(ImageStatus::Creating) => "creating".into(),
        Some(ImageStatus::Normal) => "normal".into(),
        Some(ImageStatus::InUse) => "in_use".into(),
        Some(ImageStatus::Syncing) => "syncing".into(),
        Some(ImageStatus::Copying) => "copying".into(),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests;
