//! hclog-style JSON log lines on stderr, so Terraform's `TF_LOG_PROVIDER` shows them at their level.
//!
//! Terraform reads the provider's stderr line by line; a JSON object with `@level`, `@message`,
//! `@module` and `@timestamp` keeps its level. Other output would be logged at debug. The level
//! comes from `TF_LOG_PROVIDER`, else `TF_LOG`; unset means quiet. Never log secrets: settings and
//! credentials redact themselves in `Debug`, and no log line carries a signature or a key.

use std::io::Write as _;

use log::{Level, LevelFilter, Log, Metadata, Record};
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

/// The only `@timestamp` shape go-plugin accepts (Go layout `2006-01-02T15:04:05.000000Z07:00`):
/// exactly six fractional digits. Any other shape makes Terraform print the raw JSON at debug.
const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Installs the stderr logger at the level the environment asks for. Safe to call once per process.
pub fn init() {
    let level = level_from_env(|name| std::env::var(name).ok());
    if level == LevelFilter::Off {
        return;
    }
    if log::set_boxed_logger(Box::new(HclogLogger { level })).is_ok() {
        log::set_max_level(level);
    }
}

/// The level named by `TF_LOG_PROVIDER`, else `TF_LOG`; `Off` when neither names one.
pub fn level_from_env(env: impl Fn(&str) -> Option<String>) -> LevelFilter {
    ["TF_LOG_PROVIDER", "TF_LOG"]
        .into_iter()
        .find_map(|name| env(name).filter(|v| !v.trim().is_empty()))
        .map_or(LevelFilter::Off, |value| parse_level(&value))
}

fn parse_level(value: &str) -> LevelFilter {
    match value.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => LevelFilter::Trace,
        "DEBUG" => LevelFilter::Debug,
        "INFO" => LevelFilter::Info,
        "WARN" => LevelFilter::Warn,
        "ERROR" => LevelFilter::Error,
        "OFF" => LevelFilter::Off,
        // Terraform treats any other non-empty value as TRACE.
        _ => LevelFilter::Trace,
    }
}

/// Writes each record as one hclog JSON line on stderr.
struct HclogLogger {
    level: LevelFilter,
}

impl Log for HclogLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = format_line(
            record.level(),
            record.target(),
            &record.args().to_string(),
            OffsetDateTime::now_utc(),
        );
        // A failed write to stderr has nowhere else to go.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    fn flush(&self) {}
}

/// One hclog JSON line (without the newline).
pub fn format_line(level: Level, target: &str, message: &str, at: OffsetDateTime) -> String {
    let module = match target.rsplit("::").next() {
        Some(last) if target.starts_with("qcloud_provider") => format!("qcloud.{last}"),
        _ => format!("qcloud.{target}"),
    };
    let timestamp = at.to_offset(time::UtcOffset::UTC).format(TIMESTAMP).unwrap_or_default();
    serde_json::json!({
        "@level": level.as_str().to_ascii_lowercase(),
        "@message": message,
        "@module": module,
        "@timestamp": timestamp,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn level_comes_from_tf_log_provider_then_tf_log() {
        let cases: &[(&[(&str, &str)], LevelFilter)] = &[
            (&[], LevelFilter::Off),
            (&[("TF_LOG", "debug")], LevelFilter::Debug),
            (&[("TF_LOG_PROVIDER", "info"), ("TF_LOG", "trace")], LevelFilter::Info),
            (&[("TF_LOG_PROVIDER", ""), ("TF_LOG", "WARN")], LevelFilter::Warn),
            (&[("TF_LOG_PROVIDER", "error")], LevelFilter::Error),
            (&[("TF_LOG_PROVIDER", "off")], LevelFilter::Off),
            (&[("TF_LOG", "json")], LevelFilter::Trace),
            (&[("TF_LOG", "1")], LevelFilter::Trace),
        ];
        for (vars, expected) in cases {
            assert_eq!(level_from_env(env(vars)), *expected, "{vars:?}");
        }
    }

    #[test]
    fn line_has_the_hclog_keys() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid timestamp");
        let line = format_line(Level::Debug, "qcloud_provider::qcloud::client", "GET \"page\"", at);
        let parsed: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
        assert_eq!(parsed["@level"], "debug");
        assert_eq!(parsed["@message"], "GET \"page\"");
        assert_eq!(parsed["@module"], "qcloud.client");
        assert_eq!(parsed["@timestamp"], "2023-11-14T22:13:20.000000Z");
        assert!(!line.contains('\n'));
    }
}
