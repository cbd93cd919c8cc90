//! Lenient reading of the API's JSON, and quoting of what it sent in error messages.
//!
//! The API sends integers as strings, booleans as text and leaves fields out; these readers take
//! what they can and treat the rest as absent. Quoted text never carries a `Signature=` or
//! `Token=` value that an answer echoes.
//!
//! Must not depend on the transport or on Terraform types.

use serde_json::Value;

use super::Error;

/// An answer's body as JSON, or [`Error::NotJson`] quoting (a redacted start of) it.
pub fn parse_body(status: u16, body: &[u8]) -> Result<Value, Error> {
    serde_json::from_slice(body)
        .map_err(|_| Error::NotJson { status, body_start: body_start(body) })
}

/// How much of a body an error quotes, in characters.
pub const BODY_QUOTE_CHARS: usize = 200;
/// How much of an API error message is kept, in characters.
pub const MESSAGE_CHARS: usize = 500;

/// A text field: strings as they are, numbers and booleans printed; anything else absent.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer field: a JSON integer, an integral float, or a string holding one.
pub fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean field: JSON `true`/`false`, or the strings `"true"`/`"false"` in any case.
pub fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Text the API sent, for a message: any echoed `Signature=` or `Token=` value redacted,
/// control characters made spaces, at most `limit` characters kept (then `…`).
pub fn clean(text: &str, limit: usize) -> String {
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
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_are_read_leniently() {
        assert_eq!(int(&json!(" 3 ")), Some(3));
        assert_eq!(int(&json!(2.0)), Some(2));
        assert_eq!(int(&json!(2.5)), None);
        assert_eq!(int(&json!("n/a")), None);
        assert_eq!(text(&json!(1000)), Some("1000".into()));
        assert_eq!(text(&json!(null)), None);
        assert_eq!(boolean(&json!("TRUE")), Some(true));
        assert_eq!(boolean(&json!("no")), None);
    }

    #[test]
    fn messages_are_cleaned_and_bounded() {
        let long = "é".repeat(2000);
        let cleaned = clean(&format!("line1\nline2 {long}"), MESSAGE_CHARS);
        assert!(cleaned.starts_with("line1 line2 "));
        assert_eq!(cleaned.chars().count(), MESSAGE_CHARS + 1);
        assert!(cleaned.ends_with('…'));
    }

    #[test]
    fn body_start_redacts_an_echoed_signature_or_token() {
        let body = b"<p>Bad request: /v2/index.php?Action=DescribeImages&Signature=abc%2Bdef&Token=t0k&x=1</p>";
        let quoted = body_start(body);
        assert!(!quoted.contains("abc") && !quoted.contains("t0k"), "{quoted}");
        assert!(quoted.contains("Signature=<redacted>&Token=<redacted>&x=1"), "{quoted}");
    }

    #[test]
    fn body_start_collapses_whitespace_and_cuts_long_bodies() {
        let html = format!("<html>\n<head>{}</head></html>", "x".repeat(5000));
        let quoted = body_start(html.as_bytes());
        assert!(quoted.starts_with("<html> <head>xxx"), "{quoted}");
        assert_eq!(quoted.chars().count(), BODY_QUOTE_CHARS + 1);
        assert_eq!(body_start(b""), "");
    }
}
