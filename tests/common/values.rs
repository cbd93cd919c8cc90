//! Hand-written msgpack `DynamicValue`s, built the way Terraform builds them, independent of
//! the provider's own codec.

use qcloud_provider::schema::{Block, Nesting};
use qcloud_provider::tfplugin::proto::DynamicValue;

const OK: &str = "writing to a Vec cannot fail";

/// A msgpack `DynamicValue`.
pub fn msgpack(bytes: Vec<u8>) -> Option<DynamicValue> {
    Some(DynamicValue { msgpack: bytes, json: Vec::new() })
}

/// The configuration Terraform sends for an empty block of this schema: every attribute
/// null, list and set blocks empty, map blocks empty, single blocks null.
pub fn empty_config(block: &Block) -> Vec<u8> {
    let mut out = Vec::new();
    let entries = block.attributes.len() + block.block_types.len();
    rmp::encode::write_map_len(&mut out, u32::try_from(entries).expect("a small schema"))
        .expect(OK);
    for attribute in &block.attributes {
        rmp::encode::write_str(&mut out, &attribute.name).expect(OK);
        rmp::encode::write_nil(&mut out).expect(OK);
    }
    for nested in &block.block_types {
        rmp::encode::write_str(&mut out, &nested.type_name).expect(OK);
        match nested.nesting {
            Nesting::Single => rmp::encode::write_nil(&mut out).expect(OK),
            Nesting::List | Nesting::Set => {
                rmp::encode::write_array_len(&mut out, 0).expect(OK);
            }
            Nesting::Map => {
                rmp::encode::write_map_len(&mut out, 0).expect(OK);
            }
        }
    }
    out
}

/// Bytes that are not msgpack at all (0xc1 is never used by the format).
pub fn garbage() -> Option<DynamicValue> {
    msgpack(vec![0xc1, 0xff, 0x00])
}
