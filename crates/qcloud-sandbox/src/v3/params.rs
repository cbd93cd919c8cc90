//! An action's parameters, whatever they came in: the JSON body of a TC3 `POST`, or the flat
//! `name=value` pairs of a query string or form (`ImageIds.0`, `Filters.0.Name`,
//! `Filters.0.Values.1`, `Offset`), which are read into the same JSON tree with every value a
//! string. Typed getters take either: `"Limit": 20` in JSON, `Limit=20` in a form.
//!
//! Must not depend on HTTP types or on the server.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{Code, Error};

/// An action's parameters, as a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionParams {
    values: Map<String, Value>,
    /// Whether they came as flat pairs, so that numbers are text.
    flat: bool,
}

/// One node of the tree flat pairs are read into.
enum Node {
    Leaf(String),
    Branch(BTreeMap<String, Node>),
}

impl ActionParams {
    /// The parameters of a JSON body, which must be an object.
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(values)) => Ok(Self { values, flat: false }),
            _ => Err(Error::invalid("the request body must be a JSON object")),
        }
    }

    /// The parameters of flat `name=value` pairs; a dotted name nests, a numeric part is a
    /// list index (from 0, without gaps).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, Error> {
        let mut root = BTreeMap::new();
        for (name, value) in pairs {
            insert(&mut root, name, name.split('.').collect::<Vec<_>>().as_slice(), value)?;
        }
        match to_value(Node::Branch(root), "")? {
            Value::Object(values) => Ok(Self { values, flat: true }),
            _ => Err(Error::invalid("the parameters must be named, not numbered")),
        }
    }

    /// The raw value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Refuses any parameter not in `known` with `UnknownParameter`.
    pub fn only(&self, known: &[&str]) -> Result<(), Error> {
        match self.values.keys().find(|name| !known.contains(&name.as_str())) {
            None => Ok(()),
            Some(name) => Err(Error::new(
                Code::UnknownParameter,
                format!(
                    "the parameter {name} is not recognized: this action takes {}",
                    known.join(", ")
                ),
            )),
        }
    }

    /// A whole number, if sent: a JSON integer, or its text when the parameters were flat.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, Error> {
        let Some(value) = self.get(name) else { return Ok(None) };
        let number = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(text) if self.flat => text.trim().parse().ok(),
            _ => None,
        };
        number
            .map(Some)
            .ok_or_else(|| Error::invalid(format!("{name} must be an integer, not {value}")))
    }

    /// A string, if sent.
    pub fn string(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(Error::invalid(format!("{name} must be a string, not {other}"))),
        }
    }

    /// A list of strings, if sent.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        self.get(name).map(|value| strings_of(value, name)).transpose()
    }
}

/// The strings of a JSON list `value` called `name`.
pub fn strings_of(value: &Value, name: &str) -> Result<Vec<String>, Error> {
    let list = value
        .as_array()
        .ok_or_else(|| Error::invalid(format!("{name} must be a list of strings, not {value}")))?;
    list.iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error::invalid(format!("{name} must be a list of strings, not {value}")))
}

fn insert(
    branch: &mut BTreeMap<String, Node>,
    name: &str,
    path: &[&str],
    value: &str,
) -> Result<(), Error> {
    let conflict =
        || Error::invalid(format!("the parameter {name} is sent twice or clashes with another"));
    let Some((first, rest)) = path.split_first() else { return Err(conflict()) };
    if first.is_empty() {
        return Err(Error::invalid(format!("the parameter name {name:?} has an empty part")));
    }
    if rest.is_empty() {
        return match branch.insert((*first).to_owned(), Node::Leaf(value.to_owned())) {
            None => Ok(()),
            Some(_) => Err(conflict()),
        };
    }
    match branch.entry((*first).to_owned()).or_insert_with(|| Node::Branch(BTreeMap::new())) {
        Node::Branch(inner) => insert(inner, name, rest, value),
        Node::Leaf(_) => Err(conflict()),
    }
}

fn to_value(node: Node, at: &str) -> Result<Value, Error> {
    let children = match node {
        Node::Leaf(text) => return Ok(Value::String(text)),
        Node::Branch(children) => children,
    };
    let is_index = |key: &String| key.bytes().all(|b| b.is_ascii_digit());
    let child_at = |key: &str| if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") };
    if at.is_empty() && children.keys().any(is_index) {
        return Err(Error::invalid("the parameters must be named, not numbered"));
    }
    if !at.is_empty() && children.keys().all(is_index) {
        let mut items: Vec<(usize, Node)> = Vec::new();
        for (key, child) in children {
            let index = key
                .parse()
                .map_err(|_| Error::invalid(format!("{at}.{key} is not a list index")))?;
            items.push((index, child));
        }
        items.sort_by_key(|(index, _)| *index);
        let mut list = Vec::with_capacity(items.len());
        for (expected, (index, child)) in items.into_iter().enumerate() {
            if index != expected {
                return Err(Error::invalid(format!(
                    "{at}.{expected} is missing: list items are numbered from 0 without gaps"
                )));
            }
            list.push(to_value(child, &child_at(&index.to_string()))?);
        }
        return Ok(Value::Array(list));
    }
    let mut object = Map::new();
    for (key, child) in children {
        let value = to_value(child, &child_at(&key))?;
        object.insert(key, value);
    }
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flat_pairs_nest_into_the_json_shape() {
        let params = ActionParams::from_pairs([
            ("Filters.0.Name", "image-type"),
            ("Filters.0.Values.1", "SHARED_IMAGE"),
            ("Filters.0.Values.0", "PRIVATE_IMAGE"),
            ("Filters.1.Name", "tag:team"),
            ("Filters.1.Values.0", "web"),
            ("Offset", "20"),
            ("ImageIds.0", "img-aaaaaaaa"),
        ])
        .expect("well-formed pairs");
        assert_eq!(
            params.get("Filters"),
            Some(&json!([
                {"Name": "image-type", "Values": ["PRIVATE_IMAGE", "SHARED_IMAGE"]},
                {"Name": "tag:team", "Values": ["web"]},
            ]))
        );
        assert_eq!(params.integer("Offset"), Ok(Some(20)));
        assert_eq!(params.strings("ImageIds"), Ok(Some(vec!["img-aaaaaaaa".to_owned()])));
        assert_eq!(params.integer("Limit"), Ok(None));
    }

    #[test]
    fn malformed_pairs_are_invalid_parameters() {
        let cases: &[&[(&str, &str)]] = &[
            &[("ImageIds.1", "img-aaaaaaaa")],
            &[("ImageIds.0", "a"), ("ImageIds.2", "b")],
            &[("Offset", "1"), ("Offset.0", "2")],
            &[("Filters..Name", "x")],
            &[("0", "x")],
        ];
        for pairs in cases {
            let error = ActionParams::from_pairs(pairs.iter().copied()).expect_err("malformed");
            assert!(error.is(Code::InvalidParameter), "{pairs:?}: {error:?}");
        }
    }

    #[test]
    fn json_numbers_must_be_numbers() {
        let params =
            ActionParams::from_json(br#"{"Limit":"20","Offset":5,"X":1}"#).expect("object");
        assert!(params.integer("Limit").is_err(), "text is not a number in JSON");
        assert_eq!(params.integer("Offset"), Ok(Some(5)));
        let unknown = params.only(&["Limit", "Offset"]).expect_err("X is unknown");
        assert!(unknown.is(Code::UnknownParameter) && unknown.message.contains("X"), "{unknown:?}");
        assert!(ActionParams::from_json(b"[1]").is_err());
        assert!(ActionParams::from_json(b"not json").is_err());
    }
}
