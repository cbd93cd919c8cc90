//! go-plugin's `GRPCStdio`: Terraform opens its stream when the plugin starts and reads it until
//! it ends. The provider writes its log straight to stderr, so the stream carries nothing: it
//! only stays open, so that Terraform logs no "Unimplemented" error, and ends on Shutdown.
//!
//! Terraform closes the connection as soon as Shutdown is answered; a stream whose end it has not
//! read by then is logged as cancelled. [`OpenStreams`] lets Shutdown answer after the streams
//! have ended.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::{Stream, StreamExt as _};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::controller_proto::StdioData;
use super::controller_proto::grpc_stdio_server::GrpcStdio;

/// The stream of one `StreamStdio` call.
pub type StdioStream = Pin<Box<dyn Stream<Item = Result<StdioData, Status>> + Send>>;

/// The stdio streams not yet ended.
#[derive(Debug, Default)]
pub struct OpenStreams {
    count: AtomicUsize,
    ended: Notify,
}

impl OpenStreams {
    /// Counts a stream until the returned guard is dropped with it.
    fn opened(self: &Arc<Self>) -> OpenStream {
        self.count.fetch_add(1, Ordering::SeqCst);
        OpenStream(Arc::clone(self))
    }

    /// Returns once no stream is open.
    pub async fn all_ended(&self) {
        loop {
            let ended = self.ended.notified();
            if self.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            ended.await;
        }
    }
}

/// One open stream; dropped when the server has sent the stream's end.
struct OpenStream(Arc<OpenStreams>);

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::SeqCst);
        self.0.ended.notify_waiters();
    }
}

/// Answers `StreamStdio` with a stream that ends when `shutdown` is cancelled.
#[derive(Debug, Clone)]
pub struct Stdio {
    shutdown: CancellationToken,
    open: Arc<OpenStreams>,
}

impl Stdio {
    /// A stdio service whose streams end when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown, open: Arc::default() }
    }

    /// Its streams not yet ended.
    pub fn open_streams(&self) -> Arc<OpenStreams> {
        Arc::clone(&self.open)
    }
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let open = self.open.opened();
        let ended = self.shutdown.clone().cancelled_owned();
        let stream = futures_util::stream::once(ended).filter_map(move |()| {
            let _open = &open;
            async { None }
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn the_stream_sends_nothing_and_ends_on_shutdown() {
        let shutdown = CancellationToken::new();
        let stdio = Stdio::new(shutdown.clone());
        let mut stream = stdio.stream_stdio(Request::new(())).await.expect("a stream").into_inner();
        let early = tokio::time::timeout(Duration::from_millis(50), stream.next()).await;
        assert!(early.is_err(), "nothing is sent before Shutdown: {early:?}");
        shutdown.cancel();
        let end = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
        assert!(matches!(end, Ok(None)), "the stream ends on Shutdown: {end:?}");
    }

    #[tokio::test]
    async fn open_streams_are_counted_until_dropped() {
        let stdio = Stdio::new(CancellationToken::new());
        let open = stdio.open_streams();
        let stream = stdio.stream_stdio(Request::new(())).await.expect("a stream").into_inner();
        let waiting = tokio::time::timeout(Duration::from_millis(50), open.all_ended()).await;
        assert!(waiting.is_err(), "a stream is still open");
        drop(stream);
        let ended = tokio::time::timeout(Duration::from_secs(5), open.all_ended()).await;
        assert!(ended.is_ok(), "no stream is open after the drop");
    }
}
