//! Provider-defined functions that pin well-known public images:
//! `provider::qcloud::public_image_id(name)` and `provider::qcloud::public_images()`.
//!
//! They work offline, with no provider configuration and no credentials. Must not depend on
//! the API client, protobuf or the provider module.

mod catalog;

use std::collections::BTreeMap;

use crate::cty::{Type, Value};
use crate::schema::{Function, Parameter};

pub use catalog::{CatalogEntry, entries, lookup, normalize, suggestions};

/// Name of the function that returns the id of one catalog image.
pub const PUBLIC_IMAGE_ID: &str = "public_image_id";

/// Name of the function that returns the whole catalog.
pub const PUBLIC_IMAGES: &str = "public_images";

/// Why a function call failed: the message and the 0-based argument it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub text: String,
    pub argument: Option<i64>,
}

/// The signatures and documentation of every function, by name.
pub fn definitions() -> BTreeMap<String, Function> {
    BTreeMap::from([
        (PUBLIC_IMAGE_ID.to_string(), public_image_id_definition()),
        (PUBLIC_IMAGES.to_string(), public_images_definition()),
    ])
}

/// Calls the function `name` with `arguments`.
pub fn call(name: &str, arguments: &[Value]) -> Result<Value, CallError> {
    match name {
        PUBLIC_IMAGE_ID => public_image_id(arguments),
        PUBLIC_IMAGES => public_images(arguments),
        _ => Err(CallError {
            text: format!(
                "there is no function named {name:?}; this provider offers \
                 {PUBLIC_IMAGE_ID} and {PUBLIC_IMAGES}"
            ),
            argument: None,
        }),
    }
}

fn public_image_id_definition() -> Function {
    Function {
        parameters: vec![Parameter {
            name: "name".to_string(),
            ty: Type::String,
            allow_null: false,
            allow_unknown: false,
            description: "The catalog name of the image, e.g. `\"CentOS 7.2 64-bit\"`. Case and \
                          repeated spaces do not matter."
                .to_string(),
        }],
        variadic: None,
        return_type: Type::String,
        summary: "The id of a well-known public image".to_string(),
        description: "Returns the id of a well-known Tencent Cloud public image from the \
                      provider's built-in catalog, e.g. `public_image_id(\"CentOS 7.2 64-bit\")` \
                      returns `\"img-31tjrtph\"`. Works offline, without credentials or provider \
                      configuration. An unknown name is an error that suggests the closest \
                      catalog names; `public_images()` lists them all."
            .to_string(),
        deprecation_message: String::new(),
    }
}

fn public_images_definition() -> Function {
    Function {
        parameters: Vec::new(),
        variadic: None,
        return_type: Type::map(Type::String),
        summary: "Every well-known public image, name to id".to_string(),
        description: "Returns the provider's built-in catalog of well-known Tencent Cloud public \
                      images as a map from image name to image id. Works offline, without \
                      credentials or provider configuration."
            .to_string(),
        deprecation_message: String::new(),
    }
}

fn public_image_id(arguments: &[Value]) -> Result<Value, CallError> {
    let name = match arguments {
        [Value::String(name)] => name,
        [_] => return Err(argument_error("name must be a known string")),
        _ => return Err(arity_error(PUBLIC_IMAGE_ID, 1, arguments.len())),
    };
    match lookup(name) {
        Some(entry) => Ok(Value::String(entry.id.to_string())),
        None => Err(argument_error(&unknown_name_message(name))),
    }
}

fn public_images(arguments: &[Value]) -> Result<Value, CallError> {
    if !arguments.is_empty() {
        return Err(arity_error(PUBLIC_IMAGES, 0, arguments.len()));
    }
    let map = entries()
        .iter()
        .map(|entry| (entry.name.to_string(), Value::String(entry.id.to_string())))
        .collect();
    Ok(Value::Map(map))
}

