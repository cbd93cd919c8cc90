//! A short fuzz run in the test suite: the same properties the `cargo fuzz` targets check
//! (`fuzz/src/lib.rs`), on random bytes and on mutations of the seeds. The long runs, and the
//! executions they made, are in docs/reliability.md.

#[path = "../fuzz/src/lib.rs"]
mod fuzz_checks;

use std::path::PathBuf;

use proptest::prelude::*;

/// One change to an input: overwrite, insert or remove bytes, cut it short, or repeat a part.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Truncate(usize),
    Repeat(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        4 => (at, any::<u8>()).prop_map(|(at, byte)| Edit::Set(at, byte)),
        2 => (at, proptest::collection::vec(any::<u8>(), 1..8)).prop_map(|(at, b)| Edit::Insert(at, b)),
        2 => (at, 1..16usize).prop_map(|(at, len)| Edit::Remove(at, len)),
        1 => at.prop_map(Edit::Truncate),
        1 => (at, 1..32usize).prop_map(|(at, len)| Edit::Repeat(at, len)),
    ]
}

/// `seed` with `edits` applied; positions wrap around the current length.
fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for edit in edits {
        let len = data.len();
        let at = |n: usize| if len == 0 { 0 } else { n % (len + 1) };
        match edit {
            Edit::Set(n, byte) if len > 0 => data[n % len] = *byte,
            Edit::Set(..) => data.push(0),
            Edit::Insert(n, bytes) => {
                let at = at(*n);
                data.splice(at..at, bytes.iter().copied());
            }
            Edit::Remove(n, count) => {
                let at = at(*n);
                data.drain(at..(at + count).min(len));
            }
            Edit::Truncate(n) => data.truncate(at(*n)),
            Edit::Repeat(n, count) => {
                let at = at(*n);
                let part = data[at..(at + count).min(len)].to_vec();
                data.splice(at..at, part);
            }
        }
    }
    data
}

/// A seed picked by the strategy, mutated.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (proptest::sample::select(seeds), proptest::collection::vec(edit(), 1..8))
        .prop_map(|(seed, edits)| mutate(&seed, &edits))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn msgpack_decoding_holds_on_mutated_seeds(data in mutated(fuzz_checks::msgpack_seeds())) {
        fuzz_checks::check_msgpack(&data);
    }

    #[test]
    fn config_validation_holds_on_mutated_seeds(data in mutated(fuzz_checks::msgpack_seeds())) {
        fuzz_checks::check_configs(&data);
    }

    #[test]
    fn json_decoding_holds_on_mutated_seeds(data in mutated(fuzz_checks::json_seeds())) {
        fuzz_checks::check_json(&data);
    }

    #[test]
    fn response_parsing_holds_on_mutated_seeds(data in mutated(fuzz_checks::response_seeds())) {
        fuzz_checks::check_response(&data);
    }

    #[test]
    fn every_check_holds_on_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_checks::check_msgpack(&data);
        fuzz_checks::check_configs(&data);
        fuzz_checks::check_json(&data);
        fuzz_checks::check_response(&data);
    }
}

#[test]
fn every_seed_is_accepted_by_its_decoder() {
    for seed in fuzz_checks::msgpack_seeds() {
        let decodes = fuzz_checks::value_types()
            .iter()
            .any(|ty| qcloud_provider::cty::decode_msgpack(&seed, ty).is_ok());
        assert!(decodes, "a msgpack seed no type decodes: {seed:02x?}");
    }
    for seed in fuzz_checks::json_seeds() {
        let decodes = fuzz_checks::value_types()
            .iter()
            .any(|ty| qcloud_provider::cty::decode_json(&seed, ty).is_ok());
        assert!(decodes, "a JSON seed no type decodes: {}", String::from_utf8_lossy(&seed));
    }
    let pages = fuzz_checks::response_seeds()
        .iter()
        .filter(|seed| {
            let status = u16::from_be_bytes([seed[0], seed[1]]);
            let version = qcloud_provider::qcloud::ApiVersion::V2;
            qcloud_provider::qcloud::images::parse_page_answer(version, status, &seed[2..]).is_ok()
        })
        .count();
    assert_eq!(pages, 1, "one response seed is a page, the others errors");
}

/// The seed files `cargo fuzz run` starts from are the seeds above. Set
/// `QCLOUD_WRITE_FUZZ_SEEDS=1` to write them after changing the seeds.
#[test]
fn seed_files_match_the_seeds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let targets = [
        ("decode_msgpack", fuzz_checks::msgpack_seeds()),
        ("images_config", fuzz_checks::msgpack_seeds()),
        ("decode_json", fuzz_checks::json_seeds()),
        ("parse_response", fuzz_checks::response_seeds()),
    ];
    let write = std::env::var("QCLOUD_WRITE_FUZZ_SEEDS").is_ok_and(|v| v == "1");
    for (target, seeds) in targets {
        let dir = root.join(target);
        for (index, seed) in seeds.iter().enumerate() {
            let file = dir.join(format!("seed-{index}"));
            if write {
                std::fs::create_dir_all(&dir).expect("the seed directory can be made");
                std::fs::write(&file, seed).expect("the seed file can be written");
            }
            let stored = std::fs::read(&file).unwrap_or_else(|e| {
                panic!("{}: {e}; set QCLOUD_WRITE_FUZZ_SEEDS=1", file.display())
            });
            assert_eq!(&stored, seed, "{} is stale; set QCLOUD_WRITE_FUZZ_SEEDS=1", file.display());
        }
        let count = std::fs::read_dir(&dir).expect("the seed directory exists").count();
        assert_eq!(count, seeds.len(), "{} holds other files", dir.display());
    }
}

#[test]
fn regression_a_token_echoed_in_an_api_message_is_not_repeated() {
    // The planted secret lands inside the message of an API error.
    let body = br#"{"code":4000,"message":"bad "}"#;
    let at = u8::try_from(body.len() - 2).expect("a short body");
    let data = [&[at, 200][..], body].concat();
    fuzz_checks::check_response(&data);
}
