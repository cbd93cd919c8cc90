//! Provider-defined functions that pin well-known public images:
//! `provider::qcloud::public_image_id(name)` and `provider::qcloud::public_images()`.
//!
//! They work offline, with no provider configuration and no credentials, over the catalog the
//! provider ships (`data/public-images.tsv`).
//!
//! # Layout
//! - [`catalog`] holds the catalog file: format, order, the shipped catalog;
//! - [`image_name`] derives the OS family, version and architecture a name states;
//! - [`lookup`] finds entries: full names, short forms, ambiguity and suggestions.
//!
//! Must not depend on the API client, protobuf or the provider module.

pub mod catalog;
pub mod image_name;
pub mod lookup;

use std::collections::BTreeMap;

use crate::cty::{Type, Value};
use crate::schema::{Function, Parameter};

pub use catalog::{CatalogEntry, entries};
pub use lookup::{Resolution, resolve};

/// Name of the function that returns the id of one catalog image.
pub const PUBLIC_IMAGE_ID: &str = "public_image_id";

/// Name of the function that returns the whole catalog.
pub const PUBLIC_IMAGES: &str = "public_images";

/// How many candidates an ambiguous name's error lists at most.
const MAX_CANDIDATES: usize = 10;

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

/// When the shipped catalog was taken, as a sentence says it: `in 2016` (a listing whose day
/// was not recorded) or `on 2027-03-01`.
pub fn catalog_taken() -> String {
    catalog::shipped_provenance().taken.in_words()
}

fn public_image_id_definition() -> Function {
    Function {
        parameters: vec![Parameter {
            name: "name".to_string(),
            ty: Type::String,
            allow_null: false,
            allow_unknown: false,
            description: "The catalog name of the image, e.g. `\"CentOS 7.2 64-bit\"`, or a short \
                          form that fits only one catalog image, e.g. `\"CentOS 7.2\"`. Case, \
                          spacing and how the word size is written do not matter."
                .to_string(),
        }],
        variadic: None,
        return_type: Type::String,
        summary: "The id of a well-known public image".to_string(),
        description: format!(
            "Returns the id of a well-known Tencent Cloud public image from the provider's \
             built-in catalog, e.g. `public_image_id(\"CentOS 7.2 64-bit\")` returns \
             `\"img-31tjrtph\"`. A short form that fits only one image works too \
             (`\"CentOS 7.2\"`, `\"debian 8.2 64\"`); one that fits several is an error \
             listing them, and an unknown name is an error suggesting the closest names, the \
             same OS family first. Works offline, without credentials or provider \
             configuration. A pinned id never changes by itself; `public_images()` lists the \
             whole catalog. {scope}",
            scope = catalog_scope()
        ),
        deprecation_message: String::new(),
    }
}

fn public_images_definition() -> Function {
    Function {
        parameters: Vec::new(),
        variadic: None,
        return_type: Type::map(Type::String),
        summary: "Every well-known public image, name to id".to_string(),
        description: format!(
            "Returns the provider's built-in catalog of well-known Tencent Cloud public images \
             as a map from image name to image id. Newer provider versions may add images, and \
             never change the id of a name already in it. Works offline, without credentials \
             or provider configuration. {scope}",
            scope = catalog_scope()
        ),
        deprecation_message: String::new(),
    }
}

/// What the catalog holds and where newer images are found, for the descriptions.
fn catalog_scope() -> String {
    format!(
        "The catalog was taken {taken} and holds only the public images of that listing; find \
         newer images with the `qcloud_images` data source (`most_recent` and `name_regex`).",
        taken = catalog_taken()
    )
}

fn public_image_id(arguments: &[Value]) -> Result<Value, CallError> {
    let name = match arguments {
        [Value::String(name)] => name,
        [_] => return Err(argument_error("name must be a known string")),
        _ => return Err(arity_error(PUBLIC_IMAGE_ID, 1, arguments.len())),
    };
    match resolve(entries(), name) {
        Resolution::Found(entry) => Ok(Value::String(entry.id.clone())),
        Resolution::Ambiguous(fits) => Err(argument_error(&ambiguous_name_message(name, &fits))),
        Resolution::Unknown(suggestions) => {
            Err(argument_error(&unknown_name_message(name, &suggestions)))
        }
    }
}

fn public_images(arguments: &[Value]) -> Result<Value, CallError> {
    if !arguments.is_empty() {
        return Err(arity_error(PUBLIC_IMAGES, 0, arguments.len()));
    }
    let map = entries()
        .iter()
        .map(|entry| (entry.name.clone(), Value::String(entry.id.clone())))
        .collect();
    Ok(Value::Map(map))
}

