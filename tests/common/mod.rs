//! Test harness shared by the integration tests: launch the built provider as Terraform
//! does and talk gRPC to it, and run the real `terraform` CLI against it.
//!
//! Each test target uses part of it.
#![allow(dead_code, unused_imports)]

pub mod plugin;
pub mod repo;
pub mod sandbox;
pub mod terraform;
pub mod tls;
pub mod values;

pub use plugin::{Finished, Handshake, LaunchOptions, Plugin, run_to_exit};
pub use sandbox::SandboxEnv;
pub use terraform::Terraform;
pub use tls::{ClientIdentity, Target, connect};
