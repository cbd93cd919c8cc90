//! The msgpack encoding of `DynamicValue`, driven by the schema type.

use super::{CodecError, Type, Value};

/// Decodes msgpack bytes as a value of type `ty`.
pub fn decode_msgpack(_bytes: &[u8], _ty: &Type) -> Result<Value, CodecError> {
    Err(CodecError::new("msgpack decoding is not implemented yet"))
}

/// Encodes `value` (of type `ty`) as msgpack.
pub fn encode_msgpack(_value: &Value, _ty: &Type) -> Result<Vec<u8>, CodecError> {
    Err(CodecError::new("msgpack encoding is not implemented yet"))
}
