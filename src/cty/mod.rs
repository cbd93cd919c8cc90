//! Terraform's value model (cty): types, values that may be null or unknown, attribute paths,
//! and the msgpack / JSON encodings of `DynamicValue`.
//!
//! Must not depend on gRPC, HTTP or any other module of this crate.

mod decimal;
mod json;
mod msgpack;
mod path;
mod types;
mod value;

pub use json::decode_json;
pub use msgpack::{Fields, Part, decode_msgpack, encode_msgpack, encode_object_parts};
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

/// How many levels of collections (and `dynamic` wrappers) a value may nest before the codecs
/// refuse it. Terraform schemas nest a handful of levels; hostile input may nest thousands.
pub const MAX_NESTING_DEPTH: usize = 64;

impl CodecError {
    /// The same error, one step further inside a value: `step` goes in front of its path.
    pub fn within(mut self, step: PathStep) -> Self {
        self.path.0.insert(0, step);
        self
    }
}

/// The depth one level inside a collection at `depth`, or an error past the nesting limit.
fn nested(depth: usize) -> Result<usize, CodecError> {
    if depth >= MAX_NESTING_DEPTH {
        return Err(CodecError::new(format!(
            "the value nests collections more than {MAX_NESTING_DEPTH} levels deep"
        )));
    }
    Ok(depth + 1)
}

/// A `PathStep` for the element at `index` of a list, set or tuple. Set elements have no key of
/// their own, so they too are located by their position in the input.
fn index_step(index: usize) -> PathStep {
    PathStep::ElementKeyInt(i64::try_from(index).unwrap_or(i64::MAX))
}

/// Text from the input quoted for an error message, cut short so hostile input stays readable.
fn quoted(text: &str) -> String {
    const LIMIT: usize = 64;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{:?}...", &text[..cut]),
        None => format!("{text:?}"),
    }
}
