//! Listing every page: the first page tells `totalCount`, the rest are fetched concurrently
//! and assembled in page order; ids beyond ten are split into batches, each its own paged
//! listing. Robust to a wrong `totalCount` and bounded: it never loops forever.
//!
//! Offset paging cannot see a consistent snapshot by itself: an image created or deleted while
//! the pages are read shifts the later pages, so an image that existed all along could fall
//! between two pages. Every page repeats `totalCount`; when it changes within a listing, the
//! batch is listed again from the start (at most [`MAX_LISTINGS`] times).
//!
//! Must not depend on Terraform types.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::qcloud::call::Budget;
use futures_util::{StreamExt, stream};

use super::{Dialect, Image, ImageFilter, PAGE_SIZE, Page, id_batches};
use crate::qcloud::Error;
use crate::qcloud::transport::Transport;

/// No listing goes beyond this many pages per batch (a million images).
pub const MAX_PAGES: u64 = 10_000;

/// How many times one batch is listed when its images keep changing while it is paged.
pub const MAX_LISTINGS: u32 = 3;

/// One listing of every image matching a filter, page by page.
pub struct Lister<'a> {
    transport: &'a Transport,
    dialect: &'a dyn Dialect,
    filter: &'a ImageFilter,
    budget: &'a Budget,
    /// Pages asked for so far (retries not counted), for the log.
    pages: AtomicU64,
}

impl<'a> Lister<'a> {
    /// A listing of `filter` through `transport`, in `dialect`.
    pub fn new(
        transport: &'a Transport,
        dialect: &'a dyn Dialect,
        filter: &'a ImageFilter,
        budget: &'a Budget,
    ) -> Self {
        Self { transport, dialect, filter, budget, pages: AtomicU64::new(0) }
    }

    /// Every batch (concurrently), assembled in batch order, duplicates dropped.
    pub async fn run(&self) -> Result<Vec<Image>, Error> {
        let started = Instant::now();
        let batches = id_batches(&self.filter.image_ids);
        log::debug!(
            "listing {} images (status {}, {} id(s)) in {} batch(es)",
            type_names(&self.filter.image_types),
            self.filter.status.map_or("any", |s| s.name()),
            self.filter.image_ids.len(),
            batches.len()
        );
        let listed =
            futures_util::future::try_join_all(batches.iter().map(|ids| self.list_batch(ids)))
                .await?;
        let images = first_of_each_id(concatenated(listed));
        log::debug!(
            "listing done: {} image(s), {} page request(s), {:?} elapsed",
            images.len(),
            self.pages.load(Ordering::Relaxed),
            started.elapsed()
        );
        Ok(images)
    }

    /// Every page of one batch, listed again from the start when `totalCount` changed between
    /// its pages (an image was created or deleted meanwhile, so a page may have missed one).
    async fn list_batch(&self, ids: &[String]) -> Result<Vec<Image>, Error> {
        let mut listings = 0;
        loop {
            listings += 1;
            let pages = self.page_batch(ids).await?;
            if !pages.changed {
                return Ok(pages.images);
            }
            if listings >= MAX_LISTINGS {
                return Err(Error::ListingKeptChanging { listings });
            }
            log::warn!(
                "totalCount changed while listing a batch of {} id(s) (images were created or \
                 deleted meanwhile); listing it again, pass {} of at most {MAX_LISTINGS}",
                ids.len(),
                listings + 1
            );
        }
    }

    /// One pass over every page of one batch.
    async fn page_batch(&self, ids: &[String]) -> Result<Pages, Error> {
        let first = self.page(ids, 0).await?;
        let total = first.total_count;
        let mut pages = Pages::default();
        if pages.push(first) == PageFill::Short {
            return Ok(pages);
        }
        pages.reserve_announced();
        let planned = planned_pages(total);
        let results = stream::iter(1..planned)
            .map(|n| self.page(ids, n * u64::from(PAGE_SIZE)))
            .buffered(self.transport.settings().page_concurrency());
        let mut results = std::pin::pin!(results);
        while let Some(page) = results.next().await {
            if pages.push(page?) == PageFill::Short {
                return Ok(pages);
            }
        }
        // Every announced page was full: the listing is complete if it holds exactly
        // `totalCount` images; otherwise `totalCount` was too small (or unknown), so go on.
        if total == Some(pages.images.len() as u64) {
            return Ok(pages);
        }
        self.page_on(ids, pages).await
    }

