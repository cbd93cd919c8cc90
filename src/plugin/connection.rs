//! Accepted connections: unix socket streams, wrapped in TLS when mutual TLS is on.
//!
//! TLS handshakes run in their own tasks, so a slow or refused client never holds up the
//! next one. Must not depend on gRPC services or on the provider.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// One client connection, ready for HTTP/2.
pub enum Connection {
    /// Plaintext (`TF_DISABLE_PLUGIN_TLS`, or debug mode).
    Plain(UnixStream),
    /// Mutual TLS with the client certificate already verified.
    Tls(Box<TlsStream<UnixStream>>),
}

/// Accepts connections on `listener` until the returned stream is dropped. With `tls`, only
/// connections whose TLS handshake succeeds (client certificate accepted) come out.
pub fn incoming(
    listener: UnixListener,
    tls: Option<TlsAcceptor>,
) -> ReceiverStream<io::Result<Connection>> {
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(accept_loop(listener, tls, sender));
    ReceiverStream::new(receiver)
}

async fn accept_loop(
    listener: UnixListener,
    tls: Option<TlsAcceptor>,
    sender: mpsc::Sender<io::Result<Connection>>,
) {
    loop {
        let accepted = tokio::select! {
            () = sender.closed() => return,
            accepted = listener.accept() => accepted,
        };
        match (accepted, &tls) {
            (Ok((stream, _)), None) => {
                if sender.send(Ok(Connection::Plain(stream))).await.is_err() {
                    return;
                }
            }
            (Ok((stream, _)), Some(acceptor)) => {
                tokio::spawn(handshake(acceptor.clone(), stream, sender.clone()));
            }
            (Err(_), _) => tokio::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
}

/// Completes the TLS handshake and hands the connection on; a refused or stalled client is
/// simply dropped.
async fn handshake(
    acceptor: TlsAcceptor,
    stream: UnixStream,
    sender: mpsc::Sender<io::Result<Connection>>,
) {
    if let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        // The server may have stopped meanwhile; then the connection is dropped.
        let _ = sender.send(Ok(Connection::Tls(Box::new(stream)))).await;
    }
}

impl Connected for Connection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_write_vectored(cx, bufs),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Connection::Plain(stream) => stream.is_write_vectored(),
            Connection::Tls(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Connection::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}
