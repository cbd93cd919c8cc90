//! The `qcloud_images` schema: every argument and computed attribute, with its description.
//!
//! Data only: no values, no API client.

use crate::cty::Type;
use crate::data_sources::image_object::{self, image_type};
use crate::schema::{Attribute, Block, Presence, Schema};

/// Argument and attribute names, shared by config parsing, state building and tests.
pub mod attr {
    pub use crate::data_sources::image_object::field::*;
    pub const IMAGE_TYPES: &str = "image_types";
    pub const IMAGE_IDS: &str = "image_ids";
    pub const INSTANCE_TYPE: &str = "instance_type";
    pub const INCLUDE_DEPRECATED: &str = "include_deprecated";
    pub const NAME_REGEX: &str = "name_regex";
    pub const MOST_RECENT: &str = "most_recent";
    pub const SORT_ASCENDING: &str = "sort_ascending";
    pub const MAX_RESULTS: &str = "max_results";
    pub const RESULT_OUTPUT_FILE: &str = "result_output_file";
    pub use crate::data_sources::timeouts::{READ, TIMEOUTS};
    pub const ID: &str = "id";
    pub const TOTAL_COUNT: &str = "total_count";
    pub const IDS: &str = "ids";
    pub const IMAGES: &str = "images";
    pub const IMAGE: &str = "image";
}

/// The computed-only top-level attributes that describe the image `most_recent` picked.
/// (`os_name` describes it too, but is also an argument: see its description.)
pub const SELECTED_FIELDS: [&str; 5] =
    [attr::IMAGE_ID, attr::IMAGE_NAME, attr::IMAGE_DESCRIPTION, attr::CREATE_TIME, attr::CREATOR];

/// The `qcloud_images` data source schema.
pub fn schema() -> Schema {
    let mut attributes = arguments();
    attributes.extend(computed());
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: vec![crate::data_sources::timeouts::block()],
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
    use Presence::{Optional, OptionalComputed};
    vec![
        Attribute::new(attr::IMAGE_TYPE, Type::String, Optional, IMAGE_TYPE),
        Attribute::new(attr::IMAGE_TYPES, Type::list(Type::String), Optional, IMAGE_TYPES),
        Attribute::new(attr::IMAGE_IDS, Type::list(Type::String), Optional, IMAGE_IDS),
        Attribute::new(attr::STATUS, Type::String, Optional, STATUS),
        Attribute::new(attr::INSTANCE_TYPE, Type::String, Optional, INSTANCE_TYPE),
        Attribute::new(attr::PLATFORM, Type::String, Optional, PLATFORM),
        Attribute::new(attr::TAGS, Type::map(Type::String), Optional, TAGS),
        Attribute::new(attr::INCLUDE_DEPRECATED, Type::Bool, Optional, INCLUDE_DEPRECATED),
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
        Attribute::new(attr::IMAGES, Type::list(image_type()), Computed, &images_description()),
        Attribute::new(attr::IMAGE, image_type(), Computed, IMAGE),
    ];
    for (name, description) in SELECTED_FIELDS.into_iter().zip(SELECTED_DESCRIPTIONS) {
        attributes.push(Attribute::new(name, Type::String, Computed, description));
    }
    attributes
}

