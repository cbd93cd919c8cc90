//! Fault injection: rules that pick requests ([`FaultWhen`]) and say what goes wrong with the
//! answer ([`FaultKind`]). Tests build rules in code; the binary parses them from text:
//!
//! ```text
//! WHEN[,times=T]:KIND
//! WHEN: request=N | offset=N | first=K | every
//! KIND: http=STATUS | code=CODE[/MESSAGE] | slow=MS | malformed-json | html[=STATUS]
//!     | empty-body | truncated | close | reset | total=+N | total=-N | add-image | remove-image
//! ```
//!
//! For example `request=2:http=500`, `offset=100,times=1:code=4400`, `first=3:reset`.
//! Requests are numbered from 1 in the order they arrive; `offset` is the request's `offset`
//! parameter (0 when absent). For each request the first rule that matches and still has
//! firings left fires, and only that one.
//!
//! Must not depend on HTTP types or on the server.

use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The longest `slow=MS` delay accepted: ten minutes.
pub const MAX_SLOW: Duration = Duration::from_secs(600);

/// Which requests a rule picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultWhen {
    /// The Nth request (from 1), counting every request to the API path.
    Request(u64),
    /// Every request whose `offset` parameter is this (0 when absent).
    Offset(u64),
    /// Requests 1 to K.
    FirstRequests(u64),
    /// Every request.
    Every,
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// An HTTP error status (400-599) with a short text body.
    HttpStatus(u16),
    /// An API error in the 2.0 shape, HTTP 200: `code`, and `message` or the code's default.
    ApiError {
        /// The 2.0 code (not 0).
        code: i64,
        /// The message; `None` sends the code's default.
        message: Option<String>,
    },
    /// The answer, but only after this delay (added to the latency).
    Slow(Duration),
    /// HTTP 200 with a body that is not JSON.
    MalformedJson,
    /// An HTML error page with this HTTP status, as a proxy would send.
    HtmlPage(u16),
    /// HTTP 200 with an empty body.
    EmptyBody,
    /// The answer's headers and half its body; `Content-Length` promises all of it, then the
    /// connection is closed.
    TruncatedBody,
    /// The connection is closed (FIN) without an answer.
    CloseConnection,
    /// The connection is reset (RST) without an answer.
    ResetConnection,
    /// The answer with `totalCount` off by this much (never below 0).
    WrongTotalCount(i64),
    /// Before answering, a new image of the requested type appears first in the catalog, so
    /// later pages shift forward by one.
    AddImage,
    /// Before answering, the first image the request matches disappears, so later pages shift
    /// back by one.
    RemoveImage,
}

impl FaultKind {
    /// Whether the request is still answered normally, with this change.
    pub fn keeps_answer(&self) -> bool {
        matches!(
            self,
            FaultKind::Slow(_)
                | FaultKind::WrongTotalCount(_)
                | FaultKind::AddImage
                | FaultKind::RemoveImage
        )
    }
}

/// A fault and the requests it hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Which requests.
    pub when: FaultWhen,
    /// How often at most it fires (`None`: every time it matches).
    pub times: Option<u32>,
    /// What goes wrong.
    pub kind: FaultKind,
}

impl FaultRule {
    /// A rule that fires whenever `when` matches.
    pub fn new(when: FaultWhen, kind: FaultKind) -> Self {
        Self { when, times: None, kind }
    }

    /// On the Nth request (from 1).
    pub fn on_request(n: u64, kind: FaultKind) -> Self {
        Self::new(FaultWhen::Request(n), kind)
    }

    /// On requests for this `offset`.
    pub fn at_offset(offset: u64, kind: FaultKind) -> Self {
        Self::new(FaultWhen::Offset(offset), kind)
    }

    /// On requests 1 to `k`.
    pub fn first(k: u64, kind: FaultKind) -> Self {
        Self::new(FaultWhen::FirstRequests(k), kind)
    }

    /// On every request.
    pub fn every(kind: FaultKind) -> Self {
        Self::new(FaultWhen::Every, kind)
    }

    /// The same rule, firing at most `times` times.
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// Whether the rule picks request `number` whose `offset` parameter is `offset`.
    pub fn picks(&self, number: u64, offset: Option<u64>) -> bool {
        match self.when {
            FaultWhen::Request(n) => number == n,
            FaultWhen::Offset(o) => offset == Some(o),
            FaultWhen::FirstRequests(k) => number <= k,
            FaultWhen::Every => true,
        }
    }
}

