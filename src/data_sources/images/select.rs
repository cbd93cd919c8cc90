//! Selection: client-side filters, a total order, `max_results` and the `most_recent` pick.
//!
//! A pure function of the listed images and the query: the same images in any order give the
//! same selection, so the image an instance is built from never flaps between plans.

use std::cmp::Ordering;

use time::OffsetDateTime;

use super::config::Lookup;
use super::create_time;
use crate::qcloud::{Image, ImageStatus};

/// What a query selects from a listing: borrowed, so a large listing is never copied.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection<'a> {
    /// How many images match every filter, before `max_results`.
    pub total_count: usize,
    /// The matching images in the order asked for, at most `max_results` of them.
    pub images: Vec<&'a Image>,
    /// The newest matching image that can be launched (any status when `status` is set), when
    /// `most_recent` is asked for and one qualifies.
    pub most_recent: Option<&'a Image>,
    /// With `most_recent`: how many matching images were passed over as unusable.
    pub unusable: usize,
}

/// Filters, orders and cuts `listed` as `query` asks.
pub fn select<'a>(listed: impl IntoIterator<Item = &'a Image>, query: &Lookup) -> Selection<'a> {
    let mut matching: Vec<(Option<OffsetDateTime>, &Image)> = listed
        .into_iter()
        .filter(|image| matches(image, query))
        .map(|image| (image.create_time.as_deref().and_then(create_time::parse), image))
        .collect();
    matching.sort_by(|a, b| total_order(a, b, false));
    // The same id twice is one image: keep the first in the total order.
    matching.dedup_by(|a, b| a.1.image_id == b.1.image_id);
    let pickable = |image: &&Image| query.filter.status.is_some() || is_usable(image);
    let most_recent =
        query.most_recent.then(|| matching.iter().map(|m| m.1).find(pickable)).flatten();
    let unusable =
        if query.most_recent { matching.iter().filter(|m| !pickable(&m.1)).count() } else { 0 };
    let total_count = matching.len();
    if query.sort_ascending {
        matching.sort_by(|a, b| total_order(a, b, true));
    }
    let keep = query.max_results.unwrap_or(usize::MAX);
    let images = matching.into_iter().take(keep).map(|(_, image)| image).collect();
    Selection { total_count, images, most_recent, unusable }
}

/// Whether instances can be launched from `image`: `normal`, or `in_use` (busy with another
/// launch, still usable). Never `creating`, `syncing`, `copying`, or a 3.0 state with no 2.0
/// status (failed or importing).
pub fn is_usable(image: &Image) -> bool {
    matches!(
        image.status.and_then(ImageStatus::from_code),
        Some(ImageStatus::Normal | ImageStatus::InUse)
    )
}

/// True when `image` passes the client-side filters (`name_regex`, `os_name`).
pub fn matches(image: &Image, query: &Lookup) -> bool {
    let name_ok = query
        .name_regex
        .as_ref()
        .is_none_or(|regex| image.image_name.as_deref().is_some_and(|name| regex.is_match(name)));
    let os_ok = query.os_name.as_deref().is_none_or(|wanted| {
        let wanted = wanted.to_lowercase();
        image.os_name.as_deref().is_some_and(|os| os.to_lowercase().contains(&wanted))
    });
    name_ok && os_ok
}

/// Create time (missing or unreadable = oldest) in the direction asked, then image id
/// ascending, then every other field, so no two different images ever compare equal.
fn total_order(
    a: &(Option<OffsetDateTime>, &Image),
    b: &(Option<OffsetDateTime>, &Image),
    ascending: bool,
) -> Ordering {
    let by_time = a.0.cmp(&b.0);
    let by_time = if ascending { by_time } else { by_time.reverse() };
    by_time
        .then_with(|| a.1.image_id.cmp(&b.1.image_id))
        .then_with(|| content(a.1).cmp(&content(b.1)))
}

type Content<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
);

fn content(image: &Image) -> Content<'_> {
    (
        image.image_name.as_deref(),
        image.image_description.as_deref(),
        image.image_type,
        image.os_name.as_deref(),
        image.create_time.as_deref(),
        image.creator.as_deref(),
        image.status,
    )
}

#[cfg(test)]
mod tests;
