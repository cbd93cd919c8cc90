//! Test harness shared by the integration tests: launch the built provider as Terraform
//! does and talk gRPC to it, run the real `terraform` CLI against it, and put the image API
//! client against the sandbox or a scripted mock.
//!
//! Each test target uses part of it:
//! - [`plugin`], [`tls`], [`values`]: the provider process, its handshake, mTLS and gRPC.
//! - [`terraform`], [`sandbox`], [`repo`]: the real `terraform` CLI, pointed at an in-process
//!   sandbox (HTTP or HTTPS), and the repository's examples and docs.
//! - [`proxy`]: an HTTP CONNECT proxy on loopback that counts its tunnels.
//! - [`client_sandbox`]: the image API client against the sandbox (paging, faults, a rewriting
//!   proxy, an untrusted TLS server).
//! - [`mock_api`]: a scripted stand-in for the API 2.0 endpoint, for client tests.
//! - [`reliability`]: configurations as Terraform sends them, and readers of replies, for the
//!   reliability tests.
#![allow(dead_code, unused_imports)]

pub mod client_sandbox;
pub mod mock_api;
pub mod plugin;
pub mod proxy;
pub mod reliability;
pub mod repo;
pub mod sandbox;
pub mod terraform;
pub mod tls;
pub mod values;

pub use plugin::{Finished, Handshake, LaunchOptions, Plugin, run_to_exit};
pub use sandbox::SandboxEnv;
pub use terraform::Terraform;
pub use tls::{ClientIdentity, Target, connect};
