//! Compiles the protocol definitions in `proto/` into Rust (server and client code).
//!
//! Uses `protox`, a protobuf compiler written in Rust, so the build needs no `protoc`.

use std::error::Error;

const PROTOS: &[&str] =
    &["proto/tfplugin6.proto", "proto/grpc_controller.proto", "proto/grpc_stdio.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(descriptors)?;
    Ok(())
}
