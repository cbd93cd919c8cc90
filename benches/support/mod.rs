//! Fixtures, statistics and tables shared by the criterion benchmarks in `benches/` and the
//! whole-process `bench_*` examples (which include this module by path).
//!
//! Each target uses part of it.
#![allow(dead_code)]

pub mod fixtures;
pub mod plugin;
pub mod relay;
pub mod stats;
/// The client side of mutual TLS (a Terraform-like certificate, a channel over the socket),
/// shared with the integration tests.
#[path = "../../tests/common/tls.rs"]
pub mod tls;
