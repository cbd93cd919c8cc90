//! hclog-style JSON log lines on stderr, so Terraform's `TF_LOG_PROVIDER` shows them at their level.
//!
//! Terraform reads the provider's stderr line by line; a JSON object with `@level`, `@message`,
//! `@module` and `@timestamp` keeps its level. Other output would be logged at debug. The level
//! comes from `TF_LOG_PROVIDER`, else `TF_LOG`; unset means quiet. Never log secrets: settings and
//! credentials redact themselves in `Debug`, and no log line carries a signature or a key.
//!
//! The crates under the provider log too: reqwest, hyper-util and rustls through `log`, tonic
//! and h2 through `tracing` (whose `log` feature turns its events into `log` records while no
//! `tracing` subscriber is set, and none is). Their lines are the provider's log too, one level
//! down: their errors and warnings at debug, everything else only at trace. `tracing`'s span
//! enter/exit records carry nothing and are dropped. Their messages are relayed as written,
//! except Rust's `Option` forms, which read as plain values (`host=Some("x")` becomes `host=x`,
//! `None` becomes `none`).
//!
//! Must not depend on anything of Terraform or the API: it only writes lines.

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
        effective_level(metadata).is_some_and(|level| level <= self.level)
    }

    fn log(&self, record: &Record<'_>) {
        let Some(level) = effective_level(record.metadata()).filter(|l| *l <= self.level) else {
            return;
        };
        let message = record.args().to_string();
        let message = if is_own(record.target()) { message } else { plain_words(&message) };
        let line = format_line(level, record.target(), &message, OffsetDateTime::now_utc());
        // A failed write to stderr has nowhere else to go.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    fn flush(&self) {}
}

/// The level a record is written at: the provider's own at theirs; another crate's errors and
/// warnings at debug and the rest at trace; `None` for records that are never written
/// (`tracing`'s span enter/exit lines).
pub fn effective_level(metadata: &Metadata<'_>) -> Option<Level> {
    let target = metadata.target();
    if is_own(target) {
        return Some(metadata.level());
    }
    if target.starts_with("tracing::span") {
        return None;
    }
    Some(match metadata.level() {
        Level::Error | Level::Warn => Level::Debug,
        Level::Info | Level::Debug | Level::Trace => Level::Trace,
    })
}

/// Another crate's message with Rust's `Option` debug forms written as plain values:
/// `Some("x")` and `Some(x)` become `x` (however deep `x` nests), `None` becomes `none`.
pub fn plain_words(message: &str) -> String {
    let mut text = message.to_owned();
    while let Some(unwrapped) = unwrap_first_some(&text) {
        text = unwrapped;
    }
    replace_word(&text, "None", "none")
}

/// `text` with its first `Some(..)` replaced by what it holds (a quoted string loses its
/// quotes); `None` when there is no `Some(` with a closing parenthesis.
fn unwrap_first_some(text: &str) -> Option<String> {
    let start = text
        .match_indices("Some(")
        .map(|(at, _)| at)
        .find(|&at| !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))?;
    let open = start + "Some(".len();
    let mut depth = 1usize;
    let close = text[open..].char_indices().find_map(|(i, c)| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        (depth == 0).then_some(open + i)
    })?;
    let inner = &text[open..close];
    let inner = match inner.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) {
        Some(quoted) if !quoted.contains('"') => quoted,
        _ => inner,
    };
    Some(format!("{}{inner}{}", &text[..start], &text[close + 1..]))
}

/// `text` with each whole word `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        let whole = !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char);
        out.push_str(if whole { with } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether `target` is a module of the provider itself (the library or the binary).
fn is_own(target: &str) -> bool {
    ["qcloud_provider", "terraform_provider_qcloud"]
        .iter()
        .any(|own| target == *own || target.strip_prefix(own).is_some_and(|r| r.starts_with("::")))
}

/// One hclog JSON line (without the newline). `@module` is `qcloud.` and the provider module's
/// last name (`qcloud.client`), or the name of the crate another line comes from (`h2`).
pub fn format_line(level: Level, target: &str, message: &str, at: OffsetDateTime) -> String {
    let module = if is_own(target) {
        format!("qcloud.{}", target.rsplit("::").next().unwrap_or(target))
    } else {
        target.split("::").next().unwrap_or(target).to_owned()
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

    fn level_of(target: &str, level: Level) -> Option<Level> {
        effective_level(&Metadata::builder().target(target).level(level).build())
    }

    #[test]
    fn other_crates_log_one_level_down_errors_at_debug_chatter_at_trace() {
        let cases = [
            ("qcloud_provider::qcloud::client", Level::Warn, Some(Level::Warn)),
            ("qcloud_provider::tfplugin::service", Level::Debug, Some(Level::Debug)),
            ("terraform_provider_qcloud", Level::Error, Some(Level::Error)),
            ("h2::proto::connection", Level::Error, Some(Level::Debug)),
            ("hyper_util::client::legacy::connect::http", Level::Warn, Some(Level::Debug)),
            ("tonic::transport::server", Level::Info, Some(Level::Trace)),
            ("reqwest::connect", Level::Debug, Some(Level::Trace)),
            ("rustls::client::hs", Level::Trace, Some(Level::Trace)),
            ("qcloud_provider_fake::x", Level::Error, Some(Level::Debug)),
            ("tracing::span", Level::Trace, None),
            ("tracing::span::active", Level::Trace, None),
        ];
        for (target, level, want) in cases {
            assert_eq!(level_of(target, level), want, "{target} at {level}");
        }
    }

    #[test]
    fn option_forms_of_other_crates_read_as_plain_values() {
        let cases = [
            (
                r#"starting new connection 'Some("127.0.0.1")'"#,
                "starting new connection '127.0.0.1'",
            ),
            (
                r#"Http::connect; scheme=Some("https"), host=Some("x.test"), port=Some(Port(443))"#,
                "Http::connect; scheme=https, host=x.test, port=Port(443)",
            ),
            ("status None, total Some(38)", "status none, total 38"),
            ("Nonetheless SomeThing(1) IsSome(2)", "Nonetheless SomeThing(1) IsSome(2)"),
            (
                "frame=Some(Settings(Flags(Some(1)))), id None.",
                "frame=Settings(Flags(1)), id none.",
            ),
            ("unclosed Some(oops", "unclosed Some(oops"),
            ("nothing to change", "nothing to change"),
        ];
        for (message, want) in cases {
            assert_eq!(plain_words(message), want, "{message}");
        }
    }

    #[test]
    fn other_crates_lines_name_their_crate() {
        let at = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("valid timestamp");
        let line = format_line(Level::Debug, "h2::proto::connection", "connection error", at);
        let parsed: serde_json::Value = serde_json::from_str(&line).expect("one JSON object");
        assert_eq!(parsed["@module"], "h2");
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
