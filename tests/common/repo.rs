//! Files of the repository the tests check: the examples and the docs.

use std::path::{Path, PathBuf};

/// The repository root (where `Cargo.toml` is).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every directory under `examples/` that holds `.tf` files, sorted, as paths relative to
/// `examples/` (e.g. `data-sources/qcloud_images`), so a new example is found without a list.
pub fn example_dirs() -> Vec<PathBuf> {
    let base = root().join("examples");
    let mut found = Vec::new();
    let mut pending = vec![base.clone()];
    while let Some(dir) = pending.pop() {
        let mut has_tf = false;
        for entry in std::fs::read_dir(&dir).expect("examples/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            found.push(dir.strip_prefix(&base).expect("under examples/").to_path_buf());
        }
    }
    found.sort();
    found
}

/// Reads a file of the repository, relative to the root.
pub fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
