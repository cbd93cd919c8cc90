//! The API client as the data source's [`ImageSource`]: reports missing credentials when a
//! listing needs them, and turns client errors into listing errors.
//!
//! The only place where the provider touches the API client; no Terraform values here.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::data_sources::images::{ImageSource, Listing, ListingError};
use crate::qcloud::{Client, Error, ImageQuery, Settings};

/// Lists images with a configured API client.
pub struct ClientSource {
    client: Client,
    has_credentials: bool,
}

impl ClientSource {
    /// A source for `settings`; fails when the client cannot be built (its error text).
    pub fn connect(settings: Settings) -> Result<Self, String> {
        let has_credentials = settings.credentials.is_some();
        let client = Client::new(settings).map_err(|error| error.to_string())?;
        Ok(Self { client, has_credentials })
    }
}

#[async_trait]
impl ImageSource for ClientSource {
    async fn list_images(&self, query: &ImageQuery, cancel: &CancellationToken) -> Listing {
        if !self.has_credentials {
            return Err(ListingError::MissingCredentials);
        }
        match self.client.list_images(query, cancel).await {
            Ok(images) => Ok(Arc::new(images)),
            Err(error) => Err(listing_error(&error)),
        }
    }
}

/// A client error in the terms a read reports.
pub fn listing_error(error: &Error) -> ListingError {
    if error.is_cancelled() {
        ListingError::Cancelled
    } else if matches!(error, Error::MissingCredentials) {
        ListingError::MissingCredentials
    } else {
        ListingError::Api(error.to_string())
    }
}
