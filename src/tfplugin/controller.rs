//! go-plugin's `GRPCController`: the host's way of asking the plugin process to exit.

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::controller_proto::Empty;
use super::controller_proto::grpc_controller_server::GrpcController;

/// Answers `Shutdown` by cancelling a token; whoever serves the process watches it and exits.
#[derive(Debug, Clone)]
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    /// A controller that cancels `shutdown` when asked to shut down.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shutdown_cancels_the_token() {
        let token = CancellationToken::new();
        let controller = Controller::new(token.clone());
        assert!(!token.is_cancelled());
        controller.shutdown(Request::new(Empty {})).await.expect("Shutdown never fails");
        assert!(token.is_cancelled());
    }
}
