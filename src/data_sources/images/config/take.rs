//! Stage 1: each argument taken out of the config object as unset, unknown or known, with a
//! value of the wrong kind reported at its path. Nothing is interpreted yet.

use super::Setting;
use crate::cty::{AttributePath, Number, Value};
use crate::diag::{Diagnostic, Diagnostics};

/// A known element of a list or map, or an unknown one; wrong-kind elements are reported.
pub type Elements<'a, K> = Setting<Vec<(K, Setting<&'a str>)>>;

fn setting<'a, T>(
    config: &'a Value,
    name: &str,
    diagnostics: &mut Diagnostics,
    expected: &str,
    take: impl FnOnce(&'a Value) -> Option<T>,
) -> Setting<T> {
    match config.get_attr(name) {
        None | Some(Value::Null) => Setting::Unset,
        Some(Value::Unknown) => Setting::Unknown,
        Some(value) => match take(value) {
            Some(taken) => Setting::Known(taken),
            None => {
                diagnostics.push(wrong_type(name, expected).at(AttributePath::attr(name)));
                Setting::Unset
            }
        },
    }
}

fn wrong_type(name: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid {name}"), format!("{name} must be {expected}."))
}

/// A string argument.
pub fn string<'a>(config: &'a Value, name: &str, d: &mut Diagnostics) -> Setting<&'a str> {
    setting(config, name, d, "a string", Value::as_str)
}

/// A boolean argument.
pub fn boolean(config: &Value, name: &str, d: &mut Diagnostics) -> Setting<bool> {
    setting(config, name, d, "true or false", Value::as_bool)
}

/// A number argument.
pub fn number<'a>(config: &'a Value, name: &str, d: &mut Diagnostics) -> Setting<&'a Number> {
    setting(config, name, d, "a number", Value::as_number)
}

/// A list of strings, element by element (indexes as keys).
pub fn string_list<'a>(
    config: &'a Value,
    name: &str,
    what: &str,
    d: &mut Diagnostics,
) -> Elements<'a, usize> {
    let elements = setting(config, name, d, "a list of strings", Value::as_elements);
    let Setting::Known(elements) = elements else { return elements.map(|_| Vec::new()) };
    let mut taken = Vec::with_capacity(elements.len());
    for (index, element) in elements.iter().enumerate() {
        match element {
            Value::Unknown => taken.push((index, Setting::Unknown)),
            Value::String(text) => taken.push((index, Setting::Known(text.as_str()))),
            _ => {
                let at = AttributePath::attr(name).index(index_i64(index));
                let expected = format!("a list of {what} strings, none of them null");
                d.push(wrong_type(name, &expected).at(at));
            }
        }
    }
    Setting::Known(taken)
}

/// A map of strings, entry by entry.
pub fn string_map<'a>(config: &'a Value, name: &str, d: &mut Diagnostics) -> Elements<'a, &'a str> {
    let entries = setting(config, name, d, "a map of strings", |value| match value {
        Value::Map(entries) => Some(entries),
        _ => None,
    });
    let Setting::Known(entries) = entries else { return entries.map(|_| Vec::new()) };
    let mut taken = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        match value {
            Value::Unknown => taken.push((key.as_str(), Setting::Unknown)),
            Value::String(text) => taken.push((key.as_str(), Setting::Known(text.as_str()))),
            _ => {
                let at = AttributePath::attr(name).key(key);
                d.push(wrong_type(name, "a map of strings, none of them null").at(at));
            }
        }
    }
    Setting::Known(taken)
}

/// An attribute of a nested single block (`timeouts { read = ... }`); an absent block is unset.
pub fn block_string<'a>(
    config: &'a Value,
    block: &str,
    name: &str,
    d: &mut Diagnostics,
) -> Setting<&'a str> {
    match config.get_attr(block) {
        None | Some(Value::Null) => Setting::Unset,
        Some(Value::Unknown) => Setting::Unknown,
        Some(value) => match value.get_attr(name) {
            None | Some(Value::Null) => Setting::Unset,
            Some(Value::Unknown) => Setting::Unknown,
            Some(Value::String(text)) => Setting::Known(text.as_str()),
            Some(_) => {
                let at = AttributePath::attr(block).attribute(name);
                d.push(wrong_type(name, "a string").at(at));
                Setting::Unset
            }
        },
    }
}

/// A list index as a path step.
pub fn index_i64(index: usize) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}
