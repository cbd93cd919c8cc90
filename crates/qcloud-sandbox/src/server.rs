//! The HTTP server: accepts connections on a listener the caller provides, answers
//! `DescribeImages` on `/v2/index.php` (API 2.0: GET with a query string, POST with a form body)
//! and `DescribeImages` and `DescribeImageFromFamily` on `/` (API 3.0: a TC3 POST of JSON or
//! GET, or signature v1 in a query string or form), keeps a log of the requests it received,
//! and injects the configured latency and faults. JSON answers are sent with
//! `Content-Type: application/json`, exactly as the API sends them (an official SDK reads an
//! error envelope only under that type).
//!
//! Connections are served by hyper directly (not `axum::serve`) so that a fault can close or
//! reset a connection without answering; routing and extraction are axum's.
//!
//! A request is handled in this order: it is numbered and its parameters parsed; the fault plan
//! picks a fault (before any check, so a fault fires whatever the request holds); the latency
//! (plus any `slow` delay) passes; then either the fault replaces the answer, or the request is
//! authenticated, its action and parameters validated, and the page selected (after any change
//! a `total`, `add-image` or `remove-image` fault makes). Requests refused by a fault that
//! replaces the answer use up no nonce.
//!
//! The only module that sees HTTP types.

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::task::Poll;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::auth::Authenticator;
use crate::catalog::{
    Catalog, CatalogImage, ImageAttributes, Page, format_create_time, synthetic_id,
};
use crate::config::{SandboxClock, SandboxConfig};
use crate::connection::{self, ConnectionStats};
use crate::fault::{FaultKind, FaultPlan};
use crate::model::ImageStatus;
use crate::region::Regions;
use crate::tls::{SandboxTls, TlsError};
use crate::v2::response::{self, Error};
use crate::v2::{Params, RequestLine};
use crate::{API_PATH, API_PATH_3_0, v2, v3};

/// How many request records are kept; older ones are dropped (the count stays exact).
pub const MAX_RECORDS: usize = 100_000;
/// How long shutdown waits for requests in flight before closing their connections.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Seed of the ids of images that appear during a listing (`add-image`).
const ADDED_IMAGE_SEED: u64 = 0xADD;
/// The `Content-Type` of every JSON answer, exactly as the API sends it.
pub const JSON_CONTENT_TYPE: &str = "application/json";
/// How long a truncated body waits, after its half, before the connection is dropped.
const TRUNCATION_FLUSH: Duration = Duration::from_millis(100);

/// One request the sandbox received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The request's number, from 1, in the order requests arrived.
    pub number: u64,
    /// When it arrived.
    pub received_at: SystemTime,
    /// `GET` or `POST`.
    pub method: String,
    /// Its parameters, without `Signature`; a `Token` value is shown as `<redacted>`.
    pub params: BTreeMap<String, String>,
    /// The fault injected, if any.
    pub fault: Option<FaultKind>,
    /// The API `code` answered; `None` when the answer carries none (HTTP error, broken body,
    /// no answer).
    pub code: Option<i64>,
}

/// Starts sandboxes.
pub struct Sandbox;

/// A running sandbox. Dropping it stops the server too.
pub struct SandboxHandle {
    state: Arc<SandboxState>,
    stats: Arc<ConnectionStats>,
    address: SocketAddr,
    scheme: &'static str,
    stop: CancellationToken,
    task: Option<tokio::task::JoinHandle<io::Result<()>>>,
}

impl Sandbox {
    /// Serves `config` on `listener` until `shutdown` completes; then stops accepting, lets
    /// requests in flight finish (at most 5 s), and returns.
    pub async fn serve(
        listener: TcpListener,
        config: SandboxConfig,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        Self::serve_with(listener, config, None, shutdown).await
    }

    /// [`Sandbox::serve`] over HTTPS with `tls`'s certificate.
    pub async fn serve_tls(
        listener: TcpListener,
        config: SandboxConfig,
        tls: &SandboxTls,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let acceptor = acceptor(tls).map_err(io::Error::other)?;
        Self::serve_with(listener, config, Some(acceptor), shutdown).await
    }

    async fn serve_with(
        listener: TcpListener,
        config: SandboxConfig,
        tls: Option<TlsAcceptor>,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let stop = CancellationToken::new();
        let state = Arc::new(SandboxState::new(config));
        let stats = Arc::default();
        let run = run(Listening { listener, tls, stats }, state, stop.clone());
        tokio::pin!(run);
        tokio::select! {
            result = &mut run => return result,
            () = shutdown => stop.cancel(),
        }
        run.await
    }

