//! One image as Terraform sees it: the object type of an element of `qcloud_images.images`
//! (and of `qcloud_image_from_family.image`), and an API image turned into it.
//!
//! Pure: no API client, no I/O.

use std::collections::BTreeMap;

use crate::cty::{Fields, Number, Type, Value};
use crate::qcloud::Image;
use crate::qcloud::images::{Snapshot, image_status_name, image_type_name};

/// Attribute names of an image object.
pub mod field {
    pub const ARCHITECTURE: &str = "architecture";
    pub const CREATE_TIME: &str = "create_time";
    pub const CREATOR: &str = "creator";
    pub const IMAGE_DEPRECATED: &str = "image_deprecated";
    pub const IMAGE_DESCRIPTION: &str = "image_description";
    pub const IMAGE_FAMILY: &str = "image_family";
    pub const IMAGE_ID: &str = "image_id";
    pub const IMAGE_NAME: &str = "image_name";
    pub const IMAGE_SIZE: &str = "image_size";
    pub const IMAGE_SOURCE: &str = "image_source";
    pub const IMAGE_STATE: &str = "image_state";
    pub const IMAGE_TYPE: &str = "image_type";
    pub const IS_SUPPORT_CLOUDINIT: &str = "is_support_cloudinit";
    pub const LICENSE_TYPE: &str = "license_type";
    pub const OS_NAME: &str = "os_name";
    pub const PLATFORM: &str = "platform";
    pub const SNAPSHOTS: &str = "snapshots";
    pub const STATUS: &str = "status";
    pub const SYNC_PERCENT: &str = "sync_percent";
    pub const TAGS: &str = "tags";
    pub const SNAPSHOT_ID: &str = "snapshot_id";
    pub const DISK_USAGE: &str = "disk_usage";
    pub const DISK_SIZE: &str = "disk_size";
}

/// The attributes both API versions fill, all strings.
pub const SHARED_FIELDS: [&str; 8] = [
    field::IMAGE_ID,
    field::IMAGE_NAME,
    field::IMAGE_DESCRIPTION,
    field::IMAGE_TYPE,
    field::OS_NAME,
    field::CREATE_TIME,
    field::CREATOR,
    field::STATUS,
];

/// The attributes only API 3.0 fills (null under 2.0), with their types.
pub fn fields_3_0() -> [(&'static str, Type); 12] {
    [
        (field::ARCHITECTURE, Type::String),
        (field::PLATFORM, Type::String),
        (field::IMAGE_SIZE, Type::Number),
        (field::IMAGE_SOURCE, Type::String),
        (field::IMAGE_STATE, Type::String),
        (field::IS_SUPPORT_CLOUDINIT, Type::Bool),
        (field::SNAPSHOTS, Type::list(snapshot_type())),
        (field::TAGS, Type::map(Type::String)),
        (field::LICENSE_TYPE, Type::String),
        (field::IMAGE_FAMILY, Type::String),
        (field::IMAGE_DEPRECATED, Type::Bool),
        (field::SYNC_PERCENT, Type::Number),
    ]
}

/// The type of one snapshot: `snapshot_id`, `disk_usage`, `disk_size`.
pub fn snapshot_type() -> Type {
    Type::object([
        (field::SNAPSHOT_ID, Type::String),
        (field::DISK_USAGE, Type::String),
        (field::DISK_SIZE, Type::Number),
    ])
}

/// The type of one image object.
pub fn image_type() -> Type {
    let shared = SHARED_FIELDS.map(|name| (name, Type::String));
    Type::object(shared.into_iter().chain(fields_3_0()))
}

/// The fields of an image object, listed in the docs' words (for attribute descriptions).
pub const DESCRIPTION: &str = "`image_id`, `image_name`, `image_description`, `image_type` \
(`private`, `public`, `marketplace`, `shared`), `os_name`, `create_time` (RFC 3339 with the \
`+08:00` offset of Beijing time, or the API's text when it cannot be read), `creator` and \
`status` (`creating`, `normal`, `in_use`, `syncing`, `copying`). An unknown type or status code \
is shown as its number. With `api_version = \"3.0\"` each also has `architecture` (`x86_64`, \
`arm64`), `platform` (the OS family), `image_size` (GiB), `image_source`, `image_state` (the \
API's raw state, e.g. `NORMAL`), `is_support_cloudinit`, `snapshots` (each with `snapshot_id`, \
`disk_usage` and `disk_size` in GiB), `tags` (a map), `license_type`, `image_family`, \
`image_deprecated` and `sync_percent`; these are null under API 2.0, which does not return them.";

/// An image as an object value with every attribute (null where the API sent nothing).
pub fn image_value(image: &Image) -> Value {
    let Type::Object(types) = image_type() else { unreachable!("an image is an object") };
    let mut attributes: BTreeMap<String, Value> =
        types.into_keys().map(|name| (name, Value::Null)).collect();
    for (name, value) in image_fields(image) {
        attributes.insert(name.to_string(), value);
    }
    Value::Object(attributes)
}

/// The attributes the API sent for `image`, in name order; absent ones are left out (null).
pub fn image_fields(image: &Image) -> Fields<'static> {
    let text = |value: Option<&str>| value.map(Value::from);
    let number = |value: Option<i64>| value.map(|n| Value::Number(Number::Int(n)));
    let create_time = super::images::create_time::display(image.create_time.as_deref());
    let details = image.details();
    let fields = [
        (field::ARCHITECTURE, text(details.architecture.as_deref())),
        (field::CREATE_TIME, create_time.map(Value::from)),
        (field::CREATOR, text(image.creator.as_deref())),
        (field::IMAGE_DEPRECATED, details.image_deprecated.map(Value::Bool)),
        (field::IMAGE_DESCRIPTION, text(image.image_description.as_deref())),
        (field::IMAGE_FAMILY, text(details.image_family.as_deref())),
        (field::IMAGE_ID, Some(image.image_id.as_str().into())),
        (field::IMAGE_NAME, text(image.image_name.as_deref())),
        (field::IMAGE_SIZE, number(details.image_size)),
        (field::IMAGE_SOURCE, text(details.image_source.as_deref())),
        (field::IMAGE_STATE, text(details.image_state.as_deref())),
        (field::IMAGE_TYPE, image.image_type.map(|code| image_type_name(code).into())),
        (field::IS_SUPPORT_CLOUDINIT, details.is_support_cloudinit.map(Value::Bool)),
        (field::LICENSE_TYPE, text(details.license_type.as_deref())),
        (field::OS_NAME, text(image.os_name.as_deref())),
        (field::PLATFORM, text(details.platform.as_deref())),
        (field::SNAPSHOTS, details.snapshots.as_deref().map(snapshots)),
        (field::STATUS, image.status.map(|code| image_status_name(code).into())),
        (field::SYNC_PERCENT, number(details.sync_percent)),
        (field::TAGS, details.tags.as_ref().map(tags)),
    ];
    fields.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
}

fn snapshots(snapshots: &[Snapshot]) -> Value {
    let one = |s: &Snapshot| {
        Value::object([
            (field::DISK_SIZE, s.disk_size.map_or(Value::Null, |n| Value::Number(Number::Int(n)))),
            (field::DISK_USAGE, Value::opt_string(s.disk_usage.as_deref())),
            (field::SNAPSHOT_ID, Value::opt_string(s.snapshot_id.as_deref())),
        ])
    };
    Value::List(snapshots.iter().map(one).collect())
}

fn tags(tags: &BTreeMap<String, String>) -> Value {
    Value::Map(tags.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect())
}

#[cfg(test)]
mod tests;