/// The rules of one sandbox and how often each has fired.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    rules: Vec<FaultRule>,
    fired: Mutex<Vec<u32>>,
}

impl FaultPlan {
    pub(crate) fn new(rules: Vec<FaultRule>) -> Self {
        let fired = Mutex::new(vec![0; rules.len()]);
        Self { rules, fired }
    }

    /// The fault for request `number` (with its `offset` parameter), if a rule fires.
    pub(crate) fn fire(&self, number: u64, offset: Option<u64>) -> Option<FaultKind> {
        let mut fired = self.fired.lock().unwrap_or_else(PoisonError::into_inner);
        for (rule, count) in self.rules.iter().zip(fired.iter_mut()) {
            let left = rule.times.is_none_or(|times| *count < times);
            if left && rule.picks(number, offset) {
                *count = count.saturating_add(1);
                return Some(rule.kind.clone());
            }
        }
        None
    }
}

/// A fault spec that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid fault {spec:?}: {reason}. Expected WHEN[,times=T]:KIND, e.g. request=2:http=500; \
     WHEN is request=N, offset=N, first=K or every; KIND is http=STATUS, code=CODE[/MESSAGE], \
     slow=MS, malformed-json, html[=STATUS], empty-body, truncated, close, reset, total=+N, \
     total=-N, add-image or remove-image"
)]
pub struct FaultSpecError {
    /// The spec as given.
    pub spec: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for FaultRule {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| FaultSpecError { spec: spec.to_owned(), reason };
        let (when, kind) = spec
            .split_once(':')
            .ok_or_else(|| error("there is no ':' between WHEN and KIND".into()))?;
        let (when, times) = parse_when(when.trim()).map_err(error)?;
        let kind = parse_kind(kind.trim()).map_err(error)?;
        Ok(FaultRule { when, times, kind })
    }
}

fn number<T: FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("{what} {text:?} is not a number"))
}

fn parse_when(text: &str) -> Result<(FaultWhen, Option<u32>), String> {
    let (when, times) = match text.split_once(',') {
        Some((when, times)) => {
            let count = times.trim().strip_prefix("times=").ok_or("after ',' expected times=T")?;
            (when.trim(), Some(number::<u32>(count, "times")?))
        }
        None => (text, None),
    };
    let when = match when.split_once('=').map(|(name, value)| (name.trim(), value)) {
        Some(("request", n)) => FaultWhen::Request(number(n, "request")?),
        Some(("offset", n)) => FaultWhen::Offset(number(n, "offset")?),
        Some(("first", n)) => FaultWhen::FirstRequests(number(n, "first")?),
        None if when == "every" => FaultWhen::Every,
        _ => return Err(format!("unknown WHEN {when:?}")),
    };
    if when == FaultWhen::Request(0) {
        return Err("requests are numbered from 1".into());
    }
    Ok((when, times))
}

fn parse_kind(text: &str) -> Result<FaultKind, String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name.trim(), Some(value)),
        None => (text, None),
    };
    let kind = match (name, value) {
        ("http", Some(status)) => FaultKind::HttpStatus(status_in(status, 400)?),
        ("code", Some(code)) => api_error(code)?,
        ("slow", Some(ms)) => FaultKind::Slow(slow(ms)?),
        ("malformed-json", None) => FaultKind::MalformedJson,
        ("html", None) => FaultKind::HtmlPage(502),
        ("html", Some(status)) => FaultKind::HtmlPage(status_in(status, 200)?),
        ("empty-body", None) => FaultKind::EmptyBody,
        ("truncated", None) => FaultKind::TruncatedBody,
        ("close", None) => FaultKind::CloseConnection,
        ("reset", None) => FaultKind::ResetConnection,
        ("total", Some(delta)) => FaultKind::WrongTotalCount(total_delta(delta)?),
        ("add-image", None) => FaultKind::AddImage,
        ("remove-image", None) => FaultKind::RemoveImage,
        _ => return Err(format!("unknown KIND {text:?}")),
    };
    Ok(kind)
}

