//! The provider block: its schema, and its config → the API client's raw settings, with each
//! problem reported at its attribute path.
//!
//! Offline: the settings' own rules live in [`super::super::settings`]; this module only moves
//! values and names paths.

use crate::arguments::{self, Argument};
use crate::cty::{AttributePath, Type, Value};
use crate::diag::{Diagnostic, Diagnostics};
use crate::provider::settings::{RawSettings, SettingError};
use crate::schema::{Attribute, Block, Presence, Schema};

/// The provider block's schema.
pub fn schema() -> Schema {
    let attributes = SETTINGS
        .iter()
        .map(|setting| {
            let attribute = Attribute::new(
                setting.name,
                setting.ty(),
                Presence::Optional,
                &setting.description(),
            );
            if setting.sensitive { attribute.sensitive() } else { attribute }
        })
        .collect();
    Schema {
        version: 0,
        block: Block {
            attributes,
            block_types: Vec::new(),
            description: "Settings of the Tencent Cloud image API client. Every argument is \
                          optional: credentials and region can come from the environment, the \
                          rest has defaults. Credentials are needed only when a data source \
                          lists images."
                .to_string(),
            deprecated: false,
        },
    }
}

/// How much of the config must be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// ValidateProviderConfig: unknown values are skipped.
    Validate,
    /// ConfigureProvider: every value must be known.
    Configure,
}

/// The provider block's values as raw settings, and the names of the settings it set
/// (known and not null). Values of the wrong kind, and unknown values at configure time, are
/// reported at their path.
pub fn raw_settings(config: &Value, stage: Stage) -> (RawSettings, Vec<&'static str>, Diagnostics) {
    let mut raw = RawSettings::default();
    let mut set = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for setting in SETTINGS {
        let value = config.get_attr(setting.name).unwrap_or(&Value::Null);
        match value {
            Value::Null => {}
            Value::Unknown if stage == Stage::Validate => {}
            Value::Unknown => diagnostics.push(not_known(setting.name)),
            value => match setting.store(value, &mut raw) {
                Ok(()) => set.push(setting.name),
                Err(expected) => diagnostics.push(
                    Diagnostic::error(
                        format!("Invalid {}", setting.name),
                        format!("{} must be {expected}.", setting.name),
                    )
                    .at(AttributePath::attr(setting.name)),
                ),
            },
        }
    }
    (raw, set, diagnostics)
}

/// A setting error as a diagnostic, at the argument it names when that is a provider argument.
pub fn setting_diagnostic(error: &SettingError) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        format!("Invalid provider setting {}", error.setting),
        error.message.clone(),
    );
    if SETTINGS.iter().any(|s| s.name == error.setting) {
        diagnostic.at(AttributePath::attr(error.setting))
    } else {
        diagnostic
    }
}

fn not_known(name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{name} is not known yet"),
        format!(
            "The provider's {name} must be known when the provider is configured, but it comes \
             from a value that is only known after apply. Use a literal, a variable or an \
             environment variable instead, or apply the resource it comes from first \
             (terraform apply -target=...)."
        ),
    )
    .at(AttributePath::attr(name))
}

/// Where a setting's value goes in [`RawSettings`], which also says its kind.
#[derive(Clone, Copy)]
enum Slot {
    Text(fn(&mut RawSettings) -> &mut Option<String>),
    WholeNumber(fn(&mut RawSettings) -> &mut Option<i64>),
    Number(fn(&mut RawSettings) -> &mut Option<f64>),
}

/// One provider argument: its name, its environment variables, where it goes, its sensitivity
/// and description.
struct Setting {
    name: &'static str,
    env: Option<Argument>,
    slot: Slot,
    sensitive: bool,
    /// `{env}` stands for the environment variables, as [`Argument::env_in_docs`] names them.
    description: &'static str,
}

impl Setting {
    fn description(&self) -> String {
        match &self.env {
            Some(argument) => self.description.replace("{env}", &argument.env_in_docs()),
            None => self.description.to_string(),
        }
    }

    fn ty(&self) -> Type {
        match self.slot {
            Slot::Text(_) => Type::String,
            Slot::WholeNumber(_) | Slot::Number(_) => Type::Number,
        }
    }

    /// Stores a known value into `raw`; the error says what kind of value was expected.
    fn store(&self, value: &Value, raw: &mut RawSettings) -> Result<(), &'static str> {
        match self.slot {
            Slot::Text(slot) => *slot(raw) = Some(value.as_str().ok_or("a string")?.to_string()),
            Slot::WholeNumber(slot) => {
                *slot(raw) =
                    Some(value.as_number().and_then(|n| n.as_i64()).ok_or("a whole number")?);
            }
            Slot::Number(slot) => {
                *slot(raw) = Some(value.as_number().and_then(|n| n.as_f64()).ok_or("a number")?);
            }
        }
        Ok(())
    }
}

