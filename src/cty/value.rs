//! cty values: known, null, or unknown.

use std::collections::BTreeMap;

use super::Type;

/// A cty number: kept as the exact form it arrived in.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    Int(i64),
    /// An unsigned integer too large for `i64`.
    UInt(u64),
    Float(f64),
    /// Decimal text for numbers that fit no machine type (msgpack carries these as strings).
    Decimal(String),
}

/// A cty value. Collections hold their elements; the element types come from the schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Not known until apply (wired from another resource).
    Unknown,
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Number {
    /// The number as an `i64` when it is a whole number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::UInt(u) => i64::try_from(*u).ok(),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Decimal(text) => text.parse().ok(),
        }
    }

    /// The number as an `f64`, possibly rounded.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::UInt(u) => Some(*u as f64),
            Number::Float(f) => Some(*f),
            Number::Decimal(text) => text.parse().ok(),
        }
    }
}

impl Value {
    /// True unless the value is unknown. Says nothing of nested values.
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown)
    }

    /// True for null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True when neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
            _ => true,
        }
    }

    /// An attribute of an object value; `None` for other values or a missing attribute.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(attributes) => attributes.get(name),
            _ => None,
        }
    }

    /// The text of a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Value)>) -> Self {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// A string value, or null for `None`.
    pub fn opt_string(text: Option<impl Into<String>>) -> Self {
        text.map_or(Value::Null, |t| Value::String(t.into()))
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::String(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::String(text)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::Int(i))
    }
}

impl Number {
    /// Reads decimal number text (JSON number syntax) as the most exact form that holds it:
    /// `Int` or `UInt` for integers that fit, `Float` when an `f64` reproduces the text's value
    /// (its shortest form denotes the same decimal), else `Decimal` with the text unchanged.
    /// `None` when the text is not a decimal number.
    pub fn from_text(text: &str) -> Option<Number> {
        if !super::decimal::is_decimal(text) {
            return None;
        }
        if super::decimal::is_integer_literal(text) {
            if let Ok(int) = text.parse::<i64>() {
                return Some(Number::Int(int));
            }
            if let Ok(uint) = text.parse::<u64>() {
                return Some(Number::UInt(uint));
            }
        }
        match text.parse::<f64>() {
            Ok(float)
                if float.is_finite() && super::decimal::same_value(text, &format!("{float:e}")) =>
            {
                Some(Number::Float(float))
            }
            _ => Some(Number::Decimal(text.to_owned())),
        }
    }
}

impl Value {
    /// The concrete type this value would have on its own, used when a value of schema type
    /// `dynamic` is encoded. Collections take the one type shared by their known, non-null
    /// elements (`dynamic` when empty or mixed); null and unknown infer `dynamic`. Past
    /// `MAX_NESTING_DEPTH` levels the inner parts infer `dynamic`.
    pub fn infer_type(&self) -> Type {
        self.infer_type_within(super::MAX_NESTING_DEPTH)
    }

    fn infer_type_within(&self, levels: usize) -> Type {
        let Some(inner) = levels.checked_sub(1) else { return Type::Dynamic };
        match self {
            Value::Unknown | Value::Null => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::list(common_type(items, inner)),
            Value::Set(items) => Type::set(common_type(items, inner)),
            Value::Map(entries) => Type::map(common_type(entries.values(), inner)),
            Value::Tuple(items) => {
                Type::Tuple(items.iter().map(|item| item.infer_type_within(inner)).collect())
            }
            Value::Object(attributes) => Type::Object(
                attributes
                    .iter()
                    .map(|(name, value)| (name.clone(), value.infer_type_within(inner)))
                    .collect(),
            ),
        }
    }

    /// What kind of value this is, for error messages: "a string", "null", "an object".
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Unknown => "an unknown value",
            Value::Null => "null",
            Value::Bool(_) => "a bool",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Set(_) => "a set",
            Value::Map(_) => "a map",
            Value::Object(_) => "an object",
            Value::Tuple(_) => "a tuple",
        }
    }
}

/// The one type shared by the known, non-null `values`; `dynamic` when there is none or several.
fn common_type<'a>(values: impl IntoIterator<Item = &'a Value>, levels: usize) -> Type {
    let mut common = None;
    for value in values.into_iter().filter(|value| value.is_known() && !value.is_null()) {
        let ty = value.infer_type_within(levels);
        match &common {
            None => common = Some(ty),
            Some(seen) if *seen == ty => {}
            Some(_) => return Type::Dynamic,
        }
    }
    common.unwrap_or(Type::Dynamic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infer_type_follows_the_value() {
        let text = || Value::from("x");
        let cases: Vec<(Value, Type)> = vec![
            (text(), Type::String),
            (Value::Bool(true), Type::Bool),
            (Value::from(1), Type::Number),
            (Value::Null, Type::Dynamic),
            (Value::Unknown, Type::Dynamic),
            (Value::List(vec![]), Type::list(Type::Dynamic)),
            (Value::List(vec![Value::Null, text()]), Type::list(Type::String)),
            (Value::Set(vec![text(), Value::from(1)]), Type::set(Type::Dynamic)),
            (Value::Map([("k".to_owned(), Value::from(1))].into()), Type::map(Type::Number)),
            (
                Value::Tuple(vec![text(), Value::Null]),
                Type::Tuple(vec![Type::String, Type::Dynamic]),
            ),
            (
                Value::object([("a", Value::List(vec![text()])), ("b", Value::Bool(false))]),
                Type::object([("a", Type::list(Type::String)), ("b", Type::Bool)]),
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(value.infer_type(), expected, "{value:?}");
        }
    }

    #[test]
    fn infer_type_stops_at_the_nesting_limit() {
        let deep = (0..100).fold(Value::from("x"), |inner, _| Value::List(vec![inner]));
        let mut ty = deep.infer_type();
        let mut levels = 0;
        while let Type::List(element) = ty {
            ty = *element;
            levels += 1;
        }
        assert_eq!((levels, ty), (super::super::MAX_NESTING_DEPTH, Type::Dynamic));
    }

    #[test]
    fn from_text_picks_the_most_exact_form() {
        assert_eq!(Number::from_text("7"), Some(Number::Int(7)));
        assert_eq!(Number::from_text("0.25"), Some(Number::Float(0.25)));
        assert_eq!(Number::from_text("1e400"), Some(Number::Decimal("1e400".into())));
        assert_eq!(Number::from_text("seven"), None);
    }
}
