//! `qcloud_images` configuration → a validated [`Lookup`] (everything one block asks for), in
//! two stages:
//! [`RawConfig`] takes each argument out of the config object as unset, unknown or known;
//! [`CheckedConfig`] parses and checks the known ones, reporting each problem at its attribute
//! path. Validation (values may be unknown) and reads (everything must be known) share both.
//!
//! Offline and pure: no API client, no I/O.

use regex::Regex;

use super::schema::attr;
use crate::cty::{AttributePath, Number, Value};
use crate::diag::{Diagnostic, Diagnostics};
use crate::qcloud::{ImageFilter, ImageStatus, ImageType};

/// Everything a `qcloud_images` block asks for, fully known and valid: the server-side filter,
/// the client-side filters and order, and the output file.
#[derive(Debug, Clone)]
pub struct Lookup {
    pub image_type: ImageType,
    /// Sorted, without duplicates; empty means every image of the type.
    pub image_ids: Vec<String>,
    /// `None` means every status.
    pub status: Option<ImageStatus>,
    pub name_regex: Option<Regex>,
    /// Never empty.
    pub os_name: Option<String>,
    pub most_recent: bool,
    pub sort_ascending: bool,
    /// At least 1.
    pub max_results: Option<usize>,
    pub result_output_file: Option<String>,
}

impl Lookup {
    /// Validates a config object that must be wholly known (a read).
    pub fn from_config(config: &Value) -> Result<Lookup, Diagnostics> {
        let (raw, mut diagnostics) = RawConfig::from_value(config);
        let checked = CheckedConfig::check(raw, &mut diagnostics);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        checked.into_query()
    }

    /// The server-side part of the query: what `DescribeImages` is asked for.
    pub fn filter(&self) -> ImageFilter {
        ImageFilter {
            image_type: self.image_type,
            image_ids: self.image_ids.clone(),
            status: self.status,
        }
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
    pub image_ids: Setting<Vec<Setting<&'a str>>>,
    pub status: Setting<&'a str>,
    pub name_regex: Setting<&'a str>,
    pub os_name: Setting<&'a str>,
    pub most_recent: Setting<bool>,
    pub sort_ascending: Setting<bool>,
    pub max_results: Setting<&'a Number>,
    pub result_output_file: Setting<&'a str>,
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
            image_type: string(config, attr::IMAGE_TYPE, d),
            image_ids: string_list(config, attr::IMAGE_IDS, d),
            status: string(config, attr::STATUS, d),
            name_regex: string(config, attr::NAME_REGEX, d),
            os_name: string(config, attr::OS_NAME, d),
            most_recent: bool_setting(config, attr::MOST_RECENT, d),
            sort_ascending: bool_setting(config, attr::SORT_ASCENDING, d),
            max_results: number(config, attr::MAX_RESULTS, d),
            result_output_file: string(config, attr::RESULT_OUTPUT_FILE, d),
        };
        (raw, diagnostics)
    }
}

/// Stage 2: every known argument parsed and checked.
#[derive(Debug, Clone)]
pub struct CheckedConfig {
    pub image_type: Setting<ImageType>,
    /// Unknown when the list or any of its elements is.
    pub image_ids: Setting<Vec<String>>,
    /// `0` is the same as unset: every status.
    pub status: Setting<ImageStatus>,
    pub name_regex: Setting<Regex>,
    pub os_name: Setting<String>,
    pub most_recent: Setting<bool>,
    pub sort_ascending: Setting<bool>,
    pub max_results: Setting<usize>,
    pub result_output_file: Setting<String>,
}

impl CheckedConfig {
    /// Parses and checks `raw`, adding each problem to `diagnostics` at its attribute path.
    pub fn check(raw: RawConfig<'_>, diagnostics: &mut Diagnostics) -> CheckedConfig {
        let d = diagnostics;
        let status = match raw.status.parse(path(attr::STATUS), d, parse_status) {
            Setting::Known(Some(status)) => Setting::Known(status),
            Setting::Known(None) | Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
        };
        CheckedConfig {
            image_type: raw.image_type.parse(path(attr::IMAGE_TYPE), d, parse_image_type),
            image_ids: check_image_ids(raw.image_ids, d),
            status,
            name_regex: raw.name_regex.parse(path(attr::NAME_REGEX), d, compile_name_regex),
            os_name: raw.os_name.parse(path(attr::OS_NAME), d, check_os_name),
            most_recent: raw.most_recent,
            sort_ascending: raw.sort_ascending,
            max_results: raw.max_results.parse(path(attr::MAX_RESULTS), d, check_max_results),
            result_output_file: raw.result_output_file.parse(
                path(attr::RESULT_OUTPUT_FILE),
                d,
                check_output_path,
            ),
        }
    }