/// "... fits N public images: A (id) and B (id). Give more of the name ..." (no final period:
/// Terraform adds one).
fn ambiguous_name_message(name: &str, fits: &[&CatalogEntry]) -> String {
    let mut listed: Vec<String> =
        fits.iter().take(MAX_CANDIDATES).map(|e| format!("{:?} ({})", e.name, e.id)).collect();
    if fits.len() > MAX_CANDIDATES {
        listed.push(format!("{} more", fits.len() - MAX_CANDIDATES));
    }
    format!(
        "{name:?} fits {} public images in the catalog: {}. Give more of the name, for example \
         one of these names in full",
        fits.len(),
        join_with_and(&listed, "and")
    )
}

/// "There is no public image named ...; did you mean ...?" (no final period: Terraform adds
/// one).
fn unknown_name_message(name: &str, suggestions: &[&CatalogEntry]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("{:?}", s.name)).collect();
    let hint = match quoted.as_slice() {
        [] => String::new(),
        _ => format!(" Did you mean {}?", join_with_and(&quoted, "or")),
    };
    format!(
        "There is no public image named {name:?} in the catalog (taken {taken}; it holds only \
         the public images of that listing).{hint} Call provider::qcloud::{PUBLIC_IMAGES}() to \
         see every name, or find newer images with the qcloud_images data source (most_recent \
         and name_regex)",
        taken = catalog_taken()
    )
}

/// `a`, `a and b`, `a, b and c` (with `or` for `and` as asked).
fn join_with_and(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
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
    fn short_forms_that_fit_one_image_return_its_id() {
        let cases = [
            ("CentOS 7.2", "img-31tjrtph"),
            ("debian 8.2 64", "img-hi93l4ht"),
            ("Ubuntu 14.04 64-bit", "img-3wnd9xpl"),
        ];
        for (name, id) in cases {
            assert_eq!(call(PUBLIC_IMAGE_ID, &[name.into()]), Ok(Value::from(id)), "{name}");
        }
    }

    #[test]
    fn an_ambiguous_short_form_lists_the_candidates_with_their_ids() {
        let error = call(PUBLIC_IMAGE_ID, &["Ubuntu 14.04".into()]).unwrap_err();
        assert_eq!(error.argument, Some(0));
        let want = "\"Ubuntu 14.04\" fits 2 public images in the catalog: \
                    \"Ubuntu Server 14.04.1 LTS 32-bit\" (img-qpxvpujt) and \
                    \"Ubuntu Server 14.04.1 LTS 64-bit\" (img-3wnd9xpl). Give more of the name";
        assert!(error.text.starts_with(want), "{}", error.text);
    }

    #[test]
    fn a_very_ambiguous_short_form_lists_ten_and_counts_the_rest() {
        let error = call(PUBLIC_IMAGE_ID, &["64-bit".into()]).unwrap_err();
        let fits = entries().iter().filter(|e| e.name.contains("64-bit")).count();
        assert!(error.text.contains(&format!("fits {fits} public images")), "{}", error.text);
        assert!(error.text.contains(&format!(" and {} more.", fits - 10)), "{}", error.text);
        assert_eq!(error.text.matches("(img-").count(), 10, "{}", error.text);
    }

    #[test]
    fn unknown_name_suggests_close_names_at_argument_zero() {
        let error = call(PUBLIC_IMAGE_ID, &["CentOS 7.3 64-bit".into()]).unwrap_err();
        assert_eq!(error.argument, Some(0));
        assert!(error.text.contains("\"CentOS 7.3 64-bit\""), "{}", error.text);
        assert!(error.text.contains("Did you mean \"CentOS 7.2 64-bit\""), "{}", error.text);
        let taken = format!("(taken {}; it holds only the public images", catalog_taken());
        assert!(error.text.contains(&taken), "{}", error.text);
        assert!(error.text.contains("public_images()"), "{}", error.text);
        assert!(error.text.contains("qcloud_images data source (most_recent"), "{}", error.text);
    }

    #[test]
    fn did_you_mean_lists_at_most_three_names() {
        let error = call(PUBLIC_IMAGE_ID, &["centos 6.9".into()]).unwrap_err();
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
            let taken = format!("The catalog was taken {} and holds only", catalog_taken());
            assert!(def.description.contains(&taken), "{}", def.description);
            assert!(def.description.contains("`qcloud_images`"), "{}", def.description);
        }
    }
}
