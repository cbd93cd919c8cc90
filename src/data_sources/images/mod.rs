//! The `qcloud_images` data source: look up machine images, filter them on the client, order
//! them deterministically, pick the newest.
//!
//! # Layout
//! - [`schema`](mod@schema): arguments and attributes with their descriptions.
//! - [`config`]: config object → validated [`ImagesQuery`], in two stages, offline.
//! - [`listing`]: the [`ImageSource`] seam and [`SharedListings`] (identical queries share one
//!   listing).
//! - [`select`]: filters, total order, `max_results`, the `most_recent` pick. Pure.
//! - [`state`]: selection → state, written to msgpack one image at a time; [`create_time`]:
//!   the API's time format.
//! - [`query_id`]: the stable `id`; [`output_file`]: `result_output_file`.
//! - [`read`](mod@read): the read flow tying them together.
//!
//! Must not depend on protobuf, HTTP or the provider module; images come through
//! [`ImageSource`].

pub mod config;
pub mod create_time;
pub mod listing;
pub mod output_file;
pub mod query_id;
pub mod read;
pub mod schema;
pub mod select;
pub mod state;

#[cfg(test)]
mod test_support;

pub use config::{ImagesQuery, validate};
pub use listing::{ImageSource, Listing, ListingError, SharedListings};
pub use read::{ReadContext, ReadResult, read};
pub use schema::schema;

/// The data source's type name in Terraform configurations.
pub const TYPE_NAME: &str = "qcloud_images";