fn status_in(text: &str, lowest: u16) -> Result<u16, String> {
    let status: u16 = number(text, "HTTP status")?;
    if (lowest..=599).contains(&status) {
        Ok(status)
    } else {
        Err(format!("HTTP status {status} is not between {lowest} and 599"))
    }
}

fn api_error(text: &str) -> Result<FaultKind, String> {
    let (code, message) = match text.split_once('/') {
        Some((code, message)) => (code, Some(message.to_owned())),
        None => (text, None),
    };
    let code: i64 = number(code, "code")?;
    if code == 0 {
        return Err("code 0 means success, not an error".into());
    }
    Ok(FaultKind::ApiError { code, message })
}

fn slow(text: &str) -> Result<Duration, String> {
    let delay = Duration::from_millis(number(text, "slow")?);
    if delay > MAX_SLOW {
        return Err(format!("slow={text} is longer than {} ms", MAX_SLOW.as_millis()));
    }
    Ok(delay)
}

fn total_delta(text: &str) -> Result<i64, String> {
    if !text.starts_with(['+', '-']) {
        return Err(format!("total={text} needs a sign: total=+N or total=-N"));
    }
    let delta: i64 = number(text, "total")?;
    if delta == 0 {
        return Err("total=+0 changes nothing".into());
    }
    Ok(delta)
}

impl fmt::Display for FaultWhen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultWhen::Request(n) => write!(f, "request={n}"),
            FaultWhen::Offset(o) => write!(f, "offset={o}"),
            FaultWhen::FirstRequests(k) => write!(f, "first={k}"),
            FaultWhen::Every => f.write_str("every"),
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::HttpStatus(status) => write!(f, "http={status}"),
            FaultKind::ApiError { code, message: None } => write!(f, "code={code}"),
            FaultKind::ApiError { code, message: Some(m) } => write!(f, "code={code}/{m}"),
            FaultKind::Slow(delay) => write!(f, "slow={}", delay.as_millis()),
            FaultKind::MalformedJson => f.write_str("malformed-json"),
            FaultKind::HtmlPage(status) => write!(f, "html={status}"),
            FaultKind::EmptyBody => f.write_str("empty-body"),
            FaultKind::TruncatedBody => f.write_str("truncated"),
            FaultKind::CloseConnection => f.write_str("close"),
            FaultKind::ResetConnection => f.write_str("reset"),
            FaultKind::WrongTotalCount(delta) => write!(f, "total={delta:+}"),
            FaultKind::AddImage => f.write_str("add-image"),
            FaultKind::RemoveImage => f.write_str("remove-image"),
        }
    }
}