    /// Starts serving `config` on `listener` in the background (on the current runtime).
    pub fn start(config: SandboxConfig, listener: TcpListener) -> io::Result<SandboxHandle> {
        Self::start_with(config, listener, None)
    }

    /// [`Sandbox::start`] over HTTPS with `tls`'s certificate: ALPN offers `h2` and `http/1.1`,
    /// and both are served.
    pub fn start_tls(
        config: SandboxConfig,
        listener: TcpListener,
        tls: &SandboxTls,
    ) -> Result<SandboxHandle, TlsError> {
        let acceptor = acceptor(tls)?;
        Ok(Self::start_with(config, listener, Some(acceptor))?)
    }

    fn start_with(
        config: SandboxConfig,
        listener: TcpListener,
        tls: Option<TlsAcceptor>,
    ) -> io::Result<SandboxHandle> {
        let address = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let state = Arc::new(SandboxState::new(config));
        let stats: Arc<ConnectionStats> = Arc::default();
        let stop = CancellationToken::new();
        let listening = Listening { listener, tls, stats: Arc::clone(&stats) };
        let task = tokio::spawn(run(listening, Arc::clone(&state), stop.clone()));
        Ok(SandboxHandle { state, stats, address, scheme, stop, task: Some(task) })
    }
}

/// The TLS acceptor for `tls`'s certificate.
fn acceptor(tls: &SandboxTls) -> Result<TlsAcceptor, TlsError> {
    Ok(TlsAcceptor::from(tls.server_config()?))
}

/// Where connections come from, and how they are counted.
struct Listening {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    stats: Arc<ConnectionStats>,
}

impl SandboxHandle {
    /// The endpoint to configure a client with, e.g. `http://127.0.0.1:PORT/v2/index.php`.
    pub fn url(&self) -> String {
        format!("{}://{}{API_PATH}", self.scheme, self.address)
    }

    /// The API 3.0 endpoint, e.g. `http://127.0.0.1:PORT/`.
    pub fn url_3_0(&self) -> String {
        format!("{}://{}{API_PATH_3_0}", self.scheme, self.address)
    }

    /// The address the sandbox listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The connections accepted, TLS handshakes completed and HTTP/2 connections so far.
    pub fn connections(&self) -> &ConnectionStats {
        &self.stats
    }

    /// How many requests reached the API path.
    pub fn request_count(&self) -> u64 {
        self.state.counter.load(Ordering::SeqCst)
    }

    /// The requests answered so far (the latest [`MAX_RECORDS`]), by request number.
    pub fn requests(&self) -> Vec<RequestRecord> {
        let log = self.state.log.lock().unwrap_or_else(PoisonError::into_inner);
        let mut records: Vec<RequestRecord> = log.iter().cloned().collect();
        records.sort_by_key(|r| r.number);
        records
    }

    /// The catalog as it is now (faults may have changed it).
    pub fn catalog(&self) -> Catalog {
        self.state.catalog.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Stops accepting, lets requests in flight finish (at most 5 s), and waits for the server.
    pub async fn shutdown(mut self) -> io::Result<()> {
        self.stop.cancel();
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("url", &self.url())
            .field("request_count", &self.request_count())
            .finish_non_exhaustive()
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn run(
    listening: Listening,
    state: Arc<SandboxState>,
    stop: CancellationToken,
) -> io::Result<()> {
    let Listening { listener, tls, stats } = listening;
    let router = router(Arc::clone(&state));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection::serve(
                        stream,
                        tls.clone(),
                        router.clone(),
                        Arc::clone(&stats),
                        stop.clone(),
                    ));
                }
                Err(error) => {
                    state.note(&format!("accept failed: {error}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
        connections.abort_all();
    }
    Ok(())
}

fn router(state: Arc<SandboxState>) -> Router {
    Router::new()
        .route(API_PATH, get(describe_images).post(describe_images))
        .route(API_PATH_3_0, get(api_3_0).post(api_3_0))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                format!(
                    "not found: the sandbox serves API 2.0 at {API_PATH} and API 3.0 at \
                     {API_PATH_3_0}\n"
                ),
            )
        })
        .with_state(state)
}

/// A fault that ends the connection instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionFault {
    Close,
    Reset,
}

async fn describe_images(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let encoded = if method == Method::POST {
        &body[..]
    } else {
        query.as_deref().unwrap_or_default().as_bytes()
    };
    let line = RequestLine { method: method.as_str(), host, path: API_PATH };
    state.handle(line, encoded).await
}

