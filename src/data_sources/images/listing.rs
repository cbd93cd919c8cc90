//! Where a read gets its images: the [`ImageSource`] seam (the API client in the provider, a
//! fake in tests), and [`SharedListings`], which lets identical queries share one listing.
//!
//! Knows the API's query and image model, never HTTP or Terraform types.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use tokio_util::sync::CancellationToken;

use crate::qcloud::{Image, ImageQuery};

/// Why a listing failed, in the terms a read reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingError {
    /// Terraform asked the provider to stop.
    Cancelled,
    /// Neither the provider block nor the environment gave credentials.
    MissingCredentials,
    /// The API or the transport failed; the text says why and carries no secret.
    Api(String),
}

/// A finished listing: every image matching the server-side query, each once.
pub type Listing = Result<Arc<Vec<Image>>, ListingError>;

/// Lists the images matching a server-side query.
#[async_trait]
pub trait ImageSource: Send + Sync + 'static {
    /// Every image matching `query`; ends early with [`ListingError::Cancelled`] on `cancel`.
    async fn list_images(&self, query: &ImageQuery, cancel: &CancellationToken) -> Listing;
}

/// Identical queries share one listing: concurrent reads of the same query wait for the same
/// call, and a successful listing is kept for the life of this value (one configured provider,
/// so one region). A failed listing is forgotten, so a later read tries again.
pub struct SharedListings {
    source: Arc<dyn ImageSource>,
    listings: Mutex<Listings>,
}

#[derive(Default)]
struct Listings {
    next_generation: u64,
    by_query: HashMap<ImageQuery, Entry>,
}

#[derive(Clone)]
struct Entry {
    /// Tells this listing from a later one for the same query.
    generation: u64,
    listing: Shared<BoxFuture<'static, Listing>>,
    /// The cancellation token of the read that started the listing.
    driver: CancellationToken,
}

impl SharedListings {
    /// Shares the listings of `source`.
    pub fn new(source: Arc<dyn ImageSource>) -> Self {
        Self { source, listings: Mutex::new(Listings::default()) }
    }

    /// The listing for `query`: the one in flight or done, or a new one driven by `cancel`.
    fn entry(&self, query: &ImageQuery, cancel: &CancellationToken) -> Entry {
        let mut listings = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = listings.by_query.get(query) {
            return entry.clone();
        }
        let (source, owned_query, token) = (self.source.clone(), query.clone(), cancel.clone());
        let listing =
            async move { source.list_images(&owned_query, &token).await }.boxed().shared();
        listings.next_generation += 1;
        let entry = Entry { generation: listings.next_generation, listing, driver: cancel.clone() };
        listings.by_query.insert(query.clone(), entry.clone());
        entry
    }

    /// Drops a failed listing so the next read starts a fresh one.
    fn forget(&self, query: &ImageQuery, generation: u64) {
        let mut listings = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        if listings.by_query.get(query).is_some_and(|entry| entry.generation == generation) {
            listings.by_query.remove(query);
        }
    }
}

#[async_trait]
impl ImageSource for SharedListings {
    async fn list_images(&self, query: &ImageQuery, cancel: &CancellationToken) -> Listing {
        loop {
            let entry = self.entry(query, cancel);
            let result = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ListingError::Cancelled),
                result = entry.listing.clone() => result,
            };
            let Err(error) = result else { return result };
            self.forget(query, entry.generation);
            // Another read started this listing and was cancelled; this one was not, so it
            // starts its own. Each retry needs a different cancelled read, so this ends.
            let others_cancelled = error == ListingError::Cancelled && entry.driver.is_cancelled();
            if !others_cancelled || cancel.is_cancelled() {
                return Err(error);
            }
        }
    }
}

#[cfg(test)]
mod tests;
