//! `result_output_file`: the resulting `images` as pretty JSON, written atomically (a temporary
//! file in the same directory, then a rename), mode 0644, `~` expanded, parents created.
//!
//! Writes only what it is given (the `images` of the state), never settings or credentials.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::config::{quoted, shortened};
use crate::cty::{Number, Value};

/// Writes `images` to `path` (as written in the config) and returns the path written.
/// `home` expands a leading `~`. The error says what failed, for the user.
pub fn write_images(path: &str, images: &Value, home: Option<&Path>) -> Result<PathBuf, String> {
    let target = expand_home(path, home)?;
    let mut text = serde_json::to_string_pretty(&json(images))
        .map_err(|error| format!("could not encode the images as JSON: {error}"))?;
    text.push('\n');
    write_atomically(&target, text.as_bytes())
        .map_err(|error| format!("could not write {}: {error}", shown(&target)))?;
    Ok(target)
}

/// A path for a message: whole unless it is longer than any path the system accepts.
fn shown(path: &Path) -> String {
    const LIMIT: usize = 4096;
    shortened(&path.to_string_lossy(), LIMIT)
}

/// `~` and `~/...` become paths under `home`; other paths are kept as written.
pub fn expand_home(path: &str, home: Option<&Path>) -> Result<PathBuf, String> {
    let rest = match path.strip_prefix('~') {
        None => return Ok(PathBuf::from(path)),
        Some("") => "",
        Some(rest) if rest.starts_with('/') => rest.trim_start_matches('/'),
        // `~user/...` is not expanded: it is an ordinary (relative) name.
        Some(_) => return Ok(PathBuf::from(path)),
    };
    let home = home.ok_or_else(|| {
        format!("{} starts with ~ but HOME is not set; give an absolute path instead", quoted(path))
    })?;
    Ok(if rest.is_empty() { home.to_path_buf() } else { home.join(rest) })
}

fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(target, |file| file.write_all(bytes))
}

