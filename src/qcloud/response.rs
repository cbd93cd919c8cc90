//! Parsing a `DescribeImages` answer, leniently: `code` as a number or a string, the 2.0 error
//! shape and the 3.0 envelope, `creator` or `createor`, numbers sent as strings, missing fields
//! as absent, unknown fields ignored. Never panics; a body that is not JSON becomes an error
//! quoting (a redacted start of) the body.
//!
//! Must not depend on the HTTP transport.

use serde_json::{Map, Value};

use super::Image;
use super::error::{ApiCode, ApiError, Error};

/// How much of a body an error quotes, in characters.
pub const BODY_QUOTE_CHARS: usize = 200;
/// How much of an API error message is kept, in characters.
const MESSAGE_CHARS: usize = 500;

/// One page of a successful answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// `totalCount`, when present and a non-negative integer.
    pub total_count: Option<u64>,
    /// `imageSet`, in the API's order.
    pub images: Vec<Image>,
}

/// Parses a body: a [`Page`], or [`Error::Api`] for an error answer, or [`Error::NotJson`] /
/// [`Error::UnexpectedResponse`] for anything else. `status` is the HTTP status, for messages.
pub fn parse_describe_images(status: u16, body: &[u8]) -> Result<Page, Error> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| Error::NotJson { status, body_start: body_start(body) })?;
    let unexpected = |problem: &str| Error::UnexpectedResponse {
        problem: problem.into(),
        body_start: body_start(body),
    };
    let Value::Object(root) = value else {
        return Err(unexpected("the answer is not a JSON object"));
    };
    if let Some(response) = root.get("Response") {
        return Err(envelope_error(response).ok_or_else(|| {
            unexpected(
                "an API 3.0 answer without an error; this client speaks API 2.0, so check endpoint",
            )
        })?);
    }
    match root.get("code") {
        None if root.contains_key("imageSet") => {}
        None => return Err(unexpected("there is no code field")),
        Some(code) => {
            let code = api_code(code)
                .ok_or_else(|| unexpected("code is neither a number nor a string"))?;
            if code != ApiCode::Numeric(0) {
                return Err(Error::Api(api_error_2_0(code, &root)));
            }
        }
    }
    parse_page(&root).map_err(|problem| unexpected(&problem))
}

fn parse_page(root: &Map<String, Value>) -> Result<Page, String> {
    parse_page_fields(root, ["totalCount", "imageSet"], parse_image)
}

/// A page from its count and image-list fields (named per API version), each image parsed by
/// `parse_image`; a missing or null list is an empty page.
pub(crate) fn parse_page_fields(
    root: &Map<String, Value>,
    [count_field, set_field]: [&str; 2],
    parse_image: fn(usize, &Value) -> Result<Image, String>,
) -> Result<Page, String> {
    let total_count = root.get(count_field).and_then(int).and_then(|n| u64::try_from(n).ok());
    let images = match root.get(set_field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .map(|(i, entry)| parse_image(i, entry))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(format!("{set_field} is not a list")),
    };
    Ok(Page { total_count, images })
}

fn parse_image(index: usize, entry: &Value) -> Result<Image, String> {
    let Value::Object(fields) = entry else {
        return Err(format!("imageSet[{index}] is not an object"));
    };
    let field = |names: &[&str]| names.iter().find_map(|name| fields.get(*name).and_then(text));
    let image_id = field(&["unImgId", "unImageId"])
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("imageSet[{index}] has no unImgId"))?;
    Ok(Image {
        image_id,
        image_name: field(&["imageName"]),
        image_description: field(&["imageDescription"]),
        image_type: fields.get("imageType").and_then(int),
        os_name: field(&["osName"]),
        create_time: field(&["createTime"]),
        creator: field(&["creator", "createor"]),
        status: fields.get("status").and_then(int),
        ..Image::default()
    })
}

/// The `Response.Error` of a 3.0 envelope, if there is one.
pub(crate) fn envelope_error(response: &Value) -> Option<Error> {
    let error = response.get("Error")?;
    let code = error.get("Code").and_then(api_code)?;
    Some(Error::Api(ApiError {
        code,
        code_desc: None,
        message: message_text(error.get("Message")),
        request_id: response.get("RequestId").and_then(text).map(|id| clean(&id, 100)),
    }))
}

fn api_error_2_0(code: ApiCode, root: &Map<String, Value>) -> ApiError {
    ApiError {
        code,
        code_desc: root.get("codeDesc").and_then(text).map(|d| clean(&d, 100)),
        message: message_text(root.get("message")),
        request_id: None,
    }
}

/// A code as sent: a number, or a string holding a number or a name.
fn api_code(value: &Value) -> Option<ApiCode> {
    if let Some(n) = int(value) {
        return Some(ApiCode::Numeric(n));
    }
    match value {
        Value::String(name) if !name.trim().is_empty() => {
            Some(ApiCode::Named(clean(name.trim(), 100)))
        }
        _ => None,
    }
}

fn message_text(value: Option<&Value>) -> String {
    value.and_then(text).map(|m| clean(&m, MESSAGE_CHARS)).unwrap_or_default()
}

/// A text field: strings as they are, numbers and booleans printed; anything else absent.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer field: a JSON integer, an integral float, or a string holding one.
pub(crate) fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Text the API sent, for a message: any `Signature=` or `Token=` it echoes redacted, control
/// characters made spaces, at most `limit` characters kept.
fn clean(text: &str, limit: usize) -> String {
    let text = redact_echoed_secrets(text);
    let mut out: String =
        text.chars().take(limit).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().nth(limit).is_some() {
        out.push('…');
    }
    out
}

/// The start of a body for an error message: at most [`BODY_QUOTE_CHARS`] characters, runs of
/// whitespace collapsed, and the values of any `Signature=` or `Token=` it echoes redacted.
pub fn body_start(body: &[u8]) -> String {
    let head = &body[..body.len().min(BODY_QUOTE_CHARS * 4 + 1024)];
    let text = redact_echoed_secrets(&String::from_utf8_lossy(head));
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let truncated = collapsed.chars().nth(BODY_QUOTE_CHARS).is_some() || head.len() < body.len();
    let mut out: String = collapsed.chars().take(BODY_QUOTE_CHARS).collect();
    if truncated {
        out.push('…');
    }
    out
}

/// A proxy's error page may echo the request URL: hide what a query's `Signature` and `Token`
/// carried.
fn redact_echoed_secrets(text: &str) -> String {
    let mut out = text.to_string();
    for name in ["Signature=", "Token="] {
        let mut from = 0;
        while let Some(found) = out[from..].find(name) {
            let start = from + found + name.len();
            let len = out[start..]
                .find(|c: char| c == '&' || c == '"' || c == '\'' || c == '<' || c.is_whitespace())
                .unwrap_or(out.len() - start);
            out.replace_range(start..start + len, "<redacted>");
            from = start + "<redacted>".len();
        }
    }
    out
}

#[cfg(test)]
mod tests;