async fn api_3_0(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let headers: v3::Headers = headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let request = v3::HttpRequest {
        method: method.as_str(),
        host: headers.get("host").map(String::as_str).unwrap_or_default(),
        path: API_PATH_3_0,
        query: query.as_deref().unwrap_or_default(),
        headers: &headers,
        body: &body,
    };
    state.handle_3_0(&request).await
}

/// Everything the server shares between connections.
struct SandboxState {
    auth: Authenticator,
    catalog: RwLock<Catalog>,
    faults: FaultPlan,
    regions: Regions,
    clock: SandboxClock,
    latency: Duration,
    verbose: bool,
    counter: AtomicU64,
    added: AtomicU64,
    log: Mutex<VecDeque<RequestRecord>>,
}

/// What the API itself answers: the JSON body and its `code`.
struct ApiAnswer {
    json: String,
    code: i64,
}

impl SandboxState {
    fn new(config: SandboxConfig) -> Self {
        Self {
            auth: Authenticator::new(&config.credentials, config.clock, config.timestamp_window),
            catalog: RwLock::new(config.catalog),
            faults: FaultPlan::new(config.faults),
            regions: config.regions,
            clock: config.clock,
            latency: config.latency,
            verbose: config.verbose,
            counter: AtomicU64::new(0),
            added: AtomicU64::new(0),
            log: Mutex::default(),
        }
    }

