//! The gRPC face of the provider: generated tfplugin6 and go-plugin types, conversions
//! between them and the crate's own types, and the services Terraform calls.
//!
//! The only module that sees generated protobuf types. Must not depend on [`crate::plugin`]
//! (process launch, sockets, TLS): it only builds services for someone else to serve.

mod controller;
mod convert;
mod service;
mod stdio;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::provider::Provider;

pub use controller::Controller;
pub use service::ProviderService;
pub use stdio::Stdio;

/// Generated code for the `tfplugin6` package: messages, the `Provider` server and client.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod proto {
    tonic::include_proto!("tfplugin6");
}

/// Generated code for go-plugin's `plugin` package: the `GRPCController` and `GRPCStdio`
/// servers and clients.
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

/// go-plugin's `plugin.GRPCController` and `plugin.GRPCStdio` services. Shutdown cancels
/// `shutdown`, which ends every stdio stream (they send nothing), and answers once they have
/// ended.
pub fn control_servers(
    shutdown: CancellationToken,
) -> (
    controller_proto::grpc_controller_server::GrpcControllerServer<Controller>,
    controller_proto::grpc_stdio_server::GrpcStdioServer<Stdio>,
) {
    let stdio = Stdio::new(shutdown.clone());
    let controller = Controller::new(shutdown, stdio.open_streams());
    (
        controller_proto::grpc_controller_server::GrpcControllerServer::new(controller),
        controller_proto::grpc_stdio_server::GrpcStdioServer::new(stdio),
    )
}

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::proto;

    /// Field numbers are the protocol: pin a few that are easy to get wrong.
    #[test]
    fn field_numbers_match_the_protocol_on_the_wire() {
        let capabilities = proto::get_provider_schema::Response {
            server_capabilities: Some(proto::ServerCapabilities {
                get_provider_schema_optional: true,
                ..Default::default()
            }),
            ..Default::default()
        };
        let function_error = proto::call_function::Response {
            result: None,
            error: Some(proto::FunctionError { text: String::new(), function_argument: Some(0) }),
        };
        let attribute = proto::schema::Attribute {
            nested_type: Some(proto::schema::Object::default()),
            write_only: true,
            ..Default::default()
        };
        let validate = proto::validate_provider_config::Response {
            diagnostics: vec![proto::Diagnostic { severity: 1, ..Default::default() }],
        };
        let cases: [(&str, Vec<u8>, &[u8]); 4] = [
            // field 6 (message) holding field 2 (bool true)
            ("server_capabilities", capabilities.encode_to_vec(), &[0x32, 0x02, 0x10, 0x01]),
            // field 2 (message) holding field 2 = 0, present because it is optional
            ("function_error", function_error.encode_to_vec(), &[0x12, 0x02, 0x10, 0x00]),
            // field 10 (empty message), field 11 (bool true)
            ("nested_type, write_only", attribute.encode_to_vec(), &[0x52, 0x00, 0x58, 0x01]),
            // diagnostics are field 2 here (field 1 is unused), severity ERROR = 1
            ("diagnostics", validate.encode_to_vec(), &[0x12, 0x02, 0x08, 0x01]),
        ];
        for (what, encoded, expected) in cases {
            assert_eq!(encoded, expected, "{what}");
        }
    }
}
