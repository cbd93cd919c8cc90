//! The conventional `timeouts { read = "..." }` block every data source takes: how long a read
//! may take in all, retries included.
//!
//! Pure: no I/O.

use std::time::Duration;

use crate::cty::{AttributePath, Type, Value};
use crate::diag::Diagnostic;
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Presence};

/// The block's name.
pub const TIMEOUTS: &str = "timeouts";
/// Its one attribute.
pub const READ: &str = "read";
/// How long a read may take when the block does not say.
pub const DEFAULT_READ: Duration = Duration::from_secs(60);

/// The block's schema.
pub fn block() -> NestedBlock {
    let read = Attribute::new(READ, Type::String, Presence::Optional, READ_DESCRIPTION);
    NestedBlock {
        type_name: TIMEOUTS.to_string(),
        nesting: Nesting::Single,
        block: Block {
            attributes: vec![read],
            block_types: Vec::new(),
            description: "Time budgets of this data source.".to_string(),
            deprecated: false,
        },
        min_items: 0,
        max_items: 0,
    }
}

const READ_DESCRIPTION: &str = "How long a read may take in all, retries included, as a duration \
such as `\"30s\"`, `\"2m\"` or `\"1h30m\"`. Defaults to `\"60s\"`. When it runs out the read fails, \
saying how many attempts reached the endpoint.";

/// The path of `timeouts.read`, where its problems are reported.
pub fn read_path() -> AttributePath {
    AttributePath::attr(TIMEOUTS).attribute(READ)
}

/// `timeouts.read` of a config: `Ok(None)` when unset or not known yet.
pub fn read_timeout(config: &Value) -> Result<Option<Duration>, Diagnostic> {
    match config.get_attr(TIMEOUTS).and_then(|block| block.get_attr(READ)) {
        Some(Value::String(text)) => parse_read(text).map(Some).map_err(|d| d.at(read_path())),
        Some(Value::Null | Value::Unknown) | None => Ok(None),
        Some(_) => {
            Err(Diagnostic::error("Invalid timeouts.read", "read must be a string.")
                .at(read_path()))
        }
    }
}

/// A Terraform duration (`"30s"`, `"2m"`, `"1h30m"`), more than zero.
pub fn parse_read(text: &str) -> Result<Duration, Diagnostic> {
    let invalid = |why: &str| {
        let shown: String = text.chars().take(64).collect();
        Diagnostic::error(
            "Invalid timeouts.read",
            format!(
                "{shown:?} {why}: give a duration such as \"30s\", \"2m\" or \"1h30m\" (units \
                 ns, us, ms, s, m, h)."
            ),
        )
    };
    let nanos =
        go_parse_duration::parse_duration(text.trim()).map_err(|_| invalid("is not a duration"))?;
    match u64::try_from(nanos) {
        Ok(nanos) if nanos > 0 => Ok(Duration::from_nanos(nanos)),
        _ => Err(invalid("is not longer than zero")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_durations_are_read() {
        let cases = [
            ("30s", Duration::from_secs(30)),
            ("2m", Duration::from_secs(120)),
            ("1h30m", Duration::from_secs(5400)),
            ("1.5s", Duration::from_millis(1500)),
            ("250ms", Duration::from_millis(250)),
            (" 5s ", Duration::from_secs(5)),
        ];
        for (text, duration) in cases {
            assert_eq!(parse_read(text).expect(text), duration, "{text}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_examples() {
        for bad in ["", "5", "five seconds", "-5s", "0s", "5 s", "1d"] {
            let error = parse_read(bad).expect_err(bad);
            assert!(error.detail.contains("\"30s\""), "{bad}: {}", error.detail);
        }
    }

    #[test]
    fn the_block_is_read_from_a_config() {
        let config = |read: Value| Value::object([(TIMEOUTS, Value::object([(READ, read)]))]);
        assert_eq!(read_timeout(&config("5s".into())), Ok(Some(Duration::from_secs(5))));
        assert_eq!(read_timeout(&config(Value::Null)), Ok(None));
        assert_eq!(read_timeout(&config(Value::Unknown)), Ok(None));
        assert_eq!(read_timeout(&Value::object([(TIMEOUTS, Value::Null)])), Ok(None));
        let error = read_timeout(&config("soon".into())).expect_err("not a duration");
        assert_eq!(error.attribute, Some(read_path()));
    }
}