/// Creates a temporary file next to `target`, lets `fill` write the content, then renames it
/// over `target`. If anything fails, the temporary file is removed and `target` is untouched.
fn write_atomically_with(
    target: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(directory)?;
    let mut file = tempfile::Builder::new().prefix(".qcloud-images-").tempfile_in(directory)?;
    fill(file.as_file_mut())?;
    set_mode_0644(file.as_file())?;
    file.as_file().sync_all()?;
    file.persist(target).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_mode_0644(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_mode_0644(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// A state value as JSON (state values are wholly known; an unknown would become null).
fn json(value: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::Unknown | Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(number) => number_json(number),
        Value::String(text) => Json::String(text.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            Json::Array(items.iter().map(json).collect())
        }
        Value::Map(entries) | Value::Object(entries) => {
            Json::Object(entries.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
    }
}

fn number_json(number: &Number) -> serde_json::Value {
    match number {
        Number::Int(i) => (*i).into(),
        Number::UInt(u) => (*u).into(),
        Number::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Number::Decimal(text) => serde_json::Value::String(text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_sources::image_object::image_value as image_object;
    use crate::data_sources::images::test_support::image;

    fn images() -> Value {
        Value::List(vec![
            image_object(&image("img-aaaaaaaa", "web-1", "CentOS 7.2", "2020-01-01 00:00:00")),
            image_object(&image("img-bbbbbbbb", "", "", "")),
        ])
    }

    #[test]
    fn writes_pretty_json_of_the_images() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("images.json");
        let written = write_images(path.to_str().expect("utf-8"), &images(), None).expect("ok");
        assert_eq!(written, path);
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(text.contains("\n  {\n"), "pretty: {text}");
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let first = &parsed[0];
        assert_eq!(first["image_id"], "img-aaaaaaaa");
        assert_eq!(first["image_name"], "web-1");
        assert_eq!(first["create_time"], "2020-01-01T00:00:00+08:00");
        assert_eq!(
            (&first["status"], &first["creator"]),
            (&"normal".into(), &serde_json::Value::Null)
        );
        assert_eq!(parsed[1]["image_name"], serde_json::Value::Null);
        for image in parsed.as_array().expect("a list") {
            assert_eq!(image.as_object().map(|o| o.len()), Some(20), "every attribute, nulls too");
        }
    }

    #[cfg(unix)]
    #[test]
    fn file_gets_mode_0644() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("images.json");
        write_images(path.to_str().expect("utf-8"), &images(), None).expect("ok");
        let mode = std::fs::metadata(&path).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn parents_are_created_and_an_old_file_is_replaced_without_leftovers() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a/b/c/images.json");
        let text = path.to_str().expect("utf-8");
        write_images(text, &Value::List(vec![]), None).expect("first write");
        assert_eq!(std::fs::read_to_string(&path).expect("written"), "[]\n");
        write_images(text, &images(), None).expect("second write");
        assert!(std::fs::read_to_string(&path).expect("written").contains("img-aaaaaaaa"));
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
            .expect("listable")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["images.json"]);
    }

    #[test]
    fn tilde_expands_from_home() {
        let home = tempfile::tempdir().expect("temp dir");
        let written = write_images("~/out/images.json", &images(), Some(home.path())).expect("ok");
        assert_eq!(written, home.path().join("out/images.json"));
        assert!(written.exists());
    }

    #[test]
    fn expand_home_cases() {
        let home = Path::new("/home/user");
        let cases = [
            ("~", Ok(PathBuf::from("/home/user"))),
            ("~/x.json", Ok(PathBuf::from("/home/user/x.json"))),
            ("~//x.json", Ok(PathBuf::from("/home/user/x.json"))),
            ("~other/x.json", Ok(PathBuf::from("~other/x.json"))),
            ("/abs/x.json", Ok(PathBuf::from("/abs/x.json"))),
            ("rel/~/x.json", Ok(PathBuf::from("rel/~/x.json"))),
        ];
        for (path, want) in cases {
            assert_eq!(expand_home(path, Some(home)), want, "{path}");
        }
        assert!(expand_home("~/x", None).unwrap_err().contains("HOME is not set"));
    }

    #[test]
    fn an_interrupted_write_keeps_the_old_file_whole_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("images.json");
        write_images(path.to_str().expect("utf-8"), &images(), None).expect("first write");
        let old = std::fs::read(&path).expect("written");
        // The new content stops half-way, as when the disk fills up or the process is stopped.
        let new = b"[\n  {\"image_id\": \"img-cccccccc\"}\n]\n";
        let error = write_atomically_with(&path, |file| {
            file.write_all(&new[..new.len() / 2])?;
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device"))
        })
        .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::StorageFull);
        assert_eq!(std::fs::read(&path).expect("still there"), old, "the old file is whole");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("listable")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["images.json"], "no temporary file is left behind");
    }

    #[test]
    fn regression_a_huge_unwritable_path_is_not_echoed_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let huge = dir.path().join("x".repeat(1024 * 1024)).join("images.json");
        let error = write_images(huge.to_str().expect("utf-8"), &images(), None).unwrap_err();
        assert!(error.starts_with("could not write"), "{}", &error[..100]);
        assert!(error.len() < 8 * 1024, "{} bytes", error.len());
    }

    #[test]
    fn unwritable_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("plain-file");
        std::fs::write(&file, "x").expect("write");
        // A regular file cannot be a directory, even for root.
        let below_file = file.join("images.json");
        let error = write_images(below_file.to_str().expect("utf-8"), &images(), None).unwrap_err();
        assert!(error.contains("could not write") && error.contains("plain-file"), "{error}");
        // A directory cannot be replaced by a file.
        let error = write_images(dir.path().to_str().expect("utf-8"), &images(), None).unwrap_err();
        assert!(error.contains("could not write"), "{error}");
    }
}
