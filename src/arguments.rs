//! The provider block's arguments that can also come from the environment, and the variables
//! each falls back to, in order: the one place their names are spelled. Descriptions, settings
//! resolution and error hints all take them from here.
//!
//! Pure data: no values, no I/O.

/// A provider argument and its environment variables, first match wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argument {
    /// The provider-block argument, e.g. `secret_id`.
    pub name: &'static str,
    /// The environment variables read when the block leaves it unset.
    pub env: &'static [&'static str],
}

impl Argument {
    /// "the provider argument secret_id or QCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_ID".
    pub fn where_to_set(&self) -> String {
        format!("the provider argument {} or {}", self.name, self.env.join(" / "))
    }

    /// "`QCLOUD_SECRET_ID` environment variable, then `TENCENTCLOUD_SECRET_ID`", for docs.
    pub fn env_in_docs(&self) -> String {
        let quoted: Vec<String> = self.env.iter().map(|name| format!("`{name}`")).collect();
        match quoted.split_first() {
            Some((first, [])) => format!("the {first} environment variable"),
            Some((first, rest)) => {
                format!("the {first} environment variable, then {}", rest.join(", then "))
            }
            None => String::new(),
        }
    }

    /// The first environment variable, the one docs and hints name.
    pub fn main_env(&self) -> &'static str {
        self.env.first().copied().unwrap_or_default()
    }
}

pub const SECRET_ID: Argument =
    Argument { name: "secret_id", env: &["QCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_ID"] };
pub const SECRET_KEY: Argument =
    Argument { name: "secret_key", env: &["QCLOUD_SECRET_KEY", "TENCENTCLOUD_SECRET_KEY"] };
pub const SECURITY_TOKEN: Argument = Argument {
    name: "security_token",
    env: &["QCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"],
};
pub const REGION: Argument =
    Argument { name: "region", env: &["QCLOUD_REGION", "TENCENTCLOUD_REGION"] };
pub const ENDPOINT: Argument = Argument { name: "endpoint", env: &["QCLOUD_ENDPOINT"] };
pub const API_VERSION: Argument = Argument { name: "api_version", env: &["QCLOUD_API_VERSION"] };

/// Arguments without environment variables.
pub const SIGNATURE_METHOD: &str = "signature_method";
pub const MAX_RETRIES: &str = "max_retries";
pub const REQUEST_TIMEOUT: &str = "request_timeout";
pub const REQUESTS_PER_SECOND: &str = "requests_per_second";
pub const PAGE_CONCURRENCY: &str = "page_concurrency";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_and_hints_name_every_variable_in_order() {
        assert_eq!(
            SECRET_ID.env_in_docs(),
            "the `QCLOUD_SECRET_ID` environment variable, then `TENCENTCLOUD_SECRET_ID`"
        );
        assert_eq!(ENDPOINT.env_in_docs(), "the `QCLOUD_ENDPOINT` environment variable");
        assert_eq!(
            REGION.where_to_set(),
            "the provider argument region or QCLOUD_REGION / TENCENTCLOUD_REGION"
        );
        assert_eq!(SECURITY_TOKEN.main_env(), "QCLOUD_SECURITY_TOKEN");
    }
}
