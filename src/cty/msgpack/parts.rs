//! Encoding an object piece by piece: the same bytes as [`encode_msgpack`](super::encode_msgpack)
//! of the whole object value, but a large list attribute is given one element at a time, so the
//! whole value never has to exist at once.

use std::collections::BTreeMap;

use rmp::encode::ByteBuf;

use super::{
    encode_fields, encode_value, nested, undeclared_attribute, wire_len, write_text, written,
};
use crate::cty::{CodecError, PathStep, Type, Value, index_step, quoted};

/// One attribute of an object encoded with [`encode_object_parts`].
pub enum Part<'a> {
    /// The attribute's whole value.
    Value(Value),
    /// The elements of a list or set attribute, produced one at a time.
    Elements(Box<dyn ExactSizeIterator<Item = Value> + 'a>),
    /// The elements of a list or set of objects, produced one at a time, each as its
    /// [`Fields`]: no map is built per element.
    Objects(Box<dyn ExactSizeIterator<Item = Fields<'a>> + 'a>),
}

/// An object's attributes in strictly increasing name order; attributes left out are null.
pub type Fields<'a> = Vec<(&'a str, Value)>;

impl std::fmt::Debug for Part<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Part::Value(value) => f.debug_tuple("Value").field(value).finish(),
            Part::Elements(items) => write!(f, "Elements({} items)", items.len()),
            Part::Objects(items) => write!(f, "Objects({} items)", items.len()),
        }
    }
}

/// Encodes an object of type `ty` from `(attribute, part)` pairs given in any order. An
/// attribute with no part is null, as in [`encode_msgpack`](super::encode_msgpack); an
/// attribute the type does not declare, a name given twice, or elements for an attribute that
/// is not a list or set are errors.
pub fn encode_object_parts<'a>(
    parts: impl IntoIterator<Item = (&'a str, Part<'a>)>,
    ty: &Type,
) -> Result<Vec<u8>, CodecError> {
    let attributes = object_attributes(ty)?;
    let mut by_name = BTreeMap::new();
    for (name, part) in parts {
        if !attributes.contains_key(name) {
            return Err(undeclared_attribute(name));
        }
        if by_name.insert(name, part).is_some() {
            return Err(CodecError::new(format!("the attribute {} is given twice", quoted(name))));
        }
    }
    let mut out = ByteBuf::new();
    written(rmp::encode::write_map_len(&mut out, wire_len(attributes.len(), "object")?));
    for (name, attribute) in attributes {
        write_text(&mut out, name)?;
        let encoded = match by_name.remove(name.as_str()) {
            None => encode_value(&mut out, &Value::Null, attribute, 1),
            Some(Part::Value(value)) => encode_value(&mut out, &value, attribute, 1),
            Some(Part::Elements(items)) => {
                encode_elements(&mut out, items, attribute, |out, item, element, depth| {
                    encode_value(out, &item, element, depth)
                })
            }
            Some(Part::Objects(items)) => {
                encode_elements(&mut out, items, attribute, |out, fields, element, depth| {
                    let fields = fields.iter().map(|(name, value)| (*name, value));
                    encode_fields(out, fields, object_attributes(element)?, depth)
                })
            }
        };
        encoded.map_err(|e| e.within(PathStep::Attribute(name.clone())))?;
    }
    Ok(out.into_vec())
}

/// How many elements are encoded before the room for the rest is reserved.
const SAMPLE: usize = 16;

/// Reserves room for the elements not yet written, from the size of those written so far (with
/// an eighth to spare), in one step: a large list then never grows by doubling, which would
/// hold the old and the new buffer at once. Room reserved but not written is not touched, so it
/// costs address space, not memory.
fn reserve_for_the_rest(out: &mut ByteBuf, start: usize, written: usize, declared: usize) {
    let average = (out.as_slice().len() - start).div_ceil(written);
    let rest = declared.saturating_sub(written).saturating_mul(average);
    out.as_mut_vec().reserve_exact(rest.saturating_add(rest / 8));
}

/// The attribute types of an object type; an error for any other type.
fn object_attributes(ty: &Type) -> Result<&BTreeMap<String, Type>, CodecError> {
    match ty {
        Type::Object(attributes) => Ok(attributes),
        _ => Err(CodecError::new(format!("expected {}, found an object", ty.describe()))),
    }
}

/// Writes a list or set of type `ty` from elements produced one at a time, each written by
/// `encode` with the element type and nesting depth.
fn encode_elements<T>(
    out: &mut ByteBuf,
    items: Box<dyn ExactSizeIterator<Item = T> + '_>,
    ty: &Type,
    encode: impl Fn(&mut ByteBuf, T, &Type, usize) -> Result<(), CodecError>,
) -> Result<(), CodecError> {
    let (Type::List(element) | Type::Set(element)) = ty else {
        return Err(CodecError::new(format!("expected {}, found a list", ty.describe())));
    };
    let depth = nested(1)?;
    let declared = items.len();
    written(rmp::encode::write_array_len(out, wire_len(declared, "collection")?));
    let start = out.as_slice().len();
    let mut count = 0;
    // One past the promise is enough to tell that the promise was broken.
    for (index, item) in items.take(declared.saturating_add(1)).enumerate() {
        encode(out, item, element, depth).map_err(|e| e.within(index_step(index)))?;
        count += 1;
        if count == SAMPLE {
            reserve_for_the_rest(out, start, count, declared);
        }
    }
    if count > declared {
        return Err(CodecError::new(format!(
            "the elements promised {declared} items but had more"
        )));
    }
    if count < declared {
        return Err(CodecError::new(format!(
            "the elements promised {declared} items but had only {count}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