/// "no public image named ...; did you mean ...?" (no final period: Terraform adds one).
fn unknown_name_message(name: &str) -> String {
    let quoted: Vec<String> = suggestions(name).iter().map(|s| format!("{s:?}")).collect();
    let hint = match quoted.as_slice() {
        [] => String::new(),
        [one] => format!(" Did you mean {one}?"),
        [rest @ .., last] => format!(" Did you mean {} or {last}?", rest.join(", ")),
    };
    format!(
        "There is no public image named {name:?} in the catalog.{hint} \
         Call provider::qcloud::{PUBLIC_IMAGES}() to see every name"
    )
}

fn argument_error(text: &str) -> CallError {
    CallError { text: text.to_string(), argument: Some(0) }
}

fn arity_error(name: &str, expected: usize, given: usize) -> CallError {
    CallError {
        text: format!("{name} takes {expected} argument(s), {given} given"),
        argument: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_image_id_returns_the_catalog_id() {
        let cases = [
            ("CentOS 7.2 64-bit", "img-31tjrtph"),
            ("  centos  7.2 64-bit ", "img-31tjrtph"),
            ("WINDOWS SERVER 2012 R2 Datacenter Edition 64-bit Chinese", "img-29hl923v"),
            ("FreeBSD 10.1 64-bit", "img-871lthrb"),
        ];
        for (name, id) in cases {
            assert_eq!(call(PUBLIC_IMAGE_ID, &[name.into()]), Ok(Value::from(id)), "{name}");
        }
    }

    #[test]
    fn unknown_name_suggests_close_names_at_argument_zero() {
        let error = call(PUBLIC_IMAGE_ID, &["CentOS 7.2 64bit".into()]).unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(error.text.contains("\"CentOS 7.2 64bit\""), "{}", error.text);
        assert!(error.text.contains("Did you mean \"CentOS 7.2 64-bit\""), "{}", error.text);
        assert!(error.text.contains("public_images()"), "{}", error.text);
    }

    #[test]
    fn did_you_mean_lists_at_most_three_names() {
        let error = call(PUBLIC_IMAGE_ID, &["centos 6".into()]).unwrap_err();
        let named = entries().iter().filter(|e| error.text.contains(&format!("{:?}", e.name)));
        assert_eq!(named.count(), 3, "{}", error.text);
        assert!(error.text.contains(" or "), "{}", error.text);
    }

    #[test]
    fn unrelated_name_gets_no_suggestion() {
        let error = call(PUBLIC_IMAGE_ID, &["qqqqqqqqqqqqqqqqqqqqqqqq".into()]).unwrap_err();
        assert!(!error.text.contains("Did you mean"), "{}", error.text);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert_eq!(call(PUBLIC_IMAGE_ID, &[Value::Null]).unwrap_err().argument, Some(0));
        assert_eq!(call(PUBLIC_IMAGE_ID, &[]).unwrap_err().argument, None);
        assert!(call(PUBLIC_IMAGES, &["x".into()]).is_err());
        assert!(call("nope", &[]).unwrap_err().text.contains("nope"));
    }

    #[test]
    fn public_images_maps_every_name_to_its_id() {
        let Ok(Value::Map(map)) = call(PUBLIC_IMAGES, &[]) else { panic!("not a map") };
        assert_eq!(map.len(), entries().len());
        assert_eq!(map.get("CentOS 7.2 64-bit"), Some(&Value::from("img-31tjrtph")));
        assert_eq!(map.get("Debian 8.2 64-bit"), Some(&Value::from("img-hi93l4ht")));
    }

    #[test]
    fn definitions_describe_both_functions() {
        let defs = definitions();
        assert_eq!(defs.len(), 2);
        let id = &defs[PUBLIC_IMAGE_ID];
        assert_eq!(id.return_type, Type::String);
        assert_eq!(id.parameters.len(), 1);
        assert_eq!(defs[PUBLIC_IMAGES].return_type, Type::map(Type::String));
        for def in defs.values() {
            assert!(!def.summary.is_empty() && !def.description.is_empty());
        }
    }
}
