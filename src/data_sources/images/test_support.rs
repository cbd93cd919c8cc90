//! Builders shared by the data source's unit tests.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::listing::{ImageSource, Listing, ListingError};
use super::schema::schema;
use crate::cty::Value;
use crate::qcloud::{Image, ImageQuery};

/// A config object with every attribute of the schema, null unless given in `pairs`.
pub fn config(pairs: &[(&str, Value)]) -> Value {
    let mut attributes: BTreeMap<String, Value> =
        schema().block.attributes.iter().map(|a| (a.name.clone(), Value::Null)).collect();
    for (name, value) in pairs {
        assert!(attributes.contains_key(*name), "{name} is not in the schema");
        attributes.insert(name.to_string(), value.clone());
    }
    Value::Object(attributes)
}

/// A list of strings.
pub fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::from(*s)).collect())
}

/// An image with an id, a name, an OS name and a create time (empty text means absent).
pub fn image(id: &str, name: &str, os_name: &str, create_time: &str) -> Image {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Image {
        image_id: id.to_string(),
        image_name: text(name),
        image_description: None,
        image_type: Some(2),
        os_name: text(os_name),
        create_time: text(create_time),
        creator: None,
        status: Some(2),
        ..Image::default()
    }
}

/// A fake image API: answers like `DescribeImages` from a fixed set of images, counts calls,
/// can fail its first calls, and can hold every call until a gate opens.
pub struct FakeSource {
    images: Vec<Image>,
    failures: Mutex<VecDeque<ListingError>>,
    gate: Option<(watch::Receiver<usize>, usize)>,
    calls: watch::Sender<usize>,
    queries: Mutex<Vec<ImageQuery>>,
}

impl FakeSource {
    /// A fake that serves `images`.
    pub fn new(images: Vec<Image>) -> Self {
        Self {
            images,
            failures: Mutex::new(VecDeque::new()),
            gate: None,
            calls: watch::channel(0).0,
            queries: Mutex::new(Vec::new()),
        }
    }

    /// The first calls fail with these errors, one each.
    pub fn failing_first(self, errors: Vec<ListingError>) -> Self {
        Self { failures: Mutex::new(errors.into()), ..self }
    }

    /// Every call waits until `gate` holds at least `open_at` (or its read is cancelled).
    pub fn gated(self, gate: watch::Receiver<usize>, open_at: usize) -> Self {
        Self { gate: Some((gate, open_at)), ..self }
    }

    /// How many listings were asked for.
    pub fn calls(&self) -> usize {
        *self.calls.borrow()
    }

    /// The queries asked for, in order.
    pub fn queries(&self) -> Vec<ImageQuery> {
        self.queries.lock().expect("test lock").clone()
    }

    /// Waits until at least `n` listings were asked for.
    pub async fn wait_for_calls(&self, n: usize) {
        let mut calls = self.calls.subscribe();
        calls.wait_for(|calls| *calls >= n).await.expect("sender alive");
    }

    fn answer(&self, query: &ImageQuery) -> Vec<Image> {
        let code = i64::from(query.image_type.code());
        self.images
            .iter()
            .filter(|image| image.image_type == Some(code))
            .filter(|image| query.image_ids.is_empty() || query.image_ids.contains(&image.image_id))
            .filter(|image| query.status.is_none_or(|s| image.status == Some(i64::from(s.code()))))
            .cloned()
            .collect()
    }
}

#[async_trait]
impl ImageSource for FakeSource {
    async fn list_images(&self, query: &ImageQuery, cancel: &CancellationToken) -> Listing {
        self.calls.send_modify(|calls| *calls += 1);
        self.queries.lock().expect("test lock").push(query.clone());
        if let Some((gate, open_at)) = &self.gate {
            let mut gate = gate.clone();
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ListingError::Cancelled),
                opened = gate.wait_for(|n| n >= open_at) => {
                    opened.expect("gate sender alive");
                }
            }
        }
        if let Some(error) = self.failures.lock().expect("test lock").pop_front() {
            return Err(error);
        }
        Ok(Arc::new(self.answer(query)))
    }
}

/// Counts the reads that reach a source, then passes them on.
pub struct CountingSource<S> {
    pub inner: S,
    pub entered: watch::Sender<usize>,
}

#[async_trait]
impl<S: ImageSource> ImageSource for CountingSource<S> {
    async fn list_images(&self, query: &ImageQuery, cancel: &CancellationToken) -> Listing {
        self.entered.send_modify(|n| *n += 1);
        self.inner.list_images(query, cancel).await
    }
}