/// Every provider argument, in the order the docs show them.
const SETTINGS: [Setting; 11] = [
    Setting {
        name: arguments::SECRET_ID.name,
        env: Some(arguments::SECRET_ID),
        slot: Slot::Text(|raw| &mut raw.secret_id),
        sensitive: false,
        description: "The SecretId of a Tencent Cloud API key. Defaults to {env}. Needed only when \
                      a data source lists images.",
    },
    Setting {
        name: arguments::SECRET_KEY.name,
        env: Some(arguments::SECRET_KEY),
        slot: Slot::Text(|raw| &mut raw.secret_key),
        sensitive: true,
        description: "The SecretKey of the API key. Defaults to {env}. Never logged or shown.",
    },
    Setting {
        name: arguments::SECURITY_TOKEN.name,
        env: Some(arguments::SECURITY_TOKEN),
        slot: Slot::Text(|raw| &mut raw.security_token),
        sensitive: true,
        description: "The security token of temporary credentials (sent as `Token` under API \
                      2.0, as the `X-TC-Token` header under 3.0). Defaults to {env}; unset for \
                      permanent keys.",
    },
    Setting {
        name: arguments::REGION.name,
        env: Some(arguments::REGION),
        slot: Slot::Text(|raw| &mut raw.region),
        sensitive: false,
        description: "The region whose images are listed, e.g. `ap-guangzhou`. Defaults to {env}, \
                      then `ap-guangzhou`.",
    },
    Setting {
        name: arguments::ENDPOINT.name,
        env: Some(arguments::ENDPOINT),
        slot: Slot::Text(|raw| &mut raw.endpoint),
        sensitive: false,
        description: "The whole URL of the image API endpoint. Defaults to {env}, then \
                      `https://image.api.qcloud.com/v2/index.php` under API 2.0 and \
                      `https://cvm.tencentcloudapi.com` under API 3.0 (in the finance regions \
                      `ap-shanghai-fsi` and `ap-shenzhen-fsi`, their own \
                      `https://cvm.<region>.tencentcloudapi.com`).",
    },
    Setting {
        name: arguments::API_VERSION.name,
        env: Some(arguments::API_VERSION),
        slot: Slot::Text(|raw| &mut raw.api_version),
        sensitive: false,
        description: "Which Tencent Cloud API to speak: `\"2.0\"` (the default; `DescribeImages` \
                      of the image module, signed GET) or `\"3.0\"` (`DescribeImages` of CVM \
                      version 2017-03-12, TC3-HMAC-SHA256-signed JSON POST; the only one open \
                      to accounts created since 2023). Defaults to {env}, then `\"2.0\"`. Only API \
                      3.0 offers the `instance_type`, `platform` and `tags` filters, image \
                      families (`qcloud_image_from_family`) and the images' 3.0 attributes \
                      (`architecture`, `platform`, `snapshots`, `tags`, `image_family` and \
                      more).",
    },
    Setting {
        name: arguments::SIGNATURE_METHOD,
        env: None,
        slot: Slot::Text(|raw| &mut raw.signature_method),
        sensitive: false,
        description: "How API 2.0 requests are signed: `HmacSHA256` (the default) or \
                      `HmacSHA1`. API 3.0 always signs with TC3-HMAC-SHA256.",
    },
    Setting {
        name: arguments::MAX_RETRIES,
        env: None,
        slot: Slot::WholeNumber(|raw| &mut raw.max_retries),
        sensitive: false,
        description: "How many times a request that failed for a passing reason (throttling, \
                      a server error, a dropped connection) is retried, from `0` to `20`. \
                      Defaults to `5`. An endpoint that does not answer at all is retried at \
                      most twice.",
    },
    Setting {
        name: arguments::REQUEST_TIMEOUT,
        env: None,
        slot: Slot::WholeNumber(|raw| &mut raw.request_timeout),
        sensitive: false,
        description: "How long one request may take, in seconds, from `1` to `3600`. Defaults \
                      to `30`. A whole read also has a budget, `timeouts { read = ... }` on \
                      each data source (60 seconds by default).",
    },
    Setting {
        name: arguments::REQUESTS_PER_SECOND,
        env: None,
        slot: Slot::Number(|raw| &mut raw.requests_per_second),
        sensitive: false,
        description: "Client-side rate limit on API requests, per second, from `0.01` to \
                      `1000`. Defaults to `10`, the API's documented limit.",
    },
    Setting {
        name: arguments::PAGE_CONCURRENCY,
        env: None,
        slot: Slot::WholeNumber(|raw| &mut raw.page_concurrency),
        sensitive: false,
        description: "How many pages of a listing are fetched at once, from `1` to `64`. \
                      Defaults to `4`.",
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cty::Number;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut attributes: BTreeMap<String, Value> =
            SETTINGS.iter().map(|s| (s.name.to_string(), Value::Null)).collect();
        for (name, value) in pairs {
            attributes.insert(name.to_string(), value.clone());
        }
        Value::Object(attributes)
    }

    #[test]
    fn schema_lists_every_setting_optional_with_env_variables_and_defaults() {
        let schema = schema();
        let cases = [
            ("secret_id", Type::String, false, "QCLOUD_SECRET_ID"),
            ("secret_key", Type::String, true, "QCLOUD_SECRET_KEY"),
            ("security_token", Type::String, true, "QCLOUD_SECURITY_TOKEN"),
            ("region", Type::String, false, "`ap-guangzhou`"),
            ("endpoint", Type::String, false, "QCLOUD_ENDPOINT"),
            ("signature_method", Type::String, false, "`HmacSHA256` (the default)"),
            ("max_retries", Type::Number, false, "`5`"),
            ("request_timeout", Type::Number, false, "`30`"),
            ("requests_per_second", Type::Number, false, "`10`"),
            ("page_concurrency", Type::Number, false, "`4`"),
            ("api_version", Type::String, false, "QCLOUD_API_VERSION"),
        ];
        assert_eq!(schema.block.attributes.len(), cases.len());
        for (name, ty, sensitive, mentions) in cases {
            let attribute =
                schema.block.attributes.iter().find(|a| a.name == name).expect("in schema");
            assert_eq!(attribute.ty, crate::schema::AttributeType::Cty(ty), "{name}");
            assert_eq!(attribute.presence, Presence::Optional, "{name}");
            assert_eq!(attribute.sensitive, sensitive, "{name}");
            assert!(attribute.description.contains(mentions), "{name}: {}", attribute.description);
        }
    }

    #[test]
    fn known_values_become_raw_settings() {
        let config = config(&[
            ("secret_id", "AKIDexample".into()),
            ("secret_key", "key".into()),
            ("security_token", "token".into()),
            ("region", "ap-shanghai".into()),
            ("endpoint", "http://127.0.0.1:1/v2/index.php".into()),
            ("signature_method", "HmacSHA1".into()),
            ("max_retries", 3.into()),
            ("request_timeout", Value::Number(Number::Float(12.0))),
            ("requests_per_second", Value::Number(Number::Float(2.5))),
            ("page_concurrency", 8.into()),
        ]);
        let (raw, set, diagnostics) = raw_settings(&config, Stage::Configure);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(set.len(), 10);
        assert_eq!(raw.secret_id.as_deref(), Some("AKIDexample"));
        assert_eq!(raw.secret_key.as_deref(), Some("key"));
        assert_eq!(raw.security_token.as_deref(), Some("token"));
        assert_eq!(raw.region.as_deref(), Some("ap-shanghai"));
        assert_eq!(raw.endpoint.as_deref(), Some("http://127.0.0.1:1/v2/index.php"));
        assert_eq!(raw.signature_method.as_deref(), Some("HmacSHA1"));
        assert_eq!(raw.max_retries, Some(3));
        assert_eq!(raw.request_timeout, Some(12));
        assert_eq!(raw.requests_per_second, Some(2.5));
        assert_eq!(raw.page_concurrency, Some(8));
    }

    #[test]
    fn unset_values_stay_unset() {
        let (raw, set, diagnostics) = raw_settings(&config(&[]), Stage::Configure);
        assert!(diagnostics.is_empty() && set.is_empty());
        assert!(raw.region.is_none() && raw.max_retries.is_none());
    }

    #[test]
    fn unknown_values_are_skipped_at_validation_and_refused_at_configure() {
        let config = config(&[("region", Value::Unknown), ("max_retries", Value::Unknown)]);
        let (raw, set, diagnostics) = raw_settings(&config, Stage::Validate);
        assert!(diagnostics.is_empty() && set.is_empty() && raw.region.is_none());
        let (_, _, diagnostics) = raw_settings(&config, Stage::Configure);
        let paths: Vec<String> = diagnostics
            .0
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(|p| p.to_string()))
            .collect();
        assert_eq!(paths, ["region", "max_retries"]);
        assert!(diagnostics.0.iter().all(|d| d.detail.contains("must be known")));
    }

    #[test]
    fn values_of_the_wrong_kind_are_reported_at_their_path() {
        let cases = [
            ("max_retries", Value::Number(Number::Float(2.5)), "a whole number"),
            ("page_concurrency", Value::Number(Number::Decimal("1e40".into())), "a whole number"),
            ("region", 5.into(), "a string"),
            ("requests_per_second", "fast".into(), "a number"),
        ];
        for (name, value, expected) in cases {
            let (_, set, diagnostics) = raw_settings(&config(&[(name, value)]), Stage::Validate);
            assert!(set.is_empty());
            assert_eq!(diagnostics.0.len(), 1, "{name}");
            assert_eq!(diagnostics.0[0].attribute, Some(AttributePath::attr(name)));
            assert!(diagnostics.0[0].detail.contains(expected), "{name}");
        }
    }

    #[test]
    fn setting_errors_point_at_their_argument() {
        let cases = [
            ("max_retries", Some("max_retries")),
            ("region", Some("region")),
            ("credentials", None),
        ];
        for (setting, path) in cases {
            let error = SettingError { setting, message: "bad value".into() };
            let diagnostic = setting_diagnostic(&error);
            assert_eq!(diagnostic.attribute, path.map(AttributePath::attr), "{setting}");
            assert_eq!(diagnostic.detail, "bad value");
        }
    }
}