    /// The query, when every argument is known and `image_type` is set.
    pub fn into_query(self) -> Result<Lookup, Diagnostics> {
        let mut diagnostics = Diagnostics::new();
        let d = &mut diagnostics;
        if matches!(self.image_type, Setting::Unset) {
            d.push(required(attr::IMAGE_TYPE));
        }
        let image_type = known(self.image_type, attr::IMAGE_TYPE, d);
        let image_ids = known(self.image_ids, attr::IMAGE_IDS, d).unwrap_or_default();
        let status = known(self.status, attr::STATUS, d);
        let name_regex = known(self.name_regex, attr::NAME_REGEX, d);
        let os_name = known(self.os_name, attr::OS_NAME, d);
        let most_recent = known(self.most_recent, attr::MOST_RECENT, d).unwrap_or(false);
        let sort_ascending = known(self.sort_ascending, attr::SORT_ASCENDING, d).unwrap_or(false);
        let max_results = known(self.max_results, attr::MAX_RESULTS, d);
        let result_output_file = known(self.result_output_file, attr::RESULT_OUTPUT_FILE, d);
        match image_type {
            Some(image_type) if !diagnostics.has_errors() => Ok(Lookup {
                image_type,
                image_ids,
                status,
                name_regex,
                os_name,
                most_recent,
                sort_ascending,
                max_results,
                result_output_file,
            }),
            _ => Err(diagnostics),
        }
    }
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

fn required(name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Missing {name}"),
        format!("{name} is required: use private, public, marketplace or shared."),
    )
    .at(path(name))
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

// ---- stage 1: taking values out of the object ----

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
                diagnostics.push(wrong_type(name, expected).at(path(name)));
                Setting::Unset
            }
        },
    }
}

fn wrong_type(name: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(format!("Invalid {name}"), format!("{name} must be {expected}."))
}

fn string<'a>(config: &'a Value, name: &str, d: &mut Diagnostics) -> Setting<&'a str> {
    setting(config, name, d, "a string", Value::as_str)
}

fn bool_setting(config: &Value, name: &str, d: &mut Diagnostics) -> Setting<bool> {
    setting(config, name, d, "true or false", Value::as_bool)
}

fn number<'a>(config: &'a Value, name: &str, d: &mut Diagnostics) -> Setting<&'a Number> {
    setting(config, name, d, "a number", Value::as_number)
}

fn string_list<'a>(
    config: &'a Value,
    name: &str,
    d: &mut Diagnostics,
) -> Setting<Vec<Setting<&'a str>>> {
    let elements = setting(config, name, d, "a list of strings", Value::as_elements);
    let Setting::Known(elements) = elements else { return elements.map(|_| Vec::new()) };
    let mut taken = Vec::with_capacity(elements.len());
    for (index, element) in elements.iter().enumerate() {
        taken.push(match element {
            Value::Unknown => Setting::Unknown,
            Value::String(text) => Setting::Known(text.as_str()),
            _ => {
                let at = path(name).index(index_i64(index));
                d.push(wrong_type(name, "a list of image id strings, none of them null").at(at));
                Setting::Unset
            }
        });
    }
    Setting::Known(taken)
}

fn index_i64(index: usize) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}

// ---- stage 2: parsing and checking known values ----

const IMAGE_TYPE_WORDS: &str = "private, public, marketplace or shared (or the codes 1 to 4)";
const STATUS_WORDS: &str = "creating, normal, in_use, syncing or copying (or the codes 1 to 5; \
                            0 or leaving it unset means every status)";

/// `private`/`public`/`marketplace`/`shared` in any case, or `1`-`4`.
pub fn parse_image_type(text: &str) -> Result<ImageType, Diagnostic> {
    let image_type = match text.trim().to_ascii_lowercase().as_str() {
        "private" | "1" => Some(ImageType::Private),
        "public" | "2" => Some(ImageType::Public),
        "marketplace" | "3" => Some(ImageType::Marketplace),
        "shared" | "4" => Some(ImageType::Shared),
        _ => None,
    };
    image_type.ok_or_else(|| {
        Diagnostic::error(
            "Invalid image_type",
            format!("{} is not an image type: use {IMAGE_TYPE_WORDS}.", quoted(text)),
        )
    })
}

