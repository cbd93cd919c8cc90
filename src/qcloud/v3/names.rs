//! The API 3.0 names of image types and states, and their 2.0 codes.
//!
//! Pure data: must not depend on anything but the model.

use crate::qcloud::{ImageStatus, ImageType};

/// The `image-type` filter value and `ImageType` field of a type.
pub fn image_type_name(image_type: ImageType) -> &'static str {
    match image_type {
        ImageType::Private => "PRIVATE_IMAGE",
        ImageType::Public => "PUBLIC_IMAGE",
        ImageType::Marketplace => "MARKET_IMAGE",
        ImageType::Shared => "SHARED_IMAGE",
    }
}

/// The type an `ImageType` field names, if it is one of the four.
pub fn image_type_of(name: &str) -> Option<ImageType> {
    [ImageType::Private, ImageType::Public, ImageType::Marketplace, ImageType::Shared]
        .into_iter()
        .find(|t| image_type_name(*t).eq_ignore_ascii_case(name.trim()))
}

/// The `image-state` filter value and `ImageState` field of a status.
///
/// API 3.0 documents no state for an image being copied to another region; its answers are
/// read as `COPYING`, and a `copying` query is filtered on the client instead of by the API
/// (see [`image_state_filter`]).
pub fn image_state_name(status: ImageStatus) -> &'static str {
    match status {
        ImageStatus::Creating => "CREATING",
        ImageStatus::Normal => "NORMAL",
        ImageStatus::InUse => "USING",
        ImageStatus::Syncing => "SYNCING",
        ImageStatus::Copying => "COPYING",
    }
}

/// The value sent in the `image-state` filter; `None` for the states the API cannot filter on.
pub fn image_state_filter(status: ImageStatus) -> Option<&'static str> {
    match status {
        ImageStatus::Copying => None,
        other => Some(image_state_name(other)),
    }
}

/// The status an `ImageState` field names, if it is one of the 2.0 statuses.
pub fn image_status_of(name: &str) -> Option<ImageStatus> {
    use ImageStatus::*;
    [Creating, Normal, InUse, Syncing, Copying]
        .into_iter()
        .find(|s| image_state_name(*s).eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in [ImageType::Private, ImageType::Public, ImageType::Marketplace, ImageType::Shared]
        {
            assert_eq!(image_type_of(image_type_name(t)), Some(t));
        }
        use ImageStatus::*;
        for s in [Creating, Normal, InUse, Syncing, Copying] {
            assert_eq!(image_status_of(image_state_name(s)), Some(s));
        }
        assert_eq!(image_type_of("public_image"), Some(ImageType::Public));
        assert_eq!(image_type_of("OTHER_IMAGE"), None);
        assert_eq!(image_status_of("CREATEFAILED"), None);
        assert_eq!(image_state_filter(Copying), None);
        assert_eq!(image_state_filter(InUse), Some("USING"));
    }
}
