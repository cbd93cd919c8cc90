//! API 3.0 errors: the codes the sandbox answers with (the API's documented names), each with
//! the 2.0 code of the same failure for the request log, and the error envelope.
//!
//! Must not depend on HTTP types or on the server.

/// A documented API 3.0 error code the sandbox answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `AuthFailure.InvalidAuthorization`: `Authorization` is malformed or does not sign
    /// `content-type` and `host`.
    InvalidAuthorization,
    /// `AuthFailure.SignatureFailure`: the signature does not match.
    SignatureFailure,
    /// `AuthFailure.SecretIdNotFound`: the `SecretId` is unknown.
    SecretIdNotFound,
    /// `AuthFailure.TokenFailure`: a temporary credential's token is missing or different.
    TokenFailure,
    /// `AuthFailure.SignatureExpire`: the timestamp is outside the window.
    SignatureExpire,
    /// `MissingParameter`: a required common parameter is missing.
    MissingParameter,
    /// `UnknownParameter`: a parameter the action does not define.
    UnknownParameter,
    /// `InvalidParameter`: a parameter has the wrong type or shape.
    InvalidParameter,
    /// `InvalidParameterValue`: a value out of its set (a region, an image type, an offset).
    InvalidParameterValue,
    /// `InvalidAction`: an action the endpoint does not serve.
    InvalidAction,
    /// `NoSuchVersion`: an API version the action does not have.
    NoSuchVersion,
    /// `InvalidParameter.InvalidParameterCoexistImageIdsFilters`: `ImageIds` with `Filters`.
    CoexistImageIdsFilters,
    /// `InvalidParameterValue.InvalidParameterValueLimit`: `Limit` outside 1-100.
    InvalidLimit,
    /// `InvalidParameterValue.LimitExceeded`: more than 10 `Filters` or 100 `ImageIds`.
    LimitExceeded,
    /// `InvalidFilter`: a filter name the action does not know.
    InvalidFilter,
    /// `InvalidFilterValue.LimitExceeded`: a filter with more than 5 values.
    FilterValueLimitExceeded,
    /// `InvalidImageId.Malformed`: an image id that is not `img-` and 8 letters or digits.
    MalformedImageId,
    /// `InvalidInstanceType.Malformed`: an `InstanceType` that is not `FAMILY.SIZE`.
    MalformedInstanceType,
    /// `InvalidParameterValue.InstanceTypeNotFound`: an instance type that does not exist.
    InstanceTypeNotFound,
    /// `InvalidParameterValue.InvalidImageFamily`: a malformed family name.
    InvalidImageFamily,
}