impl fmt::Display for FaultRule {
    /// The rule as a spec that parses back to it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.times {
            Some(times) => write!(f, "{},times={times}:{}", self.when, self.kind),
            None => write!(f, "{}:{}", self.when, self.kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_prints_it_back() {
        let cases = [
            ("request=2:http=500", FaultRule::on_request(2, FaultKind::HttpStatus(500))),
            ("first=3:http=429", FaultRule::first(3, FaultKind::HttpStatus(429))),
            (
                "offset=100,times=1:code=4400",
                FaultRule::at_offset(100, FaultKind::ApiError { code: 4400, message: None })
                    .times(1),
            ),
            (
                "every:code=6000/backend: down",
                FaultRule::every(FaultKind::ApiError {
                    code: 6000,
                    message: Some("backend: down".into()),
                }),
            ),
            (
                "request=1:slow=1500",
                FaultRule::on_request(1, FaultKind::Slow(Duration::from_millis(1500))),
            ),
            ("request=1:malformed-json", FaultRule::on_request(1, FaultKind::MalformedJson)),
            ("request=1:html=200", FaultRule::on_request(1, FaultKind::HtmlPage(200))),
            ("request=1:empty-body", FaultRule::on_request(1, FaultKind::EmptyBody)),
            ("request=1:truncated", FaultRule::on_request(1, FaultKind::TruncatedBody)),
            ("request=1:close", FaultRule::on_request(1, FaultKind::CloseConnection)),
            ("request=1:reset", FaultRule::on_request(1, FaultKind::ResetConnection)),
            ("request=1:total=+5", FaultRule::on_request(1, FaultKind::WrongTotalCount(5))),
            ("request=1:total=-3", FaultRule::on_request(1, FaultKind::WrongTotalCount(-3))),
            ("request=2:add-image", FaultRule::on_request(2, FaultKind::AddImage)),
            ("request=2:remove-image", FaultRule::on_request(2, FaultKind::RemoveImage)),
        ];
        for (spec, rule) in cases {
            assert_eq!(spec.parse::<FaultRule>().as_ref(), Ok(&rule), "{spec}");
            assert_eq!(rule.to_string().parse::<FaultRule>(), Ok(rule.clone()), "{spec}");
        }
        assert_eq!(
            "request=1:html".parse::<FaultRule>().map(|r| r.kind),
            Ok(FaultKind::HtmlPage(502))
        );
        assert_eq!(
            " request = 4 : http=503 ".parse::<FaultRule>().map(|r| r.when),
            Ok(FaultWhen::Request(4))
        );
    }

    #[test]
    fn refuses_bad_specs_with_a_reason() {
        let cases = [
            ("request=2", "no ':'"),
            ("request=0:http=500", "numbered from 1"),
            ("sometimes:http=500", "unknown WHEN"),
            ("request=x:http=500", "request \"x\" is not a number"),
            ("request=1,twice:http=500", "times=T"),
            ("request=1:http=200", "not between 400 and 599"),
            ("request=1:html=700", "not between 200 and 599"),
            ("request=1:code=0", "code 0 means success"),
            ("request=1:slow=9999999", "longer than"),
            ("request=1:total=5", "needs a sign"),
            ("request=1:total=+0", "changes nothing"),
            ("request=1:explode", "unknown KIND"),
            ("request=1:close=1", "unknown KIND"),
        ];
        for (spec, reason) in cases {
            let err = spec.parse::<FaultRule>().expect_err(spec);
            assert!(err.reason.contains(reason), "{spec}: {}", err.reason);
            assert!(err.to_string().contains("e.g. request=2:http=500"));
        }
    }

    #[test]
    fn picks_requests() {
        let kind = FaultKind::EmptyBody;
        let cases: &[(FaultRule, u64, Option<u64>, bool)] = &[
            (FaultRule::on_request(3, kind.clone()), 3, Some(0), true),
            (FaultRule::on_request(3, kind.clone()), 4, Some(0), false),
            (FaultRule::at_offset(100, kind.clone()), 9, Some(100), true),
            (FaultRule::at_offset(100, kind.clone()), 9, Some(0), false),
            (FaultRule::at_offset(100, kind.clone()), 9, None, false),
            (FaultRule::first(2, kind.clone()), 2, None, true),
            (FaultRule::first(2, kind.clone()), 3, None, false),
            (FaultRule::every(kind.clone()), 12345, None, true),
        ];
        for (rule, number, offset, want) in cases {
            assert_eq!(
                rule.picks(*number, *offset),
                *want,
                "{rule} on #{number} offset {offset:?}"
            );
        }
    }

    #[test]
    fn plan_fires_the_first_matching_rule_within_its_budget() {
        let plan = FaultPlan::new(vec![
            FaultRule::at_offset(20, FaultKind::HttpStatus(500)).times(2),
            FaultRule::every(FaultKind::Slow(Duration::from_millis(5))).times(1),
        ]);
        let fired: Vec<Option<FaultKind>> =
            [(1, Some(20)), (2, Some(0)), (3, Some(20)), (4, Some(20)), (5, Some(0))]
                .into_iter()
                .map(|(n, offset)| plan.fire(n, offset))
                .collect();
        assert_eq!(
            fired,
            vec![
                Some(FaultKind::HttpStatus(500)),
                Some(FaultKind::Slow(Duration::from_millis(5))),
                Some(FaultKind::HttpStatus(500)),
                None,
                None,
            ]
        );
        assert!(FaultPlan::default().fire(1, None).is_none());
    }

    #[test]
    fn only_slow_and_answer_changes_keep_the_answer() {
        assert!(FaultKind::Slow(Duration::ZERO).keeps_answer());
        assert!(FaultKind::WrongTotalCount(1).keeps_answer());
        assert!(FaultKind::AddImage.keeps_answer() && FaultKind::RemoveImage.keeps_answer());
        assert!(!FaultKind::HttpStatus(500).keeps_answer());
        assert!(!FaultKind::TruncatedBody.keeps_answer());
    }
}
