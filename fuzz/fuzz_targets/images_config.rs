//! Fuzz target: see `fuzz_checks::check_configs` for the properties checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::check_configs(data));
