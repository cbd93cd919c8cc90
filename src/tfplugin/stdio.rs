//! go-plugin's `GRPCStdio`: Terraform opens its stream when the plugin starts and reads it until
//! it ends. The provider writes its log straight to stderr, so the stream carries nothing: it
//! only stays open, so that Terraform logs no "Unimplemented" error, and ends on Shutdown.

use std::pin::Pin;

use futures_util::{Stream, StreamExt as _};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::controller_proto::StdioData;
use super::controller_proto::grpc_stdio_server::GrpcStdio;

/// The stream of one `StreamStdio` call.
pub type StdioStream = Pin<Box<dyn Stream<Item = Result<StdioData, Status>> + Send>>;

/// Answers `StreamStdio` with a stream that ends when `shutdown` is cancelled.
#[derive(Debug, Clone)]
pub struct Stdio {
    shutdown: CancellationToken,
}

impl Stdio {
    /// A stdio service whose streams end when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        let ended = self.shutdown.clone().cancelled_owned();
        let stream = futures_util::stream::once(ended).filter_map(|()| async { None });
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
}
