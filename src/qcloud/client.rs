//! The image API client: signed requests, retries, rate limit, concurrent paging.

use tokio_util::sync::CancellationToken;

use super::{Error, Image, ImageQuery, Settings};

/// A client for one configured provider. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Client {
    settings: Settings,
}

impl Client {
    /// A client with these settings.
    pub fn new(settings: Settings) -> Result<Self, Error> {
        Ok(Self { settings })
    }

    /// The settings the client was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Every image matching `query`, every page, each image once.
    pub async fn list_images(
        &self,
        _query: &ImageQuery,
        _cancel: &CancellationToken,
    ) -> Result<Vec<Image>, Error> {
        Err(Error::Other("listing is not implemented yet".into()))
    }
}
