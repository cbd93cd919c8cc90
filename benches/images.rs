//! In-process cost of a 10,000-image read after the listing: selection (regex filter, total
//! order, `most_recent`), building the state, and encoding the state as msgpack for Terraform.
//!
//! Run with `cargo bench --bench images`. The target: msgpack encoding of the
//! 10,000-image state in at most 20 ms.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use qcloud_provider::cty::encode_msgpack;
use qcloud_provider::data_sources::images::select::select;
use qcloud_provider::data_sources::images::state::state;
use qcloud_provider::data_sources::images::{ImagesQuery, schema};
use support::fixtures;

const STATE_ID: &str = "bench-state-id";

fn query(config: &qcloud_provider::cty::Value) -> ImagesQuery {
    ImagesQuery::from_config(config).expect("the benchmark configs are valid")
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

fn state_building(c: &mut Criterion) {
    let listed = fixtures::listed_images(&fixtures::catalog(fixtures::IMAGES));
    let config = fixtures::all_private_config();
    let selection = select(&listed, &query(&config));
    assert_eq!(selection.images.len(), fixtures::IMAGES);
    c.bench_function("state_10000_images", |b| {
        b.iter(|| state(black_box(&config), STATE_ID, black_box(&selection)))
    });
}

fn msgpack_encoding(c: &mut Criterion) {
    let listed = fixtures::listed_images(&fixtures::catalog(fixtures::IMAGES));
    let config = fixtures::all_private_config();
    let selection = select(&listed, &query(&config));
    let value = state(&config, STATE_ID, &selection);
    let ty = schema().block.value_type();
    let bytes = encode_msgpack(&value, &ty).expect("the state conforms to the schema");
    eprintln!("msgpack state of {} images: {} bytes", fixtures::IMAGES, bytes.len());
    let mut group = c.benchmark_group("msgpack_state_10000_images");
    group.measurement_time(Duration::from_secs(8));
    group
        .bench_function("encode", |b| b.iter(|| encode_msgpack(black_box(&value), black_box(&ty))));
    group.bench_function("select_state_encode", |b| {
        b.iter_batched(
            || query(&config),
            |query| {
                let selection = select(&listed, &query);
                let value = state(&config, STATE_ID, &selection);
                encode_msgpack(&value, &ty)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, selection, state_building, msgpack_encoding);
criterion_main!(benches);
