//! The `qcloud_images` schema: every argument and computed attribute, with its description.
//!
//! Data only: no values, no API client.

use crate::cty::Type;
use crate::schema::{Attribute, Block, Presence, Schema};

/// Argument and attribute names, shared by config parsing, state building and tests.
pub mod attr {
    pub const IMAGE_TYPE: &str = "image_type";
    pub const IMAGE_IDS: &str = "image_ids";
    pub const STATUS: &str = "status";
    pub const NAME_REGEX: &str = "name_regex";
    pub const OS_NAME: &str = "os_name";
    pub const MOST_RECENT: &str = "most_recent";
    pub const SORT_ASCENDING: &str = "sort_ascending";
    pub const MAX_RESULTS: &str = "max_results";
    pub const RESULT_OUTPUT_FILE: &str = "result_output_file";
    pub const ID: &str = "id";
    pub const TOTAL_COUNT: &str = "total_count";
    pub const IDS: &str = "ids";
    pub const IMAGES: &str = "images";
    pub const IMAGE_ID: &str = "image_id";
    pub const IMAGE_NAME: &str = "image_name";
    pub const IMAGE_DESCRIPTION: &str = "image_description";
    pub const CREATE_TIME: &str = "create_time";
    pub const CREATOR: &str = "creator";
    pub const ARCHITECTURE: &str = "architecture";
    pub const PLATFORM: &str = "platform";
    pub const IMAGE_SIZE: &str = "image_size";
    pub const IMAGE_SOURCE: &str = "image_source";
    pub const IMAGE_STATE: &str = "image_state";
    pub const IS_SUPPORT_CLOUDINIT: &str = "is_support_cloudinit";
}

/// The attributes of one element of `images` that both API versions fill, all strings.
pub const IMAGE_FIELDS: [&str; 8] = [
    attr::IMAGE_ID,
    attr::IMAGE_NAME,
    attr::IMAGE_DESCRIPTION,
    attr::IMAGE_TYPE,
    attr::OS_NAME,
    attr::CREATE_TIME,
    attr::CREATOR,
    attr::STATUS,
];

/// The computed-only top-level attributes that describe the image `most_recent` picked.
/// (`os_name` describes it too, but is also an argument: see its description.)
pub const SELECTED_FIELDS: [&str; 5] =
    [attr::IMAGE_ID, attr::IMAGE_NAME, attr::IMAGE_DESCRIPTION, attr::CREATE_TIME, attr::CREATOR];

/// The attributes of one element of `images` that only API 3.0 fills (null under 2.0).
pub const IMAGE_FIELDS_3_0: [(&str, Type); 6] = [
    (attr::ARCHITECTURE, Type::String),
    (attr::PLATFORM, Type::String),
    (attr::IMAGE_SIZE, Type::Number),
    (attr::IMAGE_SOURCE, Type::String),
    (attr::IMAGE_STATE, Type::String),
    (attr::IS_SUPPORT_CLOUDINIT, Type::Bool),
];

/// The type of one element of `images`.
pub fn image_object_type() -> Type {
    let shared = IMAGE_FIELDS.map(|name| (name, Type::String));
    Type::object(shared.into_iter().chain(IMAGE_FIELDS_3_0))
}

/// The `qcloud_images` data source schema.
pub fn schema() -> Schema {
    let mut attributes = arguments();
    attributes.extend(computed());
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: Vec::new(),
            description: DATA_SOURCE_DESCRIPTION.to_string(),
            deprecated: false,
        },
    }
}

const DATA_SOURCE_DESCRIPTION: &str = "Looks up Tencent Cloud machine images with `DescribeImages`, \
filters them by name and OS on the client, and orders them deterministically: by create time, \
then by image id, so the same images always give the same result whatever order the API \
returns them in.";

fn arguments() -> Vec<Attribute> {
    use Presence::{Optional, OptionalComputed, Required};
    vec![
        Attribute::new(attr::IMAGE_TYPE, Type::String, Required, IMAGE_TYPE),
        Attribute::new(attr::IMAGE_IDS, Type::list(Type::String), Optional, IMAGE_IDS),
        Attribute::new(attr::STATUS, Type::String, Optional, STATUS),
        Attribute::new(attr::NAME_REGEX, Type::String, Optional, NAME_REGEX),
        Attribute::new(attr::OS_NAME, Type::String, OptionalComputed, OS_NAME),
        Attribute::new(attr::MOST_RECENT, Type::Bool, Optional, MOST_RECENT),
        Attribute::new(attr::SORT_ASCENDING, Type::Bool, Optional, SORT_ASCENDING),
        Attribute::new(attr::MAX_RESULTS, Type::Number, Optional, MAX_RESULTS),
        Attribute::new(attr::RESULT_OUTPUT_FILE, Type::String, Optional, RESULT_OUTPUT_FILE),
    ]
}

fn computed() -> Vec<Attribute> {
    use Presence::Computed;
    let mut attributes = vec![
        Attribute::new(attr::ID, Type::String, Computed, ID),
        Attribute::new(attr::TOTAL_COUNT, Type::Number, Computed, TOTAL_COUNT),
        Attribute::new(attr::IDS, Type::list(Type::String), Computed, IDS),
        Attribute::new(attr::IMAGES, Type::list(image_object_type()), Computed, IMAGES),
    ];
    for (name, description) in SELECTED_FIELDS.into_iter().zip(SELECTED_DESCRIPTIONS) {
        attributes.push(Attribute::new(name, Type::String, Computed, description));
    }
    attributes
}

