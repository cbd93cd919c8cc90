//! `qcloud_images` configuration → a validated [`Lookup`] (everything one block asks for), in
//! two stages: [`take`] takes each argument out of the config object as unset, unknown or
//! known; [`CheckedConfig`] parses and checks the known ones ([`values`]) and how they combine,
//! reporting each problem at its attribute path. Validation (values may be unknown) and reads
//! (everything must be known) share both.
//!
//! Offline and pure: no API client, no I/O.

pub mod take;
pub mod values;

use std::collections::BTreeMap;
use std::time::Duration;

use regex::Regex;

use super::schema::attr;
use crate::cty::{AttributePath, Number, Value};
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::images::v3::{MAX_FILTER_VALUES, MAX_FILTERS, filter_shape};
use crate::qcloud::{ImageFilter, ImageStatus, ImageType};
use take::Elements;
use values::Collection;
pub use values::{is_image_id, parse_image_type, parse_status, quoted, shortened};

/// Everything a `qcloud_images` block asks for, fully known and valid: the server-side filter,
/// the client-side filters and order, the output file and the time budget.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Types sorted and each once; ids sorted and each once.
    pub filter: ImageFilter,
    pub name_regex: Option<Regex>,
    /// Never empty.
    pub os_name: Option<String>,
    pub most_recent: bool,
    pub sort_ascending: bool,
    /// At least 1.
    pub max_results: Option<usize>,
    pub result_output_file: Option<String>,
    /// `timeouts { read = ... }`.
    pub read_timeout: Option<Duration>,
}

impl Lookup {
    /// Validates a config object that must be wholly known (a read).
    pub fn from_config(config: &Value) -> Result<Lookup, Diagnostics> {
        let (raw, mut diagnostics) = RawConfig::from_value(config);
        let checked = CheckedConfig::check(raw, &mut diagnostics);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        checked.into_lookup()
    }
}

/// Checks a config object offline; unknown values are skipped.
pub fn validate(config: &Value) -> Diagnostics {
    let (raw, mut diagnostics) = RawConfig::from_value(config);
    CheckedConfig::check(raw, &mut diagnostics);
    diagnostics
}

/// One argument as it stands in the config.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting<T> {
    Unset,
    /// Not known until apply (wired from another resource).
    Unknown,
    Known(T),
}

impl<T> Setting<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        match self {
            Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
            Setting::Known(value) => Setting::Known(f(value)),
        }
    }

    fn is_set(&self) -> bool {
        !matches!(self, Setting::Unset)
    }

    /// Parses a known value; a failure is reported at `path` and the setting becomes unset.
    fn parse<U>(
        self,
        path: AttributePath,
        diagnostics: &mut Diagnostics,
        parse: impl FnOnce(T) -> Result<U, Diagnostic>,
    ) -> Setting<U> {
        match self.map(parse) {
            Setting::Known(Ok(value)) => Setting::Known(value),
            Setting::Known(Err(diagnostic)) => {
                diagnostics.push(diagnostic.at(path));
                Setting::Unset
            }
            Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
        }
    }
}

/// Stage 1: each argument taken out of the config object, not yet interpreted.
#[derive(Debug, Clone, PartialEq)]
pub struct RawConfig<'a> {
    pub image_type: Setting<&'a str>,
    pub image_types: Elements<'a, usize>,
    pub image_ids: Elements<'a, usize>,
    pub status: Setting<&'a str>,
    pub instance_type: Setting<&'a str>,
    pub platform: Setting<&'a str>,
    pub tags: Elements<'a, &'a str>,
    pub include_deprecated: Setting<bool>,
    pub name_regex: Setting<&'a str>,
    pub os_name: Setting<&'a str>,
    pub most_recent: Setting<bool>,
    pub sort_ascending: Setting<bool>,
    pub max_results: Setting<&'a Number>,
    pub result_output_file: Setting<&'a str>,
    pub read_timeout: Setting<&'a str>,
    /// Which arguments naming images are set, whatever their values.
    pub given: Given,
}

