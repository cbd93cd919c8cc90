//! A fake [`Api`] for unit tests: answers `DescribeImages` from a fixed set of images, counts
//! calls, can fail its first calls, and can hold every call until a gate opens.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::call::Budget;
use async_trait::async_trait;
use tokio::sync::watch;

use super::images::{Image, ImageFilter};
use super::{Api, Error};

/// An image with an id, a name, an OS name and a create time (empty text means absent); public
/// and normal.
pub fn image(id: &str, name: &str, os_name: &str, create_time: &str) -> Image {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Image {
        image_id: id.to_string(),
        image_name: text(name),
        image_type: Some(2),
        os_name: text(os_name),
        create_time: text(create_time),
        status: Some(2),
        ..Image::default()
    }
}

/// The fake API.
pub struct FakeApi {
    images: Vec<Image>,
    failures: Mutex<VecDeque<Error>>,
    gate: Option<(watch::Receiver<usize>, usize)>,
    calls: watch::Sender<usize>,
    filters: Mutex<Vec<ImageFilter>>,
}

impl FakeApi {
    /// A fake that serves `images`.
    pub fn new(images: Vec<Image>) -> Self {
        Self {
            images,
            failures: Mutex::new(VecDeque::new()),
            gate: None,
            calls: watch::channel(0).0,
            filters: Mutex::new(Vec::new()),
        }
    }

    /// The first calls fail with these errors, one each.
    pub fn failing_first(self, errors: Vec<Error>) -> Self {
        Self { failures: Mutex::new(errors.into()), ..self }
    }

    /// Every call waits until `gate` holds at least `open_at` (or its caller is cancelled).
    pub fn gated(self, gate: watch::Receiver<usize>, open_at: usize) -> Self {
        Self { gate: Some((gate, open_at)), ..self }
    }

    /// How many listings were asked for.
    pub fn calls(&self) -> usize {
        *self.calls.borrow()
    }

    /// The filters asked for, in order.
    pub fn filters(&self) -> Vec<ImageFilter> {
        self.filters.lock().expect("test lock").clone()
    }

    /// Waits until at least `n` listings were asked for.
    pub async fn wait_for_calls(&self, n: usize) {
        let mut calls = self.calls.subscribe();
        calls.wait_for(|calls| *calls >= n).await.expect("sender alive");
    }

    fn answer(&self, filter: &ImageFilter) -> Vec<Image> {
        self.images.iter().filter(|image| filter.admits(image)).cloned().collect()
    }
}

#[async_trait]
impl Api for FakeApi {
    async fn describe_images(
        &self,
        filter: &ImageFilter,
        budget: &Budget,
    ) -> Result<Arc<Vec<Image>>, Error> {
        self.calls.send_modify(|calls| *calls += 1);
        self.filters.lock().expect("test lock").push(filter.clone());
        if let Some((gate, open_at)) = &self.gate {
            let mut gate = gate.clone();
            tokio::select! {
                biased;
                () = budget.cancel.cancelled() => return Err(Error::Cancelled),
                opened = gate.wait_for(|n| n >= open_at) => {
                    opened.expect("gate sender alive");
                }
            }
        }
        if let Some(error) = self.failures.lock().expect("test lock").pop_front() {
            return Err(error);
        }
        Ok(Arc::new(self.answer(filter)))
    }

    /// The family's newest image that is normal and not deprecated.
    async fn describe_image_from_family(
        &self,
        family: &str,
        _budget: &Budget,
    ) -> Result<Option<Arc<Image>>, Error> {
        self.calls.send_modify(|calls| *calls += 1);
        let usable = self.images.iter().filter(|image| {
            image.details().image_family.as_deref() == Some(family)
                && image.status == Some(2)
                && !image.is_deprecated()
        });
        Ok(usable.max_by(|a, b| a.create_time.cmp(&b.create_time)).cloned().map(Arc::new))
    }
}

/// Counts the calls that reach an API, then passes them on.
pub struct CountingApi<A> {
    pub inner: A,
    pub entered: watch::Sender<usize>,
}

#[async_trait]
impl<A: Api> Api for CountingApi<A> {
    async fn describe_images(
        &self,
        filter: &ImageFilter,
        budget: &Budget,
    ) -> Result<Arc<Vec<Image>>, Error> {
        self.entered.send_modify(|n| *n += 1);
        self.inner.describe_images(filter, budget).await
    }

    async fn describe_image_from_family(
        &self,
        family: &str,
        budget: &Budget,
    ) -> Result<Option<Arc<Image>>, Error> {
        self.entered.send_modify(|n| *n += 1);
        self.inner.describe_image_from_family(family, budget).await
    }
}