/// A status word in any case or `1`-`5`; `0` means every status (`None`).
pub fn parse_status(text: &str) -> Result<Option<ImageStatus>, Diagnostic> {
    let status = match text.trim().to_ascii_lowercase().as_str() {
        "0" => Some(None),
        "creating" | "1" => Some(Some(ImageStatus::Creating)),
        "normal" | "2" => Some(Some(ImageStatus::Normal)),
        "in_use" | "3" => Some(Some(ImageStatus::InUse)),
        "syncing" | "4" => Some(Some(ImageStatus::Syncing)),
        "copying" | "5" => Some(Some(ImageStatus::Copying)),
        _ => None,
    };
    status.ok_or_else(|| {
        Diagnostic::error(
            "Invalid status",
            format!("{} is not an image status: use {STATUS_WORDS}.", quoted(text)),
        )
    })
}

/// True for `img-` followed by exactly 8 lower-case ASCII letters or digits.
pub fn is_image_id(text: &str) -> bool {
    text.strip_prefix("img-").is_some_and(|rest| {
        rest.len() == 8 && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn check_image_ids(
    ids: Setting<Vec<Setting<&str>>>,
    diagnostics: &mut Diagnostics,
) -> Setting<Vec<String>> {
    let Setting::Known(elements) = ids else { return ids.map(|_| Vec::new()) };
    let mut checked = Vec::with_capacity(elements.len());
    let mut any_unknown = false;
    for (index, element) in elements.into_iter().enumerate() {
        match element {
            Setting::Known(id) if is_image_id(id) => checked.push(id.to_string()),
            Setting::Known(id) => diagnostics.push(
                Diagnostic::error(
                    "Invalid image id",
                    format!(
                        "{} is not an image id: an id is \"img-\" followed by 8 lower-case \
                         letters or digits, e.g. \"img-31tjrtph\".",
                        quoted(id)
                    ),
                )
                .at(path(attr::IMAGE_IDS).index(index_i64(index))),
            ),
            Setting::Unknown => any_unknown = true,
            Setting::Unset => {}
        }
    }
    if any_unknown {
        return Setting::Unknown;
    }
    checked.sort();
    checked.dedup();
    Setting::Known(checked)
}

fn compile_name_regex(pattern: &str) -> Result<Regex, Diagnostic> {
    Regex::new(pattern).map_err(|error| {
        Diagnostic::error(
            "Invalid name_regex",
            format!(
                "name_regex is not a valid regular expression (RE2 syntax):\n{}",
                regex_error_text(&error)
            ),
        )
    })
}

/// The longest regex error shown whole; a longer one is a huge pattern quoted by the parser.
const MAX_REGEX_ERROR_CHARS: usize = 1_000;

/// The regex crate's error, without its excerpt of the pattern when that would be huge.
fn regex_error_text(error: &regex::Error) -> String {
    let text = error.to_string();
    if text.chars().count() <= MAX_REGEX_ERROR_CHARS {
        return text;
    }
    let reasons: Vec<&str> = text.lines().filter(|line| line.starts_with("error:")).collect();
    let reason =
        if reasons.is_empty() { "error: the pattern is too large" } else { &reasons.join("\n") };
    format!("{reason} (the excerpt of the pattern is left out: it is too long to show)")
}

/// User text quoted for a message, cut short so a huge value stays readable.
pub(crate) fn quoted(text: &str) -> String {
    const LIMIT: usize = 64;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// At most `limit` characters of user text (then `…`), for messages that show it unquoted.
pub(crate) fn shortened(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn check_os_name(text: &str) -> Result<String, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            "Empty os_name",
            "os_name is empty. Remove it to match every OS, or give part of an OS name such as \
             \"centos\".",
        ));
    }
    Ok(text.to_string())
}

fn check_max_results(number: &Number) -> Result<usize, Diagnostic> {
    match number.as_i64() {
        Some(n) if n >= 1 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => Err(Diagnostic::error(
            "Invalid max_results",
            format!(
                "max_results must be a whole number of at least 1, got {}. Remove it to keep \
                 every matching image.",
                shortened(&number_text(number), 64)
            ),
        )),
    }
}

fn number_text(number: &Number) -> String {
    match number {
        Number::Int(i) => i.to_string(),
        Number::UInt(u) => u.to_string(),
        Number::Float(f) => f.to_string(),
        Number::Decimal(text) => text.clone(),
    }
}

fn check_output_path(text: &str) -> Result<String, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            "Empty result_output_file",
            "result_output_file is empty: give a file path, or remove it.",
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests;
