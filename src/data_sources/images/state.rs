//! A selection → the `qcloud_images` state: every attribute of the schema, wholly known,
//! encoded as msgpack of the data source's type.
//!
//! The `images` and `ids` lists are written one image at a time, so a state of thousands of
//! images never exists as one value (see BENCHMARKS.md, "Memory"). Pure: no API client, no I/O.

use std::collections::BTreeMap;

use super::schema::{SELECTED_FIELDS, attr, schema};
use super::select::Selection;
use crate::cty::{CodecError, Fields, Number, Part, Value, encode_object_parts};
use crate::data_sources::image_object::{image_fields, image_value};

/// The state for `config` (already validated and wholly known) with the read's results, as
/// msgpack of the data source's type. A state must be wholly known: an unknown value in
/// `config` is an error.
pub fn encode_state(
    config: &Value,
    id: &str,
    selection: &Selection<'_>,
) -> Result<Vec<u8>, CodecError> {
    if !config.is_wholly_known() {
        return Err(CodecError::new("the configuration still has unknown values"));
    }
    encode_object_parts(state_parts(config, id, selection), &schema().block.value_type())
}

/// Every attribute of the state: the arguments as configured, then the computed attributes.
fn state_parts<'a>(
    config: &'a Value,
    id: &str,
    selection: &'a Selection<'_>,
) -> BTreeMap<&'a str, Part<'a>> {
    let mut parts = BTreeMap::new();
    if let Value::Object(arguments) = config {
        for (name, value) in arguments {
            parts.insert(name.as_str(), Part::Value(value.clone()));
        }
    }
    let images = &selection.images;
    let ids = images.iter().map(|image| Value::from(image.image_id.as_str()));
    let total = i64::try_from(selection.total_count).unwrap_or(i64::MAX);
    parts.insert(attr::ID, Part::Value(id.into()));
    parts.insert(attr::TOTAL_COUNT, Part::Value(Value::Number(Number::Int(total))));
    parts.insert(attr::IDS, Part::Elements(Box::new(ids)));
    let objects = images.iter().map(|image| -> Fields<'a> { image_fields(image) });
    parts.insert(attr::IMAGES, Part::Objects(Box::new(objects)));
    let picked = selection.most_recent.map(image_value);
    for name in SELECTED_FIELDS {
        let value = picked.as_ref().and_then(|p| p.get_attr(name)).cloned();
        parts.insert(name, Part::Value(value.unwrap_or(Value::Null)));
    }
    parts.insert(attr::IMAGE, Part::Value(picked.unwrap_or(Value::Null)));
    if config.get_attr(attr::OS_NAME).is_none_or(Value::is_null) {
        let os = selection.most_recent.and_then(|image| image.os_name.as_deref());
        parts.insert(attr::OS_NAME, Part::Value(Value::opt_string(os)));
    }
    parts
}

#[cfg(test)]
mod tests;
