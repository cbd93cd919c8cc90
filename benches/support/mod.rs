//! Fixtures, statistics and tables shared by the criterion benchmarks in `benches/` and the
//! whole-process `bench_*` examples (which include this module by path).
//!
//! Each target uses part of it.
#![allow(dead_code)]

pub mod fixtures;
pub mod plugin;
pub mod stats;