impl<'a> RawConfig<'a> {
    /// Takes every argument out of `config`; a value of the wrong type is reported at its path.
    pub fn from_value(config: &'a Value) -> (RawConfig<'a>, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        if !matches!(config, Value::Object(_)) {
            diagnostics.push(Diagnostic::error(
                "Invalid qcloud_images configuration",
                "The configuration is not an object; this is a bug in Terraform or the provider.",
            ));
        }
        let d = &mut diagnostics;
        let raw = RawConfig {
            image_type: take::string(config, attr::IMAGE_TYPE, d),
            image_types: take::string_list(config, attr::IMAGE_TYPES, "image type", d),
            image_ids: take::string_list(config, attr::IMAGE_IDS, "image id", d),
            status: take::string(config, attr::STATUS, d),
            instance_type: take::string(config, attr::INSTANCE_TYPE, d),
            platform: take::string(config, attr::PLATFORM, d),
            tags: take::string_map(config, attr::TAGS, d),
            include_deprecated: take::boolean(config, attr::INCLUDE_DEPRECATED, d),
            name_regex: take::string(config, attr::NAME_REGEX, d),
            os_name: take::string(config, attr::OS_NAME, d),
            most_recent: take::boolean(config, attr::MOST_RECENT, d),
            sort_ascending: take::boolean(config, attr::SORT_ASCENDING, d),
            max_results: take::number(config, attr::MAX_RESULTS, d),
            result_output_file: take::string(config, attr::RESULT_OUTPUT_FILE, d),
            read_timeout: take::block_string(config, attr::TIMEOUTS, attr::READ, d),
            given: Given {
                image_type: is_given(config, attr::IMAGE_TYPE),
                image_types: is_given(config, attr::IMAGE_TYPES),
                image_ids: is_given(config, attr::IMAGE_IDS),
            },
        };
        (raw, diagnostics)
    }
}

/// Which of the arguments that name images the configuration sets (valid or not), so that a
/// wrong value is not also reported as missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given {
    image_type: bool,
    image_types: bool,
    image_ids: bool,
}

/// Stage 2: every known argument parsed and checked.
#[derive(Debug, Clone)]
pub struct CheckedConfig {
    pub image_type: Setting<ImageType>,
    /// Sorted, each once; unknown when the list or any element is.
    pub image_types: Setting<Vec<ImageType>>,
    /// Sorted, each once; unknown when the list or any element is.
    pub image_ids: Setting<Vec<String>>,
    /// `0` is the same as unset: every status.
    pub status: Setting<ImageStatus>,
    pub instance_type: Setting<String>,
    pub platform: Setting<String>,
    pub tags: Setting<BTreeMap<String, String>>,
    pub include_deprecated: Setting<bool>,
    pub name_regex: Setting<Regex>,
    pub os_name: Setting<String>,
    pub most_recent: Setting<bool>,
    pub sort_ascending: Setting<bool>,
    pub max_results: Setting<usize>,
    pub result_output_file: Setting<String>,
    pub read_timeout: Setting<Duration>,
}