    /// More pages than `totalCount` announced: one after another until a short page.
    async fn page_on(&self, ids: &[String], mut pages: Pages) -> Result<Pages, Error> {
        log::debug!(
            "every announced page was full but totalCount ({}) differs from the {} image(s) \
             read: reading on until a short page",
            pages.total.map_or("not given".to_string(), |n| n.to_string()),
            pages.images.len()
        );
        let mut seen: HashSet<String> = pages.images.iter().map(|i| i.image_id.clone()).collect();
        loop {
            if pages.count >= MAX_PAGES {
                return Err(Error::TooManyPages { pages: MAX_PAGES as usize });
            }
            let offset = pages.count * u64::from(PAGE_SIZE);
            let page = self.page(ids, offset).await?;
            let fresh = page.images.iter().filter(|i| seen.insert(i.image_id.clone())).count();
            if fresh == 0 && page.images.len() >= PAGE_SIZE as usize {
                return Err(Error::RepeatedPage { offset });
            }
            if pages.push(page) == PageFill::Short {
                return Ok(pages);
            }
        }
    }

    async fn page(&self, ids: &[String], offset: u64) -> Result<Page, Error> {
        let call = self.dialect.page_call(self.filter, ids, offset, PAGE_SIZE);
        let which = match ids.len() {
            0 => "every id".to_string(),
            n => format!("a batch of {n} id(s)"),
        };
        let label = format!("offset {offset}, limit {PAGE_SIZE}, {which}");
        self.pages.fetch_add(1, Ordering::Relaxed);
        let parse =
            |content: &serde_json::Map<String, serde_json::Value>| self.dialect.parse_page(content);
        let page = self.transport.send(&call, &label, &parse, self.budget).await?;
        log::trace!(
            "page at offset {offset}: {} image(s), total count {}",
            page.images.len(),
            page.total_count.map_or("not given".to_string(), |n| n.to_string())
        );
        Ok(page)
    }
}

/// `private`, `private and shared`, or `all` for a listing of every type.
fn type_names(types: &[super::ImageType]) -> String {
    match types {
        [] => "all".to_string(),
        types => types.iter().map(|t| t.name()).collect::<Vec<_>>().join(" and "),
    }
}

/// Whether a page was the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageFill {
    /// Fewer than `limit` images: the listing ends here.
    Short,
    Full,
}

/// The pages of one batch so far.
#[derive(Debug, Default)]
struct Pages {
    images: Vec<Image>,
    count: u64,
    /// The first `totalCount` announced.
    total: Option<u64>,
    /// Whether a later page announced a different `totalCount`.
    changed: bool,
}

impl Pages {
    /// Room for every announced image at once, so that a long listing never grows by
    /// doubling; only once the first page was full, so a wrong `totalCount` on a short
    /// listing reserves nothing.
    fn reserve_announced(&mut self) {
        let announced = self.total.unwrap_or(0).min(MAX_PAGES * u64::from(PAGE_SIZE));
        let announced = usize::try_from(announced).unwrap_or(0);
        self.images.reserve_exact(announced.saturating_sub(self.images.len()));
    }

    fn push(&mut self, page: Page) -> PageFill {
        match (self.total, page.total_count) {
            (None, total) => self.total = total,
            (Some(first), Some(total)) if first != total => self.changed = true,
            _ => {}
        }
        let images = page.images;
        let fill = if images.len() < PAGE_SIZE as usize { PageFill::Short } else { PageFill::Full };
        self.images.extend(images);
        self.count += 1;
        fill
    }
}

