//! The API's `createTime`: `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8), with no zone.
//!
//! Pure text and time handling: no Terraform values, no API client.

use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Parses an API create time as Beijing time; `None` when it does not have the API's shape.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text.trim(), format).ok().map(|t| t.assume_offset(offset!(+8)))
}

/// The create time as state shows it: RFC 3339 with `+08:00`, the raw text when it cannot be
/// parsed, `None` when it is missing or blank.
pub fn display(raw: Option<&str>) -> Option<String> {
    let raw = raw.filter(|text| !text.trim().is_empty())?;
    Some(parse(raw).and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_else(|| raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_cases() {
        let cases = [
            (Some("2014-09-27 10:11:00"), Some("2014-09-27T10:11:00+08:00")),
            (Some(" 2020-02-29 23:59:59 "), Some("2020-02-29T23:59:59+08:00")),
            (Some("2014-09-27T10:11:00Z"), Some("2014-09-27T10:11:00Z")),
            (Some("2019-02-30 00:00:00"), Some("2019-02-30 00:00:00")),
            (Some("yesterday"), Some("yesterday")),
            (Some(""), None),
            (Some("   "), None),
            (None, None),
        ];
        for (raw, shown) in cases {
            assert_eq!(display(raw).as_deref(), shown, "{raw:?}");
        }
    }

    #[test]
    fn parse_reads_beijing_time() {
        let parsed = parse("2014-09-27 10:11:00").expect("valid");
        assert_eq!(parsed.unix_timestamp(), 1_411_783_860);
        assert_eq!(parse("2014-09-27"), None);
    }
}