const IMAGE_TYPE: &str = "Whose images to list: `private`, `public`, `marketplace` or `shared` \
(shared with you), case-insensitive, or the API codes `1` to `4` (so `image_type = 2` works too). \
Set this or `image_types`; under `api_version = \"3.0\"` both may be left out when `image_ids` is \
set.";
const IMAGE_TYPES: &str = "Several types at once, in the same names or codes as `image_type`; \
duplicates collapse. Under API 3.0 they are one request filter; under API 2.0 each type is \
listed on its own and the results merged. Set this or `image_type`, not both.";
const IMAGE_IDS: &str = "Exact image ids (`img-` followed by 8 lower-case letters or digits). \
Any number of ids; duplicates collapse; an empty list is an error. Unset lists every image of \
the type. Ids the API does not return are named in a warning.";
const INSTANCE_TYPE: &str = "Only images that instances of this type can boot, e.g. \
`S5.MEDIUM4` (architecture and boot mode must fit). Needs `api_version = \"3.0\"`.";
const PLATFORM: &str = "Only images of this OS family, e.g. `Ubuntu` or `CentOS`. Needs \
`api_version = \"3.0\"`.";
const TAGS: &str = "Only images that carry every one of these tags with that value. Each tag is \
one request filter: with the type, status and platform at most 10 filters. Needs \
`api_version = \"3.0\"`.";
const INCLUDE_DEPRECATED: &str = "Also list images Tencent Cloud marks deprecated. Defaults to \
`false`: deprecated images are left out. API 2.0 reports no deprecation, so there it changes \
nothing.";
const STATUS: &str = "Only images in this state: `creating`, `normal`, `in_use`, `syncing` or \
`copying`, case-insensitive, or the API codes `1` to `5`. Unset or `0` lists every state.";
const NAME_REGEX: &str = "A regular expression (RE2 syntax, unanchored) matched against the \
image name on the client. Images without a name never match.";
const OS_NAME: &str = "Only images whose OS name contains this text, ignoring case. When it is \
not set and `most_recent = true`, the read fills it with the OS name of the picked image (null \
otherwise); when it is set, it keeps the text you wrote.";
const MOST_RECENT: &str = "Pick the newest matching image into `image` and the top-level \
`image_*` attributes. Unless `status` is set, only images that can be launched are considered: \
`normal` and `in_use`, never `creating`, `syncing`, `copying` or a failed or importing one. The \
read fails when no image qualifies, saying how many were skipped as unusable. Defaults to \
`false`.";
const SORT_ASCENDING: &str = "Order of `images` and `ids`: oldest first when `true`, newest first \
when `false` (the default). Images created at the same time are ordered by image id.";
const MAX_RESULTS: &str = "Keep at most this many images (at least 1), after filtering and \
sorting. `total_count` still counts every match.";
const RESULT_OUTPUT_FILE: &str = "Also write the resulting `images` as pretty JSON to this path, \
each time the data source is read: during `terraform plan` as well as `apply`, since Terraform \
reads data sources while it plans. The file is replaced atomically, gets mode `0644`, `~` is \
expanded and missing parent directories are created.";
const IMAGE: &str = "The image `most_recent` picked, as an object with the same attributes as an \
element of `images` (its `status`, `architecture`, `platform` and the rest); null when \
`most_recent` is not set.";
const ID: &str = "A stable hash of the region and the normalized query: the same query gives the \
same id whatever images it finds.";
const TOTAL_COUNT: &str = "How many images match every filter, before `max_results`.";
const IDS: &str = "The image ids of `images`, in the same order.";
fn images_description() -> String {
    format!(
        "The matching images, ordered by create time (see `sort_ascending`), then by image id. \
         Each has {}",
        image_object::DESCRIPTION
    )
}
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
            (attr::IMAGE_TYPE, string.clone(), Presence::Optional),
            (attr::IMAGE_TYPES, AttributeType::Cty(Type::list(Type::String)), Presence::Optional),
            (attr::IMAGE_IDS, AttributeType::Cty(Type::list(Type::String)), Presence::Optional),
            (attr::STATUS, string.clone(), Presence::Optional),
            (attr::INSTANCE_TYPE, string.clone(), Presence::Optional),
            (attr::PLATFORM, string.clone(), Presence::Optional),
            (attr::TAGS, AttributeType::Cty(Type::map(Type::String)), Presence::Optional),
            (attr::INCLUDE_DEPRECATED, AttributeType::Cty(Type::Bool), Presence::Optional),
            (attr::NAME_REGEX, string.clone(), Presence::Optional),
            (attr::OS_NAME, string.clone(), Presence::OptionalComputed),
            (attr::MOST_RECENT, AttributeType::Cty(Type::Bool), Presence::Optional),
            (attr::SORT_ASCENDING, AttributeType::Cty(Type::Bool), Presence::Optional),
            (attr::MAX_RESULTS, AttributeType::Cty(Type::Number), Presence::Optional),
            (attr::RESULT_OUTPUT_FILE, string.clone(), Presence::Optional),
            (attr::ID, string.clone(), Presence::Computed),
            (attr::TOTAL_COUNT, AttributeType::Cty(Type::Number), Presence::Computed),
            (attr::IDS, AttributeType::Cty(Type::list(Type::String)), Presence::Computed),
            (attr::IMAGES, AttributeType::Cty(Type::list(image_type())), Presence::Computed),
            (attr::IMAGE, AttributeType::Cty(image_type()), Presence::Computed),
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
        let timeouts = &s.block.block_types[0];
        use crate::schema::Nesting;
        assert_eq!((timeouts.type_name.as_str(), timeouts.nesting), ("timeouts", Nesting::Single));
        assert_eq!(timeouts.block.attributes[0].name, "read");
    }

    #[test]
    fn attribute_names_are_unique() {
        let s = schema();
        let names: HashSet<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), s.block.attributes.len());
    }
}
