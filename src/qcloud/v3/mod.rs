//! API 3.0 `DescribeImages` (CVM, Version `2017-03-12`): the JSON request with its `X-TC-*`
//! headers and TC3 `Authorization`, and the parsing of the `{"Response":{...}}` answer into
//! the same [`Page`](super::response::Page) and [`Image`](super::Image) as API 2.0.
//!
//! Paging, retries, rate limiting and cancellation are not here: the client shares them
//! between both versions. Must not depend on the HTTP transport or on Terraform types.

pub mod names;
pub mod request;
pub mod response;

pub use request::{SignedRequest3, build_request};
pub use response::parse_describe_images;

/// The service name in the credential scope.
pub const SERVICE: &str = "cvm";
/// `X-TC-Version`.
pub const VERSION: &str = "2017-03-12";
/// `X-TC-Action`.
pub const ACTION: &str = "DescribeImages";
/// The `Content-Type` of every request (signed).
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