impl Code {
    /// Every code with its name and the 2.0 code of the same failure.
    const TABLE: [(Code, &'static str, i64); 20] = [
        (Code::InvalidAuthorization, "AuthFailure.InvalidAuthorization", 4100),
        (Code::SignatureFailure, "AuthFailure.SignatureFailure", 4100),
        (Code::SecretIdNotFound, "AuthFailure.SecretIdNotFound", 4104),
        (Code::TokenFailure, "AuthFailure.TokenFailure", 4105),
        (Code::SignatureExpire, "AuthFailure.SignatureExpire", 4500),
        (Code::MissingParameter, "MissingParameter", 4000),
        (Code::UnknownParameter, "UnknownParameter", 4000),
        (Code::InvalidParameter, "InvalidParameter", 4000),
        (Code::InvalidParameterValue, "InvalidParameterValue", 4000),
        (Code::InvalidAction, "InvalidAction", 6100),
        (Code::NoSuchVersion, "NoSuchVersion", 6100),
        (
            Code::CoexistImageIdsFilters,
            "InvalidParameter.InvalidParameterCoexistImageIdsFilters",
            4000,
        ),
        (Code::InvalidLimit, "InvalidParameterValue.InvalidParameterValueLimit", 4000),
        (Code::LimitExceeded, "InvalidParameterValue.LimitExceeded", 4000),
        (Code::InvalidFilter, "InvalidFilter", 4000),
        (Code::FilterValueLimitExceeded, "InvalidFilterValue.LimitExceeded", 4000),
        (Code::MalformedImageId, "InvalidImageId.Malformed", 4000),
        (Code::MalformedInstanceType, "InvalidInstanceType.Malformed", 4000),
        (Code::InstanceTypeNotFound, "InvalidParameterValue.InstanceTypeNotFound", 4000),
        (Code::InvalidImageFamily, "InvalidParameterValue.InvalidImageFamily", 4000),
    ];

    fn row(self) -> (Code, &'static str, i64) {
        Self::TABLE.into_iter().find(|row| row.0 == self).unwrap_or(Self::TABLE[0])
    }

    /// The code as the API spells it, e.g. `InvalidFilter`.
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// The 2.0 code of the same failure.
    pub fn code_2_0(self) -> i64 {
        self.row().2
    }
}

/// An API 3.0 error: its dotted code, message, and the 2.0 code recorded in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The 3.0 code, e.g. `AuthFailure.SignatureFailure`.
    pub code: String,
    /// What was wrong, for a person.
    pub message: String,
    /// The 2.0 code of the same failure, for the request log.
    pub code_2_0: i64,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code: code.name().to_owned(), message: message.into(), code_2_0: code.code_2_0() }
    }

    /// `InvalidParameter`: a parameter has the wrong type or shape.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidParameter, message)
    }

    /// `MissingParameter` for `name`.
    pub(crate) fn missing(name: &str) -> Self {
        Self::new(Code::MissingParameter, format!("the request is missing the parameter {name}"))
    }

    /// Whether this is the error `code`.
    pub fn is(&self, code: Code) -> bool {
        self.code == code.name()
    }

    /// The 3.0 error for a 2.0 code (used by `code=N` faults).
    pub fn from_code_2_0(code: i64, message: &str) -> Self {
        let name = match code {
            4000 => "InvalidParameter",
            4100 => "AuthFailure.SignatureFailure",
            4101..=4103 | 4110 | 4300 => "UnauthorizedOperation",
            4104 => "AuthFailure.SecretIdNotFound",
            4105 => "AuthFailure.TokenFailure",
            4200 | 4500 => "AuthFailure.SignatureExpire",
            4400 => "RequestLimitExceeded",
            4600 => "UnsupportedProtocol",
            5000 => "ResourceNotFound",
            6100 => "InvalidAction",
            6200 => "ServiceUnavailable",
            _ => "InternalError",
        };
        Self { code: name.to_owned(), message: message.to_owned(), code_2_0: code }
    }

    /// `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
    pub fn to_json(&self, request_id: &str) -> String {
        serde_json::json!({
            "Response": {
                "Error": { "Code": self.code, "Message": self.message },
                "RequestId": request_id,
            }
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_codes_map_to_3_0_names() {
        let cases = [
            (4400, "RequestLimitExceeded"),
            (6000, "InternalError"),
            (4100, "AuthFailure.SignatureFailure"),
            (4104, "AuthFailure.SecretIdNotFound"),
            (4500, "AuthFailure.SignatureExpire"),
            (6200, "ServiceUnavailable"),
        ];
        for (code, name) in cases {
            let error = Error::from_code_2_0(code, "m");
            assert_eq!((error.code.as_str(), error.code_2_0), (name, code));
        }
    }

    #[test]
    fn codes_are_spelled_as_documented() {
        let names: Vec<&str> = Code::TABLE.iter().map(|row| row.1).collect();
        for name in [
            "InvalidParameter.InvalidParameterCoexistImageIdsFilters",
            "InvalidParameterValue.InvalidParameterValueLimit",
            "InvalidFilter",
            "InvalidFilterValue.LimitExceeded",
            "InvalidInstanceType.Malformed",
            "InvalidParameterValue.InstanceTypeNotFound",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "each code once");
        let error = Error::new(Code::InvalidLimit, "m");
        assert!(error.is(Code::InvalidLimit) && !error.is(Code::LimitExceeded));
        assert_eq!(error.code_2_0, 4000);
    }

    #[test]
    fn error_body_is_the_3_0_envelope() {
        let json: serde_json::Value =
            serde_json::from_str(&Error::invalid("bad \"x\"").to_json("r-1")).expect("JSON");
        assert_eq!(json["Response"]["Error"]["Code"], "InvalidParameter");
        assert_eq!(json["Response"]["Error"]["Message"], "bad \"x\"");
        assert_eq!(json["Response"]["RequestId"], "r-1");
    }
}
