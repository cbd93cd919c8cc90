//! Stage 2 for single arguments: each known value parsed and checked, with a diagnostic saying
//! what was wrong and how to fix it. The caller places it at the argument's path.

use regex::Regex;

use crate::cty::Number;
use crate::diag::Diagnostic;
use crate::qcloud::{ImageStatus, ImageType};

const IMAGE_TYPE_WORDS: &str = "private, public, marketplace or shared (or the codes 1 to 4)";
const STATUS_WORDS: &str = "creating, normal, in_use, syncing or copying (or the codes 1 to 5; \
                            0 or leaving it unset means every status)";

/// `private`/`public`/`marketplace`/`shared` in any case, or `1`-`4`.
pub fn parse_image_type(text: &str) -> Result<ImageType, Diagnostic> {
    let wanted = text.trim();
    ImageType::ALL
        .into_iter()
        .find(|t| t.name().eq_ignore_ascii_case(wanted) || t.code().to_string() == wanted)
        .ok_or_else(|| {
            Diagnostic::error(
                "Invalid image_type",
                format!("{} is not an image type: use {IMAGE_TYPE_WORDS}.", quoted(text)),
            )
        })
}

/// A status word in any case or `1`-`5`; `0` means every status (`None`).
pub fn parse_status(text: &str) -> Result<Option<ImageStatus>, Diagnostic> {
    let wanted = text.trim();
    if wanted == "0" {
        return Ok(None);
    }
    ImageStatus::ALL
        .into_iter()
        .find(|s| s.name().eq_ignore_ascii_case(wanted) || s.code().to_string() == wanted)
        .map(Some)
        .ok_or_else(|| {
            Diagnostic::error(
                "Invalid status",
                format!("{} is not an image status: use {STATUS_WORDS}.", quoted(text)),
            )
        })
}

pub use crate::qcloud::images::is_image_id;

/// One element of `image_ids`.
pub fn check_image_id(id: &str) -> Result<String, Diagnostic> {
    if is_image_id(id) {
        return Ok(id.to_string());
    }
    Err(Diagnostic::error(
        "Invalid image id",
        format!(
            "{} is not an image id: an id is \"img-\" followed by 8 lower-case letters or \
             digits, e.g. \"img-31tjrtph\".",
            quoted(id)
        ),
    ))
}

/// An empty list or map where its values narrow the lookup: unset, not "nothing".
pub fn empty_collection(name: &str, kind: Collection, what: &str) -> Diagnostic {
    let (noun, empty) = match kind {
        Collection::List => ("list", "[]"),
        Collection::Map => ("map", "{}"),
    };
    Diagnostic::error(
        format!("Empty {name}"),
        format!(
            "{name} is an empty {noun}, which would not narrow the lookup at all. Remove it (or \
             set it to null) to {what}, or give at least one value. When it comes from a \
             variable, make the variable null rather than {empty} when it has nothing to give."
        ),
    )
}

/// What kind of empty collection [`empty_collection`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    List,
    Map,
}

/// A string argument that must say something when set.
pub fn non_empty(
    name: &str,
    text: &str,
    remove_to: &str,
    example: &str,
) -> Result<String, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            format!("Empty {name}"),
            format!("{name} is empty. Remove it to {remove_to}, or give {example}."),
        ));
    }
    Ok(text.to_string())
}

/// `name_regex`: a non-empty RE2 pattern.
pub fn compile_name_regex(pattern: &str) -> Result<Regex, Diagnostic> {
    if pattern.is_empty() {
        return Err(Diagnostic::error(
            "Empty name_regex",
            "name_regex is empty. Remove it to match every name, or give a pattern such as \
             \"^CentOS 7\".",
        ));
    }
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
pub fn regex_error_text(error: &regex::Error) -> String {
    let text = error.to_string();
    if text.chars().count() <= MAX_REGEX_ERROR_CHARS {
        return text;
    }
    let reasons: Vec<&str> = text.lines().filter(|line| line.starts_with("error:")).collect();
    let reason =
        if reasons.is_empty() { "error: the pattern is too large" } else { &reasons.join("\n") };
    format!("{reason} (the excerpt of the pattern is left out: it is too long to show)")
}

/// `max_results`: a whole number of at least 1.
pub fn check_max_results(number: &Number) -> Result<usize, Diagnostic> {
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

/// `result_output_file`: a path.
pub fn check_output_path(text: &str) -> Result<String, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(
            "Empty result_output_file",
            "result_output_file is empty: give a file path, or remove it.",
        ));
    }
    Ok(text.to_string())
}

/// User text quoted for a message, cut short so a huge value stays readable.
pub fn quoted(text: &str) -> String {
    const LIMIT: usize = 64;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// At most `limit` characters of user text (then `…`), for messages that show it unquoted.
pub fn shortened(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