/// How many pages `totalCount` announces (at least the first; at most [`MAX_PAGES`]).
fn planned_pages(total: Option<u64>) -> u64 {
    total.map_or(1, |total| total.div_ceil(u64::from(PAGE_SIZE))).clamp(1, MAX_PAGES)
}

/// The batches one after another; one batch is taken as it is, without a copy.
fn concatenated(mut batches: Vec<Vec<Image>>) -> Vec<Image> {
    if batches.len() == 1 {
        return batches.pop().unwrap_or_default();
    }
    let mut images = Vec::with_capacity(batches.iter().map(Vec::len).sum());
    for batch in batches {
        images.extend(batch);
    }
    images
}

/// Drops every image whose id was seen before, keeping the order, in place.
fn first_of_each_id(mut images: Vec<Image>) -> Vec<Image> {
    let repeated: Vec<bool> = {
        let mut seen = HashSet::with_capacity(images.len());
        images.iter().map(|image| !seen.insert(image.image_id.as_str())).collect()
    };
    let mut repeated = repeated.into_iter();
    images.retain(|_| !repeated.next().unwrap_or(false));
    images
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_pages_follow_total_count_within_bounds() {
        let cases = [
            (None, 1),
            (Some(0), 1),
            (Some(1), 1),
            (Some(100), 1),
            (Some(101), 2),
            (Some(1000), 10),
            (Some(1001), 11),
            (Some(u64::MAX), MAX_PAGES),
        ];
        for (total, pages) in cases {
            assert_eq!(planned_pages(total), pages, "{total:?}");
        }
    }

    fn image(id: &str, name: &str) -> Image {
        Image { image_id: id.into(), image_name: Some(name.into()), ..Image::default() }
    }

    #[test]
    fn duplicates_keep_the_first_occurrence_in_order() {
        let images = vec![image("a", "1"), image("b", "1"), image("a", "2"), image("c", "1")];
        let kept: Vec<(String, Option<String>)> =
            first_of_each_id(images).into_iter().map(|i| (i.image_id, i.image_name)).collect();
        assert_eq!(
            kept,
            [
                ("a".into(), Some("1".into())),
                ("b".into(), Some("1".into())),
                ("c".into(), Some("1".into()))
            ]
        );
    }

    fn page(total_count: Option<u64>, images: Vec<Image>) -> Page {
        Page { total_count, images }
    }

    #[test]
    fn a_page_is_short_below_the_limit() {
        let mut pages = Pages::default();
        let full: Vec<Image> = (0..100).map(|i| image(&i.to_string(), "")).collect();
        assert_eq!(pages.push(page(Some(101), full)), PageFill::Full);
        assert_eq!(pages.push(page(Some(101), vec![image("x", "")])), PageFill::Short);
        assert_eq!(pages.push(page(Some(101), Vec::new())), PageFill::Short);
        assert_eq!((pages.count, pages.images.len()), (3, 101));
        assert!(!pages.changed);
    }

    /// Regression: an image deleted (or created) between two pages shifts the later pages, so
    /// an image that existed all along was silently left out. The change shows in `totalCount`.
    #[test]
    fn regression_total_count_changing_between_pages_marks_the_listing_changed() {
        let cases: &[(&[Option<u64>], bool)] = &[
            (&[Some(250), Some(250), Some(250)], false),
            (&[Some(250), Some(249), Some(249)], true),
            (&[Some(250), Some(251)], true),
            (&[Some(250), None, Some(250)], false),
            (&[None, Some(7), Some(7)], false),
            (&[None, Some(7), Some(8)], true),
            (&[None, None], false),
        ];
        for (totals, changed) in cases {
            let mut pages = Pages::default();
            for total in *totals {
                pages.push(page(*total, Vec::new()));
            }
            assert_eq!(pages.changed, *changed, "{totals:?}");
        }
    }
}
