//! Data sources served by the provider.

pub mod images;
