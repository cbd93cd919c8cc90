//! In-process cost of a 10,000-image read after the listing: selection (regex filter, total
//! order, `most_recent`), and encoding the state as msgpack for Terraform (the state is written
//! straight from the selection, one image at a time).
//!
//! Run with `cargo bench --bench images`. The target: msgpack encoding of the
//! 10,000-image state in at most 20 ms.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use qcloud_provider::data_sources::images::Lookup;
use qcloud_provider::data_sources::images::select::select;
use qcloud_provider::data_sources::images::state::encode_state;
use support::fixtures;

const STATE_ID: &str = "bench-state-id";

fn query(config: &qcloud_provider::cty::Value) -> Lookup {
    Lookup::from_config(config).expect("the benchmark configs are valid")
}

fn selection(c: &mut Criterion) {
    let listed = fixtures::listed_images(&fixtures::catalog(fixtures::IMAGES));
    let mut group = c.benchmark_group("select_10000_images");
    for (name, config) in [
        ("regex_sort_most_recent", fixtures::newest_web_server_config()),
        ("all_sorted", fixtures::all_private_config()),
    ] {
        let query = query(&config);
        group.bench_function(name, |b| b.iter(|| select(black_box(&listed), black_box(&query))));
    }
    group.finish();
}

fn msgpack_encoding(c: &mut Criterion) {
    let listed = fixtures::listed_images(&fixtures::catalog(fixtures::IMAGES));
    let config = fixtures::all_private_config();
    let selection = select(&listed, &query(&config));
    assert_eq!(selection.images.len(), fixtures::IMAGES);
    let bytes = encode_state(&config, STATE_ID, &selection).expect("the state encodes");
    eprintln!("msgpack state of {} images: {} bytes", fixtures::IMAGES, bytes.len());
    let mut group = c.benchmark_group("msgpack_state_10000_images");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("encode_state", |b| {
        b.iter(|| encode_state(black_box(&config), STATE_ID, black_box(&selection)))
    });
    group.bench_function("select_encode_state", |b| {
        b.iter_batched(
            || query(&config),
            |query| encode_state(&config, STATE_ID, &select(&listed, &query)),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, selection, msgpack_encoding);
criterion_main!(benches);