    async fn handle(&self, line: RequestLine<'_>, encoded: &[u8]) -> Response {
        let number = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let received_at = SystemTime::now();
        let params = Params::parse(encoded);
        let fault = self.faults.fire(number, params.as_ref().ok().and_then(Params::offset_hint));
        let delay = match fault {
            Some(FaultKind::Slow(slow)) => self.latency.saturating_add(slow),
            _ => self.latency,
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let (response, code) = match &fault {
            Some(kind) if !kind.keeps_answer() => {
                fault_response(kind, || self.answer(line, params.as_ref(), None))
            }
            _ => {
                let answer = self.answer(line, params.as_ref(), fault.as_ref());
                (json_response(StatusCode::OK, answer.json), Some(answer.code))
            }
        };
        let logged = params.map(|p| logged_params(&p)).unwrap_or_default();
        let method = line.method.to_owned();
        self.record(RequestRecord { number, received_at, method, params: logged, fault, code });
        response
    }

    /// An API 3.0 request: the same numbering, faults, latency and log as 2.0.
    async fn handle_3_0(&self, request: &v3::HttpRequest<'_>) -> Response {
        let number = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let received_at = SystemTime::now();
        // Read once: the fault rules, the answer and the log all use it.
        let envelope = v3::Envelope::read(request);
        let fault = self.faults.fire(number, envelope.as_ref().ok().and_then(|e| e.offset_hint()));
        let delay = match fault {
            Some(FaultKind::Slow(slow)) => self.latency.saturating_add(slow),
            _ => self.latency,
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let request_id = format!("sandbox-{number}");
        let (response, code) = match &fault {
            Some(FaultKind::ApiError { code, message }) => {
                let message = message.as_deref().unwrap_or(response::default_message(*code));
                let json = v3::Error::from_code_2_0(*code, message).to_json(&request_id);
                (json_response(StatusCode::OK, json), Some(*code))
            }
            Some(kind) if !kind.keeps_answer() => fault_response(kind, || {
                self.answer_3_0(request, envelope.as_ref(), None, &request_id)
            }),
            _ => {
                let answer =
                    self.answer_3_0(request, envelope.as_ref(), fault.as_ref(), &request_id);
                (json_response(StatusCode::OK, answer.json), Some(answer.code))
            }
        };
        let params = envelope.map(|e| logged_3_0(&e, &self.regions)).unwrap_or_default();
        let method = request.method.to_owned();
        self.record(RequestRecord { number, received_at, method, params, fault, code });
        response
    }

    fn answer_3_0(
        &self,
        request: &v3::HttpRequest<'_>,
        envelope: Result<&v3::Envelope, &v3::Error>,
        fault: Option<&FaultKind>,
        request_id: &str,
    ) -> ApiAnswer {
        let result = envelope.map_err(Clone::clone).and_then(|envelope| {
            v3::authenticate(&self.auth, request, envelope)?;
            v3::call(envelope, &self.regions)
        });
        let json = match result {
            Ok(v3::Call::DescribeImages(query)) => {
                let (page, total) = self.select_3_0(&query, fault);
                v3::success_json(&page, total, request_id)
            }
            Ok(v3::Call::DescribeImageFromFamily(query)) => {
                let catalog = self.catalog.read().unwrap_or_else(PoisonError::into_inner);
                v3::family_json(query.latest(&catalog), request_id)
            }
            Err(error) => {
                return ApiAnswer { json: error.to_json(request_id), code: error.code_2_0 };
            }
        };
        ApiAnswer { json, code: 0 }
    }

    /// [`Self::select`] for a 3.0 query.
    fn select_3_0(&self, query: &v3::Query, fault: Option<&FaultKind>) -> (Page, u64) {
        self.select_with(fault, || query.to_v2(), |catalog| query.select(catalog))
    }

    fn answer(
        &self,
        line: RequestLine<'_>,
        params: Result<&Params, &Error>,
        fault: Option<&FaultKind>,
    ) -> ApiAnswer {
        let result = params.map_err(Clone::clone).and_then(|params| {
            v2::authenticate(&self.auth, line, params)?;
            check_action(params)?;
            let query = v2::Query::from_params(params, &self.regions)?;
            Ok(self.select(&query, fault))
        });
        match result {
            Ok((page, total_count)) => {
                ApiAnswer { json: response::success_json(&page, total_count), code: 0 }
            }
            Err(error) => ApiAnswer { json: error.to_json(), code: error.code },
        }
    }

    /// The page for `query`, after any catalog change the fault makes, and the `totalCount`
    /// to report.
    fn select(&self, query: &v2::Query, fault: Option<&FaultKind>) -> (Page, u64) {
        self.select_with(fault, || query.clone(), |catalog| catalog.select(query))
    }

    /// The page `page` selects, after any catalog change the fault makes (around the images
    /// `mutated` asks for), and the `totalCount` to report.
    fn select_with(
        &self,
        fault: Option<&FaultKind>,
        mutated: impl FnOnce() -> v2::Query,
        page: impl FnOnce(&Catalog) -> Page,
    ) -> (Page, u64) {
        if matches!(fault, Some(FaultKind::AddImage | FaultKind::RemoveImage)) {
            let mut catalog = self.catalog.write().unwrap_or_else(PoisonError::into_inner);
            self.mutate(&mut catalog, &mutated(), fault);
        }
        let page = page(&self.catalog.read().unwrap_or_else(PoisonError::into_inner));
        let truth = u64::try_from(page.total_count).unwrap_or(u64::MAX);
        let reported = match fault {
            Some(FaultKind::WrongTotalCount(delta)) => truth.saturating_add_signed(*delta),
            _ => truth,
        };
        (page, reported)
    }

    fn mutate(&self, catalog: &mut Catalog, query: &v2::Query, fault: Option<&FaultKind>) {
        match fault {
            Some(FaultKind::AddImage) => {
                let image = self.appearing_image(catalog, query);
                let _ = catalog.insert_first(image);
            }
            Some(FaultKind::RemoveImage) => {
                let first = catalog.matching(query).next().map(|i| i.image_id.clone());
                if let Some(id) = first {
                    catalog.remove(&id);
                }
            }
            _ => {}
        }
    }

    /// A new image of the requested type and status, with an id the catalog does not have.
    fn appearing_image(&self, catalog: &Catalog, query: &v2::Query) -> CatalogImage {
        let image_id = loop {
            let id = synthetic_id(ADDED_IMAGE_SEED, self.added.fetch_add(1, Ordering::SeqCst));
            if !catalog.contains(&id) {
                break id;
            }
        };
        let number = self.added.load(Ordering::SeqCst);
        CatalogImage {
            image_id,
            image_name: format!("appeared-during-listing-{number}"),
            image_description: "an image created while the listing was paging".to_owned(),
            image_type: query.image_type,
            os_name: "CentOS 7.9 64bit".to_owned(),
            create_time: format_create_time(self.clock.now()),
            creator: "100012345678".to_owned(),
            status: query.status.unwrap_or(ImageStatus::Normal),
            attributes: ImageAttributes::default(),
        }
    }

    fn record(&self, record: RequestRecord) {
        if self.verbose {
            eprintln!("{}", describe_record(&record));
        }
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        if log.len() >= MAX_RECORDS {
            log.pop_front();
        }
        log.push_back(record);
    }

    fn note(&self, message: &str) {
        if self.verbose {
            eprintln!("qcloud-sandbox: {message}");
        }
    }
}

fn check_action(params: &Params) -> Result<(), Error> {
    let action = params.required("Action")?;
    if action == "DescribeImages" {
        return Ok(());
    }
    Err(Error::new(
        6100,
        format!("the action {action} is not supported here: this endpoint serves DescribeImages"),
    ))
}

/// The parameters of a 3.0 request as the log shows them, as far as it reads: `Action` and
/// `Region` as sent, then the validated query's.
fn logged_3_0(envelope: &v3::Envelope, regions: &Regions) -> BTreeMap<String, String> {
    let mut params = v3::call(envelope, regions).map(|call| call.logged()).unwrap_or_default();
    params.insert("Action".to_owned(), envelope.action.clone());
    if let Some(region) = &envelope.region {
        params.insert("Region".to_owned(), region.clone());
    }
    params
}

fn logged_params(params: &Params) -> BTreeMap<String, String> {
    params
        .as_map()
        .iter()
        .filter(|(name, _)| name.as_str() != "Signature")
        .map(|(name, value)| {
            let value = if name == "Token" { "<redacted>".to_owned() } else { value.clone() };
            (name.clone(), value)
        })
        .collect()
}

/// One stderr line for `--verbose`.
fn describe_record(record: &RequestRecord) -> String {
    let param = |name: &str| record.params.get(name).map_or("-", String::as_str);
    let outcome = match (&record.fault, record.code) {
        (Some(fault), Some(code)) => format!("code={code} fault={fault}"),
        (Some(fault), None) => format!("fault={fault}"),
        (None, code) => format!("code={}", code.unwrap_or(-1)),
    };
    format!(
        "qcloud-sandbox: #{} {} Action={} Region={} imageType={} offset={} limit={} -> {outcome}",
        record.number,
        record.method,
        param("Action"),
        param("Region"),
        param("imageType"),
        param("offset"),
        param("limit"),
    )
}

fn json_response(status: StatusCode, json: String) -> Response {
    (status, [(CONTENT_TYPE, JSON_CONTENT_TYPE)], json).into_response()
}

/// The response for a fault that replaces the answer, and the API code it carries.
fn fault_response(kind: &FaultKind, answer: impl FnOnce() -> ApiAnswer) -> (Response, Option<i64>) {
    let status =
        |code: u16| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match kind {
        FaultKind::HttpStatus(code) => {
            let status = status(*code);
            let text = format!("{} {}\n", status.as_u16(), status.canonical_reason().unwrap_or(""));
            ((status, [(CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response(), None)
        }
        FaultKind::ApiError { code, message } => {
            let error = match message {
                Some(message) => Error::new(*code, message.clone()),
                None => Error::with_default_message(*code),
            };
            (json_response(StatusCode::OK, error.to_json()), Some(*code))
        }
        FaultKind::MalformedJson => {
            (json_response(StatusCode::OK, response::MALFORMED_JSON.to_owned()), None)
        }
        FaultKind::HtmlPage(code) => {
            let status = status(*code);
            let page =
                response::html_error_page(status.as_u16(), status.canonical_reason().unwrap_or(""));
            ((status, [(CONTENT_TYPE, "text/html")], page).into_response(), None)
        }
        FaultKind::EmptyBody => (json_response(StatusCode::OK, String::new()), None),
        FaultKind::TruncatedBody => (truncated_response(answer().json), None),
        FaultKind::CloseConnection => (connection_fault(ConnectionFault::Close), None),
        FaultKind::ResetConnection => (connection_fault(ConnectionFault::Reset), None),
        FaultKind::Slow(_)
        | FaultKind::WrongTotalCount(_)
        | FaultKind::AddImage
        | FaultKind::RemoveImage => {
            let answer = answer();
            (json_response(StatusCode::OK, answer.json), Some(answer.code))
        }
    }
}

fn connection_fault(fault: ConnectionFault) -> Response {
    let mut response = Response::default();
    response.extensions_mut().insert(fault);
    response
}

/// Headers promising all of `json`, half of it, then a broken connection. The body waits a
/// moment after the half so that hyper flushes it to the client before the connection drops.
fn truncated_response(json: String) -> Response {
    let full_length = json.len();
    let half = Bytes::from(json).slice(..full_length / 2);
    let mut sent = false;
    let mut flushing = Box::pin(tokio::time::sleep(TRUNCATION_FLUSH));
    let body = futures_util::stream::poll_fn(move |cx| {
        if !sent {
            sent = true;
            return Poll::Ready(Some(Ok(half.clone())));
        }
        std::task::ready!(flushing.as_mut().poll(cx));
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "body cut off by an injected fault",
        ))))
    });
    let mut response =
        (StatusCode::OK, [(CONTENT_TYPE, JSON_CONTENT_TYPE)], Body::from_stream(body))
            .into_response();
    response.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(full_length));
    response
}
