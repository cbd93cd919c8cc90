//! Heap breakdown of a 10,000-image read (performance target 4, in process): how many bytes
//! each stage keeps alive, counted by a global allocator wrapper, so the process's peak RSS
//! (`bench_memory`) can be attributed.
//!
//! Stages, as the provider runs them: the listing (100 parsed pages), the selection (borrowed
//! from the listing), the msgpack state sent to Terraform (written straight from the selection;
//! its peak shows what encoding holds at once). For comparison, the state built whole as one
//! value, as the provider did before.
//!
//! Run with `cargo run --release --example bench_heap`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use qcloud_provider::cty::{Value, decode_msgpack};
use qcloud_provider::data_sources::images::Lookup;
use qcloud_provider::data_sources::images::select::select;
use qcloud_provider::data_sources::images::state::encode_state;
use support::fixtures;
use support::stats::Table;

/// The system allocator, counting the bytes currently allocated and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are only
// bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which is passed on unchanged.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `dealloc`'s contract, which is passed on unchanged.
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mib(bytes: usize) -> String {
    format!("{:.2}", bytes as f64 / 1_048_576.0)
}

/// Runs `stage`, and returns its result with the bytes it left allocated and the peak above
/// the starting point while it ran.
fn measure<T>(stage: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let value = stage();
    let kept = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (value, kept, peak)
}

fn main() {
    let catalog = fixtures::catalog(fixtures::IMAGES);
    let config = fixtures::all_private_config();
    let query = Lookup::from_config(&config).expect("a valid config");
    let ty = fixtures::images_type();
    let start = LIVE.load(Ordering::Relaxed);
    let mut table = Table::new(&["stage", "kept, MiB", "peak while running, MiB", "per image, B"]);
    let mut row = |name: &str, kept: usize, peak: usize| {
        let per_image = kept / fixtures::IMAGES;
        table.row(vec![name.into(), mib(kept), mib(peak), per_image.to_string()]);
    };

    let (listed, kept, peak) = measure(|| fixtures::listed_images(&catalog));
    row("listing: 100 pages parsed into images", kept, peak);
    let (selection, kept, peak) = measure(|| select(&listed, &query));
    row("selection (every image, ordered; borrowed)", kept, peak);
    let (bytes, kept, peak) = measure(|| encode_state(&config, "id", &selection).expect("encodes"));
    row("msgpack state, written from the selection", kept, peak);
    let total = LIVE.load(Ordering::Relaxed).saturating_sub(start);
    row("all of the above alive at once", total, total);
    let (value, kept, peak): (Value, _, _) = measure(|| decode_msgpack(&bytes, &ty).expect("ok"));
    row("for comparison: the same state as one value", kept, peak);

    println!("Heap kept by each stage of a {}-image read\n", fixtures::IMAGES);
    println!("{}", table.render());
    drop((bytes, value, selection));
    drop(listed);
}