impl CheckedConfig {
    /// Parses and checks `raw`, adding each problem to `diagnostics` at its attribute path.
    pub fn check(raw: RawConfig<'_>, diagnostics: &mut Diagnostics) -> CheckedConfig {
        let d = diagnostics;
        let given = raw.given;
        let status = match raw.status.parse(path(attr::STATUS), d, values::parse_status) {
            Setting::Known(Some(status)) => Setting::Known(status),
            Setting::Known(None) | Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
        };
        let non_empty = |name: &'static str, remove_to: &'static str, example: &'static str| {
            move |text: &str| values::non_empty(name, text, remove_to, example)
        };
        let checked = CheckedConfig {
            image_type: raw.image_type.parse(path(attr::IMAGE_TYPE), d, values::parse_image_type),
            image_types: check_image_types(raw.image_types, d),
            image_ids: check_image_ids(raw.image_ids, d),
            status,
            instance_type: raw.instance_type.parse(
                path(attr::INSTANCE_TYPE),
                d,
                non_empty(
                    attr::INSTANCE_TYPE,
                    "list images for every instance type",
                    "an instance type such as \"S5.MEDIUM4\"",
                ),
            ),
            platform: raw.platform.parse(
                path(attr::PLATFORM),
                d,
                non_empty(
                    attr::PLATFORM,
                    "match every OS family",
                    "an OS family such as \"Ubuntu\"",
                ),
            ),
            tags: check_tags(raw.tags, d),
            include_deprecated: raw.include_deprecated,
            name_regex: raw.name_regex.parse(path(attr::NAME_REGEX), d, values::compile_name_regex),
            os_name: raw.os_name.parse(
                path(attr::OS_NAME),
                d,
                non_empty(attr::OS_NAME, "match every OS", "part of an OS name such as \"centos\""),
            ),
            most_recent: raw.most_recent,
            sort_ascending: raw.sort_ascending,
            max_results: raw.max_results.parse(
                path(attr::MAX_RESULTS),
                d,
                values::check_max_results,
            ),
            result_output_file: raw.result_output_file.parse(
                path(attr::RESULT_OUTPUT_FILE),
                d,
                values::check_output_path,
            ),
            read_timeout: raw.read_timeout.parse(
                AttributePath::attr(attr::TIMEOUTS).attribute(attr::READ),
                d,
                crate::data_sources::timeouts::parse_read,
            ),
        };
        checked.check_combinations(given, d);
        checked
    }

    /// The rules between arguments: one way to name the types, and the API's filter limits.
    fn check_combinations(&self, given: Given, diagnostics: &mut Diagnostics) {
        if given.image_type && given.image_types {
            diagnostics.push(
                Diagnostic::error(
                    "Conflicting image_type and image_types",
                    "Set either image_type (one type) or image_types (several types), not both.",
                )
                .at(path(attr::IMAGE_TYPES)),
            );
        } else if !given.image_type && !given.image_types && !given.image_ids {
            diagnostics.push(missing_type());
        }
        if let Some(diagnostic) = self.too_many_filters() {
            diagnostics.push(diagnostic);
        }
    }

    /// API 3.0 takes at most 10 filters of at most 5 values each: the type filter, the status,
    /// the platform and each tag count.
    fn too_many_filters(&self) -> Option<Diagnostic> {
        let Setting::Known(tags) = &self.tags else { return None };
        let mut filter = ImageFilter::of_type(ImageType::Private);
        if let Setting::Known(types) = &self.image_types {
            filter.image_types.clone_from(types);
        }
        filter.status = match self.status {
            Setting::Known(status) => Some(status),
            _ => None,
        };
        filter.platform = self.platform.is_set().then(String::new);
        filter.tags.clone_from(tags);
        let (filters, values) = filter_shape(&filter);
        if filters <= MAX_FILTERS && values <= MAX_FILTER_VALUES {
            return None;
        }
        let others = filters - tags.len();
        Some(
            Diagnostic::error(
                "Too many filters",
                format!(
                    "API 3.0 takes at most {MAX_FILTERS} filters per request, each with at most \
                     {MAX_FILTER_VALUES} values; the image type, the status, the platform and \
                     each tag are one filter each. This lookup needs {filters} ({} tag(s) and \
                     {others} other), so use at most {} tag(s).",
                    tags.len(),
                    MAX_FILTERS.saturating_sub(others)
                ),
            )
            .at(path(attr::TAGS)),
        )
    }

    /// The lookup, when every argument is known and the types are named (or ids given).
    pub fn into_lookup(self) -> Result<Lookup, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let d = &mut diagnostics;
        let image_type = known(self.image_type, attr::IMAGE_TYPE, d);
        let image_types = known(self.image_types, attr::IMAGE_TYPES, d);
        let filter = ImageFilter {
            image_types: image_type.map(|t| vec![t]).or(image_types).unwrap_or_default(),
            image_ids: known(self.image_ids, attr::IMAGE_IDS, d).unwrap_or_default(),
            status: known(self.status, attr::STATUS, d),
            instance_type: known(self.instance_type, attr::INSTANCE_TYPE, d),
            platform: known(self.platform, attr::PLATFORM, d),
            tags: known(self.tags, attr::TAGS, d).unwrap_or_default(),
            include_deprecated: known(self.include_deprecated, attr::INCLUDE_DEPRECATED, d)
                .unwrap_or(false),
        };
        let lookup = Lookup {
            filter,
            name_regex: known(self.name_regex, attr::NAME_REGEX, d),
            os_name: known(self.os_name, attr::OS_NAME, d),
            most_recent: known(self.most_recent, attr::MOST_RECENT, d).unwrap_or(false),
            sort_ascending: known(self.sort_ascending, attr::SORT_ASCENDING, d).unwrap_or(false),
            max_results: known(self.max_results, attr::MAX_RESULTS, d),
            result_output_file: known(self.result_output_file, attr::RESULT_OUTPUT_FILE, d),
            read_timeout: known(self.read_timeout, attr::TIMEOUTS, d),
        };
        if diagnostics.has_errors() { Err(diagnostics) } else { Ok(lookup) }
    }
}

/// Whether the configuration sets `name` (unknown counts: it will be set).
fn is_given(config: &Value, name: &str) -> bool {
    config.get_attr(name).is_some_and(|value| !value.is_null())
}

fn path(name: &str) -> AttributePath {
    AttributePath::attr(name)
}

