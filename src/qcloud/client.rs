//! The API client: a transport with its settings, offering the actions the provider calls.
//!
//! Must not depend on Terraform types.

use std::sync::Arc;
use std::time::Duration;

use super::call::Budget;
use async_trait::async_trait;

use super::images::{self, Image, ImageFilter};
use super::transport::Transport;
use super::{Api, Error, Settings};

/// A client for one configured provider. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Client {
    transport: Transport,
}

impl Client {
    /// A client with these settings; fails only when the HTTPS client cannot be set up.
    pub fn new(settings: Settings) -> Result<Self, Error> {
        Ok(Self { transport: Transport::new(settings)? })
    }

    /// Replaces the retry backoff (base and cap of the exponential schedule).
    #[doc(hidden)]
    pub fn with_backoff(self, base: Duration, cap: Duration) -> Self {
        Self { transport: self.transport.with_backoff(base, cap) }
    }

    /// The settings the client was built with.
    pub fn settings(&self) -> &Settings {
        self.transport.settings()
    }

    /// The transport, for actions.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }
}

#[async_trait]
impl Api for Client {
    async fn describe_images(
        &self,
        filter: &ImageFilter,
        budget: &Budget,
    ) -> Result<Arc<Vec<Image>>, Error> {
        images::describe_images(&self.transport, filter, budget).await.map(Arc::new)
    }

    async fn describe_image_from_family(
        &self,
        family: &str,
        budget: &Budget,
    ) -> Result<Option<Arc<Image>>, Error> {
        let image = images::describe_image_from_family(&self.transport, family, budget).await?;
        Ok(image.map(Arc::new))
    }
}