const IMAGE_TYPE: &str = "Whose images to list: `private`, `public`, `marketplace` or `shared` \
(shared with you), case-insensitive, or the API codes `1` to `4` (so `image_type = 2` works too).";
const IMAGE_IDS: &str = "Exact image ids (`img-` followed by 8 lower-case letters or digits). \
Any number of ids; duplicates collapse. Unset lists every image of the type.";
const STATUS: &str = "Only images in this state: `creating`, `normal`, `in_use`, `syncing` or \
`copying`, case-insensitive, or the API codes `1` to `5`. Unset or `0` lists every state.";
const NAME_REGEX: &str = "A regular expression (RE2 syntax, unanchored) matched against the \
image name on the client. Images without a name never match.";
const OS_NAME: &str = "Only images whose OS name contains this text, ignoring case. When it is \
not set and `most_recent = true`, the read fills it with the OS name of the picked image (null \
otherwise); when it is set, it keeps the text you wrote.";
const MOST_RECENT: &str = "Pick the newest matching image into the top-level `image_*` \
attributes. The read fails when no image matches. Defaults to `false`.";
const SORT_ASCENDING: &str = "Order of `images` and `ids`: oldest first when `true`, newest first \
when `false` (the default). Images created at the same time are ordered by image id.";
const MAX_RESULTS: &str = "Keep at most this many images (at least 1), after filtering and \
sorting. `total_count` still counts every match.";
const RESULT_OUTPUT_FILE: &str = "Also write the resulting `images` as pretty JSON to this path. \
The file is replaced atomically, gets mode `0644`, `~` is expanded and missing parent \
directories are created.";
const ID: &str = "A stable hash of the region and the normalized query: the same query gives the \
same id whatever images it finds.";
const TOTAL_COUNT: &str = "How many images match every filter, before `max_results`.";
const IDS: &str = "The image ids of `images`, in the same order.";
const IMAGES: &str = "The matching images, ordered by create time (see `sort_ascending`), then by \
image id. Each has `image_id`, `image_name`, `image_description`, `image_type` (`private`, \
`public`, `marketplace`, `shared`), `os_name`, `create_time` (RFC 3339 with the `+08:00` offset \
of Beijing time, or the API's text when it cannot be read), `creator` and `status` (`creating`, \
`normal`, `in_use`, `syncing`, `copying`). An unknown type or status code is shown as its number. \
With `api_version = \"3.0\"` each also has `architecture` (`x86_64`, `arm64`), `platform` (the OS \
family), `image_size` (GiB), `image_source`, `image_state` (the API's raw state, e.g. `NORMAL`) \
and `is_support_cloudinit`; these are null under API 2.0, which does not return them.";
const SELECTED_DESCRIPTIONS: [&str; 5] = [
    "The id of the image picked by `most_recent`; null when `most_recent` is not set.",
    "The name of the image picked by `most_recent`; null when `most_recent` is not set.",
    "The description of the image picked by `most_recent`; null when `most_recent` is not set.",
    "The create time (RFC 3339) of the image picked by `most_recent`; null when `most_recent` is \
     not set.",
    "The creator of the image picked by `most_recent`; null when `most_recent` is not set.",
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::schema::AttributeType;

    fn find<'a>(schema: &'a Schema, name: &str) -> &'a Attribute {
        schema.block.attributes.iter().find(|a| a.name == name).expect("attribute in schema")
    }

    #[test]
    fn every_attribute_has_its_type_presence_and_a_description() {
        let s = schema();
        let string = AttributeType::Cty(Type::String);
        let cases: Vec<(&str, AttributeType, Presence)> = vec![
            (attr::IMAGE_TYPE, string.clone(), Presence::Required),
            (attr::IMAGE_IDS, AttributeType::Cty(Type::list(Type::String)), Presence::Optional),
            (attr::STATUS, string.clone(), Presence::Optional),
            (attr::NAME_REGEX, string.clone(), Presence::Optional),
            (attr::OS_NAME, string.clone(), Presence::OptionalComputed),
            (attr::MOST_RECENT, AttributeType::Cty(Type::Bool), Presence::Optional),
            (attr::SORT_ASCENDING, AttributeType::Cty(Type::Bool), Presence::Optional),
            (attr::MAX_RESULTS, AttributeType::Cty(Type::Number), Presence::Optional),
            (attr::RESULT_OUTPUT_FILE, string.clone(), Presence::Optional),
            (attr::ID, string.clone(), Presence::Computed),
            (attr::TOTAL_COUNT, AttributeType::Cty(Type::Number), Presence::Computed),
            (attr::IDS, AttributeType::Cty(Type::list(Type::String)), Presence::Computed),
            (attr::IMAGES, AttributeType::Cty(Type::list(image_object_type())), Presence::Computed),
            (attr::IMAGE_ID, string.clone(), Presence::Computed),
            (attr::IMAGE_NAME, string.clone(), Presence::Computed),
            (attr::IMAGE_DESCRIPTION, string.clone(), Presence::Computed),
            (attr::CREATE_TIME, string.clone(), Presence::Computed),
            (attr::CREATOR, string.clone(), Presence::Computed),
        ];
        assert_eq!(s.block.attributes.len(), cases.len());
        for (name, ty, presence) in cases {
            let a = find(&s, name);
            assert_eq!((&a.ty, a.presence), (&ty, presence), "{name}");
            assert!(a.description.len() > 20, "{name} needs a description");
            assert!(!a.sensitive, "{name}");
        }
        assert!(!s.block.description.is_empty());
    }

    #[test]
    fn attribute_names_are_unique() {
        let s = schema();
        let names: HashSet<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), s.block.attributes.len());
    }
}
