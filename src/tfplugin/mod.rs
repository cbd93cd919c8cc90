//! The gRPC face of the provider: generated tfplugin6 and go-plugin types, conversions
//! between them and the crate's own types, and the services Terraform calls.
//!
//! The only module that sees generated protobuf types. Must not depend on [`crate::plugin`]
//! (process launch, sockets, TLS): it only builds services for someone else to serve.

mod controller;
mod convert;
mod service;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::provider::Provider;

pub use controller::Controller;
pub use service::ProviderService;

/// Generated code for the `tfplugin6` package: messages, the `Provider` server and client.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("tfplugin6");
}

/// Generated code for go-plugin's `plugin` package: the `GRPCController` server and client.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod controller_proto {
    tonic::include_proto!("plugin");
}

/// The largest request the services accept. Terraform may send large configurations; the
/// default limit of tonic (4 MiB) is too small, and HashiCorp's own SDK accepts 256 MiB.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// The `tfplugin6.Provider` gRPC service for `provider`, with the raised message limits.
pub fn provider_server(
    provider: Arc<dyn Provider>,
) -> proto::provider_server::ProviderServer<ProviderService> {
    proto::provider_server::ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

/// The `plugin.GRPCController` gRPC service: its Shutdown cancels `shutdown`.
pub fn controller_server(
    shutdown: CancellationToken,
) -> controller_proto::grpc_controller_server::GrpcControllerServer<Controller> {
    controller_proto::grpc_controller_server::GrpcControllerServer::new(Controller::new(shutdown))
}
