//! go-plugin's `GRPCController`: the host's way of asking the plugin process to exit.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::controller_proto::Empty;
use super::controller_proto::grpc_controller_server::GrpcController;
use super::stdio::OpenStreams;

/// How long Shutdown waits for the stdio streams to end before it answers anyway.
const STREAMS_END_WITHIN: Duration = Duration::from_millis(500);

/// Answers `Shutdown` by cancelling a token; whoever serves the process watches it and exits.
#[derive(Debug, Clone)]
pub struct Controller {
    shutdown: CancellationToken,
    stdio: Arc<OpenStreams>,
}

impl Controller {
    /// A controller that cancels `shutdown` when asked to shut down, and answers once the
    /// `stdio` streams (which end with it) have ended.
    pub fn new(shutdown: CancellationToken, stdio: Arc<OpenStreams>) -> Self {
        Self { shutdown, stdio }
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        self.shutdown.cancel();
        // Terraform closes the connection on the answer: the streams' ends must go first.
        let _ = tokio::time::timeout(STREAMS_END_WITHIN, self.stdio.all_ended()).await;
        Ok(Response::new(Empty {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_cancels_the_token() {
        let token = CancellationToken::new();
        let controller = Controller::new(token.clone(), Arc::default());
        assert!(!token.is_cancelled());
        controller.shutdown(Request::new(Empty {})).await.expect("Shutdown never fails");
        assert!(token.is_cancelled());
    }
}
