//! Builders shared by the data source's unit tests.

use std::collections::BTreeMap;

use super::schema::schema;
use crate::cty::Value;
pub use crate::qcloud::fake::{FakeApi, image};

/// A config object with every attribute of the schema, null unless given in `pairs`.
pub fn config(pairs: &[(&str, Value)]) -> Value {
    let mut attributes: BTreeMap<String, Value> =
        schema().block.attributes.iter().map(|a| (a.name.clone(), Value::Null)).collect();
    for (name, value) in pairs {
        assert!(attributes.contains_key(*name), "{name} is not in the schema");
        attributes.insert(name.to_string(), value.clone());
    }
    Value::Object(attributes)
}

/// A list of strings.
pub fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::from(*s)).collect())
}
