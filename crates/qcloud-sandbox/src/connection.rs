//! How one accepted connection is served: plain HTTP/1.1, or TLS (when the sandbox serves
//! HTTPS) then HTTP/2 or HTTP/1.1 as the client's ALPN chose; a connection fault (`close`,
//! `reset`) drops it without an answer. Counts what it accepted, for tests that measure
//! connection reuse.
//!
//! Must not know the API: it serves whatever router it is given.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::http::header::HOST;
use axum::http::{HeaderValue, Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::server::ConnectionFault;

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server accepted, counted since it started.
#[derive(Debug, Default)]
pub struct ConnectionStats {
    accepted: AtomicU64,
    tls_handshakes: AtomicU64,
    http2: AtomicU64,
}

impl ConnectionStats {
    /// TCP connections accepted.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    /// TLS handshakes completed.
    pub fn tls_handshakes(&self) -> u64 {
        self.tls_handshakes.load(Ordering::SeqCst)
    }

    /// Connections whose client chose HTTP/2 by ALPN.
    pub fn http2(&self) -> u64 {
        self.http2.load(Ordering::SeqCst)
    }

    fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

/// The service error that makes hyper drop a connection (HTTP/1.1) or reset a stream (HTTP/2)
/// without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
struct DroppedByFault;

/// Serves one accepted connection until it ends or `stop` asks for a graceful end.
pub async fn serve(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    router: Router,
    stats: Arc<ConnectionStats>,
    stop: CancellationToken,
) {
    ConnectionStats::count(&stats.accepted);
    // Answers go out as soon as they are written, as from any API front end: Nagle's
    // algorithm would hold a response's last segment until the client's delayed ACK.
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let stream = FaultableStream { stream, reset: Arc::clone(&reset) };
    let Some(acceptor) = tls else {
        let connection =
            http1::Builder::new().serve_connection(TokioIo::new(stream), service(router, reset));
        return drive(connection, &stop, |c| c.graceful_shutdown()).await;
    };
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    // A client that gave up or does not trust the certificate is not the server's problem.
    let Ok(Ok(stream)) = handshake.await else { return };
    ConnectionStats::count(&stats.tls_handshakes);
    if stream.get_ref().1.alpn_protocol() == Some(b"h2") {
        ConnectionStats::count(&stats.http2);
    }
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service(router, reset));
    drive(connection, &stop, |c| c.graceful_shutdown()).await;
}

/// Runs `connection` to its end; when `stop` fires first, shuts it down gracefully and lets it
/// finish.
async fn drive<C, T, E>(connection: C, stop: &CancellationToken, shutdown: impl FnOnce(Pin<&mut C>))
where
    C: Future<Output = Result<T, E>>,
{
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        () = stop.cancelled() => shutdown(connection.as_mut()),
    }
    // A client that went away, or a fault that dropped the connection, is not an error here.
    let _ = connection.await;
}

/// The router as a hyper service that turns a connection fault into a dropped connection.
fn service(
    router: Router,
    reset: Arc<AtomicBool>,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = DroppedByFault,
    Future = impl Future<Output = Result<axum::response::Response, DroppedByFault>> + Send + 'static,
> + Clone {
    let routes = TowerToHyperService::new(router);
    hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let reset = Arc::clone(&reset);
        host_from_authority(&mut request);
        let answer = hyper::service::Service::call(&routes, request);
        async move {
            let Ok(response) = answer.await;
            match response.extensions().get::<ConnectionFault>() {
                Some(ConnectionFault::Reset) => {
                    reset.store(true, Ordering::SeqCst);
                    Err(DroppedByFault)
                }
                Some(ConnectionFault::Close) => Err(DroppedByFault),
                None => Ok(response),
            }
        }
    })
}

/// Gives an HTTP/2 request the `Host` header HTTP/1.1 requests carry: HTTP/2 sends the host
/// as the `:authority` pseudo-header, which hyper puts in the URI. The API's signatures cover
/// the host, and the handlers read it from `Host` whatever the protocol.
fn host_from_authority<B>(request: &mut Request<B>) {
    if request.headers().contains_key(HOST) {
        return;
    }
    let host = request.uri().authority().and_then(|a| HeaderValue::from_str(a.as_str()).ok());
    if let Some(host) = host {
        request.headers_mut().insert(HOST, host);
    }
}

/// A TCP stream that sends RST instead of FIN when dropped after a `reset` fault.
struct FaultableStream {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for FaultableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // Best effort: without SO_LINGER 0 the close is a FIN, still without an answer.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for FaultableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_http2_request_gets_its_host_from_the_authority() {
        let mut h2 = Request::builder()
            .uri("https://127.0.0.1:8443/v2/index.php?Action=DescribeImages")
            .version(axum::http::Version::HTTP_2)
            .body(())
            .unwrap();
        host_from_authority(&mut h2);
        assert_eq!(h2.headers()[HOST], "127.0.0.1:8443");

        let mut h1 = Request::builder()
            .uri("/v2/index.php")
            .header(HOST, "localhost:8080")
            .body(())
            .unwrap();
        host_from_authority(&mut h1);
        assert_eq!(h1.headers()[HOST], "localhost:8080", "a Host header is kept as sent");
    }
}
