//! Terraform's value model (cty): types, values that may be null or unknown, attribute paths,
//! and the msgpack / JSON encodings of `DynamicValue`.
//!
//! Must not depend on gRPC, HTTP or any other module of this crate.

mod json;
mod msgpack;
mod path;
mod types;
mod value;

pub use json::decode_json;
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use path::{AttributePath, PathStep};
pub use types::Type;
pub use value::{Number, Value};

/// Why a `DynamicValue` could not be decoded or encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", at_path(.path))]
pub struct CodecError {
    /// What was wrong, in plain words.
    pub message: String,
    /// Where in the value it went wrong (empty for the root).
    pub path: AttributePath,
}

fn at_path(path: &AttributePath) -> String {
    if path.is_empty() { String::new() } else { format!(" (at {path})") }
}

impl CodecError {
    /// An error at the root of the value.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), path: AttributePath::root() }
    }

    /// The same error, located at `path`.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.path = path;
        self
    }
}