/// The value of a setting that must be known at read time; unset is `None`.
fn known<T>(setting: Setting<T>, name: &str, diagnostics: &mut Diagnostics) -> Option<T> {
    match setting {
        Setting::Known(value) => Some(value),
        Setting::Unset => None,
        Setting::Unknown => {
            diagnostics.push(not_known(name));
            None
        }
    }
}

fn missing_type() -> Diagnostic {
    Diagnostic::error(
        "Missing image_type",
        "image_type is required (or image_types for several types): use private, public, \
         marketplace or shared. Under api_version = \"3.0\", image_ids alone also work.",
    )
    .at(path(attr::IMAGE_TYPE))
}

fn not_known(name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{name} is not known yet"),
        format!(
            "{name} must be known before qcloud_images can be read; Terraform normally waits \
             for values that come from other resources, so this is a bug in Terraform or the \
             provider."
        ),
    )
    .at(path(name))
}

/// Parses every known element of a list with `parse`, reporting each failure at its index;
/// unknown when any element is.
fn check_elements<T>(
    name: &str,
    elements: Elements<'_, usize>,
    diagnostics: &mut Diagnostics,
    parse: impl Fn(&str) -> Result<T, Diagnostic>,
) -> Setting<Vec<T>> {
    let Setting::Known(elements) = elements else { return elements.map(|_| Vec::new()) };
    let mut checked = Vec::with_capacity(elements.len());
    let mut any_unknown = false;
    for (index, element) in elements {
        match element {
            Setting::Known(text) => match parse(text) {
                Ok(value) => checked.push(value),
                Err(diagnostic) => {
                    let at = path(name).index(take::index_i64(index));
                    diagnostics.push(diagnostic.at(at));
                }
            },
            Setting::Unknown => any_unknown = true,
            Setting::Unset => {}
        }
    }
    if any_unknown { Setting::Unknown } else { Setting::Known(checked) }
}

/// A list that narrows the lookup must not be empty.
fn refuse_empty<T>(
    name: &str,
    what: &str,
    list: &Elements<'_, T>,
    diagnostics: &mut Diagnostics,
) -> bool {
    let empty = matches!(list, Setting::Known(elements) if elements.is_empty());
    if empty {
        diagnostics.push(values::empty_collection(name, Collection::List, what).at(path(name)));
    }
    empty
}

fn check_image_ids(ids: Elements<'_, usize>, d: &mut Diagnostics) -> Setting<Vec<String>> {
    if refuse_empty(attr::IMAGE_IDS, "list every image of the type", &ids, d) {
        return Setting::Unset;
    }
    let mut checked = check_elements(attr::IMAGE_IDS, ids, d, values::check_image_id);
    if let Setting::Known(ids) = &mut checked {
        ids.sort();
        ids.dedup();
    }
    checked
}

fn check_image_types(types: Elements<'_, usize>, d: &mut Diagnostics) -> Setting<Vec<ImageType>> {
    if refuse_empty(attr::IMAGE_TYPES, "use image_type instead", &types, d) {
        return Setting::Unset;
    }
    let parse = |text: &str| {
        values::parse_image_type(text)
            .map_err(|e| Diagnostic::error("Invalid image_types", e.detail))
    };
    let mut checked = check_elements(attr::IMAGE_TYPES, types, d, parse);
    if let Setting::Known(types) = &mut checked {
        types.sort();
        types.dedup();
    }
    checked
}

fn check_tags(tags: Elements<'_, &str>, d: &mut Diagnostics) -> Setting<BTreeMap<String, String>> {
    let Setting::Known(entries) = tags else { return tags.map(|_| BTreeMap::new()) };
    if entries.is_empty() {
        let what = "match images whatever their tags";
        d.push(values::empty_collection(attr::TAGS, Collection::Map, what).at(path(attr::TAGS)));
        return Setting::Unset;
    }
    let mut checked = BTreeMap::new();
    let mut any_unknown = false;
    for (key, value) in entries {
        if key.trim().is_empty() {
            let at = path(attr::TAGS).key(key);
            d.push(
                Diagnostic::error("Empty tag key", "A tag key is empty: give the key of a tag.")
                    .at(at),
            );
            continue;
        }
        match value {
            Setting::Known(value) => {
                checked.insert(key.to_string(), value.to_string());
            }
            Setting::Unknown => any_unknown = true,
            Setting::Unset => {}
        }
    }
    if any_unknown { Setting::Unknown } else { Setting::Known(checked) }
}

#[cfg(test)]
mod tests;
